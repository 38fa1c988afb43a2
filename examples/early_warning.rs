//! Checks that early warnings are calibrated: simulated learners with their
//! own pace work toward a goal with the recommender; after a warm-up the
//! crate forecasts the chance of mastering the goal by a due date, and the
//! forecasts are compared with what happened.
//!
//! ```text
//! cargo run --release --example early_warning -- [--learners N] [--seed S]
//!     [--goal ID] [--model bkt|gated] [--pilot P]
//! ```
//!
//! Prints the Brier score and a reliability table (10 bins) as Markdown.

use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use mastery::Curriculum;
use mastery::recommend::ForecastOptions;
use mastery::sim::{ForecastCalibration, LearnerModel, Population, calibrate_forecasts};

#[derive(Clone, Copy, ValueEnum)]
enum ModelArg {
    Bkt,
    Gated,
}

#[derive(Parser)]
#[command(about = "Calibration of early warnings on simulated learners")]
struct Args {
    /// Simulated learners.
    #[arg(long, default_value_t = 1000)]
    learners: usize,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The goal standard.
    #[arg(long, default_value = "2.OA.A.1")]
    goal: String,
    /// The learner model.
    #[arg(long, value_enum, default_value = "bkt")]
    model: ModelArg,
    /// Learners in a pilot cohort the model is fitted to (0, the default: the
    /// population's own parameters, a well-specified model).
    #[arg(long, default_value_t = 0)]
    pilot: usize,
    /// The forecast's range of learning speeds (multipliers of the learn rate).
    #[arg(long, num_args = 2, default_values_t = [0.25, 2.0])]
    ability: Vec<f64>,
}

mod common;

fn main() -> ExitCode {
    common::main(|| run(Args::parse()))
}

fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let ccss = Curriculum::ccss_math();
    let population = Population::new(match args.model {
        ModelArg::Bkt => LearnerModel::Bkt,
        ModelArg::Gated => LearnerModel::Gated,
    });
    let goal = ccss.index_of(&args.goal)?;
    let (truth, model) = common::truth_and_model(
        &ccss,
        &population,
        &[goal].into_iter().collect(),
        args.pilot,
        args.seed,
    )?;
    let calibration = ForecastCalibration {
        population,
        learners: args.learners,
        warmup_days: 7,
        horizon_days: (3, 40),
        per_day: (2, 8),
        attendance: (0.4, 1.0),
        seed: args.seed,
    };
    let report = calibrate_forecasts(
        &truth,
        &model,
        goal,
        &calibration,
        &ForecastOptions::new(args.seed).ability_range(args.ability[0], args.ability[1])?,
    )?;
    println!("{}", report.to_markdown());
    Ok(())
}
