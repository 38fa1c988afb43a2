//! Checks pace estimates: simulated learners work toward a goal with the
//! recommender; after a warm-up the crate predicts the activities and
//! minutes to the goal (`Recommender::path_to`), and the medians of the
//! predictions are compared with the medians of what the learners took.
//!
//! ```text
//! cargo run --release --example pace -- [--learners N] [--seed S]
//!     [--warmup A] [--goal ID ...]
//! ```
//!
//! Prints one Markdown table per learner model (`bkt`, `gated`). The
//! predicting model has the simulator's prerequisite gating
//! (`LearnerModel::prerequisite_gating`: 1 for `bkt`, 0.1 for `gated`), with
//! a pilot too: gating is a parameter of the learners, not fitted.

use std::process::ExitCode;

use clap::Parser;
use mastery::Curriculum;
use mastery::sim::{LearnerModel, PaceReport, Population, Simulation, calibrate_pace};

#[derive(Parser)]
#[command(about = "Predicted against simulated time to a goal")]
struct Args {
    /// Simulated learners per goal.
    #[arg(long, default_value_t = 1000)]
    learners: usize,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Activities before the prediction.
    #[arg(long, default_value_t = 30)]
    warmup: usize,
    /// Activities after the prediction at most.
    #[arg(long, default_value_t = 1500)]
    budget: usize,
    /// The goal standards.
    #[arg(long, num_args = 1.., default_values_t = [
        "K.CC.B.5".to_owned(), "1.OA.A.1".to_owned(), "2.OA.A.1".to_owned(),
        "2.NBT.B.5".to_owned(), "3.OA.C.7".to_owned(), "3.NF.A.1".to_owned(),
        "4.NF.A.1".to_owned(),
    ])]
    goal: Vec<String>,
    /// Learners in a pilot cohort the model is fitted to, as a deployment
    /// would fit it to earlier learners (0: the simulator's own parameters,
    /// whose priors do not know how far along the population starts).
    #[arg(long, default_value_t = 0)]
    pilot: usize,
    /// Learners who start as the model's priors say (each standard known
    /// with its prior, independently): a well-specified model. Without it,
    /// the simulator's population knows the curriculum's order up to a point.
    #[arg(long)]
    matched: bool,
    /// Learner ability on in the model (fitted to the pilot with `--pilot`,
    /// else its defaults).
    #[arg(long)]
    ability: bool,
}

mod common;

fn main() -> ExitCode {
    common::main(|| run(Args::parse()))
}

fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let ccss = Curriculum::ccss_math();
    for learner_model in [LearnerModel::Bkt, LearnerModel::Gated] {
        let mut population = Population::new(learner_model);
        if args.matched {
            population.start = (0.0, 0.0);
            population.prior_beyond = mastery::BktParams::default().prior();
        }
        let goals = args
            .goal
            .iter()
            .map(|g| ccss.index_of(g))
            .collect::<Result<Vec<_>, _>>()?;
        // The simulator's learners gate learning on prerequisites as their
        // model says; the predicting model is told the same factor (it is
        // not fitted from the pilot).
        let gating = learner_model.prerequisite_gating();
        let (truth, model) = common::truth_and_model_with(
            &ccss,
            &population,
            &goals.iter().copied().collect(),
            args.pilot,
            args.seed,
            (args.ability, gating),
        )?;
        let simulation = Simulation {
            population,
            budget: args.budget,
            per_day: 6,
            learners: args.learners,
            seed: args.seed,
        };
        println!(
            "\n### Learner model `{}`: {} learners per goal, prediction after {} activities, {} (prerequisite gating {})\n",
            learner_model.name(),
            args.learners,
            args.warmup,
            match (args.pilot, args.ability) {
                (0, false) => "the simulator's parameters".to_owned(),
                (0, true) => "the simulator's parameters, learner ability on".to_owned(),
                (n, false) => format!("parameters fitted to a pilot of {n} learners"),
                (n, true) =>
                    format!("parameters and learner ability fitted to a pilot of {n} learners"),
            },
            gating
        );
        print!("{}", PaceReport::markdown_header());
        for &goal in &goals {
            let report = calibrate_pace(&truth, &model, goal, &simulation, args.warmup)?;
            print!("{}", report.to_markdown_row(&ccss));
        }
    }
    Ok(())
}
