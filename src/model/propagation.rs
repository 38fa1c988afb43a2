//! Propagation of evidence along the prerequisite graph (see the `model` module docs).

use std::collections::VecDeque;

use super::{Propagation, posterior};
use crate::curriculum::{Curriculum, StandardIdx, StandardSet};
use serde::{Deserialize, Serialize};

/// Why an estimate changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChangeCause {
    /// The evidence was on this standard (or an activity aligned to it).
    Attempted,
    /// The standard is a prerequisite of an attempted standard.
    Prerequisite,
    /// The standard depends on an attempted standard.
    Dependent,
}

/// Read and write access to one learner's current estimates.
pub(crate) trait MasteryAccess {
    /// The current estimate (decayed to the evidence's time).
    fn get(&self, standard: StandardIdx) -> f64;
    /// Stores a propagated estimate.
    fn set(&mut self, standard: StandardIdx, mastery: f64, before: f64, cause: ChangeCause);
}

/// One attempted standard: its estimate before the evidence and the
/// evidence's likelihoods `(P(o | known), P(o | not known))` for it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PropagationSource {
    pub(crate) standard: StandardIdx,
    pub(crate) before: f64,
    pub(crate) known: f64,
    pub(crate) unknown: f64,
}

/// Updates the prerequisites and dependents of the attempted standards, each
/// standard at most once, breadth first (nearest attempted standard first).
pub(crate) fn propagate(
    curriculum: &Curriculum,
    settings: &Propagation,
    sources: &[PropagationSource],
    state: &mut impl MasteryAccess,
) {
    if settings.is_off() {
        return;
    }
    let mut visited = StandardSet::with_capacity(curriculum.len());
    for s in sources {
        visited.insert(s.standard);
    }
    let strength = settings.strength();
    if strength > 0.0 {
        // (standard, its estimate before this evidence, likelihoods of the evidence for it, depth)
        let mut queue: VecDeque<(StandardIdx, f64, f64, f64, u32)> = sources
            .iter()
            .map(|s| (s.standard, s.before, s.known, s.unknown, 0))
            .collect();
        while let Some((child, p_child, known, unknown, depth)) = queue.pop_front() {
            if depth >= settings.max_depth() {
                continue;
            }
            // P(o | parent) and P(o | not parent) through the edge's conditional.
            let if_known = p_child * known + (1.0 - p_child) * unknown;
            let weakened = (1.0 - strength) * p_child;
            let if_unknown = weakened * known + (1.0 - weakened) * unknown;
            for &parent in curriculum.prerequisites(child).unwrap_or_default() {
                if !visited.insert(parent) {
                    continue;
                }
                let before = state.get(parent);
                state.set(
                    parent,
                    posterior(before, if_known, if_unknown),
                    before,
                    ChangeCause::Prerequisite,
                );
                queue.push_back((parent, before, if_known, if_unknown, depth + 1));
            }
        }
    }
    let weight = settings.dependent_weight();
    if weight > 0.0 {
        let mut queue: VecDeque<(StandardIdx, f64, f64, u32)> = sources
            .iter()
            .map(|s| (s.standard, s.known, s.unknown, 0))
            .collect();
        while let Some((standard, known, unknown, depth)) = queue.pop_front() {
            if depth >= settings.max_depth() {
                continue;
            }
            let (k, u) = (known.powf(weight), unknown.powf(weight));
            for &dependent in curriculum.dependents(standard).unwrap_or_default() {
                if !visited.insert(dependent) {
                    continue;
                }
                let before = state.get(dependent);
                state.set(
                    dependent,
                    posterior(before, k, u),
                    before,
                    ChangeCause::Dependent,
                );
                queue.push_back((dependent, k, u, depth + 1));
            }
        }
    }
}
