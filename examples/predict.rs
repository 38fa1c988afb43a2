//! One-step-ahead BKT predictions for a response log, comparable with pyBKT.
//!
//! ```text
//! cargo run --release --example predict -- --params params.json --input responses.csv
//!     [--out predictions.csv] [--item-col COL] [--threads N] [--skip-bad-rows]
//!     [--unknown-skills half] [--read-whole] [--timings]
//! ```
//!
//! Reads per-skill parameters as `{"params": {"<skill>": {"prior": p, "learn": t,
//! "forget": f, "guess": g, "slip": s}}}` (with per-item guesses and slips
//! under `"items"` when `fit` ran with `--item-col`; pass the same
//! `--item-col` here to use them) and a CSV with pyBKT's columns
//! (order_id, user_id, skill_name, correct), and writes CSV (to stdout, or
//! `--out`), one line per used input row in file order:
//! `order_id,user_id,skill_name,correct,p_correct,p_mastery`. `p_correct` is
//! predicted before the row is seen, from the learner's earlier rows on the
//! skill in `order_id` order (as pyBKT sorts them); `p_mastery` is the estimate
//! after it (posterior, then the learn/forget transition). Plain BKT: no
//! decay, no propagation, so the figures equal pyBKT's `predict`.
//!
//! With `--out`, a log in order_id order (as logs are exported) streams
//! through [`mastery::fit::predict_csv`]: read in blocks, parsed, predicted
//! by learner and formatted in parallel, in bounded memory. A log out of
//! order (or with quoted fields) is then read whole instead, as it is
//! without `--out` or with `--read-whole`: by the fit loader (chunks parsed
//! in parallel), predicted by [`mastery::fit::predict`] (skills and learners
//! in parallel), and written by formatting chunks of rows in parallel. Either
//! way each probability is written as its shortest round-trip decimal.
//! `--timings` prints the phases on stderr.

use std::borrow::Cow;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, ValueEnum};
use mastery::fit::{
    BadRows, CsvPredictReport, Dataset, DatasetOptions, PredictOptions, PredictParams, Predictions,
    UnknownSkill, predict, predict_csv,
};
use mastery::model::SkillParams;
use rayon::prelude::*;

#[derive(Clone, Copy, ValueEnum)]
enum Unknown {
    /// Fail on a skill without parameters.
    Error,
    /// Predict 0.5 for its rows, as pyBKT does.
    Half,
}

#[derive(Parser)]
#[command(about = "One-step-ahead BKT predictions for a response log (pyBKT's predict)")]
struct Args {
    /// Per-skill parameters (JSON).
    #[arg(long)]
    params: PathBuf,
    /// Responses CSV with order_id, user_id, skill_name, correct.
    #[arg(long)]
    input: PathBuf,
    /// Write the predictions here instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Item (template) column, to use the parameters' per-item guess and
    /// slip (written by `fit --item-col`); unseen items use the skill's.
    #[arg(long)]
    item_col: Option<String>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Skip malformed rows (reported on stderr) instead of failing.
    #[arg(long)]
    skip_bad_rows: bool,
    /// Rows of skills without parameters.
    #[arg(long, value_enum, default_value = "error")]
    unknown_skills: Unknown,
    /// Print the time of each phase on stderr.
    #[arg(long)]
    timings: bool,
    /// Read the whole log before predicting, even with `--out` (by
    /// default a log in order_id order written to a file is streamed).
    #[arg(long)]
    read_whole: bool,
}

mod common;

fn main() -> ExitCode {
    common::main(|| run(Args::parse()))
}

/// Rows formatted per parallel piece, and pieces per write.
const ROWS_PER_PIECE: usize = 16_384;
const PIECES_PER_WRITE: usize = 16;

fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(threads) = args.threads {
        pool = pool.num_threads(threads);
    }
    let pool = pool.build()?;
    pool.install(|| predict_file(&args))
        .map_err(|e| -> Box<dyn std::error::Error> { e })
}

fn predict_file(args: &Args) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let started = Instant::now();
    let mut phase = started;
    let mut lap = |name: &str| {
        if args.timings {
            let now = Instant::now();
            eprintln!("{name}: {:.1} ms", (now - phase).as_secs_f64() * 1e3);
            phase = now;
        }
    };
    let skill_params = SkillParams::from_path(&args.params)?;
    if args.item_col.is_none() && !skill_params.items.is_empty() {
        eprintln!(
            "{}: per-item guess and slip for {} skills are not used without --item-col \
             (predicting with each skill's averages)",
            args.params.display(),
            skill_params.items.len()
        );
    }
    let params = PredictParams::from(&skill_params);
    let mut options = DatasetOptions::default()
        .bad_rows(if args.skip_bad_rows {
            BadRows::Skip
        } else {
            BadRows::Fail
        })
        .keep_row_keys(true);
    if let Some(col) = &args.item_col {
        options = options.item_column(col.clone());
    }
    let unknown = match args.unknown_skills {
        Unknown::Error => UnknownSkill::Reject,
        Unknown::Half => UnknownSkill::PredictHalf,
    };
    if let (Some(out), false) = (&args.out, args.read_whole) {
        match stream(args, out, &params, &options, unknown) {
            Err(mastery::Error::NotStreamable { at, reason }) => {
                eprintln!("{at}{reason}: reading the log whole instead of streaming it");
            }
            Err(e @ mastery::Error::UnknownSkill { .. }) => {
                return Err(format!("{e} in {}", args.params.display()).into());
            }
            Err(e) => return Err(e.into()),
            Ok(report) => {
                common::report_skipped(&args.input, &report.load);
                if report.unpredicted > 0 {
                    eprintln!(
                        "{} rows of skills without parameters predicted as 0.5",
                        report.unpredicted
                    );
                }
                lap("read, predict and write (streamed)");
                return Ok(());
            }
        }
    }
    let (data, report) = Dataset::from_path(&args.input, &options)?;
    common::report_skipped(&args.input, &report);
    lap("read");
    let predictions = predict(
        &data,
        &params,
        &PredictOptions::default().unknown_skill(unknown),
    )
    .map_err(|e| match e {
        mastery::Error::UnknownSkill { .. } => {
            format!("{}: {e} in {}", args.input.display(), args.params.display())
        }
        e => e.to_string(),
    })?;
    if predictions.unpredicted() > 0 {
        eprintln!(
            "{} rows of skills without parameters predicted as 0.5",
            predictions.unpredicted()
        );
    }
    lap("predict");
    match &args.out {
        Some(path) => {
            let file =
                std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
            write_csv(&data, &predictions, file).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        None => match write_csv(&data, &predictions, std::io::stdout()) {
            // Output cut short by a closed pipe (`... | head`): end quietly.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other?,
        },
    }
    lap("write");
    Ok(())
}

/// Predicts a log in order_id order as it streams (`fit::predict_csv`).
fn stream(
    args: &Args,
    out: &Path,
    params: &PredictParams,
    options: &DatasetOptions,
    unknown: UnknownSkill,
) -> mastery::Result<CsvPredictReport> {
    let open_error = |path: &Path, source| mastery::Error::Io {
        file: path.display().to_string().into(),
        source,
    };
    let input = std::fs::File::open(&args.input).map_err(|e| open_error(&args.input, e))?;
    let output = std::fs::File::create(out).map_err(|e| open_error(out, e))?;
    predict_csv(
        &args.input.display().to_string(),
        input,
        output,
        params,
        options,
        &PredictOptions::default().unknown_skill(unknown),
    )
    .map_err(|e| match e {
        mastery::Error::Io { file, source } if &*file == "output" => open_error(out, source),
        other => other,
    })
}

/// `field` as a CSV field: quoted (quotes doubled) when it holds a comma, a
/// quote or a line break, as the csv crate writes it.
fn quoted(field: &str) -> Cow<'_, str> {
    if field.contains([',', '"', '\n', '\r']) {
        Cow::Owned(format!("\"{}\"", field.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(field)
    }
}

/// Writes the header and one line per row: batches of rows formatted in
/// parallel pieces while a writer thread writes the previous batch.
fn write_csv(data: &Dataset, p: &Predictions, out: impl Write + Send) -> std::io::Result<()> {
    let keys = data.row_keys().unwrap_or(&[]);
    let outcomes = data.outcomes();
    let names: Vec<Cow<'_, str>> = data.skills().iter().map(|s| quoted(s.name())).collect();
    let learners: Vec<Cow<'_, str>> = data.learners().iter().map(|l| quoted(l)).collect();
    let rows = keys.len();
    let batch = ROWS_PER_PIECE * PIECES_PER_WRITE;
    let (full, empty) = (
        std::sync::mpsc::sync_channel::<Vec<Vec<u8>>>(1),
        std::sync::mpsc::sync_channel::<Vec<Vec<u8>>>(2),
    );
    let (to_writer, from_formatter) = full;
    let (to_formatter, recycled) = empty;
    for _ in 0..2 {
        // Two sets of buffers: one being written, one being filled.
        let _ = to_formatter.send(vec![Vec::new(); PIECES_PER_WRITE]);
    }
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || -> std::io::Result<()> {
            let mut out = out;
            out.write_all(b"order_id,user_id,skill_name,correct,p_correct,p_mastery\n")?;
            for buffers in from_formatter {
                for buffer in &buffers {
                    out.write_all(buffer)?;
                }
                // The formatter may be gone after an error: then nothing needs the buffers.
                let _ = to_formatter.send(buffers);
            }
            out.flush()
        });
        for batch_start in (0..rows).step_by(batch) {
            let Ok(mut buffers) = recycled.recv() else {
                break; // the writer stopped on an error, returned below
            };
            buffers
                .par_iter_mut()
                .enumerate()
                .for_each(|(piece, buffer)| {
                    buffer.clear();
                    let start = (batch_start + piece * ROWS_PER_PIECE).min(rows);
                    let end = (start + ROWS_PER_PIECE).min(rows).min(batch_start + batch);
                    let mut int = itoa::Buffer::new();
                    let mut float = zmij::Buffer::new();
                    for r in start..end {
                        let key = &keys[r];
                        buffer.extend_from_slice(int.format(key.order_id()).as_bytes());
                        buffer.push(b',');
                        buffer.extend_from_slice(learners[key.learner() as usize].as_bytes());
                        buffer.push(b',');
                        buffer.extend_from_slice(names[key.skill() as usize].as_bytes());
                        buffer.extend_from_slice(if outcomes[r] { b",1," } else { b",0," });
                        buffer.extend_from_slice(float.format(p.p_correct()[r]).as_bytes());
                        buffer.push(b',');
                        buffer.extend_from_slice(float.format(p.p_mastery()[r]).as_bytes());
                        buffer.push(b'\n');
                    }
                });
            if to_writer.send(buffers).is_err() {
                break;
            }
        }
        drop(to_writer);
        writer
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("the writer thread panicked")))
    })
}
