//! Are pace estimates right? Simulated learners work toward a goal with the
//! recommender; after a warm-up the crate predicts the time to the goal
//! ([`crate::recommend::LearningPath`]), and the prediction is compared with
//! the time each one took.

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{START, SimLearner, Simulation, ValidSimulation};
use crate::curriculum::{Curriculum, StandardIdx, StandardSet};
use crate::error::Result;
use crate::learner::LearnerState;
use crate::model::Model;
use crate::recommend::Recommender;
use crate::stats::quantile;

/// What one simulated learner was told and what it took.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PaceOutcome {
    /// Predicted opportunities (activities) to the goal.
    pub predicted_activities: f64,
    /// The prediction's likely range (10th to 90th percentile).
    pub likely_activities: (f64, f64),
    /// Predicted minutes.
    pub predicted_minutes: f64,
    /// Activities the learner did until the goal's estimate reached the
    /// mastery bar, `None` if the budget ran out first.
    pub activities: Option<usize>,
    /// The minutes of those activities (of the whole budget when unfinished).
    pub minutes: f64,
}

/// How pace predictions compared with what simulated learners took.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PaceReport {
    /// The goal.
    pub goal: StandardIdx,
    /// Learners who had the goal still ahead after the warm-up (the others
    /// are not counted).
    pub learners: usize,
    /// Learners who reached the goal during the warm-up (or, rarely, whom
    /// the recommender had nothing more to offer before it ended: no
    /// prediction was made for either).
    pub reached_in_warmup: usize,
    /// Learners who had not reached it when the budget ran out (counted at the budget).
    pub unfinished: usize,
    /// Median predicted activities.
    pub predicted_median: f64,
    /// Median activities taken.
    pub simulated_median: f64,
    /// Median predicted minutes.
    pub predicted_median_minutes: f64,
    /// Median minutes taken.
    pub simulated_median_minutes: f64,
    /// The share of learners whose activities fell in their predicted likely range.
    pub within_likely: f64,
}

impl PaceReport {
    /// Predicted over simulated median activities (1 is perfect; 0 when
    /// nothing was simulated).
    #[must_use]
    pub fn ratio(&self) -> f64 {
        if self.simulated_median > 0.0 {
            self.predicted_median / self.simulated_median
        } else {
            0.0
        }
    }

    /// The header of [`PaceReport::to_markdown_row`]'s table.
    #[must_use]
    pub fn markdown_header() -> &'static str {
        "| goal | learners | predicted median (activities) | simulated median | ratio | predicted median (min) | simulated median (min) | within likely range | unfinished |\n|---|---|---|---|---|---|---|---|---|\n"
    }

    /// One row of a Markdown table (see [`PaceReport::markdown_header`]).
    #[must_use]
    pub fn to_markdown_row(&self, curriculum: &Curriculum) -> String {
        format!(
            "| {} | {} | {:.0} | {:.0} | {:.2} | {:.0} | {:.0} | {:.0}% | {} |\n",
            curriculum.standard(self.goal).map_or("?", |s| s.id()),
            self.learners,
            self.predicted_median,
            self.simulated_median,
            self.ratio(),
            self.predicted_median_minutes,
            self.simulated_median_minutes,
            self.within_likely * 100.0,
            self.unfinished
        )
    }
}

/// Runs `simulation.learners` learners of its population (drawn under
/// `truth`) toward `goal` with the crate's recommender (estimates by
/// `model`); after `warmup` activities, predicts each one's time to the goal
/// with [`Recommender::path_to`] under `model` (so with `model`'s
/// prerequisite gating: to predict with the simulator's parameters, build
/// it with the population's
/// [`LearnerModel::prerequisite_gating`](super::LearnerModel::prerequisite_gating),
/// as `examples/pace.rs` does), then lets it work until the goal's
/// estimate reaches the model's mastery bar or `simulation.budget` more
/// activities are done. O(learners x (warm-up + budget) x a recommendation).
///
/// # Errors
/// [`Error::InvalidValue`](crate::Error::InvalidValue) for settings that [`Simulation::validate`]
/// rejects (zero learners, budget or activities a day, an invalid
/// population); as
/// [`Recommender::recommend`] otherwise.
///
/// ```
/// use mastery::sim::{LearnerModel, Population, Simulation, calibrate_pace};
/// use mastery::{Catalog, Curriculum, Model};
///
/// let ccss = Curriculum::ccss_math();
/// let population = Population::new(LearnerModel::Gated);
/// let builder = Model::builder(ccss.clone())
///     .catalog(Catalog::demo(&ccss, 1))
///     .decay(Some(population.decay()?));
/// let truth = builder.clone().build()?;
/// // The predicting model knows how the learners gate learning on prerequisites.
/// let model = builder
///     .prerequisite_gating(population.model.prerequisite_gating())
///     .build()?;
/// let goal = ccss.index_of("1.OA.A.1")?;
/// let simulation = Simulation { population, budget: 300, per_day: 6, learners: 8, seed: 1 };
/// let report = calibrate_pace(&truth, &model, goal, &simulation, 12)?;
/// assert_eq!(report.learners + report.reached_in_warmup, 8);
/// assert!(report.predicted_median > 0.0 && report.ratio() > 0.0);
/// # Ok::<(), mastery::Error>(())
/// ```
pub fn calibrate_pace(
    truth: &Model,
    model: &Model,
    goal: StandardIdx,
    simulation: &Simulation,
    warmup: usize,
) -> Result<PaceReport> {
    let simulation = &simulation.clone().validate()?;
    model.curriculum().standard(goal)?;
    truth.curriculum().standard(goal)?;
    let outcomes: Vec<Option<PaceOutcome>> = (0..simulation.learners)
        .into_par_iter()
        .map(|i| one_learner(truth, model, goal, simulation, warmup, i))
        .collect::<Result<_>>()?;
    let reached_in_warmup = outcomes.iter().filter(|o| o.is_none()).count();
    let outcomes: Vec<PaceOutcome> = outcomes.into_iter().flatten().collect();
    let median = |values: Vec<f64>| {
        let mut values = values;
        values.sort_by(f64::total_cmp);
        quantile(&values, 0.5)
    };
    let taken = |o: &PaceOutcome| o.activities.unwrap_or(simulation.budget) as f64;
    let within = outcomes
        .iter()
        .filter(|o| {
            let t = taken(o);
            o.likely_activities.0 <= t && t <= o.likely_activities.1
        })
        .count();
    Ok(PaceReport {
        goal,
        learners: outcomes.len(),
        reached_in_warmup,
        unfinished: outcomes.iter().filter(|o| o.activities.is_none()).count(),
        predicted_median: median(outcomes.iter().map(|o| o.predicted_activities).collect()),
        simulated_median: median(outcomes.iter().map(taken).collect()),
        predicted_median_minutes: median(outcomes.iter().map(|o| o.predicted_minutes).collect()),
        simulated_median_minutes: median(outcomes.iter().map(|o| o.minutes).collect()),
        within_likely: within as f64 / outcomes.len().max(1) as f64,
    })
}

/// Learner `index`'s prediction and time, `None` if it reached the goal in
/// the warm-up or the recommender stopped before it ended.
fn one_learner(
    truth: &Model,
    model: &Model,
    goal: StandardIdx,
    sim: &ValidSimulation,
    warmup: usize,
    index: usize,
) -> Result<Option<PaceOutcome>> {
    let targets: StandardSet = [goal].into_iter().collect();
    let mut learner = SimLearner::draw(truth, &sim.population, &targets, sim.seed, index);
    let mut estimate = LearnerState::new(model, format!("sim-{index}"))?;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(
        (sim.seed ^ 0x7061_6365).wrapping_add((index as u64).wrapping_mul(0x9e37_79b9)),
    );
    let bar = model.levels().mastered();
    let mut history = Vec::new();
    let mut now = START;
    let mut prediction = None;
    let mut minutes = 0.0;
    while history.len() < warmup + sim.budget {
        if estimate.mastery(model, goal)? >= bar {
            let Some(p) = prediction else {
                return Ok(None);
            };
            return Ok(Some(PaceOutcome {
                activities: Some(history.len() - warmup),
                minutes,
                ..p
            }));
        }
        if history.len() == warmup {
            let path = Recommender::new(model).path_to(&estimate, goal, now)?;
            prediction = Some(PaceOutcome {
                predicted_activities: f64::from(path.opportunities),
                likely_activities: (
                    f64::from(path.likely_opportunities.0),
                    f64::from(path.likely_opportunities.1),
                ),
                predicted_minutes: path.minutes,
                activities: None,
                minutes: 0.0,
            });
        }
        let Some(activity) = learner.take_recommended(
            truth,
            model,
            &sim.population,
            &mut estimate,
            &targets,
            &mut history,
            now,
            &mut rng,
        )?
        else {
            break;
        };
        if prediction.is_some() {
            minutes += model.catalog().get(activity).map_or(0.0, |a| a.minutes());
        }
        now += 600;
        if history.len() % sim.per_day == 0 {
            now += 86_400;
            learner.forget(&sim.population, 1.0);
        }
    }
    let reached = estimate.mastery(model, goal)? >= bar;
    Ok(prediction.map(|p| PaceOutcome {
        activities: reached.then(|| history.len() - warmup),
        minutes,
        ..p
    }))
}
