//! Synthetic response logs drawn from known BKT parameters: for testing that
//! fitting recovers them, and for benchmarks at any size.

use rand::{RngExt, SeedableRng};

use super::em::HmmParams;
use crate::error::{Error, Result};
use crate::evidence::{ResponseRow, responses_csv};

/// [`synthetic_responses`] as CSV text in pyBKT's columns
/// (`order_id,user_id,skill_name,correct`, plus `item` when a skill has
/// several items; see [`responses_csv`]), for files, other tools and
/// [`Dataset::from_reader`](super::Dataset::from_reader).
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
/// As [`synthetic_responses`].
pub fn synthetic_log(
    skills: &[(String, HmmParams)],
    learners: usize,
    responses: std::ops::RangeInclusive<usize>,
    seed: u64,
) -> Result<String> {
    let rows = synthetic_responses(skills, learners, responses, seed)?;
    let with_items = skills.iter().any(|(_, p)| p.guess.len() > 1);
    Ok(responses_csv(&rows, with_items.then_some("item")))
}

/// A response log drawn from the BKT model: each learner (`learner0`,
/// `learner1`, ...) practices every skill for a number of responses drawn
/// uniformly from `responses`, items chosen uniformly (`item0`, `item1`,
/// ...; every row has its item when a skill has several, none otherwise),
/// `order_id` from 1 up. Deterministic by seed. O(learners x skills x
/// responses).
///
/// ```
/// use mastery::fit::{Dataset, DatasetOptions, HmmParams, synthetic_responses};
///
/// let truth = HmmParams { prior: 0.2, learn: 0.15, forget: 0.0, guess: vec![0.2], slip: vec![0.1] };
/// let rows = synthetic_responses(&[("fractions".into(), truth)], 50, 5..=10, 7)?;
/// assert!(rows.len() >= 250 && rows[0].learner == "learner0" && rows[0].item.is_none());
/// let (data, _) = Dataset::from_responses("synthetic", &rows, &DatasetOptions::default())?;
/// assert_eq!(data.skills()[0].sequence_count(), 50);
/// # Ok::<(), mastery::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidValue`] for a probability outside [0, 1], a skill without
/// items or with guess and slip lists of different lengths, or an empty range
/// of responses.
pub fn synthetic_responses(
    skills: &[(String, HmmParams)],
    learners: usize,
    responses: std::ops::RangeInclusive<usize>,
    seed: u64,
) -> Result<Vec<ResponseRow>> {
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
    let mut out = Vec::new();
    let mut order = 0i64;
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
                out.push(ResponseRow {
                    order,
                    learner: format!("learner{learner}"),
                    skill: name.clone(),
                    correct,
                    item: with_items.then(|| format!("item{item}")),
                });
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
