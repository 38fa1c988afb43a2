//! The class report: where a class stands on a set of standards, and the
//! learners a teacher should look at.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cohort::Cohort;
use crate::cohort::tiers::{TierRules, Tiers};
use crate::curriculum::{StandardIdx, StandardSet};
use crate::error::Result;

/// Attempts without mastery after which a learner counts as wheel-spinning
/// (Beck & Gong 2013).
const WHEEL_SPIN_ATTEMPTS: u32 = 10;

/// How many standards [`ClassReport::most_blocked`] names at most.
pub const MOST_BLOCKED: usize = 5;

/// Where a class stands on one standard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StandardSummary {
    /// The standard.
    pub standard: StandardIdx,
    /// Share of learners who mastered it.
    pub mastered: f64,
    /// Share not mastered but started: attempted, or at least 50% likely known.
    pub in_progress: f64,
    /// Share not started whose prerequisites are all mastered (they could
    /// start now).
    pub not_started: f64,
    /// Share not started with at least one prerequisite not mastered. The
    /// four shares are disjoint and sum to 1: a learner who has started a
    /// standard counts as in progress even if a prerequisite is missing.
    pub blocked: f64,
}

/// A learner a teacher should look at, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LearnerFlag {
    /// The learner's row in the cohort.
    pub learner: usize,
    /// The learner's id.
    pub id: String,
    /// What stands out, in words.
    pub detail: String,
}

/// Where a class stands on a set of standards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ClassReport {
    /// Learners in the class.
    pub learners: usize,
    /// Per standard, in the curriculum's order.
    pub standards: Vec<StandardSummary>,
    /// At most [`MOST_BLOCKED`] standards where at least 30% of the class is
    /// blocked: most learners blocked first, ties broken by how many
    /// standards build directly on it (more first), then curriculum index.
    pub most_blocked: Vec<StandardIdx>,
    /// Learners wheel-spinning on a standard (10+ attempts, not mastered).
    pub wheel_spinning: Vec<LearnerFlag>,
    /// Learners far behind the class (share mastered 1.5 standard deviations below the mean).
    pub behind: Vec<LearnerFlag>,
    /// Learners far ahead (1.5 standard deviations above).
    pub ahead: Vec<LearnerFlag>,
    /// The class's mean share of the standards mastered.
    pub mean_mastered_share: f64,
    /// Every learner's tier of support under [`TierRules::default`] (no goal
    /// plans; [`Cohort::tiers`] takes other rules and plans).
    pub tiers: Tiers,
}

impl Cohort {
    /// The class report on `standards`, parallel over learners.
    /// O(learners x (standards + their prerequisite edges)).
    ///
    /// ```
    /// use mastery::{Curriculum, Evidence, LearnerState, Model, Outcome};
    /// use mastery::cohort::Cohort;
    ///
    /// let model = Model::builder(Curriculum::ccss_math()).build()?;
    /// let mut ada = LearnerState::new(&model, "ada")?;
    /// for t in 0..8 {
    ///     ada.apply(&model, &Evidence::on_standard("ada", "K.CC.A.1", Outcome::Correct, t)?)?;
    /// }
    /// let class = Cohort::from_states(&model, &[ada, LearnerState::new(&model, "bo")?], 10)?;
    /// let report = class.class_report(&class.grade("K"))?;
    /// let first = report.standards.iter().find(|s| model.curriculum()[s.standard].id() == "K.CC.A.1").unwrap();
    /// assert_eq!((first.mastered, first.not_started), (0.5, 0.5));
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`](crate::Error::IndexOutOfRange) for standards of
    /// another curriculum.
    pub fn class_report(&self, standards: &StandardSet) -> Result<ClassReport> {
        if let Some(max) = standards.max() {
            self.curriculum.standard(max)?;
        }
        let curriculum = &self.curriculum;
        let columns: Vec<StandardIdx> = curriculum.in_order(standards);
        let bar = self.mastered_threshold as f32;
        // Per column: learners mastered, in progress, blocked (not started,
        // a prerequisite missing); summed over
        // learners in parallel (integer sums: the same whatever the split).
        // Per learner only the share mastered and the worst wheel-spin are kept.
        let prerequisites: Vec<&[StandardIdx]> = columns
            .iter()
            .map(|&s| curriculum.prerequisites(s).unwrap_or_default())
            .collect();
        let learner_summary =
            |l: usize, totals: &mut [[u64; 3]]| -> (f64, Option<(StandardIdx, u32)>) {
                let row = self.mastery.row(l);
                let attempts = self.attempts(l);
                let mut mastered = 0usize;
                for ((&s, pre), t) in columns.iter().zip(&prerequisites).zip(totals.iter_mut()) {
                    let m = row[s.index()];
                    if m >= bar {
                        mastered += 1;
                        t[0] += 1;
                    } else {
                        let started =
                            m >= 0.5 || attempts.iter().any(|a| a.standard == s && a.attempts > 0);
                        t[1] += u64::from(started);
                        t[2] += u64::from(!started && pre.iter().any(|p| row[p.index()] < bar));
                    }
                }
                let spin = attempts
                    .iter()
                    .filter(|a| {
                        a.attempts >= WHEEL_SPIN_ATTEMPTS
                            && !a.mastered_at_last_evidence
                            && row[a.standard.index()] < bar
                    })
                    .max_by_key(|a| (a.attempts, std::cmp::Reverse(a.standard)))
                    .map(|a| (a.standard, a.attempts));
                (mastered as f64 / columns.len().max(1) as f64, spin)
            };
        type Summary = (f64, Option<(StandardIdx, u32)>);
        let (totals, per_learner): (Vec<[u64; 3]>, Vec<(usize, Summary)>) = (0..self.len())
            .into_par_iter()
            .fold(
                || (vec![[0u64; 3]; columns.len()], Vec::new()),
                |(mut totals, mut rows), l| {
                    rows.push((l, learner_summary(l, &mut totals)));
                    (totals, rows)
                },
            )
            .reduce(
                || (vec![[0u64; 3]; columns.len()], Vec::new()),
                |(mut a, mut rows_a), (b, rows_b)| {
                    for (x, y) in a.iter_mut().zip(&b) {
                        for k in 0..3 {
                            x[k] += y[k];
                        }
                    }
                    rows_a.extend(rows_b);
                    (a, rows_a)
                },
            );
        let mut per_learner = per_learner;
        per_learner.sort_unstable_by_key(|(l, _)| *l);
        let per_learner: Vec<Summary> = per_learner.into_iter().map(|(_, x)| x).collect();
        let n = self.len().max(1) as f64;
        let summaries: Vec<StandardSummary> = columns
            .iter()
            .zip(&totals)
            .map(|(&standard, t)| StandardSummary {
                standard,
                mastered: t[0] as f64 / n,
                in_progress: t[1] as f64 / n,
                not_started: (n - t[0] as f64 - t[1] as f64 - t[2] as f64) / n,
                blocked: t[2] as f64 / n,
            })
            .collect();
        let mut most_blocked: Vec<&StandardSummary> =
            summaries.iter().filter(|s| s.blocked >= 0.3).collect();
        let builds_on = |s: StandardIdx| curriculum.dependents(s).map_or(0, <[_]>::len);
        most_blocked.sort_by(|a, b| {
            b.blocked
                .total_cmp(&a.blocked)
                .then(builds_on(b.standard).cmp(&builds_on(a.standard)))
                .then(a.standard.cmp(&b.standard))
        });
        most_blocked.truncate(MOST_BLOCKED);
        let shares: Vec<f64> = per_learner.iter().map(|p| p.0).collect();
        let mean = shares.iter().sum::<f64>() / n;
        let sd = (shares.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / n).sqrt();
        let flag = |l: usize, detail: String| LearnerFlag {
            learner: l,
            id: self.learners[l].clone(),
            detail,
        };
        let percent = |x: f64| (x * 100.0).round();
        let mut behind = Vec::new();
        let mut ahead = Vec::new();
        if sd > 0.0 {
            for (l, &share) in shares.iter().enumerate() {
                let detail = format!(
                    "has mastered {:.0}% of these standards; the class average is {:.0}%",
                    percent(share),
                    percent(mean)
                );
                if share <= mean - 1.5 * sd {
                    behind.push(flag(l, detail));
                } else if share >= mean + 1.5 * sd {
                    ahead.push(flag(l, detail));
                }
            }
        }
        let wheel_spinning = per_learner
            .iter()
            .enumerate()
            .filter_map(|(l, p)| {
                p.1.map(|(s, attempts)| {
                    flag(
                        l,
                        format!(
                            "has tried {} {attempts} times without mastering it",
                            curriculum[s].id()
                        ),
                    )
                })
            })
            .collect();
        let tiers = self.tiers(standards, &TierRules::default(), None)?;
        Ok(ClassReport {
            tiers,
            learners: self.len(),
            most_blocked: most_blocked.iter().map(|s| s.standard).collect(),
            standards: summaries,
            wheel_spinning,
            behind,
            ahead,
            mean_mastered_share: mean,
        })
    }
}
