//! Synthetic response logs drawn from known BKT parameters: for testing that
//! fitting recovers them, and for benchmarks at any size.

use std::fmt::Write as _;

use rand::{RngExt, SeedableRng};

use super::em::HmmParams;
use crate::error::{Error, Result};

/// Writes a response log in pyBKT's columns (`order_id,user_id,skill_name,correct`,
/// plus `item` when a skill has several items) drawn from the BKT model:
/// each learner practices every skill for a number of responses drawn
/// uniformly from `responses`, items chosen uniformly. Deterministic by seed.
///
/// ```
/// use mastery::fit::{Dataset, DatasetOptions, HmmParams, synthetic_log};
///
/// let truth = HmmParams { prior: 0.2, learn: 0.15, forget: 0.0, guess: vec![0.2], slip: vec![0.1] };
/// let csv = synthetic_log(&[("fractions".into(), truth)], 50, 5..=10, 7)?;
/// let (data, _) = Dataset::from_reader("synthetic.csv", csv.as_bytes(), &DatasetOptions::default())?;
/// assert_eq!(data.skills()[0].sequence_count(), 50);
/// assert_eq!(csv, synthetic_log(&[("fractions".into(), HmmParams { prior: 0.2, learn: 0.15, forget: 0.0, guess: vec![0.2], slip: vec![0.1] })], 50, 5..=10, 7)?);
/// # Ok::<(), mastery::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidValue`] for a probability outside [0, 1], a skill without
/// items or with guess and slip lists of different lengths, or an empty range
/// of responses.
pub fn synthetic_log(
    skills: &[(String, HmmParams)],
    learners: usize,
    responses: std::ops::RangeInclusive<usize>,
    seed: u64,
) -> Result<String> {
    if responses.is_empty() {
        return Err(Error::InvalidValue {
            what: "responses per learner".into(),
            expected: "a non-empty range",
            value: *responses.start() as f64,
        });
    }
    let mut with_items = false;
    for (name, p) in skills {
        let probabilities = [p.prior, p.learn, p.forget]
            .into_iter()
            .chain(p.guess.iter().copied())
            .chain(p.slip.iter().copied());
        if let Some(bad) = probabilities.clone().find(|x| !(0.0..=1.0).contains(x)) {
            return Err(Error::InvalidValue {
                what: format!("a parameter of synthetic skill `{name}`"),
                expected: "a probability in [0, 1]",
                value: bad,
            });
        }
        if p.guess.is_empty() || p.guess.len() != p.slip.len() {
            return Err(Error::InvalidValue {
                what: format!("items of synthetic skill `{name}`"),
                expected: "as many guesses as slips, at least one",
                value: p.guess.len() as f64,
            });
        }
        with_items |= p.guess.len() > 1;
    }
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut out = String::from(if with_items {
        "order_id,user_id,skill_name,correct,item\n"
    } else {
        "order_id,user_id,skill_name,correct\n"
    });
    let mut order = 0u64;
    for learner in 0..learners {
        for (name, p) in skills {
            let n = rng.random_range(responses.clone());
            let mut known = rng.random::<f64>() < p.prior;
            for _ in 0..n {
                let item = rng.random_range(0..p.guess.len());
                let correct = if known {
                    rng.random::<f64>() >= p.slip[item]
                } else {
                    rng.random::<f64>() < p.guess[item]
                };
                order += 1;
                // Writing to a String cannot fail.
                let _ = if with_items {
                    writeln!(
                        out,
                        "{order},learner{learner},{name},{},item{item}",
                        u8::from(correct)
                    )
                } else {
                    writeln!(out, "{order},learner{learner},{name},{}", u8::from(correct))
                };
                known = if known {
                    rng.random::<f64>() >= p.forget
                } else {
                    rng.random::<f64>() < p.learn
                };
            }
        }
    }
    Ok(out)
}
