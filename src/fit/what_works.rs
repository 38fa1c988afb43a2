//! What works: each activity's learning effect, from a response log with
//! activity ids: BKT with one learn rate per activity (pyBKT's
//! "multilearn"), fitted by EM, with a standard error and a verdict on
//! whether there is enough data.

use std::fmt::Write as _;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::dataset::{Dataset, SkillData};
use crate::error::{Error, Result};

/// How the per-activity fit runs.
///
/// ```
/// use mastery::fit::WhatWorksOptions;
///
/// let options = WhatWorksOptions::default().min_unlearned(30.0)?.max_iterations(300)?;
/// assert!(WhatWorksOptions::default().min_unlearned(-1.0).is_err());
/// # let _ = options;
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[must_use]
pub struct WhatWorksOptions {
    max_iterations: usize,
    tolerance: f64,
    min_unlearned: f64,
}

impl Default for WhatWorksOptions {
    /// 200 EM iterations at most, stop when the log-likelihood gains less
    /// than 1e-6 per response, and at least 20 expected opportunities on
    /// which the learner did not know the standard yet before an effect
    /// counts as measured.
    fn default() -> Self {
        WhatWorksOptions {
            max_iterations: 200,
            tolerance: 1e-6,
            min_unlearned: 20.0,
        }
    }
}

impl WhatWorksOptions {
    /// The most EM iterations (at least 1).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for 0.
    pub fn max_iterations(mut self, iterations: usize) -> Result<Self> {
        if iterations == 0 {
            return Err(Error::InvalidValue {
                what: "EM iterations".into(),
                expected: "at least 1",
                value: 0.0,
            });
        }
        self.max_iterations = iterations;
        Ok(self)
    }

    /// Expected not-yet-known opportunities an activity needs before its
    /// effect counts as measured (the learn rate is what happens on them).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] unless finite and non-negative.
    pub fn min_unlearned(mut self, opportunities: f64) -> Result<Self> {
        if !(opportunities.is_finite() && opportunities >= 0.0) {
            return Err(Error::InvalidValue {
                what: "minimum unlearned opportunities".into(),
                expected: "a finite number >= 0",
                value: opportunities,
            });
        }
        self.min_unlearned = opportunities;
        Ok(self)
    }
}

/// One activity's learning effect on one skill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ActivityEffect {
    /// The activity id (the log's item column).
    pub activity: String,
    /// The fitted learn rate: the chance that doing the activity teaches
    /// the skill to a learner who does not know it yet.
    pub learn: f64,
    /// Its approximate standard error, `sqrt(learn (1 - learn) / unlearned)`
    /// (binomial on the expected counts; it leaves out the uncertainty of
    /// the other parameters).
    pub std_error: f64,
    /// Responses on the activity.
    pub responses: usize,
    /// Expected opportunities on which the skill was not known yet: the
    /// data behind the learn rate.
    pub unlearned: f64,
    /// Whether `unlearned` reaches [`WhatWorksOptions::min_unlearned`].
    pub enough_data: bool,
}

/// The fit of one skill: shared prior, guess and slip, and a learn rate per activity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SkillEffects {
    /// The skill (standard id).
    pub skill: String,
    /// P(L0).
    pub prior: f64,
    /// P(G).
    pub guess: f64,
    /// P(S).
    pub slip: f64,
    /// Log-likelihood of the skill's responses at the fit.
    pub log_likelihood: f64,
    /// EM iterations run.
    pub iterations: usize,
    /// Per activity, activities with enough data first by learn rate
    /// (highest first), then the rest by learn rate.
    pub effects: Vec<ActivityEffect>,
}

/// Every skill's activity effects: what works, per standard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WhatWorks {
    /// By skill name.
    pub skills: Vec<SkillEffects>,
}

impl WhatWorks {
    /// The fitted learn rate of `activity` on `skill`, if it was in the log.
    #[must_use]
    pub fn effect(&self, skill: &str, activity: &str) -> Option<&ActivityEffect> {
        self.skills
            .iter()
            .find(|s| s.skill == skill)?
            .effects
            .iter()
            .find(|e| e.activity == activity)
    }

    /// Per activity with enough data, its learn rate (the mean over skills
    /// for an activity in several), for
    /// [`crate::ModelBuilder::activity_learn_rates`].
    #[must_use]
    pub fn learn_rates(&self) -> Vec<(String, f64)> {
        let mut sums: std::collections::BTreeMap<&str, (f64, f64)> = Default::default();
        for skill in &self.skills {
            for e in skill.effects.iter().filter(|e| e.enough_data) {
                let entry = sums.entry(e.activity.as_str()).or_default();
                entry.0 += e.learn;
                entry.1 += 1.0;
            }
        }
        sums.into_iter()
            .map(|(a, (sum, n))| (a.to_owned(), sum / n))
            .collect()
    }

    /// A report ranking the activities of each skill, as Markdown.
    #[must_use]
    pub fn to_markdown(&self) -> String {
        let mut md = String::from("# What works\n\n");
        for s in &self.skills {
            let _ = writeln!(
                md,
                "## {}\n\n| activity | learn rate | ± | responses | |\n|---|---|---|---|---|",
                s.skill
            );
            for e in &s.effects {
                let verdict = if e.enough_data {
                    ""
                } else {
                    "too little data to tell"
                };
                let _ = writeln!(
                    md,
                    "| {} | {:.3} | {:.3} | {} | {verdict} |",
                    e.activity, e.learn, e.std_error, e.responses
                );
            }
            md += "\n";
        }
        md
    }
}

/// Fits a learn rate per activity (the dataset's item column: load it with
/// [`super::DatasetOptions::item_column`]) and per skill a prior, guess and
/// slip, by EM (Baum-Welch); no forgetting. Each opportunity's answer
/// reflects the knowledge before it, and its activity teaches after it, as
/// the crate's online update runs. Parallel over skills; deterministic.
/// O(iterations x responses).
///
/// ```
/// use mastery::fit::{Dataset, DatasetOptions, WhatWorksOptions, what_works};
///
/// let mut log = String::from("order_id,user_id,skill_name,correct,activity\n");
/// let mut order = 0;
/// for learner in 0..200 {
///     // Learners who started with the video get it right sooner.
///     let (first, answers) = if learner % 2 == 0 { ("video", [0, 1, 1, 1]) } else { ("drill", [0, 0, 0, 1]) };
///     for (k, correct) in answers.iter().enumerate() {
///         order += 1;
///         let activity = if k == 0 { first } else { "drill" };
///         log += &format!("{order},u{learner},fractions,{correct},{activity}\n");
///     }
/// }
/// let options = DatasetOptions::default().item_column("activity");
/// let (data, _) = Dataset::from_reader("log.csv", log.as_bytes(), &options)?;
/// let effects = what_works(&data, &WhatWorksOptions::default())?;
/// let ranking = &effects.skills[0].effects;
/// assert_eq!(ranking[0].activity, "video");
/// println!("{}", effects.to_markdown());
/// # Ok::<(), mastery::Error>(())
/// ```
///
/// # Errors
/// [`Error::NoItemColumn`] if the dataset has no item column (every skill
/// has one unnamed item).
pub fn what_works(data: &Dataset, options: &WhatWorksOptions) -> Result<WhatWorks> {
    if data
        .skills()
        .iter()
        .all(|s| s.items().len() == 1 && s.items()[0].is_empty())
    {
        return Err(Error::NoItemColumn { what: "what_works" });
    }
    let skills = data
        .skills()
        .par_iter()
        .map(|s| fit_skill(s, options))
        .collect();
    Ok(WhatWorks { skills })
}

/// Probabilities stay inside this margin of 0 and 1 (and guess + slip < 1).
const EPS: f64 = 1e-6;
const MAX_GUESS_SLIP: f64 = 0.49;

fn fit_skill(skill: &SkillData, options: &WhatWorksOptions) -> SkillEffects {
    let items = skill.items().len();
    let (mut prior, mut guess, mut slip) = (0.3, 0.2, 0.1);
    let mut learn = vec![0.15; items];
    let mut counts = Counts::new(items);
    let mut previous = f64::NEG_INFINITY;
    let mut iterations = 0;
    let mut ll = f64::NEG_INFINITY;
    for _ in 0..options.max_iterations {
        iterations += 1;
        counts.clear();
        ll = 0.0;
        for s in 0..skill.sequence_count() {
            ll += e_step(
                skill.sequence(s),
                skill.sequence_items(s),
                (prior, guess, slip),
                &learn,
                &mut counts,
            );
        }
        prior = (counts.first_known / counts.sequences.max(1.0)).clamp(EPS, 1.0 - EPS);
        guess = (counts.correct_unknown / counts.unknown.max(EPS)).clamp(EPS, MAX_GUESS_SLIP);
        slip = (counts.wrong_known / counts.known.max(EPS)).clamp(EPS, MAX_GUESS_SLIP);
        for (a, l) in learn.iter_mut().enumerate() {
            if counts.unlearned[a] > 0.0 {
                *l = (counts.learned[a] / counts.unlearned[a]).clamp(EPS, 1.0 - EPS);
            }
        }
        let gain = (ll - previous) / skill.len().max(1) as f64;
        previous = ll;
        if gain.abs() < options.tolerance {
            break;
        }
    }
    // The counts of the last E-step are those behind the final learn rates' data.
    let mut responses = vec![0usize; items];
    for s in 0..skill.sequence_count() {
        for &i in skill.sequence_items(s) {
            responses[i as usize] += 1;
        }
    }
    let mut effects: Vec<ActivityEffect> = (0..items)
        .map(|a| {
            let unlearned = counts.unlearned[a];
            let l = learn[a];
            ActivityEffect {
                activity: skill.items()[a].clone(),
                learn: l,
                std_error: (l * (1.0 - l) / unlearned.max(EPS)).sqrt().min(0.5),
                responses: responses[a],
                unlearned,
                enough_data: unlearned >= options.min_unlearned,
            }
        })
        .collect();
    effects.sort_by(|x, y| {
        y.enough_data
            .cmp(&x.enough_data)
            .then(y.learn.total_cmp(&x.learn))
            .then_with(|| x.activity.cmp(&y.activity))
    });
    SkillEffects {
        skill: skill.name().to_owned(),
        prior,
        guess,
        slip,
        log_likelihood: ll,
        iterations,
        effects,
    }
}

/// Expected counts of one E-step.
struct Counts {
    sequences: f64,
    first_known: f64,
    known: f64,
    wrong_known: f64,
    unknown: f64,
    correct_unknown: f64,
    /// Per activity: expected P(not known before, known after) and P(not known before).
    learned: Vec<f64>,
    unlearned: Vec<f64>,
}

impl Counts {
    fn new(items: usize) -> Self {
        Counts {
            sequences: 0.0,
            first_known: 0.0,
            known: 0.0,
            wrong_known: 0.0,
            unknown: 0.0,
            correct_unknown: 0.0,
            learned: vec![0.0; items],
            unlearned: vec![0.0; items],
        }
    }

    fn clear(&mut self) {
        let items = self.learned.len();
        *self = Counts::new(items);
    }
}

/// Forward-backward on one sequence (two states, scaled); adds its
/// expected counts and returns its log-likelihood.
fn e_step(
    correct: &[u8],
    items: &[u32],
    (prior, guess, slip): (f64, f64, f64),
    learn: &[f64],
    counts: &mut Counts,
) -> f64 {
    let n = correct.len();
    if n == 0 {
        return 0.0;
    }
    let emit = |t: usize| -> (f64, f64) {
        // (P(obs | not known), P(obs | known))
        if correct[t] == 1 {
            (guess, 1.0 - slip)
        } else {
            (1.0 - guess, slip)
        }
    };
    // alpha[t] = P(L_t = known | obs_0..=t), scaled.
    let mut alpha = Vec::with_capacity(n);
    let mut ll = 0.0;
    let mut p_known = prior;
    for t in 0..n {
        let (e0, e1) = emit(t);
        let joint0 = (1.0 - p_known) * e0;
        let joint1 = p_known * e1;
        let total = joint0 + joint1;
        ll += total.ln();
        let post = joint1 / total;
        alpha.push(post);
        let l = learn[items[t] as usize];
        p_known = post + (1.0 - post) * l;
    }
    // Backward: beta[t] = P(obs_{t+1..} | L_t), normalized per step.
    let mut beta = vec![(1.0f64, 1.0f64); n];
    for t in (0..n - 1).rev() {
        let (e0, e1) = emit(t + 1);
        let (b0, b1) = beta[t + 1];
        let l = learn[items[t] as usize];
        let from0 = (1.0 - l) * e0 * b0 + l * e1 * b1;
        let from1 = e1 * b1;
        let scale = from0.max(from1).max(f64::MIN_POSITIVE);
        beta[t] = (from0 / scale, from1 / scale);
    }
    counts.sequences += 1.0;
    for t in 0..n {
        let (b0, b1) = beta[t];
        let g1 = alpha[t] * b1;
        let g0 = (1.0 - alpha[t]) * b0;
        let known = g1 / (g0 + g1);
        if t == 0 {
            counts.first_known += known;
        }
        counts.known += known;
        counts.unknown += 1.0 - known;
        if correct[t] == 1 {
            counts.correct_unknown += 1.0 - known;
        } else {
            counts.wrong_known += known;
        }
        if t + 1 < n {
            // P(L_t = 0, L_{t+1} = 1 | all) from the filtered state and the
            // next step's emission and backward message.
            let (e0, e1) = emit(t + 1);
            let (nb0, nb1) = beta[t + 1];
            let l = learn[items[t] as usize];
            let stay0 = (1.0 - alpha[t]) * (1.0 - l) * e0 * nb0;
            let to1 = (1.0 - alpha[t]) * l * e1 * nb1;
            let from1 = alpha[t] * e1 * nb1;
            let total = stay0 + to1 + from1;
            if total > 0.0 {
                let a = items[t] as usize;
                counts.learned[a] += to1 / total;
                counts.unlearned[a] += (stay0 + to1) / total;
            }
        }
    }
    ll
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Forward-backward's marginals agree with brute-force enumeration of the hidden paths.
    #[test]
    fn expected_counts_equal_brute_force() {
        let correct = [0u8, 1, 0, 1, 1];
        let items = [0u32, 1, 0, 1, 0];
        let (prior, guess, slip) = (0.3, 0.2, 0.1);
        let learn = [0.1, 0.4];
        let mut counts = Counts::new(2);
        let ll = e_step(&correct, &items, (prior, guess, slip), &learn, &mut counts);
        let n = correct.len();
        let (mut total, mut learned, mut unlearned, mut known) = (0.0, [0.0; 2], [0.0; 2], 0.0);
        for path in 0..(1u32 << n) {
            let state = |t: usize| (path >> t) & 1 == 1;
            let mut p = if state(0) { prior } else { 1.0 - prior };
            for t in 0..n {
                let e = match (state(t), correct[t]) {
                    (true, 1) => 1.0 - slip,
                    (true, _) => slip,
                    (false, 1) => guess,
                    (false, _) => 1.0 - guess,
                };
                p *= e;
                if t + 1 < n {
                    let l = learn[items[t] as usize];
                    p *= match (state(t), state(t + 1)) {
                        (true, true) => 1.0,
                        (true, false) => 0.0,
                        (false, true) => l,
                        (false, false) => 1.0 - l,
                    };
                }
            }
            total += p;
            for t in 0..n {
                known += p * f64::from(u8::from(state(t)));
                if t + 1 < n && !state(t) {
                    unlearned[items[t] as usize] += p;
                    if state(t + 1) {
                        learned[items[t] as usize] += p;
                    }
                }
            }
        }
        assert!((ll - total.ln()).abs() < 1e-12, "{ll} vs {}", total.ln());
        assert!((counts.known - known / total).abs() < 1e-12);
        for a in 0..2 {
            assert!((counts.learned[a] - learned[a] / total).abs() < 1e-12);
            assert!((counts.unlearned[a] - unlearned[a] / total).abs() < 1e-12);
        }
    }
}
