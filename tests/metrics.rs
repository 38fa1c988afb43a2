//! Prediction metrics against hand-computed and scikit-learn values, their
//! invariants on random input, and learner-level cross-validation folds.

use std::collections::{BTreeMap, BTreeSet};

use mastery::Error;
use mastery::fit::metrics::{
    ECE_BINS, LOG_LOSS_EPS, Metrics, accuracy, auc, expected_calibration_error, kfold_by_learner,
    log_loss, rmse,
};
use proptest::prelude::*;

fn assert_close(got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol,
        "got {got}, want {want} (tolerance {tol})"
    );
}

// ---------------------------------------------------------------- AUC

#[test]
fn auc_one_misordered_pair() {
    // Pairs (correct, incorrect): (0.35, 0.1) right, (0.35, 0.4) wrong,
    // (0.8, 0.1) right, (0.8, 0.4) right: 3/4.
    let a = auc(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]).unwrap();
    assert_close(a, 0.75, 1e-15);
}

#[test]
fn auc_tie_across_classes_counts_half() {
    // (0.5, 0.2) 1, (0.5, 0.5) 1/2, (0.9, 0.2) 1, (0.9, 0.5) 1: 3.5/4.
    let a = auc(&[0.2, 0.5, 0.5, 0.9], &[false, false, true, true]).unwrap();
    assert_close(a, 0.875, 1e-15);
    // Midranks: predictions 0.3 0.3 0.6 0.6 0.6 get ranks 1.5 1.5 4 4 4.
    // Correct rows ranks 1.5 + 4 = 5.5; U = 5.5 - 2*3/2 = 2.5; AUC = 2.5 / 6.
    let a = auc(
        &[0.3, 0.3, 0.6, 0.6, 0.6],
        &[true, false, true, false, false],
    )
    .unwrap();
    assert_close(a, 2.5 / 6.0, 1e-15);
}

#[test]
fn auc_perfect_inverted_constant() {
    let y = [false, true, false, true, true];
    assert_close(auc(&[0.1, 0.7, 0.2, 0.9, 0.6], &y).unwrap(), 1.0, 0.0);
    assert_close(auc(&[0.9, 0.3, 0.8, 0.1, 0.4], &y).unwrap(), 0.0, 0.0);
    assert_close(auc(&[0.42; 5], &y).unwrap(), 0.5, 0.0);
    // Extremes of the allowed range are fine.
    assert_close(auc(&[0.0, 1.0], &[false, true]).unwrap(), 1.0, 0.0);
}

/// 30 rows with many ties (predictions rounded to one decimal), from
/// scikit-learn 1.5.2 in /work/pybkt-venv:
/// `rng = np.random.default_rng(7); p = np.round(rng.random(30), 1);
///  y = (rng.random(30) < p * 0.8 + 0.1).astype(int)`.
const SK_P: [f64; 30] = [
    0.6, 0.9, 0.8, 0.2, 0.3, 0.9, 0.0, 0.8, 0.8, 0.5, 0.3, 0.3, 0.3, 0.4, 0.5, 0.6, 1.0, 0.8, 0.6,
    1.0, 0.2, 0.2, 0.6, 0.0, 0.0, 0.5, 0.5, 0.9, 0.6, 0.5,
];
const SK_Y: [bool; 30] = [
    true, true, true, true, false, true, false, true, false, true, true, false, false, false,
    false, false, true, true, true, true, false, false, true, false, false, true, false, true,
    false, false,
];

#[test]
fn matches_scikit_learn() {
    // roc_auc_score(y, p) = 0.8400000000000001; roc_auc_score(y, 1 - p) = 0.16
    assert_close(auc(&SK_P, &SK_Y).unwrap(), 0.840_000_000_000_000_1, 1e-15);
    let flipped: Vec<f64> = SK_P.iter().map(|p| 1.0 - p).collect();
    assert_close(auc(&flipped, &SK_Y).unwrap(), 0.16, 1e-15);
    // sqrt(mean_squared_error(y, p)) = 0.4033195589934446
    assert_close(rmse(&SK_P, &SK_Y).unwrap(), 0.403_319_558_993_444_6, 1e-15);
    // log_loss(y, p) = 0.47554308753889546 (sklearn 1.5 clips at f64::EPSILON;
    // with clipping at 1e-15 numpy gives 0.4755430875388955: the p = 0 and
    // p = 1 rows are all predicted right, so the clipping barely matters).
    assert_close(
        log_loss(&SK_P, &SK_Y).unwrap(),
        0.475_543_087_538_895_5,
        1e-14,
    );
    // accuracy_score(y, p >= 0.5) = 0.7333333333333333
    assert_close(accuracy(&SK_P, &SK_Y).unwrap(), 22.0 / 30.0, 1e-15);
    // ECE from a numpy transcription of the definition (bin = min(floor(p * bins), bins - 1)):
    // 10 bins 0.06666666666666667, 3 bins 0.039999999999999966.
    assert_close(
        expected_calibration_error(&SK_P, &SK_Y, 10).unwrap(),
        0.066_666_666_666_666_67,
        1e-14,
    );
    assert_close(
        expected_calibration_error(&SK_P, &SK_Y, 3).unwrap(),
        0.04,
        1e-14,
    );
}

#[test]
fn auc_single_class_is_an_error() {
    let e = auc(&[0.2, 0.7, 0.9], &[true, true, true]).unwrap_err();
    assert!(matches!(e, Error::InvalidValue { .. }));
    assert_eq!(
        e.to_string(),
        "number of incorrect outcomes (AUC needs both correct and incorrect outcomes) \
         must be at least 1, got 0"
    );
    let e = auc(&[0.2], &[false]).unwrap_err();
    assert!(
        e.to_string().starts_with("number of correct outcomes"),
        "{e}"
    );
}

// ------------------------------------------------ other metrics by hand

#[test]
fn rmse_by_hand() {
    // Errors 0.1, 0.2, 0.3, 0.4 squared: 0.01 + 0.04 + 0.09 + 0.16 = 0.30; mean 0.075.
    let r = rmse(&[0.9, 0.2, 0.7, 0.4], &[true, false, true, false]).unwrap();
    assert_close(r, 0.075f64.sqrt(), 1e-15);
    assert_close(rmse(&[1.0, 0.0], &[true, false]).unwrap(), 0.0, 0.0);
    assert_close(rmse(&[0.0, 1.0], &[true, false]).unwrap(), 1.0, 0.0);
}

#[test]
fn log_loss_by_hand() {
    // -(ln 0.9 + ln 0.8 + ln 0.7 + ln 0.6) / 4
    let l = log_loss(&[0.9, 0.2, 0.7, 0.4], &[true, false, true, false]).unwrap();
    let want = -(0.9f64.ln() + 0.8f64.ln() + 0.7f64.ln() + 0.6f64.ln()) / 4.0;
    assert_close(l, want, 1e-15);
    // A certain and wrong prediction is clipped: -ln(1e-15) = 34.538776394910684.
    assert_close(
        log_loss(&[0.0], &[true]).unwrap(),
        34.538_776_394_910_684,
        1e-9,
    );
    // On the other side 1 - 1e-15 rounds to 1 - 9.992e-16 in f64, so the cost
    // is -ln(9.992e-16) = 34.53957599234088 (numpy's clip gives the same).
    assert_close(
        log_loss(&[1.0], &[false]).unwrap(),
        34.539_575_992_340_88,
        1e-9,
    );
    // A certain and right prediction costs (almost) nothing.
    assert!(log_loss(&[1.0, 0.0], &[true, false]).unwrap() < 1e-14);
}

#[test]
fn accuracy_by_hand() {
    // 0.5 -> correct (right), 0.49 -> incorrect (right), 0.51 -> correct (wrong),
    // 0.2 -> incorrect (wrong), 1.0 -> correct (right): 3/5.
    let a = accuracy(
        &[0.5, 0.49, 0.51, 0.2, 1.0],
        &[true, false, false, true, true],
    )
    .unwrap();
    assert_close(a, 0.6, 1e-15);
}

#[test]
fn ece_by_hand() {
    // 10 bins. Bin 0: 0.05 (incorrect): |0.05 - 0| = 0.05.
    // Bin 1: 0.15, 0.12 (one correct): |0.27 - 1| = 0.73.
    // Bin 5: 0.5 (incorrect): 0.5.  Bin 8: 0.85 (correct): 0.15.
    // Bin 9: 0.95, 1.0 (both correct): |1.95 - 2| = 0.05.
    // ECE = (0.05 + 0.73 + 0.5 + 0.15 + 0.05) / 7 = 1.48 / 7.
    let p = [0.05, 0.15, 0.12, 0.95, 0.85, 0.5, 1.0];
    let y = [false, true, false, true, true, false, true];
    assert_close(
        expected_calibration_error(&p, &y, 10).unwrap(),
        1.48 / 7.0,
        1e-12,
    );
    // Perfectly calibrated in one bin: mean p 0.5, half correct.
    assert_close(
        expected_calibration_error(&[0.25, 0.75], &[false, true], 1).unwrap(),
        0.0,
        1e-15,
    );
    // Worst case: certain and always wrong.
    assert_close(
        expected_calibration_error(&[0.0, 1.0], &[true, false], 5).unwrap(),
        1.0,
        0.0,
    );
}

/// Issue 21.6: `bins = usize::MAX` allocated one slot per bin (capacity
/// overflow panic). More bins than rows puts each row in its own bin: the
/// ECE is then the mean of |p - y|.
#[test]
fn ece_with_more_bins_than_rows_allocates_per_row() {
    let p = [0.1, 0.3, 0.7, 0.9];
    let y = [false, true, true, true];
    for bins in [5, 1 << 40, usize::MAX] {
        assert_close(
            expected_calibration_error(&p, &y, bins).unwrap(),
            0.3,
            1e-12,
        );
    }
    // 7 rows, 10 bins (sparse) against the hand-computed value above.
    let p = [0.05, 0.15, 0.12, 0.95, 0.85, 0.5, 1.0];
    let y = [false, true, false, true, true, false, true];
    assert_close(
        expected_calibration_error(&p, &y, 10).unwrap(),
        1.48 / 7.0,
        1e-12,
    );
}

#[test]
fn metrics_compute_and_serde() {
    let p = [0.9, 0.2, 0.7, 0.4];
    let y = [true, false, true, false];
    let m = Metrics::compute(&p, &y).unwrap();
    assert_eq!(m.rows, 4);
    assert_close(m.auc.unwrap(), 1.0, 0.0);
    assert_close(m.rmse, rmse(&p, &y).unwrap(), 0.0);
    assert_close(m.log_loss, log_loss(&p, &y).unwrap(), 0.0);
    assert_close(m.accuracy, 1.0, 0.0);
    assert_close(
        m.ece,
        expected_calibration_error(&p, &y, ECE_BINS).unwrap(),
        0.0,
    );
    let json = serde_json::to_string(&m).unwrap();
    // serde_json's `float_roundtrip` feature (enabled by the crate) reads every f64 back exactly.
    let back: Metrics = serde_json::from_str(&json).unwrap();
    assert_eq!(back, m);
}

// -------------------------------------------------------- validation

#[test]
fn every_metric_validates_its_input() {
    type Metric = fn(&[f64], &[bool]) -> mastery::Result<f64>;
    let metrics: [(&str, Metric); 6] = [
        ("auc", auc),
        ("rmse", rmse),
        ("log_loss", log_loss),
        ("accuracy", accuracy),
        ("ece", |p, y| expected_calibration_error(p, y, 10)),
        ("compute", |p, y| Metrics::compute(p, y).map(|m| m.rmse)),
    ];
    for (name, f) in metrics {
        let e = f(&[0.1, 0.9, 0.5], &[false, true]).unwrap_err();
        assert!(
            matches!(
                e,
                Error::SizeMismatch {
                    expected: 3,
                    found: 2,
                    ..
                }
            ),
            "{name}: {e}"
        );
        let e = f(&[], &[]).unwrap_err();
        assert!(matches!(e, Error::InvalidValue { .. }), "{name}: {e}");
        for bad in [f64::NAN, -0.01, 1.01, f64::INFINITY, f64::NEG_INFINITY] {
            let e = f(&[0.1, 0.9, bad], &[false, true, true]).unwrap_err();
            match &e {
                Error::InvalidValue { what, value, .. } => {
                    assert_eq!(what, "prediction at row 2", "{name}");
                    assert!(value.is_nan() && bad.is_nan() || *value == bad, "{name}");
                }
                other => panic!("{name}: unexpected {other}"),
            }
        }
    }
    let e = expected_calibration_error(&[0.5], &[true], 0).unwrap_err();
    assert!(matches!(e, Error::InvalidValue { .. }), "{e}");
}

// ------------------------------------------------------------ folds

#[test]
fn folds_errors() {
    let rows = ["a", "b", "a", "c"];
    for k in [0, 1] {
        let e = kfold_by_learner(&rows, k, 0).unwrap_err();
        assert!(matches!(e, Error::InvalidValue { .. }), "{e}");
    }
    let e = kfold_by_learner(&rows, 4, 0).unwrap_err();
    assert!(e.to_string().contains("3 distinct learners"), "{e}");
    assert!(kfold_by_learner(&rows, 3, 0).is_ok());
    let none: [&str; 0] = [];
    assert!(kfold_by_learner(&none, 2, 0).is_err());
}

#[test]
fn folds_k_equal_to_learners_gives_one_learner_each() {
    let rows = ["x", "y", "z", "x", "w", "z", "y"];
    let f = kfold_by_learner(&rows, 4, 99).unwrap();
    let folds: BTreeSet<usize> = f.iter().copied().collect();
    assert_eq!(folds, (0..4).collect());
}

/// Pinned output: catches an accidental change of the shuffle (which would
/// silently change every reported cross-validation result).
#[test]
fn folds_are_pinned_for_a_seed() {
    let rows = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
    let f = kfold_by_learner(&rows, 3, 2024).unwrap();
    assert_eq!(f, PINNED);
}
const PINNED: [usize; 10] = [1, 1, 2, 0, 2, 0, 0, 2, 0, 1];

// ------------------------------------------------------- properties

/// Predictions on a 1/64 grid: exact in binary (so `1 - p` is exact and ties
/// are preserved by the transforms below) and tied often.
fn grid_case() -> impl Strategy<Value = (Vec<f64>, Vec<bool>)> {
    (2usize..40).prop_flat_map(|n| {
        (
            proptest::collection::vec((0u32..=64).prop_map(|i| f64::from(i) / 64.0), n),
            proptest::collection::vec(any::<bool>(), n),
        )
    })
}

fn both_classes(y: &[bool]) -> bool {
    y.contains(&true) && y.contains(&false)
}

fn brute_auc(p: &[f64], y: &[bool]) -> f64 {
    let (mut score, mut pairs) = (0.0, 0.0);
    for i in 0..p.len() {
        for j in 0..p.len() {
            if y[i] && !y[j] {
                pairs += 1.0;
                if p[i] > p[j] {
                    score += 1.0;
                } else if p[i] == p[j] {
                    score += 0.5;
                }
            }
        }
    }
    score / pairs
}

proptest! {
    #[test]
    fn auc_in_unit_interval_and_equals_pair_count((p, y) in grid_case()) {
        prop_assume!(both_classes(&y));
        let a = auc(&p, &y).unwrap();
        prop_assert!((0.0..=1.0).contains(&a));
        prop_assert!((a - brute_auc(&p, &y)).abs() < 1e-12);
    }

    #[test]
    fn auc_of_complement_is_complement((p, y) in grid_case()) {
        prop_assume!(both_classes(&y));
        let flipped: Vec<f64> = p.iter().map(|v| 1.0 - v).collect();
        let sum = auc(&p, &y).unwrap() + auc(&flipped, &y).unwrap();
        prop_assert!((sum - 1.0).abs() < 1e-12, "sum {}", sum);
    }

    #[test]
    fn auc_of_flipped_outcomes_is_complement((p, y) in grid_case()) {
        prop_assume!(both_classes(&y));
        let not_y: Vec<bool> = y.iter().map(|v| !v).collect();
        let sum = auc(&p, &y).unwrap() + auc(&p, &not_y).unwrap();
        prop_assert!((sum - 1.0).abs() < 1e-12, "sum {}", sum);
    }

    #[test]
    fn auc_invariant_under_increasing_transforms((p, y) in grid_case()) {
        prop_assume!(both_classes(&y));
        let a = auc(&p, &y).unwrap();
        let transforms: [fn(f64) -> f64; 4] = [
            |v| v * v * v,
            f64::sqrt,
            |v| 0.25 + v / 2.0,
            |v| v / (v + 3.0 * (1.0 - v)),
        ];
        for t in transforms {
            let q: Vec<f64> = p.iter().map(|&v| t(v)).collect();
            prop_assert!((auc(&q, &y).unwrap() - a).abs() < 1e-12);
        }
    }

    #[test]
    fn auc_invariant_under_row_permutation((p, y) in grid_case(), seed in any::<u64>()) {
        prop_assume!(both_classes(&y));
        let mut rows: Vec<(f64, bool)> = p.iter().copied().zip(y.iter().copied()).collect();
        // A simple deterministic permutation: rotate by seed.
        let r = (seed % rows.len() as u64) as usize;
        rows.rotate_left(r);
        rows.reverse();
        let (p2, y2): (Vec<f64>, Vec<bool>) = rows.into_iter().unzip();
        prop_assert!((auc(&p2, &y2).unwrap() - auc(&p, &y).unwrap()).abs() < 1e-12);
    }

    #[test]
    fn other_metrics_in_range((p, y) in grid_case()) {
        let m = Metrics::compute(&p, &y).unwrap();
        prop_assert_eq!(m.rows, p.len());
        prop_assert_eq!(m.auc.is_some(), both_classes(&y));
        prop_assert!((0.0..=1.0).contains(&m.rmse));
        prop_assert!((0.0..=1.0).contains(&m.accuracy));
        prop_assert!((0.0..=1.0).contains(&m.ece));
        // The costliest row: p clipped to eps for a correct answer, or to
        // 1 - eps for a wrong one, where 1 - (1 - eps) rounds below eps
        // (scikit-learn clips the same way).
        let worst = (-LOG_LOSS_EPS.ln()).max(-(1.0 - (1.0 - LOG_LOSS_EPS)).ln());
        prop_assert!(m.log_loss >= 0.0 && m.log_loss <= worst + 1e-9);
    }

    #[test]
    fn folds_properties(
        rows in proptest::collection::vec(0u8..20, 1..120),
        k in 2usize..8,
        seed in any::<u64>(),
    ) {
        let ids: Vec<String> = rows.iter().map(|r| format!("learner-{r}")).collect();
        let distinct: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
        prop_assume!(k <= distinct.len());

        let folds = kfold_by_learner(&ids, k, seed).unwrap();
        prop_assert_eq!(folds.len(), ids.len());
        // Same seed, same output.
        prop_assert_eq!(&kfold_by_learner(&ids, k, seed).unwrap(), &folds);

        // Every learner in exactly one fold, every fold in 0..k.
        let mut fold_of: BTreeMap<&str, usize> = BTreeMap::new();
        for (id, &f) in ids.iter().zip(&folds) {
            prop_assert!(f < k);
            let first = *fold_of.entry(id.as_str()).or_insert(f);
            prop_assert_eq!(first, f, "learner {} split", id);
        }

        // Balanced by learner count: sizes differ by at most 1, none empty.
        let mut sizes = vec![0usize; k];
        for &f in fold_of.values() {
            sizes[f] += 1;
        }
        let (min, max) = (*sizes.iter().min().unwrap(), *sizes.iter().max().unwrap());
        prop_assert!(max - min <= 1, "sizes {:?}", sizes);
        prop_assert!(min >= 1);

        // Independent of row order: reversed rows give reversed folds.
        let reversed: Vec<&str> = ids.iter().rev().map(String::as_str).collect();
        let again = kfold_by_learner(&reversed, k, seed).unwrap();
        let again_reversed: Vec<usize> = again.into_iter().rev().collect();
        prop_assert_eq!(&again_reversed, &folds);

        // Independent of row multiplicity: one row per learner gives the same map.
        let once: Vec<&str> = distinct.iter().copied().collect();
        let once_folds = kfold_by_learner(&once, k, seed).unwrap();
        for (id, f) in once.iter().zip(once_folds) {
            prop_assert_eq!(fold_of[id], f);
        }
    }
}
