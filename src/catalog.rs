//! Activities and the catalog that aligns them to standards.

use foldhash::HashMap;

use serde::{Deserialize, Serialize};

use crate::curriculum::{Curriculum, StandardIdx};
use crate::error::{Error, Location, Result};

/// The kind of an activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
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
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(default)]
    kind: ActivityKind,
    standards: Vec<String>,
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
        }
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

/// The position of an activity in its [`Catalog`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ActivityIdx(u32);

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

/// The activities of a curriculum, validated against it and indexed by standard.
///
/// ```
/// use mastery::{Activity, ActivityKind, Catalog, Curriculum};
///
/// let ccss = Curriculum::ccss_math();
/// let catalog = Catalog::new(
///     &ccss,
///     [
///         Activity::new("unit-fractions", ActivityKind::Practice).aligned_to("3.NF.A.1"),
///         Activity::new("fraction-video", ActivityKind::Video).aligned_to("3.NF.A.1"),
///     ],
/// )?;
/// assert_eq!(catalog.for_standard(ccss.index_of("3.NF.A.1")?).len(), 2);
///
/// let bad = Catalog::new(&ccss, [Activity::new("x", ActivityKind::Video).aligned_to("9.ZZ.Z.9")]);
/// assert!(matches!(bad, Err(mastery::Error::UnknownStandard { .. })));
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    activities: Vec<Activity>,
    aligned: Vec<Vec<StandardIdx>>,
    ids: HashMap<String, ActivityIdx>,
    by_standard: Vec<Vec<ActivityIdx>>,
    curriculum: u64,
}

impl Catalog {
    /// A catalog of `activities` for `curriculum`.
    ///
    /// # Errors
    /// [`Error::InvalidId`] for an empty activity id,
    /// [`Error::DuplicateActivity`], [`Error::UnalignedActivity`] for an
    /// activity aligned to nothing, [`Error::UnknownStandard`] for an
    /// alignment to a standard the curriculum does not have.
    pub fn new(
        curriculum: &Curriculum,
        activities: impl IntoIterator<Item = Activity>,
    ) -> Result<Self> {
        let mut catalog = Catalog {
            by_standard: vec![Vec::new(); curriculum.len()],
            curriculum: curriculum.fingerprint(),
            ..Catalog::default()
        };
        for activity in activities {
            if activity.id.is_empty() {
                return Err(Error::InvalidId {
                    id: activity.id,
                    reason: "it is empty",
                    at: Location::NONE,
                });
            }
            if activity.standards.is_empty() {
                return Err(Error::UnalignedActivity {
                    id: activity.id,
                    at: Location::NONE,
                });
            }
            let idx = ActivityIdx(u32::try_from(catalog.activities.len()).map_err(|_| {
                Error::IndexOutOfRange {
                    index: catalog.activities.len(),
                    len: u32::MAX as usize,
                }
            })?);
            if catalog.ids.contains_key(&activity.id) {
                return Err(Error::DuplicateActivity {
                    id: activity.id,
                    at: Location::NONE,
                });
            }
            let aligned = activity
                .standards
                .iter()
                .map(|s| curriculum.index_of(s))
                .collect::<Result<Vec<_>>>()?;
            for s in &aligned {
                catalog.by_standard[s.index()].push(idx);
            }
            catalog.ids.insert(activity.id.clone(), idx);
            catalog.aligned.push(aligned);
            catalog.activities.push(activity);
        }
        Ok(catalog)
    }

    /// An empty catalog for `curriculum`.
    #[must_use]
    pub fn empty(curriculum: &Curriculum) -> Self {
        Catalog::new(curriculum, []).unwrap_or_default()
    }

    /// The number of activities.
    #[must_use]
    pub fn len(&self) -> usize {
        self.activities.len()
    }

    /// Whether there are no activities.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.activities.is_empty()
    }

    /// All activities in index order.
    #[must_use]
    pub fn activities(&self) -> &[Activity] {
        &self.activities
    }

    /// The index of the activity with this id.
    ///
    /// # Errors
    /// [`Error::UnknownActivity`] if there is none.
    pub fn index_of(&self, id: &str) -> Result<ActivityIdx> {
        self.ids
            .get(id)
            .copied()
            .ok_or_else(|| Error::UnknownActivity { id: id.to_owned() })
    }

    /// The activity at `idx`, if it exists.
    #[must_use]
    pub fn get(&self, idx: ActivityIdx) -> Option<&Activity> {
        self.activities.get(idx.index())
    }

    /// The standards an activity is aligned to, as indices.
    #[must_use]
    pub fn alignment(&self, idx: ActivityIdx) -> &[StandardIdx] {
        self.aligned.get(idx.index()).map_or(&[], Vec::as_slice)
    }

    /// The activities aligned to a standard.
    #[must_use]
    pub fn for_standard(&self, standard: StandardIdx) -> &[ActivityIdx] {
        self.by_standard
            .get(standard.index())
            .map_or(&[], Vec::as_slice)
    }

    /// The fingerprint of the curriculum the catalog was validated against.
    #[must_use]
    pub fn curriculum_fingerprint(&self) -> u64 {
        self.curriculum
    }
}
