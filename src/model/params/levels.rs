//! Mastery levels for people and the thresholds between them.

use super::*;

/// Mastery levels for people, from the estimate P(L).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MasteryLevel {
    /// No evidence yet and an estimate below "familiar".
    NotStarted,
    /// Evidence, but an estimate below "familiar".
    Attempted,
    /// At least the familiar threshold.
    Familiar,
    /// At least the proficient threshold.
    Proficient,
    /// At least the mastered threshold.
    Mastered,
}

impl MasteryLevel {
    /// The level in plain words, e.g. "not started".
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            MasteryLevel::NotStarted => "not started",
            MasteryLevel::Attempted => "attempted",
            MasteryLevel::Familiar => "familiar",
            MasteryLevel::Proficient => "proficient",
            MasteryLevel::Mastered => "mastered",
        }
    }
}

/// The thresholds of the mastery levels.
///
/// ```
/// use mastery::{LevelThresholds, MasteryLevel};
///
/// let t = LevelThresholds::default(); // familiar 0.5, proficient 0.8, mastered 0.95
/// assert_eq!(t.level(0.96, true), MasteryLevel::Mastered);
/// assert_eq!(t.level(0.85, true), MasteryLevel::Proficient);
/// assert_eq!(t.level(0.3, true), MasteryLevel::Attempted);
/// assert_eq!(t.level(0.3, false), MasteryLevel::NotStarted);
/// assert!(LevelThresholds::new(0.8, 0.5, 0.95).is_err());
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "LevelThresholdsRepr", into = "LevelThresholdsRepr")]
pub struct LevelThresholds {
    familiar: f64,
    proficient: f64,
    mastered: f64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LevelThresholdsRepr {
    familiar: f64,
    proficient: f64,
    mastered: f64,
}

impl TryFrom<LevelThresholdsRepr> for LevelThresholds {
    type Error = Error;
    fn try_from(r: LevelThresholdsRepr) -> Result<Self> {
        LevelThresholds::new(r.familiar, r.proficient, r.mastered)
    }
}

impl From<LevelThresholds> for LevelThresholdsRepr {
    fn from(t: LevelThresholds) -> Self {
        LevelThresholdsRepr {
            familiar: t.familiar,
            proficient: t.proficient,
            mastered: t.mastered,
        }
    }
}

impl Default for LevelThresholds {
    /// Familiar at 0.5, proficient at 0.8, mastered at 0.95 (the mastery bar
    /// of pyBKT's Roster and OATutor).
    fn default() -> Self {
        LevelThresholds {
            familiar: 0.5,
            proficient: 0.8,
            mastered: 0.95,
        }
    }
}

impl LevelThresholds {
    /// Thresholds; they must be probabilities with `familiar <= proficient <= mastered`.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] otherwise.
    pub fn new(familiar: f64, proficient: f64, mastered: f64) -> Result<Self> {
        check_probability("familiar threshold", familiar)?;
        check_probability("proficient threshold", proficient)?;
        check_probability("mastered threshold", mastered)?;
        if !(familiar <= proficient && proficient <= mastered) {
            return Err(Error::InvalidValue {
                what: "proficient threshold".into(),
                expected: "between the familiar and mastered thresholds",
                value: proficient,
            });
        }
        Ok(LevelThresholds {
            familiar,
            proficient,
            mastered,
        })
    }

    /// The mastered threshold.
    #[must_use]
    pub fn mastered(&self) -> f64 {
        self.mastered
    }

    /// The level of an estimate; `attempted` says whether there is evidence.
    #[must_use]
    pub fn level(&self, mastery: f64, attempted: bool) -> MasteryLevel {
        if mastery >= self.mastered {
            MasteryLevel::Mastered
        } else if mastery >= self.proficient {
            MasteryLevel::Proficient
        } else if mastery >= self.familiar {
            MasteryLevel::Familiar
        } else if attempted {
            MasteryLevel::Attempted
        } else {
            MasteryLevel::NotStarted
        }
    }
}
