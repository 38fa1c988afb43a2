//! Propagation of evidence along the prerequisite graph (see the `model` module docs).

use std::collections::VecDeque;

use super::{GuessSlip, Propagation, posterior};
use crate::curriculum::{Curriculum, StandardIdx, StandardSet};
use crate::evidence::Outcome;
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
    /// Whether the dependents of `standard` need updating: a view that reads
    /// only some standards skips the dependents it never reads (and, as
    /// dependents propagate only to their own dependents, theirs).
    fn wants_dependent(&self, _standard: StandardIdx) -> bool {
        true
    }
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

/// Reusable buffers for [`propagate`], so that a run of updates allocates
/// nothing, and a memo of the dependents' tempered likelihoods (`powf` of
/// the few distinct likelihoods of the answer models, bit for bit the same).
#[derive(Debug, Default)]
pub(crate) struct PropagationScratch {
    visited: StandardSet,
    /// The standards set in `visited`, to clear them.
    touched: Vec<StandardIdx>,
    prerequisites: VecDeque<(StandardIdx, f64, f64, f64, u32)>,
    dependents: VecDeque<(StandardIdx, f64, f64, u32)>,
    /// `(x, x.powf(weight))` by a hash of `x`; empty until first used.
    powers: Vec<(u64, f64)>,
    /// The weight `powers` holds powers of.
    power_weight: u64,
    /// Likelihoods of partial scores: `((guess, slip, score), likelihoods)`
    /// as bits, by a hash of them; empty until first used.
    partial: Vec<([u64; 3], (f64, f64))>,
}

/// Entries of the power memo (a power of two).
const POWERS: usize = 64;

impl PropagationScratch {
    fn visit(&mut self, standard: StandardIdx) -> bool {
        let new = self.visited.insert(standard);
        if new {
            self.touched.push(standard);
        }
        new
    }

    fn clear(&mut self) {
        for s in self.touched.drain(..) {
            self.visited.remove(s);
        }
        self.prerequisites.clear();
        self.dependents.clear();
    }

    /// `answer.likelihoods(outcome)`, remembered for partial scores (four
    /// `powf` each; the scores of a log take few values).
    pub(crate) fn likelihoods(&mut self, answer: GuessSlip, outcome: Outcome) -> (f64, f64) {
        let Outcome::Partial(score) = outcome else {
            return answer.likelihoods(outcome);
        };
        if self.partial.is_empty() {
            // Score 1 never is partial: an entry no look-up matches.
            self.partial
                .resize(POWERS, ([0, 0, 1f64.to_bits()], (0.0, 0.0)));
        }
        let key = [
            answer.guess().to_bits(),
            answer.slip().to_bits(),
            score.value().to_bits(),
        ];
        let mixed = (key[0] ^ key[1].rotate_left(21) ^ key[2].rotate_left(42))
            .wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let slot = (mixed >> 58) as usize & (POWERS - 1);
        match self.partial.get(slot) {
            Some(&(k, likelihoods)) if k == key => likelihoods,
            _ => {
                let likelihoods = answer.likelihoods(outcome);
                if let Some(entry) = self.partial.get_mut(slot) {
                    *entry = (key, likelihoods);
                }
                likelihoods
            }
        }
    }

    /// `x.powf(weight)`, remembered.
    fn power(&mut self, x: f64, weight: f64) -> f64 {
        if self.powers.is_empty() || self.power_weight != weight.to_bits() {
            // 1 is its own power: a valid entry for every slot.
            self.powers.clear();
            self.powers.resize(POWERS, (1f64.to_bits(), 1.0));
            self.power_weight = weight.to_bits();
        }
        let bits = x.to_bits();
        let slot = ((bits ^ (bits >> 29)).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 58) as usize;
        let slot = slot & (POWERS - 1);
        match self.powers.get(slot) {
            Some(&(key, power)) if key == bits => power,
            _ => {
                let power = x.powf(weight);
                if let Some(entry) = self.powers.get_mut(slot) {
                    *entry = (bits, power);
                }
                power
            }
        }
    }
}

/// Updates the prerequisites and dependents of the attempted standards, each
/// standard at most once, breadth first (nearest attempted standard first).
pub(crate) fn propagate(
    curriculum: &Curriculum,
    settings: &Propagation,
    sources: &[PropagationSource],
    state: &mut impl MasteryAccess,
    scratch: &mut PropagationScratch,
) {
    if settings.is_off() {
        return;
    }
    scratch.clear();
    for s in sources {
        scratch.visit(s.standard);
    }
    let strength = settings.strength();
    if strength > 0.0 {
        // (standard, its estimate before this evidence, likelihoods of the evidence for it, depth)
        scratch.prerequisites.extend(
            sources
                .iter()
                .map(|s| (s.standard, s.before, s.known, s.unknown, 0)),
        );
        while let Some((child, p_child, known, unknown, depth)) = scratch.prerequisites.pop_front()
        {
            if depth >= settings.max_depth() {
                continue;
            }
            // P(o | parent) and P(o | not parent) through the edge's conditional.
            let if_known = p_child * known + (1.0 - p_child) * unknown;
            let weakened = (1.0 - strength) * p_child;
            let if_unknown = weakened * known + (1.0 - weakened) * unknown;
            for &parent in curriculum.prerequisites(child).unwrap_or_default() {
                if !scratch.visit(parent) {
                    continue;
                }
                let before = state.get(parent);
                state.set(
                    parent,
                    posterior(before, if_known, if_unknown),
                    before,
                    ChangeCause::Prerequisite,
                );
                scratch
                    .prerequisites
                    .push_back((parent, before, if_known, if_unknown, depth + 1));
            }
        }
    }
    let weight = settings.dependent_weight();
    if weight > 0.0 {
        scratch
            .dependents
            .extend(sources.iter().map(|s| (s.standard, s.known, s.unknown, 0)));
        while let Some((standard, known, unknown, depth)) = scratch.dependents.pop_front() {
            if depth >= settings.max_depth() {
                continue;
            }
            let dependents = curriculum.dependents(standard).unwrap_or_default();
            if dependents.is_empty() {
                continue;
            }
            let (k, u) = (scratch.power(known, weight), scratch.power(unknown, weight));
            for &dependent in dependents {
                if !state.wants_dependent(dependent) || !scratch.visit(dependent) {
                    continue;
                }
                let before = state.get(dependent);
                state.set(
                    dependent,
                    posterior(before, k, u),
                    before,
                    ChangeCause::Dependent,
                );
                scratch.dependents.push_back((dependent, k, u, depth + 1));
            }
        }
    }
    scratch.clear();
}
