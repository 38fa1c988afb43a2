//! Mastery updates and recommendations at district scale, with time and peak
//! memory: `cargo run --release --example scale -- [--learners N] [--evidence M]`.
//!
//! Defaults: 300,000 learners on the embedded Common Core curriculum (480
//! standards) with its demo catalog; 10,000,000 evidence events spread over
//! the learners (parallel over learners), then one recommendation list for
//! every learner.

use std::time::Instant;

use clap::Parser;
use mastery::recommend::{RecommendOptions, Recommender};
use mastery::{Catalog, Curriculum, LearnerState, Model, Outcome};
use rayon::prelude::*;

#[derive(Parser)]
#[command(about = "Updates and recommendations at district scale")]
struct Args {
    /// Learners.
    #[arg(long, default_value_t = 300_000)]
    learners: usize,
    /// Evidence events in all.
    #[arg(long, default_value_t = 10_000_000)]
    evidence: usize,
}

mod common;
use common::peak_mib;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let ccss = Curriculum::ccss_math();
    let model = Model::builder(ccss.clone())
        .catalog(Catalog::demo(&ccss, 1))
        .build()?;
    let order = ccss.topological_order().to_vec();
    let per_learner = args.evidence / args.learners.max(1);
    let start = 1_725_235_200i64;

    let started = Instant::now();
    let mut states: Vec<LearnerState> = (0..args.learners)
        .into_par_iter()
        .map(|l| LearnerState::new(&model, format!("learner-{l}")))
        .collect::<Result<_, _>>()?;
    let created = started.elapsed().as_secs_f64();

    // Each learner works up the curriculum's order from a learner-specific
    // point, mostly correct: updates by index, the service's hot path.
    let started = Instant::now();
    states
        .par_iter_mut()
        .enumerate()
        .try_for_each(|(l, state)| {
            let offset = (l * 7919) % order.len();
            for k in 0..per_learner {
                let s = order[(offset + k / 3) % order.len()];
                let correct = (l + k) % 5 != 0;
                state.apply_outcome(
                    &model,
                    s,
                    Outcome::from_correct(correct),
                    start + (k as i64) * 600,
                )?;
            }
            Ok::<(), mastery::Error>(())
        })?;
    let update_seconds = started.elapsed().as_secs_f64();
    let after_updates = peak_mib();

    let started = Instant::now();
    let recommender = Recommender::new(&model);
    let now = start + per_learner as i64 * 600;
    let options = RecommendOptions::new(now).count(5);
    let recommended: usize = states
        .par_iter()
        .map(|s| recommender.recommend(s, &options).map(|r| r.items.len()))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .sum();
    let recommend_seconds = started.elapsed().as_secs_f64();
    let events = per_learner * args.learners;
    println!(
        "{}",
        serde_json::json!({
            "learners": args.learners,
            "standards": ccss.len(),
            "evidence_events": events,
            "create_seconds": created,
            "update_seconds": update_seconds,
            "updates_per_second": events as f64 / update_seconds,
            "ns_per_update_wall": update_seconds * 1e9 / events as f64,
            "recommend_seconds": recommend_seconds,
            "us_per_recommendation_list_wall": recommend_seconds * 1e6 / args.learners as f64,
            "recommendations": recommended,
            "peak_mib_after_updates": after_updates,
            "peak_mib": peak_mib(),
            "threads": rayon::current_num_threads(),
        })
    );
    Ok(())
}
