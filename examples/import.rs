//! Brings in standards from IMS CASE and evidence from xAPI.
//!
//! ```text
//! cargo run --release --example import -- --case FILE [--out FILE] [--skip-dangling]
//!     [--standard-types Standard,Component]
//! cargo run --release --example import -- --xapi FILE --alignment FILE [--case FILE]
//! ```
//!
//! `--case` alone prints the framework's summary as JSON (as the `curriculum`
//! example does, plus the CASE items, links and left-out associations) and,
//! with `--out`, writes the curriculum in the crate's JSON form.
//!
//! `--xapi` reads statements (a JSON array or JSON lines) through the
//! alignment (`{"standards": {IRI: id}, "activities": {IRI: id}}`), applies
//! the evidence on standards to one learner state per learner (curriculum:
//! `--case`, else the embedded Common Core), and prints the counts of
//! evidence made, skipped statements by reason, ignored verbs, and per
//! learner the evidence applied, the standards mastered and the mean mastery
//! of the standards practiced. On invalid input it prints the error on
//! stderr and exits with status 1.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use mastery::curriculum::case::{CaseOptions, DanglingAssociations};
use mastery::evidence::xapi::{Alignment, SkipReason, XapiReader};
use mastery::{Curriculum, LearnerState, Model, Target};
use serde_json::json;

mod common;

#[derive(Parser)]
#[command(about = "Import standards from IMS CASE and evidence from xAPI statements")]
struct Args {
    /// A CASE 1.0 CFPackage (JSON).
    #[arg(long)]
    case: Option<PathBuf>,
    /// Write the CASE framework as the crate's curriculum JSON to this file.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Skip and report associations that point outside the package instead of failing.
    #[arg(long)]
    skip_dangling: bool,
    /// The CFItemTypes that count as standards (comma-separated; default: Standard).
    #[arg(long, value_delimiter = ',')]
    standard_types: Vec<String>,
    /// xAPI statements: a JSON array or JSON lines.
    #[arg(long, requires = "alignment")]
    xapi: Option<PathBuf>,
    /// The alignment of activity IRIs to standards and activities (JSON).
    #[arg(long)]
    alignment: Option<PathBuf>,
}

fn main() -> ExitCode {
    common::main(|| run(Args::parse()))
}

fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let mut options = CaseOptions::new();
    if args.skip_dangling {
        options = options.dangling(DanglingAssociations::SkipAndReport);
    }
    if !args.standard_types.is_empty() {
        options = options.standard_types(args.standard_types.clone());
    }
    let framework = args
        .case
        .as_ref()
        .map(|p| options.read_path(p))
        .transpose()?;
    let curriculum = framework
        .as_ref()
        .map_or_else(Curriculum::ccss_math, |f| f.curriculum().clone());

    let Some(xapi) = &args.xapi else {
        let Some(framework) = &framework else {
            return Err("give --case FILE, or --xapi FILE --alignment FILE".into());
        };
        if let Some(out) = &args.out {
            std::fs::write(out, curriculum.to_json())
                .map_err(|e| format!("{}: {e}", out.display()))?;
        }
        let summary = json!({
            "title": framework.title(),
            "standards": curriculum.len(),
            "prerequisites": curriculum.prerequisite_count(),
            "sources": curriculum.sources().len(),
            "sinks": curriculum.sinks().len(),
            "longest_path": curriculum.longest_chain().len(),
            "redundant_prerequisites": curriculum.redundant_prerequisites().len(),
            "items": framework.hierarchy().len(),
            "top_level_items": framework.hierarchy().roots().count(),
            "links": framework.links().len(),
            "skipped_associations": framework.skipped(),
            "ignored_associations": framework.ignored_associations(),
        });
        println!("{summary}");
        return Ok(());
    };

    let alignment_path = args
        .alignment
        .as_ref()
        .ok_or("--xapi needs --alignment FILE")?;
    let text = std::fs::read_to_string(alignment_path)
        .map_err(|e| format!("{}: {e}", alignment_path.display()))?;
    let alignment = Alignment::from_json(&alignment_path.display().to_string(), &text)?;
    let batch = XapiReader::new(&alignment).read_path(xapi)?;

    let mut skipped: BTreeMap<&str, usize> = BTreeMap::new();
    for s in &batch.skipped {
        let kind = match s.reason {
            SkipReason::Malformed(_) => "malformed",
            SkipReason::BadStatementId => "bad_statement_id",
            SkipReason::UnsupportedActor(_) => "unsupported_actor",
            SkipReason::UnknownObject(_) => "unknown_object",
            SkipReason::NoOutcome => "no_outcome",
            SkipReason::BadScore(_) => "bad_score",
            SkipReason::BadTimestamp(_) => "bad_timestamp",
            SkipReason::Duplicate => "duplicate",
            SkipReason::Voided { .. } => "voided",
            _ => "other",
        };
        *skipped.entry(kind).or_insert(0) += 1;
    }

    // Apply the evidence on standards, per learner, in order.
    let model = Model::builder(curriculum.clone()).build()?;
    let mut states: BTreeMap<String, (LearnerState, usize, i64)> = BTreeMap::new();
    let mut not_applied: BTreeMap<String, usize> = BTreeMap::new();
    for e in &batch.evidence {
        let evidence = &e.evidence;
        if let Target::Activity(_) = evidence.target() {
            *not_applied
                .entry("on an activity (no catalog given)".into())
                .or_insert(0) += 1;
            continue;
        }
        if !states.contains_key(evidence.learner()) {
            let state = LearnerState::new(&model, evidence.learner())?;
            states.insert(
                evidence.learner().to_owned(),
                (state, 0, evidence.timestamp()),
            );
        }
        if let Some((state, applied, last)) = states.get_mut(evidence.learner()) {
            match state.apply(&model, evidence) {
                Ok(_) => {
                    *applied += 1;
                    *last = (*last).max(evidence.timestamp());
                }
                Err(err) => *not_applied.entry(err.to_string()).or_insert(0) += 1,
            }
        }
    }
    let mut learners = Vec::new();
    for (learner, (state, applied, last)) in &states {
        let practiced: Vec<_> = state
            .practice_records()
            .iter()
            .map(|r| r.standard())
            .collect();
        let mut sum = 0.0;
        for &s in &practiced {
            sum += state.mastery_at(&model, s, *last)?;
        }
        learners.push(json!({
            "learner": learner,
            "evidence_applied": applied,
            "standards_practiced": practiced.len(),
            "standards_mastered": state.mastered_at(&model, *last)?.len(),
            "mean_mastery_of_practiced": if practiced.is_empty() { 0.0 } else { sum / practiced.len() as f64 },
        }));
    }
    let summary = json!({
        "statements": batch.statements,
        "evidence": batch.evidence.len(),
        "skipped": skipped,
        "ignored_verbs": batch.ignored_verbs,
        "voiding_statements": batch.voiding,
        "not_applied": not_applied,
        "learners": learners,
    });
    println!("{summary}");
    Ok(())
}
