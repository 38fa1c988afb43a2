//! Simulated learners, to evaluate recommendation policies.
//!
//! A simulated learner has a hidden true knowledge state (which standards it
//! really knows), an ability (a multiplier on learn rates) and a starting
//! point drawn from a distribution. It answers activities with guess and
//! slip, learns from them, and forgets over time. Two learner models, because
//! policy results that hold under one model only mislead (Doroudi, Aleven &
//! Brunskill 2019):
//!
//! - [`LearnerModel::Bkt`]: each practice opportunity teaches a standard with
//!   its BKT learn rate times the learner's ability;
//! - [`LearnerModel::Gated`]: the same, but while any prerequisite is
//!   unknown the chance is cut to a tenth (as in EduSim's knowledge
//!   structure environment): order matters.
//!
//! Policies ([`Policy`]) choose each next activity from what the system can
//! see: the learner's estimated [`LearnerState`], not the hidden truth.
//! [`evaluate`] runs learners under a policy, with the same seeds for every
//! policy, and measures activities to mastery, mastery after a budget,
//! over-practice and calibration.
//!
//! A fair comparison gives the policies' model what a real deployment would
//! have: parameters fitted to earlier learners. [`response_log`] records a
//! pilot cohort's answers, [`pilot_params`] fits them, and
//! [`evaluate_against`] judges the calibrated model against the untrained
//! truth the learners were drawn from. [`Population::decay`] is the
//! forgetting such a fit would find.
//!
//! ```
//! use mastery::sim::{
//!     Adaptive, FixedSequence, LearnerModel, Population, Simulation, evaluate_against,
//!     pilot_params,
//! };
//! use mastery::{Catalog, Curriculum, Model};
//!
//! let ccss = Curriculum::ccss_math();
//! let population = Population::new(LearnerModel::Gated);
//! let truth = Model::builder(ccss.clone())
//!     .catalog(Catalog::demo(&ccss, 1))
//!     .decay(Some(population.decay()?))
//!     .build()?;
//! let targets = ccss.set_of(["2.OA.A.1", "2.NBT.B.5"])?;
//! let simulation = |learners, seed| Simulation {
//!     population: population.clone(),
//!     budget: 400,
//!     per_day: 6,
//!     learners,
//!     seed,
//! };
//! let fitted = pilot_params(&truth, &targets, &simulation(60, 1_000))?;
//! let model = Model::builder(ccss.clone())
//!     .catalog(Catalog::demo(&ccss, 1))
//!     .decay(Some(population.decay()?))
//!     .skill_params(&fitted)
//!     .build()?;
//! let (adaptive, _) = evaluate_against(&truth, &model, &Adaptive, &targets, &simulation(20, 1))?;
//! let fixed = FixedSequence { per_standard: 8 };
//! let (fixed, _) = evaluate_against(&truth, &model, &fixed, &targets, &simulation(20, 1))?;
//! println!(
//!     "{:.0} vs {:.0} activities to mastery",
//!     adaptive.mean_activities_to_mastery, fixed.mean_activities_to_mastery
//! );
//! assert!(adaptive.mean_activities_to_mastery <= 400.0);
//! # Ok::<(), mastery::Error>(())
//! ```

mod calibration;
mod pace;

pub use calibration::{
    CalibrationReport, ForecastCalibration, ReliabilityBin, calibrate_forecasts,
};
pub use pace::{PaceOutcome, PaceReport, calibrate_pace};

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::catalog::{ActivityIdx, ActivityKind};
use crate::curriculum::{StandardIdx, StandardSet};
use crate::error::{Error, Result};
use crate::evidence::{Evidence, Outcome};
use crate::fit::{Dataset, DatasetOptions, FitConfig, PredictParams, fit, fit_ability};
use crate::learner::LearnerState;
use crate::model::{AbilityParams, Decay, Model, SkillParams};
use crate::recommend::{RecommendOptions, Recommender};

/// How simulated learners learn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LearnerModel {
    /// BKT per standard with per-learner ability.
    Bkt,
    /// BKT, but learning is ten times less likely while a prerequisite is unknown.
    Gated,
}

impl LearnerModel {
    /// The model's name: `bkt` or `gated`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            LearnerModel::Bkt => "bkt",
            LearnerModel::Gated => "gated",
        }
    }
}

/// One simulated learner's hidden truth.
#[derive(Debug, Clone)]
pub struct SimLearner {
    known: StandardSet,
    ability: f64,
    rng: Xoshiro256PlusPlus,
}

/// The population simulated learners are drawn from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Population {
    /// How they learn.
    pub model: LearnerModel,
    /// Ability is drawn log-uniformly between these multipliers of the learn rate.
    pub ability: (f64, f64),
    /// Each learner knows the curriculum's order up to a point drawn uniformly
    /// from this range of fractions of the standards needed for the targets;
    /// beyond it, a standard is known with `prior_beyond`.
    pub start: (f64, f64),
    /// The chance of knowing a standard beyond the starting point.
    pub prior_beyond: f64,
    /// The true half-life of knowledge without practice, in days.
    pub half_life_days: f64,
}

impl Population {
    /// A population with abilities between 0.5x and 2x, starting between 40%
    /// and 90% of the way, 5% chance of knowing later standards, a one-year
    /// half-life.
    #[must_use]
    pub fn new(model: LearnerModel) -> Self {
        Population {
            model,
            ability: (0.5, 2.0),
            start: (0.4, 0.9),
            prior_beyond: 0.05,
            half_life_days: 365.0,
        }
    }

    /// The forgetting a model fitted to this population would find: the true
    /// half-life, constant (no growth with spaced practice, no lapse). A
    /// model that does not expect forgetting cannot schedule reviews.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] if the half-life is not positive and finite.
    ///
    /// ```
    /// use mastery::sim::{LearnerModel, Population};
    ///
    /// let decay = Population::new(LearnerModel::Bkt).decay()?;
    /// assert_eq!(decay.half_life_days(), 365.0);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    pub fn decay(&self) -> Result<Decay> {
        Decay::new(self.half_life_days, 0.0, 1.0, self.half_life_days.min(1.0))
    }
}

/// What a policy sees when it chooses.
pub struct Context<'a> {
    /// The model (curriculum, catalog, parameters).
    pub model: &'a Model,
    /// The learner's estimated state (from the evidence so far).
    pub estimate: &'a LearnerState,
    /// The target standards.
    pub targets: &'a StandardSet,
    /// The time now.
    pub now: i64,
    /// The previous activities and whether each was answered correctly, oldest first.
    pub history: &'a [(ActivityIdx, bool)],
}

/// Chooses the next activity for a learner.
pub trait Policy: Send + Sync {
    /// A short name, e.g. `adaptive`.
    fn name(&self) -> &str;
    /// The next activity, or `None` to stop.
    fn next(&self, context: &Context<'_>, rng: &mut Xoshiro256PlusPlus) -> Option<ActivityIdx>;
}

/// The crate's recommender: the top recommendation toward the targets.
#[derive(Debug, Clone, Copy, Default)]
pub struct Adaptive;

impl Policy for Adaptive {
    fn name(&self) -> &str {
        "adaptive"
    }

    fn next(&self, c: &Context<'_>, _: &mut Xoshiro256PlusPlus) -> Option<ActivityIdx> {
        let curriculum = c.model.curriculum();
        let mut options = RecommendOptions::new(c.now).count(1);
        for t in c.targets.iter() {
            options = options.goal(curriculum[t].id());
        }
        Recommender::new(c.model)
            .recommend(c.estimate, &options)
            .ok()?
            .items
            .first()
            .map(|r| r.activity)
    }
}

/// A fixed sequence, as many classrooms run: the targets and their
/// prerequisites in the curriculum's order (grade by grade for the Common
/// Core), each practiced until 3 correct answers in a row or a fixed number
/// of activities, then the next; after the last, back to the first standard
/// not passed; once every standard is passed, a review round from the first
/// (spiral review), so forgotten standards come back.
#[derive(Debug, Clone, Copy)]
pub struct FixedSequence {
    /// Activities per standard before moving on regardless.
    pub per_standard: usize,
}

impl Policy for FixedSequence {
    fn name(&self) -> &str {
        "fixed"
    }

    fn next(&self, c: &Context<'_>, _: &mut Xoshiro256PlusPlus) -> Option<ActivityIdx> {
        let curriculum = c.model.curriculum();
        let catalog = c.model.catalog();
        let closure = curriculum.prerequisite_closure(c.targets).ok()?;
        let sequence: Vec<StandardIdx> = curriculum.in_order(&closure);
        if sequence.is_empty() {
            return None;
        }
        // Replay the history through the pacing rule to find where the class is.
        let mut position = 0usize;
        let mut done_here = 0usize;
        let mut streak = 0usize;
        let mut passed = StandardSet::with_capacity(curriculum.len());
        for &(a, correct) in c.history {
            let Some(&current) = sequence.get(position % sequence.len().max(1)) else {
                break;
            };
            if !catalog.alignment(a).contains(&current) {
                continue;
            }
            done_here += 1;
            streak = if correct { streak + 1 } else { 0 };
            if streak >= 3 || done_here >= self.per_standard {
                if streak >= 3 {
                    passed.insert(current);
                }
                done_here = 0;
                streak = 0;
                if sequence.iter().all(|s| passed.contains(*s)) {
                    // Every standard passed: a review round from the start (spiral review).
                    passed = StandardSet::with_capacity(curriculum.len());
                    position = 0;
                    continue;
                }
                // Next standard not passed yet (wrapping around).
                position = (1..=sequence.len())
                    .map(|k| position + k)
                    .find(|p| !passed.contains(sequence[p % sequence.len()]))
                    .unwrap_or(position + 1);
            }
        }
        let current = sequence[position % sequence.len()];
        first_practice(c, current)
    }
}

/// A random standard among those the estimate says are ready (within the
/// targets and their prerequisites), a random activity for it.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomReady;

impl Policy for RandomReady {
    fn name(&self) -> &str {
        "random"
    }

    fn next(&self, c: &Context<'_>, rng: &mut Xoshiro256PlusPlus) -> Option<ActivityIdx> {
        let curriculum = c.model.curriculum();
        let mastered = c.estimate.mastered_at(c.model, c.now).ok()?;
        let mut ready = curriculum.ready_to_learn(&mastered).ok()?;
        ready.intersect_with(&curriculum.prerequisite_closure(c.targets).ok()?);
        let ready: Vec<StandardIdx> = ready.iter().collect();
        let s = *ready.get(rng.random_range(0..ready.len().max(1)))?;
        let activities = c.model.catalog().for_standard(s);
        activities
            .get(rng.random_range(0..activities.len().max(1)))
            .copied()
    }
}

/// The first practice activity of a standard (any activity if it has no practice).
fn first_practice(c: &Context<'_>, s: StandardIdx) -> Option<ActivityIdx> {
    let catalog = c.model.catalog();
    let list = catalog.for_standard(s);
    list.iter()
        .copied()
        .find(|&a| {
            catalog
                .get(a)
                .is_some_and(|x| x.kind() == ActivityKind::Practice)
        })
        .or_else(|| list.first().copied())
}

/// The outcome of one simulated learner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

/// The first time of every simulation (2024-09-02, a school year's start).
pub const START: i64 = 1_725_235_200;

impl SimLearner {
    /// Learner `index` of `population` for `model`, deterministic by `seed`.
    #[must_use]
    pub fn draw(
        model: &Model,
        population: &Population,
        targets: &StandardSet,
        seed: u64,
        index: usize,
    ) -> Self {
        let curriculum = model.curriculum();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(
            seed ^ (index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15),
        );
        let ability = crate::stats::log_uniform(&mut rng, population.ability);
        let closure = curriculum.prerequisite_closure(targets).unwrap_or_default();
        let order: Vec<StandardIdx> = curriculum.in_order(&closure);
        let start =
            population.start.0 + rng.random::<f64>() * (population.start.1 - population.start.0);
        let cut = (start * order.len() as f64) as usize;
        let mut known = StandardSet::with_capacity(curriculum.len());
        for (p, &s) in order.iter().enumerate() {
            if p < cut || rng.random::<f64>() < population.prior_beyond {
                known.insert(s);
            }
        }
        SimLearner {
            known,
            ability,
            rng,
        }
    }

    /// Whether the learner truly knows `standard`.
    #[must_use]
    pub fn knows(&self, standard: StandardIdx) -> bool {
        self.known.contains(standard)
    }

    /// Does an activity: answers (guess/slip on the conjunction of its
    /// standards), then maybe learns each standard. Returns whether the answer was correct.
    pub fn practice(
        &mut self,
        model: &Model,
        population: &Population,
        activity: ActivityIdx,
    ) -> bool {
        let curriculum = model.curriculum();
        let standards = model.catalog().alignment(activity);
        let answer = model.activity_answer(activity);
        let knows_all = standards.iter().all(|&s| self.known.contains(s));
        let correct = if knows_all {
            self.rng.random::<f64>() >= answer.slip()
        } else {
            self.rng.random::<f64>() < answer.guess()
        };
        for &s in standards {
            if self.known.contains(s) {
                continue;
            }
            let learn = model
                .activity_learn(activity)
                .unwrap_or_else(|| model.all_params()[s.index()].learn());
            let mut p = (learn * self.ability).min(1.0);
            if population.model == LearnerModel::Gated
                && curriculum
                    .prerequisites(s)
                    .unwrap_or_default()
                    .iter()
                    .any(|&q| !self.known.contains(q))
            {
                p *= 0.1;
            }
            if self.rng.random::<f64>() < p {
                self.known.insert(s);
            }
        }
        correct
    }

    /// Does `activity` at `now` as [`SimLearner::practice`] does (under
    /// `truth`) and applies the answer to `estimate`, the system's view of
    /// this learner under `model`. Returns whether the answer was correct.
    pub(crate) fn answer(
        &mut self,
        truth: &Model,
        model: &Model,
        population: &Population,
        estimate: &mut LearnerState,
        activity: ActivityIdx,
        now: i64,
    ) -> Result<bool> {
        let correct = self.practice(truth, population, activity);
        let id = model
            .catalog()
            .get(activity)
            .map_or_else(String::new, |a| a.id().to_owned());
        estimate.apply(
            model,
            &Evidence::on_activity(
                estimate.learner().to_owned(),
                id,
                Outcome::from_correct(correct),
                now,
            )?,
        )?;
        Ok(correct)
    }

    /// Does the crate's top recommendation toward `targets` at `now` (see
    /// [`SimLearner::answer`]) and records it in `history`; `None` when the
    /// recommender has nothing to offer.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn take_recommended(
        &mut self,
        truth: &Model,
        model: &Model,
        population: &Population,
        estimate: &mut LearnerState,
        targets: &StandardSet,
        history: &mut Vec<(ActivityIdx, bool)>,
        now: i64,
        rng: &mut Xoshiro256PlusPlus,
    ) -> Result<Option<ActivityIdx>> {
        let context = Context {
            model,
            estimate,
            targets,
            now,
            history,
        };
        let Some(activity) = Adaptive.next(&context, rng) else {
            return Ok(None);
        };
        let correct = self.answer(truth, model, population, estimate, activity, now)?;
        history.push((activity, correct));
        Ok(Some(activity))
    }

    /// Forgets over `days` without practice: each known standard is lost with
    /// probability `1 - 2^(-days / half_life)`.
    pub fn forget(&mut self, population: &Population, days: f64) {
        let p = 1.0 - (-days / population.half_life_days).exp2();
        let known: Vec<StandardIdx> = self.known.iter().collect();
        for s in known {
            if self.rng.random::<f64>() < p {
                self.known.remove(s);
            }
        }
    }
}

/// Runs `simulation.learners` learners under `policy` toward `targets`.
///
/// # Errors
/// [`Error::InvalidValue`] for a zero budget or `per_day`, or empty targets.
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
/// `model`: e.g. a model fitted to a pilot cohort's [`response_log`],
/// judged against the population that produced it.
///
/// # Errors
/// As [`evaluate`]; [`Error::CurriculumMismatch`] if the two models have
/// different curricula, [`Error::InvalidValue`] if their catalogs list
/// different activities.
pub fn evaluate_against(
    truth: &Model,
    model: &Model,
    policy: &dyn Policy,
    targets: &StandardSet,
    simulation: &Simulation,
) -> Result<(Evaluation, Vec<LearnerRun>)> {
    check(simulation, targets)?;
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
    if ids(truth) != ids(model) {
        return Err(Error::InvalidValue {
            what: "the truth model's catalog (activities)".into(),
            expected: "the same activities as the model's",
            value: truth.catalog().len() as f64,
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

/// BKT parameters per standard fitted to a pilot cohort, the way a district
/// would calibrate before recommending: `pilot.learners` learners of
/// `pilot.population` work through the fixed sequence ([`FixedSequence`],
/// 8 activities per standard) toward `targets`, and their [`response_log`]
/// is fitted with [`crate::fit::fit`] (default settings). The priors then say
/// how many learners of this population already know each standard, which
/// untrained defaults cannot. Use a seed other than the evaluation's, so the
/// learners evaluated are not the ones fitted.
///
/// # Errors
/// As [`response_log`] and [`crate::fit::fit`].
///
/// ```
/// use mastery::sim::{LearnerModel, Population, Simulation, pilot_params};
/// use mastery::{Catalog, Curriculum, Model};
///
/// let ccss = Curriculum::ccss_math();
/// let model = Model::builder(ccss.clone()).catalog(Catalog::demo(&ccss, 1)).build()?;
/// let targets = ccss.set_of(["1.OA.A.1"])?;
/// let pilot = Simulation {
///     population: Population::new(LearnerModel::Bkt),
///     budget: 100,
///     per_day: 6,
///     learners: 40,
///     seed: 99,
/// };
/// let fitted = pilot_params(&model, &targets, &pilot)?;
/// let params = &fitted.params["1.OA.A.1"];
/// assert!((0.0..=1.0).contains(&params.prior()));
/// let calibrated = Model::builder(ccss.clone())
///     .catalog(Catalog::demo(&ccss, 1))
///     .skill_params(&fitted)
///     .build()?;
/// # let _ = calibrated;
/// # Ok::<(), mastery::Error>(())
/// ```
pub fn pilot_params(
    model: &Model,
    targets: &StandardSet,
    pilot: &Simulation,
) -> Result<SkillParams> {
    let (_, report) = pilot_fit(model, targets, pilot)?;
    report.skill_params()
}

/// The pilot's log (with row keys, for [`fit_ability`]) and its BKT fit.
fn pilot_fit(
    model: &Model,
    targets: &StandardSet,
    pilot: &Simulation,
) -> Result<(Dataset, crate::fit::FitReport)> {
    let log = response_log(model, &FixedSequence { per_standard: 8 }, targets, pilot)?;
    let options = DatasetOptions::default().keep_row_keys(true);
    let (data, _) = Dataset::from_reader("pilot.csv", log.as_bytes(), &options)?;
    let report = fit(&data, &FitConfig::default().validate()?)?;
    Ok((data, report))
}

/// [`pilot_params`], and the population's learner ability parameters chosen
/// on the same pilot log ([`crate::fit::fit_ability`]): what a model with
/// ability on ([`crate::ModelBuilder::ability`]) is built from.
///
/// # Errors
/// As [`pilot_params`].
pub fn pilot_params_with_ability(
    model: &Model,
    targets: &StandardSet,
    pilot: &Simulation,
) -> Result<(SkillParams, AbilityParams)> {
    let (data, report) = pilot_fit(model, targets, pilot)?;
    let ability = fit_ability(&data, &PredictParams::from_fit(&report))?;
    Ok((report.skill_params()?, ability.params))
}

fn check(simulation: &Simulation, targets: &StandardSet) -> Result<()> {
    if simulation.budget == 0 || simulation.per_day == 0 || targets.is_empty() {
        return Err(Error::InvalidValue {
            what: "simulation budget, activities per day and targets".into(),
            expected: "all non-zero",
            value: 0.0,
        });
    }
    Ok(())
}

fn run_one(
    truth: &Model,
    model: &Model,
    policy: &dyn Policy,
    targets: &StandardSet,
    sim: &Simulation,
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

/// The answers of `simulation.learners` learners under `policy`, as a
/// response log in pyBKT's columns plus the activity done
/// (`order_id,user_id,skill_name,correct,activity`, for
/// [`crate::fit::what_works`];
/// an activity aligned to several standards gives one row per standard, as
/// pyBKT takes multi-skill rows): what a pilot cohort would leave behind, to
/// fit a model with [`crate::fit`] before recommending to new learners.
/// Learners are `sim-<index>`; each runs until the budget or until it truly
/// knows every target.
///
/// # Errors
/// As [`evaluate`].
///
/// ```
/// use mastery::fit::{Dataset, DatasetOptions};
/// use mastery::sim::{FixedSequence, LearnerModel, Population, Simulation, response_log};
/// use mastery::{Catalog, Curriculum, Model};
///
/// let ccss = Curriculum::ccss_math();
/// let model = Model::builder(ccss.clone()).catalog(Catalog::demo(&ccss, 1)).build()?;
/// let targets = ccss.set_of(["3.NF.A.1"])?;
/// let pilot = Simulation {
///     population: Population::new(LearnerModel::Bkt),
///     budget: 50,
///     per_day: 6,
///     learners: 4,
///     seed: 7,
/// };
/// let log = response_log(&model, &FixedSequence { per_standard: 8 }, &targets, &pilot)?;
/// assert!(log.starts_with("order_id,user_id,skill_name,correct,activity\n"));
/// let (data, _) = Dataset::from_reader("pilot.csv", log.as_bytes(), &DatasetOptions::default())?;
/// assert!(data.len() > 4);
/// # Ok::<(), mastery::Error>(())
/// ```
pub fn response_log(
    model: &Model,
    policy: &dyn Policy,
    targets: &StandardSet,
    simulation: &Simulation,
) -> Result<String> {
    check(simulation, targets)?;
    let histories: Vec<Vec<(ActivityIdx, bool)>> = (0..simulation.learners)
        .into_par_iter()
        .map(|i| run_one(model, model, policy, targets, simulation, i).map(|(_, history)| history))
        .collect::<Result<_>>()?;
    let curriculum = model.curriculum();
    let mut log = String::from("order_id,user_id,skill_name,correct,activity\n");
    let mut order = 0u64;
    for (i, history) in histories.iter().enumerate() {
        for &(activity, correct) in history {
            for &s in model.catalog().alignment(activity) {
                order += 1;
                log += &format!(
                    "{order},sim-{i},{},{},{}\n",
                    curriculum[s].id(),
                    u8::from(correct),
                    model.catalog().get(activity).map_or("", |a| a.id())
                );
            }
        }
    }
    Ok(log)
}

/// Learn rates that differ by activity, for a truth in which some activities
/// teach better than others: each activity of `model`'s catalog gets its
/// first standard's learn rate times a factor drawn log-uniformly from
/// `factors` (e.g. 0.2 to 3), seeded. Feed them to
/// [`crate::ModelBuilder::activity_learn_rates`].
///
/// ```
/// use mastery::{Catalog, Curriculum, Model};
/// use mastery::sim::varied_learn_rates;
///
/// let ccss = Curriculum::ccss_math();
/// let model = Model::builder(ccss.clone()).catalog(Catalog::demo(&ccss, 1)).build()?;
/// let rates = varied_learn_rates(&model, (0.2, 3.0), 7);
/// assert_eq!(rates.len(), model.catalog().len());
/// assert!(rates.iter().all(|(_, l)| (0.03..=0.45).contains(l)));
/// assert_eq!(rates, varied_learn_rates(&model, (0.2, 3.0), 7));
/// # Ok::<(), mastery::Error>(())
/// ```
#[must_use]
pub fn varied_learn_rates(model: &Model, factors: (f64, f64), seed: u64) -> Vec<(String, f64)> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let (lo, hi) = (
        factors.0.max(f64::MIN_POSITIVE),
        factors.1.max(f64::MIN_POSITIVE),
    );
    model
        .catalog()
        .activities()
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let factor = (lo.ln() + rng.random::<f64>() * (hi.ln() - lo.ln())).exp();
            let base = model
                .catalog()
                .alignment(ActivityIdx::new(i))
                .first()
                .map_or(0.15, |s| model.all_params()[s.index()].learn());
            (a.id().to_owned(), (base * factor).clamp(0.0, 1.0))
        })
        .collect()
}
