//! Summarizes a curriculum graph as one JSON object.
//!
//! ```text
//! cargo run --release --example curriculum -- [--standards FILE --id-col COL]
//!     [--edges FILE --from COL --to COL] [--dot FILE]
//! ```
//!
//! With no files it uses the embedded Common Core math graph. Prints
//! `{"standards": N, "prerequisites": M, "sources": S, "sinks": K,
//! "longest_path": L, "redundant_prerequisites": R}`, where `longest_path`
//! counts the standards on the longest prerequisite chain. On invalid input it
//! prints the error on stderr and exits with status 1.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use mastery::export::{DotOptions, to_dot};

mod common;

#[derive(Parser)]
#[command(about = "Summarize a curriculum graph (default: embedded Common Core math)")]
struct Args {
    #[command(flatten)]
    curriculum: common::CurriculumArgs,
    /// Also write the graph as Graphviz DOT to this file.
    #[arg(long)]
    dot: Option<PathBuf>,
}

fn main() -> ExitCode {
    common::main(|| run(Args::parse()))
}

fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let curriculum = args.curriculum.load()?;

    if let Some(path) = &args.dot {
        let dot = to_dot(&curriculum, &DotOptions::new().group_by_grade(true))?;
        std::fs::write(path, dot).map_err(|e| format!("{}: {e}", path.display()))?;
    }

    let summary = serde_json::json!({
        "standards": curriculum.len(),
        "prerequisites": curriculum.prerequisite_count(),
        "sources": curriculum.sources().len(),
        "sinks": curriculum.sinks().len(),
        "longest_path": curriculum.longest_chain().len(),
        "redundant_prerequisites": curriculum.redundant_prerequisites().len(),
    });
    println!("{summary}");
    Ok(())
}
