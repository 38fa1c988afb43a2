//! One-step-ahead BKT predictions for a response log, comparable with pyBKT.
//!
//! ```text
//! cargo run --release --example predict -- --params params.json --input responses.csv
//! ```
//!
//! Reads per-skill parameters as `{"params": {"<skill>": {"prior": p, "learn": t,
//! "forget": f, "guess": g, "slip": s}}}` and a CSV with pyBKT's columns
//! (order_id, user_id, skill_name, correct; rows in order within each
//! learner), and writes CSV to stdout:
//! `order_id,user_id,skill_name,correct,p_correct,p_mastery`. `p_correct` is
//! predicted before the row is seen; `p_mastery` is the estimate after it
//! (posterior, then the learn/forget transition). Plain BKT: no decay, no
//! propagation, so the figures equal pyBKT's `predict`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use mastery::evidence::{ResponseColumns, read_responses_path};
use mastery::learner::predict_responses;
use mastery::model::SkillParams;
use mastery::{Curriculum, Model};

#[derive(Parser)]
#[command(about = "One-step-ahead BKT predictions for a response log (pyBKT's predict)")]
struct Args {
    /// Per-skill parameters (JSON).
    #[arg(long)]
    params: PathBuf,
    /// Responses CSV with order_id, user_id, skill_name, correct.
    #[arg(long)]
    input: PathBuf,
}

mod common;

fn main() -> ExitCode {
    common::main(|| run(Args::parse()))
}

fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let params = SkillParams::read(&args.params)?;
    let skills = Curriculum::builder()
        .standard_ids(params.params.keys().cloned())?
        .build()?;
    let model = Model::plain_bkt(skills, params.params)?;
    let rows = read_responses_path(&args.input, &ResponseColumns::default())?;
    let predictions = predict_responses(&model, &rows).map_err(|e| {
        format!(
            "{}: {e} (no parameters for this skill in {})",
            args.input.display(),
            args.params.display()
        )
    })?;

    let stdout = std::io::stdout();
    let mut out = csv::Writer::from_writer(stdout.lock());
    out.write_record([
        "order_id",
        "user_id",
        "skill_name",
        "correct",
        "p_correct",
        "p_mastery",
    ])?;
    for (row, p) in rows.iter().zip(&predictions) {
        out.write_record([
            row.order.to_string(),
            row.learner.clone(),
            row.skill.clone(),
            u8::from(row.correct).to_string(),
            p.p_correct.to_string(),
            p.p_mastery.to_string(),
        ])?;
    }
    out.flush()?;
    std::io::stdout().flush()?;
    Ok(())
}
