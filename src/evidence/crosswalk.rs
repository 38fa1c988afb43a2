//! Evidence carried across a [`Crosswalk`] from one framework to another.

use serde::Serialize;

use crate::curriculum::Crosswalk;
use crate::evidence::{Evidence, Target};

/// Evidence mapped across a crosswalk, and what could not be.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct MappedEvidence {
    /// The mapped evidence in input order; evidence on a standard that
    /// matches several gives one piece per match.
    pub evidence: Vec<Evidence>,
    /// `(position in the input, why)` for evidence that maps to nothing.
    pub unmatched: Vec<(usize, String)>,
}

impl Crosswalk {
    /// Evidence on standards of [`from`](Crosswalk::from) as evidence on the
    /// matching standards of [`to`](Crosswalk::to). Evidence on an unmatched
    /// standard, on a standard `from` does not have, or on a catalog activity
    /// (map it to its standards first) is listed in
    /// [`MappedEvidence::unmatched`], never guessed.
    ///
    /// ```
    /// use mastery::curriculum::Crosswalk;
    /// use mastery::{Curriculum, Evidence, Outcome};
    ///
    /// let state = Curriculum::builder().standard_ids(["ST.1", "ST.2"])?.build()?;
    /// let walk = Crosswalk::new(&state, &Curriculum::ccss_math(), [("ST.1", "3.NF.A.1")])?;
    /// let log = [
    ///     Evidence::on_standard("ada", "ST.1", Outcome::Correct, 1_700_000_000)?,
    ///     Evidence::on_standard("ada", "ST.2", Outcome::Correct, 1_700_000_060)?,
    /// ];
    /// let mapped = walk.map_evidence(&log);
    /// assert_eq!(mapped.evidence[0].target(), &mastery::Target::Standard("3.NF.A.1".into()));
    /// assert_eq!(mapped.unmatched, [(1, "standard `ST.2` matches no standard".to_string())]);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    #[must_use]
    pub fn map_evidence(&self, evidence: &[Evidence]) -> MappedEvidence {
        let mut out = MappedEvidence::default();
        for (i, e) in evidence.iter().enumerate() {
            let id = match e.target() {
                Target::Standard(id) => id,
                Target::Activity(id) => {
                    let shown = crate::curriculum::shown_id(id);
                    out.unmatched
                        .push((i, format!("activity `{shown}`: map it to standards first")));
                    continue;
                }
            };
            let Ok(matches) = self.matches(id.as_str()) else {
                let shown = crate::curriculum::shown_id(id);
                out.unmatched.push((
                    i,
                    format!("`{shown}` is not a standard of the source framework"),
                ));
                continue;
            };
            if matches.is_empty() {
                let shown = crate::curriculum::shown_id(id);
                out.unmatched
                    .push((i, format!("standard `{shown}` matches no standard")));
            }
            for &t in matches {
                let target = Target::Standard(self.to()[t].id().to_owned());
                // The learner and time were valid for `e`; the target is a
                // standard id of a built curriculum, so this cannot fail.
                if let Ok(mapped) = Evidence::new(e.learner(), target, e.outcome(), e.timestamp()) {
                    out.evidence.push(mapped.with_source(e.source()));
                }
            }
        }
        out
    }
}
