//! Prerequisite gating in the simulated learners behind paths and
//! forecasts ([`Model::prerequisite_gating`]): a step learns more slowly
//! while one of its direct prerequisites is not truly known.

use rand::{Rng, RngExt};

use super::path::PathStep;
use crate::curriculum::StandardIdx;
use crate::error::Result;
use crate::model::Model;

/// Where each step's direct prerequisites are in a simulated learner: an
/// earlier step (known or not as that step's draw ended), or a standard the
/// path takes as known without a step (mastered, or implied by a mastered
/// standard), truly known with the chance its estimate gives, drawn once
/// per simulated learner.
#[derive(Debug, Clone)]
pub(super) struct Gating {
    factor: f64,
    /// The standards known without a step that a step needs directly.
    fixed: Vec<StandardIdx>,
    /// Per step: its direct prerequisites' positions among the steps and
    /// among `fixed`.
    prerequisites: Vec<(Vec<usize>, Vec<usize>)>,
}

impl Gating {
    /// The gating of `steps` (in a valid order) under `model`; `None` when
    /// the model does not gate (factor 1), so that the draws are exactly as
    /// without it. O(steps x prerequisites + standards).
    pub(super) fn of(model: &Model, steps: &[PathStep]) -> Result<Option<Gating>> {
        let factor = model.prerequisite_gating();
        if factor >= 1.0 {
            return Ok(None);
        }
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
                        fixed.push(q);
                        fixed.len() - 1
                    });
                    among_fixed.push(at);
                }
                Ok((among_steps, among_fixed))
            })
            .collect::<Result<_>>()?;
        Ok(Some(Gating {
            factor,
            fixed,
            prerequisites,
        }))
    }

    /// One simulated learner's truth of the standards known without a
    /// step: each is known with `chance(standard)`.
    pub(super) fn draw_fixed(
        &self,
        rng: &mut impl Rng,
        chance: impl Fn(StandardIdx) -> f64,
    ) -> Vec<bool> {
        self.fixed
            .iter()
            .map(|&s| rng.random::<f64>() < chance(s))
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
