//! Fitting model parameters from response logs: a columnar [`Dataset`],
//! EM (Baum-Welch) for BKT with restarts and bounds ([`fit`]), mergeable
//! [`ExpectedCounts`] for sharded fits, batch prediction ([`predict`]),
//! [`metrics`] and cross-validation; BKT with learner ability over whole logs
//! ([`fit_ability`], [`predict_with_ability`]).

mod ability;
mod blocks;
mod dataset;
mod em;
mod fitting;
mod kt3;
pub mod metrics;
pub mod performance;
mod predict;
mod synthetic;
mod what_works;

pub use ability::{
    ABILITY_LEARN_WEIGHTS, ABILITY_SAMPLE_RESPONSES, ABILITY_SPREADS, AbilityFit, fit_ability,
    predict_with_ability,
};
pub use dataset::{BadRows, Dataset, DatasetOptions, LoadReport, RowKey, SkillData, SkippedRow};
pub use em::{Bounds, DEFAULT_GUESS_CAP, ExpectedCounts, GUESS_PLUS_SLIP_MARGIN, HmmParams};
pub use fitting::{
    Acceleration, FitConfig, FitProgress, FitReport, FoldResult, Forgetting, SkillFit,
    ValidFitConfig, cross_validate, fit, fit_with_progress,
};
pub use performance::{
    Blend, PerformanceConfig, PerformanceModel, PerformancePredictions, PerformanceState,
    ValidPerformanceConfig,
};
pub use predict::{
    CsvPredictReport, PredictOptions, PredictParams, Predictions, UnknownSkill, predict,
    predict_csv,
};
pub use synthetic::{synthetic_log, synthetic_responses};
pub use what_works::{ActivityEffect, SkillEffects, WhatWorks, WhatWorksOptions, what_works};

/// Internals of the EM fit that the crate's own benchmarks (`benches/fit.rs`)
/// time on their own: **not part of the API**, hidden from the docs, and
/// free to change in any release. Fit through [`fit`] and
/// [`ExpectedCounts`] instead.
#[doc(hidden)]
pub mod __bench {
    pub use super::blocks::SequenceBlocks;
    use super::{ExpectedCounts, HmmParams};
    use crate::error::Result;

    /// The E-step over blocks `range` of `blocks`: the counts
    /// [`ExpectedCounts::compute`] gives over the blocks' sequences, to
    /// rounding, several times faster (what [`fit`](super::fit) runs).
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`](crate::Error::IndexOutOfRange) if `range`
    /// exceeds the blocks; [`Error::SizeMismatch`](crate::Error::SizeMismatch)
    /// unless `params` has one guess and one slip.
    pub fn compute_blocks(
        blocks: &SequenceBlocks,
        params: &HmmParams,
        range: std::ops::Range<usize>,
    ) -> Result<ExpectedCounts> {
        ExpectedCounts::compute_blocks(blocks, params, range)
    }
}
