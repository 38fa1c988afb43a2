//! Activities and the catalog that aligns them to standards.

use foldhash::HashMap;

use serde::{Deserialize, Serialize};

use crate::curriculum::{Curriculum, StandardIdx};
use crate::error::{Error, Location, Result};

mod activity;
mod demo;
mod files;

pub use activity::*;

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
    /// [`Error::InvalidActivityId`] for an empty activity id, one with
    /// leading or trailing whitespace or a control character, or an activity
    /// that comes after itself; [`Error::UnknownPrerequisiteActivity`] for a
    /// prerequisite activity not in the catalog; [`Error::DuplicateActivity`], [`Error::UnalignedActivity`] for an
    /// activity aligned to nothing, [`Error::UnknownStandard`] for an
    /// alignment to a standard the curriculum does not have,
    /// [`Error::DuplicateAlignment`] for an activity aligned to one standard
    /// twice (possible through [`Catalog::from_json`]; the builder methods
    /// ignore a repeated alignment).
    pub fn new(
        curriculum: &Curriculum,
        activities: impl IntoIterator<Item = Activity>,
    ) -> Result<Self> {
        Catalog::build(
            curriculum,
            activities.into_iter().map(|a| (a, Location::NONE)),
        )
    }

    /// As [`Catalog::new`], each activity with where it was read (for errors).
    fn build(
        curriculum: &Curriculum,
        activities: impl IntoIterator<Item = (Activity, Location)>,
    ) -> Result<Self> {
        let mut catalog = Catalog {
            by_standard: vec![Vec::new(); curriculum.len()],
            curriculum: curriculum.fingerprint(),
            ..Catalog::default()
        };
        let mut places = Vec::new();
        for (activity, at) in activities {
            catalog.insert(curriculum, activity, &at)?;
            places.push(at);
        }
        // Activities may name later ones as prerequisites: check once all are in.
        for (activity, at) in catalog.activities.iter().zip(&places) {
            catalog.check_prerequisites(&activity.id, &activity.prerequisites, at)?;
        }
        Ok(catalog)
    }

    /// Adds one activity, validating only it (O(its alignments and
    /// prerequisites)), and returns its index. Its prerequisites must already
    /// be in the catalog. On error the catalog is unchanged. To use it in a
    /// model, [`Model::add_activity`](crate::Model::add_activity) adds it to
    /// the model's catalog without rebuilding the model.
    ///
    /// ```
    /// use mastery::{Activity, ActivityKind, Catalog, Curriculum};
    ///
    /// let ccss = Curriculum::ccss_math();
    /// let mut catalog = Catalog::demo(&ccss, 1);
    /// let n = catalog.len();
    /// let idx = catalog.push(&ccss, Activity::new("pizza-fractions", ActivityKind::Project).aligned_to("3.NF.A.1"))?;
    /// assert_eq!((idx.index(), catalog.len()), (n, n + 1));
    /// assert!(catalog.for_standard(ccss.index_of("3.NF.A.1")?).contains(&idx));
    /// assert!(catalog.push(&ccss, Activity::new("pizza-fractions", ActivityKind::Video).aligned_to("3.NF.A.1")).is_err());
    /// assert_eq!(catalog.len(), n + 1);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Catalog::new`], and [`Error::CurriculumMismatch`] when `curriculum`
    /// is not the catalog's.
    pub fn push(&mut self, curriculum: &Curriculum, activity: Activity) -> Result<ActivityIdx> {
        if curriculum.fingerprint() != self.curriculum || self.by_standard.len() != curriculum.len()
        {
            return Err(Error::CurriculumMismatch {
                what: "catalog",
                expected: curriculum.fingerprint(),
                found: self.curriculum,
            });
        }
        self.check_prerequisites(&activity.id, &activity.prerequisites, &Location::NONE)?;
        self.insert(curriculum, activity, &Location::NONE)
    }

    /// Validates and appends one activity (its prerequisites are checked by the caller).
    fn insert(
        &mut self,
        curriculum: &Curriculum,
        activity: Activity,
        at: &Location,
    ) -> Result<ActivityIdx> {
        validate_activity_id(&activity.id, at)?;
        if activity.standards.is_empty() {
            return Err(Error::UnalignedActivity {
                id: activity.id,
                at: at.clone(),
            });
        }
        let idx = ActivityIdx(u32::try_from(self.activities.len()).map_err(|_| {
            Error::IndexOutOfRange {
                index: self.activities.len(),
                len: u32::MAX as usize,
            }
        })?);
        if self.ids.contains_key(&activity.id) {
            return Err(Error::DuplicateActivity {
                id: activity.id,
                at: at.clone(),
            });
        }
        validate_numbers(&activity)?;
        let aligned = activity
            .standards
            .iter()
            .map(|s| {
                curriculum.index_of(s).map_err(|_| Error::UnknownStandard {
                    id: s.clone(),
                    at: at.clone(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let mut sorted = aligned.clone();
        sorted.sort_unstable();
        if let Some(pair) = sorted.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(Error::DuplicateAlignment {
                activity: activity.id,
                standard: curriculum[pair[0]].id().to_owned(),
                at: at.clone(),
            });
        }
        for s in &aligned {
            self.by_standard[s.index()].push(idx);
        }
        self.ids.insert(activity.id.clone(), idx);
        self.aligned.push(aligned);
        self.activities.push(activity);
        Ok(idx)
    }

    fn check_prerequisites(&self, id: &str, prerequisites: &[String], at: &Location) -> Result<()> {
        for before in prerequisites {
            if before == id {
                return Err(Error::InvalidActivityId {
                    id: before.clone(),
                    reason: "an activity cannot come after itself",
                    at: at.clone(),
                });
            }
            if !self.ids.contains_key(before.as_str()) {
                return Err(Error::UnknownPrerequisiteActivity {
                    activity: id.to_owned(),
                    prerequisite: before.clone(),
                    at: at.clone(),
                });
            }
        }
        Ok(())
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
            .ok_or_else(|| Error::UnknownActivity {
                id: id.to_owned(),
                at: Location::NONE,
            })
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
