//! The model's resolution of parameters and its updates.

use super::*;

/// The marginal posterior of each standard by enumerating the joint.
fn brute_force(mastery: &[f64], answer: GuessSlip, outcome: Outcome) -> Vec<f64> {
    let (all, not_all) = answer.likelihoods(outcome);
    let k = mastery.len();
    let mut marginal = vec![0.0; k];
    let mut total = 0.0;
    for state in 0u32..(1 << k) {
        let mut prior = 1.0;
        for (i, &p) in mastery.iter().enumerate() {
            prior *= if state >> i & 1 == 1 { p } else { 1.0 - p };
        }
        let likelihood = if state == (1 << k) - 1 { all } else { not_all };
        total += prior * likelihood;
        for (i, m) in marginal.iter_mut().enumerate() {
            if state >> i & 1 == 1 {
                *m += prior * likelihood;
            }
        }
    }
    marginal.iter().map(|m| m / total).collect()
}

#[test]
fn conjunctive_rule_is_the_exact_marginal() {
    let answer = GuessSlip::new(0.22, 0.13).unwrap();
    let cases: [&[f64]; 5] = [
        &[0.4],
        &[0.3, 0.8],
        &[0.1, 0.5, 0.9],
        &[0.25, 0.6, 0.0, 0.99],
        &[1.0, 0.7, 0.5, 0.2],
    ];
    for mastery in cases {
        for outcome in [
            Outcome::Correct,
            Outcome::Incorrect,
            Outcome::score(0.35).unwrap(),
        ] {
            let mut out = Vec::new();
            conjunctive_update(mastery, answer, outcome, 1.0, &mut out);
            let expected = brute_force(mastery, answer, outcome);
            for (i, (&(got, _, _), want)) in out.iter().zip(&expected).enumerate() {
                assert!(
                    (got - want).abs() < 1e-12,
                    "{mastery:?} {outcome:?} standard {i}: {got} vs {want}"
                );
            }
        }
    }
}
