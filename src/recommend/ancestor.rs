//! Remediation's graph work: the weakest ready ancestor of every standard.

use crate::curriculum::{Curriculum, StandardIdx, StandardSet};

/// For every standard, its weakest ancestor that is ready to learn (lowest
/// mastery, then lowest index), computed lazily on first use for all
/// standards at once by one pass in topological order: O(V + E), instead of
/// one ancestor search per wheel-spinning standard (O(V * E) when a learner
/// is stuck on every standard).
pub(super) struct WeakestReadyAncestor<'a> {
    curriculum: &'a Curriculum,
    ready: &'a StandardSet,
    mastery: &'a [f64],
    best: std::cell::OnceCell<Vec<Option<StandardIdx>>>,
}

impl<'a> WeakestReadyAncestor<'a> {
    pub(super) fn new(
        curriculum: &'a Curriculum,
        ready: &'a StandardSet,
        mastery: &'a [f64],
    ) -> Self {
        WeakestReadyAncestor {
            curriculum,
            ready,
            mastery,
            best: std::cell::OnceCell::new(),
        }
    }

    /// The order of "weaker": lower mastery, then lower index (a total order).
    fn weaker(&self, a: StandardIdx, b: StandardIdx) -> bool {
        self.mastery[a.index()]
            .total_cmp(&self.mastery[b.index()])
            .then(a.cmp(&b))
            .is_lt()
    }

    /// The weakest ancestor of `s` that is ready to learn, if any.
    pub(super) fn of(&self, s: StandardIdx) -> Option<StandardIdx> {
        let best = self.best.get_or_init(|| {
            // The minimum over the ancestors of `v` is the minimum over its
            // prerequisites `p` of `p` itself (if ready) and of the minimum
            // over `p`'s ancestors; overlapping paths do not matter to a minimum.
            let mut best: Vec<Option<StandardIdx>> = vec![None; self.curriculum.len()];
            for &v in self.curriculum.topological_order() {
                let mut here: Option<StandardIdx> = None;
                for &p in self.curriculum.prerequisites(v).unwrap_or_default() {
                    let from_p = best[p.index()];
                    let own = self.ready.contains(p).then_some(p);
                    for c in [own, from_p].into_iter().flatten() {
                        if here.is_none_or(|h| self.weaker(c, h)) {
                            here = Some(c);
                        }
                    }
                }
                best[v.index()] = here;
            }
            best
        });
        best[s.index()]
    }
}
