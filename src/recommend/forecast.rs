//! Early warning: the chance that a learner reaches a goal by its due date
//! at the learner's observed pace, and the main obstacle on the way.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

use super::path::{PathStep, SimulatedLearners, steps_to};
use crate::curriculum::{Curriculum, StandardIdx, StandardKey};
use crate::error::{Error, Result};
use crate::learner::LearnerState;
use crate::model::Model;

/// How forecasts are drawn.
///
/// ```
/// use mastery::recommend::ForecastOptions;
///
/// let options = ForecastOptions::new(7).draws(1_000)?.ability_range(0.5, 2.0)?;
/// assert_eq!(options.seed(), 7);
/// assert!(ForecastOptions::new(7).draws(0).is_err());
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[must_use]
pub struct ForecastOptions {
    seed: u64,
    draws: usize,
    ability: (f64, f64),
    assumed_per_day: Option<f64>,
}

impl ForecastOptions {
    /// 500 draws with `seed`, a prior on the learning speed between 0.25x
    /// and 2x the model's learn rate (log-uniform; the learner's answers
    /// narrow it), no assumed pace. On simulated learners of 0.5-2x ability
    /// working with the recommender (`examples/early_warning.rs`, 2.OA.A.1,
    /// seeds 1-3, both learner models) the Brier score is 0.099-0.116
    /// (mean 0.107) against 0.23-0.24 for the base rate; drawing the speed
    /// from the range alone, without the learner's answers, gave 0.100-0.120
    /// (mean 0.112).
    pub fn new(seed: u64) -> Self {
        ForecastOptions {
            seed,
            draws: 500,
            ability: (0.25, 2.0),
            assumed_per_day: None,
        }
    }

    /// Monte Carlo draws (at least 1; the standard error of the chance is at
    /// most `0.5 / sqrt(draws)`).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for 0.
    pub fn draws(mut self, draws: usize) -> Result<Self> {
        if draws == 0 {
            return Err(Error::InvalidValue {
                what: "forecast draws".into(),
                expected: "at least 1",
                value: 0.0,
            });
        }
        self.draws = draws;
        Ok(self)
    }

    /// The range of the learner's learning speed before their answers say
    /// more, as multipliers of the model's learn rate, log-uniform: the
    /// prior of the speed posterior that [`Recommender::path_to`](super::Recommender::path_to)
    /// also draws from (there with 0.25x-4x), which the learner's practice
    /// records narrow. Without records, the forecast draws from the range
    /// itself: the spread says how unsure it is.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] unless `0 < low <= high` and both are finite.
    pub fn ability_range(mut self, low: f64, high: f64) -> Result<Self> {
        if !(low > 0.0 && low <= high && high.is_finite()) {
            let (what, value) = if low > 0.0 && low <= high {
                ("high end of the ability range", high)
            } else {
                ("low end of the ability range", low)
            };
            return Err(Error::InvalidValue {
                what: what.into(),
                expected: "0 < low <= high, finite",
                value,
            });
        }
        self.ability = (low, high);
        Ok(self)
    }

    /// The pace (activities a day) to assume for a learner whose pace is
    /// not known yet (fewer than two active days); without it such a
    /// forecast is an error.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] unless positive and finite.
    pub fn assumed_per_day(mut self, per_day: f64) -> Result<Self> {
        if !(per_day.is_finite() && per_day > 0.0) {
            return Err(Error::InvalidValue {
                what: "assumed pace".into(),
                expected: "a positive number of activities a day",
                value: per_day,
            });
        }
        self.assumed_per_day = Some(per_day);
        Ok(self)
    }

    /// The same settings with another seed (e.g. one per learner).
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The seed.
    #[must_use]
    pub fn seed(&self) -> u64 {
        self.seed
    }
}

/// The chance of reaching a goal by a date, and what stands in the way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Forecast {
    /// The goal.
    pub goal: StandardIdx,
    /// The due date (seconds since the Unix epoch).
    pub due: i64,
    /// The chance of mastering the goal by the due date, in [0, 1].
    pub probability: f64,
    /// The pace used: activities a day.
    pub per_day: f64,
    /// Whether the pace was observed (`false`: assumed).
    pub pace_observed: bool,
    /// Days from the forecast to the due date.
    pub days_left: f64,
    /// Mean activities needed to reach the goal over the draws.
    pub expected_activities: f64,
    /// The step that takes the most activities on average, if any step is left.
    pub obstacle: Option<StandardIdx>,
    /// Its mean activities.
    pub obstacle_activities: f64,
}

impl Forecast {
    /// One plain sentence for a teacher or a family, e.g. "A 35% chance of
    /// reaching 4.NF.A.1 in the 20 days left at about 4 activities a day;
    /// the main obstacle is 3.NF.A.1 (about 12 activities)."
    #[must_use]
    pub fn explain(&self, curriculum: &Curriculum) -> String {
        let id = |s: StandardIdx| curriculum.standard(s).map_or("?", |s| s.id());
        let chance = (self.probability * 100.0).round();
        let pace = if self.pace_observed {
            format!("about {:.0} activities a day", self.per_day.max(0.0))
        } else {
            format!("an assumed {:.0} activities a day", self.per_day.max(0.0))
        };
        let mut text = format!(
            "A {chance:.0}% chance of reaching {} in the {:.0} days left at {pace}",
            id(self.goal),
            self.days_left.max(0.0).floor()
        );
        match self.obstacle {
            None => text += ": it is reached already.",
            Some(s) => {
                text += &format!(
                    "; the main obstacle is {} (about {:.0} activities).",
                    id(s),
                    self.obstacle_activities.ceil()
                );
            }
        }
        text
    }
}

pub(super) fn forecast(
    model: &Model,
    learner: &LearnerState,
    goal: impl StandardKey,
    due: i64,
    now: i64,
    options: &ForecastOptions,
) -> Result<Forecast> {
    let goal = goal.resolve(model.curriculum())?;
    let observed = learner.engagement().per_day(now);
    let (per_day, pace_observed) = match (observed, options.assumed_per_day) {
        (Some(p), _) => (p, true),
        (None, Some(p)) => (p, false),
        (None, None) => {
            return Err(Error::UnknownPace {
                learner: learner.learner().to_owned(),
                active_days: learner.engagement().active_days,
            });
        }
    };
    let (goal, steps) = steps_to(model, learner, goal, now)?;
    let days_left = crate::time::days_between(now, due).max(0.0);
    let learners = SimulatedLearners::new(model, learner, (goal, &steps), now, options.ability)?;
    Ok(simulate(
        learners,
        (goal, &steps),
        per_day,
        pace_observed,
        days_left,
        due,
        options,
    ))
}

fn simulate(
    mut learners: SimulatedLearners<'_, '_>,
    (goal, steps): (StandardIdx, &[PathStep]),
    per_day: f64,
    pace_observed: bool,
    days_left: f64,
    due: i64,
    options: &ForecastOptions,
) -> Forecast {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(
        options.seed ^ (goal.index() as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15),
    );
    let mut reached = 0usize;
    let mut spent_per_step = vec![0.0f64; steps.len()];
    let mut total_needed = 0.0;
    for _ in 0..options.draws {
        let budget = poisson(&mut rng, per_day * days_left);
        let taken = learners.draw(&mut rng);
        for (spent, (n, _)) in spent_per_step.iter_mut().zip(learners.per_step()) {
            *spent += f64::from(n);
        }
        total_needed += f64::from(taken.opportunities);
        if taken.reached && u64::from(taken.opportunities) <= budget {
            reached += 1;
        }
    }
    let draws = options.draws as f64;
    let obstacle = spent_per_step
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))
        .map(|(i, &spent)| (steps[i].standard, spent / draws));
    Forecast {
        goal,
        due,
        probability: reached as f64 / draws,
        per_day,
        pace_observed,
        days_left,
        expected_activities: total_needed / draws,
        obstacle: obstacle.map(|o| o.0),
        obstacle_activities: obstacle.map_or(0.0, |o| o.1),
    }
}

/// A Poisson draw with mean `lambda` (inversion below 30, a rounded normal
/// above: exact enough for activity counts).
fn poisson(rng: &mut impl Rng, lambda: f64) -> u64 {
    if lambda.is_nan() || lambda <= 0.0 {
        return 0;
    }
    if lambda < 30.0 {
        let limit = (-lambda).exp();
        let mut product = rng.random::<f64>();
        let mut k = 0;
        while product > limit {
            k += 1;
            product *= rng.random::<f64>();
        }
        return k;
    }
    // Box-Muller.
    let u1 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    let u2 = rng.random::<f64>();
    let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
    (lambda + lambda.sqrt() * z).round().max(0.0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_has_the_right_mean_and_variance() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        for lambda in [0.5, 4.0, 25.0, 200.0] {
            let draws: Vec<f64> = (0..20_000)
                .map(|_| poisson(&mut rng, lambda) as f64)
                .collect();
            let mean = draws.iter().sum::<f64>() / draws.len() as f64;
            let var = draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / draws.len() as f64;
            assert!(
                (mean - lambda).abs() < 0.05 * lambda + 0.05,
                "{lambda}: {mean}"
            );
            assert!((var - lambda).abs() < 0.1 * lambda + 0.1, "{lambda}: {var}");
        }
        assert_eq!(poisson(&mut rng, 0.0), 0);
        assert_eq!(poisson(&mut rng, f64::NAN), 0);
    }
}

/// A learner's forecast for one goal, for a class list sorted by risk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Warning {
    /// The learner's id.
    pub learner: String,
    /// The forecast.
    pub forecast: Forecast,
}

/// Early warnings for a class: every goal with a due date, most at risk first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EarlyWarnings {
    /// Lowest chance first (ties by learner id, then goal).
    pub warnings: Vec<Warning>,
    /// Learners with goals due whose pace is not known yet (fewer than two active days).
    pub without_pace: Vec<String>,
}

impl EarlyWarnings {
    /// The list as Markdown for a teacher: one line per goal, most at risk first.
    #[must_use]
    pub fn to_markdown(&self, curriculum: &Curriculum) -> String {
        let mut md = String::from("## Early warning: goals with a due date\n\n");
        if self.warnings.is_empty() {
            md += "No goals with a due date.\n";
        }
        for w in &self.warnings {
            md += &format!("- {}: {}\n", w.learner, w.forecast.explain(curriculum));
        }
        if !self.without_pace.is_empty() {
            md += &format!(
                "\nNot enough activity yet to forecast: {}.\n",
                self.without_pace.join(", ")
            );
        }
        md
    }
}

pub(super) fn early_warnings(
    model: &Model,
    learners: &[LearnerState],
    now: i64,
    options: &ForecastOptions,
) -> Result<EarlyWarnings> {
    let per_learner: Vec<(Vec<Warning>, Option<String>)> = learners
        .iter()
        .map(|l| {
            l.check(model)?;
            let due: Vec<(StandardIdx, i64)> = l
                .profile()
                .goals()
                .iter()
                .filter_map(|g| g.due().map(|d| (g.standard(), d)))
                .collect();
            if due.is_empty() {
                return Ok((Vec::new(), None));
            }
            if l.engagement().per_day(now).is_none() && options.assumed_per_day.is_none() {
                return Ok((Vec::new(), Some(l.learner().to_owned())));
            }
            let warnings = due
                .into_iter()
                .map(|(goal, due)| {
                    Ok(Warning {
                        learner: l.learner().to_owned(),
                        forecast: forecast(model, l, goal, due, now, options)?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            Ok((warnings, None))
        })
        .collect::<Result<_>>()?;
    let mut warnings = Vec::new();
    let mut without_pace = Vec::new();
    for (w, missing) in per_learner {
        warnings.extend(w);
        without_pace.extend(missing);
    }
    warnings.sort_by(|a, b| {
        a.forecast
            .probability
            .total_cmp(&b.forecast.probability)
            .then_with(|| a.learner.cmp(&b.learner))
            .then(a.forecast.goal.cmp(&b.forecast.goal))
    });
    Ok(EarlyWarnings {
        warnings,
        without_pace,
    })
}
