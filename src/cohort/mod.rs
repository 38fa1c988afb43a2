//! Many learners at once: a class, a school, a district. Groupings for
//! targeted instruction, class reports, progress reports for families.
//!
//! A [`Cohort`] is a snapshot at one time: a dense learners x standards
//! matrix of mastery estimates (`f32`, 4 bytes per cell: 300,000 learners x
//! 480 standards is 576 MB) plus per-learner attempt counts on the standards
//! they practiced.

mod grouping;
mod report;
mod tiers;

use ndarray::{Array2, ArrayView1, ArrayView2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use grouping::{Group, Grouping};
pub use report::{ClassReport, LearnerFlag, MOST_BLOCKED, ProgressReport, StandardSummary};
pub use tiers::{Tier, TierEvidence, TierGroup, TierPlacement, TierRules, Tiers};

use crate::curriculum::{Curriculum, StandardIdx, StandardSet};
use crate::error::{Error, Result};
use crate::learner::LearnerState;
use crate::model::Model;

/// Attempts of one learner on one standard. Plain data: attempts given to
/// [`Cohort::from_matrix`] are checked against its curriculum there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempts {
    /// The standard.
    pub standard: StandardIdx,
    /// Attempts.
    pub attempts: u32,
    /// Fully correct attempts.
    pub correct: u32,
    /// Whether the estimate reached the mastery bar right after the latest
    /// evidence (a standard that was mastered and has faded is not one the
    /// learner is stuck on).
    pub mastered_at_last_evidence: bool,
}

/// Checks one learner's attempts against the curriculum (see [`Cohort::from_matrix`]).
fn check_attempts(curriculum: &Curriculum, learner: &str, attempts: &[Attempts]) -> Result<()> {
    let invalid = |reason: String| Error::InvalidState {
        what: "cohort attempts",
        reason,
    };
    for a in attempts {
        let Ok(standard) = curriculum.standard(a.standard) else {
            return Err(invalid(format!(
                "attempts of learner `{learner}` name standard #{}, but the curriculum has {} standards",
                a.standard.index(),
                curriculum.len()
            )));
        };
        if a.correct > a.attempts {
            return Err(invalid(format!(
                "learner `{learner}` has {} correct of {} attempts on `{}`",
                a.correct,
                a.attempts,
                standard.id()
            )));
        }
    }
    Ok(())
}

/// Learners' mastery at one time, as a learners x standards matrix.
///
/// ```
/// use mastery::{Curriculum, Evidence, LearnerState, Model, Outcome};
/// use mastery::cohort::Cohort;
///
/// let model = Model::builder(Curriculum::ccss_math()).build()?;
/// let mut ada = LearnerState::new(&model, "ada")?;
/// ada.apply(&model, &Evidence::on_standard("ada", "K.CC.A.1", Outcome::Correct, 100)?)?;
/// let bo = LearnerState::new(&model, "bo")?;
/// let class = Cohort::from_states(&model, &[ada, bo], 200)?;
/// assert_eq!(class.len(), 2);
/// let k_cc_a_1 = model.curriculum().index_of("K.CC.A.1")?;
/// assert!(class.mastery()[[0, k_cc_a_1.index()]] > class.mastery()[[1, k_cc_a_1.index()]]);
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Cohort {
    curriculum: Curriculum,
    learners: Vec<String>,
    mastery: Array2<f32>,
    attempts: Vec<Vec<Attempts>>,
    mastered_threshold: f64,
    now: i64,
}

impl Cohort {
    /// The cohort of `states` at time `now` (decay applied), in parallel.
    /// O(learners x standards + practice records), parallel over learners.
    ///
    /// # Errors
    /// [`Error::CurriculumMismatch`] for a state of another curriculum.
    pub fn from_states(model: &Model, states: &[LearnerState], now: i64) -> Result<Self> {
        let curriculum = model.curriculum().clone();
        let n = curriculum.len();
        let rows: Vec<(Vec<f64>, Vec<Attempts>)> = states
            .par_iter()
            .map(|s| {
                let mastery = s.all_mastery_at(model, now)?;
                let stored: Vec<f64> = s.estimates().collect();
                let bar = model.levels().mastered();
                let attempts = s
                    .practice_records()
                    .iter()
                    .filter(|r| r.attempts() > 0)
                    .map(|r| Attempts {
                        standard: r.standard(),
                        attempts: r.attempts(),
                        correct: r.correct(),
                        mastered_at_last_evidence: stored[r.standard().index()] >= bar,
                    })
                    .collect();
                Ok((mastery, attempts))
            })
            .collect::<Result<_>>()?;
        let mut matrix = Array2::<f32>::zeros((states.len(), n));
        let mut attempts = Vec::with_capacity(states.len());
        for (i, (mastery, a)) in rows.into_iter().enumerate() {
            for (j, m) in mastery.into_iter().enumerate() {
                matrix[[i, j]] = m as f32;
            }
            attempts.push(a);
        }
        Ok(Cohort {
            curriculum,
            learners: states.iter().map(|s| s.learner().to_owned()).collect(),
            mastery: matrix,
            attempts,
            mastered_threshold: model.levels().mastered(),
            now,
        })
    }

    /// A cohort from a mastery matrix (learners x standards, values in [0, 1])
    /// and per-learner attempts (empty lists if unknown).
    ///
    /// This is where attempts from outside (deserialized, say) meet the
    /// curriculum: every standard index is checked here, once, so that the
    /// reports never index out of bounds. O(learners x standards + attempts).
    ///
    /// # Errors
    /// [`Error::SizeMismatch`] if the matrix does not have one row per learner
    /// and one column per standard, or `attempts` one entry per learner;
    /// [`Error::InvalidValue`] for a value that is not in [0, 1] or a threshold outside it;
    /// [`Error::InvalidState`] for attempts on a standard the curriculum does
    /// not have or more correct attempts than attempts (naming the learner).
    pub fn from_matrix(
        curriculum: &Curriculum,
        learners: Vec<String>,
        mastery: Array2<f32>,
        attempts: Vec<Vec<Attempts>>,
        mastered_threshold: f64,
        now: i64,
    ) -> Result<Self> {
        if mastery.nrows() != learners.len() {
            return Err(Error::SizeMismatch {
                what: "mastery matrix rows (one per learner)",
                expected: learners.len(),
                found: mastery.nrows(),
            });
        }
        if mastery.ncols() != curriculum.len() {
            return Err(Error::SizeMismatch {
                what: "mastery matrix columns (one per standard)",
                expected: curriculum.len(),
                found: mastery.ncols(),
            });
        }
        if attempts.len() != learners.len() {
            return Err(Error::SizeMismatch {
                what: "attempt lists (one per learner)",
                expected: learners.len(),
                found: attempts.len(),
            });
        }
        if let Some(((i, j), v)) = mastery
            .indexed_iter()
            .find(|(_, v)| !(0.0..=1.0).contains(*v))
        {
            return Err(Error::InvalidValue {
                what: format!(
                    "mastery of learner `{}` on `{}`",
                    learners[i],
                    curriculum.standards()[j].id()
                ),
                expected: "a probability in [0, 1]",
                value: f64::from(*v),
            });
        }
        for (learner, list) in learners.iter().zip(&attempts) {
            check_attempts(curriculum, learner, list)?;
        }
        if !(0.0..=1.0).contains(&mastered_threshold) {
            return Err(Error::InvalidValue {
                what: "mastered threshold".into(),
                expected: "a probability in [0, 1]",
                value: mastered_threshold,
            });
        }
        Ok(Cohort {
            curriculum: curriculum.clone(),
            learners,
            mastery,
            attempts,
            mastered_threshold,
            now,
        })
    }

    /// The number of learners.
    #[must_use]
    pub fn len(&self) -> usize {
        self.learners.len()
    }

    /// Whether there are no learners.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.learners.is_empty()
    }

    /// Learner ids, by row.
    #[must_use]
    pub fn learners(&self) -> &[String] {
        &self.learners
    }

    /// The curriculum.
    #[must_use]
    pub fn curriculum(&self) -> &Curriculum {
        &self.curriculum
    }

    /// The mastery matrix, learners x standards.
    #[must_use]
    pub fn mastery(&self) -> ArrayView2<'_, f32> {
        self.mastery.view()
    }

    /// One learner's row.
    #[must_use]
    pub fn learner_mastery(&self, learner: usize) -> Option<ArrayView1<'_, f32>> {
        (learner < self.len()).then(|| self.mastery.row(learner))
    }

    /// One learner's attempts, by standard.
    #[must_use]
    pub fn attempts(&self, learner: usize) -> &[Attempts] {
        self.attempts.get(learner).map_or(&[], Vec::as_slice)
    }

    /// The mastery bar.
    #[must_use]
    pub fn mastered_threshold(&self) -> f64 {
        self.mastered_threshold
    }

    /// The time of the snapshot.
    #[must_use]
    pub fn now(&self) -> i64 {
        self.now
    }

    /// The standards a learner has mastered.
    #[must_use]
    pub fn mastered(&self, learner: usize) -> StandardSet {
        let bar = self.mastered_threshold as f32;
        self.mastery
            .row(learner)
            .iter()
            .enumerate()
            .filter(|&(_, &m)| m >= bar)
            .map(|(j, _)| StandardIdx(j as u32))
            .collect()
    }

    /// The standards of a grade (e.g. `"4"`), as a set.
    #[must_use]
    pub fn grade(&self, grade: &str) -> StandardSet {
        self.curriculum
            .indices()
            .filter(|&s| self.curriculum[s].grade() == Some(grade))
            .collect()
    }
}
