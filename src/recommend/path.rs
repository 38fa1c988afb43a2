//! Learning paths: what stands between a learner and a goal, in order, at the learner's pace.

use serde::{Deserialize, Serialize};

use crate::catalog::ActivityKind;
use crate::curriculum::{StandardIdx, StandardKey};
use crate::error::Result;
use crate::learner::LearnerState;
use crate::model::Model;

/// One standard on a learning path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathStep {
    /// The standard.
    pub standard: StandardIdx,
    /// Its estimate now.
    pub mastery: f64,
    /// Expected practice opportunities to reach the mastery bar.
    pub opportunities: u32,
    /// Expected minutes: opportunities times the standard's typical practice minutes.
    pub minutes: f64,
}

/// The unmastered standards needed for a goal, in a valid order (every
/// prerequisite before its dependents), with the expected effort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearningPath {
    /// The goal.
    pub goal: StandardIdx,
    /// The steps, first to last (empty when the goal is mastered).
    pub steps: Vec<PathStep>,
    /// Total expected opportunities.
    pub opportunities: u32,
    /// Total expected minutes.
    pub minutes: f64,
}

/// The most opportunities a step is expected to take; with a learn rate near
/// zero the estimate would be unbounded.
const MAX_OPPORTUNITIES: u32 = 50;

/// Expected opportunities until `1 - (1 - m)(1 - T)^n >= bar`: the BKT learning
/// transition alone, `n = ceil(ln((1 - bar) / (1 - m)) / ln(1 - T))`, capped.
fn opportunities(mastery: f64, learn: f64, bar: f64) -> u32 {
    if mastery >= bar {
        return 0;
    }
    if learn <= 0.0 {
        return MAX_OPPORTUNITIES;
    }
    if learn >= 1.0 {
        return 1;
    }
    let n = ((1.0 - bar) / (1.0 - mastery)).ln() / (1.0 - learn).ln();
    (n.ceil().max(1.0) as u32).min(MAX_OPPORTUNITIES)
}

pub(super) fn path_to(
    model: &Model,
    learner: &LearnerState,
    goal: impl StandardKey,
    now: i64,
) -> Result<LearningPath> {
    let curriculum = model.curriculum();
    let goal = goal.resolve(curriculum)?;
    let bar = model.levels().mastered();
    let mastery = learner.all_mastery_at(model, now)?;
    let mut needed = curriculum.ancestors(goal)?;
    needed.insert(goal);
    let catalog = model.catalog();
    let mut steps = Vec::new();
    for &s in curriculum.topological_order() {
        if !needed.contains(s) || mastery[s.index()] >= bar {
            continue;
        }
        let practice: Vec<f64> = catalog
            .for_standard(s)
            .iter()
            .filter_map(|&a| catalog.get(a))
            .filter(|a| a.kind() == ActivityKind::Practice)
            .map(|a| a.minutes())
            .collect();
        let per_opportunity = if practice.is_empty() {
            ActivityKind::Practice.typical_minutes()
        } else {
            practice.iter().sum::<f64>() / practice.len() as f64
        };
        let n = opportunities(
            mastery[s.index()],
            model.all_params()[s.index()].learn(),
            bar,
        );
        steps.push(PathStep {
            standard: s,
            mastery: mastery[s.index()],
            opportunities: n,
            minutes: f64::from(n) * per_opportunity,
        });
    }
    Ok(LearningPath {
        goal,
        opportunities: steps.iter().map(|s| s.opportunities).sum(),
        minutes: steps.iter().map(|s| s.minutes).sum(),
        steps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opportunities_follow_the_learning_curve() {
        // 1 - 0.8 * 0.7^n >= 0.95  <=>  n >= ln(0.0625) / ln(0.7) = 7.77
        assert_eq!(opportunities(0.2, 0.3, 0.95), 8);
        assert_eq!(opportunities(0.96, 0.3, 0.95), 0);
        assert_eq!(opportunities(0.2, 0.0, 0.95), MAX_OPPORTUNITIES);
        assert_eq!(opportunities(0.2, 1.0, 0.95), 1);
        assert!(opportunities(0.2, 0.1, 0.95) > opportunities(0.2, 0.3, 0.95));
    }
}
