//! Goals: who set them, by when, and their checks.

use super::*;

/// Who set a goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum GoalSetter {
    /// The learner chose it.
    Learner,
    /// A teacher (or a parent, or the platform) assigned it.
    Teacher,
}

impl GoalSetter {
    /// "your" or "your teacher's", for sentences addressed to the learner.
    #[must_use]
    pub fn possessive(self) -> &'static str {
        match self {
            GoalSetter::Learner => "your",
            GoalSetter::Teacher => "your teacher's",
        }
    }
}

/// A standard to master, who set it and by when.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    pub(super) standard: StandardIdx,
    pub(super) set_by: GoalSetter,
    /// When it was set (seconds since the Unix epoch).
    pub(super) set_at: i64,
    /// When it should be reached, if a date was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) due: Option<i64>,
}

impl Goal {
    pub(crate) fn new(
        standard: StandardIdx,
        set_by: GoalSetter,
        set_at: i64,
        due: Option<i64>,
    ) -> Self {
        Goal {
            standard,
            set_by,
            set_at,
            due,
        }
    }

    /// The goal standard.
    #[must_use]
    pub fn standard(&self) -> StandardIdx {
        self.standard
    }

    /// Who set it.
    #[must_use]
    pub fn set_by(&self) -> GoalSetter {
        self.set_by
    }

    /// When it was set (seconds since the Unix epoch).
    #[must_use]
    pub fn set_at(&self) -> i64 {
        self.set_at
    }

    /// The date it should be reached by (seconds since the Unix epoch), if any.
    #[must_use]
    pub fn due(&self) -> Option<i64> {
        self.due
    }
}
