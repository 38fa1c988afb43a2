//! Adding one activity does not rebuild the model: `Catalog::push` and
//! `Model::add_activity` validate only the new activity and give the same
//! model as building it with the activity from the start.

use mastery::{Activity, ActivityKind, Catalog, Curriculum, Error, LearnerState, Model, Target};
use proptest::prelude::*;

fn activity(i: usize, ccss: &Curriculum, picks: &[usize], guess: Option<f64>) -> Activity {
    let mut a = Activity::new(format!("act-{i}"), ActivityKind::Practice);
    for &p in picks {
        a = a.aligned_to(ccss.standards()[p % ccss.len()].id());
    }
    if let Some(g) = guess {
        a = a.with_guess_slip(g, 0.1);
    }
    if i > 0 {
        a = a.after(format!("act-{}", i - 1));
    }
    a
}

proptest! {
    #[test]
    fn adding_an_activity_equals_building_with_it(
        specs in proptest::collection::vec(
            (proptest::collection::btree_set(0usize..480, 1..4), proptest::option::of(0.05..0.4f64)),
            1..6,
        ),
    ) {
        let ccss = Curriculum::ccss_math();
        let all: Vec<Activity> = specs
            .iter()
            .enumerate()
            .map(|(i, (picks, g))| activity(i, &ccss, &picks.iter().copied().collect::<Vec<_>>(), *g))
            .collect();
        let (last, first) = all.split_last().unwrap();
        let built = Model::builder(ccss.clone())
            .catalog(Catalog::new(&ccss, all.clone()).unwrap())
            .build()
            .unwrap();
        let mut grown = Model::builder(ccss.clone())
            .catalog(Catalog::new(&ccss, first.to_vec()).unwrap())
            .build()
            .unwrap();
        let idx = grown.add_activity(last.clone()).unwrap();
        prop_assert_eq!(idx.index(), all.len() - 1);
        prop_assert_eq!(grown.catalog().to_json(), built.catalog().to_json());
        let ada = LearnerState::new(&built, "ada").unwrap();
        for a in &all {
            let i = built.catalog().index_of(a.id()).unwrap();
            prop_assert_eq!(grown.activity_answer(i), built.activity_answer(i));
            prop_assert_eq!(grown.catalog().alignment(i), built.catalog().alignment(i));
            let target = Target::Activity(a.id().to_owned());
            prop_assert_eq!(ada.predict(&grown, &target, 0).unwrap(), ada.predict(&built, &target, 0).unwrap());
        }
        for s in ccss.indices() {
            prop_assert_eq!(grown.catalog().for_standard(s), built.catalog().for_standard(s));
        }
    }
}

#[test]
fn a_rejected_activity_leaves_the_model_unchanged() {
    let ccss = Curriculum::ccss_math();
    let mut model = Model::builder(ccss.clone())
        .catalog(Catalog::demo(&ccss, 3))
        .build()
        .unwrap();
    let before = model.catalog().to_json();
    let n = model.catalog().len();
    let existing = model.catalog().activities()[0].id().to_owned();
    let cases = [
        (
            Activity::new(existing, ActivityKind::Video).aligned_to("3.NF.A.1"),
            "duplicate",
        ),
        (
            Activity::new("new", ActivityKind::Video).aligned_to("9.ZZ.Z.9"),
            "unknown standard",
        ),
        (Activity::new("new", ActivityKind::Video), "no standard"),
        (
            Activity::new("new", ActivityKind::Video)
                .aligned_to("3.NF.A.1")
                .after("missing"),
            "unknown activity",
        ),
        (
            Activity::new("new", ActivityKind::Video)
                .aligned_to("3.NF.A.1")
                .after("new"),
            "after itself",
        ),
        (
            Activity::new("new", ActivityKind::Video)
                .aligned_to("3.NF.A.1")
                .with_minutes(-3.0),
            "minutes",
        ),
    ];
    for (bad, what) in cases {
        assert!(model.add_activity(bad).is_err(), "{what}");
        assert_eq!(model.catalog().len(), n, "{what}");
        assert_eq!(model.catalog().to_json(), before, "{what}");
    }
    // A catalog only grows with standards of its own curriculum.
    let other = Curriculum::builder()
        .standard_ids(["3.NF.A.1"])
        .unwrap()
        .build()
        .unwrap();
    let mut catalog = Catalog::empty(&ccss);
    assert!(matches!(
        catalog.push(
            &other,
            Activity::new("x", ActivityKind::Video).aligned_to("3.NF.A.1")
        ),
        Err(Error::CurriculumMismatch { .. })
    ));
    assert!(catalog.is_empty());
}
