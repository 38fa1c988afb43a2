//! Validated model parameters: BKT per standard, decay over time,
//! propagation along prerequisites, and mastery-level thresholds.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::evidence::Outcome;

mod bkt;
mod decay;
mod levels;
mod skill;

pub use bkt::*;
pub use decay::*;
pub use levels::*;
pub use skill::*;

fn check_probability(what: &str, value: f64) -> Result<f64> {
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(Error::InvalidValue {
            what: what.to_owned(),
            expected: "a probability in [0, 1]",
            value,
        })
    }
}

fn check_guess_slip(guess: f64, slip: f64) -> Result<()> {
    check_probability("guess", guess)?;
    check_probability("slip", slip)?;
    if guess + slip >= 1.0 {
        return Err(Error::InvalidValue {
            what: format!("guess + slip (guess {guess}, slip {slip})"),
            expected: "below 1, or a correct answer would lower mastery",
            value: guess + slip,
        });
    }
    Ok(())
}
