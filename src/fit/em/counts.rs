//! Expected counts: the E-step's sums over sequences, mergeable across
//! shards, and the M-step that turns them into parameters.

use serde::{Deserialize, Serialize};

use super::*;
use crate::error::{Error, Result};

/// Expected counts of one E-step over some sequences of one skill; sums, so
/// shards merge by addition.
///
/// ```
/// use mastery::fit::{Dataset, DatasetOptions, ExpectedCounts, HmmParams};
///
/// let csv = "order_id,user_id,skill_name,correct\n1,a,S,0\n2,a,S,1\n3,b,S,1\n4,c,S,0\n5,c,S,1\n";
/// let (data, _) = Dataset::from_reader("log.csv", csv.as_bytes(), &DatasetOptions::default())?;
/// let skill = &data.skills()[0];
/// let params = HmmParams { prior: 0.3, learn: 0.2, forget: 0.0, guess: vec![0.2], slip: vec![0.1] };
/// // Two shards (learner a and b, then c) merge to the whole.
/// let mut shards = ExpectedCounts::compute(skill, &params, 0..2)?;
/// shards.merge(&ExpectedCounts::compute(skill, &params, 2..3)?);
/// let whole = ExpectedCounts::compute(skill, &params, 0..3)?;
/// assert!(ExpectedCounts::compute(skill, &params, 0..4).is_err());
/// assert!((shards.log_likelihood - whole.log_likelihood).abs() < 1e-12);
/// assert!((shards.learned - whole.learned).abs() < 1e-12);
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExpectedCounts {
    /// Log-likelihood of the responses under the parameters (natural log).
    pub log_likelihood: f64,
    /// Number of sequences.
    pub sequences: f64,
    /// Expected number of sequences starting in "known".
    pub initial_known: f64,
    /// Expected time steps in "not known" that have a next step.
    pub unknown_with_next: f64,
    /// Expected transitions "not known" -> "known".
    pub learned: f64,
    /// Expected time steps in "known" that have a next step.
    pub known_with_next: f64,
    /// Expected transitions "known" -> "not known".
    pub forgot: f64,
    /// Per item: expected responses while not known, of them correct, while
    /// known, of them incorrect.
    pub items: Vec<[f64; 4]>,
}

impl ExpectedCounts {
    /// Adds another shard's counts (same skill, same parameters).
    pub fn merge(&mut self, other: &ExpectedCounts) {
        self.log_likelihood += other.log_likelihood;
        self.sequences += other.sequences;
        self.initial_known += other.initial_known;
        self.unknown_with_next += other.unknown_with_next;
        self.learned += other.learned;
        self.known_with_next += other.known_with_next;
        self.forgot += other.forgot;
        if self.items.len() < other.items.len() {
            self.items.resize(other.items.len(), [0.0; 4]);
        }
        for (a, b) in self.items.iter_mut().zip(&other.items) {
            for k in 0..4 {
                a[k] += b[k];
            }
        }
    }

    /// The E-step over sequences `range` of `skill` with `params`.
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] if `range` exceeds the skill's sequences;
    /// [`Error::SizeMismatch`] if `params` has a different number of items
    /// than the skill.
    pub fn compute(
        skill: &SkillData,
        params: &HmmParams,
        range: std::ops::Range<usize>,
    ) -> Result<ExpectedCounts> {
        if range.end > skill.sequence_count() || range.start > range.end {
            return Err(Error::IndexOutOfRange {
                index: range.end,
                len: skill.sequence_count(),
            });
        }
        for (what, found) in [("guess", params.guess.len()), ("slip", params.slip.len())] {
            if found != skill.items().len() {
                return Err(Error::SizeMismatch {
                    what: if what == "guess" {
                        "guess per item"
                    } else {
                        "slip per item"
                    },
                    expected: skill.items().len(),
                    found,
                });
            }
        }
        Ok(Self::compute_unchecked(skill, params, range, &[]))
    }

    /// The E-step over blocks `range` of `blocks` (see [`SequenceBlocks`]):
    /// the same counts as [`ExpectedCounts::compute`] over the blocks'
    /// sequences, to rounding, several times faster.
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] if `range` exceeds the blocks;
    /// [`Error::SizeMismatch`] unless `params` has one guess and one slip.
    pub(crate) fn compute_blocks(
        blocks: &SequenceBlocks,
        params: &HmmParams,
        range: std::ops::Range<usize>,
    ) -> Result<ExpectedCounts> {
        if range.end > blocks.len() || range.start > range.end {
            return Err(Error::IndexOutOfRange {
                index: range.end,
                len: blocks.len(),
            });
        }
        for (what, found) in [
            ("guess per item", params.guess.len()),
            ("slip per item", params.slip.len()),
        ] {
            if found != 1 {
                return Err(Error::SizeMismatch {
                    what,
                    expected: 1,
                    found,
                });
            }
        }
        Ok(blocks.e_step(params, range))
    }

    /// The E-step without checks. `multiplicity[s]` is how often sequence
    /// `s` counts (empty: each once); only one item per skill takes it.
    pub(crate) fn compute_unchecked(
        skill: &SkillData,
        params: &HmmParams,
        range: std::ops::Range<usize>,
        multiplicity: &[u32],
    ) -> ExpectedCounts {
        let mut counts = ExpectedCounts {
            items: vec![[0.0; 4]; params.guess.len()],
            ..ExpectedCounts::default()
        };
        let model = Emissions::new(params);
        if model.by_item.len() == 1 {
            let (mut fa, mut fb) = (Vec::new(), Vec::new());
            let mut single = SingleItem::new();
            let weight = |s: usize| multiplicity.get(s).copied().unwrap_or(1);
            let mut pending = range.clone();
            while let (Some(a), Some(b)) = (pending.next(), pending.next()) {
                single.add_pair(
                    [skill.sequence(a), skill.sequence(b)],
                    [weight(a), weight(b)],
                    &model,
                    &mut fa,
                    &mut fb,
                );
            }
            if range.len() % 2 == 1 {
                let last = range.end - 1;
                single.add(skill.sequence(last), weight(last), &model, &mut fa);
            }
            single.finish(&mut counts);
            return counts;
        }
        debug_assert!(multiplicity.is_empty(), "weights need one item");
        let mut scratch = Vec::new();
        for s in range {
            forward_backward(
                skill.sequence(s),
                skill.sequence_items(s),
                &model,
                &mut scratch,
                &mut counts,
            );
        }
        counts
    }

    /// The M-step: each parameter's expected frequency, within `bounds`
    /// (each item's guess and slip maximized jointly under their coupling).
    /// Parameters without evidence (e.g. learn for a skill where every
    /// learner answered once) keep their value from `previous`.
    #[must_use]
    pub fn maximize(&self, previous: &HmmParams, forgets: bool, bounds: &Bounds) -> HmmParams {
        let ratio = |num: f64, den: f64, keep: f64| if den > 1e-12 { num / den } else { keep };
        let mut next = HmmParams {
            prior: ratio(self.initial_known, self.sequences, previous.prior),
            learn: ratio(self.learned, self.unknown_with_next, previous.learn),
            forget: if forgets {
                ratio(self.forgot, self.known_with_next, previous.forget)
            } else {
                0.0
            },
            guess: Vec::with_capacity(self.items.len()),
            slip: Vec::with_capacity(self.items.len()),
        };
        bounds.clamp_ranges(&mut next);
        for ((c, &g), &s) in self.items.iter().zip(&previous.guess).zip(&previous.slip) {
            let (g, s) = bounds.guess_slip(c, (g, s));
            next.guess.push(g);
            next.slip.push(s);
        }
        next
    }
}
