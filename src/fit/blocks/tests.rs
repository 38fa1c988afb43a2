//! Blocked E-step against the one-sequence reference.

use super::*;
use crate::fit::{Dataset, DatasetOptions};

fn skill(csv_body: &str) -> SkillData {
    let csv = format!("order_id,user_id,skill_name,correct\n{csv_body}");
    let (d, _) = Dataset::from_reader("t.csv", csv.as_bytes(), &DatasetOptions::default()).unwrap();
    d.skills()[0].clone()
}

fn assert_same(fast: &ExpectedCounts, plain: &ExpectedCounts) {
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * (1.0 + b.abs());
    let pairs = [
        ("log_likelihood", fast.log_likelihood, plain.log_likelihood),
        ("sequences", fast.sequences, plain.sequences),
        ("initial_known", fast.initial_known, plain.initial_known),
        ("learned", fast.learned, plain.learned),
        ("forgot", fast.forgot, plain.forgot),
        (
            "known_with_next",
            fast.known_with_next,
            plain.known_with_next,
        ),
        (
            "unknown_with_next",
            fast.unknown_with_next,
            plain.unknown_with_next,
        ),
    ];
    for (what, a, b) in pairs {
        assert!(close(a, b), "{what}: {a} vs {b}");
    }
    for k in 0..4 {
        assert!(
            close(fast.items[0][k], plain.items[0][k]),
            "item count {k}: {} vs {}",
            fast.items[0][k],
            plain.items[0][k]
        );
    }
}

/// Lengths 1 to 60 (padding within blocks, a partial last block),
/// stretches crossing the rescaling steps, with and without forgetting.
#[test]
fn blocks_equal_the_plain_pass() {
    let mut body = String::new();
    let mut order = 0;
    for learner in 0..37 {
        let n = 1 + (learner * 13 + learner / 3) % 60;
        for t in 0..n {
            order += 1;
            let correct = u8::from((t * 7 + learner * 3) % 5 < 3);
            body += &format!("{order},u{learner:03},S,{correct}\n");
        }
    }
    let data = skill(&body);
    let blocks = SequenceBlocks::new(&data);
    assert_eq!(blocks.len(), 37usize.div_ceil(W));
    assert!(blocks.steps() * W > data.len());
    for (forget, guess, slip) in [(0.0, 0.2, 0.1), (0.07, 0.3, 0.25), (0.4, 1e-12, 0.49)] {
        let params = HmmParams {
            prior: 0.27,
            learn: 0.13,
            forget,
            guess: vec![guess],
            slip: vec![slip],
        };
        let plain = ExpectedCounts::compute(&data, &params, 0..data.sequence_count()).unwrap();
        let fast = ExpectedCounts::compute_blocks(&blocks, &params, 0..blocks.len()).unwrap();
        assert_same(&fast, &plain);
        // Shards merge to the whole.
        let mut merged = ExpectedCounts::default();
        for range in blocks.shards(100) {
            merged.merge(&blocks.e_step(&params, range));
        }
        assert_same(&merged, &plain);
    }
}

#[test]
fn weighted_blocks_equal_every_sequence() {
    let body: String = (0..90)
        .flat_map(|learner| {
            let pattern = learner % 7;
            (0..=pattern * 3).map(move |t| {
                let correct = u8::from((t * 3 + pattern) % 4 < 2);
                format!("{},u{learner:02},S,{correct}\n", learner * 100 + t)
            })
        })
        .collect();
    let data = skill(&body);
    let (distinct, multiplicity) = data.distinct_sequences();
    let blocks = SequenceBlocks::weighted(&distinct, &multiplicity);
    let params = HmmParams {
        prior: 0.31,
        learn: 0.11,
        forget: 0.05,
        guess: vec![0.21],
        slip: vec![0.12],
    };
    let every = ExpectedCounts::compute(&data, &params, 0..data.sequence_count()).unwrap();
    assert_same(&blocks.e_step(&params, 0..blocks.len()), &every);
}

#[test]
fn long_sequences_do_not_underflow() {
    let body: String = (0..5000)
        .map(|i| format!("{i},a,S,{}\n", i % 3 % 2))
        .chain((0..4990).map(|i| format!("{},b,S,{}\n", 10_000 + i, i % 5 % 2)))
        .collect();
    let data = skill(&body);
    let params = HmmParams {
        prior: 0.3,
        learn: 0.01,
        forget: 0.01,
        guess: vec![1e-12],
        slip: vec![0.3],
    };
    let blocks = SequenceBlocks::new(&data);
    let fast = blocks.e_step(&params, 0..blocks.len());
    assert!(fast.log_likelihood.is_finite() && fast.log_likelihood < -1000.0);
    let plain = ExpectedCounts::compute(&data, &params, 0..2).unwrap();
    assert_same(&fast, &plain);
}

#[test]
fn bad_ranges_and_items_are_errors() {
    let data = skill("1,a,S,1\n2,a,S,0\n");
    let blocks = SequenceBlocks::new(&data);
    let mut params = HmmParams {
        prior: 0.3,
        learn: 0.1,
        forget: 0.0,
        guess: vec![0.2],
        slip: vec![0.1],
    };
    assert!(ExpectedCounts::compute_blocks(&blocks, &params, 0..2).is_err());
    params.guess.push(0.3);
    assert!(ExpectedCounts::compute_blocks(&blocks, &params, 0..1).is_err());
}
