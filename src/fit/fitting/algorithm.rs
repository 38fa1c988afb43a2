//! Fitting: restarts, SQUAREM-accelerated EM per skill, skills in parallel, cross-validation.

use super::*;

/// Fits BKT to every skill of `data`; see [`fit_with_progress`].
///
/// ```
/// use mastery::fit::{Dataset, DatasetOptions, FitConfig, fit};
///
/// let mut csv = String::from("order_id,user_id,skill_name,correct\n");
/// for learner in 0..40 {
///     for t in 0..8 {
///         let correct = u8::from(t >= learner % 6); // learns after a few tries
///         csv += &format!("{},{learner},fractions,{correct}\n", learner * 8 + t);
///     }
/// }
/// let (data, _) = Dataset::from_reader("log.csv", csv.as_bytes(), &DatasetOptions::default())?;
/// let report = fit(&data, &FitConfig::default().seed(1).validate()?)?;
/// let params = report.skills[0].bkt_params()?;
/// assert!(params.learn() > 0.1 && params.guess() + params.slip() < 1.0);
/// # Ok::<(), mastery::Error>(())
/// ```
///
/// # Errors
/// None today for a loaded dataset; the `Result` leaves room for
/// cancellation.
pub fn fit(data: &Dataset, config: &ValidFitConfig) -> Result<FitReport> {
    fit_with_progress(data, config, &|_| {})
}

/// Fits BKT to every skill of `data` by EM with random restarts, skills in
/// parallel on the current rayon pool (and large skills split across
/// learners), calling `progress` after each skill. The result does not
/// depend on the number of threads. With one guess/slip per skill, each
/// distinct answer sequence is computed once per E-step, weighted by how
/// many learners gave it (exact: identical sequences have identical
/// expected counts; a 2M-row synthetic log has 1.22M rows in distinct
/// sequences).
///
/// Time O(restarts × iterations × responses in distinct sequences) (two
/// hidden states, so each response costs a constant), divided among the
/// pool's threads; memory O(responses).
///
/// # Errors
/// As [`fit`].
pub fn fit_with_progress(
    data: &Dataset,
    config: &ValidFitConfig,
    progress: &(dyn Fn(FitProgress) + Sync),
) -> Result<FitReport> {
    let config = &config.0;
    let skills_done = AtomicUsize::new(0);
    let responses_done = AtomicUsize::new(0);
    let skills_total = data.skills().len();
    let responses_total = data.len();
    let skills: Vec<SkillFit> = data
        .skills()
        .par_iter()
        .map(|skill| {
            let fitted = fit_skill(skill, config);
            let done = skills_done.fetch_add(1, Ordering::Relaxed) + 1;
            let rows = responses_done.fetch_add(skill.len(), Ordering::Relaxed) + skill.len();
            progress(FitProgress {
                skills_done: done,
                skills_total,
                responses_done: rows,
                responses_total,
            });
            fitted
        })
        .collect();
    let log_likelihood = skills.iter().map(|s| s.log_likelihood).sum();
    Ok(FitReport {
        skills,
        log_likelihood,
    })
}

/// SplitMix64: decorrelates the seeds of skills and restarts.
pub(super) fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

pub(super) fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// pyBKT's random initialization (`random_model_uni`): prior from
/// Beta(1, 100), learn U(0, 0.4), forget U(0, 1) when fitted, guess
/// U(0, 0.4), slip U(0, 0.3); then clamped to the bounds.
pub(super) fn initial(config: &FitConfig, items: usize, seed: u64) -> HmmParams {
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(seed);
    let u: f64 = rng.random();
    let mut p = HmmParams {
        prior: 1.0 - u.powf(0.01),
        learn: rng.random::<f64>() * 0.4,
        forget: if config.forgetting == Forgetting::Fitted {
            rng.random::<f64>()
        } else {
            0.0
        },
        guess: (0..items).map(|_| rng.random::<f64>() * 0.4).collect(),
        slip: (0..items).map(|_| rng.random::<f64>() * 0.3).collect(),
    };
    config.bounds.clamp_params(&mut p);
    p
}

/// Sequence ranges of about `shard_responses` responses each.
pub(super) fn shards(skill: &SkillData, shard_responses: usize) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    let mut start = 0;
    let mut size = 0;
    for s in 0..skill.sequence_count() {
        size += skill.sequence(s).len();
        if size >= shard_responses {
            ranges.push(start..s + 1);
            start = s + 1;
            size = 0;
        }
    }
    if start < skill.sequence_count() {
        ranges.push(start..skill.sequence_count());
    }
    ranges
}

pub(super) fn e_step(
    skill: &SkillData,
    multiplicity: &[u32],
    params: &HmmParams,
    shards: &[std::ops::Range<usize>],
) -> ExpectedCounts {
    if shards.len() <= 1 {
        let all = 0..skill.sequence_count();
        return ExpectedCounts::compute_unchecked(skill, params, all, multiplicity);
    }
    // Collect in shard order, then merge in that order: the same sums whatever the threads.
    let parts: Vec<ExpectedCounts> = shards
        .par_iter()
        .map(|r| ExpectedCounts::compute_unchecked(skill, params, r.clone(), multiplicity))
        .collect();
    let mut total = ExpectedCounts::default();
    for part in &parts {
        total.merge(part);
    }
    total
}

/// Plain EM from `params` until the log-likelihood changes by less than the
/// tolerance or the E-step budget is spent. Returns (params, log-likelihood,
/// E-steps, converged).
pub(super) fn plain_em(
    mut params: HmmParams,
    e: &dyn Fn(&HmmParams) -> ExpectedCounts,
    config: &FitConfig,
) -> (HmmParams, f64, usize, bool) {
    let mut previous = f64::NEG_INFINITY;
    let mut iterations = 0;
    loop {
        let counts = e(&params);
        iterations += 1;
        let ll = counts.log_likelihood;
        let converged = (ll - previous).abs() < config.tolerance;
        if converged || iterations >= config.max_iterations {
            return (params, ll, iterations, converged);
        }
        previous = ll;
        params = counts.maximize(
            &params,
            config.forgetting == Forgetting::Fitted,
            &config.bounds,
        );
    }
}

/// The parameters as one vector, for extrapolation.
pub(super) fn flatten(p: &HmmParams) -> Vec<f64> {
    let mut v = vec![p.prior, p.learn, p.forget];
    v.extend(&p.guess);
    v.extend(&p.slip);
    v
}

pub(super) fn unflatten(v: &[f64], items: usize) -> HmmParams {
    HmmParams {
        prior: v[0],
        learn: v[1],
        forget: v[2],
        guess: v[3..3 + items].to_vec(),
        slip: v[3 + items..3 + 2 * items].to_vec(),
    }
}

/// EM accelerated by SQUAREM (Varadhan & Roland 2008, scheme S3): two EM
/// steps give a direction, a squared extrapolation jumps along it, and one EM
/// step from the jump stabilizes it. If the jump lands on a lower likelihood
/// than the first EM step, the plain second EM step is kept instead, so the
/// likelihood never decreases. The iteration budget counts E-steps, as plain
/// EM's does.
pub(super) fn squarem(
    mut params: HmmParams,
    e: &dyn Fn(&HmmParams) -> ExpectedCounts,
    config: &FitConfig,
) -> (HmmParams, f64, usize, bool) {
    let items = params.guess.len();
    let m = |c: &ExpectedCounts, p: &HmmParams| {
        c.maximize(p, config.forgetting == Forgetting::Fitted, &config.bounds)
    };
    let mut counts = e(&params);
    let mut iterations = 1;
    let mut previous = f64::NEG_INFINITY;
    loop {
        let ll = counts.log_likelihood;
        let converged = (ll - previous).abs() < config.tolerance;
        if converged || iterations + 3 > config.max_iterations {
            // Finish with plain EM steps if budget remains but a cycle does not fit.
            if !converged && iterations < config.max_iterations {
                let (p, l, extra, c) = plain_em(
                    params,
                    e,
                    &FitConfig {
                        max_iterations: config.max_iterations - iterations + 1,
                        ..config.clone()
                    },
                );
                return (p, l, iterations - 1 + extra, c);
            }
            return (params, ll, iterations, converged);
        }
        previous = ll;
        let first = m(&counts, &params);
        let first_counts = e(&first);
        iterations += 1;
        // A plain EM step that barely moves ends the fit without extrapolating.
        if (first_counts.log_likelihood - ll).abs() < config.tolerance {
            return (first, first_counts.log_likelihood, iterations, true);
        }
        let second = m(&first_counts, &first);
        let (x0, x1, x2) = (flatten(&params), flatten(&first), flatten(&second));
        let r: Vec<f64> = x1.iter().zip(&x0).map(|(a, b)| a - b).collect();
        let v: Vec<f64> = x2
            .iter()
            .zip(&x1)
            .zip(&r)
            .map(|((a, b), r)| a - b - r)
            .collect();
        let (rr, vv) = (
            r.iter().map(|x| x * x).sum::<f64>(),
            v.iter().map(|x| x * x).sum::<f64>(),
        );
        let next = if vv > 1e-30 {
            let alpha = -(rr / vv).sqrt().max(1.0);
            let jump: Vec<f64> = x0
                .iter()
                .zip(&r)
                .zip(&v)
                .map(|((x, r), v)| (x - 2.0 * alpha * r + alpha * alpha * v).clamp(0.0, 1.0))
                .collect();
            let mut jump = unflatten(&jump, items);
            config.bounds.clamp_params(&mut jump);
            let jump_counts = e(&jump);
            iterations += 1;
            if jump_counts.log_likelihood >= first_counts.log_likelihood {
                m(&jump_counts, &jump)
            } else {
                second
            }
        } else {
            second
        };
        params = next;
        counts = e(&params);
        iterations += 1;
    }
}

/// The restarts of one skill in parallel, each from its own random start.
pub(super) fn restarts(
    config: &FitConfig,
    items: usize,
    base: u64,
    e: &(dyn Fn(&HmmParams) -> ExpectedCounts + Sync),
) -> Vec<(HmmParams, f64, usize, bool)> {
    (0..config.restarts)
        .into_par_iter()
        .map(|r| {
            let start = initial(config, items, mix(base.wrapping_add(r as u64)));
            if config.acceleration == Acceleration::Squarem {
                squarem(start, e, config)
            } else {
                plain_em(start, e, config)
            }
        })
        .collect()
}

pub(super) fn fit_skill(skill: &SkillData, config: &FitConfig) -> SkillFit {
    let items = if config.item_guess_slip {
        skill.items().len()
    } else {
        1
    };
    // Without KT-IDEM, fit one item; then identical sequences have identical
    // counts, and each distinct one is computed once, weighted, on blocks of
    // two sequences of similar length (see `SequenceBlocks`). (Before,
    // logs without an item column skipped the deduplication.)
    let base = mix(config.seed ^ name_hash(skill.name()));
    let runs: Vec<(HmmParams, f64, usize, bool)> = if items == skill.items().len() && items > 1 {
        let shards = shards(skill, config.shard_responses);
        let e = |p: &HmmParams| e_step(skill, &[], p, &shards);
        restarts(config, items, base, &e)
    } else {
        let (distinct, multiplicity) = skill.distinct_sequences();
        let blocks = SequenceBlocks::weighted(&distinct, &multiplicity);
        let shards = blocks.shards(config.shard_responses);
        let e = |p: &HmmParams| {
            if shards.len() <= 1 {
                return blocks.e_step(p, 0..blocks.len());
            }
            let parts: Vec<ExpectedCounts> = shards
                .par_iter()
                .map(|r| blocks.e_step(p, r.clone()))
                .collect();
            let mut total = ExpectedCounts::default();
            for part in &parts {
                total.merge(part);
            }
            total
        };
        restarts(config, items, base, &e)
    };
    let (restart, (params, log_likelihood, iterations, converged)) = runs
        .into_iter()
        .enumerate()
        .fold(
            None,
            |best: Option<(usize, (HmmParams, f64, usize, bool))>, (r, run)| match best {
                Some((_, ref b)) if b.1 >= run.1 => best,
                _ => Some((r, run)),
            },
        )
        .unwrap_or_else(|| {
            (
                0,
                (initial(config, items, base), f64::NEG_INFINITY, 0, false),
            )
        });
    let mut item_responses = vec![0.0; items];
    for s in 0..skill.sequence_count() {
        for &i in skill.sequence_items(s) {
            item_responses[(i as usize).min(items - 1)] += 1.0;
        }
    }
    SkillFit {
        skill: skill.name().to_owned(),
        params,
        items: if items == skill.items().len() {
            skill.items().to_vec()
        } else {
            vec![String::new()]
        },
        item_responses,
        log_likelihood,
        iterations,
        converged,
        restart,
        responses: skill.len(),
        sequences: skill.sequence_count(),
    }
}

/// k-fold cross-validation split by learner: for each fold, fit on the other
/// folds' learners and predict the fold's learners one step ahead (as
/// [`FitReport::predict`]), returning the fold's metrics. Folds come from
/// [`kfold_by_learner`](crate::fit::metrics::kfold_by_learner) with `seed`.
/// A skill that appears only in a test fold has no fitted parameters: its
/// rows are left out of that fold's metrics and counted in `rows_skipped`.
/// Time k × a [`fit`] of (k-1)/k of the data, plus O(rows log rows) for the
/// metrics.
///
/// ```
/// use mastery::fit::{Dataset, DatasetOptions, FitConfig, HmmParams, cross_validate, synthetic_log};
///
/// let truth = HmmParams { prior: 0.3, learn: 0.2, forget: 0.0, guess: vec![0.2], slip: vec![0.1] };
/// let csv = synthetic_log(&[("s".into(), truth)], 60, 5..=10, 1)?;
/// let (data, _) = Dataset::from_reader("s.csv", csv.as_bytes(), &DatasetOptions::default())?;
/// let folds = cross_validate(&data, &FitConfig::default().restarts(2).validate()?, 3, 7)?;
/// assert_eq!(folds.len(), 3);
/// assert_eq!(folds.iter().map(|f| f.metrics.rows + f.rows_skipped).sum::<usize>(), data.len());
/// assert!(folds.iter().all(|f| f.metrics.auc.unwrap_or(0.5) > 0.5));
/// # Ok::<(), mastery::Error>(())
/// ```
///
/// # Errors
/// As [`kfold_by_learner`](crate::fit::metrics::kfold_by_learner) (k < 2 or
/// more folds than learners), or a metrics error for a fold with no
/// predictable rows.
pub fn cross_validate(
    data: &Dataset,
    config: &ValidFitConfig,
    k: usize,
    seed: u64,
) -> Result<Vec<FoldResult>> {
    let folds = crate::fit::metrics::kfold_by_learner(data.learners(), k, seed)?;
    (0..k)
        .map(|fold| {
            let train = data.subset(|_| true, |l| folds[l as usize] != fold);
            let report = fit(&train, config)?;
            let in_fold = |l: u32| folds[l as usize] == fold;
            let test = data.subset(|name| report.skill(name).is_some(), in_fold);
            let all_test_rows = data.subset(|_| true, in_fold).len();
            let predictions = report.predict(&test)?;
            let metrics = crate::fit::metrics::Metrics::compute(&predictions, &test.outcomes())?;
            Ok(FoldResult {
                fold,
                train_rows: train.len(),
                rows_skipped: all_test_rows - test.len(),
                metrics,
            })
        })
        .collect()
}

/// The outcome of one cross-validation fold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FoldResult {
    /// The fold, 0-based.
    pub fold: usize,
    /// Responses the fold's model was fitted on.
    pub train_rows: usize,
    /// Test responses of skills the training folds did not have.
    pub rows_skipped: usize,
    /// Metrics over the fold's predicted responses.
    pub metrics: crate::fit::metrics::Metrics,
}
