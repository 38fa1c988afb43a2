//! Settings checked before use, as [`FitConfig`](crate::fit::FitConfig) is
//! checked into a [`ValidFitConfig`](crate::fit::ValidFitConfig) (linfa's
//! `ParamGuard`): [`Population::validate`] and [`Simulation::validate`]
//! turn every field out of range into an [`Error`] naming it. The
//! simulator's entry points validate the settings they are given first, so
//! an invalid field is an error there, never a NaN in the results.

use std::ops::Deref;

use super::{Population, Simulation};
use crate::error::{Error, Result};

/// A population whose fields [`Population::validate`] checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidPopulation(Population);

impl Deref for ValidPopulation {
    type Target = Population;

    fn deref(&self) -> &Population {
        &self.0
    }
}

/// Simulation settings whose fields [`Simulation::validate`] checked
/// (including the population's).
#[derive(Debug, Clone, PartialEq)]
pub struct ValidSimulation(Simulation);

impl Deref for ValidSimulation {
    type Target = Simulation;

    fn deref(&self) -> &Simulation {
        &self.0
    }
}

/// An [`Error::InvalidValue`] for field `what`.
fn invalid(what: &str, expected: &'static str, value: f64) -> Error {
    Error::InvalidValue {
        what: what.to_owned(),
        expected,
        value,
    }
}

/// Checks a `(low, high)` range: both ends pass `ok`, and `low <= high`.
fn range(
    what: &str,
    (low, high): (f64, f64),
    ok: impl Fn(f64) -> bool,
    expected: &'static str,
) -> Result<()> {
    if !ok(low) {
        return Err(invalid(&format!("{what}.0 (low end)"), expected, low));
    }
    if !ok(high) {
        return Err(invalid(&format!("{what}.1 (high end)"), expected, high));
    }
    if low > high {
        return Err(invalid(
            &format!("{what}.1 (high end)"),
            "at least the low end",
            high,
        ));
    }
    Ok(())
}

impl Population {
    /// Checks the fields: `ability` a range (low at most high) of positive,
    /// finite multipliers; `start` a range of fractions in [0, 1];
    /// `prior_beyond` a probability in [0, 1]; `half_life_days` positive
    /// (infinite: no forgetting). NaN is never valid.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] naming the first invalid field.
    ///
    /// ```
    /// use mastery::sim::{LearnerModel, Population};
    ///
    /// let population = Population::new(LearnerModel::Bkt).validate()?;
    /// assert_eq!(population.ability, (0.5, 2.0));
    /// let mut zero = Population::new(LearnerModel::Bkt);
    /// zero.ability = (0.0, 2.0); // ln(0): no ability can be drawn from it
    /// let err = zero.validate().unwrap_err();
    /// assert!(err.to_string().contains("Population::ability"));
    /// # Ok::<(), mastery::Error>(())
    /// ```
    pub fn validate(self) -> Result<ValidPopulation> {
        range(
            "Population::ability",
            self.ability,
            |x| x > 0.0 && x.is_finite(),
            "a positive, finite multiplier",
        )?;
        range(
            "Population::start",
            self.start,
            |x| (0.0..=1.0).contains(&x),
            "a fraction in [0, 1]",
        )?;
        if !(0.0..=1.0).contains(&self.prior_beyond) {
            return Err(invalid(
                "Population::prior_beyond",
                "a probability in [0, 1]",
                self.prior_beyond,
            ));
        }
        if self.half_life_days.is_nan() || self.half_life_days <= 0.0 {
            return Err(invalid(
                "Population::half_life_days",
                "a positive number of days",
                self.half_life_days,
            ));
        }
        Ok(ValidPopulation(self))
    }
}

impl Simulation {
    /// Checks the fields: the population ([`Population::validate`]), and a
    /// budget, activities per day and learners all at least 1.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] naming the first invalid field.
    ///
    /// ```
    /// use mastery::sim::{LearnerModel, Population, Simulation};
    ///
    /// let population = Population::new(LearnerModel::Bkt);
    /// let simulation = Simulation { population, budget: 100, per_day: 6, learners: 8, seed: 1 };
    /// assert_eq!(simulation.clone().validate()?.learners, 8);
    /// let err = Simulation { per_day: 0, ..simulation }.validate().unwrap_err();
    /// assert!(err.to_string().contains("Simulation::per_day"));
    /// # Ok::<(), mastery::Error>(())
    /// ```
    pub fn validate(self) -> Result<ValidSimulation> {
        for (what, value) in [
            ("Simulation::budget", self.budget),
            ("Simulation::per_day", self.per_day),
            ("Simulation::learners", self.learners),
        ] {
            if value == 0 {
                return Err(invalid(what, "at least 1", 0.0));
            }
        }
        self.population.clone().validate()?;
        Ok(ValidSimulation(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::LearnerModel;

    fn message(population: Population) -> String {
        population.validate().unwrap_err().to_string()
    }

    #[test]
    fn each_invalid_population_field_is_named() {
        let good = Population::new(LearnerModel::Gated);
        assert!(good.clone().validate().is_ok());
        for (ability, end) in [
            ((0.0, 2.0), "ability.0"),
            ((-1.0, 2.0), "ability.0"),
            ((f64::NAN, 2.0), "ability.0"),
            ((0.5, f64::INFINITY), "ability.1"),
            ((2.0, 0.5), "ability.1"),
        ] {
            let m = message(Population {
                ability,
                ..good.clone()
            });
            assert!(m.contains(end), "{m}");
        }
        for start in [(-0.1, 0.5), (0.5, 1.1), (0.9, 0.4), (f64::NAN, 0.5)] {
            let m = message(Population {
                start,
                ..good.clone()
            });
            assert!(m.contains("Population::start"), "{m}");
        }
        for prior_beyond in [-0.01, 1.01, f64::NAN] {
            let m = message(Population {
                prior_beyond,
                ..good.clone()
            });
            assert!(m.contains("Population::prior_beyond"), "{m}");
        }
        for half_life_days in [0.0, -3.0, f64::NAN] {
            let m = message(Population {
                half_life_days,
                ..good.clone()
            });
            assert!(m.contains("Population::half_life_days"), "{m}");
        }
        // Edges that are valid: a single ability, a start at 0 or 1, no forgetting.
        let edges = Population {
            ability: (1.0, 1.0),
            start: (0.0, 1.0),
            prior_beyond: 1.0,
            half_life_days: f64::INFINITY,
            ..good
        };
        assert!(edges.validate().is_ok());
    }

    #[test]
    fn zero_sizes_and_bad_populations_are_simulation_errors() {
        let good = Simulation {
            population: Population::new(LearnerModel::Bkt),
            budget: 10,
            per_day: 2,
            learners: 3,
            seed: 0,
        };
        assert!(good.clone().validate().is_ok());
        for (bad, field) in [
            (
                Simulation {
                    budget: 0,
                    ..good.clone()
                },
                "budget",
            ),
            (
                Simulation {
                    per_day: 0,
                    ..good.clone()
                },
                "per_day",
            ),
            (
                Simulation {
                    learners: 0,
                    ..good.clone()
                },
                "learners",
            ),
        ] {
            let m = bad.validate().unwrap_err().to_string();
            assert!(m.contains(&format!("Simulation::{field}")), "{m}");
        }
        let mut population = Population::new(LearnerModel::Bkt);
        population.ability = (0.0, 1.0);
        let m = Simulation { population, ..good }
            .validate()
            .unwrap_err()
            .to_string();
        assert!(m.contains("Population::ability"), "{m}");
    }
}
