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

mod choices;
mod goals;
#[cfg(test)]
mod tests;

pub use choices::*;
pub use goals::*;

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
#[non_exhaustive]
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
