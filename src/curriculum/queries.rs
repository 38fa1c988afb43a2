//! Graph queries on a [`Curriculum`]. V is the number of standards, E the
//! number of prerequisite edges.

use super::{Adjacency, Curriculum, Standard, StandardIdx, StandardKey, StandardSet};
use crate::error::Result;

impl Curriculum {
    /// The direct prerequisites of a standard, sorted by index. O(1).
    ///
    /// ```
    /// let ccss = mastery::Curriculum::ccss_math();
    /// let ids: Vec<&str> = ccss.prerequisites("K.CC.B.5")?.iter().map(|&i| ccss[i].id()).collect();
    /// assert_eq!(ids, ["K.CC.B.4.b"]);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`StandardKey::resolve`].
    pub fn prerequisites(&self, key: impl StandardKey) -> Result<&[StandardIdx]> {
        Ok(self.data.prerequisites.of(key.resolve(self)?))
    }

    /// The standards that list this one as a direct prerequisite, sorted by index. O(1).
    ///
    /// ```
    /// let ccss = mastery::Curriculum::ccss_math();
    /// let ids: Vec<&str> = ccss.dependents("K.CC.A.1")?.iter().map(|&i| ccss[i].id()).collect();
    /// assert_eq!(ids, ["1.NBT.A.1"]);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`StandardKey::resolve`].
    pub fn dependents(&self, key: impl StandardKey) -> Result<&[StandardIdx]> {
        Ok(self.data.dependents.of(key.resolve(self)?))
    }

    /// Every standard from which this one can be reached: all prerequisites,
    /// direct and indirect, without the standard itself. O(V + E).
    ///
    /// ```
    /// let ccss = mastery::Curriculum::ccss_math();
    /// let needed = ccss.ancestors("4.NF.A.1")?;
    /// assert!(needed.contains(ccss.index_of("3.NF.A.1")?));
    /// assert!(!needed.contains(ccss.index_of("4.NF.A.1")?));
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`StandardKey::resolve`].
    pub fn ancestors(&self, key: impl StandardKey) -> Result<StandardSet> {
        let start = key.resolve(self)?;
        Ok(reach(&self.data.prerequisites, self.len(), [start]))
    }

    /// Every standard reachable from this one: all dependents, direct and
    /// indirect, without the standard itself. O(V + E).
    ///
    /// ```
    /// let ccss = mastery::Curriculum::ccss_math();
    /// let later = ccss.descendants("3.NF.A.1")?;
    /// assert!(later.contains(ccss.index_of("4.NF.A.1")?));
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`StandardKey::resolve`].
    pub fn descendants(&self, key: impl StandardKey) -> Result<StandardSet> {
        let start = key.resolve(self)?;
        Ok(reach(&self.data.dependents, self.len(), [start]))
    }

    /// Everything needed for a set of goals: the goals and all their
    /// ancestors. O(V + E).
    ///
    /// ```
    /// let ccss = mastery::Curriculum::ccss_math();
    /// let goals = ccss.set_of(["4.NF.A.1"])?;
    /// let needed = ccss.prerequisite_closure(&goals)?;
    /// assert!(needed.contains(ccss.index_of("4.NF.A.1")?));
    /// assert_eq!(needed.len(), ccss.ancestors("4.NF.A.1")?.len() + 1);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`](crate::Error::IndexOutOfRange) if the set
    /// holds an index from a larger curriculum.
    pub fn prerequisite_closure(&self, goals: &StandardSet) -> Result<StandardSet> {
        self.check_set(goals)?;
        let mut closure = reach(&self.data.prerequisites, self.len(), goals.iter());
        closure.union_with(goals);
        Ok(closure)
    }

    /// All standards in an order where every prerequisite comes before its
    /// dependents. Among standards that are ready at the same time, the one
    /// added first comes first, so the order is deterministic. Computed once,
    /// at build time; O(1) here.
    ///
    /// ```
    /// let ccss = mastery::Curriculum::ccss_math();
    /// let order = ccss.topological_order();
    /// assert_eq!(order.len(), ccss.len());
    /// let position = |id: &str| order.iter().position(|&i| ccss[i].id() == id).unwrap();
    /// assert!(position("3.NF.A.1") < position("4.NF.A.1"));
    /// ```
    #[must_use]
    pub fn topological_order(&self) -> &[StandardIdx] {
        &self.data.topological
    }

    /// The standards of `set` in [`Curriculum::topological_order`]: a valid
    /// order to work through them (a scope and sequence). O(n) in the
    /// curriculum's size.
    ///
    /// ```
    /// let ccss = mastery::Curriculum::ccss_math();
    /// let set = ccss.set_of(["4.NF.A.1", "3.NF.A.1", "K.CC.A.1"])?;
    /// let ids: Vec<&str> = ccss.in_order(&set).into_iter().map(|s| ccss[s].id()).collect();
    /// assert_eq!(ids, ["K.CC.A.1", "3.NF.A.1", "4.NF.A.1"]);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    #[must_use]
    pub fn in_order(&self, set: &StandardSet) -> Vec<StandardIdx> {
        self.data
            .topological
            .iter()
            .copied()
            .filter(|&s| set.contains(s))
            .collect()
    }

    /// The number of edges on the longest prerequisite chain ending at this
    /// standard: 0 for a standard without prerequisites. Computed once at
    /// build time; O(1) here.
    ///
    /// ```
    /// let ccss = mastery::Curriculum::ccss_math();
    /// assert_eq!(ccss.depth("K.CC.B.4.a")?, 0);
    /// assert_eq!(ccss.depth("K.CC.B.5")?, 2); // K.CC.B.4.a -> K.CC.B.4.b -> K.CC.B.5
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`StandardKey::resolve`].
    pub fn depth(&self, key: impl StandardKey) -> Result<usize> {
        Ok(self.data.depth[key.resolve(self)?.index()] as usize)
    }

    /// The standards on one longest prerequisite chain, from its first
    /// prerequisite to its last dependent (empty only for an empty
    /// curriculum). O(V + E).
    ///
    /// ```
    /// let ccss = mastery::Curriculum::ccss_math();
    /// let chain = ccss.longest_chain();
    /// assert_eq!(chain.len(), 31);
    /// for pair in chain.windows(2) {
    ///     assert!(ccss.prerequisites(pair[1])?.contains(&pair[0]));
    /// }
    /// # Ok::<(), mastery::Error>(())
    /// ```
    #[must_use]
    pub fn longest_chain(&self) -> Vec<StandardIdx> {
        let Some(mut current) = self
            .indices()
            .max_by_key(|v| (self.data.depth[v.index()], std::cmp::Reverse(*v)))
        else {
            return Vec::new();
        };
        let mut chain = vec![current];
        while self.data.depth[current.index()] > 0 {
            let wanted = self.data.depth[current.index()] - 1;
            // Some prerequisite realizes the depth, by its definition.
            let Some(&previous) = self
                .data
                .prerequisites
                .of(current)
                .iter()
                .find(|p| self.data.depth[p.index()] == wanted)
            else {
                break;
            };
            chain.push(previous);
            current = previous;
        }
        chain.reverse();
        chain
    }

    /// Standards without prerequisites, in index order. O(V).
    #[must_use]
    pub fn sources(&self) -> Vec<StandardIdx> {
        self.indices()
            .filter(|&v| self.data.prerequisites.of(v).is_empty())
            .collect()
    }

    /// Standards that are no standard's prerequisite, in index order. O(V).
    ///
    /// A standard without any edge is both a source and a sink.
    #[must_use]
    pub fn sinks(&self) -> Vec<StandardIdx> {
        self.indices()
            .filter(|&v| self.data.dependents.of(v).is_empty())
            .collect()
    }

    /// The prerequisite edges `(from, to)` implied by a longer path from
    /// `from` to `to`: removing them all leaves the transitive reduction,
    /// which has the same ancestors and descendants. In the order the edges
    /// were added.
    ///
    /// Memory is O(V + E) whatever the shape of the graph (no transitive
    /// closure is built: a 100,000-standard chain takes a few megabytes).
    /// Standards are taken in reverse topological order; for each, its direct
    /// dependents are visited in topological order, and a dependent already
    /// reached through an earlier one is redundant. The search from a
    /// dependent follows only the reduction edges found so far and stops at
    /// standards later in the topological order than the standard's last
    /// direct dependent. Time is O(V + E log E) plus, for each standard, the
    /// reduction edges inside the span of topological positions its
    /// dependents cover: O(V + E) on a chain or a tree, O(V · E) in the
    /// worst case (e.g. O(V²) on a complete DAG, whose reduction is a chain).
    ///
    /// ```
    /// use mastery::Curriculum;
    ///
    /// let c = Curriculum::builder()
    ///     .standard_ids(["A", "B", "C"])?
    ///     .prerequisites([("A", "B"), ("B", "C"), ("A", "C")])
    ///     .build()?;
    /// let redundant: Vec<(&str, &str)> = c
    ///     .redundant_prerequisites()
    ///     .into_iter()
    ///     .map(|(f, t)| (c[f].id(), c[t].id()))
    ///     .collect();
    /// assert_eq!(redundant, [("A", "C")]);
    /// assert_eq!(Curriculum::ccss_math().redundant_prerequisites().len(), 154);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    #[must_use]
    pub fn redundant_prerequisites(&self) -> Vec<(StandardIdx, StandardIdx)> {
        let reduction = self.reduction_edges();
        self.prerequisite_edges()
            .filter(|(f, t)| !reduction.contains(&(f.index() as u32, t.index() as u32)))
            .collect()
    }

    /// The same curriculum without its [redundant
    /// prerequisites](Curriculum::redundant_prerequisites).
    ///
    /// ```
    /// let ccss = mastery::Curriculum::ccss_math();
    /// let reduced = ccss.transitive_reduction();
    /// assert_eq!(reduced.prerequisite_count(), 757 - 154);
    /// assert_eq!(reduced.ancestors("8.EE.C.7")?, ccss.ancestors("8.EE.C.7")?);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    #[must_use]
    pub fn transitive_reduction(&self) -> Curriculum {
        let reduction = self.reduction_edges();
        self.rebuilt(self.indices().map(|v| (v, true)), |f, t| {
            reduction.contains(&(f.index() as u32, t.index() as u32))
        })
    }

    /// The edges of the transitive reduction, as `(from, to)` index pairs;
    /// see [`Curriculum::redundant_prerequisites`] for the algorithm and its cost.
    fn reduction_edges(&self) -> foldhash::HashSet<(u32, u32)> {
        let n = self.len();
        // Position of each standard in the topological order.
        let mut rank = vec![0u32; n];
        for (position, v) in self.data.topological.iter().enumerate() {
            rank[v.index()] = position as u32;
        }
        // The reduction edges out of each standard, filled in reverse
        // topological order, so those of every dependent are known in time.
        let mut kept: Vec<Vec<StandardIdx>> = vec![Vec::new(); n];
        // `stamp[w] == generation` marks `w` as reached from the current standard.
        let mut stamp = vec![0u32; n];
        let mut generation = 0u32;
        let mut direct: Vec<StandardIdx> = Vec::new();
        let mut stack: Vec<StandardIdx> = Vec::new();
        for &v in self.data.topological.iter().rev() {
            direct.clear();
            direct.extend_from_slice(self.data.dependents.of(v));
            if direct.is_empty() {
                continue;
            }
            direct.sort_unstable_by_key(|d| rank[d.index()]);
            // Every edge out of `v` ends at or before `limit`; nothing after it matters.
            let limit = rank[direct[direct.len() - 1].index()];
            generation += 1;
            let mut out = Vec::new();
            for (i, &d) in direct.iter().enumerate() {
                if stamp[d.index()] == generation {
                    continue; // reached through an earlier dependent: redundant
                }
                out.push(d);
                if i + 1 == direct.len() {
                    break; // no later dependent left to rule out
                }
                stamp[d.index()] = generation;
                stack.push(d);
                while let Some(w) = stack.pop() {
                    for &x in &kept[w.index()] {
                        if rank[x.index()] <= limit && stamp[x.index()] != generation {
                            stamp[x.index()] = generation;
                            stack.push(x);
                        }
                    }
                }
            }
            kept[v.index()] = out;
        }
        kept.iter()
            .enumerate()
            .flat_map(|(v, out)| out.iter().map(move |d| (v as u32, d.index() as u32)))
            .collect()
    }

    /// The sub-curriculum of the standards for which `keep` returns `true`,
    /// with the prerequisite edges among them (the induced subgraph).
    /// Standards keep their relative order. O(V + E).
    ///
    /// ```
    /// let ccss = mastery::Curriculum::ccss_math();
    /// let grade3 = ccss.subgraph(|s| s.grade() == Some("3"));
    /// assert_eq!(grade3.len(), 37);
    /// assert!(grade3.standards().iter().all(|s| s.grade() == Some("3")));
    /// ```
    #[must_use]
    pub fn subgraph(&self, mut keep: impl FnMut(&Standard) -> bool) -> Curriculum {
        self.rebuilt(
            self.indices()
                .map(|v| (v, keep(&self.data.standards[v.index()]))),
            |_, _| true,
        )
    }

    /// The sub-curriculum of the standards in `set`, with the prerequisite
    /// edges among them. O(V + E).
    ///
    /// ```
    /// let ccss = mastery::Curriculum::ccss_math();
    /// let goal = ccss.set_of(["4.NF.A.1"])?;
    /// let needed = ccss.induced(&ccss.prerequisite_closure(&goal)?)?;
    /// assert_eq!(needed.sinks().len(), 1); // everything leads to the goal
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`](crate::Error::IndexOutOfRange) if the set
    /// holds an index from a larger curriculum.
    pub fn induced(&self, set: &StandardSet) -> Result<Curriculum> {
        self.check_set(set)?;
        Ok(self.rebuilt(self.indices().map(|v| (v, set.contains(v))), |_, _| true))
    }

    /// Copies the kept standards and the edges between them that pass `keep_edge`.
    fn rebuilt(
        &self,
        keep: impl Iterator<Item = (StandardIdx, bool)>,
        mut keep_edge: impl FnMut(StandardIdx, StandardIdx) -> bool,
    ) -> Curriculum {
        let kept: StandardSet = keep.filter(|&(_, k)| k).map(|(v, _)| v).collect();
        let edges: Vec<(&str, &str)> = self
            .prerequisite_edges()
            .filter(|&(f, t)| kept.contains(f) && kept.contains(t) && keep_edge(f, t))
            .map(|(f, t)| (self[f].id(), self[t].id()))
            .collect();
        Curriculum::builder()
            .standards(kept.iter().map(|v| self.data.standards[v.index()].clone()))
            .prerequisites(edges)
            .build()
            // A subset of a valid DAG's standards and edges is a valid DAG.
            .expect("a subgraph of a curriculum is a curriculum")
    }

    /// The standards ready to learn: not in `mastered`, with every
    /// prerequisite in `mastered` (Knowledge Space Theory's outer fringe,
    /// Doignon & Falmagne 1999). O(V + E).
    ///
    /// A standard without prerequisites is ready until mastered.
    ///
    /// ```
    /// let ccss = mastery::Curriculum::ccss_math();
    /// let mastered = ccss.set_of(["K.CC.B.4.a"])?;
    /// let ready = ccss.ready_to_learn(&mastered)?;
    /// assert!(ready.contains(ccss.index_of("K.CC.B.4.b")?)); // its prerequisite is mastered
    /// assert!(!ready.contains(ccss.index_of("K.CC.B.5")?)); // needs K.CC.B.4.b first
    /// assert!(!ready.contains(ccss.index_of("K.CC.B.4.a")?)); // already mastered
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`](crate::Error::IndexOutOfRange) if the set
    /// holds an index from a larger curriculum.
    pub fn ready_to_learn(&self, mastered: &StandardSet) -> Result<StandardSet> {
        self.check_set(mastered)?;
        let mut ready = self.empty_set();
        for v in self.indices() {
            if !mastered.contains(v)
                && self
                    .data
                    .prerequisites
                    .of(v)
                    .iter()
                    .all(|&p| mastered.contains(p))
            {
                ready.insert(v);
            }
        }
        Ok(ready)
    }

    /// The inner fringe: mastered standards on which no mastered standard
    /// depends, the most advanced things a learner knows (and the first to
    /// re-check when mastery is in doubt). O(V + E).
    ///
    /// ```
    /// let ccss = mastery::Curriculum::ccss_math();
    /// let mastered = ccss.set_of(["K.CC.B.4.a", "K.CC.B.4.b"])?;
    /// let fringe = ccss.inner_fringe(&mastered)?;
    /// assert_eq!(fringe, ccss.set_of(["K.CC.B.4.b"])?);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`](crate::Error::IndexOutOfRange) if the set
    /// holds an index from a larger curriculum.
    pub fn inner_fringe(&self, mastered: &StandardSet) -> Result<StandardSet> {
        self.check_set(mastered)?;
        Ok(mastered
            .iter()
            .filter(|&v| {
                !self
                    .data
                    .dependents
                    .of(v)
                    .iter()
                    .any(|&d| mastered.contains(d))
            })
            .collect())
    }
}

/// Everything reachable from `starts` along `adjacency`, excluding the starts
/// unless one is reachable from another.
fn reach(
    adjacency: &Adjacency,
    n: usize,
    starts: impl IntoIterator<Item = StandardIdx>,
) -> StandardSet {
    let mut seen = StandardSet::with_capacity(n);
    let mut stack: Vec<StandardIdx> = starts.into_iter().collect();
    while let Some(v) = stack.pop() {
        for &next in adjacency.of(v) {
            if seen.insert(next) {
                stack.push(next);
            }
        }
    }
    seen
}
