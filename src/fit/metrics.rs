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

/// Checks the input shared by every metric: equal lengths, at least one row,
/// every prediction a probability in `[0, 1]`.
fn validate(predictions: &[f64], outcomes: &[bool]) -> Result<()> {
    if outcomes.len() != predictions.len() {
        return Err(Error::SizeMismatch {
            what: "outcomes (one per prediction)",
            expected: predictions.len(),
            found: outcomes.len(),
        });
    }
    if predictions.is_empty() {
        return Err(Error::InvalidValue {
            what: "number of predictions".to_owned(),
            expected: "at least 1",
            value: 0.0,
        });
    }
    if let Some((row, &p)) = predictions
        .iter()
        .enumerate()
        .find(|&(_, &p)| !(0.0..=1.0).contains(&p))
    {
        return Err(Error::InvalidValue {
            what: format!("prediction at row {row}"),
            expected: "a probability in [0, 1]",
            value: p,
        });
    }
    Ok(())
}

/// `true` as 1.0, `false` as 0.0.
fn indicator(outcome: bool) -> f64 {
    if outcome { 1.0 } else { 0.0 }
}

/// The area under the ROC curve: the probability that a randomly chosen
/// correct row gets a higher prediction than a randomly chosen incorrect
/// row, ties counting one half.
///
/// Computed exactly as the Mann-Whitney U statistic with midranks for tied
/// predictions, divided by `positives * negatives`, in O(n log n): the rows
/// are sorted by prediction and each group of equal predictions contributes
/// `positives_in_group * (negatives_below + negatives_in_group / 2)`. The
/// counting is done in integers, so the only rounding is the final division.
/// This equals scikit-learn's `roc_auc_score(outcomes, predictions)`.
///
/// # Errors
///
/// - [`Error::SizeMismatch`] when the slices differ in length;
/// - [`Error::InvalidValue`] when they are empty, when a prediction is NaN or
///   outside `[0, 1]` (naming the row), or when all outcomes are the same:
///   AUC is undefined then (scikit-learn raises, pyBKT returns NaN).
///
/// # Examples
///
/// ```
/// use mastery::fit::metrics::auc;
///
/// // 3 of the 4 (correct, incorrect) pairs are ordered right.
/// let a = auc(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true])?;
/// assert!((a - 0.75).abs() < 1e-12);
///
/// // A tie between a correct and an incorrect row counts one half.
/// let a = auc(&[0.2, 0.5, 0.5, 0.9], &[false, false, true, true])?;
/// assert!((a - 0.875).abs() < 1e-12);
///
/// assert!(auc(&[0.3, 0.7], &[true, true]).is_err());
/// # Ok::<(), mastery::Error>(())
/// ```
pub fn auc(predictions: &[f64], outcomes: &[bool]) -> Result<f64> {
    validate(predictions, outcomes)?;
    let positives = outcomes.iter().filter(|&&y| y).count();
    let negatives = outcomes.len() - positives;
    if positives == 0 || negatives == 0 {
        let missing = if positives == 0 {
            "correct"
        } else {
            "incorrect"
        };
        return Err(Error::InvalidValue {
            what: format!(
                "number of {missing} outcomes (AUC needs both correct and incorrect outcomes)"
            ),
            expected: "at least 1",
            value: 0.0,
        });
    }

    let mut order: Vec<usize> = (0..predictions.len()).collect();
    // Validated: no NaN, so partial_cmp is total here (and treats -0.0 and
    // 0.0 as the tie they are, as does the `==` grouping below).
    order.sort_unstable_by(|&a, &b| {
        predictions[a]
            .partial_cmp(&predictions[b])
            .unwrap_or(Ordering::Equal)
    });

    // Twice the U statistic, exactly.
    let mut twice_u: u128 = 0;
    let mut negatives_below: u128 = 0;
    let mut start = 0;
    while start < order.len() {
        let value = predictions[order[start]];
        let mut end = start;
        let (mut pos, mut neg) = (0u128, 0u128);
        while end < order.len() && predictions[order[end]] == value {
            if outcomes[order[end]] {
                pos += 1;
            } else {
                neg += 1;
            }
            end += 1;
        }
        twice_u += pos * (2 * negatives_below + neg);
        negatives_below += neg;
        start = end;
    }
    let pairs = positives as f64 * negatives as f64;
    Ok(twice_u as f64 / (2.0 * pairs))
}

/// The root mean squared error between the predictions and the outcomes
/// (correct = 1, incorrect = 0): `sqrt(mean((p - y)^2))`.
///
/// # Errors
///
/// [`Error::SizeMismatch`] when the slices differ in length;
/// [`Error::InvalidValue`] when they are empty or a prediction is NaN or
/// outside `[0, 1]`.
///
/// # Examples
///
/// ```
/// use mastery::fit::metrics::rmse;
///
/// // Squared errors 0.04, 0.09, 0.16, 0.01: mean 0.075.
/// let r = rmse(&[0.8, 0.3, 0.6, 0.1], &[true, false, true, false])?;
/// assert!((r - 0.075f64.sqrt()).abs() < 1e-12);
/// # Ok::<(), mastery::Error>(())
/// ```
pub fn rmse(predictions: &[f64], outcomes: &[bool]) -> Result<f64> {
    validate(predictions, outcomes)?;
    let sum: f64 = predictions
        .iter()
        .zip(outcomes)
        .map(|(&p, &y)| (p - indicator(y)).powi(2))
        .sum();
    Ok((sum / predictions.len() as f64).sqrt())
}

/// The mean negative log-likelihood of the outcomes (binary cross-entropy,
/// natural logarithm): `-mean(y ln p + (1 - y) ln(1 - p))`.
///
/// Predictions are first clipped to `[LOG_LOSS_EPS, 1 - LOG_LOSS_EPS]`
/// ([`LOG_LOSS_EPS`] = `1e-15`), so a prediction of exactly 0 or 1 that turns
/// out wrong costs about 34.54 rather than infinity.
///
/// # Errors
///
/// [`Error::SizeMismatch`] when the slices differ in length;
/// [`Error::InvalidValue`] when they are empty or a prediction is NaN or
/// outside `[0, 1]`.
///
/// # Examples
///
/// ```
/// use mastery::fit::metrics::log_loss;
///
/// let l = log_loss(&[0.8, 0.4], &[true, false])?;
/// assert!((l - -(0.8f64.ln() + 0.6f64.ln()) / 2.0).abs() < 1e-12);
/// # Ok::<(), mastery::Error>(())
/// ```
pub fn log_loss(predictions: &[f64], outcomes: &[bool]) -> Result<f64> {
    validate(predictions, outcomes)?;
    let sum: f64 = predictions
        .iter()
        .zip(outcomes)
        .map(|(&p, &y)| {
            let p = p.clamp(LOG_LOSS_EPS, 1.0 - LOG_LOSS_EPS);
            if y { -p.ln() } else { -(1.0 - p).ln() }
        })
        .sum();
    Ok(sum / predictions.len() as f64)
}

/// The fraction of rows whose outcome the prediction gets right, a
/// prediction `p >= 0.5` ([`ACCURACY_THRESHOLD`]) predicting a correct
/// answer and `p < 0.5` an incorrect one (as pyBKT's `accuracy`).
///
/// # Errors
///
/// [`Error::SizeMismatch`] when the slices differ in length;
/// [`Error::InvalidValue`] when they are empty or a prediction is NaN or
/// outside `[0, 1]`.
///
/// # Examples
///
/// ```
/// use mastery::fit::metrics::accuracy;
///
/// // 0.5 predicts correct (right), 0.49 incorrect (wrong), 0.9 correct (right).
/// let a = accuracy(&[0.5, 0.49, 0.9], &[true, true, true])?;
/// assert!((a - 2.0 / 3.0).abs() < 1e-12);
/// # Ok::<(), mastery::Error>(())
/// ```
pub fn accuracy(predictions: &[f64], outcomes: &[bool]) -> Result<f64> {
    validate(predictions, outcomes)?;
    let right = predictions
        .iter()
        .zip(outcomes)
        .filter(|&(&p, &y)| (p >= ACCURACY_THRESHOLD) == y)
        .count();
    Ok(right as f64 / predictions.len() as f64)
}

/// The expected calibration error: how far, on average over rows, the
/// predicted probability is from the observed rate of correct answers among
/// rows with similar predictions.
///
/// `[0, 1]` is cut into `bins` equal-width bins; a prediction `p` falls in
/// bin `min(floor(p * bins), bins - 1)` (bins are closed on the left, the
/// last one also on the right, so `p = 1` is in the last bin). Then
///
/// `ECE = sum over bins b of (n_b / n) * |mean(p in b) - mean(y in b)|`,
///
/// empty bins contributing nothing. The result is in `[0, 1]`. O(n) time
/// and O(min(bins, n)) memory for n rows: any `bins` up to `usize::MAX` works.
///
/// # Errors
///
/// [`Error::SizeMismatch`] when the slices differ in length;
/// [`Error::InvalidValue`] when they are empty, a prediction is NaN or
/// outside `[0, 1]`, or `bins` is 0.
///
/// # Examples
///
/// ```
/// use mastery::fit::metrics::expected_calibration_error;
///
/// // Two bins: [0, 0.5) holds 0.1 and 0.3 (mean 0.2, one correct: rate 0.5);
/// // [0.5, 1] holds 0.7 and 0.9 (mean 0.8, both correct: rate 1).
/// let p = [0.1, 0.3, 0.7, 0.9];
/// let y = [false, true, true, true];
/// let ece = expected_calibration_error(&p, &y, 2)?;
/// assert!((ece - (0.5 * 0.3 + 0.5 * 0.2)).abs() < 1e-12);
/// # Ok::<(), mastery::Error>(())
/// ```
pub fn expected_calibration_error(
    predictions: &[f64],
    outcomes: &[bool],
    bins: usize,
) -> Result<f64> {
    validate(predictions, outcomes)?;
    if bins == 0 {
        return Err(Error::InvalidValue {
            what: "number of calibration bins".to_owned(),
            expected: "at least 1",
            value: 0.0,
        });
    }
    // p in [0, 1], so p * bins is in [0, bins]; the cast saturates anyway.
    let bin_of = |p: f64| ((p * bins as f64).floor() as usize).min(bins - 1);
    // (n_b / n) * |sum_p / n_b - correct / n_b| = |sum_p - correct| / n.
    let deviation = |&(sum_p, correct): &(f64, usize)| (sum_p - correct as f64).abs();
    // Per bin: sum of predictions, number of correct outcomes. At most one
    // bin per row is used, so more bins than rows are kept sparse (in bin
    // order, for the same sum): memory is O(min(bins, rows)).
    let total: f64 = if bins <= predictions.len() {
        let mut sums = vec![(0.0f64, 0usize); bins];
        for (&p, &y) in predictions.iter().zip(outcomes) {
            let bin = &mut sums[bin_of(p)];
            bin.0 += p;
            bin.1 += usize::from(y);
        }
        sums.iter().map(deviation).sum()
    } else {
        let mut sums = std::collections::BTreeMap::<usize, (f64, usize)>::new();
        for (&p, &y) in predictions.iter().zip(outcomes) {
            let bin = sums.entry(bin_of(p)).or_insert((0.0, 0));
            bin.0 += p;
            bin.1 += usize::from(y);
        }
        sums.values().map(deviation).sum()
    };
    Ok(total / predictions.len() as f64)
}

/// All the metrics of one set of predictions, as [`Metrics::compute`]
/// returns them.
///
/// ```
/// use mastery::fit::metrics::Metrics;
///
/// let m = Metrics::compute(&[0.9, 0.2, 0.6], &[true, false, false])?;
/// assert_eq!(m.rows, 3);
/// assert!((m.auc.unwrap() - 1.0).abs() < 1e-12);
/// assert!((m.accuracy - 2.0 / 3.0).abs() < 1e-12);
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// The number of rows (predictions) evaluated.
    pub rows: usize,
    /// [`auc`], or `None` when every outcome is the same (AUC is undefined;
    /// the other metrics still are).
    pub auc: Option<f64>,
    /// [`rmse`].
    pub rmse: f64,
    /// [`log_loss`].
    pub log_loss: f64,
    /// [`accuracy`].
    pub accuracy: f64,
    /// [`expected_calibration_error`] with [`ECE_BINS`] (10) bins.
    pub ece: f64,
}

impl Metrics {
    /// Computes every metric of `predictions` against `outcomes`.
    ///
    /// A single-class input (all correct or all incorrect, as happens in a
    /// small cross-validation fold) is not an error: `auc` is `None` then.
    ///
    /// # Errors
    ///
    /// [`Error::SizeMismatch`] when the slices differ in length;
    /// [`Error::InvalidValue`] when they are empty or a prediction is NaN or
    /// outside `[0, 1]`.
    ///
    /// # Examples
    ///
    /// ```
    /// use mastery::fit::metrics::Metrics;
    ///
    /// let m = Metrics::compute(&[0.8, 0.6], &[true, true])?;
    /// assert_eq!(m.auc, None);
    /// assert!((m.rmse - (0.2f64.powi(2) / 2.0 + 0.4f64.powi(2) / 2.0).sqrt()).abs() < 1e-12);
    /// assert!((m.accuracy - 1.0).abs() < 1e-12);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    pub fn compute(predictions: &[f64], outcomes: &[bool]) -> Result<Metrics> {
        validate(predictions, outcomes)?;
        let both_classes = outcomes.contains(&true) && outcomes.contains(&false);
        Ok(Metrics {
            rows: predictions.len(),
            auc: if both_classes {
                Some(auc(predictions, outcomes)?)
            } else {
                None
            },
            rmse: rmse(predictions, outcomes)?,
            log_loss: log_loss(predictions, outcomes)?,
            accuracy: accuracy(predictions, outcomes)?,
            ece: expected_calibration_error(predictions, outcomes, ECE_BINS)?,
        })
    }
}

/// Assigns each row to one of `k` cross-validation folds so that all rows of
/// a learner share a fold, returning the fold (in `0..k`) of every row.
///
/// The distinct learner ids are sorted (byte-wise string order), shuffled by
/// a Fisher-Yates pass driven by [`Xoshiro256PlusPlus`] seeded with
/// `seed_from_u64(seed)`, and dealt out round-robin: the learner at shuffled
/// position `q` goes to fold `q % k`. So every fold has `L / k` or
/// `L / k + 1` of the `L` distinct learners (balanced by learners, not by
/// rows), and every fold is non-empty since `k <= L`.
///
/// The result depends only on the *set* of distinct learner ids, `k` and
/// `seed` (and on `rand`'s `Xoshiro256PlusPlus` and `random_range`, which
/// are stable across platforms): not on the order of the rows nor on how
/// many rows each learner has. Adding or removing a learner may move others
/// to different folds.
///
/// # Errors
///
/// [`Error::InvalidValue`] when `k < 2` or `k` exceeds the number of
/// distinct learners (which includes an empty `learners`).
///
/// # Examples
///
/// ```
/// use mastery::fit::metrics::kfold_by_learner;
///
/// let rows = ["ada", "bob", "cy", "ada", "dee", "bob", "eve"];
/// let folds = kfold_by_learner(&rows, 2, 7)?;
/// assert_eq!(folds.len(), rows.len());
/// assert_eq!(folds[0], folds[3]); // ada
/// assert_eq!(folds[1], folds[5]); // bob
///
/// // Only the set of learners matters: one row per learner (any order)
/// // gives every learner the same fold...
/// let once = kfold_by_learner(&["eve", "dee", "cy", "bob", "ada"], 2, 7)?;
/// assert_eq!(once, [folds[6], folds[4], folds[2], folds[1], folds[0]]);
/// // ...and the 5 learners are split 3 + 2.
/// let in_fold_0 = once.iter().filter(|&&f| f == 0).count() as f64;
/// assert!((in_fold_0 - 2.5).abs() < 0.5 + 1e-12);
/// # Ok::<(), mastery::Error>(())
/// ```
pub fn kfold_by_learner<S: AsRef<str>>(learners: &[S], k: usize, seed: u64) -> Result<Vec<usize>> {
    if k < 2 {
        return Err(Error::InvalidValue {
            what: "number of folds k".to_owned(),
            expected: "at least 2",
            value: k as f64,
        });
    }
    let mut ids: Vec<&str> = learners.iter().map(AsRef::as_ref).collect();
    ids.sort_unstable();
    ids.dedup();
    if k > ids.len() {
        return Err(Error::InvalidValue {
            what: format!(
                "number of folds k (the rows have {} distinct learners)",
                ids.len()
            ),
            expected: "at most the number of distinct learners",
            value: k as f64,
        });
    }

    // order[q] = index into `ids` of the learner at shuffled position q.
    let mut order: Vec<usize> = (0..ids.len()).collect();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    for i in (1..order.len()).rev() {
        let j = rng.random_range(0..=i);
        order.swap(i, j);
    }
    let mut fold_of = vec![0; ids.len()];
    for (q, &learner) in order.iter().enumerate() {
        fold_of[learner] = q % k;
    }

    Ok(learners
        .iter()
        .map(|l| {
            // Every row's id is in `ids` by construction.
            let at = ids.binary_search(&l.as_ref()).unwrap_or(0);
            fold_of[at]
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    /// O(n^2) AUC straight from the definition.
    fn brute_auc(p: &[f64], y: &[bool]) -> f64 {
        let (mut score, mut pairs) = (0.0, 0.0);
        for i in 0..p.len() {
            for j in 0..p.len() {
                if y[i] && !y[j] {
                    pairs += 1.0;
                    score += match p[i].partial_cmp(&p[j]).unwrap() {
                        Ordering::Greater => 1.0,
                        Ordering::Equal => 0.5,
                        Ordering::Less => 0.0,
                    };
                }
            }
        }
        score / pairs
    }

    /// Mann-Whitney U with explicit midranks (the textbook form).
    fn midrank_auc(p: &[f64], y: &[bool]) -> f64 {
        let n = p.len();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| p[a].partial_cmp(&p[b]).unwrap());
        let mut rank = vec![0.0; n];
        let mut i = 0;
        while i < n {
            let mut j = i;
            while j < n && p[order[j]] == p[order[i]] {
                j += 1;
            }
            // Ranks i+1 ..= j share their mean.
            let mid = (i + 1 + j) as f64 / 2.0;
            for &row in &order[i..j] {
                rank[row] = mid;
            }
            i = j;
        }
        let n_pos = y.iter().filter(|&&v| v).count() as f64;
        let n_neg = n as f64 - n_pos;
        let r: f64 = (0..n).filter(|&i| y[i]).map(|i| rank[i]).sum();
        (r - n_pos * (n_pos + 1.0) / 2.0) / (n_pos * n_neg)
    }

    #[test]
    fn auc_matches_brute_force_and_midranks() {
        let p = [0.3, 0.3, 0.1, 0.9, 0.3, 0.5, 0.5, 0.0, 1.0, 0.1];
        let y = [
            true, false, false, true, true, false, true, false, true, true,
        ];
        let a = auc(&p, &y).unwrap();
        assert!(close(a, brute_auc(&p, &y)));
        assert!(close(a, midrank_auc(&p, &y)));
    }

    #[test]
    fn auc_hand_values() {
        assert!(close(
            auc(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]).unwrap(),
            0.75
        ));
        assert!(close(
            auc(&[0.2, 0.5, 0.5, 0.9], &[false, false, true, true]).unwrap(),
            0.875
        ));
        assert!(close(
            auc(&[0.1, 0.2, 0.8, 0.9], &[false, false, true, true]).unwrap(),
            1.0
        ));
        assert!(close(
            auc(&[0.9, 0.8, 0.2, 0.1], &[false, false, true, true]).unwrap(),
            0.0
        ));
        assert!(close(
            auc(&[0.4; 5], &[true, false, true, false, false]).unwrap(),
            0.5
        ));
    }

    #[test]
    fn negative_zero_ties_with_zero() {
        assert!(close(auc(&[-0.0, 0.0], &[true, false]).unwrap(), 0.5));
        assert!(close(auc(&[0.0, -0.0], &[true, false]).unwrap(), 0.5));
    }

    #[test]
    fn validation_errors() {
        let e = rmse(&[0.5, 0.5], &[true]).unwrap_err();
        assert!(
            matches!(
                e,
                Error::SizeMismatch {
                    expected: 2,
                    found: 1,
                    ..
                }
            ),
            "{e}"
        );
        let e = accuracy(&[], &[]).unwrap_err();
        assert!(matches!(e, Error::InvalidValue { .. }), "{e}");
        let e = log_loss(&[0.5, f64::NAN], &[true, false]).unwrap_err();
        match e {
            Error::InvalidValue { what, value, .. } => {
                assert!(what.contains("row 1"), "{what}");
                assert!(value.is_nan());
            }
            other => panic!("unexpected {other}"),
        }
        let e = auc(&[0.5, 1.5], &[true, false]).unwrap_err();
        assert!(e.to_string().contains("row 1"), "{e}");
        let e = auc(&[0.5, -0.1], &[true, false]).unwrap_err();
        assert!(e.to_string().contains("row 1"), "{e}");
        let e = auc(&[0.2, 0.7], &[false, false]).unwrap_err();
        assert!(e.to_string().contains("correct outcomes"), "{e}");
        let e = expected_calibration_error(&[0.2], &[true], 0).unwrap_err();
        assert!(e.to_string().contains("bins"), "{e}");
    }

    #[test]
    fn ece_bin_edges() {
        // p = 1 lands in the last bin, p = 0.5 in the upper of two bins.
        assert!(close(
            expected_calibration_error(&[1.0], &[true], 4).unwrap(),
            0.0
        ));
        assert!(close(
            expected_calibration_error(&[0.5, 0.5], &[true, false], 2).unwrap(),
            0.0
        ));
        // One bin: |mean p - mean y|.
        let e = expected_calibration_error(&[0.2, 0.9, 0.4], &[true, true, true], 1).unwrap();
        assert!(close(e, 1.0 - 1.5 / 3.0));
    }

    #[test]
    fn folds_basic() {
        let rows = ["b", "a", "c", "a", "d", "b"];
        let f = kfold_by_learner(&rows, 2, 1).unwrap();
        assert_eq!(f[1], f[3]);
        assert_eq!(f[0], f[5]);
        assert!(f.iter().all(|&x| x < 2));
        let owned: Vec<String> = rows.iter().map(|s| s.to_string()).collect();
        assert_eq!(kfold_by_learner(&owned, 2, 1).unwrap(), f);
        assert!(kfold_by_learner(&rows, 1, 1).is_err());
        assert!(kfold_by_learner(&rows, 5, 1).is_err());
        assert!(kfold_by_learner::<&str>(&[], 2, 1).is_err());
        assert!(kfold_by_learner(&rows, 4, 1).is_ok());
    }
}
