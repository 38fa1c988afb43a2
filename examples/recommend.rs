//! The next activities for one learner, with reasons, as JSON.
//!
//! ```text
//! cargo run --release --example recommend -- [--standards F --id-col C] [--edges F --from C --to C]
//!     [--catalog F] [--params F] --evidence responses.csv --learner ID [--goal ID] [--count N]
//!     [--now T] [--budget MINUTES]
//! ```
//!
//! Defaults: the embedded Common Core curriculum, the demo catalog of
//! whichever curriculum is loaded, default parameters. Evidence is a CSV in
//! pyBKT's columns with `skill_name` = standard id; `order_id` is taken as
//! the time in seconds (use Unix timestamps for decay to mean something),
//! and `--now` defaults to the learner's last row. The catalog is JSON
//! (`.json`) or CSV; params are `{"params": {"<standard>": {...}}}`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use mastery::evidence::{ResponseColumns, read_responses_path};
use mastery::model::SkillParams;
use mastery::recommend::{RecommendOptions, Recommender};
use mastery::{Catalog, Error, Evidence, LearnerState, Location, Model};
use serde_json::json;

mod common;

#[derive(Parser)]
#[command(about = "Recommend the next activities for a learner")]
struct Args {
    #[command(flatten)]
    curriculum: common::CurriculumArgs,
    /// Catalog (JSON or CSV); default: the demo catalog.
    #[arg(long)]
    catalog: Option<PathBuf>,
    /// Parameters per standard (JSON); default: untrained defaults.
    #[arg(long)]
    params: Option<PathBuf>,
    /// Evidence CSV (order_id, user_id, skill_name, correct).
    #[arg(long)]
    evidence: PathBuf,
    /// The learner (a user_id of the evidence).
    #[arg(long)]
    learner: String,
    /// A goal standard.
    #[arg(long)]
    goal: Option<String>,
    /// How many recommendations.
    #[arg(long, default_value_t = 5)]
    count: usize,
    /// The time to recommend for (default: the learner's last evidence).
    #[arg(long)]
    now: Option<i64>,
    /// Time budget in minutes.
    #[arg(long)]
    budget: Option<f64>,
}

fn main() -> ExitCode {
    common::main(|| run(Args::parse()))
}

fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    if let Some(now) = args.now {
        // A typed error up front rather than odd results far in the future.
        mastery::time::check_timestamp("--now", now)?;
    }
    let curriculum = args.curriculum.load()?;
    let catalog = match &args.catalog {
        None => Catalog::demo(&curriculum, 1),
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            if path.extension().is_some_and(|e| e == "json") {
                Catalog::from_json(&curriculum, &text)?
            } else {
                Catalog::from_csv_reader(&curriculum, &path.display().to_string(), text.as_bytes())?
            }
        }
    };
    let mut builder = Model::builder(curriculum.clone()).catalog(catalog);
    if let Some(path) = &args.params {
        for (standard, p) in SkillParams::from_path(path)?.params {
            builder = builder.standard_params(standard, p);
        }
    }
    let model = builder.build()?;

    let rows = read_responses_path(&args.evidence, &ResponseColumns::default())?;
    let mut learner = LearnerState::new(&model, args.learner.clone())?;
    let mut last = None;
    for row in rows.iter().filter(|r| r.learner == args.learner) {
        let evidence = Evidence::on_standard(&row.learner, &row.skill, row.outcome, row.order)?;
        learner.apply(&model, &evidence).map_err(|e| match e {
            // The row's file and line say more than the learner and time.
            Error::UnknownEvidenceTarget { source, .. } => match *source {
                Error::UnknownStandard { id, .. } => Error::UnknownStandard {
                    id,
                    at: Location::new(
                        Some(args.evidence.display().to_string().into()),
                        Some(row.line),
                    ),
                },
                other => other,
            },
            other => other,
        })?;
        last = Some(row.order);
    }
    if last.is_none() {
        eprintln!(
            "note: no evidence for learner {:?}; recommending for a new learner",
            args.learner
        );
    }
    let now = args.now.or(last).unwrap_or(0);

    let mut options = RecommendOptions::new(now).count(args.count);
    if let Some(goal) = &args.goal {
        options = options.goal(goal.clone());
    }
    if let Some(budget) = args.budget {
        options = options.time_budget_minutes(budget);
    }
    let recommender = Recommender::new(&model);
    let list = recommender.recommend(&learner, &options)?;
    let mastery = learner.all_mastery_at(&model, now)?;
    let mastered = learner.mastered_at(&model, now)?;
    let ready = curriculum.ready_to_learn(&mastered)?;
    let ids = |set: &mastery::StandardSet| {
        set.iter()
            .map(|s| curriculum[s].id().to_owned())
            .collect::<Vec<_>>()
    };

    let recommendations: Vec<_> = list
        .items
        .iter()
        .map(|r| {
            let prerequisites: Vec<_> = curriculum
                .prerequisites(r.standard)
                .unwrap_or_default()
                .iter()
                .map(|&p| json!({"standard": curriculum[p].id(), "mastery": mastery[p.index()]}))
                .collect();
            json!({
                "activity": r.activity_id,
                "kind": r.kind,
                "standard": curriculum[r.standard].id(),
                "reason": r.reason.kind(),
                "explanation": r.reason.explain(&curriculum),
                "score": r.score,
                "p_success": r.p_success,
                "minutes": r.minutes,
                "prerequisites": prerequisites,
            })
        })
        .collect();
    let path = match &args.goal {
        Some(goal) => recommender
            .path_to(&learner, goal.as_str(), now)?
            .steps
            .iter()
            .map(|s| {
                json!({"standard": curriculum[s.standard].id(), "mastery": s.mastery,
                       "opportunities": s.opportunities, "minutes": s.minutes})
            })
            .collect(),
        None => Vec::new(),
    };
    let wheel_spinning: Vec<_> = list
        .wheel_spinning
        .iter()
        .map(|w| json!({"standard": curriculum[w.standard].id(), "attempts": w.attempts, "mastery": w.mastery}))
        .collect();
    let out = json!({
        "learner": args.learner,
        "mastered": ids(&mastered),
        "ready": ids(&ready),
        "recommendations": recommendations,
        "path": path,
        "wheel_spinning": wheel_spinning,
        "shortfall": list.shortfall.as_ref().map(|s| s.explain(&curriculum)),
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}
