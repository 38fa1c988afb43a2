//! Expectation-maximization (Baum-Welch) for BKT, one skill at a time.
//!
//! BKT is a two-state hidden Markov model: the hidden state is "known" or
//! "not known", the initial chance of "known" is the prior, "not known" moves
//! to "known" with probability learn and back with probability forget, and
//! each response is correct with probability `1 - slip` when known and
//! `guess` when not (per item with KT-IDEM). The E-step runs the scaled
//! forward-backward algorithm (Rabiner 1989) over every learner's sequence and
//! sums expected counts ([`ExpectedCounts`]); the M-step sets each parameter
//! to its expected frequency within the [`Bounds`] (guess and slip jointly,
//! under `guess + slip <= 1 - margin`).
//!
//! Expected counts are sums over sequences, so they can be computed on
//! shards of the learners (threads, or machines) and merged with
//! [`ExpectedCounts::merge`] before the M-step: the path to fitting beyond one
//! machine.

use serde::{Deserialize, Serialize};

use super::blocks::SequenceBlocks;
use super::dataset::SkillData;
use crate::error::{Error, Result};
use crate::model::BktParams;

/// Floor for emission and transition probabilities inside the E-step, so that
/// an observation that the current parameters call impossible (e.g. a correct
/// answer with guess 0 from a learner who cannot know the skill yet) does not
/// divide by zero.
const FLOOR: f64 = 1e-12;

/// BKT parameters while fitting: one guess and slip per item (a single item
/// without KT-IDEM). Unlike [`BktParams`] these may be degenerate when
/// fitting without bounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HmmParams {
    /// P(L0).
    pub prior: f64,
    /// P(T).
    pub learn: f64,
    /// P(F).
    pub forget: f64,
    /// P(G) per item.
    pub guess: Vec<f64>,
    /// P(S) per item.
    pub slip: Vec<f64>,
}

impl HmmParams {
    /// The skill-level parameters: prior, learn, forget and the mean guess
    /// and slip over items, weighted by each item's number of responses.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] when the parameters are degenerate
    /// (`guess + slip >= 1` or `learn + forget > 1`), possible only when
    /// fitting without bounds.
    pub fn to_bkt(&self, item_weights: &[f64]) -> Result<BktParams> {
        let total: f64 = item_weights.iter().sum();
        let mean = |v: &[f64]| {
            if total > 0.0 {
                v.iter().zip(item_weights).map(|(x, w)| x * w).sum::<f64>() / total
            } else {
                v.iter().sum::<f64>() / v.len().max(1) as f64
            }
        };
        BktParams::new(
            self.prior,
            self.learn,
            self.forget,
            mean(&self.guess),
            mean(&self.slip),
        )
    }
}

/// How far below 1 the default bounds keep `guess + slip`: at most 0.98.
///
/// `guess + slip < 1` is what makes BKT identifiable and non-degenerate: a
/// correct answer then always raises mastery (Baker, Corbett & Aleven 2008
/// call the other side "model degeneracy"; Beck & Chang 2007 show the
/// identifiability problem). The margin keeps a correct answer informative:
/// its likelihood ratio, known against not known, `(1 - slip) / guess`, is
/// at least `(guess + margin) / guess`, above 1; and it leaves room for
/// logs with easy items, where guess alone is often above 0.5.
pub const GUESS_PLUS_SLIP_MARGIN: f64 = 0.02;

/// The default cap on guess: 0.5. Above it a correct answer says little
/// about mastery (its likelihood ratio `(1 - slip) / guess` is below 2),
/// and a log in which most answers are correct cannot tell a learner who
/// guesses that well from one who knows: EM then drifts to "nobody knows,
/// everybody guesses" (seen on simulated pilot cohorts, where the early
/// standards' fitted prior fell from 0.98 to 0.52 without the cap).
pub const DEFAULT_GUESS_CAP: f64 = 0.5;

/// Constraints on fitted parameters: inclusive `(low, high)` ranges within
/// [0, 1], and the couplings that rule out degenerate fits.
///
/// The condition that defines non-degenerate BKT is a coupling, not a box:
/// `guess + slip <= 1 - GUESS_PLUS_SLIP_MARGIN` (a correct answer always
/// raises mastery), with `forget <= 1 - learn`. The M-step maximizes the
/// expected log-likelihood *under* the coupling exactly (a one-dimensional
/// concave maximization on the line `guess + slip = 1 - margin` when the
/// free optimum crosses it), so slip is free up to what guess leaves.
///
/// - [`Bounds::default`]: that coupling, and guess at most
///   [`DEFAULT_GUESS_CAP`] so that mastery stays identifiable from logs of
///   mostly correct answers.
/// - [`Bounds::identifiable`]: the coupling alone (guess free): for logs
///   with easy items, where a guess above one half is real.
/// - [`Bounds::boxed`]: guess and slip each at most a cap (earlier
///   versions' default was `boxed(0.49)`).
/// - [`Bounds::none`]: nothing, to compare with pyBKT, which has no bounds.
///
/// On ASSISTments 2009 (5 restarts, seed 0) all four give test AUCs within
/// 0.0015 of each other: default 0.7126 (0.7189 with forgets), unbounded
/// 0.7126 (0.7197).
///
/// ```
/// use mastery::fit::{Bounds, DEFAULT_GUESS_CAP, GUESS_PLUS_SLIP_MARGIN};
///
/// let bounds = Bounds::default();
/// assert_eq!(bounds.max_guess_plus_slip, Some(1.0 - GUESS_PLUS_SLIP_MARGIN));
/// assert_eq!(bounds.guess, (0.0, DEFAULT_GUESS_CAP));
/// assert_eq!(bounds.slip, (0.0, 1.0));
/// assert_eq!(Bounds::identifiable().guess, (0.0, 1.0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bounds {
    /// Range of the prior.
    pub prior: (f64, f64),
    /// Range of learn.
    pub learn: (f64, f64),
    /// Range of forget.
    pub forget: (f64, f64),
    /// Range of each guess.
    pub guess: (f64, f64),
    /// Range of each slip.
    pub slip: (f64, f64),
    /// Whether to also keep `learn + forget <= 1`.
    pub learn_plus_forget_at_most_one: bool,
    /// The largest `guess + slip` of each item, if any (must be in (0, 1]).
    #[serde(default)]
    pub max_guess_plus_slip: Option<f64>,
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds {
            guess: (0.0, DEFAULT_GUESS_CAP),
            ..Bounds::identifiable()
        }
    }
}

impl Bounds {
    /// The couplings that define non-degenerate BKT and nothing else:
    /// `guess + slip <= 1 - GUESS_PLUS_SLIP_MARGIN`, `forget <= 1 - learn`.
    #[must_use]
    pub fn identifiable() -> Self {
        Bounds {
            prior: (0.0, 1.0),
            learn: (0.0, 1.0),
            forget: (0.0, 1.0),
            guess: (0.0, 1.0),
            slip: (0.0, 1.0),
            learn_plus_forget_at_most_one: true,
            max_guess_plus_slip: Some(1.0 - GUESS_PLUS_SLIP_MARGIN),
        }
    }

    /// No constraints beyond [0, 1] (pyBKT's behavior).
    #[must_use]
    pub fn none() -> Self {
        Bounds {
            prior: (0.0, 1.0),
            learn: (0.0, 1.0),
            forget: (0.0, 1.0),
            guess: (0.0, 1.0),
            slip: (0.0, 1.0),
            learn_plus_forget_at_most_one: false,
            max_guess_plus_slip: None,
        }
    }

    /// Guess and slip each at most `cap` (below 0.5, so their sum stays
    /// below 1), `forget <= 1 - learn`: the box earlier versions of the
    /// crate used by default (with `cap = 0.49`).
    #[must_use]
    pub fn boxed(cap: f64) -> Self {
        Bounds {
            guess: (0.0, cap),
            slip: (0.0, cap),
            max_guess_plus_slip: None,
            ..Bounds::identifiable()
        }
    }

    pub(crate) fn validate(&self) -> Result<()> {
        for (name, (lo, hi)) in [
            ("prior", self.prior),
            ("learn", self.learn),
            ("forget", self.forget),
            ("guess", self.guess),
            ("slip", self.slip),
        ] {
            if !(0.0..=1.0).contains(&lo) || !(0.0..=1.0).contains(&hi) || lo > hi {
                return Err(Error::InvalidValue {
                    what: format!("{name} bounds ({lo}, {hi})"),
                    expected: "0 <= low <= high <= 1",
                    value: if (0.0..=1.0).contains(&lo) { hi } else { lo },
                });
            }
        }
        if let Some(max) = self.max_guess_plus_slip {
            if !(max > 0.0 && max <= 1.0) {
                return Err(Error::InvalidValue {
                    what: "the largest guess + slip".into(),
                    expected: "in (0, 1]",
                    value: max,
                });
            }
            if self.guess.0 + self.slip.0 > max {
                return Err(Error::InvalidValue {
                    what: format!(
                        "the lowest guess ({}) plus the lowest slip ({}), above the largest guess + slip",
                        self.guess.0, self.slip.0
                    ),
                    expected: "at most the largest guess + slip",
                    value: self.guess.0 + self.slip.0,
                });
            }
        }
        Ok(())
    }

    /// Moves `p` into the bounds: each range by clamping, then the
    /// couplings by the nearest point (for random starts and accelerated
    /// jumps, which are not M-steps).
    pub(crate) fn clamp_params(&self, p: &mut HmmParams) {
        self.clamp_ranges(p);
        if let Some(max) = self.max_guess_plus_slip {
            for (g, s) in p.guess.iter_mut().zip(p.slip.iter_mut()) {
                let excess = *g + *s - max;
                if excess > 0.0 {
                    // The Euclidean projection onto the line, then back into
                    // the ranges along it.
                    let g_line = (*g - excess / 2.0)
                        .clamp(self.guess.0, self.guess.1)
                        .clamp(max - self.slip.1, max - self.slip.0);
                    *g = g_line;
                    *s = max - g_line;
                }
            }
        }
    }

    fn clamp_ranges(&self, p: &mut HmmParams) {
        let c = |x: f64, (lo, hi): (f64, f64)| x.clamp(lo, hi);
        p.prior = c(p.prior, self.prior);
        p.learn = c(p.learn, self.learn);
        p.forget = c(p.forget, self.forget);
        if self.learn_plus_forget_at_most_one {
            p.forget = p.forget.min(1.0 - p.learn);
        }
        for g in &mut p.guess {
            *g = c(*g, self.guess);
        }
        for s in &mut p.slip {
            *s = c(*s, self.slip);
        }
    }

    /// One item's guess and slip for the M-step: the maximum of the
    /// expected log-likelihood `[n_unknown, correct_unknown, n_known,
    /// incorrect_known]` within the bounds. Without evidence for one of
    /// the two, it keeps `previous` and the other is fitted given it.
    fn guess_slip(&self, counts: &[f64; 4], previous: (f64, f64)) -> (f64, f64) {
        let [n_unknown, correct_unknown, n_known, incorrect_known] = *counts;
        let has_guess = n_unknown > 1e-12;
        let has_slip = n_known > 1e-12;
        let free_g = if has_guess {
            (correct_unknown / n_unknown).clamp(self.guess.0, self.guess.1)
        } else {
            previous.0.clamp(self.guess.0, self.guess.1)
        };
        let free_s = if has_slip {
            (incorrect_known / n_known).clamp(self.slip.0, self.slip.1)
        } else {
            previous.1.clamp(self.slip.0, self.slip.1)
        };
        let Some(max) = self.max_guess_plus_slip else {
            return (free_g, free_s);
        };
        if free_g + free_s <= max {
            return (free_g, free_s);
        }
        // The range of guess on the line guess + slip = max.
        let lo = self.guess.0.max(max - self.slip.1);
        let hi = self.guess.1.min(max - self.slip.0);
        if lo > hi {
            // Validation rules this out; stay inside the ranges.
            return (free_g, (max - free_g).clamp(self.slip.0, self.slip.1));
        }
        let g = match (has_guess, has_slip) {
            (false, _) => free_g.clamp(lo, hi),
            (true, false) => (max - free_s).clamp(lo, hi),
            (true, true) => {
                // The expected log-likelihood along the line is concave in
                // guess (a sum of logs of affine functions): its derivative
                // falls, so bisection finds the maximum.
                let (a, b) = (correct_unknown, n_unknown - correct_unknown);
                let (c, d) = (incorrect_known, n_known - incorrect_known);
                let slope = |g: f64| {
                    let s = max - g;
                    a / g.max(1e-300) - b / (1.0 - g).max(1e-300) - c / s.max(1e-300)
                        + d / (1.0 - s).max(1e-300)
                };
                let (mut left, mut right) = (lo, hi);
                if slope(right) >= 0.0 {
                    right
                } else if slope(left) <= 0.0 {
                    left
                } else {
                    for _ in 0..100 {
                        let mid = 0.5 * (left + right);
                        if slope(mid) > 0.0 {
                            left = mid;
                        } else {
                            right = mid;
                        }
                        if right - left < 1e-15 {
                            break;
                        }
                    }
                    0.5 * (left + right)
                }
            }
        };
        (g, max - g)
    }
}

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
    pub fn compute_blocks(
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

/// Per-item emission probabilities `[P(o | not known), P(o | known)]` for o = 0, 1,
/// and the transition matrix, floored away from 0.
pub(crate) struct Emissions {
    pub(crate) by_item: Vec<[[f64; 2]; 2]>,
    pub(crate) prior: f64,
    pub(crate) learn: f64,
    pub(crate) forget: f64,
}

impl Emissions {
    pub(crate) fn new(p: &HmmParams) -> Self {
        let f = |x: f64| x.clamp(FLOOR, 1.0 - FLOOR);
        Emissions {
            by_item: p
                .guess
                .iter()
                .zip(&p.slip)
                .map(|(&g, &s)| [[f(1.0 - g), f(s)], [f(g), f(1.0 - s)]])
                .collect(),
            prior: f(p.prior),
            learn: f(p.learn),
            forget: if p.forget > 0.0 { f(p.forget) } else { 0.0 },
        }
    }
}

/// Scaled forward-backward over one sequence, adding its expected counts.
fn forward_backward(
    obs: &[u8],
    items: &[u32],
    m: &Emissions,
    alpha: &mut Vec<[f64; 3]>,
    counts: &mut ExpectedCounts,
) {
    let n = obs.len();
    if n == 0 {
        return;
    }
    let (learn, forget) = (m.learn, m.forget);
    alpha.clear();
    alpha.reserve(n);
    // Forward: alpha[t] = [P(not known | o_1..t), P(known | o_1..t), 1 / c_t].
    let mut log_likelihood = 0.0;
    let mut product = 1.0f64;
    let (mut a0, mut a1) = (1.0 - m.prior, m.prior);
    for t in 0..n {
        if t > 0 {
            let (p0, p1) = (
                a0 * (1.0 - learn) + a1 * forget,
                a0 * learn + a1 * (1.0 - forget),
            );
            a0 = p0;
            a1 = p1;
        }
        let e = m.by_item[items[t] as usize][obs[t] as usize];
        a0 *= e[0];
        a1 *= e[1];
        let c = a0 + a1;
        let inv = 1.0 / c;
        a0 *= inv;
        a1 *= inv;
        alpha.push([a0, a1, inv]);
        product *= c;
        // Take the log only now and then: one log per ~100 responses instead of one each.
        if product < 1e-250 {
            log_likelihood += product.ln();
            product = 1.0;
        }
    }
    log_likelihood += product.ln();
    counts.log_likelihood += log_likelihood;
    counts.sequences += 1.0;

    // Backward: beta scaled by the same c_t; gamma_t = alpha_t * beta_t.
    let (mut b0, mut b1) = (1.0, 1.0);
    let last = alpha[n - 1];
    add_emission(counts, items[n - 1], obs[n - 1], last[0], last[1]);
    if n == 1 {
        counts.initial_known += last[1];
        return;
    }
    for t in (0..n - 1).rev() {
        let next = &alpha[t + 1];
        let e = m.by_item[items[t + 1] as usize][obs[t + 1] as usize];
        let w0 = e[0] * b0 * next[2];
        let w1 = e[1] * b1 * next[2];
        let [x0, x1, _] = alpha[t];
        let learned = x0 * learn * w1;
        let forgot = x1 * forget * w0;
        b0 = (1.0 - learn) * w0 + learn * w1;
        b1 = forget * w0 + (1.0 - forget) * w1;
        let (g0, g1) = (x0 * b0, x1 * b1);
        counts.unknown_with_next += g0;
        counts.known_with_next += g1;
        counts.learned += learned;
        counts.forgot += forgot;
        add_emission(counts, items[t], obs[t], g0, g1);
        if t == 0 {
            counts.initial_known += g1;
        }
    }
}

/// Expected counts for one guess/slip per skill (the common case), tuned for
/// speed: see [`Lane`] for the passes. Since `gamma(not known) = 1 -
/// gamma(known)`, the emission counts reduce to sums of `gamma(known)` by
/// response value.
#[derive(Debug)]
struct SingleItem {
    log_likelihood: f64,
    /// Sequence probabilities not yet in `log_likelihood` (see [`Lane::finish`]).
    probability_product: f64,
    sequences: f64,
    responses: f64,
    correct: f64,
    initial_known: f64,
    learned: f64,
    forgot: f64,
    /// Sum of gamma(known) over all responses, by response (0, 1).
    known_by_response: [f64; 2],
    /// Sum of gamma(known) over each sequence's last response.
    known_at_end: f64,
}

impl SingleItem {
    /// Adds two sequences, their passes interleaved step by step: each pass
    /// is a chain of dependent multiply-adds, and two independent chains
    /// keep the processor busy where one leaves it waiting. (Four lanes were
    /// slower in the `fit` bench: the lane state no longer fits in registers.)
    fn add_pair(
        &mut self,
        [a, b]: [&[u8]; 2],
        [weight_a, weight_b]: [u32; 2],
        m: &Emissions,
        fa: &mut Vec<(f64, f64)>,
        fb: &mut Vec<(f64, f64)>,
    ) {
        let c = Consts::new(m);
        let (mut la, mut lb) = (Lane::start(a, fa, &c), Lane::start(b, fb, &c));
        let (na, nb) = (a.len(), b.len());
        for t in 1..na.max(nb) {
            if t < na {
                la.forward_step(t, &c);
            }
            if t < nb {
                lb.forward_step(t, &c);
            }
        }
        la.start_backward();
        lb.start_backward();
        for i in 0..na.max(nb).saturating_sub(1) {
            if i + 1 < na {
                la.backward_step(i, &c);
            }
            if i + 1 < nb {
                lb.backward_step(i, &c);
            }
        }
        la.finish(self, &c, weight_a);
        lb.finish(self, &c, weight_b);
    }

    /// Adds one sequence, `weight` times.
    fn add(&mut self, obs: &[u8], weight: u32, m: &Emissions, forward: &mut Vec<(f64, f64)>) {
        let c = Consts::new(m);
        let mut lane = Lane::start(obs, forward, &c);
        for t in 1..obs.len() {
            lane.forward_step(t, &c);
        }
        lane.start_backward();
        for i in 0..obs.len().saturating_sub(1) {
            lane.backward_step(i, &c);
        }
        lane.finish(self, &c, weight);
    }

    fn new() -> Self {
        SingleItem {
            log_likelihood: 0.0,
            probability_product: 1.0,
            sequences: 0.0,
            responses: 0.0,
            correct: 0.0,
            initial_known: 0.0,
            learned: 0.0,
            forgot: 0.0,
            known_by_response: [0.0; 2],
            known_at_end: 0.0,
        }
    }

    fn finish(&self, counts: &mut ExpectedCounts) {
        let known = self.known_by_response[0] + self.known_by_response[1];
        let known_with_next = known - self.known_at_end;
        counts.log_likelihood += self.log_likelihood + self.probability_product.ln();
        counts.sequences += self.sequences;
        counts.initial_known += self.initial_known;
        counts.known_with_next += known_with_next;
        counts.unknown_with_next += (self.responses - self.sequences) - known_with_next;
        counts.learned += self.learned;
        counts.forgot += self.forgot;
        let item = &mut counts.items[0];
        item[0] += self.responses - known;
        item[1] += self.correct - self.known_by_response[1];
        item[2] += known;
        item[3] += self.known_by_response[0];
    }
}

/// The single-item model's numbers. `step[o]` folds the transition into the
/// emission of response `o`: `[(1 - learn) e0, forget e0, learn e1,
/// (1 - forget) e1]` with `e0 = P(o | not known)` and `e1 = P(o | known)`,
/// so each pass's loop-carried work per response is one multiply and one
/// multiply-add per state (the emission multiply leaves the chain).
struct Consts {
    emission: [[f64; 2]; 2],
    step: [[f64; 4]; 2],
    prior: f64,
    learn: f64,
    forget: f64,
}

impl Consts {
    fn new(m: &Emissions) -> Self {
        let table = m.by_item[0];
        let step = |o: usize| {
            let [e0, e1] = table[o];
            [
                (1.0 - m.learn) * e0,
                m.forget * e0,
                m.learn * e1,
                (1.0 - m.forget) * e1,
            ]
        };
        Consts {
            emission: [table[0], table[1]],
            step: [step(0), step(1)],
            prior: m.prior,
            learn: m.learn,
            forget: m.forget,
        }
    }
}

/// The state of one sequence's forward-backward pass.
///
/// Forward: unnormalized probabilities, renormalized every 8 responses (often
/// enough that nothing underflows even with emissions at the 1e-12 floor), so
/// the loop-carried work is two multiply-adds per response.
///
/// Backward: unnormalized beta, renormalized every 8 responses. Z = sum_j
/// alpha_t(j) beta_t(j) normalizes gamma_t and xi_t; it is the same for
/// every t (it is P(o_1..n)) except where a pass rescaled, so sums are kept
/// unnormalized per stretch and normalized by that stretch's Z: two
/// divisions per 8 responses instead of one per response.
struct Lane<'a> {
    obs: &'a [u8],
    forward: &'a mut Vec<(f64, f64)>,
    a0: f64,
    a1: f64,
    scale_product: f64,
    log_scale: f64,
    correct: f64,
    b0: f64,
    b1: f64,
    inv_z: f64,
    fresh_z: bool,
    /// Known, known and correct, learned, forgot: totals and the current stretch.
    totals: [f64; 4],
    stretch: [f64; 4],
    gamma_known: f64,
    /// P(known | all responses) at the last response.
    known_at_end: f64,
}

impl<'a> Lane<'a> {
    fn start(obs: &'a [u8], forward: &'a mut Vec<(f64, f64)>, c: &Consts) -> Self {
        forward.clear();
        forward.reserve(obs.len());
        let first = obs.first().map_or(0, |&o| usize::from(o & 1));
        let o = first as f64;
        let [e0, e1] = c.emission[first];
        let (a0, a1) = ((1.0 - c.prior) * e0, c.prior * e1);
        if !obs.is_empty() {
            forward.push((a0, a1));
        }
        Lane {
            obs,
            forward,
            a0,
            a1,
            scale_product: 1.0,
            log_scale: 0.0,
            correct: o,
            b0: 1.0,
            b1: 1.0,
            inv_z: 0.0,
            fresh_z: true,
            totals: [0.0; 4],
            stretch: [0.0; 4],
            gamma_known: 0.0,
            known_at_end: 0.0,
        }
    }

    #[inline(always)]
    fn forward_step(&mut self, t: usize, c: &Consts) {
        let o = self.obs[t] & 1;
        self.correct += f64::from(o);
        let (a0, a1) = (self.a0, self.a1);
        let [s00, s10, s01, s11] = c.step[usize::from(o)];
        let mut next0 = a0 * s00 + a1 * s10;
        let mut next1 = a0 * s01 + a1 * s11;
        if t % 8 == 0 {
            let sum = next0 + next1;
            let inv = 1.0 / sum;
            next0 *= inv;
            next1 *= inv;
            self.scale_product *= sum;
            if self.scale_product < 1e-200 {
                self.log_scale += self.scale_product.ln();
                self.scale_product = 1.0;
            }
        }
        self.a0 = next0;
        self.a1 = next1;
        self.forward.push((next0, next1));
    }

    fn start_backward(&mut self) {
        let n = self.obs.len();
        if n == 0 {
            return;
        }
        let (a0, a1) = self.forward[n - 1];
        let last = a1 / (a0 + a1);
        self.totals = [last, last * f64::from(self.obs[n - 1]), 0.0, 0.0];
        self.gamma_known = last;
        self.known_at_end = last;
    }

    /// Step `i` of the backward pass: time `t = n - 2 - i`.
    #[inline(always)]
    fn backward_step(&mut self, i: usize, c: &Consts) {
        let t = self.obs.len() - 2 - i;
        let o_next = usize::from(self.obs[t + 1] & 1);
        let [e0, e1] = c.emission[o_next];
        let [s00, s10, s01, s11] = c.step[o_next];
        let (p0, p1) = (e0 * self.b0, e1 * self.b1);
        let b0 = self.b0 * s00 + self.b1 * s01;
        let b1 = self.b0 * s10 + self.b1 * s11;
        let (a0, a1) = self.forward[t];
        if self.fresh_z {
            for (total, part) in self.totals.iter_mut().zip(&mut self.stretch) {
                *total += *part * self.inv_z;
                *part = 0.0;
            }
            self.inv_z = 1.0 / (a0 * b0 + a1 * b1);
            self.fresh_z = false;
        }
        let known = a1 * b1;
        self.stretch[0] += known;
        self.stretch[1] += known * f64::from(self.obs[t]);
        self.stretch[2] += a0 * p1;
        self.stretch[3] += a1 * p0;
        self.gamma_known = known * self.inv_z;
        // alpha_(t-1) has another scale when the forward pass renormalized at t.
        if t % 8 == 0 {
            self.fresh_z = true;
        }
        if i % 8 == 7 {
            let rescale = 1.0 / (b0 + b1);
            self.b0 = b0 * rescale;
            self.b1 = b1 * rescale;
            self.fresh_z = true;
        } else {
            self.b0 = b0;
            self.b1 = b1;
        }
    }

    /// Adds this sequence's counts to `acc`, `weight` times.
    fn finish(mut self, acc: &mut SingleItem, c: &Consts, weight: u32) {
        let n = self.obs.len();
        if n == 0 {
            return;
        }
        for (total, part) in self.totals.iter_mut().zip(&self.stretch) {
            *total += *part * self.inv_z;
        }
        let w = f64::from(weight);
        // P(sequence) = (a0 + a1) * scale_product * exp(log_scale). Logs are
        // slow next to everything else here, so small factors are multiplied
        // into a running product whose log is taken only when it gets small.
        let probability = (self.a0 + self.a1) * self.scale_product;
        acc.log_likelihood += w * self.log_scale;
        let power = probability.powi(weight as i32);
        if power < 1e-100 {
            acc.log_likelihood += w * probability.ln();
        } else {
            acc.probability_product *= power;
            if acc.probability_product < 1e-100 {
                acc.log_likelihood += acc.probability_product.ln();
                acc.probability_product = 1.0;
            }
        }
        acc.sequences += w;
        acc.responses += w * n as f64;
        acc.correct += w * self.correct;
        acc.known_at_end += w * self.known_at_end;
        let [known_sum, known_correct, learned, forgot] = self.totals;
        acc.known_by_response[0] += w * (known_sum - known_correct);
        acc.known_by_response[1] += w * known_correct;
        acc.learned += w * learned * c.learn;
        acc.forgot += w * forgot * c.forget;
        acc.initial_known += w * self.gamma_known;
    }
}

#[inline]
fn add_emission(counts: &mut ExpectedCounts, item: u32, obs: u8, unknown: f64, known: f64) {
    let c = &mut counts.items[item as usize];
    let correct = f64::from(obs);
    c[0] += unknown;
    c[1] += unknown * correct;
    c[2] += known;
    c[3] += known * (1.0 - correct);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::{Dataset, DatasetOptions};

    fn skill(csv_body: &str) -> SkillData {
        let csv = format!("order_id,user_id,skill_name,correct\n{csv_body}");
        let (d, _) =
            Dataset::from_reader("t.csv", csv.as_bytes(), &DatasetOptions::default()).unwrap();
        d.skills()[0].clone()
    }

    /// Log-likelihood and posteriors by enumerating all hidden paths.
    #[allow(clippy::needless_range_loop)] // t indexes the path's bits and obs together
    fn brute_force(obs: &[u8], p: &HmmParams) -> (f64, Vec<f64>) {
        let n = obs.len();
        let mut total = 0.0;
        let mut known = vec![0.0; n];
        for path in 0u32..(1 << n) {
            let state = |t: usize| path >> t & 1;
            let mut w = if state(0) == 1 {
                p.prior
            } else {
                1.0 - p.prior
            };
            for t in 0..n {
                if t > 0 {
                    w *= match (state(t - 1), state(t)) {
                        (0, 0) => 1.0 - p.learn,
                        (0, _) => p.learn,
                        (_, 0) => p.forget,
                        _ => 1.0 - p.forget,
                    };
                }
                let correct = obs[t] == 1;
                w *= match (state(t), correct) {
                    (1, true) => 1.0 - p.slip[0],
                    (1, false) => p.slip[0],
                    (_, true) => p.guess[0],
                    (_, false) => 1.0 - p.guess[0],
                };
            }
            total += w;
            for (t, k) in known.iter_mut().enumerate() {
                if state(t) == 1 {
                    *k += w;
                }
            }
        }
        (total.ln(), known.iter().map(|k| k / total).collect())
    }

    #[test]
    fn forward_backward_matches_enumeration() {
        let data = skill("1,a,S,0\n2,a,S,1\n3,a,S,1\n4,a,S,0\n5,a,S,1\n6,a,S,1\n");
        let params = HmmParams {
            prior: 0.3,
            learn: 0.2,
            forget: 0.07,
            guess: vec![0.25],
            slip: vec![0.12],
        };
        let counts = ExpectedCounts::compute(&data, &params, 0..1).unwrap();
        let (ll, known) = brute_force(data.sequence(0), &params);
        assert!(
            (counts.log_likelihood - ll).abs() < 1e-12,
            "{} vs {ll}",
            counts.log_likelihood
        );
        assert!((counts.initial_known - known[0]).abs() < 1e-12);
        let expected_known: f64 = known.iter().sum();
        assert!((counts.items[0][2] - expected_known).abs() < 1e-12);
        let known_with_next: f64 = known[..known.len() - 1].iter().sum();
        assert!((counts.known_with_next - known_with_next).abs() < 1e-12);
    }

    #[test]
    fn single_item_fast_path_equals_the_general_pass() {
        let body: String = (0..300)
            .map(|i| format!("{i},u{},S,{}\n", i / 17, u8::from((i * 5 + i / 17) % 7 < 4)))
            .collect();
        let data = skill(&body);
        let params = HmmParams {
            prior: 0.27,
            learn: 0.13,
            forget: 0.06,
            guess: vec![0.22],
            slip: vec![0.09],
        };
        let fast = ExpectedCounts::compute(&data, &params, 0..data.sequence_count()).unwrap();
        let mut general = ExpectedCounts {
            items: vec![[0.0; 4]],
            ..ExpectedCounts::default()
        };
        let model = Emissions::new(&params);
        let mut scratch = Vec::new();
        for s in 0..data.sequence_count() {
            forward_backward(
                data.sequence(s),
                data.sequence_items(s),
                &model,
                &mut scratch,
                &mut general,
            );
        }
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9 * (1.0 + b.abs());
        assert!(close(fast.log_likelihood, general.log_likelihood));
        assert!(close(fast.initial_known, general.initial_known));
        assert!(
            close(fast.learned, general.learned),
            "{} vs {}",
            fast.learned,
            general.learned
        );
        assert!(close(fast.forgot, general.forgot));
        assert!(close(fast.known_with_next, general.known_with_next));
        assert!(close(fast.unknown_with_next, general.unknown_with_next));
        for k in 0..4 {
            assert!(
                close(fast.items[0][k], general.items[0][k]),
                "item count {k}"
            );
        }
    }

    #[test]
    fn distinct_sequences_weighted_equal_every_sequence() {
        // 40 learners, 6 answer patterns (of lengths 1 to 6): many repeats.
        let body: String = (0..40)
            .flat_map(|learner| {
                let pattern = learner % 6;
                (0..=pattern).map(move |t| {
                    let correct = u8::from((t * 3 + pattern) % 4 < 2);
                    format!("{},u{learner:02},S,{correct}\n", learner * 10 + t)
                })
            })
            .collect();
        let data = skill(&body);
        let (distinct, multiplicity) = data.distinct_sequences();
        assert_eq!(distinct.sequence_count(), 6);
        assert_eq!(
            multiplicity.iter().sum::<u32>() as usize,
            data.sequence_count()
        );
        for forget in [0.0, 0.07] {
            let params = HmmParams {
                prior: 0.31,
                learn: 0.11,
                forget,
                guess: vec![0.21],
                slip: vec![0.12],
            };
            let every = ExpectedCounts::compute(&data, &params, 0..data.sequence_count()).unwrap();
            let weighted = ExpectedCounts::compute_unchecked(
                &distinct,
                &params,
                0..distinct.sequence_count(),
                &multiplicity,
            );
            let close = |a: f64, b: f64| (a - b).abs() < 1e-9 * (1.0 + b.abs());
            assert!(close(weighted.log_likelihood, every.log_likelihood));
            assert!(close(weighted.sequences, every.sequences));
            assert!(close(weighted.initial_known, every.initial_known));
            assert!(close(weighted.learned, every.learned));
            assert!(close(weighted.forgot, every.forgot));
            assert!(close(weighted.known_with_next, every.known_with_next));
            assert!(close(weighted.unknown_with_next, every.unknown_with_next));
            for k in 0..4 {
                assert!(
                    close(weighted.items[0][k], every.items[0][k]),
                    "item count {k}"
                );
            }
        }
    }

    #[test]
    fn long_sequences_do_not_underflow() {
        let body: String = (0..5000)
            .map(|i| format!("{i},a,S,{}\n", i % 3 % 2))
            .collect();
        let data = skill(&body);
        let params = HmmParams {
            prior: 0.3,
            learn: 0.01,
            forget: 0.01,
            guess: vec![0.3],
            slip: vec![0.3],
        };
        let counts = ExpectedCounts::compute(&data, &params, 0..1).unwrap();
        assert!(counts.log_likelihood.is_finite() && counts.log_likelihood < -1000.0);
        assert!((counts.items[0][0] + counts.items[0][2] - 5000.0).abs() < 1e-6);
    }

    #[test]
    fn em_never_decreases_the_likelihood() {
        let body: String = (0..400)
            .map(|i| format!("{i},u{},S,{}\n", i / 20, u8::from((i * 7 + i / 20) % 5 < 3)))
            .collect();
        let data = skill(&body);
        let mut params = HmmParams {
            prior: 0.1,
            learn: 0.1,
            forget: 0.1,
            guess: vec![0.2],
            slip: vec![0.2],
        };
        let mut last = f64::NEG_INFINITY;
        for _ in 0..30 {
            let counts = ExpectedCounts::compute(&data, &params, 0..data.sequence_count()).unwrap();
            assert!(
                counts.log_likelihood >= last - 1e-9,
                "{} < {last}",
                counts.log_likelihood
            );
            last = counts.log_likelihood;
            params = counts.maximize(&params, true, &Bounds::none());
        }
    }
}
