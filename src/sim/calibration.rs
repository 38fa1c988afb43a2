//! Are early warnings calibrated? Simulated learners with their own pace
//! work toward a goal with the recommender; a forecast made after a warm-up
//! is compared with whether each one masters the goal by its due date.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{Population, START, SimLearner};
use crate::curriculum::{StandardIdx, StandardSet};
use crate::error::{Error, Result};
use crate::learner::{GoalSetter, LearnerState};
use crate::model::Model;
use crate::recommend::{ForecastOptions, Recommender};

const DAY: i64 = 86_400;

/// A calibration run: who, how fast, how long.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastCalibration {
    /// The simulated learners' population.
    pub population: Population,
    /// Simulated learners.
    pub learners: usize,
    /// Days of work before the forecast (its pace is measured on them).
    pub warmup_days: u32,
    /// The due date is drawn uniformly from this many days after the forecast.
    pub horizon_days: (u32, u32),
    /// Activities on a day the learner works, drawn uniformly per learner.
    pub per_day: (u32, u32),
    /// The chance that a learner works on a given day is drawn uniformly per
    /// learner from this range.
    pub attendance: (f64, f64),
    /// Seed of the learners (the forecasts use it too).
    pub seed: u64,
}

/// One bin of a reliability table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ReliabilityBin {
    /// Forecasts with a chance in `[low, low + 0.1)` (the last bin includes 1).
    pub low: f64,
    /// How many.
    pub count: usize,
    /// Their mean forecast chance.
    pub predicted: f64,
    /// The share of them that reached the goal.
    pub observed: f64,
}

/// How well forecasts matched what happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CalibrationReport {
    /// Learners forecast (those already past the goal at the forecast, or
    /// without a pace, are not counted).
    pub forecasts: usize,
    /// Mean squared error of the chances.
    pub brier: f64,
    /// The Brier score of always forecasting the overall share reached.
    pub base_rate_brier: f64,
    /// The share that reached the goal.
    pub reached_share: f64,
    /// Ten bins by forecast chance.
    pub bins: Vec<ReliabilityBin>,
}

impl CalibrationReport {
    /// The reliability table as Markdown.
    #[must_use]
    pub fn to_markdown(&self) -> String {
        let mut md = format!(
            "{} forecasts; Brier {:.4} (always forecasting the base rate {:.2}: {:.4})\n\n| forecast | n | mean forecast | share reached |\n|---|---|---|---|\n",
            self.forecasts, self.brier, self.reached_share, self.base_rate_brier
        );
        for b in &self.bins {
            let observed = if b.count == 0 {
                "-".to_owned()
            } else {
                format!("{:.3}", b.observed)
            };
            let predicted = if b.count == 0 {
                "-".to_owned()
            } else {
                format!("{:.3}", b.predicted)
            };
            md += &format!(
                "| {:.1}-{:.1} | {} | {predicted} | {observed} |\n",
                b.low,
                b.low + 0.1,
                b.count
            );
        }
        md
    }
}

/// Runs `calibration.learners` simulated learners of `truth`'s population
/// toward `goal` under the crate's recommender (estimates by `model`),
/// forecasts each after the warm-up with `forecast`'s settings, and reports
/// how the chances compare with who mastered the goal (the estimate reached
/// the model's mastery bar) by the due date. O(learners x (activities
/// done x a recommendation + a forecast)), parallel over learners.
///
/// # Errors
/// [`Error::InvalidValue`] for zero learners, empty or reversed ranges, or
/// an attendance outside (0, 1], or a population that
/// [`Population::validate`] rejects; as [`Recommender::forecast`].
pub fn calibrate_forecasts(
    truth: &Model,
    model: &Model,
    goal: StandardIdx,
    calibration: &ForecastCalibration,
    forecast: &ForecastOptions,
) -> Result<CalibrationReport> {
    let c = calibration;
    let (horizon, per_day, attendance) = (c.horizon_days, c.per_day, c.attendance);
    let checks = [
        ("learners", c.learners > 0, c.learners as f64, "at least 1"),
        (
            "warm-up days",
            c.warmup_days >= 2,
            f64::from(c.warmup_days),
            "at least 2",
        ),
        (
            "shortest horizon (days)",
            horizon.0 >= 1 && horizon.0 <= horizon.1,
            f64::from(horizon.0),
            "at least 1 and at most the longest",
        ),
        (
            "fewest activities a day",
            per_day.0 >= 1 && per_day.0 <= per_day.1,
            f64::from(per_day.0),
            "at least 1 and at most the most",
        ),
        (
            "lowest attendance",
            attendance.0 > 0.0 && attendance.0 <= attendance.1,
            attendance.0,
            "above 0 and at most the highest",
        ),
        (
            "highest attendance",
            attendance.1 <= 1.0,
            attendance.1,
            "at most 1",
        ),
    ];
    if let Some(&(what, _, value, expected)) = checks.iter().find(|check| !check.1) {
        return Err(Error::InvalidValue {
            what: format!("forecast calibration: {what}"),
            expected,
            value,
        });
    }
    c.population.clone().validate()?;
    model.curriculum().standard(goal)?;
    let outcomes: Vec<Option<(f64, bool)>> = (0..c.learners)
        .into_par_iter()
        .map(|i| one_learner(truth, model, goal, c, forecast, i))
        .collect::<Result<_>>()?;
    let pairs: Vec<(f64, bool)> = outcomes.into_iter().flatten().collect();
    let n = pairs.len().max(1) as f64;
    let reached_share = pairs.iter().filter(|p| p.1).count() as f64 / n;
    let outcome = |r: bool| f64::from(u8::from(r));
    let brier = pairs
        .iter()
        .map(|&(p, r)| (p - outcome(r)).powi(2))
        .sum::<f64>()
        / n;
    let base_rate_brier = pairs
        .iter()
        .map(|&(_, r)| (reached_share - outcome(r)).powi(2))
        .sum::<f64>()
        / n;
    let bins = (0..10)
        .map(|b| {
            let low = f64::from(b) / 10.0;
            let members: Vec<&(f64, bool)> = pairs
                .iter()
                .filter(|(p, _)| ((p * 10.0).floor() as i32).min(9) == b)
                .collect();
            let count = members.len();
            let k = count.max(1) as f64;
            ReliabilityBin {
                low,
                count,
                predicted: members.iter().map(|m| m.0).sum::<f64>() / k,
                observed: members.iter().filter(|m| m.1).count() as f64 / k,
            }
        })
        .collect();
    Ok(CalibrationReport {
        forecasts: pairs.len(),
        brier,
        base_rate_brier,
        reached_share,
        bins,
    })
}

/// The forecast and the outcome of learner `index`, or `None` when there was
/// nothing to forecast (the goal was mastered during the warm-up).
fn one_learner(
    truth: &Model,
    model: &Model,
    goal: StandardIdx,
    c: &ForecastCalibration,
    forecast: &ForecastOptions,
    index: usize,
) -> Result<Option<(f64, bool)>> {
    let targets: StandardSet = [goal].into_iter().collect();
    let mut learner = SimLearner::draw(truth, &c.population, &targets, c.seed, index);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(
        (c.seed ^ 0x5eed_f0ca_57ed).wrapping_add((index as u64).wrapping_mul(0x9e37_79b9)),
    );
    let per_day = rng.random_range(c.per_day.0..=c.per_day.1);
    let attendance = c.attendance.0 + rng.random::<f64>() * (c.attendance.1 - c.attendance.0);
    let horizon = i64::from(rng.random_range(c.horizon_days.0..=c.horizon_days.1));
    let mut estimate = LearnerState::new(model, format!("sim-{index}"))?;
    let warmup_end = START + i64::from(c.warmup_days) * DAY;
    let due = warmup_end + horizon * DAY;
    estimate.set_goal(model, goal, GoalSetter::Teacher, Some(due), START)?;
    let bar = model.levels().mastered();
    let mut history = Vec::new();
    let mut mastered_by = None;
    let mut forecast_chance = None;
    let mut day = START;
    while day < due {
        if day == warmup_end {
            if mastered_by.is_some() {
                return Ok(None);
            }
            let options =
                forecast.with_seed(forecast.seed() ^ (index as u64).wrapping_mul(0xbf58_476d));
            match Recommender::new(model).forecast(&estimate, goal, due, day, &options) {
                Ok(f) => forecast_chance = Some(f.probability),
                Err(Error::UnknownPace { .. }) => return Ok(None),
                Err(e) => return Err(e),
            }
        }
        if rng.random::<f64>() < attendance {
            for k in 0..per_day {
                let now = day + 9 * 3_600 + i64::from(k) * 600;
                if learner
                    .take_recommended(
                        truth,
                        model,
                        &c.population,
                        &mut estimate,
                        &targets,
                        &mut history,
                        now,
                        &mut rng,
                    )?
                    .is_none()
                {
                    break;
                }
                if mastered_by.is_none() && estimate.mastery(model, goal)? >= bar {
                    mastered_by = Some(now);
                }
            }
        }
        learner.forget(&c.population, 1.0);
        day += DAY;
    }
    Ok(forecast_chance.map(|p| (p, mastered_by.is_some())))
}
