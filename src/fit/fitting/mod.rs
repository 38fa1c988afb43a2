//! Fitting every skill of a dataset: settings, restarts, parallelism,
//! results, and one-step-ahead prediction with the fitted parameters.

use std::sync::atomic::{AtomicUsize, Ordering};

use rand::{RngExt, SeedableRng};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::blocks::SequenceBlocks;
use super::dataset::{Dataset, SkillData};
use super::em::{Bounds, ExpectedCounts, HmmParams};
use crate::error::{Error, Result};
use crate::model::{BktParams, GuessSlip, SkillParams};

mod algorithm;
mod hyperparams;
mod report;

pub use algorithm::*;
pub use hyperparams::*;
pub use report::*;
