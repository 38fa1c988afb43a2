//! EM against hand-computed counts, bounds and the M-step's constraints.

use super::*;
use crate::fit::{Dataset, DatasetOptions};

fn skill(csv_body: &str) -> SkillData {
    let csv = format!("order_id,user_id,skill_name,correct\n{csv_body}");
    let (d, _) = Dataset::from_reader("t.csv", csv.as_bytes(), &DatasetOptions::default()).unwrap();
    d.skills()[0].clone()
}

/// Log-likelihood and posteriors by enumerating all hidden paths.
#[allow(clippy::needless_range_loop)] // t indexes the path's bits and obs together
fn brute_force(obs: &[u8], p: &HmmParams) -> (f64, Vec<f64>) {
    let n = obs.len();
    let mut total = 0.0;
    let mut known = vec![0.0; n];
    for path in 0u32..(1 << n) {
        let state = |t: usize| path >> t & 1;
        let mut w = if state(0) == 1 {
            p.prior
        } else {
            1.0 - p.prior
        };
        for t in 0..n {
            if t > 0 {
                w *= match (state(t - 1), state(t)) {
                    (0, 0) => 1.0 - p.learn,
                    (0, _) => p.learn,
                    (_, 0) => p.forget,
                    _ => 1.0 - p.forget,
                };
            }
            let correct = obs[t] == 1;
            w *= match (state(t), correct) {
                (1, true) => 1.0 - p.slip[0],
                (1, false) => p.slip[0],
                (_, true) => p.guess[0],
                (_, false) => 1.0 - p.guess[0],
            };
        }
        total += w;
        for (t, k) in known.iter_mut().enumerate() {
            if state(t) == 1 {
                *k += w;
            }
        }
    }
    (total.ln(), known.iter().map(|k| k / total).collect())
}

#[test]
fn forward_backward_matches_enumeration() {
    let data = skill("1,a,S,0\n2,a,S,1\n3,a,S,1\n4,a,S,0\n5,a,S,1\n6,a,S,1\n");
    let params = HmmParams {
        prior: 0.3,
        learn: 0.2,
        forget: 0.07,
        guess: vec![0.25],
        slip: vec![0.12],
    };
    let counts = ExpectedCounts::compute(&data, &params, 0..1).unwrap();
    let (ll, known) = brute_force(data.sequence(0), &params);
    assert!(
        (counts.log_likelihood - ll).abs() < 1e-12,
        "{} vs {ll}",
        counts.log_likelihood
    );
    assert!((counts.initial_known - known[0]).abs() < 1e-12);
    let expected_known: f64 = known.iter().sum();
    assert!((counts.items[0][2] - expected_known).abs() < 1e-12);
    let known_with_next: f64 = known[..known.len() - 1].iter().sum();
    assert!((counts.known_with_next - known_with_next).abs() < 1e-12);
}

#[test]
fn single_item_fast_path_equals_the_general_pass() {
    let body: String = (0..300)
        .map(|i| format!("{i},u{},S,{}\n", i / 17, u8::from((i * 5 + i / 17) % 7 < 4)))
        .collect();
    let data = skill(&body);
    let params = HmmParams {
        prior: 0.27,
        learn: 0.13,
        forget: 0.06,
        guess: vec![0.22],
        slip: vec![0.09],
    };
    let fast = ExpectedCounts::compute(&data, &params, 0..data.sequence_count()).unwrap();
    let mut general = ExpectedCounts {
        items: vec![[0.0; 4]],
        ..ExpectedCounts::default()
    };
    let model = Emissions::new(&params);
    let mut scratch = Vec::new();
    for s in 0..data.sequence_count() {
        forward_backward(
            data.sequence(s),
            data.sequence_items(s),
            &model,
            &mut scratch,
            &mut general,
        );
    }
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9 * (1.0 + b.abs());
    assert!(close(fast.log_likelihood, general.log_likelihood));
    assert!(close(fast.initial_known, general.initial_known));
    assert!(
        close(fast.learned, general.learned),
        "{} vs {}",
        fast.learned,
        general.learned
    );
    assert!(close(fast.forgot, general.forgot));
    assert!(close(fast.known_with_next, general.known_with_next));
    assert!(close(fast.unknown_with_next, general.unknown_with_next));
    for k in 0..4 {
        assert!(
            close(fast.items[0][k], general.items[0][k]),
            "item count {k}"
        );
    }
}

#[test]
fn distinct_sequences_weighted_equal_every_sequence() {
    // 40 learners, 6 answer patterns (of lengths 1 to 6): many repeats.
    let body: String = (0..40)
        .flat_map(|learner| {
            let pattern = learner % 6;
            (0..=pattern).map(move |t| {
                let correct = u8::from((t * 3 + pattern) % 4 < 2);
                format!("{},u{learner:02},S,{correct}\n", learner * 10 + t)
            })
        })
        .collect();
    let data = skill(&body);
    let (distinct, multiplicity) = data.distinct_sequences();
    assert_eq!(distinct.sequence_count(), 6);
    assert_eq!(
        multiplicity.iter().sum::<u32>() as usize,
        data.sequence_count()
    );
    for forget in [0.0, 0.07] {
        let params = HmmParams {
            prior: 0.31,
            learn: 0.11,
            forget,
            guess: vec![0.21],
            slip: vec![0.12],
        };
        let every = ExpectedCounts::compute(&data, &params, 0..data.sequence_count()).unwrap();
        let weighted = ExpectedCounts::compute_unchecked(
            &distinct,
            &params,
            0..distinct.sequence_count(),
            &multiplicity,
        );
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9 * (1.0 + b.abs());
        assert!(close(weighted.log_likelihood, every.log_likelihood));
        assert!(close(weighted.sequences, every.sequences));
        assert!(close(weighted.initial_known, every.initial_known));
        assert!(close(weighted.learned, every.learned));
        assert!(close(weighted.forgot, every.forgot));
        assert!(close(weighted.known_with_next, every.known_with_next));
        assert!(close(weighted.unknown_with_next, every.unknown_with_next));
        for k in 0..4 {
            assert!(
                close(weighted.items[0][k], every.items[0][k]),
                "item count {k}"
            );
        }
    }
}

#[test]
fn long_sequences_do_not_underflow() {
    let body: String = (0..5000)
        .map(|i| format!("{i},a,S,{}\n", i % 3 % 2))
        .collect();
    let data = skill(&body);
    let params = HmmParams {
        prior: 0.3,
        learn: 0.01,
        forget: 0.01,
        guess: vec![0.3],
        slip: vec![0.3],
    };
    let counts = ExpectedCounts::compute(&data, &params, 0..1).unwrap();
    assert!(counts.log_likelihood.is_finite() && counts.log_likelihood < -1000.0);
    assert!((counts.items[0][0] + counts.items[0][2] - 5000.0).abs() < 1e-6);
}

#[test]
fn em_never_decreases_the_likelihood() {
    let body: String = (0..400)
        .map(|i| format!("{i},u{},S,{}\n", i / 20, u8::from((i * 7 + i / 20) % 5 < 3)))
        .collect();
    let data = skill(&body);
    let mut params = HmmParams {
        prior: 0.1,
        learn: 0.1,
        forget: 0.1,
        guess: vec![0.2],
        slip: vec![0.2],
    };
    let mut last = f64::NEG_INFINITY;
    for _ in 0..30 {
        let counts = ExpectedCounts::compute(&data, &params, 0..data.sequence_count()).unwrap();
        assert!(
            counts.log_likelihood >= last - 1e-9,
            "{} < {last}",
            counts.log_likelihood
        );
        last = counts.log_likelihood;
        params = counts.maximize(&params, true, &Bounds::none());
    }
}
