//! Prediction metrics and learner-level cross-validation folds.
//!
//! Every metric takes the predicted probabilities of a correct answer and the
//! observed outcomes (`true` = correct), row by row, and agrees with the
//! scikit-learn function of the same name (pyBKT reports these through
//! scikit-learn):
//!
//! | function | scikit-learn |
//! |---|---|
//! | [`auc`] | `roc_auc_score(y, p)` |
//! | [`rmse`] | `sqrt(mean_squared_error(y, p))` |
//! | [`log_loss`] | `log_loss(y, p)` (see [`LOG_LOSS_EPS`] for the clipping) |
//! | [`accuracy`] | `accuracy_score(y, p >= 0.5)` |
//! | [`expected_calibration_error`] | none; equal-width bins, weighted by count |
//!
//! All of them validate their input the same way and return an error rather
//! than a NaN or a panic: the two slices must have the same length, must not
//! be empty, and every prediction must be a probability in `[0, 1]` (NaN is
//! rejected). [`auc`] also needs both outcomes to occur.
//!
//! [`Metrics::compute`] computes them all at once; [`kfold_by_learner`]
//! assigns rows to cross-validation folds so that no learner is split
//! between training and test data.
//!
//! ```
//! use mastery::fit::metrics::{Metrics, kfold_by_learner};
//!
//! let predictions = [0.1, 0.4, 0.35, 0.8];
//! let outcomes = [false, false, true, true];
//! let m = Metrics::compute(&predictions, &outcomes)?;
//! assert!((m.auc.unwrap() - 0.75).abs() < 1e-12);
//! assert!((m.accuracy - 0.75).abs() < 1e-12);
//!
//! let learners = ["ada", "bob", "ada", "cy", "bob"];
//! let folds = kfold_by_learner(&learners, 2, 42)?;
//! assert_eq!(folds[0], folds[2]); // both rows of ada
//! assert_eq!(folds[1], folds[4]); // both rows of bob
//! # Ok::<(), mastery::Error>(())
//! ```

use std::cmp::Ordering;

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

mod report;
mod scores;
#[cfg(test)]
mod tests;

pub use report::*;
pub use scores::*;

/// The clipping bound of [`log_loss`]: predictions are clipped to
/// `[LOG_LOSS_EPS, 1 - LOG_LOSS_EPS]` so that a confident wrong prediction
/// costs a finite `-ln(1e-15) ≈ 34.54` instead of infinity.
///
/// This is scikit-learn's historical default (`eps=1e-15`, before 1.3).
/// scikit-learn 1.5 clips at the machine epsilon of the input's dtype instead
/// (`f64::EPSILON ≈ 2.2e-16` for `float64`); the two agree unless a
/// prediction lies within `1e-15` of 0 or 1.
///
/// ```
/// use mastery::fit::metrics::{LOG_LOSS_EPS, log_loss};
///
/// let loss = log_loss(&[0.0], &[true])?;
/// assert!((loss - -LOG_LOSS_EPS.ln()).abs() < 1e-12);
/// # Ok::<(), mastery::Error>(())
/// ```
pub const LOG_LOSS_EPS: f64 = 1e-15;

/// The decision threshold of [`accuracy`]: a prediction `p >= 0.5` predicts a
/// correct answer (as pyBKT's `accuracy`).
///
/// ```
/// use mastery::fit::metrics::{ACCURACY_THRESHOLD, accuracy};
///
/// assert!((accuracy(&[ACCURACY_THRESHOLD], &[true])? - 1.0).abs() < 1e-12);
/// # Ok::<(), mastery::Error>(())
/// ```
pub const ACCURACY_THRESHOLD: f64 = 0.5;

/// The number of bins [`Metrics::compute`] uses for the expected calibration error.
///
/// ```
/// use mastery::fit::metrics::{ECE_BINS, Metrics, expected_calibration_error};
///
/// let (p, y) = ([0.05, 0.55, 0.95], [false, true, true]);
/// let m = Metrics::compute(&p, &y)?;
/// assert!((m.ece - expected_calibration_error(&p, &y, ECE_BINS)?).abs() < 1e-15);
/// # Ok::<(), mastery::Error>(())
/// ```
pub const ECE_BINS: usize = 10;
