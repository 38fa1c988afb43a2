//! How much each source of evidence counts.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::evidence::Source;

/// The weight of each [`Source`] of evidence, in (0, 1].
///
/// A piece of evidence of weight `w` updates mastery with its likelihoods
/// raised to the power `w` (a tempered, or "power", likelihood: Bissiri,
/// Holmes & Walker 2016), so `w = 1` is the plain BKT update and `w = 0.25`
/// moves the estimate as a quarter of an answer's evidence would. A
/// learner's own report ([`Source::SelfReport`]) counts 0.25 by default,
/// everything else 1: self-assessments are informative but biased (Dunning,
/// Heath & Suls 2004), and a self-report is not a practice opportunity, so
/// it gets no learning transition either.
///
/// ```
/// use mastery::Source;
/// use mastery::model::SourceWeights;
///
/// let weights = SourceWeights::default().with_weight(Source::TeacherObservation, 0.8)?;
/// assert_eq!(weights.weight(Source::SelfReport), 0.25);
/// assert_eq!(weights.weight(Source::TeacherObservation), 0.8);
/// assert!(SourceWeights::default().with_weight(Source::Practice, 0.0).is_err());
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceWeights {
    practice: f64,
    assessment: f64,
    teacher_observation: f64,
    self_report: f64,
}

impl Default for SourceWeights {
    fn default() -> Self {
        SourceWeights {
            practice: 1.0,
            assessment: 1.0,
            teacher_observation: 1.0,
            self_report: 0.25,
        }
    }
}

impl SourceWeights {
    /// Every source at weight 1: all evidence alike.
    #[must_use]
    pub fn uniform() -> Self {
        SourceWeights {
            self_report: 1.0,
            ..SourceWeights::default()
        }
    }

    /// Sets the weight of one source.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] unless `weight` is in (0, 1].
    pub fn with_weight(mut self, source: Source, weight: f64) -> Result<Self> {
        if !(weight > 0.0 && weight <= 1.0) {
            return Err(Error::InvalidValue {
                what: format!("weight of {source:?} evidence"),
                expected: "in (0, 1]",
                value: weight,
            });
        }
        *self.slot(source) = weight;
        Ok(self)
    }

    /// The weight of `source`.
    #[must_use]
    pub fn weight(&self, source: Source) -> f64 {
        match source {
            Source::Practice => self.practice,
            Source::Assessment => self.assessment,
            Source::TeacherObservation => self.teacher_observation,
            Source::SelfReport => self.self_report,
        }
    }

    fn slot(&mut self, source: Source) -> &mut f64 {
        match source {
            Source::Practice => &mut self.practice,
            Source::Assessment => &mut self.assessment,
            Source::TeacherObservation => &mut self.teacher_observation,
            Source::SelfReport => &mut self.self_report,
        }
    }
}

/// Whether evidence from `source` is a practice opportunity (gets the
/// learning transition and counts as an attempt): everything but the
/// learner's own report.
#[must_use]
pub(crate) fn is_opportunity(source: Source) -> bool {
    source != Source::SelfReport
}

/// Likelihoods raised to the power `weight` (exactly unchanged at 1).
pub(crate) fn temper((known, unknown): (f64, f64), weight: f64) -> (f64, f64) {
    if weight == 1.0 {
        (known, unknown)
    } else {
        (known.powf(weight), unknown.powf(weight))
    }
}
