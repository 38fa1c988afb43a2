//! Why an activity is recommended, in words a student or parent can read.

use serde::{Deserialize, Serialize};

use crate::curriculum::{Curriculum, StandardIdx};

/// Why a standard is recommended now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reason {
    /// Every prerequisite is mastered; mastering it makes `unlocks` ready too.
    ReadyToLearn {
        /// The standard.
        standard: StandardIdx,
        /// Dependents whose prerequisites would all be mastered with it.
        unlocks: Vec<StandardIdx>,
    },
    /// A ready standard on the way to a goal.
    GoalStep {
        /// The standard.
        standard: StandardIdx,
        /// The goal it leads to.
        goal: StandardIdx,
        /// Standards still to master for the goal, this one and the goal included.
        steps_remaining: usize,
    },
    /// A standard that was mastered and has faded since it was last practiced.
    Review {
        /// The standard.
        standard: StandardIdx,
        /// When it was last practiced (seconds since the Unix epoch).
        last_practiced: i64,
        /// The estimate now.
        mastery_now: f64,
    },
    /// The learner is stuck on `blocked` (many attempts, no mastery): work on
    /// its weakest unmastered prerequisite, or, when none is missing, try
    /// another kind of activity.
    Remediate {
        /// The standard the learner is stuck on.
        blocked: StandardIdx,
        /// The prerequisite to work on, if one is missing.
        prerequisite: Option<StandardIdx>,
        /// Attempts on the blocked standard.
        attempts: u32,
    },
    /// A quick check of a standard halfway along the way to the goals, to
    /// find where the learner stands (a binary search: a mastered check
    /// shows everything it builds on is known; a failed one, that what
    /// builds on it is not).
    Placement {
        /// The standard checked.
        standard: StandardIdx,
    },
    /// The learner has mastered the goals: a quick check that `goal` is
    /// still known, the goal practiced longest ago first (knowledge fades,
    /// and a mastery estimate can be wrong; a failed check sends the
    /// learner back to it).
    GoalCheck {
        /// The goal checked.
        goal: StandardIdx,
        /// When it was last practiced, if it ever was directly (seconds since
        /// the Unix epoch); `None` if it counts as mastered only through a
        /// standard that builds on it.
        last_practiced: Option<i64>,
    },
    /// The learner has mastered the goals: a challenge beyond them.
    Stretch {
        /// The standard.
        standard: StandardIdx,
    },
}

impl Reason {
    /// The standard the recommended activity works on.
    #[must_use]
    pub fn target(&self) -> StandardIdx {
        match *self {
            Reason::ReadyToLearn { standard, .. }
            | Reason::GoalStep { standard, .. }
            | Reason::Review { standard, .. }
            | Reason::Placement { standard }
            | Reason::Stretch { standard }
            | Reason::GoalCheck { goal: standard, .. } => standard,
            Reason::Remediate {
                blocked,
                prerequisite,
                ..
            } => prerequisite.unwrap_or(blocked),
        }
    }

    /// A short name of the reason: `ready`, `goal`, `review`, `remediate`,
    /// `placement`, `goal_check`, `stretch`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Reason::ReadyToLearn { .. } => "ready",
            Reason::GoalStep { .. } => "goal",
            Reason::Review { .. } => "review",
            Reason::Remediate { .. } => "remediate",
            Reason::Placement { .. } => "placement",
            Reason::GoalCheck { .. } => "goal_check",
            Reason::Stretch { .. } => "stretch",
        }
    }

    /// One plain sentence for a student or parent. The standard the
    /// sentence is about is named by its code and, if it has one, its short
    /// title (the embedded Common Core standards have titles from their
    /// text); other standards by code.
    ///
    /// ```
    /// use mastery::{Curriculum, recommend::Reason};
    ///
    /// let ccss = Curriculum::ccss_math();
    /// let reason = Reason::ReadyToLearn {
    ///     standard: ccss.index_of("3.NF.A.1")?,
    ///     unlocks: vec![ccss.index_of("3.NF.A.3")?],
    /// };
    /// assert_eq!(
    ///     reason.explain(&ccss),
    ///     "You are ready for 3.NF.A.1 (Understand a fraction 1/b as the…): you have mastered everything it builds on. It opens the way to 3.NF.A.3."
    /// );
    ///
    /// // A standard without prerequisites is a starting point, not one whose
    /// // prerequisites are mastered:
    /// let start = Reason::ReadyToLearn { standard: ccss.index_of("K.CC.A.1")?, unlocks: vec![] };
    /// assert!(start.explain(&ccss).contains("a starting point that needs nothing learned before it"));
    /// # Ok::<(), mastery::Error>(())
    /// ```
    #[must_use]
    pub fn explain(&self, curriculum: &Curriculum) -> String {
        let id = |s: StandardIdx| curriculum.standard(s).map_or("?", |s| s.id()).to_owned();
        let named = |s: StandardIdx| match curriculum.standard(s).ok() {
            Some(st) => match st.title() {
                Some(title) => format!("{} ({title})", st.id()),
                None => st.id().to_owned(),
            },
            None => "?".to_owned(),
        };
        let list = |items: &[StandardIdx]| {
            let ids: Vec<String> = items.iter().take(3).map(|&s| id(s)).collect();
            match (ids.len(), items.len()) {
                (0, _) => String::new(),
                (1, 1) => ids[0].clone(),
                (_, n) if n <= 3 => format!(
                    "{} and {}",
                    ids[..ids.len() - 1].join(", "),
                    ids[ids.len() - 1]
                ),
                (_, n) => format!("{} and {} more", ids.join(", "), n - 3),
            }
        };
        match self {
            Reason::ReadyToLearn { standard, unlocks } => {
                // A standard with no prerequisites builds on nothing: saying
                // its prerequisites are mastered would be false for a new learner.
                let starting_point = curriculum
                    .prerequisites(*standard)
                    .is_ok_and(<[StandardIdx]>::is_empty);
                let mut text = if starting_point {
                    format!(
                        "You are ready for {}: it is a starting point that needs nothing learned before it.",
                        named(*standard)
                    )
                } else {
                    format!(
                        "You are ready for {}: you have mastered everything it builds on.",
                        named(*standard)
                    )
                };
                if !unlocks.is_empty() {
                    text += &format!(" It opens the way to {}.", list(unlocks));
                }
                text
            }
            Reason::GoalStep {
                standard,
                goal,
                steps_remaining,
            } => {
                if standard == goal {
                    format!(
                        "{} is your goal, and you are ready for it now.",
                        named(*goal)
                    )
                } else {
                    format!(
                        "{} is a step toward your goal {}: {steps_remaining} standards to go, this one included.",
                        named(*standard),
                        id(*goal)
                    )
                }
            }
            Reason::Review {
                standard,
                mastery_now,
                ..
            } => format!(
                "Time to review {}: you mastered it, but without practice it has faded to {:.0}%.",
                named(*standard),
                mastery_now * 100.0
            ),
            Reason::Remediate {
                blocked,
                prerequisite: Some(p),
                attempts,
            } => format!(
                "{} has been hard after {attempts} tries. Working on {} first, which it builds on, will help.",
                id(*blocked),
                named(*p)
            ),
            Reason::Remediate {
                blocked,
                prerequisite: None,
                attempts,
            } => format!(
                "{} has been hard after {attempts} tries. Try a different kind of activity for it, or ask your teacher.",
                named(*blocked)
            ),
            Reason::Placement { standard } => format!(
                "A quick check on {} shows where you stand on the way to your goals, so you can skip what you already know.",
                named(*standard)
            ),
            Reason::GoalCheck {
                goal,
                last_practiced: Some(_),
            } => format!(
                "You have reached your goals. A quick check on {} keeps it fresh.",
                named(*goal)
            ),
            Reason::GoalCheck {
                goal,
                last_practiced: None,
            } => format!(
                "You have reached your goals. A quick check on {} confirms it: you have shown it only through what builds on it.",
                named(*goal)
            ),
            Reason::Stretch { standard } => format!(
                "You have reached your goals. {} is a challenge to go further.",
                named(*standard)
            ),
        }
    }
}
