//! Evidence: one observed outcome of one learner on an activity or a
//! standard; and response logs in pyBKT's CSV columns.

mod crosswalk;
mod log;
mod rows;
pub mod xapi;

pub use crosswalk::MappedEvidence;
#[cfg(feature = "fit")]
pub(crate) use log::{Columns, Fields, parse_clean_row, parse_row};
pub use log::{Response, ResponseColumns, read_responses, read_responses_path};
pub use rows::{ResponseRow, responses_csv};

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A partial-credit score in [0, 1]: 1 is fully correct, 0 fully incorrect.
///
/// ```
/// use mastery::Score;
///
/// assert_eq!(Score::new(0.75)?.value(), 0.75);
/// assert!(Score::new(1.5).is_err());
/// assert!(Score::new(f64::NAN).is_err());
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Score(f64);

impl Score {
    /// A score.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] if `value` is not a number in [0, 1].
    pub fn new(value: f64) -> Result<Self> {
        if (0.0..=1.0).contains(&value) {
            Ok(Score(value))
        } else {
            Err(Error::InvalidValue {
                what: "score".into(),
                expected: "a number in [0, 1]",
                value,
            })
        }
    }

    /// The score in [0, 1].
    #[must_use]
    pub fn value(self) -> f64 {
        self.0
    }
}

impl TryFrom<f64> for Score {
    type Error = Error;
    fn try_from(value: f64) -> Result<Self> {
        Score::new(value)
    }
}

impl From<Score> for f64 {
    fn from(score: Score) -> f64 {
        score.0
    }
}

/// What happened: a correct or incorrect answer, or a partial-credit score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Outcome {
    /// A correct answer.
    Correct,
    /// An incorrect answer.
    Incorrect,
    /// Partial credit; see [`BktParams::likelihoods`](crate::BktParams::likelihoods)
    /// for how a score counts.
    Partial(Score),
}

impl Outcome {
    /// `Correct` for `true`, `Incorrect` for `false`.
    #[must_use]
    pub fn from_correct(correct: bool) -> Self {
        if correct {
            Outcome::Correct
        } else {
            Outcome::Incorrect
        }
    }

    /// A partial-credit outcome; 1 and 0 become `Correct` and `Incorrect`.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] if `score` is not a number in [0, 1].
    pub fn score(score: f64) -> Result<Self> {
        let score = Score::new(score)?;
        Ok(if score.0 == 1.0 {
            Outcome::Correct
        } else if score.0 == 0.0 {
            Outcome::Incorrect
        } else {
            Outcome::Partial(score)
        })
    }

    /// The outcome as a number in [0, 1]: 1 correct, 0 incorrect, or the score.
    #[must_use]
    pub fn credit(self) -> f64 {
        match self {
            Outcome::Correct => 1.0,
            Outcome::Incorrect => 0.0,
            Outcome::Partial(s) => s.0,
        }
    }
}

/// Where evidence came from. The model weighs each source
/// ([`crate::model::SourceWeights`]): by default a learner's own report
/// counts a quarter of an answer and is not a practice opportunity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Source {
    /// Practice in the learning platform.
    #[default]
    Practice,
    /// An assessment item (quiz, test).
    Assessment,
    /// A teacher's observation.
    TeacherObservation,
    /// The learner's own report.
    SelfReport,
}

/// How sure a learner says they are that they can do a standard, from 1
/// ("I can't do this yet") to 4 ("I can do this").
///
/// ```
/// use mastery::evidence::Confidence;
///
/// let sure = Confidence::new(4)?;
/// assert_eq!(sure.level(), 4);
/// assert_eq!(sure.felt(), 1.0);
/// assert!((Confidence::new(2)?.felt() - 1.0 / 3.0).abs() < 1e-12);
/// assert!(Confidence::new(0).is_err() && Confidence::new(5).is_err());
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Confidence(u8);

impl Confidence {
    /// The highest level: "I can do this".
    pub const SURE: Confidence = Confidence(4);

    /// A confidence level from 1 to 4.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] outside 1..=4.
    pub fn new(level: u8) -> Result<Self> {
        if (1..=4).contains(&level) {
            Ok(Confidence(level))
        } else {
            Err(Error::InvalidValue {
                what: "confidence".into(),
                expected: "a level from 1 to 4",
                value: f64::from(level),
            })
        }
    }

    /// The level, 1 to 4.
    #[must_use]
    pub fn level(self) -> u8 {
        self.0
    }

    /// The level as a felt probability of success: 0, 1/3, 2/3, 1.
    #[must_use]
    pub fn felt(self) -> f64 {
        f64::from(self.0 - 1) / 3.0
    }

    /// The nearest level to a credit in [0, 1] (the inverse of [`Confidence::felt`]).
    #[must_use]
    pub fn from_credit(credit: f64) -> Self {
        Confidence((credit.clamp(0.0, 1.0) * 3.0).round() as u8 + 1)
    }

    /// The outcome the model sees: the felt probability as a score.
    #[must_use]
    pub fn outcome(self) -> Outcome {
        match self.0 {
            4 => Outcome::Correct,
            1 => Outcome::Incorrect,
            _ => Outcome::Partial(Score(self.felt())),
        }
    }
}

impl TryFrom<u8> for Confidence {
    type Error = Error;
    fn try_from(level: u8) -> Result<Self> {
        Confidence::new(level)
    }
}

impl From<Confidence> for u8 {
    fn from(c: Confidence) -> u8 {
        c.0
    }
}

/// What was attempted: an activity of the catalog or a standard directly.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Target {
    /// A standard id, e.g. `3.NF.A.1`.
    Standard(String),
    /// An activity id of the [`Catalog`](crate::Catalog).
    Activity(String),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Standard(id) => write!(f, "standard {id}"),
            Target::Activity(id) => write!(f, "activity {id}"),
        }
    }
}

/// One observed outcome: who, on what, how it went, when, and from which source.
///
/// Timestamps are seconds since the Unix epoch, from
/// [`MIN_TIMESTAMP`](crate::time::MIN_TIMESTAMP) to
/// [`MAX_TIMESTAMP`](crate::time::MAX_TIMESTAMP) (years 1 to 9999); construction
/// and deserialization check them, as they check the ids.
///
/// ```
/// use mastery::{Evidence, Outcome, Source};
///
/// let answer = Evidence::on_standard("ada", "3.NF.A.1", Outcome::Correct, 1_700_000_000)?;
/// let quiz = Evidence::on_activity("ada", "fractions-quiz-2", Outcome::score(0.8)?, 1_700_000_600)?
///     .with_source(Source::Assessment);
/// assert_eq!(quiz.outcome().credit(), 0.8);
/// assert!(Evidence::on_standard("", "3.NF.A.1", Outcome::Correct, 0).is_err());
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "EvidenceRepr")]
pub struct Evidence {
    learner: String,
    target: Target,
    outcome: Outcome,
    timestamp: i64,
    #[serde(default)]
    source: Source,
}

/// The serialized form, checked by [`Evidence::new`] on the way in.
#[derive(Deserialize)]
struct EvidenceRepr {
    learner: String,
    target: Target,
    outcome: Outcome,
    timestamp: i64,
    #[serde(default)]
    source: Source,
}

impl TryFrom<EvidenceRepr> for Evidence {
    type Error = Error;
    fn try_from(r: EvidenceRepr) -> Result<Self> {
        Ok(Evidence::new(r.learner, r.target, r.outcome, r.timestamp)?.with_source(r.source))
    }
}

impl Evidence {
    /// Evidence on a target.
    ///
    /// # Errors
    /// [`Error::InvalidId`] for an empty learner or standard id or one longer
    /// than [`MAX_ID_BYTES`](crate::MAX_ID_BYTES),
    /// [`Error::InvalidActivityId`] for such an activity id;
    /// [`Error::TimestampOutOfRange`] for a timestamp outside
    /// [`MIN_TIMESTAMP`](crate::time::MIN_TIMESTAMP) to
    /// [`MAX_TIMESTAMP`](crate::time::MAX_TIMESTAMP).
    pub fn new(
        learner: impl Into<String>,
        target: Target,
        outcome: Outcome,
        timestamp: i64,
    ) -> Result<Self> {
        let learner = learner.into();
        // Empty or over-long ids only: the finer rules for standard and
        // activity ids belong to the curriculum and the catalog that resolve them.
        let problem = crate::curriculum::learner_id_problem;
        let invalid = |id: &str, reason| Error::InvalidId {
            id: crate::curriculum::shown_id(id),
            reason,
            at: crate::Location::NONE,
        };
        if let Some(reason) = problem(&learner) {
            return Err(invalid(&learner, reason));
        }
        match &target {
            Target::Standard(id) => {
                if let Some(reason) = problem(id) {
                    return Err(invalid(id, reason));
                }
            }
            Target::Activity(id) => {
                if let Some(reason) = problem(id) {
                    return Err(Error::InvalidActivityId {
                        id: crate::curriculum::shown_id(id),
                        reason,
                        at: crate::Location::NONE,
                    });
                }
            }
        }
        // The message is formatted only for a bad timestamp: this runs for
        // every statement of a large log.
        if !(crate::time::MIN_TIMESTAMP..=crate::time::MAX_TIMESTAMP).contains(&timestamp) {
            crate::time::check_timestamp(
                &format!("time of the evidence of learner `{learner}` on {target}"),
                timestamp,
            )?;
        }
        Ok(Evidence {
            learner,
            target,
            outcome,
            timestamp,
            source: Source::Practice,
        })
    }

    /// Evidence on a standard.
    ///
    /// # Errors
    /// As [`Evidence::new`].
    pub fn on_standard(
        learner: impl Into<String>,
        standard: impl Into<String>,
        outcome: Outcome,
        timestamp: i64,
    ) -> Result<Self> {
        Evidence::new(
            learner,
            Target::Standard(standard.into()),
            outcome,
            timestamp,
        )
    }

    /// Evidence on an activity of the catalog.
    ///
    /// # Errors
    /// As [`Evidence::new`].
    pub fn on_activity(
        learner: impl Into<String>,
        activity: impl Into<String>,
        outcome: Outcome,
        timestamp: i64,
    ) -> Result<Self> {
        Evidence::new(
            learner,
            Target::Activity(activity.into()),
            outcome,
            timestamp,
        )
    }

    /// A learner's self-assessment of a standard: the confidence as the
    /// outcome ([`Confidence::outcome`]), from [`Source::SelfReport`].
    ///
    /// ```
    /// use mastery::{Curriculum, Evidence, LearnerState, Model, Outcome, Source};
    /// use mastery::evidence::Confidence;
    ///
    /// let model = Model::builder(Curriculum::ccss_math()).build()?;
    /// let (mut said, mut answered) = (LearnerState::new(&model, "ada")?, LearnerState::new(&model, "ada")?);
    /// let now = 1_700_000_000;
    /// let feeling = Evidence::self_assessment("ada", "3.NF.A.1", Confidence::SURE, now)?;
    /// assert_eq!(feeling.source(), Source::SelfReport);
    /// said.apply(&model, &feeling)?;
    /// answered.apply(&model, &Evidence::on_standard("ada", "3.NF.A.1", Outcome::Correct, now)?)?;
    /// let prior = LearnerState::new(&model, "ada")?.mastery(&model, "3.NF.A.1")?;
    /// // Feeling sure moves mastery, but less than a correct answer.
    /// let (by_feeling, by_answer) = (said.mastery(&model, "3.NF.A.1")? - prior, answered.mastery(&model, "3.NF.A.1")? - prior);
    /// assert!(0.0 < by_feeling && by_feeling < by_answer);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Evidence::new`].
    pub fn self_assessment(
        learner: impl Into<String>,
        standard: impl Into<String>,
        confidence: Confidence,
        timestamp: i64,
    ) -> Result<Self> {
        Ok(
            Evidence::on_standard(learner, standard, confidence.outcome(), timestamp)?
                .with_source(Source::SelfReport),
        )
    }

    /// Sets the source (default [`Source::Practice`]).
    #[must_use]
    pub fn with_source(mut self, source: Source) -> Self {
        self.source = source;
        self
    }

    /// The learner's id.
    #[must_use]
    pub fn learner(&self) -> &str {
        &self.learner
    }

    /// What was attempted.
    #[must_use]
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// How it went.
    #[must_use]
    pub fn outcome(&self) -> Outcome {
        self.outcome
    }

    /// When, in seconds since the Unix epoch.
    #[must_use]
    pub fn timestamp(&self) -> i64 {
        self.timestamp
    }

    /// Where the evidence came from.
    #[must_use]
    pub fn source(&self) -> Source {
        self.source
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_outside_the_unit_interval_are_rejected() {
        for bad in [-0.1, 1.0001, f64::NAN, f64::INFINITY] {
            assert!(Outcome::score(bad).is_err(), "{bad}");
        }
        assert_eq!(Outcome::score(1.0).unwrap(), Outcome::Correct);
        assert_eq!(Outcome::score(0.0).unwrap(), Outcome::Incorrect);
    }

    #[test]
    fn serde_validates_scores() {
        let ok =
            r#"{"learner":"a","target":{"standard":"S"},"outcome":{"partial":0.5},"timestamp":3}"#;
        let e: Evidence = serde_json::from_str(ok).unwrap();
        assert_eq!(e.outcome().credit(), 0.5);
        assert_eq!(e.source(), Source::Practice);
        let bad = ok.replace("0.5", "7.5");
        assert!(serde_json::from_str::<Evidence>(&bad).is_err());
        let back: Evidence = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
        assert_eq!(back, e);
    }
}
