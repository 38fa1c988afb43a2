//! Scores against hand-computed and published reference values.

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
