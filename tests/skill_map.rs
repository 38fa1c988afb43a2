//! Fitted skill parameters reach standards through a `SkillMap`: every
//! unmatched skill is reported at once, one skill may stand for several
//! standards, several skills for one standard (the mean of each parameter),
//! and ignored skills are listed, never dropped silently.

use mastery::model::{SkillMap, SkillParams};
use mastery::{BktParams, Curriculum, Error, Model};
use proptest::prelude::*;

fn small() -> Curriculum {
    Curriculum::builder()
        .standard_ids(["A", "B", "C"])
        .unwrap()
        .prerequisites([("A", "B"), ("B", "C")])
        .build()
        .unwrap()
}

fn params(entries: &[(&str, f64)]) -> SkillParams {
    let mut out = SkillParams::default();
    for &(skill, prior) in entries {
        out.params.insert(
            skill.to_owned(),
            BktParams::new(prior, 0.1, 0.0, 0.2, 0.1).unwrap(),
        );
    }
    out
}

#[test]
fn skill_params_report_every_unmatched_skill_at_once() {
    let fitted = params(&[
        ("Absolute Value", 0.6),
        ("A", 0.3),
        ("Venn Diagram", 0.4),
        ("Box and Whisker", 0.5),
    ]);
    let err = Model::builder(small())
        .skill_params(&fitted)
        .build()
        .unwrap_err();
    match &err {
        Error::UnmatchedSkills {
            skills,
            unknown_standards,
        } => {
            assert_eq!(
                skills,
                &["Absolute Value", "Box and Whisker", "Venn Diagram"]
            );
            assert!(unknown_standards.is_empty());
        }
        other => panic!("expected UnmatchedSkills, got {other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.contains("3 skills") && text.contains("`Absolute Value`") && text.contains("SkillMap"),
        "{text}"
    );
}

#[test]
fn skill_map_maps_one_skill_to_many_and_many_skills_to_one_by_the_mean() {
    let fitted = params(&[("fractions", 0.6), ("decimals", 0.2), ("Z", 0.9)]);
    let map = SkillMap::new()
        .skill("fractions", ["B", "C"])
        .skill("decimals", ["C"])
        .skill("Z", ["A"]);
    let model = Model::builder(small())
        .mapped_skill_params(&fitted, &map)
        .build()
        .unwrap();
    assert_eq!(model.params("A").unwrap().prior(), 0.9);
    assert_eq!(model.params("B").unwrap().prior(), 0.6);
    assert!((model.params("C").unwrap().prior() - 0.4).abs() < 1e-12);
    assert!(model.ignored_skills().is_empty());
}

#[test]
fn ignored_skills_are_listed_and_bad_mappings_still_fail() {
    let fitted = params(&[("B", 0.7), ("Venn Diagram", 0.4), ("Absolute Value", 0.6)]);
    let model = Model::builder(small())
        .mapped_skill_params(&fitted, &SkillMap::new().ignore_unmatched())
        .build()
        .unwrap();
    assert_eq!(model.params("B").unwrap().prior(), 0.7);
    assert_eq!(model.ignored_skills(), ["Absolute Value", "Venn Diagram"]);

    // A mapping to a standard the curriculum lacks is a mistake in the map, not
    // an unmatched skill: it fails even when unmatched skills are ignored.
    let map = SkillMap::new()
        .skill("Absolute Value", ["B", "6.NS.C.7"])
        .ignore_unmatched();
    let err = Model::builder(small())
        .mapped_skill_params(&fitted, &map)
        .build()
        .unwrap_err();
    match err {
        Error::UnmatchedSkills {
            skills,
            unknown_standards,
        } => {
            assert!(skills.is_empty());
            assert_eq!(
                unknown_standards,
                [("Absolute Value".to_owned(), "6.NS.C.7".to_owned())]
            );
        }
        other => panic!("expected UnmatchedSkills, got {other:?}"),
    }
}

#[test]
fn later_parameter_sources_win() {
    let fitted = params(&[("B", 0.7)]);
    let own = BktParams::new(0.05, 0.1, 0.0, 0.2, 0.1).unwrap();
    let model = Model::builder(small())
        .skill_params(&fitted)
        .standard_params("B", own)
        .build()
        .unwrap();
    assert_eq!(model.params("B").unwrap().prior(), 0.05);
    let model = Model::builder(small())
        .standard_params("B", own)
        .skill_params(&fitted)
        .build()
        .unwrap();
    assert_eq!(model.params("B").unwrap().prior(), 0.7);
}

fn arb_params() -> impl Strategy<Value = BktParams> {
    (
        0.0..=1.0f64,
        0.0..=0.5f64,
        0.0..=0.5f64,
        0.0..0.5f64,
        0.0..0.49f64,
    )
        .prop_map(|(p, t, f, g, s)| BktParams::new(p, t, f, g, s).unwrap())
}

proptest! {
    /// Several skills on one standard: the result is valid, is the mean of
    /// each parameter, and does not depend on the skills' names (their order).
    #[test]
    fn many_skills_on_one_standard_give_the_mean(
        list in proptest::collection::vec(arb_params(), 1..6),
        salt in 0u32..1000,
    ) {
        let mut fitted = SkillParams::default();
        let mut map = SkillMap::new();
        for (i, p) in list.iter().enumerate() {
            let name = format!("skill-{}", (i as u32 * 7919 + salt) % 10_007);
            fitted.params.insert(name.clone(), *p);
            map = map.skill(name, ["C"]);
        }
        let model = Model::builder(small()).mapped_skill_params(&fitted, &map).build().unwrap();
        let got = model.params("C").unwrap();
        let n = list.len() as f64;
        let mean = |f: fn(&BktParams) -> f64| list.iter().map(f).sum::<f64>() / n;
        prop_assert!((got.prior() - mean(BktParams::prior)).abs() < 1e-12);
        prop_assert!((got.learn() - mean(BktParams::learn)).abs() < 1e-12);
        prop_assert!((got.guess() - mean(BktParams::guess)).abs() < 1e-12);
        prop_assert!((got.slip() - mean(BktParams::slip)).abs() < 1e-12);
        prop_assert!(got.guess() + got.slip() < 1.0);
        // Untouched standards keep the defaults.
        prop_assert_eq!(model.params("A").unwrap(), &BktParams::default());
    }
}
