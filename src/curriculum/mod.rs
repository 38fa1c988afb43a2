//! Standards and their prerequisites: the [`Curriculum`] graph.
//!
//! A curriculum is a directed acyclic graph whose nodes are [`Standard`]s and
//! whose edges `A -> B` say "A is a prerequisite of B". It is built once,
//! validated ([`CurriculumBuilder`]), and then immutable and shareable across
//! threads. Every query accepts standards by string id or by [`StandardIdx`]
//! (see [`StandardKey`]) and works on dense indices inside.
//!
//! - construction: [`CurriculumBuilder`], [`CsvLoader`], [`Curriculum::from_json`],
//!   [`Curriculum::ccss_math`] (the embedded Common Core math default);
//! - neighborhood: [`Curriculum::prerequisites`], [`Curriculum::dependents`],
//!   [`Curriculum::ancestors`], [`Curriculum::descendants`];
//! - structure: [`Curriculum::topological_order`], [`Curriculum::depth`],
//!   [`Curriculum::longest_chain`], [`Curriculum::sources`], [`Curriculum::sinks`],
//!   [`Curriculum::redundant_prerequisites`], [`Curriculum::subgraph`];
//! - learning: [`Curriculum::ready_to_learn`] (the outer fringe) and
//!   [`Curriculum::inner_fringe`].

mod builder;
pub mod case;
pub mod ccss;
mod crosswalk;
mod load;
mod queries;
mod set;
mod standard;

use foldhash::HashMap;
use std::ops::Index;
use std::sync::Arc;

use petgraph::graph::DiGraph;
use petgraph::visit::EdgeRef;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use builder::CurriculumBuilder;
pub use crosswalk::Crosswalk;
pub use load::{CsvLoader, EdgeColumns, StandardColumns};
pub use set::StandardSet;
pub use standard::{MAX_ID_BYTES, MAX_PREREQUISITES, MAX_STANDARDS, Standard, StandardIdx};
pub(crate) use standard::{id_problem, learner_id_problem, shown_id};

use crate::error::{Error, Result};

/// The version of the JSON form written by [`Curriculum::to_json`].
pub const CURRICULUM_FORMAT_VERSION: u32 = 1;

/// Standards and their prerequisite edges: a validated, immutable DAG.
///
/// Build one with [`Curriculum::builder`], load one from CSV with
/// [`CsvLoader`] or JSON with [`Curriculum::from_json`], or take the embedded
/// Common Core math graph with [`Curriculum::ccss_math`].
///
/// Index it with a [`StandardIdx`] to get the [`Standard`].
///
/// ```
/// use mastery::Curriculum;
///
/// let ccss = Curriculum::ccss_math();
/// assert_eq!(ccss.len(), 480);
/// assert_eq!(ccss.prerequisite_count(), 757);
///
/// // What comes right before equivalent fractions in grade 4?
/// let before: Vec<&str> = ccss
///     .prerequisites("4.NF.A.1")?
///     .iter()
///     .map(|&i| ccss[i].id())
///     .collect();
/// assert!(before.contains(&"3.NF.A.3"));
/// # Ok::<(), mastery::Error>(())
/// ```
///
/// Cloning is O(1): clones share the immutable data.
#[derive(Clone)]
pub struct Curriculum {
    data: Arc<CurriculumData>,
}

#[derive(Clone)]
struct CurriculumData {
    standards: Vec<Standard>,
    ids: HashMap<String, StandardIdx>,
    /// Node `i` is standard `i`; edges in insertion order.
    graph: DiGraph<(), (), u32>,
    prerequisites: Adjacency,
    dependents: Adjacency,
    topological: Vec<StandardIdx>,
    depth: Vec<u32>,
    fingerprint: u64,
}

/// Compressed sparse rows: the neighbors of `v` are `targets[offsets[v]..offsets[v + 1]]`,
/// sorted by index.
#[derive(Debug, Clone)]
struct Adjacency {
    offsets: Vec<u32>,
    targets: Vec<StandardIdx>,
}

impl Adjacency {
    /// From `(source, target)` pairs over `n` nodes.
    fn new(n: usize, pairs: impl Iterator<Item = (StandardIdx, StandardIdx)> + Clone) -> Self {
        let mut offsets = vec![0u32; n + 1];
        for (s, _) in pairs.clone() {
            offsets[s.index() + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let mut fill = offsets.clone();
        let mut targets = vec![StandardIdx(0); offsets[n] as usize];
        for (s, t) in pairs {
            targets[fill[s.index()] as usize] = t;
            fill[s.index()] += 1;
        }
        for i in 0..n {
            targets[offsets[i] as usize..offsets[i + 1] as usize].sort_unstable();
        }
        Adjacency { offsets, targets }
    }

    fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    #[inline]
    fn of(&self, v: StandardIdx) -> &[StandardIdx] {
        let i = v.index();
        &self.targets[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
}

/// Anything that names a standard of a curriculum: its id (`&str`, `String`)
/// or its [`StandardIdx`].
///
/// Queries take `impl StandardKey`, so both `ccss.depth("4.NF.A.1")` and
/// `ccss.depth(idx)` work.
pub trait StandardKey {
    /// The index of the standard in `curriculum`.
    ///
    /// # Errors
    /// [`Error::UnknownStandard`] for an unknown id,
    /// [`Error::IndexOutOfRange`] for an index from another curriculum.
    fn resolve(&self, curriculum: &Curriculum) -> Result<StandardIdx>;
}

impl StandardKey for StandardIdx {
    fn resolve(&self, curriculum: &Curriculum) -> Result<StandardIdx> {
        curriculum.check_index(*self)
    }
}

impl StandardKey for str {
    fn resolve(&self, curriculum: &Curriculum) -> Result<StandardIdx> {
        curriculum.index_of(self)
    }
}

impl StandardKey for String {
    fn resolve(&self, curriculum: &Curriculum) -> Result<StandardIdx> {
        curriculum.index_of(self)
    }
}

impl<K: StandardKey + ?Sized> StandardKey for &K {
    fn resolve(&self, curriculum: &Curriculum) -> Result<StandardIdx> {
        (**self).resolve(curriculum)
    }
}

impl Curriculum {
    /// A builder; see [`CurriculumBuilder`].
    pub fn builder() -> CurriculumBuilder {
        CurriculumBuilder::new()
    }

    /// A builder holding this curriculum's standards and edges, to extend it
    /// without rebuilding every standard by hand; see
    /// [`CurriculumBuilder::curriculum`].
    ///
    /// ```
    /// use mastery::{Curriculum, Standard};
    ///
    /// let ccss = Curriculum::ccss_math();
    /// let extended = ccss
    ///     .to_builder()
    ///     .standard(Standard::new("FR.7")?.with_grade("4"))
    ///     .prerequisite("3.NF.A.3", "FR.7")
    ///     .build()?;
    /// assert_eq!(extended.len(), ccss.len() + 1);
    /// assert_eq!(extended.prerequisite_count(), ccss.prerequisite_count() + 1);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    pub fn to_builder(&self) -> CurriculumBuilder {
        CurriculumBuilder::from(self)
    }

    /// This curriculum and `other` in one, with `cross` prerequisite edges
    /// `(from, to)` between them (in either direction). This curriculum's
    /// standards keep their indices; `other`'s follow.
    ///
    /// ```
    /// use mastery::Curriculum;
    ///
    /// let ccss = Curriculum::ccss_math();
    /// let local = Curriculum::builder().standard_ids(["FR.7", "FR.8"])?.build()?;
    /// let merged = ccss.merge(&local, [("3.NF.A.3", "FR.7"), ("FR.8", "4.NF.A.1")])?;
    /// assert_eq!(merged.len(), ccss.len() + 2);
    /// assert_eq!(merged.index_of("3.NF.A.3")?, ccss.index_of("3.NF.A.3")?);
    /// assert!(ccss.merge(&ccss, [] as [(&str, &str); 0]).is_err()); // shared ids
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`CurriculumBuilder::build`]: [`Error::DuplicateStandard`] for an id
    /// both curricula have, [`Error::UnknownEndpoint`] for a cross edge naming
    /// a standard of neither, [`Error::Cycle`] if the cross edges close a cycle.
    pub fn merge<F: Into<String>, T: Into<String>>(
        &self,
        other: &Curriculum,
        cross: impl IntoIterator<Item = (F, T)>,
    ) -> Result<Curriculum> {
        self.to_builder()
            .curriculum(other)
            .prerequisites(cross)
            .build()
    }

    /// The number of standards.
    #[must_use]
    pub fn len(&self) -> usize {
        self.data.standards.len()
    }

    /// Whether the curriculum has no standards.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.data.standards.is_empty()
    }

    /// All standards, in index order (the order they were added).
    #[must_use]
    pub fn standards(&self) -> &[Standard] {
        &self.data.standards
    }

    /// All standard indices, `0..len`.
    pub fn indices(&self) -> impl ExactSizeIterator<Item = StandardIdx> + use<> {
        (0..self.data.standards.len() as u32).map(StandardIdx)
    }

    /// The number of prerequisite edges.
    #[must_use]
    pub fn prerequisite_count(&self) -> usize {
        self.data.graph.edge_count()
    }

    /// Every prerequisite edge `(from, to)`, in the order it was added.
    pub fn prerequisite_edges(&self) -> impl Iterator<Item = (StandardIdx, StandardIdx)> + '_ {
        self.data.graph.edge_references().map(|e| {
            (
                StandardIdx(e.source().index() as u32),
                StandardIdx(e.target().index() as u32),
            )
        })
    }

    /// The index of the standard with this id. O(1) expected.
    ///
    /// # Errors
    /// [`Error::UnknownStandard`] if there is none.
    pub fn index_of(&self, id: &str) -> Result<StandardIdx> {
        self.data
            .ids
            .get(id)
            .copied()
            .ok_or_else(|| Error::UnknownStandard {
                id: id.to_owned(),
                at: crate::Location::NONE,
            })
    }

    /// Whether a standard with this id exists.
    #[must_use]
    pub fn contains(&self, id: &str) -> bool {
        self.data.ids.contains_key(id)
    }

    /// The standard named by `key`.
    ///
    /// # Errors
    /// As [`StandardKey::resolve`].
    pub fn standard(&self, key: impl StandardKey) -> Result<&Standard> {
        let idx = key.resolve(self)?;
        Ok(&self.data.standards[idx.index()])
    }

    /// The standard with this id, if any.
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&Standard> {
        self.data
            .ids
            .get(id)
            .map(|i| &self.data.standards[i.index()])
    }

    /// A set holding the standards with these ids.
    ///
    /// # Errors
    /// [`Error::UnknownStandard`] for the first unknown id.
    pub fn set_of<K: StandardKey>(&self, keys: impl IntoIterator<Item = K>) -> Result<StandardSet> {
        let mut set = StandardSet::with_capacity(self.len());
        for key in keys {
            set.insert(key.resolve(self)?);
        }
        Ok(set)
    }

    /// An empty set sized for this curriculum.
    #[must_use]
    pub fn empty_set(&self) -> StandardSet {
        StandardSet::with_capacity(self.len())
    }

    /// The underlying petgraph graph, as an escape hatch for algorithms this
    /// crate does not offer. Node `i` is the standard with index `i`; an edge
    /// `a -> b` means `a` is a prerequisite of `b`.
    #[must_use]
    pub fn graph(&self) -> &DiGraph<(), (), u32> {
        &self.data.graph
    }

    /// A 64-bit fingerprint of the standard ids (in order) and the edges:
    /// learner states and catalogs record it so that they are never applied
    /// to a different curriculum. Metadata (grades, texts) does not enter it.
    ///
    /// ```
    /// use mastery::Curriculum;
    ///
    /// let a = Curriculum::builder().standard_ids(["A", "B"])?.build()?;
    /// let b = Curriculum::builder().standard_ids(["A", "B"])?.prerequisite("A", "B").build()?;
    /// assert_ne!(a.fingerprint(), b.fingerprint());
    /// assert_eq!(Curriculum::ccss_math().fingerprint(), Curriculum::ccss_math().fingerprint());
    /// # Ok::<(), mastery::Error>(())
    /// ```
    #[must_use]
    pub fn fingerprint(&self) -> u64 {
        self.data.fingerprint
    }

    fn from_data(data: CurriculumData) -> Self {
        Curriculum {
            data: Arc::new(data),
        }
    }

    /// Rewrites each standard's metadata; `update` must keep the id.
    pub(crate) fn update_metadata(&mut self, mut update: impl FnMut(Standard) -> Standard) {
        let data = Arc::make_mut(&mut self.data);
        for s in &mut data.standards {
            let id = s.id().to_owned();
            *s = update(std::mem::replace(s, Standard::unchecked(String::new())));
            debug_assert_eq!(s.id(), id);
        }
    }

    fn check_index(&self, idx: StandardIdx) -> Result<StandardIdx> {
        if idx.index() < self.len() {
            Ok(idx)
        } else {
            Err(Error::IndexOutOfRange {
                index: idx.index(),
                len: self.len(),
            })
        }
    }

    fn check_set(&self, set: &StandardSet) -> Result<()> {
        match set.max() {
            Some(max) => self.check_index(max).map(|_| ()),
            None => Ok(()),
        }
    }

    /// Reads a curriculum from its JSON form (see [`Curriculum::to_json`]),
    /// validating it like [`CurriculumBuilder::build`].
    ///
    /// # Errors
    /// [`Error::Json`] for malformed JSON, [`Error::UnsupportedFormat`] for
    /// another format version, or any validation error of `build`.
    pub fn from_json(json: &str) -> Result<Self> {
        let repr: CurriculumRepr = serde_json::from_str(json).map_err(|source| Error::Json {
            what: "curriculum JSON".into(),
            source,
        })?;
        repr.into_curriculum()
    }

    /// The curriculum as JSON:
    /// `{"format_version": 1, "standards": [{"id": .., ..}], "prerequisites": [["from", "to"], ..]}`.
    ///
    /// ```
    /// use mastery::Curriculum;
    ///
    /// let ccss = Curriculum::ccss_math();
    /// let back = Curriculum::from_json(&ccss.to_json())?;
    /// assert_eq!(back, ccss);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    #[must_use]
    pub fn to_json(&self) -> String {
        // Serializing owned strings and numbers into a String cannot fail.
        serde_json::to_string(self).expect("curriculum serializes to JSON")
    }
}

impl Index<StandardIdx> for Curriculum {
    type Output = Standard;

    /// The standard at `idx`.
    ///
    /// # Panics
    /// If `idx` comes from a larger curriculum; use
    /// [`Curriculum::standard`] for a checked look-up.
    fn index(&self, idx: StandardIdx) -> &Standard {
        &self.data.standards[idx.index()]
    }
}

/// Equal when the standards (with all metadata) and the edges, in order, are equal.
impl PartialEq for Curriculum {
    fn eq(&self, other: &Self) -> bool {
        self.data.standards == other.data.standards
            && self.prerequisite_edges().eq(other.prerequisite_edges())
    }
}

impl Eq for Curriculum {}

impl std::fmt::Debug for Curriculum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Curriculum")
            .field("standards", &self.len())
            .field("prerequisites", &self.prerequisite_count())
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct CurriculumReprRef<'a> {
    format_version: u32,
    standards: &'a [Standard],
    prerequisites: Vec<(&'a str, &'a str)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CurriculumRepr {
    format_version: u32,
    standards: Vec<Standard>,
    #[serde(default)]
    prerequisites: Vec<(String, String)>,
}

impl CurriculumRepr {
    fn into_curriculum(self) -> Result<Curriculum> {
        if self.format_version != CURRICULUM_FORMAT_VERSION {
            return Err(Error::UnsupportedFormat {
                what: "curriculum JSON",
                found: self.format_version,
                supported: CURRICULUM_FORMAT_VERSION,
            });
        }
        Curriculum::builder()
            .standards(self.standards)
            .prerequisites(self.prerequisites)
            .build()
    }
}

impl Serialize for Curriculum {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        CurriculumReprRef {
            format_version: CURRICULUM_FORMAT_VERSION,
            standards: &self.data.standards,
            prerequisites: self
                .prerequisite_edges()
                .map(|(f, t)| (self[f].id(), self[t].id()))
                .collect(),
        }
        .serialize(serializer)
    }
}

/// Deserializing validates like [`CurriculumBuilder::build`]; the typed
/// error becomes a serde error message. Use [`Curriculum::from_json`] to keep
/// the typed [`Error`].
impl<'de> Deserialize<'de> for Curriculum {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        CurriculumRepr::deserialize(deserializer)?
            .into_curriculum()
            .map_err(serde::de::Error::custom)
    }
}
