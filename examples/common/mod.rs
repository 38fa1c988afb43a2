//! Pieces the example programs share: curriculum options, error exit,
//! writing files, and a learner's mastery map.

// Each example uses only some of these.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use mastery::export::{MapStatus, mastery_map_svg};
use mastery::{CsvLoader, Curriculum, LearnerState, Model};

/// Every example allocates with mimalloc: it keeps freed memory for reuse
/// (and in large pages), where glibc's malloc unmaps large blocks and the
/// next allocation faults every page in again. `predict` on a 2M-row log
/// spent a fifth of its time in page faults before.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Where the curriculum comes from (default: the embedded Common Core math standards).
#[derive(Args, Debug)]
pub struct CurriculumArgs {
    /// Standards CSV file.
    #[arg(long)]
    pub standards: Option<PathBuf>,
    /// Id column of the standards file.
    #[arg(long, default_value = "id")]
    pub id_col: String,
    /// Prerequisite edge-list CSV file (from -> to).
    #[arg(long)]
    pub edges: Option<PathBuf>,
    /// Prerequisite column of the edge file.
    #[arg(long, default_value = "from")]
    pub from: String,
    /// Dependent column of the edge file.
    #[arg(long, default_value = "to")]
    pub to: String,
}

impl CurriculumArgs {
    /// The curriculum from the files, or the embedded default without files.
    pub fn load(&self) -> Result<Curriculum, mastery::Error> {
        if self.standards.is_none() && self.edges.is_none() {
            return Ok(Curriculum::ccss_math());
        }
        let mut loader = CsvLoader::new()
            .id_column(&self.id_col)
            .edge_columns(&self.from, &self.to);
        if let Some(path) = &self.standards {
            loader = loader.standards_path(path);
        }
        if let Some(path) = &self.edges {
            loader = loader.edges_path(path);
        }
        loader.load()
    }
}

/// Runs an example's body: errors go to stderr with a non-zero exit; output
/// cut short by a closed pipe (`... | head`) ends the example quietly
/// instead of with a panic message from `println!`.
pub fn main(body: impl FnOnce() -> Result<(), Box<dyn std::error::Error>>) -> ExitCode {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default_hook(info);
    }));
    match body() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Writes `text` to `dir/name`, naming the file in any error.
pub fn write(dir: &Path, name: &str, text: &str) -> Result<(), Box<dyn std::error::Error>> {
    let path = dir.join(name);
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(())
}

/// A learner's mastery map over `map` (a sub-curriculum of the model's) at `now`:
/// mastered, almost there, ready to learn, or not yet.
pub fn learner_map(
    model: &Model,
    state: &LearnerState,
    map: &Curriculum,
    now: i64,
    title: &str,
) -> Result<String, Box<dyn std::error::Error>> {
    let curriculum = model.curriculum();
    let mastery = state.all_mastery_at(model, now)?;
    let all = MapStatus::from_estimates(curriculum, &mastery, model.levels().mastered())?;
    let mut values = Vec::with_capacity(map.len());
    let mut status = Vec::with_capacity(map.len());
    for s in map.standards() {
        let i = curriculum.index_of(s.id())?;
        values.push(mastery[i.index()]);
        status.push(all[i.index()]);
    }
    Ok(mastery_map_svg(map, &values, &status, title)?)
}

/// Peak resident memory of this process in MiB (Linux: VmHWM), if known.
pub fn peak_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// The simulator's truth for `population` over `curriculum` (the demo
/// catalog, the population's forgetting) and the model a deployment would
/// recommend with: the truth itself when `pilot` is 0, else parameters fitted
/// to a pilot cohort of `pilot` learners working toward `targets` (seeded
/// apart from `seed`).
#[cfg(feature = "sim")]
pub fn truth_and_model(
    curriculum: &Curriculum,
    population: &mastery::sim::Population,
    targets: &mastery::StandardSet,
    pilot: usize,
    seed: u64,
) -> Result<(Model, Model), mastery::Error> {
    truth_and_model_with(curriculum, population, targets, pilot, seed, (false, 1.0))
}

/// [`truth_and_model`], with learner ability fitted to the pilot and on in
/// the model when `ability` is set (it needs a pilot: without one the
/// untrained model has ability at its defaults), and the model's
/// prerequisite gating set to `gating` (1: none; the truth's learners gate
/// as their population says, whatever the model's factor).
pub fn truth_and_model_with(
    curriculum: &Curriculum,
    population: &mastery::sim::Population,
    targets: &mastery::StandardSet,
    pilot: usize,
    seed: u64,
    (ability, gating): (bool, f64),
) -> Result<(Model, Model), mastery::Error> {
    use mastery::Catalog;
    use mastery::sim::{Simulation, pilot_params, pilot_params_with_ability};
    let builder = || -> Result<mastery::ModelBuilder, mastery::Error> {
        Ok(Model::builder(curriculum.clone())
            .catalog(Catalog::demo(curriculum, 1))
            .decay(Some(population.decay()?)))
    };
    let truth = builder()?.build()?;
    if pilot == 0 {
        let model = if ability {
            builder()?
                .ability(Some(mastery::AbilityParams::default()))
                .prerequisite_gating(gating)
                .build()?
        } else if gating < 1.0 {
            builder()?.prerequisite_gating(gating).build()?
        } else {
            truth.clone()
        };
        return Ok((truth, model));
    }
    let cohort = Simulation {
        population: population.clone(),
        budget: 1000,
        per_day: 6,
        learners: pilot,
        seed: seed.wrapping_add(1_000_003),
    };
    let model = if ability {
        let (fitted, ability) = pilot_params_with_ability(&truth, targets, &cohort)?;
        builder()?
            .skill_params(&fitted)
            .ability(Some(ability))
            .prerequisite_gating(gating)
            .build()?
    } else {
        let fitted = pilot_params(&truth, targets, &cohort)?;
        builder()?
            .skill_params(&fitted)
            .prerequisite_gating(gating)
            .build()?
    };
    Ok((truth, model))
}

/// Prints the rows a loader skipped (the first 20 and how many more) on stderr.
#[cfg(feature = "fit")]
pub fn report_skipped(input: &Path, report: &mastery::fit::LoadReport) {
    if report.skipped.is_empty() {
        return;
    }
    eprintln!(
        "{}: skipped {} of {} rows:",
        input.display(),
        report.skipped.len(),
        report.rows_read
    );
    for row in report.skipped.iter().take(20) {
        eprintln!("  line {}: {}", row.line, row.reason);
    }
    if report.skipped.len() > 20 {
        eprintln!("  ... and {} more", report.skipped.len() - 20);
    }
}
