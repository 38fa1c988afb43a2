//! A saved learner state loads into a curriculum that has grown since
//! (issue 17.8): estimates, practice, goals and self-assessments follow their
//! standard's id, not its position; a standard the learner has evidence on
//! that the curriculum dropped is an error naming it; states saved before
//! version 3 (no ids) still load into their own curriculum.

use mastery::evidence::Confidence;
use mastery::learner::GoalSetter;
use mastery::{Curriculum, Error, Evidence, LearnerState, Model, Outcome};
use proptest::prelude::*;

const T0: i64 = 1_700_000_000;

fn curriculum(ids: &[&str], edges: &[(&str, &str)]) -> Curriculum {
    Curriculum::builder()
        .standard_ids(ids.iter().copied())
        .unwrap()
        .prerequisites(edges.iter().copied())
        .build()
        .unwrap()
}

fn model(c: Curriculum) -> Model {
    Model::builder(c).build().unwrap()
}

/// Ada on A -> B -> C: answers on B and C, a goal on C, a self-assessment of A.
fn ada(model: &Model) -> LearnerState {
    let mut ada = LearnerState::new(model, "ada").unwrap();
    for (i, (id, outcome)) in [
        ("B", Outcome::Correct),
        ("B", Outcome::Correct),
        ("C", Outcome::Incorrect),
    ]
    .into_iter()
    .enumerate()
    {
        ada.apply(
            model,
            &Evidence::on_standard("ada", id, outcome, T0 + i as i64 * 60).unwrap(),
        )
        .unwrap();
    }
    ada.apply(
        model,
        &Evidence::self_assessment("ada", "A", Confidence::SURE, T0 + 600).unwrap(),
    )
    .unwrap();
    ada.set_goal(model, "C", GoalSetter::Teacher, None, T0 + 900)
        .unwrap();
    ada
}

#[test]
fn a_state_loads_into_a_curriculum_with_a_new_standard_and_edge() {
    let old = model(curriculum(&["A", "B", "C", "D"], &[("A", "B"), ("B", "C")]));
    let saved_ada = ada(&old);
    let saved = saved_ada.to_json();
    assert!(saved.contains(r#""format_version":4"#), "{saved}");
    assert!(
        saved.contains(r#""standards":["A","B","C","D"]"#),
        "{saved}"
    );

    // A standard inserted before the others shifts every position; an edge is new.
    let grown = model(curriculum(
        &["A0", "A", "B", "C", "D"],
        &[("A0", "A"), ("A", "B"), ("B", "C"), ("D", "C")],
    ));
    let loaded = LearnerState::from_json(&grown, &saved).unwrap();
    for id in ["A", "B", "C", "D"] {
        assert_eq!(
            loaded.mastery(&grown, id).unwrap(),
            saved_ada.mastery(&old, id).unwrap(),
            "{id}"
        );
        assert_eq!(
            loaded
                .practice(&grown, id)
                .unwrap()
                .map(|p| (p.attempts(), p.correct())),
            saved_ada
                .practice(&old, id)
                .unwrap()
                .map(|p| (p.attempts(), p.correct())),
            "{id}"
        );
    }
    // The new standard follows the prior.
    assert_eq!(
        loaded.mastery(&grown, "A0").unwrap(),
        LearnerState::new(&grown, "x")
            .unwrap()
            .mastery(&grown, "A0")
            .unwrap()
    );
    let goal = loaded.profile().goals()[0].standard();
    assert_eq!(grown.curriculum()[goal].id(), "C");
    let felt = loaded.profile().reflections()[0].standard;
    assert_eq!(grown.curriculum()[felt].id(), "A");
    // Saved again, it names the new curriculum and reloads equal.
    let again = loaded.to_json();
    assert!(again.contains(r#""standards":["A0","A","B","C","D"]"#));
    assert_eq!(LearnerState::from_json(&grown, &again).unwrap(), loaded);
    // And it keeps learning there.
    let mut loaded = loaded;
    let before = loaded.mastery(&grown, "C").unwrap();
    loaded
        .apply(
            &grown,
            &Evidence::on_standard("ada", "C", Outcome::Correct, T0 + 1000).unwrap(),
        )
        .unwrap();
    assert!(loaded.mastery(&grown, "C").unwrap() > before);
}

#[test]
fn a_dropped_standard_without_evidence_is_forgotten_and_one_with_evidence_is_named() {
    let old = model(curriculum(&["A", "B", "C", "D"], &[("A", "B"), ("B", "C")]));
    let saved = ada(&old).to_json();
    // D had no evidence: dropping it loses nothing.
    let without_d = model(curriculum(&["A", "B", "C"], &[("A", "B"), ("B", "C")]));
    let loaded = LearnerState::from_json(&without_d, &saved).unwrap();
    assert_eq!(
        loaded
            .practice(&without_d, "B")
            .unwrap()
            .unwrap()
            .attempts(),
        2
    );
    // B had answers: dropping it would lose them.
    let without_b = model(curriculum(&["A", "C", "D"], &[("A", "C")]));
    let err = LearnerState::from_json(&without_b, &saved).unwrap_err();
    assert!(matches!(err, Error::InvalidState { .. }), "{err:?}");
    assert!(err.to_string().contains("\"B\""), "{err}");
    assert!(err.to_string().contains("not in this curriculum"), "{err}");
}

#[test]
fn states_without_ids_still_need_their_own_curriculum() {
    let old = model(curriculum(&["A", "B", "C", "D"], &[("A", "B"), ("B", "C")]));
    let saved = ada(&old).to_json();
    let mut v2: serde_json::Value = serde_json::from_str(&saved).unwrap();
    v2["format_version"] = 2.into();
    v2.as_object_mut().unwrap().remove("standards");
    let v2 = v2.to_string();
    // Into its own curriculum it loads as before.
    let same = LearnerState::from_json(&old, &v2).unwrap();
    assert_eq!(same, ada(&old));
    // Into another it is refused: without ids, positions cannot be trusted.
    let grown = model(curriculum(&["A0", "A", "B", "C", "D"], &[("A", "B")]));
    assert!(matches!(
        LearnerState::from_json(&grown, &v2),
        Err(Error::CurriculumMismatch { .. })
    ));
}

#[test]
fn ids_that_do_not_match_the_estimates_are_refused() {
    let old = model(curriculum(&["A", "B", "C", "D"], &[("A", "B"), ("B", "C")]));
    let saved = ada(&old).to_json();
    let grown = model(curriculum(&["A0", "A", "B", "C", "D"], &[("A", "B")]));
    for (bad, says) in [
        (r#""standards":["A","B","C"]"#, "names 3 standards"),
        (r#""standards":["A","B","B","D"]"#, "twice"),
    ] {
        let edited = saved.replace(r#""standards":["A","B","C","D"]"#, bad);
        let err = LearnerState::from_json(&grown, &edited).unwrap_err();
        assert!(err.to_string().contains(says), "{bad}: {err}");
    }
}

proptest! {
    /// However a curriculum grows (new standards anywhere, new edges among
    /// the new ones), every saved estimate and practice count keeps its id.
    #[test]
    fn growth_keeps_every_estimate_by_id(
        new_before in proptest::collection::vec(any::<bool>(), 6),
        answers in proptest::collection::vec((0usize..6, any::<bool>()), 1..12),
    ) {
        let ids = ["s0", "s1", "s2", "s3", "s4", "s5"];
        let edges = [("s0", "s1"), ("s1", "s2"), ("s3", "s4")];
        let old = model(curriculum(&ids, &edges));
        let mut state = LearnerState::new(&old, "p").unwrap();
        for (t, (s, correct)) in answers.iter().enumerate() {
            state
                .apply(
                    &old,
                    &Evidence::on_standard("p", ids[*s], Outcome::from_correct(*correct), T0 + t as i64)
                        .unwrap(),
                )
                .unwrap();
        }
        let new_ids: Vec<String> = (0..6).map(|i| format!("n{i}")).collect();
        let mut grown_ids: Vec<&str> = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            if new_before[i] {
                grown_ids.push(&new_ids[i]);
            }
            grown_ids.push(id);
        }
        let grown = model(curriculum(&grown_ids, &edges));
        let loaded = LearnerState::from_json(&grown, &state.to_json()).unwrap();
        for id in ids {
            prop_assert_eq!(loaded.mastery(&grown, id).unwrap(), state.mastery(&old, id).unwrap());
            prop_assert_eq!(
                loaded.practice(&grown, id).unwrap().map(|p| p.attempts()),
                state.practice(&old, id).unwrap().map(|p| p.attempts())
            );
        }
    }
}
