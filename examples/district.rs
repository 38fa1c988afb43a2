//! Groupings and a class report for a district-sized cohort, with time and
//! peak memory: `cargo run --release --example district -- [--learners N]`.
//!
//! Learners are synthetic (each has mastered the curriculum's order up to a
//! random point, with noise); the curriculum is the embedded Common Core one.

use std::time::Instant;

use clap::Parser;
use mastery::Curriculum;
use mastery::cohort::Cohort;
use ndarray::Array2;
use rand::{RngExt, SeedableRng};

#[derive(Parser)]
#[command(about = "Time and peak memory of groupings and a class report at district scale")]
struct Args {
    /// Learners.
    #[arg(long, default_value_t = 300_000)]
    learners: usize,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

mod common;
use common::peak_mib;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let ccss = Curriculum::ccss_math();
    let n = ccss.len();
    let mut position = vec![0usize; n];
    for (p, s) in ccss.topological_order().iter().enumerate() {
        position[s.index()] = p;
    }
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(args.seed);
    let levels: Vec<usize> = (0..args.learners).map(|_| rng.random_range(0..n)).collect();
    let noise: Vec<f32> = (0..4096).map(|_| rng.random::<f32>()).collect();
    let matrix = Array2::from_shape_fn((args.learners, n), |(l, s)| {
        let jitter = noise[(l * 8 + s) % noise.len()];
        if position[s] < levels[l] {
            0.9 + 0.1 * jitter
        } else {
            0.6 * jitter
        }
    });
    let learners = (0..args.learners).map(|l| format!("learner-{l}")).collect();
    let class = Cohort::from_matrix(
        &ccss,
        learners,
        matrix,
        vec![Vec::new(); args.learners],
        0.95,
        0,
    )?;
    let all = ccss.indices().collect();
    let built = peak_mib();

    let started = Instant::now();
    let grouping = class.group_by_need(&all, 3, 6)?;
    let grouping_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let report = class.class_report(&all)?;
    let report_seconds = started.elapsed().as_secs_f64();

    println!(
        "{}",
        serde_json::json!({
            "learners": args.learners,
            "standards": n,
            "groups": grouping.groups.len(),
            "grouping_seconds": grouping_seconds,
            "class_report_seconds": report_seconds,
            "total_seconds": grouping_seconds + report_seconds,
            "most_blocked": report.most_blocked.len(),
            "peak_mib_after_building_the_cohort": built,
            "peak_mib": peak_mib(),
        })
    );
    Ok(())
}
