//! How fast a learner learns, from the learner's own answers.
//!
//! Speed is a multiplier on the model's learn rates (individualized BKT:
//! Yudelson, Koedinger & Gordon 2013 found a per-student learn rate worth
//! more than a per-student prior). Its posterior is computed on a grid from
//! the learner's practice records: on a standard with `n` attempts and `k`
//! correct, the learner either knew it from the start or learned it after
//! the `m`-th unknown attempt; given `m`, the count of correct answers is a
//! sum of two binomials (guess before, no slip after), whatever the order,
//! so the records' counts are enough for an exact likelihood of the counts.

use rand::{Rng, RngExt};

use crate::curriculum::StandardIdx;
use crate::learner::LearnerState;
use crate::model::{BktParams, Model};
use crate::stats::log_uniform;

/// The speeds a learner may have before any evidence: log-uniform between
/// these multipliers of the learn rate. Wider than the simulator's
/// population (0.5-2x), because real classes vary more; evidence narrows it.
pub(super) const SPEED_PRIOR: (f64, f64) = (0.25, 4.0);

/// Grid points of the speed posterior (log-spaced over [`SPEED_PRIOR`]).
const SPEED_GRID: usize = 25;

/// Attempts of one record the likelihood looks at; a longer record is
/// scaled down to this many, keeping its share of correct answers (the
/// likelihood is O(attempts^2) per record).
const MAX_RECORD_ATTEMPTS: u32 = 40;

/// Shifts of the log-odds of the priors, for this learner: how much more
/// (or less) than the population the learner knew before practice. A
/// learner who answers a standard right from the first attempt may be fast
/// or may have known it; without this shift, a model whose priors are too
/// low for a class (untrained defaults, a class ahead of the population)
/// would read knowing as learning fast, and promise too much.
const PRIOR_SHIFTS: [f64; 9] = [-3.0, -2.25, -1.5, -0.75, 0.0, 0.75, 1.5, 2.25, 3.0];

/// Where a standard lies for the prior shift. A class is taught in the
/// curriculum's order, so a standard that comes before the last one a
/// learner has mastered was taught already, whatever branch of the graph it
/// is on (as placement assumes): what the learner knew of the standards
/// behind that point, their records there say. Standards after it are
/// being learned now (the recommender picks from the learner's frontier),
/// and what the learner knew of those says nothing about the ones beyond.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Placement {
    /// Before the last mastered standard in the curriculum's order.
    Behind,
    /// That standard or after it, or not on the way to the goal.
    Ahead,
}

/// A learner's speed and prior shifts: a discrete joint posterior over
/// their speed (a multiplier of the learn rates) and how much more or less
/// than the model's priors they knew before practice, one shift for the
/// standards [`Placement::Behind`] and one for the others.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Speed {
    /// `(speed, shift behind, cumulative probability)`, the cumulative
    /// probability ascending (the shift of the others summed out).
    cumulative: Vec<(f64, f64, f64)>,
    /// The range of the speed's prior.
    range: (f64, f64),
}

/// One simulated learner's speed and prior shift, drawn from [`Speed`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct SpeedDraw {
    /// The multiplier of the learn rates.
    pub(super) speed: f64,
    /// The shift of the log-odds of knowing, before practice, a standard
    /// [`Placement::Behind`].
    pub(super) behind_shift: f64,
}

impl Speed {
    /// The joint posterior of `learner`'s speed and prior shifts under
    /// `model`'s parameters, with `placement` placing each record's
    /// standard. Uniform priors over the shifts, a log-uniform one over the
    /// speed within `range` (`0 < low <= high`, checked by the caller;
    /// [`SPEED_PRIOR`] for paths).
    /// O(records x (attempts^2 + attempts x grid) + grid x shifts^2).
    pub(super) fn of(
        model: &Model,
        learner: &LearnerState,
        placement: impl Fn(StandardIdx) -> Placement,
        range: (f64, f64),
    ) -> Speed {
        let (lo, hi) = range;
        let grid: Vec<f64> = (0..SPEED_GRID)
            .map(|i| (lo.ln() + (hi.ln() - lo.ln()) * i as f64 / (SPEED_GRID - 1) as f64).exp())
            .collect();
        // log-likelihood of every (prior shift, speed) cell, by placement.
        let mut behind = vec![vec![0.0f64; SPEED_GRID]; PRIOR_SHIFTS.len()];
        let mut ahead = behind.clone();
        for record in learner.practice_records() {
            let Some(params) = model.all_params().get(record.standard().index()) else {
                continue;
            };
            let (n, k) = scaled(record.attempts(), record.correct());
            if n == 0 {
                continue;
            }
            let given_unknown = correct_count_given_unknown(params, n, k);
            let table = match placement(record.standard()) {
                Placement::Behind => &mut behind,
                Placement::Ahead => &mut ahead,
            };
            for (row, shift) in table.iter_mut().zip(PRIOR_SHIFTS) {
                let prior = shifted(params.prior(), shift);
                for (lp, &speed) in row.iter_mut().zip(&grid) {
                    *lp += count_likelihood(params, prior, speed, &given_unknown)
                        .max(1e-300)
                        .ln();
                }
            }
        }
        // The shift ahead is a nuisance: summed out, for every speed.
        let ahead_top = ahead
            .iter()
            .flatten()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        let ahead: Vec<f64> = (0..SPEED_GRID)
            .map(|i| {
                ahead_top
                    + ahead
                        .iter()
                        .map(|row| (row[i] - ahead_top).exp())
                        .sum::<f64>()
                        .ln()
            })
            .collect();
        let mut cells = Vec::with_capacity(SPEED_GRID * PRIOR_SHIFTS.len());
        for (i, (&speed, ahead)) in grid.iter().zip(&ahead).enumerate() {
            for (row, &shift) in behind.iter().zip(&PRIOR_SHIFTS) {
                cells.push((speed, shift, row[i] + ahead));
            }
        }
        let top = cells.iter().map(|c| c.2).fold(f64::NEG_INFINITY, f64::max);
        let total: f64 = cells.iter().map(|c| (c.2 - top).exp()).sum();
        let mut running = 0.0;
        for cell in &mut cells {
            running += (cell.2 - top).exp() / total;
            cell.2 = running;
        }
        Speed {
            cumulative: cells,
            range,
        }
    }

    /// A draw from the posterior: a cell by its probability, the speed
    /// spread log-uniformly over the grid step around it and the shift
    /// uniformly over the shift grid's step.
    pub(super) fn draw(&self, rng: &mut impl Rng) -> SpeedDraw {
        let u = rng.random::<f64>();
        let i = self
            .cumulative
            .partition_point(|c| c.2 < u)
            .min(self.cumulative.len() - 1);
        let (speed, shift, _) = self.cumulative[i];
        let step = ((self.range.1 / self.range.0).ln() / (SPEED_GRID - 1) as f64 / 2.0).exp();
        let shift_step = (PRIOR_SHIFTS[1] - PRIOR_SHIFTS[0]) / 2.0;
        let behind_shift = shift + (rng.random::<f64>() * 2.0 - 1.0) * shift_step;
        SpeedDraw {
            speed: log_uniform(rng, (speed / step, speed * step)),
            behind_shift,
        }
    }
}

/// `p` with its log-odds moved by `shift`.
pub(super) fn shifted(p: f64, shift: f64) -> f64 {
    if shift == 0.0 {
        return p;
    }
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    let odds = (p / (1.0 - p)).ln() + shift;
    1.0 / (1.0 + (-odds).exp())
}

/// A record's counts, scaled down to at most [`MAX_RECORD_ATTEMPTS`] attempts.
fn scaled(attempts: u32, correct: u32) -> (usize, usize) {
    let correct = correct.min(attempts);
    if attempts <= MAX_RECORD_ATTEMPTS {
        return (attempts as usize, correct as usize);
    }
    let k = (f64::from(correct) * f64::from(MAX_RECORD_ATTEMPTS) / f64::from(attempts)).round();
    (MAX_RECORD_ATTEMPTS as usize, k as usize)
}

/// `P(k correct of n | m of the n attempts answered unknown)` for m = 0..=n:
/// Binomial(m, guess) + Binomial(n - m, 1 - slip) at k.
fn correct_count_given_unknown(params: &BktParams, n: usize, k: usize) -> Vec<f64> {
    let binomial = |trials: usize, p: f64| -> Vec<f64> {
        // By the recurrence over trials: exact and stable for small n.
        let mut pmf = vec![1.0];
        for _ in 0..trials {
            let mut next = vec![0.0; pmf.len() + 1];
            for (i, q) in pmf.iter().enumerate() {
                next[i] += q * (1.0 - p);
                next[i + 1] += q * p;
            }
            pmf = next;
        }
        pmf
    };
    (0..=n)
        .map(|m| {
            let before = binomial(m, params.guess());
            let after = binomial(n - m, 1.0 - params.slip());
            (0..=k.min(m))
                .filter(|&i| k - i <= n - m)
                .map(|i| before[i] * after[k - i])
                .sum()
        })
        .collect()
}

/// `P(k correct | speed)`: the learner knew the standard at the start
/// (`prior`), or learned it after the m-th unknown attempt (learn rate times
/// speed), or not within the record.
fn count_likelihood(params: &BktParams, prior: f64, speed: f64, given_unknown: &[f64]) -> f64 {
    let n = given_unknown.len() - 1;
    let learn = (params.learn() * speed).min(1.0);
    let mut likelihood = prior * given_unknown[0];
    let mut still_unknown = 1.0 - prior;
    for (m, &p) in given_unknown.iter().enumerate().skip(1) {
        // Unknown for attempts 1..=m, learned right after the m-th (or never, at m = n).
        let stop = if m == n { 1.0 } else { learn };
        likelihood += still_unknown * stop * p;
        still_unknown *= 1.0 - learn;
    }
    likelihood
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_likelihoods_sum_to_one_over_k() {
        let params = BktParams::new(0.3, 0.2, 0.0, 0.2, 0.1).unwrap();
        for n in [1usize, 5, 12] {
            for speed in [0.25, 1.0, 4.0] {
                let total: f64 = (0..=n)
                    .map(|k| {
                        count_likelihood(
                            &params,
                            0.3,
                            speed,
                            &correct_count_given_unknown(&params, n, k),
                        )
                    })
                    .sum();
                assert!((total - 1.0).abs() < 1e-12, "n {n}, speed {speed}: {total}");
            }
        }
    }

    #[test]
    fn many_wrong_answers_mean_slow_and_quick_success_means_fast() {
        let params = BktParams::new(0.0, 0.2, 0.0, 0.2, 0.1).unwrap();
        // 10 wrong of 10: slower than typical; 1 wrong then 9 right: faster.
        let slow = count_likelihood(
            &params,
            0.0,
            0.5,
            &correct_count_given_unknown(&params, 10, 0),
        );
        let fast = count_likelihood(
            &params,
            0.0,
            2.0,
            &correct_count_given_unknown(&params, 10, 0),
        );
        assert!(slow > fast);
        let slow = count_likelihood(
            &params,
            0.0,
            0.5,
            &correct_count_given_unknown(&params, 10, 9),
        );
        let fast = count_likelihood(
            &params,
            0.0,
            2.0,
            &correct_count_given_unknown(&params, 10, 9),
        );
        assert!(fast > slow);
    }

    #[test]
    fn long_records_keep_their_share() {
        assert_eq!(scaled(10, 7), (10, 7));
        assert_eq!(scaled(400, 100), (40, 10));
        assert_eq!(scaled(3, 9), (3, 3));
    }
}
