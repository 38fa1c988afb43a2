//! Learning paths: what stands between a learner and a goal, in order, at the learner's pace.

use serde::{Deserialize, Serialize};

use crate::catalog::ActivityKind;
use crate::curriculum::{Curriculum, StandardIdx, StandardKey};
use crate::error::Result;
use crate::learner::{Goal, LearnerState};
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

/// A goal of the learner's profile with its path and the learner's pace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoalPlan {
    /// The goal: standard, who set it, when it is due.
    pub goal: Goal,
    /// What stands between the learner and it.
    pub path: LearningPath,
    /// The learner's observed pace: pieces of evidence per calendar day
    /// ([`crate::learner::Engagement::per_day`]); `None` before two active days.
    pub per_day: Option<f64>,
    /// Expected days to reach the goal at that pace.
    pub expected_days: Option<f64>,
    /// Whether the expected finish is at or before the due date (`None`
    /// without a due date or a pace).
    pub on_track: Option<bool>,
    /// Days left until the due date at the time of the plan (negative when overdue).
    pub days_left: Option<f64>,
}

impl GoalPlan {
    /// One or two plain sentences for the learner.
    ///
    /// ```
    /// use mastery::{Curriculum, LearnerState, Model};
    /// use mastery::learner::GoalSetter;
    /// use mastery::recommend::Recommender;
    ///
    /// let ccss = Curriculum::ccss_math();
    /// let model = Model::builder(ccss.clone()).build()?;
    /// let mut ada = LearnerState::new(&model, "ada")?;
    /// let now = 1_700_000_000;
    /// ada.set_goal(&model, "K.CC.A.2", GoalSetter::Learner, Some(now + 14 * 86_400), now)?;
    /// let plans = Recommender::new(&model).goal_plans(&ada, now)?;
    /// assert!(plans[0].explain(&ccss).starts_with("Your goal K.CC.A.2:"));
    /// # Ok::<(), mastery::Error>(())
    /// ```
    #[must_use]
    pub fn explain(&self, curriculum: &Curriculum) -> String {
        let id = curriculum
            .standard(self.goal.standard())
            .map_or("?", |s| s.id());
        let whose = self.goal.set_by().possessive();
        let mut text = if self.path.steps.is_empty() {
            format!("{} goal {id}: reached.", capitalize(whose))
        } else {
            format!(
                "{} goal {id}: {} {} to go, about {} practice {}.",
                capitalize(whose),
                self.path.steps.len(),
                plural(self.path.steps.len(), "standard", "standards"),
                self.path.opportunities,
                plural(
                    self.path.opportunities as usize,
                    "opportunity",
                    "opportunities"
                )
            )
        };
        if self.path.steps.is_empty() {
            return text;
        }
        match (self.expected_days, self.days_left, self.on_track) {
            (Some(days), Some(left), Some(true)) => {
                text += &format!(
                    " At your pace that is about {} days; it is due in {}: on track.",
                    days.ceil(),
                    left.floor().max(0.0)
                );
            }
            (Some(days), Some(left), Some(false)) => {
                text += &format!(
                    " At your pace that is about {} days, but it is due in {}: a little more practice each day would get you there.",
                    days.ceil(),
                    left.floor().max(0.0)
                );
            }
            (Some(days), _, _) => {
                text += &format!(" At your pace that is about {} days.", days.ceil());
            }
            (None, _, _) => {
                text += " Practice on a few days and this plan will tell you how long it takes at your pace.";
            }
        }
        text
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().collect::<String>() + chars.as_str()
    })
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

pub(super) fn goal_plans(model: &Model, learner: &LearnerState, now: i64) -> Result<Vec<GoalPlan>> {
    learner.check(model)?;
    let per_day = learner.engagement().per_day(now);
    learner
        .profile()
        .goals()
        .iter()
        .map(|&goal| {
            let path = path_to(model, learner, goal.standard(), now)?;
            let expected_days = per_day
                .filter(|&p| p > 0.0)
                .map(|p| f64::from(path.opportunities) / p);
            let days_left = goal.due().map(|due| crate::time::days_between(now, due));
            let on_track = match (expected_days, days_left) {
                (_, Some(_)) if path.steps.is_empty() => Some(true),
                (Some(e), Some(l)) => Some(e <= l),
                _ => None,
            };
            Ok(GoalPlan {
                goal,
                path,
                per_day,
                expected_days,
                on_track,
                days_left,
            })
        })
        .collect()
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
    // As the recommender sees it: what a mastered standard builds on counts
    // as mastered too (knowledge states are closed under prerequisites).
    let mastered: crate::curriculum::StandardSet = curriculum
        .indices()
        .filter(|s| mastery[s.index()] >= bar)
        .collect();
    let mut known = curriculum.prerequisite_closure(&mastered)?;
    known.union_with(&mastered);
    let catalog = model.catalog();
    let mut steps = Vec::new();
    for &s in curriculum.topological_order() {
        if !needed.contains(s) || known.contains(s) {
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
