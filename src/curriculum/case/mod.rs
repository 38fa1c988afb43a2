//! IMS CASE 1.0 (Competencies and Academic Standards Exchange): reading a
//! CFPackage into a [`Curriculum`], and writing a curriculum as one.
//!
//! States publish their standards as CASE JSON: a `CFDocument`, its
//! `CFItems` (standards, clusters, domains, ...) and `CFAssociations`
//! between them. [`CaseOptions::read_str`] maps them as follows:
//!
//! | CASE | mastery |
//! |---|---|
//! | a CFItem whose `CFItemType` counts as a standard ([`CaseOptions::standard_types`]) | a [`Standard`](crate::Standard) |
//! | `humanCodingScheme` | the standard's id (the `identifier` when the code is missing, unless [`CaseOptions::require_human_coding_scheme`]) |
//! | `fullStatement`, `abbreviatedStatement` | description, title |
//! | `educationLevel` | grade (several levels joined with `,`) |
//! | `CFItemType`, `identifier`, `uri` | attributes `case_item_type`, `case_identifier`, `case_uri` |
//! | `precedes` association | a prerequisite edge, origin -> destination |
//! | `isChildOf` association | the [`Hierarchy`] (children, parent, standards under a cluster) |
//! | `exactMatchOf`, `isRelatedTo` | [`CaseLink`]s, for [`Crosswalk`](crate::curriculum::Crosswalk)s |
//! | `isPeerOf`, `isPartOf`, `replacedBy`, `exemplar`, `hasSkillLevel` | counted in [`CaseFramework::ignored_associations`] |
//!
//! Any other association type is an error. Errors name the item or
//! association identifier and the JSON path (`framework.json#/CFAssociations/4`);
//! a `precedes` cycle is [`Error::Cycle`](crate::Error::Cycle), as for CSV.
//!
//! [`Curriculum::to_case_json`] writes a curriculum as a package: every
//! standard a CFItem, every prerequisite a `precedes` association, and
//! domains and clusters (from the standards' grade, domain and cluster) as
//! `isChildOf` parents. It keeps each standard's full metadata in a
//! `mastery:standard` extension, so the package reads back equal; other
//! readers ignore it.

mod hierarchy;
mod read;
mod write;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

pub use hierarchy::{Hierarchy, HierarchyNode};

use crate::curriculum::{Curriculum, StandardIdx};
use crate::error::Result;
use crate::io::{Input, read_all};

/// What to do with a `precedes` or `isChildOf` association whose origin or
/// destination is not in the package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum DanglingAssociations {
    /// An [`Error::Case`](crate::Error::Case) naming the association (the default).
    #[default]
    Error,
    /// Leave the association out and list it in [`CaseFramework::skipped`].
    SkipAndReport,
}

/// How to read a CASE package; [`CaseOptions::read_str`] reads one.
///
/// ```
/// use mastery::curriculum::case::{CaseOptions, DanglingAssociations};
///
/// let json = r#"{
///   "CFDocument": {"identifier": "doc-1", "title": "Fractions"},
///   "CFItems": [
///     {"identifier": "i-1", "humanCodingScheme": "FR.1", "fullStatement": "Unit fractions", "CFItemType": "Standard", "educationLevel": ["03"]},
///     {"identifier": "i-2", "humanCodingScheme": "FR.2", "fullStatement": "Equivalent fractions", "CFItemType": "Standard"}
///   ],
///   "CFAssociations": [
///     {"identifier": "a-1", "associationType": "precedes",
///      "originNodeURI": {"identifier": "i-1"}, "destinationNodeURI": {"identifier": "i-2"}},
///     {"identifier": "a-2", "associationType": "precedes",
///      "originNodeURI": {"identifier": "i-2"}, "destinationNodeURI": {"identifier": "elsewhere"}}
///   ]
/// }"#;
/// let err = CaseOptions::new().read_str("fr.json", json).unwrap_err();
/// assert!(err.to_string().starts_with("fr.json#/CFAssociations/1: CASE `a-2`"));
///
/// let framework = CaseOptions::new()
///     .dangling(DanglingAssociations::SkipAndReport)
///     .read_str("fr.json", json)?;
/// let fractions = framework.curriculum();
/// assert_eq!(fractions.len(), 2);
/// assert_eq!(fractions.standard("FR.1")?.grade(), Some("03"));
/// assert_eq!(fractions.prerequisites("FR.2")?.len(), 1);
/// assert_eq!(framework.skipped()[0].identifier, "a-2");
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct CaseOptions {
    standard_types: Vec<String>,
    untyped_items_are_standards: bool,
    require_human_coding_scheme: bool,
    dangling: DanglingAssociations,
    read_extensions: bool,
}

impl Default for CaseOptions {
    fn default() -> Self {
        CaseOptions {
            standard_types: vec!["Standard".into()],
            untyped_items_are_standards: true,
            require_human_coding_scheme: false,
            dangling: DanglingAssociations::Error,
            read_extensions: true,
        }
    }
}

impl CaseOptions {
    /// The defaults: items of type `Standard` and items without a
    /// `CFItemType` are standards; a missing `humanCodingScheme` falls back to
    /// the identifier; dangling associations are errors; the
    /// `mastery:standard` extension is read.
    pub fn new() -> Self {
        CaseOptions::default()
    }

    /// The `CFItemType`s (compared ignoring ASCII case) whose items count as
    /// standards; other items are only nodes of the [`Hierarchy`].
    pub fn standard_types<S: Into<String>>(mut self, types: impl IntoIterator<Item = S>) -> Self {
        self.standard_types = types.into_iter().map(Into::into).collect();
        self
    }

    /// Whether items without a `CFItemType` count as standards (default `true`).
    pub fn untyped_items_are_standards(mut self, yes: bool) -> Self {
        self.untyped_items_are_standards = yes;
        self
    }

    /// When `true`, a standard without a `humanCodingScheme` is an error
    /// instead of taking its identifier as id (default `false`).
    pub fn require_human_coding_scheme(mut self, yes: bool) -> Self {
        self.require_human_coding_scheme = yes;
        self
    }

    /// What to do with associations pointing outside the package.
    pub fn dangling(mut self, dangling: DanglingAssociations) -> Self {
        self.dangling = dangling;
        self
    }

    /// Whether a CFItem's `extensions["mastery:standard"]` (written by
    /// [`Curriculum::to_case_json`]) restores the standard's full metadata
    /// (default `true`). With `false`, only the CASE fields are read.
    pub fn read_extensions(mut self, yes: bool) -> Self {
        self.read_extensions = yes;
        self
    }

    /// Reads a CFPackage from JSON text; `name` is used in error messages.
    ///
    /// # Errors
    /// [`Error::Json`](crate::Error::Json) for text that is not JSON;
    /// [`Error::Case`](crate::Error::Case) for a missing or mistyped field,
    /// a duplicate identifier, an unknown association type, a dangling
    /// association (unless skipped) or a missing `humanCodingScheme` (when
    /// required); the builder's errors ([`Error::DuplicateStandard`](crate::Error::DuplicateStandard),
    /// [`Error::InvalidId`](crate::Error::InvalidId), [`Error::Cycle`](crate::Error::Cycle), ...)
    /// with the JSON path as their location.
    pub fn read_str(&self, name: &str, json: &str) -> Result<CaseFramework> {
        read::read(self, name, json)
    }

    /// Reads a CFPackage file, at most [`MAX_INPUT_BYTES`](crate::MAX_INPUT_BYTES).
    ///
    /// # Errors
    /// As [`CaseOptions::read_str`], and [`Error::Io`](crate::Error::Io),
    /// [`Error::InputTooLarge`](crate::Error::InputTooLarge) or
    /// [`Error::InvalidUtf8`](crate::Error::InvalidUtf8) for the file.
    pub fn read_path(&self, path: impl AsRef<Path>) -> Result<CaseFramework> {
        let (name, bytes) = read_all(Input::Path(path.as_ref().to_path_buf()))?;
        let text = std::str::from_utf8(&bytes).map_err(|_| crate::Error::InvalidUtf8 {
            at: crate::Location::new(Some(name.clone()), None),
        })?;
        self.read_str(&name, text)
    }

    fn counts_as_standard(&self, item_type: Option<&str>) -> bool {
        match item_type {
            None => self.untyped_items_are_standards,
            Some(t) => self
                .standard_types
                .iter()
                .any(|s| s.eq_ignore_ascii_case(t)),
        }
    }
}

/// A reference to a CASE item, as an association holds it: the item's
/// identifier, and its URI and title when the package gave them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct NodeRef {
    /// The item's `identifier`.
    pub identifier: String,
    /// The item's `uri`, if given.
    pub uri: Option<String>,
    /// The `title` of the reference (often the code of the item), if given.
    pub title: Option<String>,
}

/// The kind of a crosswalk link between two items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum LinkKind {
    /// `exactMatchOf`: the two items are the same objective.
    ExactMatch,
    /// `isRelatedTo`: related, not the same.
    Related,
}

/// An `exactMatchOf` or `isRelatedTo` association, kept for crosswalks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CaseLink {
    /// The association's identifier.
    pub identifier: String,
    /// `exactMatchOf` or `isRelatedTo`.
    pub kind: LinkKind,
    /// The origin item.
    pub origin: NodeRef,
    /// The destination item (often in another framework).
    pub destination: NodeRef,
    /// The origin's standard, when it is a standard of this package.
    pub origin_standard: Option<StandardIdx>,
    /// The destination's standard, when it is a standard of this package.
    pub destination_standard: Option<StandardIdx>,
}

/// An association left out under [`DanglingAssociations::SkipAndReport`] (or
/// a `precedes` between items that are not standards).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SkippedAssociation {
    /// The association's identifier.
    pub identifier: String,
    /// Its JSON path, e.g. `#/CFAssociations/4`.
    pub path: String,
    /// Why it was left out.
    pub reason: String,
}

/// A CASE package read into a [`Curriculum`], with its item [`Hierarchy`],
/// crosswalk [`CaseLink`]s and what was left out.
#[derive(Debug, Clone)]
pub struct CaseFramework {
    identifier: String,
    title: Option<String>,
    curriculum: Curriculum,
    hierarchy: Hierarchy,
    links: Vec<CaseLink>,
    skipped: Vec<SkippedAssociation>,
    ignored_associations: BTreeMap<String, usize>,
}

impl CaseFramework {
    /// The CFDocument's identifier.
    #[must_use]
    pub fn identifier(&self) -> &str {
        &self.identifier
    }

    /// The CFDocument's title.
    #[must_use]
    pub fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }

    /// The standards and their `precedes` prerequisites.
    #[must_use]
    pub fn curriculum(&self) -> &Curriculum {
        &self.curriculum
    }

    /// The curriculum, by value.
    #[must_use]
    pub fn into_curriculum(self) -> Curriculum {
        self.curriculum
    }

    /// Every item and the `isChildOf` tree.
    #[must_use]
    pub fn hierarchy(&self) -> &Hierarchy {
        &self.hierarchy
    }

    /// The `exactMatchOf` and `isRelatedTo` associations, in package order.
    #[must_use]
    pub fn links(&self) -> &[CaseLink] {
        &self.links
    }

    /// Associations left out, in package order.
    #[must_use]
    pub fn skipped(&self) -> &[SkippedAssociation] {
        &self.skipped
    }

    /// How many associations of each known type without a meaning here
    /// (`isPeerOf`, `isPartOf`, `replacedBy`, `exemplar`, `hasSkillLevel`) were read.
    #[must_use]
    pub fn ignored_associations(&self) -> &BTreeMap<String, usize> {
        &self.ignored_associations
    }
}
