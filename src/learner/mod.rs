//! One learner's mastery estimates and practice history, and the learner's
//! own voice: interests, preferred kinds, session length, goals and choices.

mod bulk;
mod engagement;
mod profile;
mod reflection;
pub mod xapi;

use std::fmt::Write as _;

pub use bulk::Applied;
pub use engagement::{Engagement, MIN_PACE_SPAN_DAYS};
use fixedbitset::FixedBitSet;
pub(crate) use profile::OfferedOption;
pub use profile::{
    ChoiceHistory, ChoiceRecord, Goal, GoalSetter, Preferences, Profile, RECENT_CHOICES,
    Reflection, Tally,
};
pub use reflection::{ConfidenceGap, GapKind, NEEDS_PRACTICE_BELOW};

use serde::{Deserialize, Serialize};

use crate::curriculum::{Curriculum, StandardIdx, StandardKey, StandardSet};
use crate::error::{Error, Result};
use crate::evidence::{Confidence, Evidence, Outcome, Source, Target};
use crate::model::{
    self, Ability, AbilityParams, AnswerLogits, ChangeCause, MasteryAccess, MasteryLevel, Model,
    PropagationSource, Resolved,
};

/// How far below the mastery bar an estimate counts as "almost there" (the
/// mastery map's almost state, and groups whose need is nearly met): 0.05,
/// so 90-94% with the default bar of 95%.
pub const ALMOST_BELOW_BAR: f64 = 0.05;

/// The version of the serialized form of [`LearnerState`].
///
/// Version 4 adds the learner's ability estimate (when the model has
/// ability on; see [`crate::AbilityParams`]). Version 3 adds the id of each
/// standard, so a state loads into a curriculum that has grown since. Version 2 writes `null` in `mastery` for
/// a standard no evidence has reached (it follows the model's current
/// prior). Version 1 to 3 files still load (a learner without an ability
/// estimate starts from the population's); see [`LearnerState::from_json`].
pub const LEARNER_STATE_FORMAT_VERSION: u32 = 4;

/// The practice history of one learner on one standard.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PracticeRecord {
    standard: StandardIdx,
    attempts: u32,
    correct: u32,
    credit: f32,
    practiced_at: i64,
    updated_at: i64,
    half_life_days: f32,
}

impl PracticeRecord {
    /// The standard.
    #[must_use]
    pub fn standard(&self) -> StandardIdx {
        self.standard
    }

    /// Evidence directly on the standard (or an activity aligned to it).
    #[must_use]
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Fully correct attempts.
    #[must_use]
    pub fn correct(&self) -> u32 {
        self.correct
    }

    /// The sum of credit over attempts (correct 1, incorrect 0, scores between).
    #[must_use]
    pub fn credit(&self) -> f64 {
        f64::from(self.credit)
    }

    /// The time of the latest attempt, in seconds since the Unix epoch: the
    /// largest timestamp of the evidence, whatever order it arrived in.
    #[must_use]
    pub fn practiced_at(&self) -> i64 {
        self.practiced_at
    }

    /// The time the stored estimate refers to (the last direct or propagated
    /// evidence, the latest if it arrived out of order): decay counts from here.
    #[must_use]
    pub fn updated_at(&self) -> i64 {
        self.updated_at
    }

    /// The learner's current half-life for this standard, in days.
    #[must_use]
    pub fn half_life_days(&self) -> f64 {
        f64::from(self.half_life_days)
    }
}

/// One estimate changed by one piece of evidence.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MasteryChange {
    /// The standard.
    pub standard: StandardIdx,
    /// The estimate before the evidence (decayed to its time).
    pub before: f64,
    /// The estimate after it.
    pub after: f64,
    /// Why it changed.
    pub cause: ChangeCause,
}

/// What one piece of evidence changed; [`UpdateReport::explain`] says it in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdateReport {
    /// What was attempted.
    pub target: Target,
    /// How it went.
    pub outcome: Outcome,
    /// Where the evidence came from.
    #[serde(default)]
    pub source: Source,
    /// Every changed estimate: attempted standards first, then propagated ones.
    pub changes: Vec<MasteryChange>,
}

impl UpdateReport {
    /// The change of one standard, if it changed.
    #[must_use]
    pub fn change(&self, standard: StandardIdx) -> Option<&MasteryChange> {
        self.changes.iter().find(|c| c.standard == standard)
    }

    /// A plain-language explanation for a learner or a parent, e.g. "Your
    /// correct answer on K.CC.B.4.b raised your mastery from 20% to 60%. It
    /// also raised your mastery of the related standards K.CC.B.4.a and
    /// K.CC.B.5." Percentages are rounded; more than three related standards
    /// are counted rather than listed.
    #[must_use]
    pub fn explain(&self, curriculum: &Curriculum) -> String {
        let what = match (self.source, self.outcome) {
            (Source::SelfReport, outcome) => format!(
                "self-assessment ({} of 4)",
                Confidence::from_credit(outcome.credit()).level()
            ),
            (_, Outcome::Correct) => "correct answer".to_owned(),
            (_, Outcome::Incorrect) => "incorrect answer".to_owned(),
            (_, Outcome::Partial(s)) => format!("answer (scored {:.0}%)", s.value() * 100.0),
        };
        let on = match &self.target {
            Target::Standard(id) | Target::Activity(id) => id.as_str(),
        };
        let mut text = String::new();
        let direct: Vec<&MasteryChange> = self
            .changes
            .iter()
            .filter(|c| c.cause == ChangeCause::Attempted)
            .collect();
        let percent = |p: f64| (p * 100.0).round();
        for (i, c) in direct.iter().enumerate() {
            let id = curriculum.standard(c.standard).map_or("?", |s| s.id());
            let verb = if percent(c.after) > percent(c.before) {
                "raised"
            } else if percent(c.after) < percent(c.before) {
                "lowered"
            } else {
                "kept"
            };
            let subject = if i == 0 {
                if matches!(self.target, Target::Activity(_)) {
                    format!("Your {what} on {on} {verb} your mastery of {id}")
                } else {
                    format!("Your {what} on {id} {verb} your mastery")
                }
            } else {
                format!(" It also {verb} your mastery of {id}")
            };
            let _ = if verb == "kept" {
                write!(text, "{subject} at {:.0}%.", percent(c.after))
            } else {
                write!(
                    text,
                    "{subject} from {:.0}% to {:.0}%.",
                    percent(c.before),
                    percent(c.after)
                )
            };
        }
        for (raised, verb) in [(true, "raised"), (false, "lowered")] {
            let ids: Vec<&str> = self
                .changes
                .iter()
                .filter(|c| {
                    c.cause != ChangeCause::Attempted
                        && c.after != c.before
                        && (c.after > c.before) == raised
                })
                .map(|c| curriculum.standard(c.standard).map_or("?", |s| s.id()))
                .collect();
            let _ = match ids.len() {
                0 => Ok(()),
                1 => write!(
                    text,
                    " It also {verb} your mastery of the related standard {}.",
                    ids[0]
                ),
                2 | 3 => write!(
                    text,
                    " It also {verb} your mastery of the related standards {} and {}.",
                    ids[..ids.len() - 1].join(", "),
                    ids[ids.len() - 1]
                ),
                n => write!(
                    text,
                    " It also {verb} your mastery of {n} related standards."
                ),
            };
        }
        if self.source == Source::SelfReport {
            text += " Self-assessments count less than answers.";
        }
        text
    }
}

/// One learner's mastery estimates over a curriculum, with per-standard
/// practice history.
///
/// A standard that no evidence has reached (never practiced, never touched
/// by propagation) has no estimate of its own: it follows the prior of the
/// model it is read with, so parameters refitted later reach existing
/// learners as well as new ones.
///
/// Memory: 4 bytes and 2 bits per standard (the estimate in 32-bit fixed point, a
/// resolution of 2.3e-10) plus a 40-byte
/// [`PracticeRecord`] per standard the learner has practiced or that
/// propagation touched after practice, plus the learner id. Updates are
/// O(log k) in the k practiced standards (a binary search), plus
/// propagation. Serializes with a format version, the curriculum's
/// fingerprint and the id of each standard, so a saved state loads into a
/// curriculum that has grown since (see [`LearnerState::from_json`]).
///
/// ```
/// use mastery::{Curriculum, Evidence, LearnerState, Model, Outcome};
///
/// let model = Model::builder(Curriculum::ccss_math()).build()?;
/// let mut ada = LearnerState::new(&model, "ada")?;
/// let before = ada.mastery(&model, "3.NF.A.1")?;
/// let report = ada.apply(&model, &Evidence::on_standard("ada", "3.NF.A.1", Outcome::Correct, 1_700_000_000)?)?;
/// assert!(ada.mastery(&model, "3.NF.A.1")? > before);
/// println!("{}", report.explain(model.curriculum()));
///
/// // A month later without practice the estimate has faded, without changing the state.
/// let later = 1_700_000_000 + 30 * 86_400;
/// assert!(ada.mastery_at(&model, "3.NF.A.1", later)? < ada.mastery(&model, "3.NF.A.1")?);
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "LearnerStateRepr", into = "LearnerStateRepr")]
pub struct LearnerState {
    learner: String,
    curriculum: u64,
    /// Estimates in fixed point: `u32::MAX` is 1 (see [`Fixed`]).
    mastery: Vec<Fixed>,
    /// Sorted by standard, at most one per standard.
    records: Vec<PracticeRecord>,
    profile: Profile,
    engagement: Engagement,
    /// Standards some evidence reached (practice or propagation); the others
    /// follow the model's prior and their `mastery` entry is unused.
    evidenced: FixedBitSet,
    /// The standards of `records`, so that a standard without a record
    /// is known without a search (derived from `records`, not saved).
    recorded: FixedBitSet,
    /// The curriculum the indices refer to, so the saved form can name each
    /// standard by id (an `Arc` clone). `None` only for a state deserialized
    /// by serde directly, whose saved form then carries no ids.
    standards: Option<Curriculum>,
    /// The ability belief, once an answer has moved it (`None`: the
    /// population's, for a model with ability on).
    ability: Option<Ability>,
}

/// Equal learner, curriculum, practice records and estimates of the standards
/// evidence reached (the others follow the model's prior either way).
impl PartialEq for LearnerState {
    fn eq(&self, other: &Self) -> bool {
        self.learner == other.learner
            && self.curriculum == other.curriculum
            && self.records == other.records
            && self.evidenced == other.evidenced
            && self.profile == other.profile
            && self.engagement == other.engagement
            && self.ability == other.ability
            && self.mastery.len() == other.mastery.len()
            && self
                .evidenced
                .ones()
                .all(|i| self.mastery.get(i) == other.mastery.get(i))
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LearnerStateRepr {
    format_version: u32,
    learner: String,
    /// The curriculum fingerprint as 16 hex digits (JSON numbers lose u64 precision).
    curriculum: String,
    /// Version 3 on: the id of the standard of each position of `mastery`, so a
    /// state loads into a curriculum that has grown since it was saved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    standards: Option<Vec<String>>,
    /// `null` (version 2 on): no evidence yet, the model's prior.
    mastery: Vec<Option<f64>>,
    practice: Vec<PracticeRecord>,
    /// Added in 0.1 without a format change: files without it load with an empty profile.
    #[serde(default)]
    profile: Profile,
    #[serde(default)]
    engagement: Engagement,
    /// Version 4 on: the ability belief, if an answer has moved it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ability: Option<AbilityRepr>,
}

/// The saved ability belief.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AbilityRepr {
    mean: f64,
    precision: f64,
}

impl From<LearnerState> for LearnerStateRepr {
    fn from(s: LearnerState) -> Self {
        LearnerStateRepr {
            format_version: LEARNER_STATE_FORMAT_VERSION,
            learner: s.learner,
            curriculum: format!("{:016x}", s.curriculum),
            standards: s.standards.as_ref().map(|c| {
                c.indices()
                    .map(|i| c.standard(i).map_or("", |st| st.id()).to_owned())
                    .collect()
            }),
            mastery: s
                .mastery
                .iter()
                .enumerate()
                .map(|(i, m)| s.evidenced.contains(i).then(|| m.get()))
                .collect(),
            practice: s.records,
            profile: s.profile,
            engagement: s.engagement,
            ability: s.ability.map(|a| AbilityRepr {
                mean: a.mean(),
                precision: a.precision(),
            }),
        }
    }
}

impl TryFrom<LearnerStateRepr> for LearnerState {
    type Error = Error;
    fn try_from(r: LearnerStateRepr) -> Result<Self> {
        let invalid = |reason: String| Error::InvalidState {
            what: "learner state",
            reason,
        };
        // Version 1 stored every estimate; it loads with every standard as
        // evidenced (its old behavior), and `from_json` releases the ones no
        // evidence can have reached.
        if !(1..=LEARNER_STATE_FORMAT_VERSION).contains(&r.format_version) {
            return Err(Error::UnsupportedFormat {
                what: "learner state",
                found: r.format_version,
                supported: LEARNER_STATE_FORMAT_VERSION,
            });
        }
        if let Some(reason) = crate::curriculum::learner_id_problem(&r.learner) {
            return Err(invalid(format!(
                "learner id {:?}: {reason}",
                crate::curriculum::shown_id(&r.learner)
            )));
        }
        let curriculum = u64::from_str_radix(&r.curriculum, 16).map_err(|_| {
            invalid(format!(
                "curriculum fingerprint {:?} is not 16 hex digits",
                r.curriculum
            ))
        })?;
        if let Some((i, m)) = r
            .mastery
            .iter()
            .enumerate()
            .find_map(|(i, m)| m.filter(|m| !(0.0..=1.0).contains(m)).map(|m| (i, m)))
        {
            return Err(invalid(format!(
                "mastery of standard #{i} is {m}, not a probability"
            )));
        }
        if let Some(ids) = r
            .standards
            .as_ref()
            .filter(|ids| ids.len() != r.mastery.len())
        {
            return Err(invalid(format!(
                "it names {} standards for its {} mastery estimates",
                ids.len(),
                r.mastery.len()
            )));
        }
        if r.format_version == 1 && r.mastery.iter().any(Option::is_none) {
            return Err(invalid(
                "a format-version-1 state has no empty estimates".into(),
            ));
        }
        for (i, rec) in r.practice.iter().enumerate() {
            if rec.standard.index() >= r.mastery.len() {
                return Err(invalid(format!(
                    "practice record for standard #{} beyond the {} standards",
                    rec.standard.index(),
                    r.mastery.len()
                )));
            }
            if r.mastery[rec.standard.index()].is_none() {
                return Err(invalid(format!(
                    "standard #{} has a practice record but no estimate",
                    rec.standard.index()
                )));
            }
            if i > 0 && r.practice[i - 1].standard >= rec.standard {
                return Err(invalid(
                    "practice records are not sorted by standard without repeats".into(),
                ));
            }
            if let Some(t) = [rec.practiced_at, rec.updated_at]
                .into_iter()
                .find(|&t| crate::time::check_timestamp("", t).is_err())
            {
                return Err(invalid(format!(
                    "practice time {t} of standard #{} is outside the accepted timestamps {} to {}",
                    rec.standard.index(),
                    crate::time::MIN_TIMESTAMP,
                    crate::time::MAX_TIMESTAMP
                )));
            }
            if rec.correct > rec.attempts
                || !(rec.credit >= 0.0 && f64::from(rec.credit) <= f64::from(rec.attempts) + 1e-3)
            {
                return Err(invalid(format!(
                    "practice counters of standard #{} are inconsistent",
                    rec.standard.index()
                )));
            }
            // As the API stores them: within the bounds of `Decay` (as f32).
            if !(rec.half_life_days > 0.0
                && rec.half_life_days <= model::Decay::MAX_HALF_LIFE_DAYS as f32)
            {
                return Err(invalid(format!(
                    "half-life of standard #{} is {}",
                    rec.standard.index(),
                    rec.half_life_days
                )));
            }
        }
        r.profile
            .validate(r.mastery.len())
            .map_err(|reason| invalid(format!("profile: {reason}")))?;
        if !r.engagement.is_valid() {
            return Err(invalid(format!(
                "inconsistent engagement counters {:?}",
                r.engagement
            )));
        }
        let ability = match r.ability {
            None => None,
            Some(a) => Some(Ability::from_parts(a.mean, a.precision).ok_or_else(|| {
                invalid(format!(
                    "ability {} with precision {}: the mean must be within ±{} and the precision positive",
                    a.mean,
                    a.precision,
                    model::MAX_ABILITY
                ))
            })?),
        };
        let mut evidenced = FixedBitSet::with_capacity(r.mastery.len());
        for (i, m) in r.mastery.iter().enumerate() {
            evidenced.set(i, m.is_some());
        }
        let recorded = recorded_set(&r.practice, r.mastery.len());
        Ok(LearnerState {
            learner: r.learner,
            curriculum,
            // An empty estimate is never read: it follows the model's prior.
            mastery: r
                .mastery
                .into_iter()
                .map(|m| Fixed::new(m.unwrap_or(0.0)))
                .collect(),
            recorded,
            records: r.practice,
            profile: r.profile,
            engagement: r.engagement,
            evidenced,
            standards: None,
            ability,
        })
    }
}

/// The standards of practice records, in a set of `len` standards.
fn recorded_set(records: &[PracticeRecord], len: usize) -> FixedBitSet {
    let mut set = FixedBitSet::with_capacity(len);
    for r in records {
        // Within `len`: checked when the records were read or moved.
        if r.standard.index() < len {
            set.insert(r.standard.index());
        }
    }
    set
}

/// A probability in 32-bit fixed point: uniform absolute resolution of
/// 2.3e-10 over [0, 1], where `f32` would lose 6e-8 near 1 and drift from
/// pyBKT's figures over long sequences. Rounding is monotone, so the update
/// invariants survive storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Fixed(u32);

impl Fixed {
    const SCALE: f64 = u32::MAX as f64;

    fn new(p: f64) -> Self {
        // `x.round() as u32` (halves away from zero; NaN to 0) without a
        // call to libm's `round`: `x - trunc(x)` is exact for x >= 0.
        let x = p.clamp(0.0, 1.0) * Self::SCALE;
        let whole = x as u32;
        Fixed(whole + u32::from(x - f64::from(whole) >= 0.5))
    }

    fn get(self) -> f64 {
        f64::from(self.0) / Self::SCALE
    }
}

/// The learner's estimates as seen at one moment, for propagation.
struct AtTime<'a> {
    state: &'a mut LearnerState,
    model: &'a Model,
    now: i64,
    report: Option<&'a mut Vec<MasteryChange>>,
    /// The practice record position the last `get` found, for the `set`
    /// that follows it (records do not move in between).
    last: std::cell::Cell<Option<(StandardIdx, Option<usize>)>>,
}

impl MasteryAccess for AtTime<'_> {
    fn get(&self, standard: StandardIdx) -> f64 {
        let position = self.state.record_of(standard);
        self.last.set(Some((standard, position)));
        self.state
            .current_at(self.model, standard, self.now, position)
    }

    fn set(&mut self, standard: StandardIdx, mastery: f64, before: f64, cause: ChangeCause) {
        self.state.mastery[standard.index()] = Fixed::new(mastery);
        self.state.evidenced.insert(standard.index());
        let position = match self.last.take() {
            Some((s, position)) if s == standard => position,
            _ => self.state.record_of(standard),
        };
        if let Some(i) = position {
            // The decayed value has been materialized: decay restarts from
            // now, or from later evidence already applied (never backwards).
            let record = &mut self.state.records[i];
            record.updated_at = record.updated_at.max(self.now);
        }
        if let Some(report) = self.report.as_deref_mut() {
            report.push(MasteryChange {
                standard,
                before,
                after: mastery,
                cause,
            });
        }
    }
}

thread_local! {
    /// Propagation's buffers for the one-at-a-time updates of this thread.
    static SCRATCH: std::cell::Cell<model::PropagationScratch> =
        std::cell::Cell::default();
}

/// Runs `f` with this thread's propagation buffers (taken out while `f`
/// runs: empty ones, which allocate only when used, if the thread is being
/// torn down).
fn with_scratch<R>(f: impl FnOnce(&mut model::PropagationScratch) -> R) -> R {
    let mut scratch = SCRATCH.try_with(std::cell::Cell::take).unwrap_or_default();
    let result = f(&mut scratch);
    let _ = SCRATCH.try_with(|cell| cell.set(scratch));
    result
}

impl LearnerState {
    /// A learner with no evidence: every estimate is its standard's prior,
    /// and stays the prior of the model the state is read with until evidence
    /// reaches it.
    ///
    /// # Errors
    /// [`Error::InvalidId`] for an empty learner id or one longer than
    /// [`MAX_ID_BYTES`](crate::MAX_ID_BYTES).
    pub fn new(model: &Model, learner: impl Into<String>) -> Result<Self> {
        let learner = learner.into();
        if let Some(reason) = crate::curriculum::learner_id_problem(&learner) {
            return Err(Error::InvalidId {
                id: crate::curriculum::shown_id(&learner),
                reason,
                at: crate::Location::NONE,
            });
        }
        Ok(LearnerState {
            learner,
            curriculum: model.curriculum().fingerprint(),
            mastery: model
                .all_params()
                .iter()
                .map(|p| Fixed::new(p.prior()))
                .collect(),
            records: Vec::new(),
            profile: Profile::default(),
            engagement: Engagement::default(),
            evidenced: FixedBitSet::with_capacity(model.curriculum().len()),
            recorded: FixedBitSet::with_capacity(model.curriculum().len()),
            standards: Some(model.curriculum().clone()),
            ability: None,
        })
    }

    /// Reads a state from JSON and checks it belongs to `model`'s curriculum.
    ///
    /// A state saved against another version of the curriculum (standards or
    /// prerequisites added, removed or reordered since) is moved onto this one
    /// by standard id: every estimate, practice record, goal, self-assessment
    /// and recorded choice follows its standard; a standard added since
    /// follows the prior; a removed standard the learner has no evidence on
    /// is forgotten. Estimates stay as they were saved: a new prerequisite
    /// does not re-run propagation. States written before format version 3
    /// carry no ids and load only into the curriculum they were saved with.
    ///
    /// ```
    /// use mastery::{Curriculum, Evidence, LearnerState, Model, Outcome};
    ///
    /// let v1 = Model::builder(Curriculum::builder().standard_ids(["A", "B"])?.build()?).build()?;
    /// let mut ada = LearnerState::new(&v1, "ada")?;
    /// ada.apply(&v1, &Evidence::on_standard("ada", "B", Outcome::Correct, 1_700_000_000)?)?;
    /// let saved = ada.to_json();
    /// // A new standard before the others, and a new prerequisite.
    /// let v2 = Curriculum::builder().standard_ids(["A0", "A", "B"])?.prerequisite("A0", "A").build()?;
    /// let v2 = Model::builder(v2).build()?;
    /// let ada_now = LearnerState::from_json(&v2, &saved)?;
    /// assert_eq!(ada_now.mastery(&v2, "B")?, ada.mastery(&v1, "B")?);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// Format version 1 (before standards without evidence followed the
    /// model's prior) stored every estimate. A version-1 standard that has no
    /// practice record and is neither a prerequisite (at any distance) nor a
    /// dependent of a practiced standard cannot have been reached by
    /// propagation, so it follows `model`'s prior from now on; every other
    /// stored estimate is kept as it was.
    ///
    /// ```
    /// use mastery::{BktParams, Curriculum, LearnerState, Model};
    ///
    /// let skills = Curriculum::builder().standard_ids(["A", "B"])?.build()?;
    /// let old = Model::builder(skills.clone()).build()?; // prior 0.2
    /// let ada = LearnerState::new(&old, "ada")?;
    /// let saved = ada.to_json();
    /// // A refit raises the prior: the saved learner follows it.
    /// let refit = Model::builder(skills)
    ///     .default_params(BktParams::new(0.618, 0.15, 0.0, 0.2, 0.1)?)
    ///     .build()?;
    /// let ada = LearnerState::from_json(&refit, &saved)?;
    /// assert_eq!(ada.mastery(&refit, "A")?, 0.618);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Json`] for malformed JSON or an invalid state (format version,
    /// values out of range, inconsistent records); [`Error::CurriculumMismatch`]
    /// for a state of another curriculum saved without standard ids (format
    /// version 1 or 2, or serialized by serde from a deserialized state);
    /// [`Error::InvalidState`] for a state of this curriculum with the wrong
    /// number of estimates (edited by hand), ids that do not match the
    /// estimates, or evidence, a goal, a self-assessment or a choice on a
    /// standard this curriculum no longer has (the message names it).
    pub fn from_json(model: &Model, json: &str) -> Result<Self> {
        let mut state: LearnerState = serde_json::from_str(json).map_err(|source| Error::Json {
            what: "learner state JSON".into(),
            source,
        })?;
        #[derive(Deserialize)]
        struct Header {
            format_version: u32,
            #[serde(default)]
            standards: Option<Vec<String>>,
        }
        // Parsed above, so this cannot fail; a failure would only skip the migrations.
        let header = serde_json::from_str::<Header>(json).ok();
        let curriculum = model.curriculum();
        if state.curriculum != curriculum.fingerprint() {
            if let Some(ids) = header.as_ref().and_then(|h| h.standards.as_deref()) {
                state = state.remapped(ids, curriculum)?;
            }
        }
        state.check(model)?;
        if header.is_some_and(|h| h.format_version == 1) {
            state.release_unreached_v1(curriculum);
        }
        state.standards = Some(curriculum.clone());
        Ok(state)
    }

    /// The state, saved against another curriculum whose standards were `ids`
    /// (by position), moved onto `curriculum` by standard id: a standard added
    /// since follows the prior, one removed without evidence is forgotten.
    ///
    /// # Errors
    /// [`Error::InvalidState`] when `ids` do not match the estimates (repeated,
    /// or not one per estimate), or when a standard the learner has evidence,
    /// a goal, a self-assessment or a recorded choice on is not in `curriculum`.
    fn remapped(self, ids: &[String], curriculum: &Curriculum) -> Result<Self> {
        let invalid = |reason: String| Error::InvalidState {
            what: "learner state",
            reason,
        };
        if ids.len() != self.mastery.len() {
            return Err(invalid(format!(
                "it names {} standards for its {} mastery estimates",
                ids.len(),
                self.mastery.len()
            )));
        }
        let mut seen = std::collections::HashSet::with_capacity(ids.len());
        if let Some(repeated) = ids.iter().find(|id| !seen.insert(id.as_str())) {
            return Err(invalid(format!(
                "it names standard {:?} twice",
                crate::curriculum::shown_id(repeated)
            )));
        }
        let moved: Vec<Option<StandardIdx>> =
            ids.iter().map(|id| curriculum.index_of(id).ok()).collect();
        let to = |old: usize, what: &str| {
            moved[old].ok_or_else(|| {
                invalid(format!(
                    "standard {:?} has {what} in the saved state but is not in this curriculum ({} standards, {:016x})",
                    crate::curriculum::shown_id(&ids[old]),
                    curriculum.len(),
                    curriculum.fingerprint()
                ))
            })
        };
        let mut mastery = vec![Fixed::new(0.0); curriculum.len()];
        let mut evidenced = FixedBitSet::with_capacity(curriculum.len());
        for old in self.evidenced.ones() {
            let new = to(old, "an estimate")?;
            mastery[new.index()] = self.mastery[old];
            evidenced.insert(new.index());
        }
        let mut records = self.records;
        for r in &mut records {
            r.standard = to(r.standard.index(), "practice")?;
        }
        records.sort_by_key(|r| r.standard);
        let mut profile = self.profile;
        profile.move_standards(|old, what| to(old.index(), what))?;
        Ok(LearnerState {
            learner: self.learner,
            curriculum: curriculum.fingerprint(),
            recorded: recorded_set(&records, mastery.len()),
            mastery,
            records,
            profile,
            engagement: self.engagement,
            evidenced,
            standards: Some(curriculum.clone()),
            ability: self.ability,
        })
    }

    /// Version-1 migration (see [`LearnerState::from_json`]): standards that no
    /// evidence can have reached follow the model's prior.
    fn release_unreached_v1(&mut self, curriculum: &Curriculum) {
        let mut reachable = StandardSet::with_capacity(curriculum.len());
        for r in &self.records {
            reachable.insert(r.standard);
            for set in [
                curriculum.ancestors(r.standard),
                curriculum.descendants(r.standard),
            ]
            .into_iter()
            .flatten()
            {
                reachable.union_with(&set);
            }
        }
        for s in curriculum.indices() {
            if !reachable.contains(s) {
                self.evidenced.set(s.index(), false);
            }
        }
    }

    /// The state as JSON.
    #[must_use]
    pub fn to_json(&self) -> String {
        // Plain strings and numbers (estimates are finite by construction): cannot fail.
        serde_json::to_string(self).expect("learner state serializes to JSON")
    }

    /// The learner's id.
    #[must_use]
    pub fn learner(&self) -> &str {
        &self.learner
    }

    /// The stored estimates by standard index (as of each standard's last
    /// evidence; no decay). A standard no evidence has reached shows the prior
    /// when the state was created (or 0 after loading a saved state); use
    /// [`LearnerState::all_mastery_at`] for the model's current prior.
    #[must_use]
    pub fn estimates(&self) -> impl ExactSizeIterator<Item = f64> + '_ {
        self.mastery.iter().map(|m| m.get())
    }

    /// The practice records, sorted by standard.
    #[must_use]
    pub fn practice_records(&self) -> &[PracticeRecord] {
        &self.records
    }

    /// The learner's preferences, goals and choices.
    #[must_use]
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// How much and how often the learner has worked (the pace of goal plans).
    #[must_use]
    pub fn engagement(&self) -> &Engagement {
        &self.engagement
    }

    /// Replaces the whole profile (a refit keeps the stored learner's goals,
    /// preferences and choices, which the evidence journal does not hold).
    pub(crate) fn set_profile(&mut self, profile: Profile) {
        self.profile = profile;
    }

    /// Replaces the learner's stated preferences (goals and choices stay).
    ///
    /// ```
    /// use mastery::{ActivityKind, Curriculum, LearnerState, Model};
    /// use mastery::learner::Preferences;
    ///
    /// let model = Model::builder(Curriculum::ccss_math()).build()?;
    /// let mut ada = LearnerState::new(&model, "ada")?;
    /// ada.set_preferences(Preferences::new().with_interest("space").with_preferred_kind(ActivityKind::Video));
    /// assert_eq!(ada.profile().preferences().interests(), ["space"]);
    /// // Saved with the state.
    /// let again = LearnerState::from_json(&model, &ada.to_json())?;
    /// assert_eq!(again.profile(), ada.profile());
    /// # Ok::<(), mastery::Error>(())
    /// ```
    pub fn set_preferences(&mut self, preferences: Preferences) {
        self.profile.set_preferences(preferences);
    }

    /// Sets a goal: `standard` to master, set by the learner or a teacher at
    /// `now`, optionally by `due`. A goal on the same standard from the same
    /// setter is replaced; a learner's and a teacher's goal on one standard
    /// are kept side by side.
    ///
    /// ```
    /// use mastery::{Curriculum, LearnerState, Model};
    /// use mastery::learner::GoalSetter;
    ///
    /// let model = Model::builder(Curriculum::ccss_math()).build()?;
    /// let mut ada = LearnerState::new(&model, "ada")?;
    /// let now = 1_700_000_000;
    /// ada.set_goal(&model, "3.NF.A.1", GoalSetter::Learner, None, now)?;
    /// ada.set_goal(&model, "4.NF.A.1", GoalSetter::Teacher, Some(now + 30 * 86_400), now)?;
    /// assert_eq!(ada.profile().goals().len(), 2);
    /// assert!(ada.set_goal(&model, "4.NF.A.1", GoalSetter::Teacher, Some(now - 1), now).is_err());
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::CurriculumMismatch`], as [`StandardKey::resolve`],
    /// [`Error::TimestampOutOfRange`] for `now` or `due` outside the accepted
    /// range (see [`crate::time::MIN_TIMESTAMP`]), or
    /// [`Error::InvalidValue`] for a due date before `now`.
    pub fn set_goal(
        &mut self,
        model: &Model,
        standard: impl StandardKey,
        set_by: GoalSetter,
        due: Option<i64>,
        now: i64,
    ) -> Result<()> {
        self.check(model)?;
        let standard = standard.resolve(model.curriculum())?;
        crate::time::check_timestamp("time the goal is set", now)?;
        if let Some(due) = due {
            crate::time::check_timestamp("due date of the goal", due)?;
        }
        if let Some(due) = due.filter(|&d| d < now) {
            return Err(Error::InvalidValue {
                what: format!(
                    "due date of the goal `{}`",
                    model.curriculum()[standard].id()
                ),
                expected: "a time at or after the time the goal is set",
                value: due as f64,
            });
        }
        self.profile.set_goal(Goal::new(standard, set_by, now, due));
        Ok(())
    }

    /// Removes the goal on `standard` set by `set_by`; whether there was one.
    ///
    /// # Errors
    /// [`Error::CurriculumMismatch`], or as [`StandardKey::resolve`].
    pub fn remove_goal(
        &mut self,
        model: &Model,
        standard: impl StandardKey,
        set_by: GoalSetter,
    ) -> Result<bool> {
        self.check(model)?;
        let standard = standard.resolve(model.curriculum())?;
        Ok(self.profile.remove_goal(standard, set_by))
    }

    pub(crate) fn choices_mut(&mut self) -> &mut ChoiceHistory {
        self.profile.choices_mut()
    }

    pub(crate) fn check(&self, model: &Model) -> Result<()> {
        let curriculum = model.curriculum();
        if self.curriculum != curriculum.fingerprint() {
            return Err(Error::CurriculumMismatch {
                what: "learner state",
                expected: curriculum.fingerprint(),
                found: self.curriculum,
            });
        }
        if self.mastery.len() != curriculum.len() {
            // The right curriculum, but the estimates were edited.
            return Err(Error::InvalidState {
                what: "learner state",
                reason: format!(
                    "it is made for this curriculum ({:016x}) but holds {} mastery estimates for its {} standards",
                    self.curriculum,
                    self.mastery.len(),
                    curriculum.len()
                ),
            });
        }
        Ok(())
    }

    fn record_position(&self, standard: StandardIdx) -> std::result::Result<usize, usize> {
        self.records.binary_search_by_key(&standard, |r| r.standard)
    }

    /// The position of the standard's practice record, if it has one (a
    /// search only for a standard that has one).
    fn record_of(&self, standard: StandardIdx) -> Option<usize> {
        if self.recorded.contains(standard.index()) {
            self.record_position(standard).ok()
        } else {
            None
        }
    }

    /// The practice record of a standard, if the learner practiced it.
    ///
    /// # Errors
    /// [`Error::CurriculumMismatch`], or as [`StandardKey::resolve`].
    pub fn practice(
        &self,
        model: &Model,
        standard: impl StandardKey,
    ) -> Result<Option<&PracticeRecord>> {
        self.check(model)?;
        let idx = standard.resolve(model.curriculum())?;
        Ok(self.record_position(idx).ok().map(|i| &self.records[i]))
    }

    /// The estimate after the standard's last evidence, without decay.
    ///
    /// # Errors
    /// [`Error::CurriculumMismatch`], or as [`StandardKey::resolve`].
    pub fn mastery(&self, model: &Model, standard: impl StandardKey) -> Result<f64> {
        self.check(model)?;
        Ok(self.stored(model, standard.resolve(model.curriculum())?))
    }

    /// The estimate after the last evidence, or the model's prior if none
    /// reached it (this learner's, with ability on).
    fn stored(&self, model: &Model, standard: StandardIdx) -> f64 {
        let i = standard.index();
        if self.evidenced.contains(i) {
            self.mastery[i].get()
        } else {
            let prior = model.all_params()[i].prior();
            // The model keeps the logits exactly when ability is on.
            match (self.individual(model), model.standard_logits(standard)) {
                (Some((params, belief)), Some(logits)) => {
                    params.shift_rate(logits.prior, belief.mean())
                }
                _ => prior,
            }
        }
    }

    /// The learner's ability estimate: `None` when `model` has ability off;
    /// the population's prior until an answer moves it.
    #[must_use]
    pub fn ability(&self, model: &Model) -> Option<Ability> {
        self.individual(model).map(|(_, belief)| belief)
    }

    fn individual<'m>(&self, model: &'m Model) -> Option<(&'m AbilityParams, Ability)> {
        model
            .ability()
            .map(|params| (params, self.ability.unwrap_or_else(|| params.prior())))
    }

    /// The estimate at time `now`, with decay since the last evidence. Does
    /// not change the state.
    ///
    /// # Errors
    /// [`Error::CurriculumMismatch`], or as [`StandardKey::resolve`].
    pub fn mastery_at(&self, model: &Model, standard: impl StandardKey, now: i64) -> Result<f64> {
        self.check(model)?;
        Ok(self.current(model, standard.resolve(model.curriculum())?, now))
    }

    /// Every estimate at time `now`, by standard index.
    ///
    /// # Errors
    /// [`Error::CurriculumMismatch`].
    pub fn all_mastery_at(&self, model: &Model, now: i64) -> Result<Vec<f64>> {
        self.check(model)?;
        // One pass over the dense estimates, then decay only the practiced
        // standards: O(V + k), no search per standard.
        let mut all: Vec<f64> = model
            .curriculum()
            .indices()
            .map(|s| self.stored(model, s))
            .collect();
        if let Some(decay) = model.decay() {
            for r in &self.records {
                let i = r.standard.index();
                let floor = model.all_params()[i].prior();
                all[i] = decay.decayed(
                    all[i],
                    floor,
                    now.saturating_sub(r.updated_at),
                    f64::from(r.half_life_days),
                );
            }
        }
        Ok(all)
    }

    /// The standards at or above the mastered threshold at time `now`.
    ///
    /// # Errors
    /// [`Error::CurriculumMismatch`].
    pub fn mastered_at(&self, model: &Model, now: i64) -> Result<StandardSet> {
        self.check(model)?;
        let bar = model.levels().mastered();
        Ok(model
            .curriculum()
            .indices()
            .filter(|&s| self.current(model, s, now) >= bar)
            .collect())
    }

    /// The mastery level of a standard at time `now`.
    ///
    /// # Errors
    /// [`Error::CurriculumMismatch`], or as [`StandardKey::resolve`].
    pub fn level(
        &self,
        model: &Model,
        standard: impl StandardKey,
        now: i64,
    ) -> Result<MasteryLevel> {
        self.check(model)?;
        let idx = standard.resolve(model.curriculum())?;
        let attempted = self
            .record_position(idx)
            .is_ok_and(|i| self.records[i].attempts > 0);
        Ok(model
            .levels()
            .level(self.current(model, idx, now), attempted))
    }

    /// The predicted chance of a correct answer on a target at time `now`.
    /// For an activity aligned to several standards, by the conjunctive
    /// rule: `(1 - S)·Π p_i + G·(1 - Π p_i)`.
    ///
    /// ```
    /// use mastery::{BktParams, Curriculum, LearnerState, Model, Target};
    ///
    /// let params = BktParams::new(0.4, 0.1, 0.0, 0.2, 0.1)?;
    /// let model = Model::builder(Curriculum::ccss_math()).default_params(params).build()?;
    /// let ada = LearnerState::new(&model, "ada")?;
    /// let p = ada.predict(&model, &Target::Standard("3.NF.A.1".into()), 0)?;
    /// assert!((p - (0.4 * 0.9 + 0.6 * 0.2)).abs() < 1e-6);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::CurriculumMismatch`], [`Error::UnknownStandard`] or [`Error::UnknownActivity`].
    pub fn predict(&self, model: &Model, target: &Target, now: i64) -> Result<f64> {
        self.check(model)?;
        let resolved = model.resolve(target)?;
        let all_known: f64 = resolved
            .standards
            .iter()
            .map(|&s| self.current(model, s, now))
            .product();
        Ok(self.answer(model, resolved.answer).p_correct(all_known))
    }

    /// `answer` for this learner: shifted by the ability estimate when
    /// `model` has ability on, else `answer` itself.
    #[must_use]
    pub fn answer(&self, model: &Model, answer: model::GuessSlip) -> model::GuessSlip {
        match self.individual(model) {
            Some((_, belief)) => belief.answer(answer),
            None => answer,
        }
    }

    /// The estimate of `standard` at `now`, decayed since its last update.
    fn current(&self, model: &Model, standard: StandardIdx, now: i64) -> f64 {
        let position = match model.decay() {
            Some(_) => self.record_of(standard),
            None => None,
        };
        self.current_at(model, standard, now, position)
    }

    /// [`LearnerState::current`] with the standard's practice record
    /// position (`None`: no record) already found.
    fn current_at(
        &self,
        model: &Model,
        standard: StandardIdx,
        now: i64,
        position: Option<usize>,
    ) -> f64 {
        let stored = self.stored(model, standard);
        let Some(decay) = model.decay() else {
            return stored;
        };
        match position {
            Some(i) => {
                let r = &self.records[i];
                let floor = model.all_params()[standard.index()].prior();
                decay.decayed(
                    stored,
                    floor,
                    now.saturating_sub(r.updated_at),
                    f64::from(r.half_life_days),
                )
            }
            None => stored,
        }
    }

    /// Applies an outcome on one standard at `timestamp`: the fast path for
    /// callers that resolved the standard's index once (no report, no
    /// [`Evidence`] to build). Same update as [`LearnerState::apply`].
    ///
    /// ```
    /// use mastery::{Curriculum, LearnerState, Model, Outcome};
    ///
    /// let model = Model::builder(Curriculum::ccss_math()).build()?;
    /// let fractions = model.curriculum().index_of("3.NF.A.1")?;
    /// let mut ada = LearnerState::new(&model, "ada")?;
    /// let before = ada.mastery(&model, fractions)?;
    /// ada.apply_outcome(&model, fractions, Outcome::Correct, 1_700_000_000)?;
    /// assert!(ada.mastery(&model, fractions)? > before);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::CurriculumMismatch`], as [`StandardKey::resolve`], or
    /// [`Error::TimestampOutOfRange`] (see [`crate::time::MIN_TIMESTAMP`]).
    pub fn apply_outcome(
        &mut self,
        model: &Model,
        standard: impl StandardKey,
        outcome: Outcome,
        timestamp: i64,
    ) -> Result<()> {
        self.check(model)?;
        let idx = standard.resolve(model.curriculum())?;
        // The message is formatted only for a bad timestamp (the hot path).
        if !(crate::time::MIN_TIMESTAMP..=crate::time::MAX_TIMESTAMP).contains(&timestamp) {
            crate::time::check_timestamp(
                &format!("time of the outcome of learner `{}`", self.learner),
                timestamp,
            )?;
        }
        with_scratch(|scratch| {
            self.update(
                model,
                model.resolve_standard(idx),
                outcome,
                Source::Practice,
                timestamp,
                None,
                scratch,
            );
        });
        Ok(())
    }

    /// Applies one piece of evidence and reports what changed.
    ///
    /// # Errors
    /// [`Error::LearnerMismatch`] for another learner's evidence,
    /// [`Error::CurriculumMismatch`], or [`Error::UnknownEvidenceTarget`]
    /// (naming the learner, the evidence's target and time) for an unknown
    /// standard or activity. On error the state is unchanged.
    pub fn apply(&mut self, model: &Model, evidence: &Evidence) -> Result<UpdateReport> {
        let resolved = self.validate(model, evidence, None)?;
        let mut changes = Vec::with_capacity(resolved.standards.len());
        with_scratch(|scratch| {
            self.update(
                model,
                resolved,
                evidence.outcome(),
                evidence.source(),
                evidence.timestamp(),
                Some(&mut changes),
                scratch,
            );
        });
        Ok(UpdateReport {
            target: evidence.target().clone(),
            outcome: evidence.outcome(),
            source: evidence.source(),
            changes,
        })
    }

    /// Applies evidence in order, without reports. All evidence is validated
    /// first: on error nothing is applied.
    ///
    /// # Errors
    /// As [`LearnerState::apply`], for the first invalid piece of evidence
    /// (with its position in the batch).
    pub fn apply_batch(&mut self, model: &Model, evidence: &[Evidence]) -> Result<()> {
        for (i, e) in evidence.iter().enumerate() {
            self.validate(model, e, Some(i))?;
        }
        with_scratch(|scratch| {
            for e in evidence {
                // Validated above, and resolving is a pure look-up: this cannot fail.
                if let Ok(resolved) = model.resolve(e.target()) {
                    self.update(
                        model,
                        resolved,
                        e.outcome(),
                        e.source(),
                        e.timestamp(),
                        None,
                        scratch,
                    );
                }
            }
        });
        Ok(())
    }

    fn validate<'m>(
        &self,
        model: &'m Model,
        evidence: &Evidence,
        position: Option<usize>,
    ) -> Result<Resolved<'m>> {
        if evidence.learner() != self.learner {
            return Err(Error::LearnerMismatch {
                expected: self.learner.clone(),
                found: evidence.learner().to_owned(),
            });
        }
        self.check(model)?;
        model
            .resolve(evidence.target())
            .map_err(|source| Error::UnknownEvidenceTarget {
                learner: evidence.learner().to_owned(),
                target: evidence.target().clone(),
                timestamp: evidence.timestamp(),
                position,
                source: Box::new(source),
            })
    }

    // The evidence's parts, the optional report and the reusable buffers:
    // a private function whose callers each hold them differently.
    #[allow(clippy::too_many_arguments)]
    fn update(
        &mut self,
        model: &Model,
        target: Resolved<'_>,
        outcome: Outcome,
        source: Source,
        now: i64,
        mut report: Option<&mut Vec<MasteryChange>>,
        scratch: &mut model::PropagationScratch,
    ) {
        self.engagement.record(now);
        let weight = model.source_weights().weight(source);
        let opportunity = model::is_opportunity(source);
        if let (Source::SelfReport, [standard]) = (source, target.standards) {
            self.profile.record_reflection(Reflection {
                standard: *standard,
                confidence: Confidence::from_credit(outcome.credit()),
                at: now,
            });
        }
        let propagating = !model.propagation().is_off();
        let mut sources = Vec::new();
        // With ability on, this answer is read with the learner's own answer
        // model and learn rates (the ability before it), then moves the ability.
        // With ability on: its parameters, the belief before this answer and
        // the typical answer model's logits (kept by the model).
        let individual = self.individual(model).map(|(p, b)| {
            let typical = target
                .logits
                .unwrap_or_else(|| AnswerLogits::of(target.answer.guess(), target.answer.slip()));
            (*p, b, typical)
        });
        let target = match individual {
            Some((_, belief, typical)) => Resolved {
                answer: belief.answer_with(target.answer, typical),
                ..target
            },
            None => target,
        };
        // The learn rate of an opportunity on `s`: the activity's own or the
        // standard's, this learner's with ability on (`None`: the standard's).
        let learn_of = |s: StandardIdx| match (individual, target.learn) {
            (Some((p, belief, _)), Some(own)) => Some(p.shift(own, belief.mean())),
            (Some((p, belief, _)), None) => Some(match model.standard_logits(s) {
                Some(logits) => p.shift_rate(logits.learn, belief.mean()),
                None => model.all_params()[s.index()].learn(),
            }),
            (None, own) => own,
        };
        // Moves the ability by this answer; `known`: the chance the learner
        // knew all it asked.
        let observed = |known: f64| {
            individual
                .filter(|_| opportunity)
                .map(|(_, mut belief, typical)| {
                    belief.observe_logits(known, typical, outcome.credit(), weight);
                    belief
                })
        };
        if let [standard] = *target.standards {
            let before = self.current(model, standard, now);
            if let Some(belief) = observed(before) {
                self.ability = Some(belief);
            }
            let (known, unknown) =
                model::temper(scratch.likelihoods(target.answer, outcome), weight);
            let after = self.practice_update(
                model,
                standard,
                model::posterior(before, known, unknown),
                outcome,
                opportunity.then(|| learn_of(standard)),
                now,
            );
            if let Some(r) = report.as_deref_mut() {
                r.push(MasteryChange {
                    standard,
                    before,
                    after,
                    cause: ChangeCause::Attempted,
                });
            }
            if !propagating {
                return;
            }
            sources.push(PropagationSource {
                standard,
                before,
                known,
                unknown,
            });
        } else {
            let befores: Vec<f64> = target
                .standards
                .iter()
                .map(|&s| self.current(model, s, now))
                .collect();
            if let Some(belief) = observed(befores.iter().product()) {
                self.ability = Some(belief);
            }
            let mut posteriors = Vec::with_capacity(befores.len());
            model::conjunctive_update(&befores, target.answer, outcome, weight, &mut posteriors);
            for ((&standard, &before), &(posterior, known, unknown)) in
                target.standards.iter().zip(&befores).zip(&posteriors)
            {
                let after = self.practice_update(
                    model,
                    standard,
                    posterior,
                    outcome,
                    opportunity.then(|| learn_of(standard)),
                    now,
                );
                if let Some(r) = report.as_deref_mut() {
                    r.push(MasteryChange {
                        standard,
                        before,
                        after,
                        cause: ChangeCause::Attempted,
                    });
                }
                sources.push(PropagationSource {
                    standard,
                    before,
                    known,
                    unknown,
                });
            }
            if !propagating {
                return;
            }
        }
        let mut access = AtTime {
            state: self,
            model,
            now,
            report,
            last: std::cell::Cell::new(None),
        };
        model::propagate(
            model.curriculum(),
            model.propagation(),
            &sources,
            &mut access,
            scratch,
        );
    }

    /// Stores the transition of `posterior` for a practiced standard and
    /// updates its record; returns the new estimate. `opportunity` is `None`
    /// for evidence that is not a practice opportunity (a self-report: the
    /// posterior itself is stored, the attempt counters and the half-life
    /// stay), else the learn rate of this opportunity if it is not the
    /// standard's (an activity's own, or this learner's with ability on).
    fn practice_update(
        &mut self,
        model: &Model,
        standard: StandardIdx,
        posterior: f64,
        outcome: Outcome,
        opportunity: Option<Option<f64>>,
        now: i64,
    ) -> f64 {
        let params = &model.all_params()[standard.index()];
        let after = match opportunity {
            None => posterior,
            Some(None) => params.transition(posterior),
            Some(Some(learn)) => {
                (posterior * (1.0 - params.forget()) + (1.0 - posterior) * learn).clamp(0.0, 1.0)
            }
        };
        let opportunity = opportunity.is_some();
        let after = Fixed::new(after);
        self.mastery[standard.index()] = after;
        self.evidenced.insert(standard.index());
        let credit = outcome.credit();
        let initial_half_life = model.decay().map_or(1.0, |d| d.half_life_days());
        let position = match self.record_position(standard) {
            Ok(i) => i,
            Err(i) => {
                self.recorded.insert(standard.index());
                self.records.insert(
                    i,
                    PracticeRecord {
                        standard,
                        attempts: 0,
                        correct: 0,
                        credit: 0.0,
                        practiced_at: now,
                        updated_at: now,
                        half_life_days: initial_half_life as f32,
                    },
                );
                i
            }
        };
        let record = &mut self.records[position];
        if !opportunity {
            // The decayed value has been materialized: decay restarts from
            // now, or from later evidence already applied (never backwards).
            record.updated_at = record.updated_at.max(now);
            return after.get();
        }
        if let Some(decay) = model.decay() {
            let since = (record.attempts > 0).then(|| now.saturating_sub(record.practiced_at));
            record.half_life_days =
                decay.next_half_life(f64::from(record.half_life_days), since, credit >= 0.5) as f32;
        }
        record.attempts = record.attempts.saturating_add(1);
        record.correct = record.correct.saturating_add(u32::from(credit == 1.0));
        record.credit += credit as f32;
        // Evidence may arrive out of order: the times stay those of the
        // latest evidence, whatever order it came in.
        record.practiced_at = record.practiced_at.max(now);
        record.updated_at = record.updated_at.max(now);
        after.get()
    }
}

/// The prediction for one response of a log: the chance of a correct answer
/// made before seeing it, and the mastery estimate after it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// P(correct) from the evidence before this response (pyBKT's `correct_predictions`).
    pub p_correct: f64,
    /// The estimate for the next opportunity after this response: posterior,
    /// then the learn/forget transition (pyBKT's `state_predictions` of the
    /// learner's next response on the skill).
    pub p_mastery: f64,
}

/// Replays a response log in order, one [`LearnerState`] per learner, and
/// predicts each response before applying it: pyBKT's `predict`. Skills are
/// the model's standard ids; the log's order is the time order (no decay
/// between rows). With [`Model::plain_bkt`] the figures match pyBKT's.
///
/// ```
/// use mastery::{BktParams, Curriculum, Model, learner::predict_responses};
/// use mastery::evidence::{ResponseColumns, read_responses};
///
/// let skills = Curriculum::builder().standard_ids(["Median"])?.build()?;
/// let params = BktParams::new(0.35, 0.12, 0.0, 0.22, 0.1)?;
/// let model = Model::plain_bkt(skills, [("Median".to_owned(), params)])?;
/// let log = "order_id,user_id,skill_name,correct\n1,u1,Median,1\n2,u1,Median,0\n";
/// let rows = read_responses("log.csv", log.as_bytes(), &ResponseColumns::default())?;
/// let predictions = predict_responses(&model, &rows)?;
/// assert!((predictions[0].p_correct - params.p_correct(0.35)).abs() < 1e-7);
/// assert!((predictions[1].p_correct - params.p_correct(predictions[0].p_mastery)).abs() < 1e-7);
/// # Ok::<(), mastery::Error>(())
/// ```
///
/// # Errors
/// [`Error::UnknownStandard`], with the row's line, for a skill the model
/// does not have; [`Error::InvalidId`], with the line, for an empty learner
/// id. [`predict_responses_in`] also names the file.
pub fn predict_responses(
    model: &Model,
    responses: &[crate::evidence::Response],
) -> Result<Vec<Prediction>> {
    predict(model, None, responses)
}

/// As [`predict_responses`], for responses read from `file` (the name given
/// to [`read_responses`](crate::evidence::read_responses) or the path): every
/// error names the file and the row's line.
///
/// ```
/// use mastery::{BktParams, Curriculum, Model, learner::predict_responses_in};
/// use mastery::evidence::{ResponseColumns, read_responses};
///
/// let skills = Curriculum::builder().standard_ids(["Median"])?.build()?;
/// let model = Model::plain_bkt(skills, [("Median".to_owned(), BktParams::default())])?;
/// let log = "order_id,user_id,skill_name,correct\n1,u1,Median,1\n2,u1,Mode,0\n";
/// let rows = read_responses("log.csv", log.as_bytes(), &ResponseColumns::default())?;
/// let err = predict_responses_in(&model, "log.csv", &rows).unwrap_err();
/// assert_eq!(err.to_string(), "log.csv:3: unknown standard `Mode`");
/// # Ok::<(), mastery::Error>(())
/// ```
///
/// # Errors
/// As [`predict_responses`].
pub fn predict_responses_in(
    model: &Model,
    file: &str,
    responses: &[crate::evidence::Response],
) -> Result<Vec<Prediction>> {
    predict(model, Some(file.into()), responses)
}

fn predict(
    model: &Model,
    file: Option<std::sync::Arc<str>>,
    responses: &[crate::evidence::Response],
) -> Result<Vec<Prediction>> {
    let mut states: std::collections::HashMap<&str, LearnerState> =
        std::collections::HashMap::new();
    let mut predictions = Vec::with_capacity(responses.len());
    let mut scratch = model::PropagationScratch::default();
    for row in responses {
        let at = || crate::Location::new(file.clone(), Some(row.line));
        let standard =
            model
                .curriculum()
                .index_of(&row.skill)
                .map_err(|_| Error::UnknownStandard {
                    id: row.skill.clone(),
                    at: at(),
                })?;
        let state = match states.entry(row.learner.as_str()) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let state = LearnerState::new(model, row.learner.clone()).map_err(|e| match e {
                    Error::InvalidId { id, reason, .. } => Error::InvalidId {
                        id,
                        reason,
                        at: at(),
                    },
                    other => other,
                })?;
                e.insert(state)
            }
        };
        let resolved = model.resolve_standard(standard);
        let p_correct = state
            .answer(model, resolved.answer)
            .p_correct(state.current(model, standard, 0));
        state.update(
            model,
            resolved,
            row.outcome,
            Source::Practice,
            0,
            None,
            &mut scratch,
        );
        predictions.push(Prediction {
            p_correct,
            p_mastery: state.mastery[standard.index()].get(),
        });
    }
    Ok(predictions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_layout_is_as_documented() {
        assert_eq!(std::mem::size_of::<Fixed>(), 4);
        assert_eq!(std::mem::size_of::<PracticeRecord>(), 40);
    }

    #[test]
    fn fixed_point_round_trips_through_f64() {
        for p in [0.0, 1.0, 0.1, 0.123_456_789, 0.999_999_999] {
            let f = Fixed::new(p);
            assert!((f.get() - p).abs() <= 0.5 / Fixed::SCALE + 1e-16);
            assert_eq!(Fixed::new(f.get()), f);
        }
        assert!(Fixed::new(0.3) < Fixed::new(0.300_000_01));
    }

    /// `Fixed::new` rounds as `f64::round` did (halves away from zero), on
    /// halves, their neighbours, the ends and a sweep of the unit interval.
    #[test]
    fn fixed_point_rounds_as_round() {
        let old = |p: f64| Fixed((p.clamp(0.0, 1.0) * Fixed::SCALE).round() as u32);
        let mut cases = vec![0.0, 1.0, -0.0, -1.0, 2.0, f64::NAN, f64::INFINITY, 1e-300];
        for k in [0u32, 1, 2, 7, 1 << 20, u32::MAX - 2, u32::MAX - 1] {
            let half = (f64::from(k) + 0.5) / Fixed::SCALE;
            cases.extend([half, half.next_up(), half.next_down()]);
        }
        let mut x: u64 = 1;
        for _ in 0..100_000 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            cases.push((x >> 11) as f64 / (1u64 << 53) as f64);
        }
        for p in cases {
            assert_eq!(Fixed::new(p), old(p), "{p:e}");
        }
    }
}
