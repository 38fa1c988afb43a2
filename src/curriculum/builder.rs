//! Validated construction of a [`Curriculum`].

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use petgraph::graph::{DiGraph, NodeIndex};

use super::{Adjacency, Curriculum, CurriculumData, Standard, StandardIdx};
use crate::curriculum::standard::validate_id;
use crate::error::{Error, Location, Result};

/// Builds a [`Curriculum`]; [`build`](CurriculumBuilder::build) validates
/// everything at once, so an invalid curriculum cannot exist.
///
/// `build` rejects, in this order: invalid or duplicate standard ids, a
/// standard listed as its own prerequisite, edges naming unknown standards,
/// repeated edges, and cycles (the error names the standards on one actual
/// cycle, in order).
///
/// ```
/// use mastery::{Curriculum, Error, Standard};
///
/// let fractions = Curriculum::builder()
///     .standard(Standard::new("3.NF.A.1")?.with_grade("3"))
///     .standard(Standard::new("3.NF.A.2")?.with_grade("3"))
///     .standard(Standard::new("4.NF.A.1")?.with_grade("4"))
///     .prerequisite("3.NF.A.1", "3.NF.A.2")
///     .prerequisite("3.NF.A.2", "4.NF.A.1")
///     .build()?;
/// assert_eq!(fractions.len(), 3);
///
/// let looped = Curriculum::builder()
///     .standard_ids(["A", "B", "C"])?
///     .prerequisites([("A", "B"), ("B", "C"), ("C", "A")])
///     .build();
/// match looped {
///     Err(Error::Cycle { cycle, .. }) => assert_eq!(cycle.join(" -> "), "A -> B -> C -> A"),
///     other => panic!("expected a cycle, got {other:?}"),
/// }
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct CurriculumBuilder {
    standards: Vec<(Standard, Location)>,
    prerequisites: Vec<(String, String, Location)>,
    implicit_standards: bool,
}

impl CurriculumBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        CurriculumBuilder::default()
    }

    /// Adds a standard.
    pub fn standard(mut self, standard: Standard) -> Self {
        self.standards.push((standard, Location::NONE));
        self
    }

    /// Adds several standards.
    pub fn standards(mut self, standards: impl IntoIterator<Item = Standard>) -> Self {
        self.standards
            .extend(standards.into_iter().map(|s| (s, Location::NONE)));
        self
    }

    /// Adds standards that have nothing but an id.
    ///
    /// # Errors
    /// [`Error::InvalidId`] for the first invalid id.
    pub fn standard_ids<S: Into<String>>(self, ids: impl IntoIterator<Item = S>) -> Result<Self> {
        let standards = ids
            .into_iter()
            .map(Standard::new)
            .collect::<Result<Vec<_>>>()?;
        Ok(self.standards(standards))
    }

    /// Adds the edge `from -> to`: `from` is a prerequisite of `to`.
    pub fn prerequisite(mut self, from: impl Into<String>, to: impl Into<String>) -> Self {
        self.prerequisites
            .push((from.into(), to.into(), Location::NONE));
        self
    }

    /// Adds several `(from, to)` prerequisite edges.
    pub fn prerequisites<F: Into<String>, T: Into<String>>(
        mut self,
        edges: impl IntoIterator<Item = (F, T)>,
    ) -> Self {
        self.prerequisites.extend(
            edges
                .into_iter()
                .map(|(f, t)| (f.into(), t.into(), Location::NONE)),
        );
        self
    }

    /// When `true`, an edge endpoint that is not a known standard creates a
    /// standard with that id (in order of first appearance) instead of being
    /// an [`Error::UnknownEndpoint`]. Off by default.
    pub fn implicit_standards(mut self, implicit: bool) -> Self {
        self.implicit_standards = implicit;
        self
    }

    pub(crate) fn push_standard_at(&mut self, standard: Standard, at: Location) {
        self.standards.push((standard, at));
    }

    pub(crate) fn push_prerequisite_at(&mut self, from: String, to: String, at: Location) {
        self.prerequisites.push((from, to, at));
    }

    /// The `(from, to)` ids of the edges added so far.
    pub(crate) fn prerequisite_ids(&self) -> impl Iterator<Item = (&str, &str)> {
        self.prerequisites
            .iter()
            .map(|(f, t, _)| (f.as_str(), t.as_str()))
    }

    /// Adds every standard and prerequisite edge of `curriculum`, to extend it
    /// or to merge it with other standards. [`build`](Self::build) rejects
    /// standards whose ids are already in the builder
    /// ([`Error::DuplicateStandard`]); a curriculum rebuilt from itself alone
    /// is equal to it, with the same [`fingerprint`](Curriculum::fingerprint)
    /// (so learner states and catalogs made for it still apply).
    ///
    /// ```
    /// use mastery::{Curriculum, Standard};
    ///
    /// let ccss = Curriculum::ccss_math();
    /// // A local unit linked to Common Core.
    /// let local = Curriculum::builder()
    ///     .standard(Standard::new("FR.1")?.with_title("Fractions on a ruler"))
    ///     .standard(Standard::new("FR.2")?.with_title("Fractions in recipes"))
    ///     .prerequisite("FR.1", "FR.2")
    ///     .build()?;
    /// let merged = Curriculum::builder()
    ///     .curriculum(&ccss)
    ///     .curriculum(&local)
    ///     .prerequisite("3.NF.A.1", "FR.1")
    ///     .prerequisite("FR.2", "4.NF.B.3")
    ///     .build()?;
    /// assert_eq!(merged.len(), ccss.len() + 2);
    /// assert!(merged.ancestors("4.NF.B.3")?.contains(merged.index_of("FR.1")?));
    /// assert_eq!(ccss.to_builder().build()?.fingerprint(), ccss.fingerprint());
    /// # Ok::<(), mastery::Error>(())
    /// ```
    pub fn curriculum(mut self, curriculum: &Curriculum) -> Self {
        self.standards.reserve(curriculum.len());
        self.standards.extend(
            curriculum
                .standards()
                .iter()
                .map(|s| (s.clone(), Location::NONE)),
        );
        self.prerequisites
            .extend(curriculum.prerequisite_edges().map(|(f, t)| {
                (
                    curriculum[f].id().to_owned(),
                    curriculum[t].id().to_owned(),
                    Location::NONE,
                )
            }));
        self
    }

    /// Validates and builds the curriculum.
    ///
    /// Runs in O(V + E) expected time for V standards and E edges.
    ///
    /// # Errors
    /// [`Error::InvalidId`], [`Error::DuplicateStandard`], [`Error::SelfLoop`],
    /// [`Error::UnknownEndpoint`], [`Error::DuplicatePrerequisite`] or
    /// [`Error::Cycle`], each naming the standards involved and, for data read
    /// from a file, the file and line.
    pub fn build(self) -> Result<Curriculum> {
        self.build_with_limit(crate::MAX_PREREQUISITES)
    }

    /// [`build`](Self::build) with at most `prerequisite_limit` edges (the
    /// tests check the cap on a small limit).
    fn build_with_limit(self, prerequisite_limit: usize) -> Result<Curriculum> {
        let mut standards = Vec::with_capacity(self.standards.len());
        let mut ids: HashMap<String, StandardIdx> = HashMap::with_capacity(self.standards.len());
        for (standard, at) in self.standards {
            validate_id(standard.id(), &at)?;
            add_standard(&mut standards, &mut ids, standard, at)?;
        }

        let mut edges: Vec<(StandardIdx, StandardIdx)> =
            Vec::with_capacity(self.prerequisites.len());
        let mut edge_places: Vec<Location> = Vec::with_capacity(self.prerequisites.len());
        let mut seen: HashSet<(StandardIdx, StandardIdx)> =
            HashSet::with_capacity(self.prerequisites.len());
        for (from, to, at) in self.prerequisites {
            if edges.len() == prerequisite_limit {
                return Err(Error::TooMany {
                    what: "prerequisites",
                    limit: prerequisite_limit,
                    at,
                });
            }
            validate_id(&from, &at)?;
            validate_id(&to, &at)?;
            if from == to {
                return Err(Error::SelfLoop { id: from, at });
            }
            let from_idx = resolve_endpoint(
                &mut standards,
                &mut ids,
                &from,
                &to,
                &from,
                &at,
                self.implicit_standards,
            )?;
            let to_idx = resolve_endpoint(
                &mut standards,
                &mut ids,
                &from,
                &to,
                &to,
                &at,
                self.implicit_standards,
            )?;
            if !seen.insert((from_idx, to_idx)) {
                return Err(Error::DuplicatePrerequisite { from, to, at });
            }
            edges.push((from_idx, to_idx));
            edge_places.push(at);
        }

        let n = standards.len();
        let prerequisites = Adjacency::new(n, edges.iter().map(|&(f, t)| (t, f)));
        let dependents = Adjacency::new(n, edges.iter().copied());
        let topological = topological_order(&prerequisites, &dependents).map_err(|cycle| {
            let place: HashMap<(StandardIdx, StandardIdx), &Location> =
                edges.iter().copied().zip(&edge_places).collect();
            Error::Cycle {
                cycle: cycle
                    .iter()
                    .map(|&i| standards[i.index()].id().to_owned())
                    .collect(),
                edges: cycle
                    .windows(2)
                    .map(|pair| {
                        place
                            .get(&(pair[0], pair[1]))
                            .map_or(Location::NONE, |&at| at.clone())
                    })
                    .collect(),
            }
        })?;

        let mut depth = vec![0u32; n];
        for &v in &topological {
            depth[v.index()] = prerequisites
                .of(v)
                .iter()
                .map(|p| depth[p.index()] + 1)
                .max()
                .unwrap_or(0);
        }

        let mut graph = DiGraph::with_capacity(n, edges.len());
        for _ in 0..n {
            graph.add_node(());
        }
        for &(f, t) in &edges {
            graph.add_edge(NodeIndex::new(f.index()), NodeIndex::new(t.index()), ());
        }

        let fingerprint = fingerprint(&standards, &edges);
        Ok(Curriculum::from_data(CurriculumData {
            standards,
            ids,
            graph,
            prerequisites,
            dependents,
            topological,
            depth,
            fingerprint,
        }))
    }
}

fn add_standard(
    standards: &mut Vec<Standard>,
    ids: &mut HashMap<String, StandardIdx>,
    standard: Standard,
    at: Location,
) -> Result<StandardIdx> {
    let Some(idx) = StandardIdx::new(standards.len()) else {
        return Err(Error::TooMany {
            what: "standards",
            limit: crate::MAX_STANDARDS,
            at,
        });
    };
    if ids.contains_key(standard.id()) {
        return Err(Error::DuplicateStandard {
            id: standard.id().to_owned(),
            at,
        });
    }
    ids.insert(standard.id().to_owned(), idx);
    standards.push(standard);
    Ok(idx)
}

fn resolve_endpoint(
    standards: &mut Vec<Standard>,
    ids: &mut HashMap<String, StandardIdx>,
    from: &str,
    to: &str,
    endpoint: &str,
    at: &Location,
    implicit: bool,
) -> Result<StandardIdx> {
    if let Some(&idx) = ids.get(endpoint) {
        return Ok(idx);
    }
    if implicit {
        return add_standard(
            standards,
            ids,
            Standard::unchecked(endpoint.to_owned()),
            at.clone(),
        );
    }
    Err(Error::UnknownEndpoint {
        from: from.to_owned(),
        to: to.to_owned(),
        missing: endpoint.to_owned(),
        at: at.clone(),
    })
}

/// Kahn's algorithm, taking the smallest ready index first so the order is
/// deterministic and follows insertion order where the prerequisites allow.
///
/// On a cycle, returns the standards of one actual cycle, first repeated last.
fn topological_order(
    prerequisites: &Adjacency,
    dependents: &Adjacency,
) -> std::result::Result<Vec<StandardIdx>, Vec<StandardIdx>> {
    let n = prerequisites.len();
    let mut missing: Vec<u32> = (0..n)
        .map(|v| prerequisites.of(StandardIdx(v as u32)).len() as u32)
        .collect();
    let mut ready: BinaryHeap<Reverse<StandardIdx>> = (0..n as u32)
        .map(StandardIdx)
        .filter(|v| missing[v.index()] == 0)
        .map(Reverse)
        .collect();
    let mut order = Vec::with_capacity(n);
    while let Some(Reverse(v)) = ready.pop() {
        order.push(v);
        for &d in dependents.of(v) {
            missing[d.index()] -= 1;
            if missing[d.index()] == 0 {
                ready.push(Reverse(d));
            }
        }
    }
    if order.len() == n {
        return Ok(order);
    }
    // Every standard left over still waits on a left-over prerequisite, so
    // walking backwards through left-over prerequisites must revisit a standard:
    // the walk from that standard's first visit is a cycle.
    let leftover = |v: StandardIdx| missing[v.index()] > 0;
    let start = (0..n as u32).map(StandardIdx).find(|&v| leftover(v));
    let mut walk = Vec::new();
    let mut position: HashMap<StandardIdx, usize> = HashMap::new();
    let mut current = start;
    while let Some(v) = current {
        if let Some(&first) = position.get(&v) {
            let mut cycle: Vec<StandardIdx> = walk[first..].to_vec();
            cycle.reverse(); // the walk followed edges backwards
            // Start at the earliest-added standard, so the report is stable.
            let (smallest, _) = cycle
                .iter()
                .enumerate()
                .min_by_key(|&(_, v)| *v)
                .unwrap_or((0, &v));
            cycle.rotate_left(smallest);
            cycle.push(cycle[0]);
            return Err(cycle);
        }
        position.insert(v, walk.len());
        walk.push(v);
        current = prerequisites.of(v).iter().copied().find(|&p| leftover(p));
    }
    unreachable!("a left-over standard always has a left-over prerequisite")
}

/// FNV-1a over the ids in index order (each followed by a 0xff separator byte, which UTF-8
/// never contains) and the sorted edge index pairs: stable across platforms and releases.
fn fingerprint(standards: &[Standard], edges: &[(StandardIdx, StandardIdx)]) -> u64 {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(PRIME);
        }
    };
    for s in standards {
        eat(s.id().as_bytes());
        eat(&[0xff]);
    }
    // Edge order does not change the graph, so it does not change the fingerprint.
    let mut sorted = edges.to_vec();
    sorted.sort_unstable();
    for (f, t) in sorted {
        eat(&f.0.to_le_bytes());
        eat(&t.0.to_le_bytes());
    }
    hash
}

impl From<&Curriculum> for CurriculumBuilder {
    /// A builder holding every standard and edge of `curriculum`; see
    /// [`CurriculumBuilder::curriculum`].
    fn from(curriculum: &Curriculum) -> Self {
        CurriculumBuilder::new().curriculum(curriculum)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_prerequisite_beyond_the_limit_is_too_many_and_names_its_place() {
        let mut builder = CurriculumBuilder::new();
        for id in ["A", "B", "C", "D"] {
            builder = builder.standard(Standard::new(id).unwrap());
        }
        let edges = [("A", "B"), ("B", "C"), ("C", "D"), ("A", "D")];
        let at = |line| Location::new(Some("edges.csv".into()), Some(line));
        let mut over = builder.clone();
        for (line, (from, to)) in (2..).zip(edges) {
            over.prerequisites.push((from.into(), to.into(), at(line)));
        }
        let under = over.clone();
        match over.build_with_limit(3) {
            Err(Error::TooMany { what, limit, at }) => {
                assert_eq!((what, limit), ("prerequisites", 3));
                assert_eq!(at.to_string(), "edges.csv:5: ");
            }
            other => panic!("expected TooMany, got {other:?}"),
        }
        assert_eq!(under.build_with_limit(4).unwrap().len(), 4);
    }
}
