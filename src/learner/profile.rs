//! The learner's voice: interests, preferred kinds of activity, session
//! length, goals the learner (or a teacher) set, and the choices the learner
//! made among the options offered.
//!
//! Preferences shape which activity serves a need, never which need comes
//! first: a preferred kind or interest cannot bring a standard forward past
//! its prerequisites (see [`crate::recommend`]).

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::catalog::ActivityKind;
use crate::curriculum::StandardIdx;
use crate::error::{Error, Result};
use crate::evidence::Confidence;

/// The most recent choices kept in a profile (older ones live on in the tallies).
pub const RECENT_CHOICES: usize = 20;

/// What a learner says about how they like to learn: interests, preferred
/// kinds of activity, session length.
///
/// ```
/// use mastery::ActivityKind;
/// use mastery::learner::Preferences;
///
/// let preferences = Preferences::new()
///     .with_interest("sports")
///     .with_preferred_kind(ActivityKind::Video)
///     .with_session_minutes(20.0)?;
/// assert_eq!(preferences.interests(), ["sports"]);
/// assert_eq!(preferences.session_minutes(), Some(20.0));
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preferences {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    interests: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    preferred_kinds: Vec<ActivityKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    session_minutes: Option<f64>,
}

impl Preferences {
    /// No stated preferences.
    #[must_use]
    pub fn new() -> Self {
        Preferences::default()
    }

    /// Adds an interest: a tag of the catalog's activities, e.g. `sports`.
    /// Blank tags are ignored, repeats kept once.
    #[must_use]
    pub fn with_interest(mut self, tag: impl Into<String>) -> Self {
        let tag = tag.into();
        let tag = tag.trim();
        if !tag.is_empty() && !self.interests.iter().any(|t| t == tag) {
            self.interests.push(tag.to_owned());
        }
        self
    }

    /// Adds a preferred kind of activity.
    #[must_use]
    pub fn with_preferred_kind(mut self, kind: ActivityKind) -> Self {
        if !self.preferred_kinds.contains(&kind) {
            self.preferred_kinds.push(kind);
        }
        self
    }

    /// How long a session the learner wants, in minutes: the time budget of
    /// recommendations unless the caller sets one.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] unless `minutes` is finite and positive.
    pub fn with_session_minutes(mut self, minutes: f64) -> Result<Self> {
        check_session_minutes(minutes)?;
        self.session_minutes = Some(minutes);
        Ok(self)
    }

    /// The learner's interests (activity tags).
    #[must_use]
    pub fn interests(&self) -> &[String] {
        &self.interests
    }

    /// The learner's preferred kinds of activity.
    #[must_use]
    pub fn preferred_kinds(&self) -> &[ActivityKind] {
        &self.preferred_kinds
    }

    /// The preferred session length in minutes, if the learner gave one.
    #[must_use]
    pub fn session_minutes(&self) -> Option<f64> {
        self.session_minutes
    }

    fn validate(&self) -> std::result::Result<(), String> {
        if let Some(m) = self.session_minutes {
            check_session_minutes(m).map_err(|e| e.to_string())?;
        }
        if self.interests.iter().any(|t| t.trim().is_empty()) {
            return Err("a blank interest".into());
        }
        Ok(())
    }
}

/// The learner's side of a [`crate::LearnerState`]: stated preferences, goals
/// (set by the learner or a teacher), and the choices made among offered
/// options.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    #[serde(default)]
    preferences: Preferences,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    goals: Vec<Goal>,
    #[serde(default, skip_serializing_if = "ChoiceHistory::is_empty")]
    choices: ChoiceHistory,
    /// Sorted by standard, the latest self-assessment of each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    reflections: Vec<Reflection>,
}

/// A learner's latest self-assessment of a standard.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reflection {
    /// The standard.
    pub standard: StandardIdx,
    /// How sure the learner said they were.
    pub confidence: Confidence,
    /// When (seconds since the Unix epoch).
    pub at: i64,
}

impl Profile {
    /// The learner's latest self-assessment of each standard, by standard.
    #[must_use]
    pub fn reflections(&self) -> &[Reflection] {
        &self.reflections
    }

    pub(crate) fn record_reflection(&mut self, reflection: Reflection) {
        match self
            .reflections
            .binary_search_by_key(&reflection.standard, |r| r.standard)
        {
            Ok(i) if self.reflections[i].at > reflection.at => {}
            Ok(i) => self.reflections[i] = reflection,
            Err(i) => self.reflections.insert(i, reflection),
        }
    }

    /// The stated preferences.
    #[must_use]
    pub fn preferences(&self) -> &Preferences {
        &self.preferences
    }

    /// The goals, learner-set and teacher-set, in the order they were set.
    #[must_use]
    pub fn goals(&self) -> &[Goal] {
        &self.goals
    }

    /// What the learner chose when offered options.
    #[must_use]
    pub fn choices(&self) -> &ChoiceHistory {
        &self.choices
    }

    pub(crate) fn set_preferences(&mut self, preferences: Preferences) {
        self.preferences = preferences;
    }

    /// Sets a goal; a goal on the same standard by the same setter is replaced.
    pub(crate) fn set_goal(&mut self, goal: Goal) {
        match self
            .goals
            .iter_mut()
            .find(|g| g.standard == goal.standard && g.set_by == goal.set_by)
        {
            Some(existing) => *existing = goal,
            None => self.goals.push(goal),
        }
    }

    /// Removes a goal; whether there was one.
    pub(crate) fn remove_goal(&mut self, standard: StandardIdx, set_by: GoalSetter) -> bool {
        let before = self.goals.len();
        self.goals
            .retain(|g| !(g.standard == standard && g.set_by == set_by));
        self.goals.len() != before
    }

    pub(crate) fn choices_mut(&mut self) -> &mut ChoiceHistory {
        &mut self.choices
    }

    /// Moves every standard the profile refers to by `to` (old index and what
    /// refers to it, to the new index or an error), keeping sorted lists sorted.
    pub(crate) fn move_standards<E>(
        &mut self,
        mut to: impl FnMut(StandardIdx, &str) -> std::result::Result<StandardIdx, E>,
    ) -> std::result::Result<(), E> {
        for g in &mut self.goals {
            g.standard = to(g.standard, "a goal")?;
        }
        for r in &mut self.reflections {
            r.standard = to(r.standard, "a self-assessment")?;
        }
        self.reflections.sort_by_key(|r| r.standard);
        for c in &mut self.choices.recent {
            c.standard = to(c.standard, "a recorded choice")?;
        }
        Ok(())
    }

    /// Checks a deserialized profile against a curriculum of `standards` standards.
    pub(crate) fn validate(&self, standards: usize) -> std::result::Result<(), String> {
        self.preferences.validate()?;
        for g in &self.goals {
            if g.standard.index() >= standards {
                return Err(format!(
                    "goal on standard #{} beyond the {standards} standards",
                    g.standard.index()
                ));
            }
            if let Some(t) = std::iter::once(g.set_at)
                .chain(g.due)
                .find(|&t| out_of_range(t))
            {
                return Err(format!(
                    "goal on standard #{} has time {t}, outside the accepted timestamps",
                    g.standard.index()
                ));
            }
            if g.due.is_some_and(|due| due < g.set_at) {
                return Err(format!(
                    "goal on standard #{} is due before it was set",
                    g.standard.index()
                ));
            }
        }
        for (i, r) in self.reflections.iter().enumerate() {
            if r.standard.index() >= standards {
                return Err(format!(
                    "self-assessment of standard #{} beyond the {standards} standards",
                    r.standard.index()
                ));
            }
            if out_of_range(r.at) {
                return Err(format!(
                    "self-assessment of standard #{} has time {}, outside the accepted timestamps",
                    r.standard.index(),
                    r.at
                ));
            }
            if i > 0 && self.reflections[i - 1].standard >= r.standard {
                return Err("self-assessments are not sorted by standard without repeats".into());
            }
        }
        self.choices.validate(standards)
    }
}

/// Outside [`MIN_TIMESTAMP`](crate::time::MIN_TIMESTAMP) to
/// [`MAX_TIMESTAMP`](crate::time::MAX_TIMESTAMP).
fn out_of_range(t: i64) -> bool {
    !(crate::time::MIN_TIMESTAMP..=crate::time::MAX_TIMESTAMP).contains(&t)
}

fn check_session_minutes(minutes: f64) -> Result<()> {
    if minutes.is_finite() && minutes > 0.0 {
        Ok(())
    } else {
        Err(Error::InvalidValue {
            what: "session length".into(),
            expected: "a positive number of minutes",
            value: minutes,
        })
    }
}

/// Who set a goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum GoalSetter {
    /// The learner chose it.
    Learner,
    /// A teacher (or a parent, or the platform) assigned it.
    Teacher,
}

impl GoalSetter {
    /// "your" or "your teacher's", for sentences addressed to the learner.
    #[must_use]
    pub fn possessive(self) -> &'static str {
        match self {
            GoalSetter::Learner => "your",
            GoalSetter::Teacher => "your teacher's",
        }
    }
}

/// A standard to master, who set it and by when.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    standard: StandardIdx,
    set_by: GoalSetter,
    /// When it was set (seconds since the Unix epoch).
    set_at: i64,
    /// When it should be reached, if a date was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    due: Option<i64>,
}

impl Goal {
    pub(crate) fn new(
        standard: StandardIdx,
        set_by: GoalSetter,
        set_at: i64,
        due: Option<i64>,
    ) -> Self {
        Goal {
            standard,
            set_by,
            set_at,
            due,
        }
    }

    /// The goal standard.
    #[must_use]
    pub fn standard(&self) -> StandardIdx {
        self.standard
    }

    /// Who set it.
    #[must_use]
    pub fn set_by(&self) -> GoalSetter {
        self.set_by
    }

    /// When it was set (seconds since the Unix epoch).
    #[must_use]
    pub fn set_at(&self) -> i64 {
        self.set_at
    }

    /// The date it should be reached by (seconds since the Unix epoch), if any.
    #[must_use]
    pub fn due(&self) -> Option<i64> {
        self.due
    }
}

/// How often something was offered and taken, against what picking at
/// random among the options would give.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tally {
    /// Choices in which it was among the options.
    pub offered: u32,
    /// Choices in which the learner took it.
    pub taken: u32,
    /// Takes expected by chance: the sum of `1 / options` over the choices offering it.
    pub expected: f64,
}

impl Tally {
    /// How much more (positive) or less (negative) often the learner took it
    /// than chance, in (-1, 1): `(taken - expected) / (offered + 2)`. The
    /// `+ 2` keeps a single choice from counting as a strong preference.
    #[must_use]
    pub fn affinity(&self) -> f64 {
        (f64::from(self.taken) - self.expected) / (f64::from(self.offered) + 2.0)
    }

    fn add(&mut self, share: f64, taken: bool) {
        self.offered = self.offered.saturating_add(1);
        self.taken = self.taken.saturating_add(u32::from(taken));
        self.expected += share;
    }

    fn is_valid(&self) -> bool {
        self.taken <= self.offered
            && self.expected.is_finite()
            && (0.0..=f64::from(self.offered) + 1e-9).contains(&self.expected)
    }
}

/// One choice the learner made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChoiceRecord {
    /// When (seconds since the Unix epoch).
    pub at: i64,
    /// The standard the options served.
    pub standard: StandardIdx,
    /// The ids of the activities offered.
    pub offered: Vec<String>,
    /// The id of the activity taken.
    pub taken: String,
}

/// The learner's choices: tallies by kind and by tag (what the recommender
/// listens to), and the most recent choices.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChoiceHistory {
    #[serde(default)]
    kinds: BTreeMap<ActivityKind, Tally>,
    #[serde(default)]
    tags: BTreeMap<String, Tally>,
    #[serde(default)]
    recent: VecDeque<ChoiceRecord>,
}

/// One option as the choice history sees it.
pub(crate) struct OfferedOption<'a> {
    pub id: &'a str,
    pub kind: ActivityKind,
    pub tags: &'a [String],
}

impl ChoiceHistory {
    /// No choices yet.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty() && self.recent.is_empty()
    }

    /// How the learner chose between kinds of activity.
    #[must_use]
    pub fn kind(&self, kind: ActivityKind) -> Tally {
        self.kinds.get(&kind).copied().unwrap_or_default()
    }

    /// How the learner chose between activities tagged `tag`.
    #[must_use]
    pub fn tag(&self, tag: &str) -> Tally {
        self.tags.get(tag).copied().unwrap_or_default()
    }

    /// The most recent choices, oldest first (at most [`RECENT_CHOICES`]).
    pub fn recent(&self) -> impl ExactSizeIterator<Item = &ChoiceRecord> {
        self.recent.iter()
    }

    /// The learned pull of an activity of `kind` tagged `tags`: the kind's
    /// affinity plus the strongest tag affinity, in (-2, 2).
    pub(crate) fn pull(&self, kind: ActivityKind, tags: &[String]) -> f64 {
        let tag = tags
            .iter()
            .filter_map(|t| self.tags.get(t))
            .map(Tally::affinity)
            .fold(0.0, f64::max);
        self.kind(kind).affinity() + tag
    }

    pub(crate) fn record(
        &mut self,
        at: i64,
        standard: StandardIdx,
        options: &[OfferedOption<'_>],
        taken: usize,
    ) {
        // Chance takes a kind (or tag) in proportion to the options carrying it.
        let share = 1.0 / options.len().max(1) as f64;
        let mut kinds: BTreeMap<ActivityKind, (f64, bool)> = BTreeMap::new();
        let mut tags: BTreeMap<&str, (f64, bool)> = BTreeMap::new();
        for (i, o) in options.iter().enumerate() {
            let k = kinds.entry(o.kind).or_default();
            k.0 += share;
            k.1 |= i == taken;
            for t in o.tags {
                let e = tags.entry(t.as_str()).or_default();
                e.0 += share;
                e.1 |= i == taken;
            }
        }
        for (kind, (share, was_taken)) in kinds {
            self.kinds.entry(kind).or_default().add(share, was_taken);
        }
        for (tag, (share, was_taken)) in tags {
            self.tags
                .entry(tag.to_owned())
                .or_default()
                .add(share, was_taken);
        }
        if self.recent.len() == RECENT_CHOICES {
            self.recent.pop_front();
        }
        self.recent.push_back(ChoiceRecord {
            at,
            standard,
            offered: options.iter().map(|o| o.id.to_owned()).collect(),
            taken: options
                .get(taken)
                .map_or_else(String::new, |o| o.id.to_owned()),
        });
    }

    fn validate(&self, standards: usize) -> std::result::Result<(), String> {
        if let Some(bad) = self
            .kinds
            .values()
            .chain(self.tags.values())
            .find(|t| !t.is_valid())
        {
            return Err(format!("inconsistent choice tally {bad:?}"));
        }
        if self.recent.len() > RECENT_CHOICES {
            return Err(format!("more than {RECENT_CHOICES} recent choices"));
        }
        for r in &self.recent {
            if r.standard.index() >= standards {
                return Err(format!(
                    "choice on standard #{} beyond the {standards} standards",
                    r.standard.index()
                ));
            }
            if out_of_range(r.at) {
                return Err(format!(
                    "choice on standard #{} has time {}, outside the accepted timestamps",
                    r.standard.index(),
                    r.at
                ));
            }
            if !r.offered.contains(&r.taken) {
                return Err(format!("choice of `{}` that was not offered", r.taken));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn option<'a>(id: &'a str, kind: ActivityKind, tags: &'a [String]) -> OfferedOption<'a> {
        OfferedOption { id, kind, tags }
    }

    #[test]
    fn affinity_is_zero_at_chance_and_grows_with_choices() {
        let sports = vec!["sports".to_owned()];
        let mut history = ChoiceHistory::default();
        let s = StandardIdx(0);
        for _ in 0..6 {
            let options = [
                option("p", ActivityKind::Practice, &[]),
                option("v", ActivityKind::Video, &sports),
            ];
            history.record(0, s, &options, 1);
        }
        let video = history.kind(ActivityKind::Video);
        assert_eq!((video.offered, video.taken), (6, 6));
        assert!((video.expected - 3.0).abs() < 1e-12);
        assert!((video.affinity() - 3.0 / 8.0).abs() < 1e-12);
        assert!(history.kind(ActivityKind::Practice).affinity() < 0.0);
        assert!(
            history.pull(ActivityKind::Video, &sports) > history.pull(ActivityKind::Practice, &[])
        );
        assert_eq!(history.recent().len(), 6);
        assert!(history.validate(1).is_ok());
    }

    #[test]
    fn recent_choices_are_bounded() {
        let mut history = ChoiceHistory::default();
        for i in 0..(RECENT_CHOICES as i64 + 5) {
            history.record(
                i,
                StandardIdx(0),
                &[option("a", ActivityKind::Practice, &[])],
                0,
            );
        }
        assert_eq!(history.recent().len(), RECENT_CHOICES);
        assert_eq!(history.recent().next().map(|r| r.at), Some(5));
        assert_eq!(history.kind(ActivityKind::Practice).affinity(), 0.0);
    }

    #[test]
    fn session_length_must_be_positive_and_finite() {
        for bad in [0.0, -5.0, f64::NAN, f64::INFINITY] {
            assert!(
                Preferences::new().with_session_minutes(bad).is_err(),
                "{bad}"
            );
        }
        let p = Preferences::new()
            .with_interest(" ")
            .with_interest("art")
            .with_interest("art");
        assert_eq!(p.interests(), ["art"]);
    }
}
