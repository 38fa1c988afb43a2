//! Batch one-step-ahead prediction over a columnar [`Dataset`]: pyBKT's
//! `predict` for whole logs, in parallel by skill and learner.
//!
//! Each learner's responses on a skill are one BKT forward pass (Corbett &
//! Anderson 1995): P(correct) before the response from the mastery estimate,
//! then Bayes' rule on the response and the learn/forget transition. The
//! arithmetic is that of [`BktParams::p_correct`] and [`BktParams::update`],
//! in `f64` throughout (no fixed-point storage as in
//! [`LearnerState`](crate::LearnerState)).

use foldhash::HashMap;
use rayon::prelude::*;

mod csv;

pub use csv::{CsvPredictReport, predict_csv};

use super::dataset::{Dataset, SkillData};
use super::fitting::FitReport;
use crate::error::{Error, Location, Result};
use crate::model::{BktParams, SkillParams, posterior};

/// Parameters for [`predict`]: per skill, prior, learn, forget and a guess
/// and slip per item (one item without KT-IDEM).
///
/// ```
/// use mastery::BktParams;
/// use mastery::fit::PredictParams;
/// use mastery::model::SkillParams;
///
/// let mut skills = SkillParams::default();
/// skills.params.insert("Median".into(), BktParams::new(0.35, 0.12, 0.0, 0.22, 0.1)?);
/// let params = PredictParams::from(&skills);
/// assert!(params.has_skill("Median") && !params.has_skill("Mode"));
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PredictParams {
    skills: HashMap<String, SkillModel>,
}

#[derive(Debug, Clone, PartialEq)]
struct SkillModel {
    prior: f64,
    learn: f64,
    forget: f64,
    /// Item names, empty without KT-IDEM (then `answers` has one entry).
    items: Vec<String>,
    /// (guess, slip) per item.
    answers: Vec<(f64, f64)>,
    /// (guess, slip) for items the parameters do not name: the item
    /// averages weighted by responses.
    fallback: (f64, f64),
}

impl PredictParams {
    /// The parameters of every skill of a fit, per item with KT-IDEM; an
    /// item the fit has not seen uses the skill's guess and slip averaged over
    /// items by responses.
    #[must_use]
    pub fn from_fit(report: &FitReport) -> Self {
        let skills = report
            .skills
            .iter()
            .map(|fit| {
                let p = &fit.params;
                let weights = &fit.item_responses;
                let total: f64 = weights.iter().sum::<f64>().max(f64::MIN_POSITIVE);
                let mean =
                    |v: &[f64]| v.iter().zip(weights).map(|(x, w)| x * w).sum::<f64>() / total;
                let answers: Vec<(f64, f64)> = p
                    .guess
                    .iter()
                    .copied()
                    .zip(p.slip.iter().copied())
                    .collect();
                let model = SkillModel {
                    prior: p.prior,
                    learn: p.learn,
                    forget: p.forget,
                    items: if answers.len() > 1 {
                        fit.items.clone()
                    } else {
                        Vec::new()
                    },
                    fallback: (mean(&p.guess), mean(&p.slip)),
                    answers,
                };
                (fit.skill.clone(), model)
            })
            .collect();
        PredictParams { skills }
    }

    /// Whether `skill` has parameters.
    #[must_use]
    pub fn has_skill(&self, skill: &str) -> bool {
        self.skills.contains_key(skill)
    }

    /// The number of skills.
    #[must_use]
    pub fn len(&self) -> usize {
        self.skills.len()
    }

    /// Whether there are no skills.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.skills.is_empty()
    }
}

impl From<&SkillParams> for PredictParams {
    fn from(params: &SkillParams) -> Self {
        let skills = params
            .params
            .iter()
            .map(|(name, p): (&String, &BktParams)| {
                let answer = (p.guess(), p.slip());
                let (items, answers) = match params.items.get(name) {
                    Some(items) if !items.is_empty() => items
                        .iter()
                        .map(|(item, a)| (item.clone(), (a.guess(), a.slip())))
                        .unzip(),
                    _ => (Vec::new(), vec![answer]),
                };
                let model = SkillModel {
                    prior: p.prior(),
                    learn: p.learn(),
                    forget: p.forget(),
                    items,
                    answers,
                    fallback: answer,
                };
                (name.clone(), model)
            })
            .collect();
        PredictParams { skills }
    }
}

/// What [`predict`] does with rows of a skill the parameters do not have.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnknownSkill {
    /// Fail with [`Error::UnknownSkill`] naming the skill (the default).
    #[default]
    Reject,
    /// Predict 0.5 for both P(correct) and mastery, as pyBKT's `predict`
    /// does for skills it has no model of; [`Predictions::unpredicted`]
    /// counts those rows.
    PredictHalf,
}

/// Settings of [`predict`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[must_use]
pub struct PredictOptions {
    unknown_skill: UnknownSkill,
}

impl PredictOptions {
    /// What to do with skills without parameters (default [`UnknownSkill::Reject`]).
    pub fn unknown_skill(mut self, unknown: UnknownSkill) -> Self {
        self.unknown_skill = unknown;
        self
    }
}

/// The predictions of [`predict`], in the dataset's row order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Predictions {
    p_correct: Vec<f64>,
    p_mastery: Vec<f64>,
    unpredicted: usize,
}

impl Predictions {
    /// P(correct) of each row, from the learner's earlier rows on the skill
    /// (pyBKT's `correct_predictions`).
    #[must_use]
    pub fn p_correct(&self) -> &[f64] {
        &self.p_correct
    }

    /// The mastery estimate after each row: posterior, then the learn/forget
    /// transition (pyBKT's `state_predictions` of the learner's next row on
    /// the skill).
    #[must_use]
    pub fn p_mastery(&self) -> &[f64] {
        &self.p_mastery
    }

    /// Rows left at 0.5 because their skill has no parameters
    /// ([`UnknownSkill::PredictHalf`]).
    #[must_use]
    pub fn unpredicted(&self) -> usize {
        self.unpredicted
    }

    /// P(correct) of each row, by value.
    #[must_use]
    pub fn into_p_correct(self) -> Vec<f64> {
        self.p_correct
    }
}

/// Responses per parallel task: large enough that scheduling is noise,
/// small enough to balance skills of very different sizes.
const TASK_RESPONSES: usize = 1 << 15;

/// One-step-ahead predictions for every row of `data` (pyBKT's `predict`):
/// skills and, within large skills, ranges of learners in parallel on the
/// current rayon pool. Deterministic and independent of the number of
/// threads: each learner's pass is sequential. Time O(rows) (one update per
/// row), memory O(rows) for the two output columns.
///
/// ```
/// use mastery::BktParams;
/// use mastery::fit::{Dataset, DatasetOptions, PredictOptions, PredictParams, predict};
/// use mastery::model::SkillParams;
///
/// let csv = "order_id,user_id,skill_name,correct\n1,u1,Median,1\n2,u1,Median,0\n3,u2,Median,1\n";
/// let (data, _) = Dataset::from_reader("log.csv", csv.as_bytes(), &DatasetOptions::default())?;
/// let p = BktParams::new(0.35, 0.12, 0.0, 0.22, 0.1)?;
/// let mut skills = SkillParams::default();
/// skills.params.insert("Median".into(), p);
/// let out = predict(&data, &PredictParams::from(&skills), &PredictOptions::default())?;
/// assert_eq!(out.p_correct()[0], p.p_correct(0.35));
/// assert_eq!(out.p_mastery()[0], p.update(0.35, mastery::Outcome::Correct));
/// assert_eq!(out.p_correct()[1], p.p_correct(out.p_mastery()[0]));
/// assert_eq!(out.p_correct()[2], p.p_correct(0.35)); // another learner
/// # Ok::<(), mastery::Error>(())
/// ```
///
/// # Errors
/// [`Error::UnknownSkill`] for a skill without parameters, with
/// [`UnknownSkill::Reject`].
pub fn predict(
    data: &Dataset,
    params: &PredictParams,
    options: &PredictOptions,
) -> Result<Predictions> {
    let mut models: Vec<Option<Resolved>> = Vec::with_capacity(data.skills().len());
    let mut unpredicted = 0;
    for skill in data.skills() {
        match params.skills.get(skill.name()) {
            Some(model) => models.push(Some(Resolved::new(model, skill))),
            None if options.unknown_skill == UnknownSkill::PredictHalf => {
                unpredicted += skill.len();
                models.push(None);
            }
            None => {
                return Err(Error::UnknownSkill {
                    skill: skill.name().to_owned(),
                    at: Location::NONE,
                });
            }
        }
    }

    // Tasks: (skill, sequence range), each writing its stretch of the grouped order.
    let mut tasks: Vec<(usize, std::ops::Range<usize>, usize)> = Vec::new();
    let mut offset = 0;
    for (k, skill) in data.skills().iter().enumerate() {
        let mut start = 0;
        let mut size = 0;
        let mut task_offset = offset;
        for s in 0..skill.sequence_count() {
            size += skill.sequence(s).len();
            if size >= TASK_RESPONSES || s + 1 == skill.sequence_count() {
                tasks.push((k, start..s + 1, task_offset));
                task_offset += size;
                start = s + 1;
                size = 0;
            }
        }
        offset += skill.len();
    }
    let mut grouped = vec![[0.5f64; 2]; offset];
    let mut slices: Vec<&mut [[f64; 2]]> = Vec::with_capacity(tasks.len());
    let mut rest = grouped.as_mut_slice();
    for (i, task) in tasks.iter().enumerate() {
        let end = tasks.get(i + 1).map_or(offset, |next| next.2);
        let (part, tail) = rest.split_at_mut(end - task.2);
        slices.push(part);
        rest = tail;
    }
    tasks
        .par_iter()
        .zip(slices)
        .for_each(|((k, range, _), out)| {
            let skill = &data.skills()[*k];
            if let Some(model) = &models[*k] {
                model.predict_range(skill, range.clone(), out);
            }
        });

    // Grouped order to row order: each thread writes one stretch of rows
    // (reading every row index, skipping rows outside its stretch).
    let rows = data.len();
    let mut p_correct = vec![0.5; rows];
    let mut p_mastery = vec![0.5; rows];
    let parts = rayon::current_num_threads().clamp(1, 16);
    let chunk = rows.div_ceil(parts).max(1);
    p_correct
        .par_chunks_mut(chunk)
        .zip(p_mastery.par_chunks_mut(chunk))
        .enumerate()
        .for_each(|(part, (pc, pm))| {
            let low = part * chunk;
            let high = low + pc.len();
            let mut position = 0;
            for skill in data.skills() {
                let values = &grouped[position..position + skill.len()];
                position += skill.len();
                for (&row, value) in skill.all_rows().iter().zip(values) {
                    let row = row as usize;
                    if (low..high).contains(&row) {
                        pc[row - low] = value[0];
                        pm[row - low] = value[1];
                    }
                }
            }
        });
    Ok(Predictions {
        p_correct,
        p_mastery,
        unpredicted,
    })
}

/// A skill's parameters resolved against one dataset skill: (guess, slip)
/// per item index of the data.
pub(crate) struct Resolved {
    pub(crate) prior: f64,
    pub(crate) learn: f64,
    pub(crate) forget: f64,
    answers: Vec<(f64, f64)>,
}

/// A skill's parameters for one dataset skill (for [`super::ability`]).
pub(crate) type SkillAnswers = Resolved;

impl PredictParams {
    /// The parameters of `skill`, items resolved against its item names.
    pub(crate) fn answers_for(&self, skill: &SkillData) -> Option<SkillAnswers> {
        self.skills
            .get(skill.name())
            .map(|model| Resolved::new(model, skill))
    }
}

impl Resolved {
    /// `(guess, slip)` of item `item` (of the dataset skill).
    pub(crate) fn answer(&self, item: u32) -> (f64, f64) {
        self.answers
            .get(item as usize)
            .or(self.answers.first())
            .copied()
            .unwrap_or((0.5, 0.5))
    }

    fn new(model: &SkillModel, skill: &SkillData) -> Self {
        let answers = if model.items.is_empty() {
            vec![model.answers.first().copied().unwrap_or(model.fallback)]
        } else {
            let index: HashMap<&str, usize> = model
                .items
                .iter()
                .enumerate()
                .map(|(i, name)| (name.as_str(), i))
                .collect();
            skill
                .items()
                .iter()
                .map(|name| {
                    index
                        .get(name.as_str())
                        .and_then(|&i| model.answers.get(i))
                        .copied()
                        .unwrap_or(model.fallback)
                })
                .collect()
        };
        Resolved {
            prior: model.prior,
            learn: model.learn,
            forget: model.forget,
            answers,
        }
    }

    /// Predicts sequences `range` of `skill` into `out` ([P(correct),
    /// mastery after] per response, in the skill's order).
    fn predict_range(
        &self,
        skill: &SkillData,
        range: std::ops::Range<usize>,
        out: &mut [[f64; 2]],
    ) {
        let mut position = 0;
        if let [(guess, slip)] = self.answers[..] {
            for s in range {
                let obs = skill.sequence(s);
                let out = &mut out[position..position + obs.len()];
                position += obs.len();
                let mut known = self.prior;
                for (&o, slot) in obs.iter().zip(out) {
                    let (p_correct, next) = self.step(known, o, guess, slip);
                    *slot = [p_correct, next];
                    known = next;
                }
            }
            return;
        }
        for s in range {
            let obs = skill.sequence(s);
            let items = skill.sequence_items(s);
            let out = &mut out[position..position + obs.len()];
            position += obs.len();
            let mut known = self.prior;
            for ((&o, &item), slot) in obs.iter().zip(items).zip(out) {
                let (guess, slip) = self
                    .answers
                    .get(item as usize)
                    .copied()
                    .unwrap_or((0.5, 0.5));
                let (p_correct, next) = self.step(known, o, guess, slip);
                *slot = [p_correct, next];
                known = next;
            }
        }
    }

    #[inline(always)]
    fn step(&self, known: f64, o: u8, guess: f64, slip: f64) -> (f64, f64) {
        step(known, o, (guess, slip), self.learn, self.forget)
    }
}

/// P(correct) at mastery `known` and the mastery after response `o`:
/// [`BktParams::p_correct`] and [`BktParams::update`], operation for operation.
#[inline(always)]
fn step(known: f64, o: u8, (guess, slip): (f64, f64), learn: f64, forget: f64) -> (f64, f64) {
    let p_correct = known * (1.0 - slip) + (1.0 - known) * guess;
    let (given_known, given_unknown) = if o == 1 {
        (1.0 - slip, guess)
    } else {
        (slip, 1.0 - guess)
    };
    let post = posterior(known, given_known, given_unknown);
    let next = (post * (1.0 - forget) + (1.0 - post) * learn).clamp(0.0, 1.0);
    (p_correct, next)
}
