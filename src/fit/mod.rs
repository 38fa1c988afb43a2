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
pub use blocks::SequenceBlocks;
pub use dataset::{Dataset, DatasetOptions, LoadReport, RowKey, SkillData, SkippedRow};
pub use em::{Bounds, DEFAULT_GUESS_CAP, ExpectedCounts, GUESS_PLUS_SLIP_MARGIN, HmmParams};
pub use fitting::{
    FitConfig, FitProgress, FitReport, FoldResult, SkillFit, ValidFitConfig, cross_validate, fit,
    fit_with_progress,
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
