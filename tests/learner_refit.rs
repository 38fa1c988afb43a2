//! Refitted parameters reach existing learners: a standard no evidence has
//! reached follows the current model's prior, while practiced and propagated
//! estimates stay; format-version-1 states still load.

use mastery::{BktParams, Curriculum, Evidence, LearnerState, Model, Outcome, StandardIdx};
use proptest::prelude::*;

const T0: i64 = 1_700_000_000;

/// A -> B -> C, and D on its own (the curriculum of the version-1 fixture).
fn small() -> Curriculum {
    Curriculum::builder()
        .standard_ids(["A", "B", "C", "D"])
        .unwrap()
        .prerequisites([("A", "B"), ("B", "C")])
        .build()
        .unwrap()
}

fn refit(curriculum: Curriculum, prior: f64) -> Model {
    Model::builder(curriculum)
        .default_params(BktParams::new(prior, 0.15, 0.0, 0.2, 0.1).unwrap())
        .build()
        .unwrap()
}

#[test]
fn refit_priors_reach_existing_learners() {
    let old = Model::builder(small()).build().unwrap();
    let mut ada = LearnerState::new(&old, "ada").unwrap();
    ada.apply(
        &old,
        &Evidence::on_standard("ada", "B", Outcome::Correct, T0).unwrap(),
    )
    .unwrap();
    let practiced = ada.mastery(&old, "B").unwrap();
    let (a, c) = (
        ada.mastery(&old, "A").unwrap(),
        ada.mastery(&old, "C").unwrap(),
    );
    assert_eq!(ada.mastery(&old, "D").unwrap(), 0.2);

    let new = refit(small(), 0.618);
    let fresh = LearnerState::new(&new, "bo").unwrap();
    for state in [
        ada.clone(),
        LearnerState::from_json(&new, &ada.to_json()).unwrap(),
    ] {
        // Unpracticed and untouched: the new prior, as for a new learner.
        assert_eq!(state.mastery(&new, "D").unwrap(), 0.618);
        assert_eq!(
            state.mastery_at(&new, "D", T0 + 86_400).unwrap(),
            fresh.mastery_at(&new, "D", T0 + 86_400).unwrap()
        );
        assert_eq!(state.all_mastery_at(&new, T0).unwrap()[3], 0.618);
        // Practiced and propagated estimates are the learner's own.
        assert_eq!(state.mastery(&new, "B").unwrap(), practiced);
        assert_eq!(state.mastery(&new, "A").unwrap(), a);
        assert_eq!(state.mastery(&new, "C").unwrap(), c);
    }
    // The saved form says which standards have no estimate of their own.
    assert!(ada.to_json().contains(r#""format_version":4"#));
    assert!(ada.to_json().contains("null"));
}

#[test]
fn version_1_states_still_load_and_release_unreached_standards() {
    let v1 = include_str!("fixtures/learner_state/v1.json");
    // Saved with prior 0.2 after one correct answer on B; A and C were propagated.
    let stored = [0.2394366197379857, 0.6, 0.2524705900001504];
    let new = refit(small(), 0.618);
    let ada = LearnerState::from_json(&new, v1).unwrap();
    assert_eq!(ada.mastery(&new, "D").unwrap(), 0.618);
    for (id, want) in ["A", "B", "C"].iter().zip(stored) {
        assert!(
            (ada.mastery(&new, *id).unwrap() - want).abs() < 1e-9,
            "{id}"
        );
    }
    assert_eq!(ada.practice(&new, "B").unwrap().unwrap().attempts(), 1);
    // Saved again, it is version 2 and reloads equal.
    let v2 = ada.to_json();
    assert!(v2.contains(r#""format_version":4"#));
    assert_eq!(LearnerState::from_json(&new, &v2).unwrap(), ada);
    // Unknown versions and malformed version-2 states are typed errors.
    let v9 = v1.replace(r#""format_version":1"#, r#""format_version":9"#);
    assert!(matches!(
        LearnerState::from_json(&new, &v9),
        Err(mastery::Error::Json { .. })
    ));
    let no_estimate = v2.replace("0.6,", "null,");
    let err = LearnerState::from_json(&new, &no_estimate).unwrap_err();
    assert!(
        err.to_string().contains("practice record but no estimate"),
        "{err}"
    );
}

fn arb_curriculum() -> impl Strategy<Value = Curriculum> {
    (3usize..10)
        .prop_flat_map(|n| (Just(n), proptest::collection::vec((0..n, 0..n), 0..2 * n)))
        .prop_map(|(n, pairs)| {
            let ids: Vec<String> = (0..n).map(|i| format!("s{i}")).collect();
            let mut edges: Vec<(String, String)> = pairs
                .into_iter()
                .filter(|(a, b)| a < b)
                .map(|(a, b)| (ids[a].clone(), ids[b].clone()))
                .collect();
            edges.sort();
            edges.dedup();
            Curriculum::builder()
                .standard_ids(ids)
                .unwrap()
                .prerequisites(edges)
                .build()
                .unwrap()
        })
}

proptest! {
    /// After any evidence, a standard that is neither practiced nor related
    /// to a practiced standard follows whatever model reads it, and saving
    /// and loading changes no estimate under either model.
    #[test]
    fn unreached_standards_follow_the_current_prior(
        curriculum in arb_curriculum(),
        answers in proptest::collection::vec((0usize..10, any::<bool>()), 0..12),
        prior in 0.0..=1.0f64,
    ) {
        let old = Model::builder(curriculum.clone()).build().unwrap();
        let new = refit(curriculum.clone(), prior);
        let n = curriculum.len();
        let mut state = LearnerState::new(&old, "ada").unwrap();
        let mut practiced = Vec::new();
        for (k, &(s, correct)) in answers.iter().enumerate() {
            let s = StandardIdx::new(s % n).unwrap();
            practiced.push(s);
            let e = Evidence::on_standard(
                "ada",
                curriculum[s].id(),
                Outcome::from_correct(correct),
                T0 + k as i64 * 3600,
            ).unwrap();
            state.apply(&old, &e).unwrap();
        }
        let mut related = curriculum.empty_set();
        for &s in &practiced {
            related.insert(s);
            related.union_with(&curriculum.ancestors(s).unwrap());
            related.union_with(&curriculum.descendants(s).unwrap());
        }
        let reloaded = LearnerState::from_json(&new, &state.to_json()).unwrap();
        let now = T0 + 30 * 86_400;
        for model in [&old, &new] {
            let all = state.all_mastery_at(model, now).unwrap();
            prop_assert_eq!(&all, &reloaded.all_mastery_at(model, now).unwrap());
            for s in curriculum.indices() {
                prop_assert_eq!(all[s.index()], state.mastery_at(model, s, now).unwrap());
                if !related.contains(s) {
                    prop_assert_eq!(all[s.index()], model.params(s).unwrap().prior());
                }
            }
        }
    }
}
