//! A learner's practice record per standard: attempts, credit, times and half-life.

use super::*;

/// The practice history of one learner on one standard.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PracticeRecord {
    pub(super) standard: StandardIdx,
    pub(super) attempts: u32,
    pub(super) correct: u32,
    pub(super) credit: f32,
    pub(super) practiced_at: i64,
    pub(super) updated_at: i64,
    pub(super) half_life_days: f32,
}

impl PracticeRecord {
    /// The standard.
    #[must_use]
    pub fn standard(&self) -> StandardIdx {
        self.standard
    }

    /// Evidence directly on the standard (or an activity aligned to it).
    #[must_use]
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Fully correct attempts.
    #[must_use]
    pub fn correct(&self) -> u32 {
        self.correct
    }

    /// The sum of credit over attempts (correct 1, incorrect 0, scores between).
    #[must_use]
    pub fn credit(&self) -> f64 {
        f64::from(self.credit)
    }

    /// The time of the latest attempt, in seconds since the Unix epoch: the
    /// largest timestamp of the evidence, whatever order it arrived in.
    #[must_use]
    pub fn practiced_at(&self) -> i64 {
        self.practiced_at
    }

    /// The time the stored estimate refers to (the last direct or propagated
    /// evidence, the latest if it arrived out of order): decay counts from here.
    #[must_use]
    pub fn updated_at(&self) -> i64 {
        self.updated_at
    }

    /// The learner's current half-life for this standard, in days.
    #[must_use]
    pub fn half_life_days(&self) -> f64 {
        f64::from(self.half_life_days)
    }
}
