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
use crate::error::Result;
use crate::model::BktParams;

mod bounds;
mod counts;
mod estep;
#[cfg(test)]
mod tests;

pub use bounds::{Bounds, DEFAULT_GUESS_CAP, GUESS_PLUS_SLIP_MARGIN};
pub use counts::ExpectedCounts;
pub(crate) use estep::Emissions;
use estep::{SingleItem, forward_backward};

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
    /// [`Error::InvalidValue`](crate::Error::InvalidValue) when the parameters are degenerate
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
