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

mod persistence;
mod query;
mod records;
mod report;
mod responses;
#[cfg(test)]
mod tests;
mod update;

use persistence::*;
pub use records::*;
pub use report::*;
pub use responses::*;
use update::*;

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
}
