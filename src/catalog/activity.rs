//! Activities: kinds, builders, validation, and their dense index.

use super::*;

/// The kind of an activity.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ActivityKind {
    /// Practice problems.
    #[default]
    Practice,
    /// A video lesson.
    Video,
    /// A text to read.
    Reading,
    /// A project.
    Project,
    /// A performance task.
    PerformanceTask,
    /// An assessment (quiz, test).
    Assessment,
}

/// Something a learner can do, aligned to one or more standards.
///
/// ```
/// use mastery::{Activity, ActivityKind};
///
/// let a = Activity::new("area-and-multiplication", ActivityKind::Project)
///     .with_title("Tile a floor")
///     .aligned_to("3.MD.C.7.a")
///     .aligned_to("3.OA.A.1");
/// assert_eq!(a.standards(), ["3.MD.C.7.a", "3.OA.A.1"]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub(super) id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) title: Option<String>,
    #[serde(default)]
    pub(super) kind: ActivityKind,
    pub(super) standards: Vec<String>,
    /// One weight per aligned standard (how much of the activity is about it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) weights: Vec<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) minutes: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) tags: Vec<String>,
    /// KT-IDEM item difficulty: (guess, slip).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) guess_slip: Option<(f64, f64)>,
    /// Activities to do before this one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) prerequisites: Vec<String>,
}

impl ActivityKind {
    /// Every kind, in declaration order.
    pub const ALL: [ActivityKind; 6] = [
        ActivityKind::Practice,
        ActivityKind::Video,
        ActivityKind::Reading,
        ActivityKind::Project,
        ActivityKind::PerformanceTask,
        ActivityKind::Assessment,
    ];

    /// The kind in plain words, e.g. "performance task".
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            ActivityKind::Practice => "practice",
            ActivityKind::Video => "video",
            ActivityKind::Reading => "reading",
            ActivityKind::Project => "project",
            ActivityKind::PerformanceTask => "performance task",
            ActivityKind::Assessment => "assessment",
        }
    }

    /// Typical minutes, used when an activity does not say.
    #[must_use]
    pub fn typical_minutes(self) -> f64 {
        match self {
            ActivityKind::Practice => 10.0,
            ActivityKind::Video => 6.0,
            ActivityKind::Reading => 8.0,
            ActivityKind::Project => 45.0,
            ActivityKind::PerformanceTask => 30.0,
            ActivityKind::Assessment => 15.0,
        }
    }

    pub(super) fn parse(text: &str) -> Option<ActivityKind> {
        let normalized: String = text
            .trim()
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphabetic())
            .collect();
        ActivityKind::ALL
            .into_iter()
            .find(|k| k.label().replace(' ', "") == normalized)
    }
}

impl Activity {
    /// An activity aligned to no standard yet.
    #[must_use]
    pub fn new(id: impl Into<String>, kind: ActivityKind) -> Self {
        Activity {
            id: id.into(),
            title: None,
            kind,
            standards: Vec::new(),
            weights: Vec::new(),
            minutes: None,
            tags: Vec::new(),
            guess_slip: None,
            prerequisites: Vec::new(),
        }
    }

    /// Aligns the activity to one more standard with a weight (default 1).
    #[must_use]
    pub fn aligned_to_weighted(mut self, standard: impl Into<String>, weight: f64) -> Self {
        let standard = standard.into();
        let n = self.standards.len();
        if !self.standards.contains(&standard) {
            self.standards.push(standard);
            self.weights.resize(n, 1.0);
            self.weights.push(weight);
        }
        self
    }

    /// Sets the expected minutes.
    #[must_use]
    pub fn with_minutes(mut self, minutes: f64) -> Self {
        self.minutes = Some(minutes);
        self
    }

    /// Adds a tag (an interest or theme, e.g. "sports").
    #[must_use]
    pub fn with_tag(mut self, tag: impl Into<String>) -> Self {
        let tag = tag.into();
        if !self.tags.contains(&tag) {
            self.tags.push(tag);
        }
        self
    }

    /// Sets the activity's own guess and slip (KT-IDEM item difficulty).
    #[must_use]
    pub fn with_guess_slip(mut self, guess: f64, slip: f64) -> Self {
        self.guess_slip = Some((guess, slip));
        self
    }

    /// Adds an activity to do before this one.
    #[must_use]
    pub fn after(mut self, activity: impl Into<String>) -> Self {
        self.prerequisites.push(activity.into());
        self
    }

    /// Expected minutes: as set, else the kind's typical minutes.
    #[must_use]
    pub fn minutes(&self) -> f64 {
        self.minutes.unwrap_or_else(|| self.kind.typical_minutes())
    }

    /// Tags.
    #[must_use]
    pub fn tags(&self) -> &[String] {
        &self.tags
    }

    /// The weight of each aligned standard, in the order of [`Activity::standards`].
    #[must_use]
    pub fn weights(&self) -> Vec<f64> {
        (0..self.standards.len())
            .map(|i| self.weights.get(i).copied().unwrap_or(1.0))
            .collect()
    }

    /// The activity's own (guess, slip), if set.
    #[must_use]
    pub fn guess_slip(&self) -> Option<(f64, f64)> {
        self.guess_slip
    }

    /// Activities to do before this one.
    #[must_use]
    pub fn prerequisites(&self) -> &[String] {
        &self.prerequisites
    }

    /// Sets the title.
    #[must_use]
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Aligns the activity to one more standard (ignored if already aligned).
    #[must_use]
    pub fn aligned_to(mut self, standard: impl Into<String>) -> Self {
        let standard = standard.into();
        if !self.standards.contains(&standard) {
            self.standards.push(standard);
        }
        self
    }

    /// The id.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The title, if any.
    #[must_use]
    pub fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }

    /// The kind.
    #[must_use]
    pub fn kind(&self) -> ActivityKind {
        self.kind
    }

    /// The ids of the aligned standards.
    #[must_use]
    pub fn standards(&self) -> &[String] {
        &self.standards
    }
}

/// Activity ids follow the rules of standard ids: not empty, at most
/// [`MAX_ID_BYTES`](crate::MAX_ID_BYTES), no leading or trailing whitespace,
/// no control characters.
pub(super) fn validate_activity_id(id: &str, at: &Location) -> Result<()> {
    match crate::curriculum::id_problem(id) {
        None => Ok(()),
        Some(reason) => Err(Error::InvalidActivityId {
            id: crate::curriculum::shown_id(id),
            reason,
            at: at.clone(),
        }),
    }
}

pub(super) fn validate_numbers(activity: &Activity) -> Result<()> {
    let invalid = |what: &str, expected: &'static str, value: f64| Error::InvalidValue {
        what: format!("{what} of activity `{}`", activity.id),
        expected,
        value,
    };
    if let Some(m) = activity.minutes {
        if !(m.is_finite() && m > 0.0) {
            return Err(invalid("minutes", "a positive number", m));
        }
    }
    if activity.weights.len() > activity.standards.len() {
        return Err(invalid(
            "number of weights",
            "at most one per aligned standard",
            activity.weights.len() as f64,
        ));
    }
    if let Some(w) = activity
        .weights
        .iter()
        .find(|w| !(w.is_finite() && **w > 0.0))
    {
        return Err(invalid("weight", "a positive number", *w));
    }
    if let Some((g, s)) = activity.guess_slip {
        for (what, v) in [("guess", g), ("slip", s)] {
            if !(0.0..=1.0).contains(&v) {
                return Err(invalid(what, "a probability in [0, 1]", v));
            }
        }
        if g + s >= 1.0 {
            return Err(invalid("guess + slip", "below 1", g + s));
        }
    }
    Ok(())
}

/// The position of an activity in its [`Catalog`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ActivityIdx(pub(super) u32);

impl ActivityIdx {
    pub(crate) fn new(index: usize) -> Self {
        ActivityIdx(index as u32)
    }

    /// The index as a `usize`.
    #[must_use]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}
