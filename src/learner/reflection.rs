//! Reflection: where a learner's own sense of a standard and the measured
//! mastery part ways, said back to the learner in plain words.

use serde::{Deserialize, Serialize};

use super::LearnerState;
use crate::curriculum::{Curriculum, StandardIdx};
use crate::error::Result;
use crate::evidence::Confidence;
use crate::model::Model;

/// Mastery below this, after confidence 3 or 4, "needs more practice".
pub const NEEDS_PRACTICE_BELOW: f64 = 0.5;

/// Which way feeling and measurement part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum GapKind {
    /// The learner felt sure (3 or 4 of 4), the answers say it needs practice.
    Overconfident,
    /// The learner felt unsure (1 or 2 of 4), the answers show mastery.
    Underconfident,
}

/// A standard where the learner's self-assessment and the answers disagree.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConfidenceGap {
    /// The standard.
    pub standard: StandardIdx,
    /// The learner's latest self-assessment.
    pub confidence: Confidence,
    /// The mastery estimate now.
    pub mastery: f64,
    /// Answers on the standard so far.
    pub answers: u32,
    /// Which way they disagree.
    pub kind: GapKind,
}

impl ConfidenceGap {
    /// One sentence for the learner, e.g. "You felt sure about 3.NF.A.1, but
    /// your last answers say it needs more practice."
    #[must_use]
    pub fn explain(&self, curriculum: &Curriculum) -> String {
        let id = curriculum.standard(self.standard).map_or("?", |s| s.id());
        let felt = match self.confidence.level() {
            4 => "sure",
            3 => "fairly sure",
            2 => "unsure",
            _ => "that you could not do it yet",
        };
        match self.kind {
            GapKind::Overconfident => format!(
                "You felt {felt} about {id}, but your last answers say it needs more practice."
            ),
            GapKind::Underconfident if self.confidence.level() == 1 => format!(
                "You felt {felt} on {id}, but your answers show you can: mastery {:.0}%.",
                self.mastery * 100.0
            ),
            GapKind::Underconfident => format!(
                "You felt {felt} about {id}, but your answers show you can do it: mastery {:.0}%.",
                self.mastery * 100.0
            ),
        }
    }
}

impl LearnerState {
    /// The standards where the learner's latest self-assessment and the
    /// measured mastery at `now` disagree, by standard: confidence 3 or 4
    /// with mastery under [`NEEDS_PRACTICE_BELOW`], or confidence 1 or 2 with
    /// mastery at the model's mastered bar. Only standards with at least one
    /// answer count: a feeling alone is not measured. (The estimate includes
    /// the self-assessment's own, lightly weighted, evidence.)
    ///
    /// ```
    /// use mastery::{Curriculum, Evidence, LearnerState, Model, Outcome};
    /// use mastery::evidence::Confidence;
    ///
    /// let ccss = Curriculum::ccss_math();
    /// let model = Model::builder(ccss.clone()).build()?;
    /// let mut ada = LearnerState::new(&model, "ada")?;
    /// let t = 1_700_000_000;
    /// ada.apply(&model, &Evidence::self_assessment("ada", "3.NF.A.1", Confidence::SURE, t)?)?;
    /// for i in 1..=3 {
    ///     ada.apply(&model, &Evidence::on_standard("ada", "3.NF.A.1", Outcome::Incorrect, t + i)?)?;
    /// }
    /// let gaps = ada.confidence_gaps(&model, t + 10)?;
    /// assert_eq!(
    ///     gaps[0].explain(&ccss),
    ///     "You felt sure about 3.NF.A.1, but your last answers say it needs more practice."
    /// );
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`crate::Error::CurriculumMismatch`] for a learner of another curriculum.
    pub fn confidence_gaps(&self, model: &Model, now: i64) -> Result<Vec<ConfidenceGap>> {
        let mastery = self.all_mastery_at(model, now)?;
        let bar = model.levels().mastered();
        Ok(self
            .profile()
            .reflections()
            .iter()
            .filter_map(|r| {
                let answers = self
                    .record_position(r.standard)
                    .map_or(0, |i| self.records[i].attempts);
                let m = *mastery.get(r.standard.index())?;
                let kind = if r.confidence.level() >= 3 && m < NEEDS_PRACTICE_BELOW {
                    GapKind::Overconfident
                } else if r.confidence.level() <= 2 && m >= bar {
                    GapKind::Underconfident
                } else {
                    return None;
                };
                (answers > 0).then_some(ConfidenceGap {
                    standard: r.standard,
                    confidence: r.confidence,
                    mastery: m,
                    answers,
                    kind,
                })
            })
            .collect())
    }
}
