//! What to recommend: the options of a recommendation and their checks.

use crate::catalog::ActivityKind;
use crate::error::{Error, Result};

/// Whether a recommendation toward goals starts by placing the learner:
/// a few checks that find where along the goals' prerequisites the
/// learner stands (see [`Reason::Placement`](super::Reason::Placement)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Placement {
    /// With goals, start with placement checks until placement is over.
    #[default]
    Check,
    /// No placement checks: rank from the current estimates alone.
    Skip,
}

/// What to recommend: how many, toward which goals, within what time, with
/// which preferences.
///
/// ```
/// use mastery::{ActivityKind, recommend::RecommendOptions};
///
/// let options = RecommendOptions::new(1_700_000_000)
///     .count(3)
///     .goal("4.NF.A.1")
///     .time_budget_minutes(30.0)
///     .prefer_kind(ActivityKind::Video)
///     .interest("sports");
/// # let _ = options;
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct RecommendOptions {
    pub(super) now: i64,
    pub(super) count: usize,
    pub(super) goals: Vec<String>,
    pub(super) time_budget: Option<f64>,
    pub(super) preferred_kinds: Vec<ActivityKind>,
    pub(super) interests: Vec<String>,
    pub(super) exclude: Vec<String>,
    pub(super) mastered_threshold: Option<f64>,
    pub(super) success_band: (f64, f64),
    pub(super) wheel_spin_attempts: u32,
    pub(super) placement: Placement,
    pub(super) review_threshold: f64,
    pub(super) goal_check_days: f64,
    pub(super) use_profile: bool,
    pub(super) options_per_choice: usize,
}

impl RecommendOptions {
    /// Defaults at time `now` (seconds since the Unix epoch): 5
    /// recommendations, no goals, no time budget, no preferences, the model's
    /// mastered threshold, a 70-85% success band, wheel-spinning after 10
    /// attempts.
    pub fn new(now: i64) -> Self {
        RecommendOptions {
            now,
            count: 5,
            goals: Vec::new(),
            time_budget: None,
            preferred_kinds: Vec::new(),
            interests: Vec::new(),
            exclude: Vec::new(),
            mastered_threshold: None,
            success_band: (0.7, 0.85),
            wheel_spin_attempts: 10,
            placement: Placement::Check,
            review_threshold: 0.85,
            goal_check_days: 1.0,
            use_profile: true,
            options_per_choice: 3,
        }
    }

    /// Whether the learner's profile counts (default `true`): its goals join
    /// the goals given here, its interests and preferred kinds join these,
    /// its session length is the time budget unless one is set here, and
    /// the kinds and tags the learner chose more often than chance get a
    /// small bonus. `false` ranks from these options alone.
    pub fn use_profile(mut self, use_profile: bool) -> Self {
        self.use_profile = use_profile;
        self
    }

    /// The most options per choice in [`Recommender::choices`](super::Recommender::choices) (default 3;
    /// at least 2).
    pub fn options_per_choice(mut self, options: usize) -> Self {
        self.options_per_choice = options;
        self
    }

    /// Once every goal is mastered, a goal not practiced for this many days
    /// gets a quick check (default 1: at most one check per goal a day);
    /// `f64::INFINITY` turns goal checks off, leaving stretch activities.
    pub fn goal_check_after_days(mut self, days: f64) -> Self {
        self.goal_check_days = days;
        self
    }

    /// A mastered standard is due for review when its estimate, decayed since
    /// the last evidence, falls below this (default 0.85); until then it still
    /// counts as mastered. Reviewing at the mastery bar itself would schedule
    /// a review days after every success. Capped at the mastered threshold.
    /// A value outside [0, 1] (or NaN) makes recommending an
    /// [`Error::InvalidValue`].
    pub fn review_threshold(mut self, threshold: f64) -> Self {
        self.review_threshold = threshold;
        self
    }

    /// With goals, start with placement checks ([`Placement::Check`], the
    /// default) or not ([`Placement::Skip`]).
    pub fn placement(mut self, placement: Placement) -> Self {
        self.placement = placement;
        self
    }

    /// How many activities to recommend.
    pub fn count(mut self, count: usize) -> Self {
        self.count = count;
        self
    }

    /// Adds a goal standard.
    pub fn goal(mut self, standard: impl Into<String>) -> Self {
        self.goals.push(standard.into());
        self
    }

    /// The most minutes the recommended activities may add up to.
    pub fn time_budget_minutes(mut self, minutes: f64) -> Self {
        self.time_budget = Some(minutes);
        self
    }

    /// Prefers activities of this kind (a tie-breaker within a standard, never over need).
    pub fn prefer_kind(mut self, kind: ActivityKind) -> Self {
        self.preferred_kinds.push(kind);
        self
    }

    /// Prefers activities tagged with this interest.
    pub fn interest(mut self, tag: impl Into<String>) -> Self {
        self.interests.push(tag.into());
        self
    }

    /// Never recommends this activity (e.g. done in the last hour).
    pub fn exclude(mut self, activity: impl Into<String>) -> Self {
        self.exclude.push(activity.into());
        self
    }

    /// The mastery bar (default: the model's mastered level threshold).
    pub fn mastered_threshold(mut self, threshold: f64) -> Self {
        self.mastered_threshold = Some(threshold);
        self
    }

    /// The target band of predicted success (default 0.70 to 0.85).
    pub fn success_band(mut self, low: f64, high: f64) -> Self {
        self.success_band = (low, high);
        self
    }

    /// Attempts without mastery after which a learner is wheel-spinning (default 10).
    pub fn wheel_spin_attempts(mut self, attempts: u32) -> Self {
        self.wheel_spin_attempts = attempts;
        self
    }

    /// The time the recommendations are for.
    #[must_use]
    pub fn now(&self) -> i64 {
        self.now
    }
}

/// Checks the options before use: thresholds and the band in [0, 1], the
/// band in order, no negative goal-check interval or time budget.
pub(super) fn validate(options: &RecommendOptions, threshold: f64) -> Result<()> {
    let (low, high) = options.success_band;
    for (what, value) in [
        ("mastered threshold", threshold),
        ("review threshold", options.review_threshold),
        ("success band low", low),
        ("success band high", high),
    ] {
        if !(0.0..=1.0).contains(&value) {
            return Err(Error::InvalidValue {
                what: what.into(),
                expected: "a probability in [0, 1]",
                value,
            });
        }
    }
    if low > high {
        return Err(Error::InvalidValue {
            what: "success band low".into(),
            expected: "at most the band's high end",
            value: low,
        });
    }
    if options.goal_check_days.is_nan() || options.goal_check_days < 0.0 {
        return Err(Error::InvalidValue {
            what: "goal check interval".into(),
            expected: "a non-negative number of days",
            value: options.goal_check_days,
        });
    }
    if let Some(b) = options.time_budget {
        if b.is_nan() || b < 0.0 {
            return Err(Error::InvalidValue {
                what: "time budget".into(),
                expected: "a non-negative number of minutes",
                value: b,
            });
        }
    }
    Ok(())
}
