//! Fits BKT parameters from a response log, optionally evaluating on a test log.
//!
//! ```text
//! cargo run --release --example fit -- --train train.csv [--test test.csv] [--forgets]
//!     [--restarts N] [--seed S] [--threads N] [--out params.json] [--unbounded]
//!     [--item-col COL] [--skip-bad-rows] [--ability]
//! ```
//!
//! Prints one JSON object: `{"train_rows": .., "skills": .., "log_likelihood": ..,
//! "fit_seconds": .., "test": {"rows": .., "auc": .., "rmse": .., "log_loss": ..,
//! "accuracy": ..}}`. Test predictions are pyBKT's: each test row is predicted
//! before it is seen, from the learner's earlier rows in the test file only.
//! `--out` writes `{"params": {"<skill>": {prior, learn, forget, guess, slip}}}`
//! for `examples/predict.rs`. A progress line on stderr when it is a terminal.
//! `--ability` adds `"ability": {prior_sd, learn_weight, fit_seconds, ..}` (the
//! population's ability parameters chosen on the training log) and
//! `"test_with_ability"` (the test log scored with each learner's ability
//! estimated online from their own earlier answers).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use mastery::fit::{
    BadRows, Bounds, Dataset, DatasetOptions, FitConfig, Forgetting, PredictParams, fit_ability,
    fit_with_progress, metrics::Metrics, predict_with_ability,
};

#[derive(Parser)]
#[command(about = "Fit BKT parameters from a response log (pyBKT's CSV columns)")]
struct Args {
    /// Training responses: order_id, user_id, skill_name, correct.
    #[arg(long)]
    train: PathBuf,
    /// Test responses, predicted one step ahead with the fitted parameters.
    #[arg(long)]
    test: Option<PathBuf>,
    /// Fit a forget probability per skill.
    #[arg(long)]
    forgets: bool,
    /// Random restarts per skill.
    #[arg(long, default_value_t = 5)]
    restarts: usize,
    /// Seed of the restarts.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Write the fitted parameters as JSON here.
    #[arg(long)]
    out: Option<PathBuf>,
    /// No parameter bounds (pyBKT's behavior; fits may be degenerate).
    #[arg(long)]
    unbounded: bool,
    /// Item (template) column for per-item guess and slip (KT-IDEM).
    #[arg(long)]
    item_col: Option<String>,
    /// Skip malformed rows (reported on stderr) instead of failing.
    #[arg(long)]
    skip_bad_rows: bool,
    /// Also fit learner ability (the population's spread and its weight on
    /// learning, chosen by the training log's one-step-ahead likelihood) and
    /// score the test log with each learner's ability estimated online.
    #[arg(long)]
    ability: bool,
}

mod common;

fn main() -> ExitCode {
    common::main(|| run(Args::parse()))
}

fn load(path: &PathBuf, args: &Args) -> Result<Dataset, Box<dyn std::error::Error>> {
    let mut options = DatasetOptions::default()
        .bad_rows(if args.skip_bad_rows {
            BadRows::Skip
        } else {
            BadRows::Fail
        })
        .keep_row_keys(args.ability);
    if let Some(col) = &args.item_col {
        options = options.item_column(col.clone());
    }
    let (data, report) = Dataset::from_path(path, &options)?;
    common::report_skipped(path, &report);
    Ok(data)
}

fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(threads) = args.threads {
        pool = pool.num_threads(threads);
    }
    let pool = pool.build()?;

    let started = Instant::now();
    let train = load(&args.train, &args)?;
    let mut config = FitConfig::default()
        .restarts(args.restarts)
        .seed(args.seed)
        .forgetting(if args.forgets {
            Forgetting::Fitted
        } else {
            Forgetting::None
        })
        .item_guess_slip(args.item_col.is_some());
    if args.unbounded {
        config = config.bounds(Bounds::none());
    }
    let config = config.validate()?;
    let show_progress = std::io::stderr().is_terminal();
    let report = pool.install(|| {
        fit_with_progress(&train, &config, &|p| {
            if show_progress {
                eprint!(
                    "\rfitting: {}/{} skills, {:.0}% of responses",
                    p.skills_done,
                    p.skills_total,
                    100.0 * p.responses_done as f64 / p.responses_total.max(1) as f64
                );
            }
        })
    })?;
    if show_progress {
        eprintln!();
    }
    if let Some(out) = &args.out {
        let params = report.skill_params()?;
        std::fs::write(out, params.to_json()).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    let fit_seconds = started.elapsed().as_secs_f64();

    let mut summary = serde_json::json!({
        "train_rows": train.len(),
        "skills": train.skills().len(),
        "log_likelihood": report.log_likelihood,
        "fit_seconds": fit_seconds,
    });
    let ability = if args.ability {
        let ability_started = Instant::now();
        let params = PredictParams::from_fit(&report);
        let chosen = pool.install(|| fit_ability(&train, &params))?;
        summary["ability"] = serde_json::json!({
            "fit_seconds": ability_started.elapsed().as_secs_f64(),
            "prior_sd": chosen.params.prior_sd(),
            "learn_weight": chosen.params.learn_weight(),
            "train_log_likelihood": chosen.log_likelihood,
            "train_log_likelihood_without": chosen.log_likelihood_without,
            "helps": chosen.helps(),
        });
        Some((params, chosen.params))
    } else {
        None
    };
    if let Some(test_path) = &args.test {
        let test = load(test_path, &args)?;
        let predictions = report
            .predict(&test)
            .map_err(|e| format!("{}: {e} (not in the training data)", test_path.display()))?;
        let m = Metrics::compute(&predictions, &test.outcomes())?;
        summary["test"] = serde_json::json!({
            "rows": m.rows,
            "auc": m.auc,
            "rmse": m.rmse,
            "log_loss": m.log_loss,
            "accuracy": m.accuracy,
        });
        if let Some((params, ability)) = &ability {
            let predictions =
                pool.install(|| predict_with_ability(&test, params, Some(ability)))?;
            let m = Metrics::compute(&predictions, &test.outcomes())?;
            summary["test_with_ability"] = serde_json::json!({
                "rows": m.rows,
                "auc": m.auc,
                "rmse": m.rmse,
                "log_loss": m.log_loss,
                "accuracy": m.accuracy,
            });
        }
    }
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{summary}")?;
    Ok(())
}
