//! Crosswalks: which standards of one framework match which of another, to
//! carry evidence and mastery across (a district on its state standards using
//! content aligned to Common Core).

use std::io::Read;

use foldhash::{HashMap, HashSet};

use super::case::{CaseFramework, LinkKind, NodeRef};
use super::{Curriculum, StandardIdx, StandardKey, StandardSet};
use crate::error::{Error, Location, Result};
use crate::io::{Input, Record, header, open, required};

/// Matches between the standards of two curricula, `from` and `to`.
///
/// A match says two standards are the same objective (CASE `exactMatchOf`).
/// A standard may match several; a standard without any match is
/// [unmatched](Crosswalk::unmatched_from) and gets nothing carried over:
/// the crosswalk never guesses. Evidence is mapped with
/// [`Crosswalk::map_evidence`].
///
/// ```
/// use mastery::curriculum::Crosswalk;
/// use mastery::Curriculum;
///
/// let state = Curriculum::builder().standard_ids(["ST.3.F.1", "ST.3.F.2", "ST.3.X"])?.build()?;
/// let ccss = Curriculum::ccss_math();
/// let walk = Crosswalk::new(&state, &ccss, [("ST.3.F.1", "3.NF.A.1"), ("ST.3.F.2", "3.NF.A.2")])?;
/// assert_eq!(walk.matches("ST.3.F.1")?, [ccss.index_of("3.NF.A.1")?]);
/// let unmatched: Vec<&str> = walk.unmatched_from().iter().map(|&i| state[i].id()).collect();
/// assert_eq!(unmatched, ["ST.3.X"]);
///
/// // Mastery carried over: the matched Common Core standards get the state's
/// // estimates, the others none.
/// let carried = walk.map_mastery(&[0.9, 0.4, 0.7])?;
/// assert_eq!(carried[ccss.index_of("3.NF.A.1")?.index()], Some(0.9));
/// assert_eq!(carried[ccss.index_of("4.NF.A.1")?.index()], None);
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Crosswalk {
    from: Curriculum,
    to: Curriculum,
    forward: Vec<Vec<StandardIdx>>,
    backward: Vec<Vec<StandardIdx>>,
    /// The matched pairs, so that a pair listed again is found in O(1).
    pairs: HashSet<(StandardIdx, StandardIdx)>,
}

impl Crosswalk {
    fn empty(from: &Curriculum, to: &Curriculum) -> Self {
        Crosswalk {
            from: from.clone(),
            to: to.clone(),
            forward: vec![Vec::new(); from.len()],
            backward: vec![Vec::new(); to.len()],
            pairs: HashSet::default(),
        }
    }

    fn add(&mut self, f: StandardIdx, t: StandardIdx) {
        if self.pairs.insert((f, t)) {
            self.forward[f.index()].push(t);
            self.backward[t.index()].push(f);
        }
    }

    fn resolve(curriculum: &Curriculum, id: &str, at: &Location) -> Result<StandardIdx> {
        curriculum.index_of(id).map_err(|_| Error::UnknownStandard {
            id: crate::curriculum::shown_id(id),
            at: at.clone(),
        })
    }

    /// A crosswalk from `(from id, to id)` pairs; a pair listed twice counts once.
    ///
    /// # Errors
    /// [`Error::UnknownStandard`] for an id that is not in its curriculum.
    pub fn new<A: AsRef<str>, B: AsRef<str>>(
        from: &Curriculum,
        to: &Curriculum,
        pairs: impl IntoIterator<Item = (A, B)>,
    ) -> Result<Self> {
        let mut walk = Crosswalk::empty(from, to);
        for (a, b) in pairs {
            let f = Self::resolve(from, a.as_ref(), &Location::NONE)?;
            let t = Self::resolve(to, b.as_ref(), &Location::NONE)?;
            walk.add(f, t);
        }
        Ok(walk)
    }

    /// A crosswalk from a CSV file of pairs, with the columns `from_column`
    /// and `to_column` (other columns are ignored).
    ///
    /// ```
    /// use mastery::curriculum::Crosswalk;
    /// use mastery::Curriculum;
    ///
    /// let state = Curriculum::builder().standard_ids(["ST.1"])?.build()?;
    /// let csv = "state,ccss\nST.1,3.NF.A.1\nST.2,3.NF.A.2\n";
    /// let err = Crosswalk::from_reader("pairs.csv", csv.as_bytes(), &state, &Curriculum::ccss_math(), "state", "ccss")
    ///     .unwrap_err();
    /// assert_eq!(err.to_string(), "pairs.csv:3: unknown standard `ST.2`");
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// The CSV errors of the other readers ([`Error::MissingColumn`],
    /// [`Error::Csv`], ...), and [`Error::UnknownStandard`] with file and line
    /// for an id that is not in its curriculum.
    pub fn from_reader(
        name: &str,
        reader: impl Read,
        from: &Curriculum,
        to: &Curriculum,
        from_column: &str,
        to_column: &str,
    ) -> Result<Self> {
        let (file, mut csv) = open(Input::Reader(name.into(), Box::new(reader)))?;
        let header = header(&file, &mut csv)?;
        let (a, b) = (
            required(&file, &header, from_column)?,
            required(&file, &header, to_column)?,
        );
        let mut walk = Crosswalk::empty(from, to);
        let mut record = Record::default();
        while csv.read_record(&mut record)? {
            let at = Location::new(Some(file.clone()), Some(record.line()));
            let (Some(x), Some(y)) = (record.get(a), record.get(b)) else {
                return Err(Error::Csv {
                    at,
                    message: format!("expected the columns `{from_column}` and `{to_column}`"),
                });
            };
            let f = Self::resolve(from, x, &at)?;
            let t = Self::resolve(to, y, &at)?;
            walk.add(f, t);
        }
        Ok(walk)
    }

    /// A crosswalk from the `exactMatchOf` links of two CASE packages: a link
    /// in either package between a standard of one and a standard of the
    /// other (matched by identifier, else by URI). `isRelatedTo` links are
    /// not matches and are not used.
    ///
    /// # Errors
    /// None today; the `Result` leaves room for stricter checks.
    pub fn from_case_links(from: &CaseFramework, to: &CaseFramework) -> Result<Self> {
        let mut walk = Crosswalk::empty(from.curriculum(), to.curriculum());
        // Standards by URI, built once per framework.
        let by_uri = |framework: &CaseFramework| -> HashMap<String, StandardIdx> {
            let mut map = HashMap::default();
            for n in framework.hierarchy().nodes() {
                if let (Some(uri), Some(s)) = (n.uri(), n.standard()) {
                    map.entry(uri.to_owned()).or_insert(s);
                }
            }
            map
        };
        let (from_uris, to_uris) = (by_uri(from), by_uri(to));
        let find =
            |framework: &CaseFramework, uris: &HashMap<String, StandardIdx>, node: &NodeRef| {
                let h = framework.hierarchy();
                match h.position_of_identifier(&node.identifier) {
                    Some(i) => h.nodes().get(i).and_then(|n| n.standard()),
                    None => node.uri.as_deref().and_then(|uri| uris.get(uri).copied()),
                }
            };
        for link in from
            .links()
            .iter()
            .filter(|l| l.kind == LinkKind::ExactMatch)
        {
            if let (Some(f), Some(t)) =
                (link.origin_standard, find(to, &to_uris, &link.destination))
            {
                walk.add(f, t);
            }
            if let (Some(f), Some(t)) =
                (link.destination_standard, find(to, &to_uris, &link.origin))
            {
                walk.add(f, t);
            }
        }
        for link in to.links().iter().filter(|l| l.kind == LinkKind::ExactMatch) {
            if let (Some(t), Some(f)) = (
                link.origin_standard,
                find(from, &from_uris, &link.destination),
            ) {
                walk.add(f, t);
            }
            if let (Some(t), Some(f)) = (
                link.destination_standard,
                find(from, &from_uris, &link.origin),
            ) {
                walk.add(f, t);
            }
        }
        Ok(walk)
    }

    /// The curriculum mapped from.
    #[must_use]
    pub fn from(&self) -> &Curriculum {
        &self.from
    }

    /// The curriculum mapped to.
    #[must_use]
    pub fn to(&self) -> &Curriculum {
        &self.to
    }

    /// The same matches, from `to` to `from`.
    #[must_use]
    pub fn reversed(&self) -> Crosswalk {
        Crosswalk {
            from: self.to.clone(),
            to: self.from.clone(),
            forward: self.backward.clone(),
            backward: self.forward.clone(),
            pairs: self.pairs.iter().map(|&(f, t)| (t, f)).collect(),
        }
    }

    /// The number of matched pairs.
    #[must_use]
    pub fn len(&self) -> usize {
        self.forward.iter().map(Vec::len).sum()
    }

    /// Whether nothing matches.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The standards of `to` that a standard of `from` matches (empty if none).
    ///
    /// # Errors
    /// As [`StandardKey::resolve`] on `from`.
    pub fn matches(&self, from_standard: impl StandardKey) -> Result<&[StandardIdx]> {
        let f = from_standard.resolve(&self.from)?;
        Ok(&self.forward[f.index()])
    }

    /// The standards of `from` that match nothing, in index order.
    #[must_use]
    pub fn unmatched_from(&self) -> Vec<StandardIdx> {
        self.from
            .indices()
            .filter(|f| self.forward[f.index()].is_empty())
            .collect()
    }

    /// The standards of `to` that nothing matches, in index order.
    #[must_use]
    pub fn unmatched_to(&self) -> Vec<StandardIdx> {
        self.to
            .indices()
            .filter(|t| self.backward[t.index()].is_empty())
            .collect()
    }

    /// Mastery estimates of `from` (one per standard, e.g. from
    /// [`LearnerState::all_mastery_at`](crate::LearnerState::all_mastery_at))
    /// carried to `to`: each matched standard gets the lowest estimate of the
    /// standards matching it (all of them must be mastered for it to be);
    /// unmatched ones get `None`.
    ///
    /// # Errors
    /// [`Error::SizeMismatch`] unless there is one value per standard of `from`.
    pub fn map_mastery(&self, from_mastery: &[f64]) -> Result<Vec<Option<f64>>> {
        if from_mastery.len() != self.from.len() {
            return Err(Error::SizeMismatch {
                what: "mastery values to carry over a crosswalk (one per standard)",
                expected: self.from.len(),
                found: from_mastery.len(),
            });
        }
        Ok(self
            .backward
            .iter()
            .map(|sources| {
                sources
                    .iter()
                    .map(|f| from_mastery[f.index()])
                    .reduce(f64::min)
            })
            .collect())
    }

    /// A set of `from` standards (e.g. the mastered ones) carried to `to`: a
    /// standard of `to` is in it when every standard matching it is, and at
    /// least one does.
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for a set of another curriculum.
    pub fn map_set(&self, set: &StandardSet) -> Result<StandardSet> {
        self.from.check_set(set)?;
        let mut out = self.to.empty_set();
        for t in self.to.indices() {
            let sources = &self.backward[t.index()];
            if !sources.is_empty() && sources.iter().all(|&f| set.contains(f)) {
                out.insert(t);
            }
        }
        Ok(out)
    }
}
