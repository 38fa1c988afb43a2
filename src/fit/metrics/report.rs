//! All scores at once, and folds by learner for cross-validation.

use super::*;

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
#[non_exhaustive]
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
