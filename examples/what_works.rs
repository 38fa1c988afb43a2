//! Does knowing what works help? Activities of the demo catalog get true
//! learn rates that differ (0.2x to 3x the standard's); a pilot cohort of
//! simulated learners does random ready activities; the crate fits each
//! activity's learn rate from the pilot's log (`fit::what_works`) and the
//! recommender uses them. Activities to mastery with and without the
//! fitted rates, under both learner models.
//!
//! ```text
//! cargo run --release --example what_works -- [--learners N] [--seeds K] [--pilot P] [--targets grade2]
//! ```

use std::process::ExitCode;

use clap::Parser;
use mastery::fit::{Dataset, DatasetOptions, WhatWorksOptions, what_works};
use mastery::sim::{
    Adaptive, LearnerModel, Population, RandomReady, Simulation, evaluate_against, response_log,
    varied_learn_rates,
};
use mastery::{Catalog, Curriculum, Model};

#[derive(Parser)]
#[command(about = "Recommending with and without fitted per-activity learn rates")]
struct Args {
    /// Learners per evaluation.
    #[arg(long, default_value_t = 100)]
    learners: usize,
    /// Seeds (1..=K).
    #[arg(long, default_value_t = 5)]
    seeds: u64,
    /// Learners in the pilot cohort whose log is fitted.
    #[arg(long, default_value_t = 400)]
    pilot: usize,
    /// Targets: `gradeN` or comma-separated standard ids.
    #[arg(long, default_value = "grade2")]
    targets: String,
}

mod common;

fn main() -> ExitCode {
    common::main(|| run(Args::parse()))
}

fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let ccss = Curriculum::ccss_math();
    let catalog = Catalog::demo(&ccss, 1);
    let targets = match args.targets.strip_prefix("grade") {
        Some(grade) => ccss.set_of(
            ccss.standards()
                .iter()
                .filter(|s| s.grade() == Some(grade))
                .map(|s| s.id()),
        )?,
        None => ccss.set_of(args.targets.split(',').map(str::trim))?,
    };
    println!("| learner model | seed | without what-works | with what-works | change |");
    println!("|---|---|---|---|---|");
    for learner_model in [LearnerModel::Bkt, LearnerModel::Gated] {
        let population = Population::new(learner_model);
        let build = |rates: &[(String, f64)]| {
            Model::builder(ccss.clone())
                .catalog(catalog.clone())
                .decay(Some(population.decay()?))
                .activity_learn_rates(rates.iter().cloned())
                .build()
        };
        // The truth: every activity teaches at its own rate, 0.2x to 3x its standard's.
        let true_rates = varied_learn_rates(&build(&[])?, (0.2, 3.0), 7);
        let truth = build(&true_rates)?;
        let without = build(&[])?;
        let pilot = Simulation {
            population: population.clone(),
            budget: 600,
            per_day: 6,
            learners: args.pilot,
            seed: 1_000_003,
        };
        let log = response_log(&truth, &RandomReady, &targets, &pilot)?;
        let options = DatasetOptions::default().item_column("activity");
        let (data, _) = Dataset::from_reader("pilot.csv", log.as_bytes(), &options)?;
        let effects = what_works(&data, &WhatWorksOptions::default())?;
        let fitted = effects.learn_rates();
        let error: Vec<f64> = fitted
            .iter()
            .filter_map(|(a, l)| {
                true_rates
                    .iter()
                    .find(|(t, _)| t == a)
                    .map(|(_, truth)| (l - truth).abs())
            })
            .collect();
        eprintln!(
            "{}: {} activities fitted with enough data, mean absolute error {:.3}",
            learner_model.name(),
            fitted.len(),
            error.iter().sum::<f64>() / error.len().max(1) as f64
        );
        let with = build(&fitted)?;
        let (mut total_without, mut total_with) = (0.0, 0.0);
        for seed in 1..=args.seeds {
            let simulation = Simulation {
                population: population.clone(),
                budget: 3000,
                per_day: 6,
                learners: args.learners,
                seed,
            };
            let (a, _) = evaluate_against(&truth, &without, &Adaptive, &targets, &simulation)?;
            let (b, _) = evaluate_against(&truth, &with, &Adaptive, &targets, &simulation)?;
            total_without += a.mean_activities_to_mastery;
            total_with += b.mean_activities_to_mastery;
            println!(
                "| {} | {seed} | {:.0} | {:.0} | {:+.1}% |",
                learner_model.name(),
                a.mean_activities_to_mastery,
                b.mean_activities_to_mastery,
                100.0 * (b.mean_activities_to_mastery / a.mean_activities_to_mastery - 1.0)
            );
        }
        println!(
            "| {} | mean | {:.0} | {:.0} | {:+.1}% |",
            learner_model.name(),
            total_without / args.seeds as f64,
            total_with / args.seeds as f64,
            100.0 * (total_with / total_without - 1.0)
        );
    }
    Ok(())
}
