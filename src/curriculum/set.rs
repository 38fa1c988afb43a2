//! A compact set of standards.

use std::fmt;

use fixedbitset::FixedBitSet;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::StandardIdx;

/// A set of standards of one curriculum, stored as a bit set (one bit per
/// standard): membership tests are O(1) and a full set of the 480 Common Core
/// math standards takes 64 bytes.
///
/// Queries such as [`Curriculum::ready_to_learn`](crate::Curriculum::ready_to_learn)
/// take and return sets. Build one from ids with
/// [`Curriculum::set_of`](crate::Curriculum::set_of), or collect indices.
///
/// ```
/// use mastery::{Curriculum, StandardSet};
///
/// let ccss = Curriculum::ccss_math();
/// let mut known = ccss.set_of(["K.CC.A.1", "K.CC.A.2"])?;
/// assert_eq!(known.len(), 2);
/// assert!(known.insert(ccss.index_of("K.CC.A.3")?));
/// assert!(known.contains(ccss.index_of("K.CC.A.1")?));
/// let ids: Vec<&str> = known.iter().map(|i| ccss[i].id()).collect();
/// assert_eq!(ids, ["K.CC.A.1", "K.CC.A.2", "K.CC.A.3"]);
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct StandardSet {
    bits: FixedBitSet,
}

impl StandardSet {
    /// An empty set.
    #[must_use]
    pub fn new() -> Self {
        StandardSet::default()
    }

    /// An empty set with room for standards `0..capacity` without reallocating.
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        StandardSet {
            bits: FixedBitSet::with_capacity(capacity),
        }
    }

    /// Adds a standard; returns `true` if it was not in the set.
    pub fn insert(&mut self, standard: StandardIdx) -> bool {
        let i = standard.index();
        if i >= self.bits.len() {
            self.bits.grow(i + 1);
        }
        !self.bits.put(i)
    }

    /// Removes a standard; returns `true` if it was in the set.
    pub fn remove(&mut self, standard: StandardIdx) -> bool {
        let i = standard.index();
        let was = self.bits.contains(i);
        if was {
            self.bits.set(i, false);
        }
        was
    }

    /// Whether the standard is in the set.
    #[must_use]
    #[inline]
    pub fn contains(&self, standard: StandardIdx) -> bool {
        self.bits.contains(standard.index())
    }

    /// The number of standards in the set.
    #[must_use]
    pub fn len(&self) -> usize {
        self.bits.count_ones(..)
    }

    /// Whether the set is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.bits.is_clear()
    }

    /// The standards in ascending index order.
    pub fn iter(&self) -> impl Iterator<Item = StandardIdx> + '_ {
        // A set only ever holds indices that came from a `StandardIdx`, so they fit in u32.
        self.bits.ones().map(|i| StandardIdx(i as u32))
    }

    /// Adds every standard of `other`.
    pub fn union_with(&mut self, other: &StandardSet) {
        self.bits.union_with(&other.bits);
    }

    /// Keeps only the standards also in `other`.
    pub fn intersect_with(&mut self, other: &StandardSet) {
        self.bits.intersect_with(&other.bits);
    }

    /// Removes every standard of `other`.
    pub fn difference_with(&mut self, other: &StandardSet) {
        self.bits.difference_with(&other.bits);
    }

    /// Whether every standard of `self` is in `other`.
    #[must_use]
    pub fn is_subset(&self, other: &StandardSet) -> bool {
        self.bits.is_subset(&other.bits)
    }

    /// The largest index in the set, if any (to check it against a curriculum's size).
    #[must_use]
    pub fn max(&self) -> Option<StandardIdx> {
        self.bits.maximum().map(|i| StandardIdx(i as u32))
    }
}

impl PartialEq for StandardSet {
    fn eq(&self, other: &Self) -> bool {
        // Capacity is not part of the value: compare members only.
        self.bits.ones().eq(other.bits.ones())
    }
}

impl Eq for StandardSet {}

impl fmt::Debug for StandardSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter().map(|i| i.0)).finish()
    }
}

impl FromIterator<StandardIdx> for StandardSet {
    fn from_iter<I: IntoIterator<Item = StandardIdx>>(iter: I) -> Self {
        let mut set = StandardSet::new();
        set.extend(iter);
        set
    }
}

impl Extend<StandardIdx> for StandardSet {
    fn extend<I: IntoIterator<Item = StandardIdx>>(&mut self, iter: I) {
        for i in iter {
            self.insert(i);
        }
    }
}

/// Serialized as the ascending list of indices.
impl Serialize for StandardSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// Deserialized from a list of indices, each below
/// [`MAX_STANDARDS`](crate::MAX_STANDARDS) (a larger one is an error, before
/// anything is allocated for it): a set read from untrusted input takes at
/// most 128 KiB. Whether the indices fit a given curriculum is checked where
/// the set is used with it ([`Error::IndexOutOfRange`](crate::Error::IndexOutOfRange)).
impl<'de> Deserialize<'de> for StandardSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let indices = Vec::<StandardIdx>::deserialize(deserializer)?;
        Ok(indices.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_remove_contains() {
        let mut s = StandardSet::new();
        assert!(s.insert(StandardIdx(70)));
        assert!(!s.insert(StandardIdx(70)));
        assert!(s.insert(StandardIdx(3)));
        assert_eq!(s.len(), 2);
        assert!(s.contains(StandardIdx(3)));
        assert!(!s.contains(StandardIdx(4)));
        assert!(!s.contains(StandardIdx(10_000)));
        assert!(s.remove(StandardIdx(3)));
        assert!(!s.remove(StandardIdx(3)));
        assert!(!s.remove(StandardIdx(10_000)));
        assert_eq!(s.iter().collect::<Vec<_>>(), [StandardIdx(70)]);
        assert_eq!(s.max(), Some(StandardIdx(70)));
    }

    #[test]
    fn equality_ignores_capacity() {
        let mut a = StandardSet::with_capacity(1000);
        a.insert(StandardIdx(1));
        let b: StandardSet = [StandardIdx(1)].into_iter().collect();
        assert_eq!(a, b);
    }

    /// Issue 19.1: 13 bytes of JSON used to allocate a 512 MiB bit set.
    #[test]
    fn deserializing_an_index_beyond_the_cap_fails_before_allocating() {
        for json in ["[4294967295]", "[1048576]", "[3, 1048576]"] {
            let err = serde_json::from_str::<StandardSet>(json).unwrap_err();
            assert!(
                err.to_string()
                    .contains("is not below the limit of 1048576 standards"),
                "{json}: {err}"
            );
        }
        let largest: StandardSet = serde_json::from_str("[1048575]").unwrap();
        assert_eq!(largest.max(), StandardIdx::new(crate::MAX_STANDARDS - 1));
        assert!(largest.bits.len() <= crate::MAX_STANDARDS);
        assert_eq!(StandardIdx::new(crate::MAX_STANDARDS), None);
    }

    #[test]
    fn serde_round_trip() {
        let s: StandardSet = [5, 1, 9].into_iter().map(StandardIdx).collect();
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, "[1,5,9]");
        let back: StandardSet = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
    }
}
