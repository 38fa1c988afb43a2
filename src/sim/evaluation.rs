//! Evaluation: learners run under a policy, with the same seeds for every
//! policy, and what their runs add up to.

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{Context, Policy, Population, START, SimLearner, ValidSimulation};
use crate::catalog::ActivityIdx;
use crate::curriculum::StandardSet;
use crate::error::{Error, Result};
use crate::learner::LearnerState;
use crate::model::Model;

/// The outcome of one simulated learner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LearnerRun {
    /// Activities until every target was truly known, if that happened within the budget.
    pub activities_to_mastery: Option<usize>,
    /// Share of targets truly known when the budget was spent (or at mastery).
    pub mastered_share_after_budget: f64,
    /// Activities in all.
    pub activities: usize,
    /// Activities on standards the learner already truly knew.
    pub over_practice: usize,
    /// Mean squared difference between estimated mastery and the truth (0 or 1) over the targets at the end.
    pub calibration_brier: f64,
}

/// Aggregate results of a policy over a population.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Evaluation {
    /// The policy.
    pub policy: String,
    /// The learner model.
    pub model: String,
    /// Learners simulated.
    pub learners: usize,
    /// The activity budget per learner.
    pub budget: usize,
    /// Mean activities to mastery of all targets, over learners who got there
    /// (learners who did not count as the budget: a lower bound).
    pub mean_activities_to_mastery: f64,
    /// Median, same convention.
    pub median_activities_to_mastery: f64,
    /// 90th percentile, same convention.
    pub p90_activities_to_mastery: f64,
    /// Share of learners who mastered every target within the budget.
    pub finished_within_budget: f64,
    /// Mean share of targets truly mastered after the budget.
    pub mastered_share_after_budget: f64,
    /// Share of activities spent on standards already truly known.
    pub over_practice_share: f64,
    /// Mean Brier score of the final estimates against the truth, over targets.
    pub calibration_brier: f64,
}

/// Settings of an evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Simulation {
    /// The learners.
    pub population: Population,
    /// Activities per learner at most.
    pub budget: usize,
    /// Activities per school day (time advances a day after each group).
    pub per_day: usize,
    /// Learners.
    pub learners: usize,
    /// The seed: learner `i` of every policy gets the same start, ability and answer stream.
    pub seed: u64,
}
/// Runs `simulation.learners` learners under `policy` toward `targets`.
/// O(learners x budget x a policy's choice), parallel over learners (the
/// [`Adaptive`](super::Adaptive) policy's choice is a recommendation).
///
/// # Errors
/// [`Error::InvalidValue`] for settings that [`Simulation::validate`]
/// rejects (naming the field), or empty targets.
pub fn evaluate(
    model: &Model,
    policy: &dyn Policy,
    targets: &StandardSet,
    simulation: &Simulation,
) -> Result<(Evaluation, Vec<LearnerRun>)> {
    evaluate_against(model, model, policy, targets, simulation)
}

/// Like [`evaluate`], but the simulated learners' truth (learn rates,
/// guess and slip) comes from `truth` while the policy and the estimates use
/// `model`: e.g. a model fitted to a pilot cohort's [`responses`](super::responses),
/// judged against the population that produced it. O(learners x budget x
/// a policy's choice), parallel over learners.
///
/// # Errors
/// As [`evaluate`]; [`Error::CurriculumMismatch`] if the two models have
/// different curricula, [`Error::CatalogMismatch`] if their catalogs do
/// not list the same activities in the same order.
pub fn evaluate_against(
    truth: &Model,
    model: &Model,
    policy: &dyn Policy,
    targets: &StandardSet,
    simulation: &Simulation,
) -> Result<(Evaluation, Vec<LearnerRun>)> {
    let simulation = &check(simulation, targets)?;
    if truth.curriculum() != model.curriculum() {
        return Err(Error::CurriculumMismatch {
            what: "the truth model",
            expected: model.curriculum().fingerprint(),
            found: truth.curriculum().fingerprint(),
        });
    }
    let ids = |m: &Model| -> Vec<String> {
        m.catalog()
            .activities()
            .iter()
            .map(|a| a.id().to_owned())
            .collect()
    };
    let (found, expected) = (ids(truth), ids(model));
    if found != expected {
        let index = found
            .iter()
            .zip(&expected)
            .take_while(|(a, b)| a == b)
            .count();
        return Err(Error::CatalogMismatch {
            what: "the truth model's catalog",
            index,
            expected: expected.get(index).cloned(),
            found: found.get(index).cloned(),
        });
    }
    let runs: Vec<LearnerRun> = (0..simulation.learners)
        .into_par_iter()
        .map(|i| run_one(truth, model, policy, targets, simulation, i).map(|(run, _)| run))
        .collect::<Result<_>>()?;
    let n = runs.len().max(1) as f64;
    let mut to_mastery: Vec<f64> = runs
        .iter()
        .map(|r| r.activities_to_mastery.unwrap_or(simulation.budget) as f64)
        .collect();
    to_mastery.sort_by(f64::total_cmp);
    let quantile = |q: f64| crate::stats::quantile(&to_mastery, q);
    let total_activities: usize = runs.iter().map(|r| r.activities).sum();
    Ok((
        Evaluation {
            policy: policy.name().to_owned(),
            model: simulation.population.model.name().to_owned(),
            learners: runs.len(),
            budget: simulation.budget,
            mean_activities_to_mastery: to_mastery.iter().sum::<f64>() / n,
            median_activities_to_mastery: quantile(0.5),
            p90_activities_to_mastery: quantile(0.9),
            finished_within_budget: runs
                .iter()
                .filter(|r| r.activities_to_mastery.is_some())
                .count() as f64
                / n,
            mastered_share_after_budget: runs
                .iter()
                .map(|r| r.mastered_share_after_budget)
                .sum::<f64>()
                / n,
            over_practice_share: runs.iter().map(|r| r.over_practice).sum::<usize>() as f64
                / total_activities.max(1) as f64,
            calibration_brier: runs.iter().map(|r| r.calibration_brier).sum::<f64>() / n,
        },
        runs,
    ))
}
/// Checks the settings before a run ([`Simulation::validate`]) and the
/// targets (not empty).
pub(super) fn check(simulation: &Simulation, targets: &StandardSet) -> Result<ValidSimulation> {
    let simulation = simulation.clone().validate()?;
    if targets.is_empty() {
        return Err(Error::InvalidValue {
            what: "simulation targets".into(),
            expected: "at least one standard",
            value: 0.0,
        });
    }
    Ok(simulation)
}

/// Runs learner `index` of `sim` under `policy`: its outcome and history
/// (activities and whether each was answered correctly, oldest first).
pub(super) fn run_one(
    truth: &Model,
    model: &Model,
    policy: &dyn Policy,
    targets: &StandardSet,
    sim: &ValidSimulation,
    index: usize,
) -> Result<(LearnerRun, Vec<(ActivityIdx, bool)>)> {
    let mut learner = SimLearner::draw(truth, &sim.population, targets, sim.seed, index);
    let mut estimate = LearnerState::new(model, format!("sim-{index}"))?;
    let mut policy_rng = Xoshiro256PlusPlus::seed_from_u64(
        sim.seed
            .wrapping_add(index as u64)
            .wrapping_mul(0xbf58_476d_1ce4_e5b9),
    );
    let mut history = Vec::new();
    let mut now = START;
    let mut over_practice = 0;
    let mut activities_to_mastery = None;
    let all_known = |l: &SimLearner| targets.iter().all(|t| l.knows(t));
    if all_known(&learner) {
        activities_to_mastery = Some(0);
    }
    while history.len() < sim.budget && activities_to_mastery.is_none() {
        let context = Context {
            model,
            estimate: &estimate,
            targets,
            now,
            history: &history,
        };
        let Some(activity) = policy.next(&context, &mut policy_rng) else {
            break;
        };
        if model
            .catalog()
            .alignment(activity)
            .iter()
            .all(|&s| learner.knows(s))
        {
            over_practice += 1;
        }
        let correct =
            learner.answer(truth, model, &sim.population, &mut estimate, activity, now)?;
        history.push((activity, correct));
        now += 60 * 10;
        if history.len() % sim.per_day == 0 {
            now += 86_400;
            learner.forget(&sim.population, 1.0);
        }
        if all_known(&learner) {
            activities_to_mastery = Some(history.len());
        }
    }
    let known_share =
        targets.iter().filter(|&t| learner.knows(t)).count() as f64 / targets.len() as f64;
    let estimates = estimate.all_mastery_at(model, now)?;
    let brier = targets
        .iter()
        .map(|t| (estimates[t.index()] - if learner.knows(t) { 1.0 } else { 0.0 }).powi(2))
        .sum::<f64>()
        / targets.len() as f64;
    Ok((
        LearnerRun {
            activities_to_mastery,
            mastered_share_after_budget: known_share,
            activities: history.len(),
            over_practice,
            calibration_brier: brier,
        },
        history,
    ))
}
