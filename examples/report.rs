//! Reports for a class: the class report, groupings, a progress report per
//! learner, and pictures.
//!
//! ```text
//! cargo run --release --example report -- --evidence responses.csv --out DIR
//!     [--standards F --id-col C] [--edges F --from C --to C] [--params F]
//!     [--learner ID] [--grade G] [--since T]
//! ```
//!
//! Evidence is a CSV in pyBKT's columns with `skill_name` = standard id and
//! `order_id` taken as the time in seconds. The focus is one grade (default
//! 4) of the curriculum (default: the embedded Common Core math standards).
//! Writes into DIR: `class-report.md`, `groups.json` (`{"groups": [{"learners":
//! [..], "focus": [..], "why": ".."}]}`), `progress-<learner>.md` and `.html`
//! (the period runs from `--since`, default the middle of the evidence's time
//! span, to the last evidence), `map-<learner>.svg` (mastery map of the focus
//! and its prerequisites) and `class-heatmap.svg` (learners x focus standards).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use mastery::cohort::{Cohort, ProgressReport};
use mastery::evidence::{ResponseColumns, read_responses_path};
use mastery::export::heatmap_svg;
use mastery::model::SkillParams;
use mastery::{Evidence, LearnerState, Model};
use ndarray::Array2;
use serde_json::json;

mod common;
use common::write;

#[derive(Parser)]
#[command(about = "Class report, groupings, progress reports and pictures for a class")]
struct Args {
    /// Evidence CSV (order_id, user_id, skill_name, correct).
    #[arg(long)]
    evidence: PathBuf,
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    curriculum: common::CurriculumArgs,
    /// Parameters per standard (JSON).
    #[arg(long)]
    params: Option<PathBuf>,
    /// Only this learner's progress report and map.
    #[arg(long)]
    learner: Option<String>,
    /// The focus grade.
    #[arg(long, default_value = "4")]
    grade: String,
    /// Start of the progress period (seconds).
    #[arg(long)]
    since: Option<i64>,
}

fn main() -> ExitCode {
    common::main(|| run(Args::parse()))
}

/// A file name for a learner id: letters, digits, '-' and '_' kept.
fn slug(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let curriculum = args.curriculum.load()?;
    let mut builder = Model::builder(curriculum.clone());
    if let Some(path) = &args.params {
        for (standard, p) in SkillParams::from_path(path)?.params {
            builder = builder.standard_params(standard, p);
        }
    }
    let model = builder.build()?;
    let rows = read_responses_path(&args.evidence, &ResponseColumns::default())?;
    if rows.is_empty() {
        return Err("no evidence rows".into());
    }
    let first = rows.iter().map(|r| r.order).min().unwrap_or(0);
    let last = rows.iter().map(|r| r.order).max().unwrap_or(0);
    let since = args.since.unwrap_or(first + (last - first) / 2);

    // Replay each learner's evidence: the state at `since` and at the end.
    let mut by_learner: BTreeMap<&str, Vec<Evidence>> = BTreeMap::new();
    for row in &rows {
        let e = Evidence::on_standard(&row.learner, &row.skill, row.outcome, row.order)?;
        by_learner.entry(row.learner.as_str()).or_default().push(e);
    }
    let mut starts = Vec::new();
    let mut ends = Vec::new();
    for (learner, evidence) in &by_learner {
        let mut state = LearnerState::new(&model, *learner)?;
        let (before, after): (Vec<Evidence>, Vec<Evidence>) = evidence
            .iter()
            .cloned()
            .partition(|e| e.timestamp() < since);
        state
            .apply_batch(&model, &before)
            .map_err(|e| format!("{}: learner {learner}: {e}", args.evidence.display()))?;
        starts.push(state.clone());
        state
            .apply_batch(&model, &after)
            .map_err(|e| format!("{}: learner {learner}: {e}", args.evidence.display()))?;
        ends.push(state);
    }
    std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;

    let class = Cohort::from_states(&model, &ends, last)?;
    let focus = class.grade(&args.grade);
    if focus.is_empty() {
        return Err(format!("the curriculum has no standards of grade {:?}", args.grade).into());
    }
    let report = class.class_report(&focus)?;
    write(
        &args.out,
        "class-report.md",
        &report.to_markdown(&curriculum, &format!("Class report: grade {}", args.grade)),
    )?;
    let grouping = class.group_by_need(&focus, 3, 6)?;
    let groups: Vec<_> = grouping
        .groups
        .iter()
        .map(|g| {
            json!({
                "learners": g.learners.iter().map(|&l| class.learners()[l].as_str()).collect::<Vec<_>>(),
                "focus": g.focus.iter().map(|&s| curriculum[s].id()).collect::<Vec<_>>(),
                "why": g.why,
            })
        })
        .collect();
    write(
        &args.out,
        "groups.json",
        &serde_json::to_string_pretty(&json!({ "groups": groups }))?,
    )?;

    // Pictures: the class heatmap, and per learner the map of the focus and its prerequisites.
    let columns: Vec<_> = curriculum.in_order(&focus);
    let values = Array2::from_shape_fn((class.len(), columns.len()), |(l, j)| {
        class.mastery()[[l, columns[j].index()]]
    });
    let column_labels: Vec<String> = columns
        .iter()
        .map(|&s| curriculum[s].id().to_owned())
        .collect();
    let heatmap = heatmap_svg(
        class.learners(),
        &column_labels,
        values.view(),
        &format!("Grade {} mastery by learner", args.grade),
    )?;
    write(&args.out, "class-heatmap.svg", &heatmap)?;
    let map_curriculum = curriculum.induced(&curriculum.prerequisite_closure(&focus)?)?;
    for ((start, end), learner) in starts.iter().zip(&ends).zip(class.learners()) {
        if args.learner.as_ref().is_some_and(|l| l != learner) {
            continue;
        }
        let evidence = &by_learner[learner.as_str()];
        let goals: Vec<&str> = columns
            .iter()
            .rev()
            .take(1)
            .map(|&s| curriculum[s].id())
            .collect();
        let progress = ProgressReport::new(&model, start, end, evidence, since, last, &goals)?;
        write(
            &args.out,
            &format!("progress-{}.md", slug(learner)),
            &progress.to_markdown(&curriculum),
        )?;
        write(
            &args.out,
            &format!("progress-{}.html", slug(learner)),
            &progress.to_html(&curriculum),
        )?;
        let svg = common::learner_map(
            &model,
            end,
            &map_curriculum,
            last,
            &format!("{learner}: grade {} and what it builds on", args.grade),
        )?;
        write(&args.out, &format!("map-{}.svg", slug(learner)), &svg)?;
    }
    println!(
        "{}",
        json!({
            "learners": class.len(),
            "focus_standards": focus.len(),
            "groups": grouping.groups.len(),
            "out": args.out.display().to_string(),
        })
    );
    Ok(())
}
