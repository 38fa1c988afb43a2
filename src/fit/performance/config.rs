//! Hyperparameters of the performance model, checked before a fit: a
//! [`PerformanceConfig`] is a builder; [`PerformanceConfig::validate`]
//! turns it into the [`ValidPerformanceConfig`] that
//! [`PerformanceModel::fit`](super::PerformanceModel::fit) accepts (the
//! pattern of linfa's `ParamGuard`, and of this crate's
//! [`FitConfig`](crate::fit::FitConfig)).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// At most this many per-skill recency rates ([`PerformanceConfig::skill_decays`]).
pub const MAX_SKILL_DECAYS: usize = 3;

/// At most this many recency rates across skills ([`PerformanceConfig::global_decays`]).
pub const MAX_GLOBAL_DECAYS: usize = 2;

/// Settings of a performance-model fit, before validation.
///
/// Defaults (chosen by 5-fold cross-validation by learner on the
/// ASSISTments 2009 training file, never on its test file): L2 strength 1.0
/// on the summed log-loss, per-skill slopes on, recency rates 0.3 and 0.7
/// per attempt on a skill, 0 (the latest answer only) and 0.9 per response
/// across skills, item intercepts
/// when the dataset has items, L-BFGS with 10 pairs, at most 300 iterations,
/// stopping when the largest gradient entry per response falls below 1e-4
/// or an iteration lowers the objective by less than 1e-10 of itself.
///
/// ```
/// use mastery::fit::PerformanceConfig;
///
/// let config = PerformanceConfig::default().l2(2.0).skill_decays(vec![0.5]).validate()?;
/// assert!((config.l2_strength() - 2.0).abs() < 1e-12);
/// assert!(PerformanceConfig::default().l2(-1.0).validate().is_err());
/// assert!(PerformanceConfig::default().skill_decays(vec![1.0]).validate().is_err());
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[must_use]
pub struct PerformanceConfig {
    pub(crate) l2: f64,
    pub(crate) max_iterations: usize,
    pub(crate) tolerance: f64,
    pub(crate) memory: usize,
    pub(crate) skill_decays: Vec<f64>,
    pub(crate) global_decays: Vec<f64>,
    pub(crate) per_skill_slopes: bool,
    pub(crate) items: bool,
}

impl Default for PerformanceConfig {
    fn default() -> Self {
        PerformanceConfig {
            l2: 1.0,
            max_iterations: 300,
            tolerance: 1e-4,
            memory: 10,
            skill_decays: vec![0.3, 0.7],
            global_decays: vec![0.0, 0.9],
            per_skill_slopes: true,
            items: true,
        }
    }
}

impl PerformanceConfig {
    /// The L2 penalty `l2 / 2 * |w|^2` added to the summed log-loss (every
    /// weight but the global intercept). Larger shrinks more; must be
    /// positive and finite, which makes the problem strictly convex.
    pub fn l2(mut self, l2: f64) -> Self {
        self.l2 = l2;
        self
    }

    /// The most L-BFGS iterations.
    pub fn max_iterations(mut self, max_iterations: usize) -> Self {
        self.max_iterations = max_iterations;
        self
    }

    /// Stop when the largest gradient entry, divided by the number of
    /// responses, is below this.
    pub fn tolerance(mut self, tolerance: f64) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// L-BFGS memory: the number of recent (step, gradient change) pairs kept.
    pub fn memory(mut self, memory: usize) -> Self {
        self.memory = memory;
        self
    }

    /// Recency rates per attempt on the same skill, each in `[0, 1)`: for a
    /// rate `r`, the features are the decayed counts of correct and of
    /// incorrect earlier answers on the skill, `sum r^age`, age 0 for the
    /// latest attempt (rate 0 keeps only the latest answer). At most
    /// [`MAX_SKILL_DECAYS`].
    pub fn skill_decays(mut self, rates: Vec<f64>) -> Self {
        self.skill_decays = rates;
        self
    }

    /// Recency rates per response across all skills, each in `[0, 1)`: the
    /// decayed counts of correct and incorrect answers on any skill. At most
    /// [`MAX_GLOBAL_DECAYS`].
    pub fn global_decays(mut self, rates: Vec<f64>) -> Self {
        self.global_decays = rates;
        self
    }

    /// Skill-specific slopes for log(1 + wins) and log(1 + fails) on the
    /// skill (PFA's gamma and rho per skill), beside the shared ones.
    pub fn per_skill_slopes(mut self, on: bool) -> Self {
        self.per_skill_slopes = on;
        self
    }

    /// An intercept per item (an easiness, as in IRT) when the dataset has
    /// an item column (Best-LR, DAS3H). Default `true`.
    pub fn items(mut self, on: bool) -> Self {
        self.items = on;
        self
    }

    /// Checks the settings.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] naming the setting: an L2 strength that is not
    /// positive and finite, zero iterations or memory, a tolerance that is
    /// not positive and finite, a decay rate outside `[0, 1)`, or more than
    /// [`MAX_SKILL_DECAYS`] skill decays.
    pub fn validate(self) -> Result<ValidPerformanceConfig> {
        let invalid = |what: &str, expected: &'static str, value: f64| Error::InvalidValue {
            what: format!("performance model {what}"),
            expected,
            value,
        };
        if !(self.l2.is_finite() && self.l2 > 0.0) {
            return Err(invalid("L2 strength", "positive and finite", self.l2));
        }
        if !(self.tolerance.is_finite() && self.tolerance > 0.0) {
            return Err(invalid("tolerance", "positive and finite", self.tolerance));
        }
        if self.max_iterations == 0 {
            return Err(invalid("max_iterations", "at least 1", 0.0));
        }
        if self.memory == 0 {
            return Err(invalid("L-BFGS memory", "at least 1", 0.0));
        }
        if self.skill_decays.len() > MAX_SKILL_DECAYS {
            return Err(invalid(
                "number of skill decay rates",
                "at most 3",
                self.skill_decays.len() as f64,
            ));
        }
        if self.global_decays.len() > MAX_GLOBAL_DECAYS {
            return Err(invalid(
                "number of global decay rates",
                "at most 2",
                self.global_decays.len() as f64,
            ));
        }
        for &rate in self.skill_decays.iter().chain(&self.global_decays) {
            if !(0.0..1.0).contains(&rate) {
                return Err(invalid("decay rate", "in [0, 1)", rate));
            }
        }
        Ok(ValidPerformanceConfig(self))
    }
}

/// Settings that passed [`PerformanceConfig::validate`].
#[derive(Debug, Clone, PartialEq)]
pub struct ValidPerformanceConfig(pub(crate) PerformanceConfig);

impl ValidPerformanceConfig {
    /// The L2 strength.
    #[must_use]
    pub fn l2_strength(&self) -> f64 {
        self.0.l2
    }

    /// The settings.
    pub fn config(&self) -> &PerformanceConfig {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_settings_are_refused() {
        let d = PerformanceConfig::default;
        assert!(d().validate().is_ok());
        assert!(d().l2(0.0).validate().is_err());
        assert!(d().l2(f64::NAN).validate().is_err());
        assert!(d().tolerance(0.0).validate().is_err());
        assert!(d().max_iterations(0).validate().is_err());
        assert!(d().memory(0).validate().is_err());
        assert!(d().skill_decays(vec![0.1; 4]).validate().is_err());
        assert!(d().skill_decays(vec![-0.1]).validate().is_err());
        assert!(d().global_decays(vec![1.0]).validate().is_err());
        assert!(d().global_decays(vec![0.5; 3]).validate().is_err());
        assert!(
            d().global_decays(vec![])
                .skill_decays(vec![])
                .validate()
                .is_ok()
        );
    }
}
