//! Mapping fitted skills onto standards.
//!
//! A response log names *skills* (ASSISTments' `Absolute Value`, a platform's
//! item tags); a model has *standards*. [`SkillMap`] says which standards each
//! skill's fitted parameters stand for; [`ModelBuilder::mapped_skill_params`](super::ModelBuilder::mapped_skill_params)
//! applies it.

use std::collections::BTreeMap;

use super::{BktParams, SkillParams};
use crate::curriculum::{Curriculum, StandardIdx};
use crate::error::{Error, Result};

/// Parameters per standard (index order) and the ignored skills (sorted).
type Resolved = (Vec<(StandardIdx, BktParams)>, Vec<String>);

/// Which standards each fitted skill stands for.
///
/// - A skill with an entry maps to the standards of its entry (one skill may
///   stand for several standards: each gets the skill's parameters).
/// - A skill without an entry whose name is a standard id maps to that
///   standard (so a log whose skills are standard ids needs no map).
/// - Any other skill is *unmatched*: building the model fails with
///   [`Error::UnmatchedSkills`] naming every one of them, unless
///   [`SkillMap::ignore_unmatched`] is set, in which case the model lists them
///   in [`Model::ignored_skills`](super::Model::ignored_skills). They are never
///   dropped silently.
///
/// When several skills map to one standard, the standard gets the **mean of
/// each parameter** (prior, learn, forget, guess, slip) over those skills.
/// The mean of valid parameters is valid (every constraint is linear), and it
/// does not depend on the order of the skills.
///
/// ```
/// use mastery::model::{SkillMap, SkillParams};
/// use mastery::{Curriculum, Error, Model};
///
/// let json = r#"{"params": {
///     "Absolute Value": {"prior": 0.6, "learn": 0.2, "guess": 0.2, "slip": 0.1},
///     "Ordering Integers": {"prior": 0.4, "learn": 0.1, "guess": 0.2, "slip": 0.1},
///     "6.NS.C.5": {"prior": 0.3, "learn": 0.1, "guess": 0.2, "slip": 0.1},
///     "Venn Diagram": {"prior": 0.5, "learn": 0.1, "guess": 0.2, "slip": 0.1}
/// }}"#;
/// let fitted = SkillParams::from_json(json)?;
/// let ccss = Curriculum::ccss_math();
///
/// // Without a map, every skill that is not a standard id is reported at once.
/// match Model::builder(ccss.clone()).skill_params(&fitted).build() {
///     Err(Error::UnmatchedSkills { skills, .. }) => {
///         assert_eq!(skills, ["Absolute Value", "Ordering Integers", "Venn Diagram"]);
///     }
///     other => panic!("expected unmatched skills, got {other:?}"),
/// }
///
/// let map = SkillMap::new()
///     .skill("Absolute Value", ["6.NS.C.7.c", "6.NS.C.7.d"]) // one skill, two standards
///     .skill("Ordering Integers", ["6.NS.C.7.c"]) // two skills, one standard: the mean
///     .ignore_unmatched();
/// let model = Model::builder(ccss).mapped_skill_params(&fitted, &map).build()?;
/// assert!((model.params("6.NS.C.7.c")?.prior() - 0.5).abs() < 1e-12);
/// assert_eq!(model.params("6.NS.C.7.d")?.prior(), 0.6);
/// assert_eq!(model.params("6.NS.C.5")?.prior(), 0.3); // named like a standard
/// assert_eq!(model.ignored_skills(), ["Venn Diagram"]);
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct SkillMap {
    standards: BTreeMap<String, Vec<String>>,
    ignore_unmatched: bool,
}

impl SkillMap {
    /// An empty map: skills named like standards map to them, others are unmatched.
    pub fn new() -> Self {
        SkillMap::default()
    }

    /// Maps `skill` to `standards` (added to any standards it already maps to).
    pub fn skill<S: Into<String>>(
        mut self,
        skill: impl Into<String>,
        standards: impl IntoIterator<Item = S>,
    ) -> Self {
        self.standards
            .entry(skill.into())
            .or_default()
            .extend(standards.into_iter().map(Into::into));
        self
    }

    /// Skills that map to no standard are listed in
    /// [`Model::ignored_skills`](super::Model::ignored_skills) instead of
    /// failing the build.
    pub fn ignore_unmatched(mut self) -> Self {
        self.ignore_unmatched = true;
        self
    }

    /// The standards `skill` is mapped to explicitly (empty if none).
    #[must_use]
    pub fn standards_of(&self, skill: &str) -> &[String] {
        self.standards.get(skill).map_or(&[], Vec::as_slice)
    }

    /// Resolves `params` against `curriculum`: the (mean) parameters per
    /// standard, in index order, and the unmatched skills (sorted) when they
    /// are ignored.
    ///
    /// # Errors
    /// [`Error::UnmatchedSkills`] naming every unmatched skill (unless
    /// ignored) and every mapping to a standard the curriculum does not have.
    pub(crate) fn resolve(
        &self,
        params: &SkillParams,
        curriculum: &Curriculum,
    ) -> Result<Resolved> {
        let mut unmatched = Vec::new();
        let mut unknown = Vec::new();
        let mut sums: BTreeMap<StandardIdx, ([f64; 5], f64)> = BTreeMap::new();
        for (skill, p) in &params.params {
            let targets: Vec<&str> = match self.standards.get(skill) {
                Some(list) => list.iter().map(String::as_str).collect(),
                None if curriculum.contains(skill) => vec![skill.as_str()],
                None => {
                    unmatched.push(skill.clone());
                    continue;
                }
            };
            let mut seen = Vec::with_capacity(targets.len());
            for standard in targets {
                let Ok(idx) = curriculum.index_of(standard) else {
                    unknown.push((skill.clone(), standard.to_owned()));
                    continue;
                };
                if seen.contains(&idx) {
                    continue; // listed twice for one skill: counts once
                }
                seen.push(idx);
                let (sum, n) = sums.entry(idx).or_insert(([0.0; 5], 0.0));
                for (s, v) in
                    sum.iter_mut()
                        .zip([p.prior(), p.learn(), p.forget(), p.guess(), p.slip()])
                {
                    *s += v;
                }
                *n += 1.0;
            }
        }
        if !unknown.is_empty() || (!unmatched.is_empty() && !self.ignore_unmatched) {
            return Err(Error::UnmatchedSkills {
                skills: if self.ignore_unmatched {
                    Vec::new()
                } else {
                    unmatched
                },
                unknown_standards: unknown,
            });
        }
        let mut out = Vec::with_capacity(sums.len());
        for (idx, (sum, n)) in sums {
            let [prior, learn, forget, guess, slip] = sum.map(|s| s / n);
            // A mean of valid parameters is valid up to rounding; keep the
            // rounding from tipping a sum over its bound.
            let p = BktParams::new(prior, learn, forget.min(1.0 - learn), guess, slip)?;
            out.push((idx, p));
        }
        Ok((out, unmatched))
    }
}
