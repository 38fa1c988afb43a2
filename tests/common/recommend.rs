//! Strategies and checks the recommendation property tests share.

use mastery::recommend::{Reason, WheelSpin};
use mastery::{
    Activity, ActivityKind, Catalog, Curriculum, LearnerState, Model, StandardIdx, StandardSet,
};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use super::{N, id};

/// Tags the random catalogs draw from.
pub const TAGS: [&str; 3] = ["sports", "music", "space"];

/// Per standard 1-3 activities of random kinds, minutes and tag (index into
/// [`TAGS`], or none), plus some spanning two standards.
pub fn catalog_spec() -> impl Strategy<Value = Vec<(Vec<usize>, usize, u32, Option<usize>)>> {
    let tag = proptest::option::of(0..TAGS.len());
    let single =
        (0..N, 0..6usize, 1..40u32, tag.clone()).prop_map(|(s, k, m, t)| (vec![s], k, m, t));
    let double =
        (0..N, 0..N, 0..6usize, 1..40u32, tag).prop_map(|(a, b, k, m, t)| (vec![a, b], k, m, t));
    (
        proptest::collection::vec(single, N..3 * N),
        proptest::collection::vec(double, 0..4),
    )
        .prop_map(|(mut a, b)| {
            a.extend(b);
            a
        })
}

/// The catalog of a [`catalog_spec`]: activity `a{i}` for entry `i`.
pub fn build_catalog(
    curriculum: &Curriculum,
    spec: &[(Vec<usize>, usize, u32, Option<usize>)],
) -> Catalog {
    let activities = spec
        .iter()
        .enumerate()
        .map(|(i, (standards, kind, minutes, tag))| {
            let activity = standards.iter().fold(
                Activity::new(format!("a{i}"), ActivityKind::ALL[*kind])
                    .with_minutes(f64::from(*minutes)),
                |a, &s| a.aligned_to(id(s)),
            );
            // Answered kinds of varied difficulty (by position, so that
            // the strategy stays as it was), so that the success band
            // separates them.
            let answered = !matches!(
                ActivityKind::ALL[*kind],
                ActivityKind::Video | ActivityKind::Reading
            );
            let activity = if answered {
                activity.with_guess_slip([0.05, 0.2, 0.35][i % 3], [0.05, 0.1, 0.2][i / 3 % 3])
            } else {
                activity
            };
            match tag {
                Some(t) => activity.with_tag(TAGS[*t]),
                None => activity,
            }
        });
    Catalog::new(curriculum, activities).unwrap()
}

/// Up to 60 answers: (standard, correct, seconds after the previous one x 20).
pub fn evidence() -> impl Strategy<Value = Vec<(usize, bool, i64)>> {
    proptest::collection::vec(
        (0..N, proptest::bool::weighted(0.7), 0i64..20 * 86_400),
        0..60,
    )
}

/// What the learner knows at `now` as the recommender sees it: mastered,
/// or mastered at the last evidence and not faded below 0.85, closed under
/// prerequisites (Knowledge Space Theory).
pub fn known_at(model: &Model, learner: &LearnerState, now: i64) -> StandardSet {
    let mastery = learner.all_mastery_at(model, now).unwrap();
    let stored: Vec<f64> = learner.estimates().collect();
    let bar = model.levels().mastered();
    let mut evidenced = learner.mastered_at(model, now).unwrap();
    for r in learner.practice_records() {
        if stored[r.standard().index()] >= bar && mastery[r.standard().index()] >= 0.85 {
            evidenced.insert(r.standard());
        }
    }
    let mut known = model.curriculum().prerequisite_closure(&evidenced).unwrap();
    known.union_with(&evidenced);
    known
}

/// A recommended standard and its reason obey the ranking rules: new
/// standards only once every prerequisite is known, reviews only of faded
/// mastery, placement and goal checks only with goals (`goals`: the ids in
/// force), remediation only of a flagged standard through its ancestors.
#[allow(clippy::too_many_arguments)]
pub fn check_pick(
    model: &Model,
    learner: &LearnerState,
    wheel_spinning: &[WheelSpin],
    known: &StandardSet,
    goals: &[String],
    standard: StandardIdx,
    reason: &Reason,
    now: i64,
) -> Result<(), TestCaseError> {
    let curriculum = model.curriculum();
    let mastery = learner.all_mastery_at(model, now).unwrap();
    let stored: Vec<f64> = learner.estimates().collect();
    let bar = model.levels().mastered();
    prop_assert_eq!(reason.target(), standard);
    match reason {
        Reason::ReadyToLearn { standard, .. }
        | Reason::GoalStep { standard, .. }
        | Reason::Stretch { standard } => {
            prop_assert!(!known.contains(*standard));
            for p in curriculum.prerequisites(*standard).unwrap() {
                prop_assert!(
                    known.contains(*p),
                    "{} recommended before its prerequisite {}",
                    id(standard.index()),
                    id(p.index())
                );
            }
        }
        Reason::Review { standard, .. } => {
            prop_assert!(
                stored[standard.index()] >= bar,
                "review of a standard never mastered"
            );
            prop_assert!(mastery[standard.index()] < 0.85);
        }
        Reason::Placement { standard } => {
            prop_assert!(!goals.is_empty(), "placement without goals");
            prop_assert!(!known.contains(*standard));
        }
        Reason::GoalCheck { goal: checked, .. } => {
            prop_assert!(
                goals.iter().any(|g| g == curriculum[*checked].id()),
                "a check of a standard that is not a goal"
            );
            prop_assert!(
                known.contains(*checked),
                "a goal check before the goal is reached"
            );
        }
        Reason::Remediate {
            blocked,
            prerequisite,
            ..
        } => {
            prop_assert!(wheel_spinning.iter().any(|w| w.standard == *blocked));
            if let Some(p) = prerequisite {
                prop_assert!(curriculum.ancestors(*blocked).unwrap().contains(*p));
            }
        }
        _ => {}
    }
    Ok(())
}
