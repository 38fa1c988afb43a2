//! Evaluates a recommendation policy on simulated learners.
//!
//! ```text
//! cargo run --release --example simulate -- --policy adaptive|fixed|random --model bkt|gated
//!     --learners N --seed S --targets grade4 [--budget B] [--pilot P] [--ability]
//! ```
//!
//! The policies' model is first calibrated on a pilot cohort (`--pilot`
//! learners, default 200, of the same population with another seed, through
//! the fixed sequence; their answers fitted with the crate's EM), as a
//! district would before recommending; `--pilot 0` uses untrained defaults.
//! The simulated learners' truth stays the untrained model's. `--ability`
//! turns learner ability on in the policies' model, its parameters chosen on
//! the same pilot ([`mastery::sim::pilot_params_with_ability`]).
//!
//! Prints one JSON object: `{"policy": .., "model": .., "learners": ..,
//! "mean_activities_to_mastery": .., "median_activities_to_mastery": ..,
//! "mastered_share_after_budget": .., "over_practice_share": .., ...}` on the
//! embedded Common Core curriculum with its demo catalog.

use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use mastery::Curriculum;
use mastery::sim::{
    Adaptive, FixedSequence, LearnerModel, Policy, Population, RandomReady, Simulation,
    evaluate_against,
};

#[derive(Clone, Copy, ValueEnum)]
enum PolicyArg {
    Adaptive,
    Fixed,
    Random,
}

#[derive(Clone, Copy, ValueEnum)]
enum ModelArg {
    Bkt,
    Gated,
}

#[derive(Parser)]
#[command(about = "Evaluate a recommendation policy on simulated learners")]
struct Args {
    /// The policy.
    #[arg(long, value_enum, default_value = "adaptive")]
    policy: PolicyArg,
    /// The learner model.
    #[arg(long, value_enum, default_value = "bkt")]
    model: ModelArg,
    /// Learners.
    #[arg(long, default_value_t = 200)]
    learners: usize,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Targets: `gradeN` (e.g. grade4) or a comma-separated list of standard ids.
    #[arg(long, default_value = "grade4")]
    targets: String,
    /// Learners in the pilot cohort the model is fitted to (0: untrained defaults).
    #[arg(long, default_value_t = 200)]
    pilot: usize,
    /// Activities per learner at most (6 a day: 3000 is about 500 school days).
    #[arg(long, default_value_t = 3000)]
    budget: usize,
    /// Learner ability on in the policies' model (fitted to the pilot).
    #[arg(long)]
    ability: bool,
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
    // The model's forgetting matches the simulated learners' (a one-year half-life).
    let targets = match args.targets.strip_prefix("grade") {
        Some(grade) => ccss.set_of(
            ccss.standards()
                .iter()
                .filter(|s| s.grade() == Some(grade))
                .map(|s| s.id()),
        )?,
        None => ccss.set_of(args.targets.split(',').map(str::trim))?,
    };
    if targets.is_empty() {
        return Err(format!("no standards for targets {:?}", args.targets).into());
    }
    let policy: Box<dyn Policy> = match args.policy {
        PolicyArg::Adaptive => Box::new(Adaptive),
        PolicyArg::Fixed => Box::new(FixedSequence { per_standard: 8 }),
        PolicyArg::Random => Box::new(RandomReady),
    };
    let (truth, model) = common::truth_and_model_with(
        &ccss,
        &population,
        &targets,
        args.pilot,
        args.seed,
        (args.ability, 1.0),
    )?;
    let simulation = Simulation {
        population,
        budget: args.budget,
        per_day: 6,
        learners: args.learners,
        seed: args.seed,
    };
    let (evaluation, _) = evaluate_against(&truth, &model, policy.as_ref(), &targets, &simulation)?;
    #[derive(serde::Serialize)]
    struct Output {
        #[serde(flatten)]
        evaluation: mastery::sim::Evaluation,
        pilot_learners: usize,
        ability: Option<mastery::AbilityParams>,
    }
    let output = Output {
        evaluation,
        pilot_learners: args.pilot,
        ability: model.ability().copied(),
    };
    println!("{}", serde_json::to_string(&output)?);
    Ok(())
}
