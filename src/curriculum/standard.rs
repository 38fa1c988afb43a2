//! A single standard and its compact index.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Location, Result};

/// The position of a standard in its [`Curriculum`](crate::Curriculum): a dense
/// `u32` index, valid only for the curriculum that produced it.
///
/// Hot paths (mastery arrays, recommendation scoring) work on indices; public
/// functions that take a standard also accept its string id (see
/// [`StandardKey`](crate::StandardKey)).
///
/// Every index is below [`MAX_STANDARDS`]: deserializing a larger one fails,
/// so a structure read from untrusted input never allocates for an index no
/// curriculum can have. Whether it fits the curriculum at hand is checked
/// where the structure meets that curriculum (for example
/// [`LearnerState::from_json`](crate::LearnerState::from_json)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct StandardIdx(pub(crate) u32);

/// The most standards a [`Curriculum`](crate::Curriculum) can hold (2^20, about
/// a million; the Common Core math graph has 480). Every [`StandardIdx`] is
/// below it, so a [`StandardSet`](crate::StandardSet) never takes more than
/// 128 KiB, whatever its input.
pub const MAX_STANDARDS: usize = 1 << 20;

/// The longest id, in bytes, of a standard, an activity or a learner (1 KiB;
/// Common Core ids are under 20 bytes, UUIDs and e-mail addresses well under
/// 256). A longer id is [`Error::InvalidId`] (or
/// [`Error::InvalidActivityId`]), so one hostile id cannot be copied into
/// every index, report and saved state.
pub const MAX_ID_BYTES: usize = 1024;

/// The most prerequisite edges a [`Curriculum`](crate::Curriculum) can hold
/// (2^22, about 4 million; a complete DAG of 2,000 standards has about 2
/// million, the Common Core math graph under 1,000). One more is
/// [`Error::TooMany`].
pub const MAX_PREREQUISITES: usize = 1 << 22;

impl<'de> Deserialize<'de> for StandardIdx {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let index = u32::deserialize(deserializer)?;
        StandardIdx::new(index as usize).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "standard index {index} is not below the limit of {MAX_STANDARDS} standards"
            ))
        })
    }
}

impl StandardIdx {
    /// The index as a `usize`, for indexing per-standard arrays.
    ///
    /// ```
    /// let ccss = mastery::Curriculum::ccss_math();
    /// let idx = ccss.index_of("K.CC.A.1")?;
    /// assert_eq!(ccss.standards()[idx.index()].id(), "K.CC.A.1");
    /// # Ok::<(), mastery::Error>(())
    /// ```
    #[must_use]
    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// The index for position `index`, or `None` if it is not below
    /// [`MAX_STANDARDS`].
    ///
    /// The result is only meaningful for a curriculum with more than `index`
    /// standards; queries check that and return
    /// [`Error::IndexOutOfRange`] otherwise.
    #[must_use]
    pub fn new(index: usize) -> Option<Self> {
        if index < MAX_STANDARDS {
            // Below 2^20: fits in u32.
            Some(StandardIdx(index as u32))
        } else {
            None
        }
    }
}

impl fmt::Display for StandardIdx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// A learning objective, e.g. the Common Core standard `3.NF.A.1`
/// ("Understand a fraction 1/b as the quantity formed by 1 part ...").
///
/// Only the id is required. Every other field is descriptive metadata; the
/// [`Curriculum`](crate::Curriculum) keeps it and serializes it but never
/// interprets it, except through the predicates a caller writes (for example
/// [`Curriculum::subgraph`](crate::Curriculum::subgraph) on `grade`).
///
/// ```
/// use mastery::Standard;
///
/// let s = Standard::new("3.NF.A.1")?
///     .with_grade("3")
///     .with_domain("NF")
///     .with_description("Understand a fraction 1/b as the quantity formed by 1 part ...")
///     .with_tag("fractions");
/// assert_eq!(s.id(), "3.NF.A.1");
/// assert_eq!(s.code(), "3.NF.A.1"); // the code defaults to the id
/// assert_eq!(s.grade(), Some("3"));
/// assert!(s.tags().contains(&"fractions".to_string()));
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standard {
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    grade: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    domain: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cluster: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    major_work: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    attributes: BTreeMap<String, String>,
}

impl Standard {
    /// A standard with the given id and no metadata.
    ///
    /// # Errors
    /// [`Error::InvalidId`] if the id is empty, has leading or trailing
    /// whitespace, or contains control characters.
    pub fn new(id: impl Into<String>) -> Result<Self> {
        let id = id.into();
        validate_id(&id, &Location::NONE)?;
        Ok(Self::unchecked(id))
    }

    pub(crate) fn unchecked(id: String) -> Self {
        Standard {
            id,
            code: None,
            title: None,
            description: None,
            grade: None,
            domain: None,
            cluster: None,
            major_work: false,
            tags: Vec::new(),
            attributes: BTreeMap::new(),
        }
    }

    /// The unique id, e.g. `3.NF.A.1`.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The code people use for the standard; the id unless set otherwise.
    #[must_use]
    pub fn code(&self) -> &str {
        self.code.as_deref().unwrap_or(&self.id)
    }

    /// A short title, if any.
    #[must_use]
    pub fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }

    /// The standard's full text, if any.
    #[must_use]
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The title if there is one, else the code: a label for people.
    #[must_use]
    pub fn label(&self) -> &str {
        self.title().unwrap_or_else(|| self.code())
    }

    /// The grade, e.g. `K`, `3`, `HS`.
    #[must_use]
    pub fn grade(&self) -> Option<&str> {
        self.grade.as_deref()
    }

    /// The domain, e.g. `NF` (Number and Operations, Fractions).
    #[must_use]
    pub fn domain(&self) -> Option<&str> {
        self.domain.as_deref()
    }

    /// The cluster within the domain, e.g. `A`.
    #[must_use]
    pub fn cluster(&self) -> Option<&str> {
        self.cluster.as_deref()
    }

    /// Whether the standard belongs to the major work of its grade.
    #[must_use]
    pub fn is_major_work(&self) -> bool {
        self.major_work
    }

    /// Free-form tags (interests, themes), in insertion order without repeats.
    #[must_use]
    pub fn tags(&self) -> &[String] {
        &self.tags
    }

    /// Other named metadata, e.g. `domain_name` or `cluster_name`.
    #[must_use]
    pub fn attributes(&self) -> &BTreeMap<String, String> {
        &self.attributes
    }

    /// One attribute by name.
    #[must_use]
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).map(String::as_str)
    }

    /// Sets the code people use (when it differs from the id).
    #[must_use]
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into()).filter(|c| *c != self.id);
        self
    }

    /// Sets a short title.
    #[must_use]
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Sets the full text.
    #[must_use]
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the grade.
    #[must_use]
    pub fn with_grade(mut self, grade: impl Into<String>) -> Self {
        self.grade = Some(grade.into());
        self
    }

    /// Sets the domain.
    #[must_use]
    pub fn with_domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }

    /// Sets the cluster.
    #[must_use]
    pub fn with_cluster(mut self, cluster: impl Into<String>) -> Self {
        self.cluster = Some(cluster.into());
        self
    }

    /// Marks the standard as major work of its grade (or not).
    #[must_use]
    pub fn with_major_work(mut self, major_work: bool) -> Self {
        self.major_work = major_work;
        self
    }

    /// Adds a tag; a tag already present is not added twice.
    #[must_use]
    pub fn with_tag(mut self, tag: impl Into<String>) -> Self {
        let tag = tag.into();
        if !self.tags.contains(&tag) {
            self.tags.push(tag);
        }
        self
    }

    /// Sets a named attribute, replacing any earlier value.
    #[must_use]
    pub fn with_attribute(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.attributes.insert(name.into(), value.into());
        self
    }
}

/// What is wrong with an id (of a standard or an activity), if anything:
/// it must be non-empty, at most [`MAX_ID_BYTES`] long, without surrounding
/// whitespace or control characters.
pub(crate) fn id_problem(id: &str) -> Option<&'static str> {
    if id.is_empty() {
        Some("it is empty")
    } else if id.len() > MAX_ID_BYTES {
        Some("it is longer than MAX_ID_BYTES (1024 bytes)")
    } else if id.trim() != id {
        Some("it has leading or trailing whitespace")
    } else if id.chars().any(char::is_control) {
        Some("it contains a control character")
    } else {
        None
    }
}

/// What is wrong with a learner id (or an id checked only for its size), if
/// anything: it must be non-empty and at most [`MAX_ID_BYTES`] long.
pub(crate) fn learner_id_problem(id: &str) -> Option<&'static str> {
    if id.is_empty() {
        Some("it is empty")
    } else if id.len() > MAX_ID_BYTES {
        Some("it is longer than MAX_ID_BYTES (1024 bytes)")
    } else {
        None
    }
}

/// An id as an error shows it: in full up to 64 bytes, else its first 64
/// bytes (at a character boundary) and "...", so an error message stays small.
pub(crate) fn shown_id(id: &str) -> String {
    const SHOWN: usize = 64;
    if id.len() <= SHOWN {
        return id.to_owned();
    }
    let mut end = SHOWN;
    while !id.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &id[..end])
}

/// Checks a standard id (see [`id_problem`]).
pub(crate) fn validate_id(id: &str, at: &Location) -> Result<()> {
    match id_problem(id) {
        None => Ok(()),
        Some(reason) => Err(Error::InvalidId {
            id: shown_id(id),
            reason,
            at: at.clone(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_ids() {
        for bad in ["", " A", "B ", "a\tb", "x\ny"] {
            assert!(
                matches!(Standard::new(bad), Err(Error::InvalidId { .. })),
                "{bad:?} should be rejected"
            );
        }
        assert!(Standard::new("3.NF.A.1").is_ok());
        assert!(Standard::new("fractions: unit 1").is_ok());
    }

    #[test]
    fn code_equal_to_id_is_not_stored_twice() {
        let s = Standard::new("A").unwrap().with_code("A");
        assert_eq!(s.code(), "A");
        assert!(!serde_json::to_string(&s).unwrap().contains("code"));
        let t = Standard::new("17").unwrap().with_code("3.NF.A.1");
        assert_eq!(t.code(), "3.NF.A.1");
    }

    #[test]
    fn tags_are_deduplicated_in_order() {
        let s = Standard::new("A")
            .unwrap()
            .with_tag("b")
            .with_tag("a")
            .with_tag("b");
        assert_eq!(s.tags(), ["b", "a"]);
    }
}
