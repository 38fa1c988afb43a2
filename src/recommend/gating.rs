//! Prerequisite gating in the simulated learners behind paths and
//! forecasts ([`Model::prerequisite_gating`]): a step learns more slowly
//! while one of its direct prerequisites is not truly known.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

use super::path::PathStep;
use crate::curriculum::StandardIdx;
use crate::error::Result;
use crate::learner::LearnerState;
use crate::model::Model;

/// Where each step's direct prerequisites are in a simulated learner: an
/// earlier step (known or not as that step's draw ended), or a standard the
/// path takes as known without a step (mastered, or implied by a mastered
/// standard), truly known with the chance its estimate gives, drawn once
/// per simulated learner from a random stream of its own: the steps' draws
/// then use the same random numbers as without gating until gating changes
/// one of them (common random numbers), so that what gating changes is not
/// lost in the noise of a few hundred draws.
#[derive(Debug, Clone)]
pub(super) struct Gating {
    factor: f64,
    rng: Xoshiro256PlusPlus,
    /// The standards known without a step that a step needs directly, with
    /// their estimates.
    fixed: Vec<(StandardIdx, f64)>,
    /// Per step: its direct prerequisites' positions among the steps and
    /// among `fixed`.
    prerequisites: Vec<(Vec<usize>, Vec<usize>)>,
}

impl Gating {
    /// The gating of `learner`'s `steps` (in a valid order) at `now` under
    /// `model`; `None` when the model does not gate (factor 1), so that the
    /// draws are exactly as without it. `seed` seeds the stream of the
    /// prerequisites' draws. O(steps x prerequisites + standards).
    pub(super) fn of(
        model: &Model,
        learner: &LearnerState,
        now: i64,
        steps: &[PathStep],
        seed: u64,
    ) -> Result<Option<Gating>> {
        let factor = model.prerequisite_gating();
        if factor >= 1.0 {
            return Ok(None);
        }
        let mastery = learner.all_mastery_at(model, now)?;
        let curriculum = model.curriculum();
        let mut step_at = vec![None; curriculum.len()];
        for (i, step) in steps.iter().enumerate() {
            step_at[step.standard.index()] = Some(i);
        }
        let mut fixed = Vec::new();
        let mut fixed_at = vec![None; curriculum.len()];
        let prerequisites = steps
            .iter()
            .map(|step| {
                let (mut among_steps, mut among_fixed) = (Vec::new(), Vec::new());
                for &q in curriculum.prerequisites(step.standard)? {
                    if let Some(i) = step_at[q.index()] {
                        among_steps.push(i);
                        continue;
                    }
                    let at = *fixed_at[q.index()].get_or_insert_with(|| {
                        fixed.push((q, mastery[q.index()]));
                        fixed.len() - 1
                    });
                    among_fixed.push(at);
                }
                Ok((among_steps, among_fixed))
            })
            .collect::<Result<_>>()?;
        Ok(Some(Gating {
            factor,
            rng: Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x6761_7465),
            fixed,
            prerequisites,
        }))
    }

    /// One simulated learner's truth of the standards known without a
    /// step: each is known with `chance(standard, its estimate)`.
    pub(super) fn draw_fixed(&mut self, chance: impl Fn(StandardIdx, f64) -> f64) -> Vec<bool> {
        let rng = &mut self.rng;
        self.fixed
            .iter()
            .map(|&(s, estimate)| rng.random::<f64>() < chance(s, estimate))
            .collect()
    }

    /// The multiplier of step `step`'s learning: the factor while any of
    /// its direct prerequisites is not known (`fixed` from
    /// [`Gating::draw_fixed`], `steps` whether each earlier step ended known),
    /// else 1.
    pub(super) fn learning(&self, step: usize, fixed: &[bool], steps: &[bool]) -> f64 {
        let Some((among_steps, among_fixed)) = self.prerequisites.get(step) else {
            return 1.0;
        };
        let unknown = among_steps
            .iter()
            .any(|&i| !steps.get(i).copied().unwrap_or(true))
            || among_fixed
                .iter()
                .any(|&i| !fixed.get(i).copied().unwrap_or(true));
        if unknown { self.factor } else { 1.0 }
    }
}
