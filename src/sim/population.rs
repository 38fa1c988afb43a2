//! The population simulated learners are drawn from, and one simulated
//! learner's hidden truth: how it answers, learns and forgets.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

use super::{Adaptive, Context, Policy};
use crate::catalog::ActivityIdx;
use crate::curriculum::{StandardIdx, StandardSet};
use crate::error::Result;
use crate::evidence::{Evidence, Outcome};
use crate::learner::LearnerState;
use crate::model::{Decay, Model};

/// How simulated learners learn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LearnerModel {
    /// BKT per standard with per-learner ability.
    Bkt,
    /// BKT, but learning is ten times less likely while a prerequisite is
    /// unknown ([`LearnerModel::prerequisite_gating`]).
    Gated,
}

/// How many times as likely learning is for a [`LearnerModel::Gated`]
/// learner while a direct prerequisite of the standard is unknown.
const GATED_LEARNING: f64 = 0.1;

impl LearnerModel {
    /// The model's name: `bkt` or `gated`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            LearnerModel::Bkt => "bkt",
            LearnerModel::Gated => "gated",
        }
    }

    /// The factor learning is multiplied by while a direct prerequisite of
    /// the standard is unknown: 1 for [`LearnerModel::Bkt`], 0.1 for
    /// [`LearnerModel::Gated`]. Give it to the model that predicts for
    /// these learners
    /// ([`ModelBuilder::prerequisite_gating`](crate::ModelBuilder::prerequisite_gating))
    /// for paths and forecasts with the simulator's parameters.
    ///
    /// ```
    /// use mastery::sim::LearnerModel;
    ///
    /// assert_eq!(LearnerModel::Bkt.prerequisite_gating(), 1.0);
    /// assert_eq!(LearnerModel::Gated.prerequisite_gating(), 0.1);
    /// ```
    #[must_use]
    pub fn prerequisite_gating(self) -> f64 {
        match self {
            LearnerModel::Bkt => 1.0,
            LearnerModel::Gated => GATED_LEARNING,
        }
    }
}

/// One simulated learner's hidden truth.
#[derive(Debug, Clone)]
pub struct SimLearner {
    known: StandardSet,
    ability: f64,
    rng: Xoshiro256PlusPlus,
}

/// The population simulated learners are drawn from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Population {
    /// How they learn.
    pub model: LearnerModel,
    /// Ability is drawn log-uniformly between these multipliers of the learn rate.
    pub ability: (f64, f64),
    /// Each learner knows the curriculum's order up to a point drawn uniformly
    /// from this range of fractions of the standards needed for the targets;
    /// beyond it, a standard is known with `prior_beyond`.
    pub start: (f64, f64),
    /// The chance of knowing a standard beyond the starting point.
    pub prior_beyond: f64,
    /// The true half-life of knowledge without practice, in days.
    pub half_life_days: f64,
}

impl Population {
    /// A population with abilities between 0.5x and 2x, starting between 40%
    /// and 90% of the way, 5% chance of knowing later standards, a one-year
    /// half-life.
    #[must_use]
    pub fn new(model: LearnerModel) -> Self {
        Population {
            model,
            ability: (0.5, 2.0),
            start: (0.4, 0.9),
            prior_beyond: 0.05,
            half_life_days: 365.0,
        }
    }

    /// The forgetting a model fitted to this population would find: the true
    /// half-life, constant (no growth with spaced practice, no lapse). A
    /// model that does not expect forgetting cannot schedule reviews.
    ///
    /// # Errors
    /// [`Error::InvalidValue`](crate::Error::InvalidValue) if the half-life is not positive and finite.
    ///
    /// ```
    /// use mastery::sim::{LearnerModel, Population};
    ///
    /// let decay = Population::new(LearnerModel::Bkt).decay()?;
    /// assert_eq!(decay.half_life_days(), 365.0);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    pub fn decay(&self) -> Result<Decay> {
        Decay::new(self.half_life_days, 0.0, 1.0, self.half_life_days.min(1.0))
    }
}
impl SimLearner {
    /// Learner `index` of `population` for `model`, deterministic by `seed`.
    /// O(standards) for the prerequisite closure of `targets`.
    ///
    /// The population is not checked here (the simulator's entry points
    /// check it with [`Population::validate`] first); an ability bound that
    /// is not a positive, finite number is taken as the nearest one (as the
    /// crate's log-uniform draws do), so the ability is never NaN.
    #[must_use]
    pub fn draw(
        model: &Model,
        population: &Population,
        targets: &StandardSet,
        seed: u64,
        index: usize,
    ) -> Self {
        let curriculum = model.curriculum();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(
            seed ^ (index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15),
        );
        let ability = crate::stats::log_uniform(&mut rng, population.ability);
        let closure = curriculum.prerequisite_closure(targets).unwrap_or_default();
        let order: Vec<StandardIdx> = curriculum.in_order(&closure);
        let start =
            population.start.0 + rng.random::<f64>() * (population.start.1 - population.start.0);
        let cut = (start * order.len() as f64) as usize;
        let mut known = StandardSet::with_capacity(curriculum.len());
        for (p, &s) in order.iter().enumerate() {
            if p < cut || rng.random::<f64>() < population.prior_beyond {
                known.insert(s);
            }
        }
        SimLearner {
            known,
            ability,
            rng,
        }
    }

    /// The learner's ability: the multiplier of its learn rates, drawn
    /// log-uniformly from the population's range.
    #[must_use]
    pub fn ability(&self) -> f64 {
        self.ability
    }

    /// Whether the learner truly knows `standard`.
    #[must_use]
    pub fn knows(&self, standard: StandardIdx) -> bool {
        self.known.contains(standard)
    }

    /// Does an activity: answers (guess/slip on the conjunction of its
    /// standards), then maybe learns each standard. Returns whether the answer was correct.
    /// O(the activity's standards x their prerequisites).
    pub fn practice(
        &mut self,
        model: &Model,
        population: &Population,
        activity: ActivityIdx,
    ) -> bool {
        let curriculum = model.curriculum();
        let standards = model.catalog().alignment(activity);
        let answer = model.activity_answer(activity);
        let knows_all = standards.iter().all(|&s| self.known.contains(s));
        let correct = if knows_all {
            self.rng.random::<f64>() >= answer.slip()
        } else {
            self.rng.random::<f64>() < answer.guess()
        };
        for &s in standards {
            if self.known.contains(s) {
                continue;
            }
            let learn = model
                .activity_learn(activity)
                .unwrap_or_else(|| model.all_params()[s.index()].learn());
            let mut p = (learn * self.ability).min(1.0);
            if population.model.prerequisite_gating() < 1.0
                && curriculum
                    .prerequisites(s)
                    .unwrap_or_default()
                    .iter()
                    .any(|&q| !self.known.contains(q))
            {
                p *= population.model.prerequisite_gating();
            }
            if self.rng.random::<f64>() < p {
                self.known.insert(s);
            }
        }
        correct
    }

    /// Does `activity` at `now` as [`SimLearner::practice`] does (under
    /// `truth`) and applies the answer to `estimate`, the system's view of
    /// this learner under `model`. Returns whether the answer was correct.
    pub(crate) fn answer(
        &mut self,
        truth: &Model,
        model: &Model,
        population: &Population,
        estimate: &mut LearnerState,
        activity: ActivityIdx,
        now: i64,
    ) -> Result<bool> {
        let correct = self.practice(truth, population, activity);
        let id = model
            .catalog()
            .get(activity)
            .map_or_else(String::new, |a| a.id().to_owned());
        estimate.apply(
            model,
            &Evidence::on_activity(
                estimate.learner().to_owned(),
                id,
                Outcome::from_correct(correct),
                now,
            )?,
        )?;
        Ok(correct)
    }

    /// Does the crate's top recommendation toward `targets` at `now` (see
    /// [`SimLearner::answer`]) and records it in `history`; `None` when the
    /// recommender has nothing to offer.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn take_recommended(
        &mut self,
        truth: &Model,
        model: &Model,
        population: &Population,
        estimate: &mut LearnerState,
        targets: &StandardSet,
        history: &mut Vec<(ActivityIdx, bool)>,
        now: i64,
        rng: &mut dyn rand::Rng,
    ) -> Result<Option<ActivityIdx>> {
        let context = Context {
            model,
            estimate,
            targets,
            now,
            history,
        };
        let Some(activity) = Adaptive.next(&context, rng) else {
            return Ok(None);
        };
        let correct = self.answer(truth, model, population, estimate, activity, now)?;
        history.push((activity, correct));
        Ok(Some(activity))
    }

    /// Forgets over `days` without practice: each known standard is lost with
    /// probability `1 - 2^(-days / half_life)`. O(standards known).
    pub fn forget(&mut self, population: &Population, days: f64) {
        let p = 1.0 - (-days / population.half_life_days).exp2();
        let known: Vec<StandardIdx> = self.known.iter().collect();
        for s in known {
            if self.rng.random::<f64>() < p {
                self.known.remove(s);
            }
        }
    }
}
