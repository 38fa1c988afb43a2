//! BKT with learner ability over whole logs: one-step-ahead predictions
//! with each learner's ability estimated online from their own earlier
//! answers ([`predict_with_ability`]), and the population's ability
//! parameters chosen by the training log's predictive likelihood
//! ([`fit_ability`]). The model and the online estimate are those of
//! [`crate::model::Ability`]; a learner's responses are taken across skills
//! in `order_id` order (file order among equal ones), as pyBKT orders rows.

use rayon::prelude::*;

use super::dataset::Dataset;
use super::predict::{PredictParams, SkillAnswers};
use crate::error::{Error, Location, Result};
use crate::model::{AbilityParams, AnswerLogits, Rate};

/// One response in a learner's order.
#[derive(Clone, Copy)]
struct Event {
    learner: u32,
    order: i64,
    row: u32,
    skill: u32,
    item: u32,
    correct: bool,
}

/// The responses of the learners `keep` selects (all without it), grouped
/// by learner, in order within a learner.
fn events(data: &Dataset, keep: Option<&[bool]>) -> Vec<Event> {
    let keys = data.row_keys();
    let mut events = Vec::with_capacity(data.len());
    for (k, skill) in data.skills().iter().enumerate() {
        for s in 0..skill.sequence_count() {
            let learner = skill.sequence_learner(s);
            if keep.is_some_and(|keep| !keep.get(learner as usize).copied().unwrap_or(false)) {
                continue;
            }
            for ((&correct, &item), &row) in skill
                .sequence(s)
                .iter()
                .zip(skill.sequence_items(s))
                .zip(skill.sequence_rows(s))
            {
                let order = keys
                    .and_then(|k| k.get(row as usize))
                    .map_or(i64::from(row), |key| key.order_id());
                events.push(Event {
                    learner,
                    order,
                    row,
                    skill: k as u32,
                    item,
                    correct: correct == 1,
                });
            }
        }
    }
    events.par_sort_unstable_by_key(|e| (e.learner, e.order, e.row));
    events
}

/// The population's ability parameters chosen by [`fit_ability`], with the
/// training log's one-step-ahead log-likelihood under each candidate.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AbilityFit {
    /// The best candidate.
    pub params: AbilityParams,
    /// Its one-step-ahead log-likelihood of the training log.
    pub log_likelihood: f64,
    /// The log-likelihood without ability (every learner typical).
    pub log_likelihood_without: f64,
    /// Every candidate and its log-likelihood, in the order tried.
    pub candidates: Vec<(AbilityParams, f64)>,
}

impl AbilityFit {
    /// Whether ability predicts the log better than none: when it does not
    /// (a log whose learners do not differ, such as one simulated from a
    /// single set of BKT parameters), leave ability off.
    #[must_use]
    pub fn helps(&self) -> bool {
        self.log_likelihood > self.log_likelihood_without
    }
}

/// The candidates [`fit_ability`] tries: spreads of the population's
/// ability (logits) and weights of ability on learning.
pub const ABILITY_SPREADS: [f64; 6] = [0.3, 0.5, 0.7, 1.0, 1.4, 2.0];
/// See [`ABILITY_SPREADS`].
pub const ABILITY_LEARN_WEIGHTS: [f64; 4] = [0.0, 0.5, 1.0, 2.0];

/// Chooses the population's ability parameters for fitted BKT parameters:
/// the candidate whose online predictions give the training log the
/// highest one-step-ahead log-likelihood, the quantity the model is used
/// for. Candidates: every pair of [`ABILITY_SPREADS`] and
/// [`ABILITY_LEARN_WEIGHTS`], then the 8 neighbours of the best at a finer
/// step (spread × 0.85 and × 1.15, weight ± 0.25). The BKT parameters stay
/// as fitted. Logs larger than [`ABILITY_SAMPLE_RESPONSES`] are scored on
/// a deterministic sample of whole learners of that size. O(32 × min(rows,
/// 250,000)), candidates in parallel. Check [`AbilityFit::helps`] before
/// turning ability on.
///
/// ```
/// use mastery::fit::{Dataset, DatasetOptions, FitConfig, PredictParams, fit, fit_ability, synthetic_log, HmmParams};
///
/// let truth = HmmParams { prior: 0.3, learn: 0.1, forget: 0.0, guess: vec![0.2], slip: vec![0.1] };
/// let csv = synthetic_log(&[("a".into(), truth.clone()), ("b".into(), truth)], 200, 5..=15, 1)?;
/// let options = DatasetOptions::default().keep_row_keys(true);
/// let (data, _) = Dataset::from_reader("log.csv", csv.as_bytes(), &options)?;
/// let report = fit(&data, &FitConfig::default().validate()?)?;
/// let chosen = fit_ability(&data, &PredictParams::from_fit(&report))?;
/// assert!(chosen.candidates.len() >= 24);
/// # Ok::<(), mastery::Error>(())
/// ```
///
/// # Errors
/// [`Error::UnknownSkill`] for a skill of `data` without parameters.
pub fn fit_ability(data: &Dataset, params: &PredictParams) -> Result<AbilityFit> {
    let answers = resolve(data, params)?;
    let events = events(data, sample_learners(data).as_deref());
    let evaluate = |p: AbilityParams| {
        let mut ll = 0.0;
        run(&events, &answers, Some(&p), |event, pc| {
            let pc = pc.clamp(1e-12, 1.0 - 1e-12);
            ll += if event.correct {
                pc.ln()
            } else {
                (1.0 - pc).ln()
            };
        });
        (p, ll)
    };
    let mut grid = Vec::new();
    for &sd in &ABILITY_SPREADS {
        for &w in &ABILITY_LEARN_WEIGHTS {
            grid.push(AbilityParams::new(sd, w)?);
        }
    }
    let mut candidates: Vec<(AbilityParams, f64)> = grid.into_par_iter().map(evaluate).collect();
    // One refinement around the grid's best: its neighbours at a finer step.
    if let Some(&(best, _)) = candidates.iter().max_by(|a, b| a.1.total_cmp(&b.1)) {
        let mut near = Vec::new();
        for sd in [
            best.prior_sd() * 0.85,
            best.prior_sd(),
            best.prior_sd() * 1.15,
        ] {
            for w in [
                best.learn_weight() - 0.25,
                best.learn_weight(),
                best.learn_weight() + 0.25,
            ] {
                if (sd, w) != (best.prior_sd(), best.learn_weight()) {
                    if let Ok(p) = AbilityParams::new(sd, w) {
                        near.push(p);
                    }
                }
            }
        }
        candidates.extend(near.into_par_iter().map(evaluate).collect::<Vec<_>>());
    }
    let mut without = 0.0;
    run(&events, &answers, None, |event, pc| {
        let pc = pc.clamp(1e-12, 1.0 - 1e-12);
        without += if event.correct {
            pc.ln()
        } else {
            (1.0 - pc).ln()
        };
    });
    let (params, log_likelihood) = candidates
        .iter()
        .copied()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .ok_or(Error::InvalidValue {
            what: "ability candidates".into(),
            expected: "at least one",
            value: 0.0,
        })?;
    Ok(AbilityFit {
        params,
        log_likelihood,
        log_likelihood_without: without,
        candidates,
    })
}

/// One-step-ahead P(correct) for every row of `data` (row order), each
/// learner's ability estimated online from their earlier responses
/// (`None`: without ability, equal to [`super::predict`]'s).
///
/// # Errors
/// [`Error::UnknownSkill`] for a skill of `data` without parameters.
pub fn predict_with_ability(
    data: &Dataset,
    params: &PredictParams,
    ability: Option<&AbilityParams>,
) -> Result<Vec<f64>> {
    let answers = resolve(data, params)?;
    let events = events(data, None);
    let mut out = vec![0.5; data.len()];
    run(&events, &answers, ability, |event, pc| {
        if let Some(slot) = out.get_mut(event.row as usize) {
            *slot = pc;
        }
    });
    Ok(out)
}

/// Responses [`fit_ability`] scores each candidate on, at most: two numbers
/// for a whole population need no more, and this keeps the search cheap
/// on large logs.
pub const ABILITY_SAMPLE_RESPONSES: usize = 250_000;

/// For a log larger than [`ABILITY_SAMPLE_RESPONSES`], the learners whose
/// responses are scored: whole learners, in a fixed pseudo-random order
/// (by index, so deterministic), until the sample holds that many.
fn sample_learners(data: &Dataset) -> Option<Vec<bool>> {
    if data.len() <= ABILITY_SAMPLE_RESPONSES {
        return None;
    }
    let mut responses = vec![0usize; data.learners().len()];
    for skill in data.skills() {
        for s in 0..skill.sequence_count() {
            if let Some(n) = responses.get_mut(skill.sequence_learner(s) as usize) {
                *n += skill.sequence(s).len();
            }
        }
    }
    let mut order: Vec<usize> = (0..responses.len()).collect();
    order.sort_by_key(|&l| (l as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let mut keep = vec![false; responses.len()];
    let mut total = 0;
    for l in order {
        if total >= ABILITY_SAMPLE_RESPONSES {
            break;
        }
        keep[l] = true;
        total += responses[l];
    }
    Some(keep)
}

/// A skill's parameters with the logits the shifts need, computed once.
struct Prepared {
    prior: Rate,
    learn: Rate,
    forget: f64,
    /// Per item: (guess, slip) and their logits.
    answers: Vec<((f64, f64), AnswerLogits)>,
}

impl Prepared {
    fn of(skill: &SkillAnswers, items: usize) -> Self {
        Prepared {
            prior: Rate::of(skill.prior),
            learn: Rate::of(skill.learn),
            forget: skill.forget,
            answers: (0..items.max(1) as u32)
                .map(|i| {
                    let (g, s) = skill.answer(i);
                    ((g, s), AnswerLogits::of(g, s))
                })
                .collect(),
        }
    }
}

fn resolve(data: &Dataset, params: &PredictParams) -> Result<Vec<Prepared>> {
    data.skills()
        .iter()
        .map(|skill| {
            params
                .answers_for(skill)
                .map(|answers| Prepared::of(&answers, skill.items().len()))
                .ok_or_else(|| Error::UnknownSkill {
                    skill: skill.name().to_owned(),
                    at: Location::NONE,
                })
        })
        .collect()
}

/// Runs every learner's responses in order, calling `each` with the
/// prediction made before the response.
fn run(
    events: &[Event],
    answers: &[Prepared],
    ability: Option<&AbilityParams>,
    mut each: impl FnMut(&Event, f64),
) {
    let mut estimate = vec![f64::NAN; answers.len()];
    let mut touched: Vec<usize> = Vec::new();
    for learner in events.chunk_by(|a, b| a.learner == b.learner) {
        for &k in &touched {
            estimate[k] = f64::NAN;
        }
        touched.clear();
        let mut belief = ability.map(AbilityParams::prior);
        for event in learner {
            let k = event.skill as usize;
            let skill = &answers[k];
            let theta = belief.map_or(0.0, |b| b.mean());
            let known = if estimate[k].is_nan() {
                touched.push(k);
                match ability {
                    Some(p) => p.shift_rate(skill.prior, theta),
                    None => skill.prior.p,
                }
            } else {
                estimate[k]
            };
            let ((guess, slip), logits) = skill
                .answers
                .get(event.item as usize)
                .or(skill.answers.first())
                .copied()
                .unwrap_or(((0.5, 0.5), AnswerLogits::of(0.5, 0.5)));
            let (g, s) = match belief {
                Some(b) => b.answer_logits(logits),
                None => (guess, slip),
            };
            let pc = known * (1.0 - s) + (1.0 - known) * g;
            each(event, pc);
            let (k1, k0) = if event.correct {
                (1.0 - s, g)
            } else {
                (s, 1.0 - g)
            };
            let denominator = known * k1 + (1.0 - known) * k0;
            let posterior = if denominator > 0.0 {
                known * k1 / denominator
            } else {
                known
            };
            let learn = match ability {
                Some(p) => p.shift_rate(skill.learn, theta),
                None => skill.learn.p,
            };
            estimate[k] =
                (posterior * (1.0 - skill.forget) + (1.0 - posterior) * learn).clamp(0.0, 1.0);
            if let Some(b) = belief.as_mut() {
                b.observe_logits(known, logits, f64::from(u8::from(event.correct)), 1.0);
            }
        }
    }
}
