//! Fits every model the crate offers on a training log and compares their
//! one-step-ahead predictions on a test log (or by K-fold cross-validation
//! by learner on the training log).
//!
//! ```text
//! cargo run --release --example evaluate -- --train train.csv --test test.csv
//!     [--format csv|kt3] [--cv K] [--item-col COL] [--restarts N] [--seed S]
//!     [--threads N] [--markdown] [--l2 X] [--skill-decays 0.3,0.7]
//!     [--global-decays 0.8] [--no-skill-slopes] [--only NAME,..]
//! ```
//!
//! Input: pyBKT's CSV columns (order_id, user_id, skill_name, correct), or
//! with `--format kt3` the 3-line knowledge-tracing format (DKVMN / pyKT
//! splits). Every test response is predicted before it is seen from the
//! test learner's own earlier responses (as pyBKT's `predict`); test
//! learners are new learners. Test responses on skills the training log
//! does not have are left out of every model's metrics (`rows_skipped`).
//!
//! Prints one JSON object on stdout, `{"mode": "test"|"cv", ..., "models":
//! [{"model": .., "auc": .., "rmse": .., "log_loss": .., "accuracy": ..,
//! "ece": .., "seconds": ..}]}` (with `--cv`, each metric is the mean over
//! folds and `auc_sd` their standard deviation), and a Markdown table on
//! stderr (`--markdown`: on stdout after the JSON).
//!
//! The models are the entries of [`models`]: one more model is one more entry.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, ValueEnum};
use mastery::fit::metrics::{Metrics, kfold_by_learner};
use mastery::fit::{
    Blend, Dataset, DatasetOptions, FitConfig, Forgetting, PerformanceConfig, PerformanceModel,
    PredictParams, fit, fit_ability, predict_with_ability,
};

/// mimalloc, as the other examples (see `examples/common`, which needs the
/// `export` feature this example does without).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// pyBKT's CSV columns.
    Csv,
    /// Three lines per learner: count, ids, 0/1 answers.
    Kt3,
}

#[derive(Parser)]
#[command(about = "Compare every model of the crate on a response log")]
struct Args {
    /// Training log.
    #[arg(long)]
    train: PathBuf,
    /// Test log (new learners), scored one step ahead.
    #[arg(long, required_unless_present = "cv")]
    test: Option<PathBuf>,
    /// Input format.
    #[arg(long, value_enum, default_value = "csv")]
    format: Format,
    /// K-fold cross-validation by learner on the training log instead of a test log.
    #[arg(long)]
    cv: Option<usize>,
    /// Item (template) column (CSV only): per-item BKT and item intercepts.
    #[arg(long)]
    item_col: Option<String>,
    /// EM restarts per skill for the BKT models.
    #[arg(long, default_value_t = 5)]
    restarts: usize,
    /// Seed of the restarts and of the folds.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Print the Markdown table on stdout too.
    #[arg(long)]
    markdown: bool,
    /// Performance model: L2 strength.
    #[arg(long)]
    l2: Option<f64>,
    /// Performance model: recency rates per attempt on a skill, comma-separated
    /// ("" for none).
    #[arg(long)]
    skill_decays: Option<String>,
    /// Performance model: recency rates across skills, comma-separated ("" for none).
    #[arg(long)]
    global_decays: Option<String>,
    /// Only the models whose name contains one of these (comma-separated).
    #[arg(long)]
    only: Option<String>,
    /// Performance model: no per-skill slopes.
    #[arg(long)]
    no_skill_slopes: bool,
}

type Predictor = Box<dyn Fn(&Dataset) -> Result<Vec<f64>, mastery::Error>>;
type Fitter = Box<dyn Fn(&Dataset) -> Result<Predictor, mastery::Error>>;

/// One model of the comparison: its name and how to fit it to a training
/// log into something that predicts a test log.
struct Entry {
    name: &'static str,
    /// Only for logs with an item column.
    needs_items: bool,
    fit: Fitter,
}

fn bkt(config: FitConfig) -> Result<Fitter, mastery::Error> {
    let config = config.validate()?;
    Ok(Box::new(move |train: &Dataset| {
        let report = fit(train, &config)?;
        Ok(Box::new(move |test: &Dataset| report.predict(test)) as Predictor)
    }))
}

/// BKT, then learner ability chosen on the training log
/// ([`fit_ability`]); test learners' abilities are estimated online from
/// their own earlier answers.
fn bkt_with_ability(config: FitConfig) -> Result<Fitter, mastery::Error> {
    let config = config.validate()?;
    Ok(Box::new(move |train: &Dataset| {
        let report = fit(train, &config)?;
        let params = PredictParams::from_fit(&report);
        let chosen = fit_ability(train, &params)?;
        eprintln!(
            "  ability: spread {:.3}, learning weight {:.2} (train log-likelihood {:.1} vs {:.1} without)",
            chosen.params.prior_sd(),
            chosen.params.learn_weight(),
            chosen.log_likelihood,
            chosen.log_likelihood_without
        );
        let ability = chosen.params;
        Ok(
            Box::new(move |test: &Dataset| predict_with_ability(test, &params, Some(&ability)))
                as Predictor,
        )
    }))
}

fn performance(config: PerformanceConfig) -> Result<Fitter, mastery::Error> {
    let config = config.validate()?;
    Ok(Box::new(move |train: &Dataset| {
        let model = PerformanceModel::fit(train, &config)?;
        let s = model.summary();
        eprintln!(
            "  performance fit: {} weights, {} iterations, converged {}",
            s.weights, s.iterations, s.converged
        );
        Ok(
            Box::new(move |test: &Dataset| model.predict(test).map(|p| p.into_p_correct()))
                as Predictor,
        )
    }))
}

/// Folds of the blend's out-of-fold predictions.
const BLEND_FOLDS: usize = 3;

/// Logistic regression on the logits of two models (stacking): fitted on
/// their out-of-fold predictions for the training log (3 folds by
/// learner, each predicted by models fitted on the other two), then the
/// two models are fitted on the whole training log.
fn blend(first: Fitter, second: Fitter, seed: u64) -> Fitter {
    Box::new(move |train: &Dataset| {
        // Each row's learner and skill.
        let mut row_learner = vec![0u32; train.len()];
        let mut row_skill = vec![0usize; train.len()];
        for (k, skill) in train.skills().iter().enumerate() {
            for s in 0..skill.sequence_count() {
                for &r in skill.sequence_rows(s) {
                    row_learner[r as usize] = skill.sequence_learner(s);
                    row_skill[r as usize] = k;
                }
            }
        }
        let folds = kfold_by_learner(train.learners(), BLEND_FOLDS, seed)?;
        let outcomes = train.outcomes();
        let (mut pa, mut pb, mut y) = (Vec::new(), Vec::new(), Vec::new());
        for fold in 0..BLEND_FOLDS {
            let fit_on = train.subset(|_| true, |l| folds[l as usize] != fold);
            let known = |name: &str| fit_on.skill(name).is_some();
            let held = train.subset(known, |l| folds[l as usize] == fold);
            pa.extend(first(&fit_on)?(&held)?);
            pb.extend(second(&fit_on)?(&held)?);
            // The held-out rows, in the order `subset` keeps them.
            y.extend((0..train.len()).filter_map(|r| {
                let in_fold = folds[row_learner[r] as usize] == fold;
                (in_fold && known(train.skills()[row_skill[r]].name())).then_some(outcomes[r])
            }));
        }
        let weights = Blend::fit(&pa, &pb, &y)?;
        let (a, b) = (first(train)?, second(train)?);
        Ok(
            Box::new(move |test: &Dataset| Ok(weights.predict_all(&a(test)?, &b(test)?)))
                as Predictor,
        )
    })
}

/// Every model the crate offers, in the order of the table.
fn models(args: &Args) -> Result<Vec<Entry>, Box<dyn std::error::Error>> {
    let base = FitConfig::default().restarts(args.restarts).seed(args.seed);
    let mut perf = PerformanceConfig::default();
    if let Some(l2) = args.l2 {
        perf = perf.l2(l2);
    }
    let rates = |list: &str| -> Result<Vec<f64>, std::num::ParseFloatError> {
        list.split(',')
            .filter(|r| !r.trim().is_empty())
            .map(|r| r.trim().parse())
            .collect()
    };
    if let Some(list) = &args.skill_decays {
        perf = perf.skill_decays(rates(list)?);
    }
    if let Some(list) = &args.global_decays {
        perf = perf.global_decays(rates(list)?);
    }
    perf = perf.per_skill_slopes(!args.no_skill_slopes);
    Ok(vec![
        Entry {
            name: "BKT",
            needs_items: false,
            fit: bkt(base.clone())?,
        },
        Entry {
            name: "BKT + forgets",
            needs_items: false,
            fit: bkt(base.clone().forgetting(Forgetting::Fitted))?,
        },
        Entry {
            name: "BKT + per-item guess/slip",
            needs_items: true,
            fit: bkt(base.clone().item_guess_slip(true))?,
        },
        Entry {
            name: "BKT + ability",
            needs_items: false,
            fit: bkt_with_ability(base.clone())?,
        },
        Entry {
            name: "BKT + forgets + ability",
            needs_items: false,
            fit: bkt_with_ability(base.clone().forgetting(Forgetting::Fitted))?,
        },
        Entry {
            name: "performance (logistic)",
            needs_items: false,
            fit: performance(perf.clone())?,
        },
        Entry {
            name: "blend (BKT + forgets, performance)",
            needs_items: false,
            fit: blend(
                bkt(base.forgetting(Forgetting::Fitted))?,
                performance(perf)?,
                args.seed,
            ),
        },
    ])
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

fn load(path: &PathBuf, args: &Args) -> Result<Dataset, Box<dyn std::error::Error>> {
    let data = match args.format {
        Format::Csv => {
            let mut options = DatasetOptions::default().keep_row_keys(true);
            if let Some(col) = &args.item_col {
                options = options.item_column(col.clone());
            }
            Dataset::from_path(path, &options)?.0
        }
        Format::Kt3 => Dataset::from_kt3_path(path)?,
    };
    Ok(data)
}

/// Metrics of one model on one split, with its time.
struct Score {
    metrics: Metrics,
    seconds: f64,
}

/// Per entry its score (`None`: not applicable), and the test rows left out.
type SplitScores = (Vec<Option<Score>>, usize);

/// Fits every applicable entry on `train` and scores `test` (restricted to
/// the skills of `train`).
fn score_split(
    entries: &[Entry],
    train: &Dataset,
    test: &Dataset,
) -> Result<SplitScores, Box<dyn std::error::Error>> {
    let known = test.subset(|name| train.skill(name).is_some(), |_| true);
    let skipped = test.len() - known.len();
    let has_items = train
        .skills()
        .iter()
        .any(|s| s.items().iter().any(|i| !i.is_empty()));
    let outcomes = known.outcomes();
    let mut scores = Vec::new();
    for entry in entries {
        if entry.needs_items && !has_items {
            scores.push(None);
            continue;
        }
        let started = Instant::now();
        let predictor = (entry.fit)(train)?;
        let p = predictor(&known)?;
        let seconds = started.elapsed().as_secs_f64();
        scores.push(Some(Score {
            metrics: Metrics::compute(&p, &outcomes)?,
            seconds,
        }));
        eprintln!("  {}: {:.1} s", entry.name, seconds);
    }
    Ok((scores, skipped))
}

fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(threads) = args.threads {
        pool = pool.num_threads(threads);
    }
    let pool = pool.build()?;
    pool.install(|| evaluate(&args).map_err(|e| e.to_string()))?;
    Ok(())
}

fn evaluate(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let mut entries = models(args)?;
    if let Some(only) = &args.only {
        entries.retain(|e| only.split(',').any(|o| e.name.contains(o.trim())));
    }
    let train = load(&args.train, args)?;
    // Per entry: the metrics of every split (one, or one per fold).
    let mut per_entry: Vec<Vec<Score>> = entries.iter().map(|_| Vec::new()).collect();
    let mut summary = serde_json::json!({
        "train": args.train.display().to_string(),
        "train_rows": train.len(),
        "train_learners": train.learners().len(),
        "skills": train.skills().len(),
    });
    if let Some(k) = args.cv {
        let folds = kfold_by_learner(train.learners(), k, args.seed)?;
        let mut skipped = 0;
        for fold in 0..k {
            eprintln!("fold {}/{k}", fold + 1);
            let fit_on = train.subset(|_| true, |l| folds[l as usize] != fold);
            let test = train.subset(|_| true, |l| folds[l as usize] == fold);
            let (scores, s) = score_split(&entries, &fit_on, &test)?;
            skipped += s;
            for (all, score) in per_entry.iter_mut().zip(scores) {
                all.extend(score);
            }
        }
        summary["mode"] = "cv".into();
        summary["folds"] = k.into();
        summary["rows_skipped"] = skipped.into();
    } else {
        let test_path = args.test.as_ref().ok_or("--test or --cv is required")?;
        let test = load(test_path, args)?;
        let (scores, skipped) = score_split(&entries, &train, &test)?;
        for (all, score) in per_entry.iter_mut().zip(scores) {
            all.extend(score);
        }
        summary["mode"] = "test".into();
        summary["test"] = test_path.display().to_string().into();
        summary["test_rows"] = (test.len() - skipped).into();
        summary["rows_skipped"] = skipped.into();
    }

    let mut rows = Vec::new();
    let mut table = String::from(
        "| model | AUC | RMSE | log-loss | accuracy | ECE | seconds |\n|---|---|---|---|---|---|---|\n",
    );
    for (entry, scores) in entries.iter().zip(&per_entry) {
        if scores.is_empty() {
            rows.push(serde_json::json!({"model": entry.name, "skipped": "needs an item column"}));
            continue;
        }
        let n = scores.len() as f64;
        let mean = |f: &dyn Fn(&Score) -> f64| scores.iter().map(f).sum::<f64>() / n;
        let aucs: Vec<f64> = scores.iter().filter_map(|s| s.metrics.auc).collect();
        let auc = aucs.iter().sum::<f64>() / aucs.len().max(1) as f64;
        let auc_sd = (aucs.iter().map(|a| (a - auc).powi(2)).sum::<f64>()
            / (aucs.len().max(2) - 1) as f64)
            .sqrt();
        let (rmse, log_loss) = (mean(&|s| s.metrics.rmse), mean(&|s| s.metrics.log_loss));
        let (accuracy, ece) = (mean(&|s| s.metrics.accuracy), mean(&|s| s.metrics.ece));
        let seconds = mean(&|s| s.seconds);
        let mut row = serde_json::json!({
            "model": entry.name, "auc": auc, "rmse": rmse, "log_loss": log_loss,
            "accuracy": accuracy, "ece": ece, "seconds": seconds,
        });
        if scores.len() > 1 {
            row["auc_sd"] = auc_sd.into();
        }
        rows.push(row);
        table += &format!(
            "| {} | {auc:.4} | {rmse:.4} | {log_loss:.4} | {accuracy:.4} | {ece:.4} | {seconds:.1} |\n",
            entry.name
        );
    }
    summary["models"] = rows.into();
    println!("{summary}");
    eprint!("{table}");
    if args.markdown {
        print!("{table}");
    }
    Ok(())
}
