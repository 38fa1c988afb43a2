//! The estimator that turns evidence into mastery: Bayesian Knowledge
//! Tracing per standard, forgetting over time, and propagation along the
//! prerequisite graph.
//!
//! # The update
//!
//! For evidence on a standard with mastery estimate `p` (decayed to the
//! evidence's time, see [`Decay`]):
//!
//! 1. **Evidence**: Bayes' rule with the answer model's likelihoods
//!    ([`GuessSlip::likelihoods`]) gives the posterior `P(L | o)`.
//! 2. **Transition**: `P(L') = P(L | o)(1 - F) + (1 - P(L | o))T`, the
//!    estimate for the next opportunity. This is pyBKT's forward pass.
//! 3. **Propagation** (below) updates the standards around it.
//!
//! # Activities aligned to several standards
//!
//! The credit-assignment rule is conjunctive (a noisy AND): the activity is
//! answered correctly with probability `1 - S` if every aligned standard is
//! known and `G` otherwise, with the activity's guess/slip (its KT-IDEM
//! override, or else the mean guess and slip of the aligned standards).
//! Standards are taken as independent a priori, so for standard `i` with
//! `Q_i` the product of the other standards' estimates,
//! `P(o | L_i) = a·Q_i + b·(1 - Q_i)` and `P(o | not L_i) = b`, where
//! `a`, `b` are the activity's likelihoods when all are known or not. This
//! is the exact marginal of the joint posterior (tests check it against
//! enumeration of all `2^k` states). A correct answer raises every aligned
//! standard, most the one most likely missing; an incorrect answer lowers
//! them, most the weakest.
//!
//! # Propagation along prerequisites
//!
//! After Käser, Klingler, Schwing & Gross (2014), "Beyond Knowledge Tracing:
//! Modeling Skill Topologies with Bayesian Networks": a standard is unlikely
//! to be known while its prerequisites are not. Each edge `A -> B` gets the
//! conditional `P(B known | A known) = p_B`, `P(B known | A not known) =
//! (1 - strength)·p_B`. The evidence `o` on `B`, with likelihoods `(l1, l0)`,
//! then has the likelihoods for `A`
//!
//! ```text
//! P(o | A)     = p_B·l1 + (1 - p_B)·l0
//! P(o | not A) = (1 - strength)·p_B·l1 + (1 - (1 - strength)·p_B)·l0
//! ```
//!
//! and `A` is updated by Bayes' rule; the same step carries on to `A`'s
//! prerequisites, up to [`Propagation::max_depth`] edges. The difference of
//! the two likelihoods is `strength·p_B·(l1 - l0)`: it has the sign of the
//! evidence, so a correct answer never lowers a prerequisite and an
//! incorrect one never raises it, and it shrinks with every edge.
//!
//! Dependents learn more weakly: for a dependent `d` edges away the evidence
//! counts with likelihoods `(l1^w, l0^w)`, `w = dependent_weight^d` (a
//! tempered likelihood), so success on a prerequisite makes its dependents a
//! little more likely and failure a little less. Each standard is updated at
//! most once per piece of evidence (by the nearest attempted standard); the
//! graph's standards are treated as independent given the attempted one, an
//! approximation of the full network that keeps an update local and fast.
//! Propagated standards get no learn/forget transition: they were not
//! practiced. [`Propagation::off`] gives plain BKT.
//!
//! # Learner ability
//!
//! Off by default ([`ModelBuilder::ability`]). When on, every learner carries
//! an ability estimate ([`Ability`], a logistic offset in the spirit of
//! Khajah, Lindsey & Mozer 2016): it shifts the learner's guess and
//! `1 - slip` on every standard, and (weighted) the prior of standards the
//! learner has not practiced and the learn rate of each opportunity. It
//! starts at the population's and moves with every answer, in O(1), so the
//! first answers of a new learner already tell a fast learner from a slow
//! one. Plain BKT assumes every learner is the typical one; use ability
//! when learners differ (they do in school data: on ASSISTments 2009 it
//! raises test AUC from 0.713 to 0.735, `examples/fit --ability`), and
//! choose its parameters from a log with
//! [`fit_ability`](crate::fit::fit_ability). Costs: two numbers per saved
//! state and a few logistic evaluations per update.

mod ability;
mod builder;
mod params;
mod propagation;
mod skills;
mod sources;

use std::collections::HashMap;

pub use ability::{
    Ability, AbilityParams, HistoryStep, MAX_ABILITY, ability_log_posterior, batch_ability,
    individual_answer,
};
pub(crate) use ability::{AnswerLogits, Rate};
pub(crate) use params::posterior;
pub use params::{
    BktParams, Decay, GuessSlip, LevelThresholds, MasteryLevel, Propagation, SkillParams,
};
pub use propagation::ChangeCause;
pub(crate) use propagation::{MasteryAccess, PropagationScratch, PropagationSource, propagate};
pub use skills::SkillMap;
pub use sources::SourceWeights;
pub(crate) use sources::{is_opportunity, temper};

use crate::catalog::{Activity, ActivityIdx, Catalog};
use crate::curriculum::{Curriculum, StandardIdx, StandardKey};
use crate::error::{Error, Result};
use crate::evidence::{Outcome, Target};

#[cfg(test)]
mod tests;

pub use builder::ModelBuilder;
use builder::mean_answer;

/// A target's standard or activity index in a model (see [`Model::target_index`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TargetIdx {
    Standard(StandardIdx),
    Activity(ActivityIdx),
}

/// A resolved target: the standards it is aligned to and its answer model.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Resolved<'m> {
    pub(crate) standards: &'m [StandardIdx],
    pub(crate) answer: GuessSlip,
    /// `answer` on the logit scale, when the model has ability on.
    pub(crate) logits: Option<AnswerLogits>,
    /// The activity's own learn rate, replacing its standards' (multilearn).
    pub(crate) learn: Option<f64>,
}

/// The mastery model of a curriculum: BKT parameters per standard, the
/// catalog with per-activity guess/slip overrides, decay over time,
/// propagation, and mastery-level thresholds.
///
/// ```
/// use mastery::{BktParams, Curriculum, Decay, Model, Propagation};
///
/// let model = Model::builder(Curriculum::ccss_math())
///     .default_params(BktParams::new(0.2, 0.15, 0.0, 0.2, 0.1)?)
///     .standard_params("3.NF.A.1", BktParams::new(0.1, 0.2, 0.0, 0.25, 0.1)?)
///     .decay(Some(Decay::default()))
///     .propagation(Propagation::default())
///     .build()?;
/// assert_eq!(model.params("3.NF.A.1")?.prior(), 0.1);
/// assert_eq!(model.params("3.NF.A.2")?.prior(), 0.2);
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Model {
    curriculum: Curriculum,
    catalog: Catalog,
    params: Vec<BktParams>,
    activity_answers: Vec<GuessSlip>,
    decay: Option<Decay>,
    propagation: Propagation,
    levels: LevelThresholds,
    source_weights: SourceWeights,
    activity_learn: Vec<Option<f64>>,
    /// `identity[i] == StandardIdx(i)`, to lend one-element alignments.
    identity: Vec<StandardIdx>,
    /// Fitted skills left out by [`SkillMap::ignore_unmatched`], sorted.
    ignored_skills: Vec<String>,
    /// Activities whose guess and slip came from fitted items.
    fitted_activities: usize,
    /// Learner ability, when on, with the logits its shifts start from.
    ability: Option<(AbilityParams, Logits)>,
    /// How much less likely learning is while a prerequisite is not known
    /// (1: not at all); used by paths and forecasts only.
    prerequisite_gating: f64,
}

/// The logits of every standard's answer model, prior and learn rate, and
/// of every activity's answer model.
#[derive(Debug, Clone)]
struct Logits {
    standards: Vec<StandardLogits>,
    activities: Vec<AnswerLogits>,
}

/// One standard's parameters on the logit scale.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StandardLogits {
    pub(crate) answer: AnswerLogits,
    pub(crate) prior: Rate,
    pub(crate) learn: Rate,
}

impl Logits {
    fn of(params: &[BktParams], activity_answers: &[GuessSlip]) -> Self {
        Logits {
            standards: params
                .iter()
                .map(|p| StandardLogits {
                    answer: AnswerLogits::of(p.guess(), p.slip()),
                    prior: Rate::of(p.prior()),
                    learn: Rate::of(p.learn()),
                })
                .collect(),
            activities: activity_answers
                .iter()
                .map(|a| AnswerLogits::of(a.guess(), a.slip()))
                .collect(),
        }
    }
}

impl Model {
    /// A builder for a model of `curriculum`, with default parameters,
    /// default decay and propagation, and no catalog.
    pub fn builder(curriculum: Curriculum) -> ModelBuilder {
        ModelBuilder {
            curriculum,
            catalog: None,
            default_params: BktParams::default(),
            standard_params: Vec::new(),
            activity_answers: Vec::new(),
            decay: Some(Decay::default()),
            propagation: Propagation::default(),
            levels: LevelThresholds::default(),
            source_weights: SourceWeights::default(),
            activity_learn: Vec::new(),
            ability: None,
            prerequisite_gating: 1.0,
        }
    }

    /// Plain BKT: the given parameters per standard id, defaults elsewhere,
    /// no decay, no propagation. What pyBKT computes.
    ///
    /// # Errors
    /// [`Error::UnknownStandard`] for parameters of an unknown standard.
    pub fn plain_bkt(
        curriculum: Curriculum,
        params: impl IntoIterator<Item = (String, BktParams)>,
    ) -> Result<Self> {
        let mut builder = Model::builder(curriculum)
            .decay(None)
            .propagation(Propagation::off());
        for (id, p) in params {
            builder = builder.standard_params(id, p);
        }
        builder.build()
    }

    /// The curriculum.
    #[must_use]
    pub fn curriculum(&self) -> &Curriculum {
        &self.curriculum
    }

    /// The catalog.
    #[must_use]
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Adds one activity to the model's catalog without rebuilding the model:
    /// only the new activity is validated (see [`Catalog::push`]), and its
    /// answer model is its own guess/slip or else the mean of its standards'.
    /// On error the model is unchanged. A model shared behind an `Arc` is
    /// changed with `Arc::make_mut` (a copy if other references exist) or
    /// rebuilt into a new `Arc`; states and evidence stay valid.
    ///
    /// ```
    /// use mastery::{Activity, ActivityKind, Curriculum, Evidence, LearnerState, Model, Outcome};
    ///
    /// let mut model = Model::builder(Curriculum::ccss_math()).build()?;
    /// model.add_activity(Activity::new("ruler-fractions", ActivityKind::Practice).aligned_to("3.NF.A.2"))?;
    /// let mut ada = LearnerState::new(&model, "ada")?;
    /// ada.apply(&model, &Evidence::on_activity("ada", "ruler-fractions", Outcome::Correct, 0)?)?;
    /// assert!(ada.mastery(&model, "3.NF.A.2")? > 0.2);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Catalog::push`].
    pub fn add_activity(&mut self, activity: Activity) -> Result<ActivityIdx> {
        let own = activity
            .guess_slip()
            .and_then(|(g, s)| GuessSlip::new(g, s).ok());
        let idx = self.catalog.push(&self.curriculum, activity)?;
        let answer = own.unwrap_or_else(|| {
            mean_answer(
                self.catalog
                    .alignment(idx)
                    .iter()
                    .map(|s| self.params[s.index()]),
            )
        });
        self.activity_answers.push(answer);
        if let Some((_, logits)) = &mut self.ability {
            logits
                .activities
                .push(AnswerLogits::of(answer.guess(), answer.slip()));
        }
        Ok(idx)
    }

    /// The model with one more activity; see [`Model::add_activity`].
    ///
    /// # Errors
    /// As [`Catalog::push`].
    pub fn with_activity(mut self, activity: Activity) -> Result<Self> {
        self.add_activity(activity)?;
        Ok(self)
    }

    /// The BKT parameters of a standard.
    ///
    /// # Errors
    /// As [`StandardKey::resolve`].
    pub fn params(&self, standard: impl StandardKey) -> Result<&BktParams> {
        Ok(&self.params[standard.resolve(&self.curriculum)?.index()])
    }

    /// The BKT parameters of every standard, by index.
    #[must_use]
    pub fn all_params(&self) -> &[BktParams] {
        &self.params
    }

    /// Fitted skills that reached no standard and were ignored
    /// ([`SkillMap::ignore_unmatched`]), sorted. Empty unless asked for.
    #[must_use]
    pub fn ignored_skills(&self) -> &[String] {
        &self.ignored_skills
    }

    /// How many catalog activities answer with a guess and slip fitted per
    /// item ([`SkillParams::items`], matched by activity id): 0 when the
    /// fit's item ids (e.g. a log's problem ids) are not activity ids.
    #[must_use]
    pub fn fitted_activities(&self) -> usize {
        self.fitted_activities
    }

    /// The decay over time, if on.
    #[must_use]
    pub fn decay(&self) -> Option<&Decay> {
        self.decay.as_ref()
    }

    /// The propagation settings.
    #[must_use]
    pub fn propagation(&self) -> &Propagation {
        &self.propagation
    }

    /// Learner ability's parameters, when ability is on.
    #[must_use]
    pub fn ability(&self) -> Option<&AbilityParams> {
        self.ability.as_ref().map(|(p, _)| p)
    }

    /// The prerequisite gating factor (1 when off): learning a standard is
    /// this many times as likely while one of its direct prerequisites is
    /// not known. See [`ModelBuilder::prerequisite_gating`]: learning paths
    /// and forecasts use it, the online update of estimates does not.
    #[must_use]
    pub fn prerequisite_gating(&self) -> f64 {
        self.prerequisite_gating
    }

    /// The mastery-level thresholds.
    #[must_use]
    pub fn levels(&self) -> &LevelThresholds {
        &self.levels
    }

    /// How much each source of evidence counts.
    #[must_use]
    pub fn source_weights(&self) -> &SourceWeights {
        &self.source_weights
    }

    pub(crate) fn resolve(&self, target: &Target) -> Result<Resolved<'_>> {
        Ok(self.resolve_index(self.target_index(target)?))
    }

    /// The index of a target's standard or activity: the one string look-up
    /// of [`Model::resolve`], for callers that resolve it again later.
    pub(crate) fn target_index(&self, target: &Target) -> Result<TargetIdx> {
        Ok(match target {
            Target::Standard(id) => TargetIdx::Standard(self.curriculum.index_of(id)?),
            Target::Activity(id) => TargetIdx::Activity(self.catalog.index_of(id)?),
        })
    }

    /// A target by index (from [`Model::target_index`] of this model).
    pub(crate) fn resolve_index(&self, target: TargetIdx) -> Resolved<'_> {
        match target {
            TargetIdx::Standard(idx) => self.resolve_standard(idx),
            TargetIdx::Activity(idx) => Resolved {
                standards: self.catalog.alignment(idx),
                answer: self.activity_answer(idx),
                logits: self.activity_logits(idx),
                learn: self.activity_learn(idx),
            },
        }
    }

    /// The answer model (guess and slip) of an activity of the catalog: its
    /// KT-IDEM override, else its own, else the mean of its standards'.
    pub fn activity_answer(&self, activity: ActivityIdx) -> GuessSlip {
        self.activity_answers
            .get(activity.index())
            .copied()
            .unwrap_or_else(|| BktParams::default().guess_slip())
    }

    pub(crate) fn resolve_standard(&self, idx: StandardIdx) -> Resolved<'_> {
        // A one-element slice borrowed from the model, so that a standard and
        // an activity resolve to the same shape without allocating.
        let i = idx.index();
        let answer = self.params[idx.index()].guess_slip();
        Resolved {
            standards: &self.identity[i..i + 1],
            answer,
            logits: self.standard_logits(idx).map(|l| l.answer),
            learn: None,
        }
    }

    /// An activity's answer model on the logit scale (with ability on).
    pub(crate) fn activity_logits(&self, activity: ActivityIdx) -> Option<AnswerLogits> {
        self.ability
            .as_ref()?
            .1
            .activities
            .get(activity.index())
            .copied()
    }

    /// The learn rate of an opportunity on `standard` as the online update
    /// takes it: the activity's own (`own`) or the standard's, shifted by
    /// `belief` with ability on; `None` for the standard's own rate.
    pub(crate) fn opportunity_learn(
        &self,
        standard: StandardIdx,
        own: Option<f64>,
        belief: Option<Ability>,
    ) -> Option<f64> {
        match (self.ability(), belief) {
            (Some(p), Some(belief)) => Some(match (own, self.standard_logits(standard)) {
                (Some(own), _) => p.shift(own, belief.mean()),
                (None, Some(logits)) => p.shift_rate(logits.learn, belief.mean()),
                (None, None) => self.params[standard.index()].learn(),
            }),
            _ => own,
        }
    }

    /// A standard's prior and learn rate on the logit scale (with ability on).
    pub(crate) fn standard_logits(&self, idx: StandardIdx) -> Option<&StandardLogits> {
        self.ability.as_ref()?.1.standards.get(idx.index())
    }

    /// The learn rate of an activity, if it has its own (from
    /// [`ModelBuilder::activity_learn`], e.g. fitted with
    /// [`crate::fit::what_works`]): the chance that doing it teaches an
    /// unknown standard it is aligned to, in place of the standard's.
    #[must_use]
    pub fn activity_learn(&self, activity: ActivityIdx) -> Option<f64> {
        self.activity_learn.get(activity.index()).copied().flatten()
    }
}

/// The posterior of each standard of a conjunctive activity (see the module
/// docs), before transitions, and each standard's own likelihoods
/// `(P(o | L_i), P(o | not L_i))` for propagation.
pub(crate) fn conjunctive_update(
    mastery: &[f64],
    answer: GuessSlip,
    outcome: Outcome,
    weight: f64,
    out: &mut Vec<(f64, f64, f64)>,
) {
    let (all, not_all) = temper(answer.likelihoods(outcome), weight);
    let k = mastery.len();
    out.clear();
    // Product of the others' estimates by prefix and suffix products: no division by a zero estimate.
    let mut suffix = vec![1.0; k + 1];
    for i in (0..k).rev() {
        suffix[i] = suffix[i + 1] * mastery[i];
    }
    let mut prefix = 1.0;
    for i in 0..k {
        let others = prefix * suffix[i + 1];
        let known = all * others + not_all * (1.0 - others);
        out.push((posterior(mastery[i], known, not_all), known, not_all));
        prefix *= mastery[i];
    }
}
