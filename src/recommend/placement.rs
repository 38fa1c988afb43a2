//! Placement: a binary search for where a learner stands on the way to the goals.

use crate::curriculum::{Curriculum, StandardIdx, StandardSet};
use crate::learner::LearnerState;

/// Most placement checks per learner and goal set.
const PLACEMENT_PROBES: usize = 8;

/// Placement searches only stretches of at least this many unresolved standards.
const PLACEMENT_MIN_RANGE: usize = 6;

/// The next placement check toward the goals: a binary search along the
/// curriculum's order of everything the goals need. Below the highest
/// standard shown mastered, everything counts as known (its prerequisites);
/// above the lowest one shown not known (two or more attempts, estimate
/// under 50%), nothing is worth checking. The check is the unresolved
/// standard halfway between, until the two are adjacent or the checks are
/// spent, or the stretch is shorter than six standards. Returns `None` when
/// placement is over.
pub(super) fn placement_probe(
    curriculum: &Curriculum,
    needed: &StandardSet,
    mastered: &StandardSet,
    mastery: &[f64],
    learner: &LearnerState,
) -> Option<StandardIdx> {
    let order: Vec<StandardIdx> = curriculum.in_order(needed);
    let attempts = |s: StandardIdx| {
        learner
            .practice_records()
            .binary_search_by_key(&s, |r| r.standard())
            .map_or(0, |i| learner.practice_records()[i].attempts())
    };
    let probed = order.iter().filter(|&&s| attempts(s) > 0).count();
    let failed = |s: StandardIdx| attempts(s) >= 2 && mastery[s.index()] < 0.5;
    let low = order.iter().rposition(|&s| mastered.contains(s));
    let high = order
        .iter()
        .enumerate()
        .skip(low.map_or(0, |l| l + 1))
        .find(|&(_, &s)| failed(s))
        .map_or(order.len(), |(i, _)| i);
    let low_next = low.map_or(0, |l| l + 1);
    // A short stretch is learned, not searched.
    if high < low_next + PLACEMENT_MIN_RANGE {
        return None;
    }
    // A check in progress is finished before a new one starts.
    if let Some(&s) = order[low_next..high]
        .iter()
        .find(|&&s| attempts(s) > 0 && !failed(s) && !mastered.contains(s))
    {
        return (attempts(s) < 4).then_some(s);
    }
    if probed >= PLACEMENT_PROBES {
        return None;
    }
    Some(order[(low_next + high) / 2])
}
