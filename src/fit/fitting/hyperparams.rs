//! Settings of a fit, checked into a ValidFitConfig before use (as linfa checks hyperparameters).

use super::*;

/// Whether a fit estimates BKT's forget probability P(F) or fixes it at 0.
///
/// This is the per-opportunity forget of the fitted model (pyBKT's
/// `forgets`), not forgetting over time ([`Decay`](crate::model::Decay)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Forgetting {
    /// Forget is 0: standard BKT, pyBKT's default.
    #[default]
    None,
    /// Forget is fitted like the other parameters (pyBKT's `forgets=True`).
    Fitted,
}

/// How EM climbs to the maximum likelihood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Acceleration {
    /// EM accelerated with SQUAREM (Varadhan & Roland 2008): usually fewer
    /// E-steps to the same tolerance.
    #[default]
    Squarem,
    /// Plain EM, one E-step and one M-step an iteration, as pyBKT does.
    Plain,
}

/// Settings of a fit, before validation ([`FitConfig::validate`] checks them
/// into a [`ValidFitConfig`], the only form [`fit`] accepts).
///
/// Defaults follow pyBKT where it has one: 5 random restarts, at most 100
/// EM iterations, stop when the log-likelihood improves by less than 1e-3;
/// no forgetting; one guess/slip per skill; [`Bounds::default`].
///
/// ```
/// use mastery::fit::{Bounds, FitConfig, Forgetting};
///
/// let config = FitConfig::default().restarts(20).forgetting(Forgetting::Fitted).seed(7).validate()?;
/// assert_eq!(config.restarts(), 20);
/// assert!(FitConfig::default().restarts(0).validate().is_err());
/// let pybkt_like = FitConfig::default().bounds(Bounds::none()).validate()?;
/// # let _ = pybkt_like;
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct FitConfig {
    pub(super) restarts: usize,
    pub(super) seed: u64,
    pub(super) max_iterations: usize,
    pub(super) tolerance: f64,
    pub(super) forgetting: Forgetting,
    pub(super) item_guess_slip: bool,
    pub(super) bounds: Bounds,
    pub(super) shard_responses: usize,
    pub(super) acceleration: Acceleration,
}

impl Default for FitConfig {
    fn default() -> Self {
        FitConfig {
            restarts: 5,
            seed: 0,
            max_iterations: 100,
            tolerance: 1e-3,
            forgetting: Forgetting::None,
            item_guess_slip: false,
            bounds: Bounds::default(),
            shard_responses: 50_000,
            acceleration: Acceleration::Squarem,
        }
    }
}

impl FitConfig {
    /// Random restarts per skill; the best log-likelihood wins.
    pub fn restarts(mut self, restarts: usize) -> Self {
        self.restarts = restarts;
        self
    }

    /// The seed of the random initializations. Same seed, same data: same result.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The most EM iterations per restart.
    pub fn max_iterations(mut self, max_iterations: usize) -> Self {
        self.max_iterations = max_iterations;
        self
    }

    /// Stop when the log-likelihood improves by less than this.
    pub fn tolerance(mut self, tolerance: f64) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Whether a forget probability is fitted too (default
    /// [`Forgetting::None`]: forget is 0).
    pub fn forgetting(mut self, forgetting: Forgetting) -> Self {
        self.forgetting = forgetting;
        self
    }

    /// Fit one guess and slip per item (KT-IDEM) when the dataset has an item column.
    pub fn item_guess_slip(mut self, per_item: bool) -> Self {
        self.item_guess_slip = per_item;
        self
    }

    /// Parameter bounds.
    pub fn bounds(mut self, bounds: Bounds) -> Self {
        self.bounds = bounds;
        self
    }

    /// Skills with more responses than this are split into shards of about
    /// this many responses whose E-steps run in parallel (default 50,000).
    pub fn shard_responses(mut self, responses: usize) -> Self {
        self.shard_responses = responses;
        self
    }

    /// EM accelerated with SQUAREM (default [`Acceleration::Squarem`]) or
    /// plain EM ([`Acceleration::Plain`]), as pyBKT runs. Both stop on the
    /// same tolerance; SQUAREM usually needs fewer E-steps to get there.
    pub fn acceleration(mut self, acceleration: Acceleration) -> Self {
        self.acceleration = acceleration;
        self
    }

    /// Checks the settings.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for zero restarts, iterations or shard size, a
    /// negative or non-finite tolerance, or invalid bounds.
    pub fn validate(self) -> Result<ValidFitConfig> {
        let positive = |what: &str, v: usize| {
            if v == 0 {
                Err(Error::InvalidValue {
                    what: what.to_owned(),
                    expected: "at least 1",
                    value: 0.0,
                })
            } else {
                Ok(())
            }
        };
        positive("restarts", self.restarts)?;
        positive("max_iterations", self.max_iterations)?;
        positive("shard_responses", self.shard_responses)?;
        if !(self.tolerance.is_finite() && self.tolerance >= 0.0) {
            return Err(Error::InvalidValue {
                what: "tolerance".into(),
                expected: "a non-negative, finite number",
                value: self.tolerance,
            });
        }
        self.bounds.validate()?;
        Ok(ValidFitConfig(self))
    }
}

/// Validated fit settings; see [`FitConfig`].
#[derive(Debug, Clone, PartialEq)]
pub struct ValidFitConfig(pub(super) FitConfig);

impl ValidFitConfig {
    /// Random restarts per skill.
    #[must_use]
    pub fn restarts(&self) -> usize {
        self.0.restarts
    }

    /// The seed.
    #[must_use]
    pub fn seed(&self) -> u64 {
        self.0.seed
    }

    /// Whether forget is fitted.
    #[must_use]
    pub fn forgetting(&self) -> Forgetting {
        self.0.forgetting
    }

    /// The bounds.
    #[must_use]
    pub fn bounds(&self) -> &Bounds {
        &self.0.bounds
    }
}
