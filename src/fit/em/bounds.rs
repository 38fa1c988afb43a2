//! The M-step's bounds: ranges per parameter and the joint guess and slip
//! constraint that keeps a fit identifiable.

use super::*;
use crate::error::{Error, Result};

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
            learn_plus_forget_at_most_one: false,
            max_guess_plus_slip: None,
            ..Bounds::identifiable()
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

    pub(super) fn clamp_ranges(&self, p: &mut HmmParams) {
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
    pub(super) fn guess_slip(&self, counts: &[f64; 4], previous: (f64, f64)) -> (f64, f64) {
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
