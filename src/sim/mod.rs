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
//! see: the learner's estimated [`LearnerState`](crate::LearnerState), not the hidden truth.
//! [`evaluate`] runs learners under a policy, with the same seeds for every
//! policy, and measures activities to mastery, mastery after a budget,
//! over-practice and calibration.
//!
//! A fair comparison gives the policies' model what a real deployment would
//! have: parameters fitted to earlier learners. [`responses`] records a
//! pilot cohort's answers ([`response_log`] as CSV text), [`pilot_params`] fits them, and
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
mod evaluation;
mod pace;
mod pilot;
mod policies;
mod population;
mod valid;

pub use calibration::{
    CalibrationReport, ForecastCalibration, ReliabilityBin, calibrate_forecasts,
};
pub use evaluation::{Evaluation, LearnerRun, Simulation, evaluate, evaluate_against};
pub use pace::{PaceOutcome, PaceReport, calibrate_pace};
pub use pilot::{
    pilot_params, pilot_params_with_ability, response_log, responses, varied_learn_rates,
};
pub use policies::{Adaptive, Context, FixedSequence, Policy, RandomReady};
pub use population::{LearnerModel, Population, SimLearner};
pub use valid::{ValidPopulation, ValidSimulation};

/// The first time of every simulation (2024-09-02, a school year's start).
pub const START: i64 = 1_725_235_200;
