//! The scores: AUC, RMSE, log-loss, accuracy and calibration error, checked inputs.

use super::*;

/// Checks the input shared by every metric: equal lengths, at least one row,
/// every prediction a probability in `[0, 1]`.
pub(super) fn validate(predictions: &[f64], outcomes: &[bool]) -> Result<()> {
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
pub(super) fn indicator(outcome: bool) -> f64 {
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
