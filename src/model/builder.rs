//! Building a model: parameters by default, per grade, domain or standard, from a fit; checked once, at build.

use super::*;

/// Per-standard parameters, applied in the order given (later ones win).
#[derive(Debug, Clone)]
pub(super) enum ParamSource {
    Standard(String, BktParams),
    Skills(SkillParams, SkillMap),
}

/// Builds a [`Model`]; see [`Model::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct ModelBuilder {
    pub(super) curriculum: Curriculum,
    pub(super) catalog: Option<Catalog>,
    pub(super) default_params: BktParams,
    pub(super) standard_params: Vec<ParamSource>,
    pub(super) activity_answers: Vec<(String, GuessSlip)>,
    pub(super) decay: Option<Decay>,
    pub(super) propagation: Propagation,
    pub(super) levels: LevelThresholds,
    pub(super) source_weights: SourceWeights,
    pub(super) activity_learn: Vec<(String, f64)>,
    pub(super) ability: Option<AbilityParams>,
    pub(super) prerequisite_gating: f64,
}

impl ModelBuilder {
    /// Learner ability (off by default): each learner's answers, starting
    /// knowledge and learning are shifted by an ability estimated online
    /// from their own answers ([`Ability`]); see
    /// [`fit_ability`](crate::fit::fit_ability) to choose the parameters
    /// from a log.
    ///
    /// ```
    /// use mastery::{AbilityParams, Curriculum, LearnerState, Model, Outcome};
    ///
    /// let model = Model::builder(Curriculum::ccss_math())
    ///     .ability(Some(AbilityParams::new(0.85, 1.0)?))
    ///     .build()?;
    /// let mut ada = LearnerState::new(&model, "ada")?;
    /// for id in ["K.CC.A.1", "K.CC.A.2", "K.CC.A.3"] {
    ///     ada.apply_outcome(&model, id, Outcome::Correct, 1_700_000_000)?;
    /// }
    /// let ability = ada.ability(&model).expect("ability is on");
    /// assert!(ability.mean() > 0.0);
    /// // Her untouched standards start higher than the typical learner's prior.
    /// assert!(ada.mastery(&model, "3.NF.A.1")? > model.params("3.NF.A.1")?.prior());
    /// # Ok::<(), mastery::Error>(())
    /// ```
    pub fn ability(mut self, ability: Option<AbilityParams>) -> Self {
        self.ability = ability;
        self
    }

    /// Prerequisite gating (default 1: none): learning a standard is
    /// `factor` times as likely while one of its direct prerequisites is not
    /// known, as for learners who cannot build on what they lack (the
    /// simulator's gated learners have 0.1: `sim::LearnerModel::prerequisite_gating`).
    ///
    /// Learning paths ([`Recommender::path_to`](crate::recommend::Recommender::path_to),
    /// goal plans) and forecasts use it: in each simulated learner, a
    /// prerequisite the path takes as known without a step (mastered, or
    /// implied by a mastered standard) is truly known with the chance its
    /// estimate gives, an earlier step as that step's draw ended, and a step
    /// learns `factor` times as fast while any of its direct prerequisites
    /// is not known. The online update of a learner's estimates
    /// ([`LearnerState`](crate::LearnerState)) does not use it: an estimate
    /// moves with the standard's own learn rate whatever the prerequisites'
    /// estimates are. At 1 paths and forecasts are exactly as without it.
    ///
    /// ```
    /// use mastery::{BktParams, Curriculum, LearnerState, Model, Outcome, Propagation};
    /// use mastery::recommend::Recommender;
    ///
    /// // A is a prerequisite of B and of C.
    /// let curriculum = Curriculum::builder()
    ///     .standard_ids(["A", "B", "C"])?
    ///     .prerequisite("A", "B")
    ///     .prerequisite("A", "C")
    ///     .build()?;
    /// let builder = Model::builder(curriculum)
    ///     .default_params(BktParams::new(0.1, 0.15, 0.0, 0.2, 0.1)?)
    ///     .propagation(Propagation::off());
    /// let plain = builder.clone().build()?;
    /// let gated = builder.clone().prerequisite_gating(0.1).build()?;
    /// assert_eq!((plain.prerequisite_gating(), gated.prerequisite_gating()), (1.0, 0.1));
    ///
    /// // Ada masters B: A counts as known without a step, but its estimate is
    /// // the prior, so she likely does not know it, and C takes longer.
    /// let now = 1_700_000_000;
    /// let path_to_c = |model: &Model| -> Result<u32, mastery::Error> {
    ///     let mut ada = LearnerState::new(model, "ada")?;
    ///     for i in 0..8 {
    ///         ada.apply_outcome(model, "B", Outcome::Correct, now + i * 60)?;
    ///     }
    ///     Ok(Recommender::new(model).path_to(&ada, "C", now + 3_600)?.opportunities)
    /// };
    /// assert!(path_to_c(&gated)? > path_to_c(&plain)?);
    ///
    /// // A factor must be in (0, 1].
    /// assert!(builder.clone().prerequisite_gating(0.0).build().is_err());
    /// assert!(builder.prerequisite_gating(f64::NAN).build().is_err());
    /// # Ok::<(), mastery::Error>(())
    /// ```
    pub fn prerequisite_gating(mut self, factor: f64) -> Self {
        self.prerequisite_gating = factor;
        self
    }

    /// An activity's own learn rate: doing it teaches an unknown standard it
    /// is aligned to with this chance, in place of the standard's learn rate
    /// (pyBKT's multilearn). Activities that teach better then move
    /// estimates further and the recommender prefers them
    /// ([`crate::recommend`]).
    pub fn activity_learn(mut self, activity: impl Into<String>, learn: f64) -> Self {
        self.activity_learn.push((activity.into(), learn));
        self
    }

    /// Learn rates of several activities, e.g.
    /// [`crate::fit::WhatWorks::learn_rates`].
    pub fn activity_learn_rates(mut self, rates: impl IntoIterator<Item = (String, f64)>) -> Self {
        self.activity_learn.extend(rates);
        self
    }

    /// How much each source of evidence counts (default:
    /// [`SourceWeights::default`], self-reports a quarter of an answer).
    pub fn source_weights(mut self, weights: SourceWeights) -> Self {
        self.source_weights = weights;
        self
    }

    /// Parameters for every standard without its own (default: [`BktParams::default`]).
    pub fn default_params(mut self, params: BktParams) -> Self {
        self.default_params = params;
        self
    }

    /// Parameters of one standard. Per-standard parameters (this,
    /// [`skill_params`](Self::skill_params), [`mapped_skill_params`](Self::mapped_skill_params))
    /// apply in the order given: a later call wins for the same standard.
    pub fn standard_params(mut self, standard: impl Into<String>, params: BktParams) -> Self {
        self.standard_params
            .push(ParamSource::Standard(standard.into(), params));
        self
    }

    /// Parameters of every standard whose id is a skill of `params` (e.g.
    /// fitted with [`crate::fit`]: [`crate::fit::FitReport::skill_params`]).
    /// Same as [`mapped_skill_params`](Self::mapped_skill_params) with an empty
    /// [`SkillMap`]: [`build`](Self::build) fails with
    /// [`Error::UnmatchedSkills`] naming every skill that is not a standard id.
    ///
    /// Per-item guesses and slips ([`SkillParams::items`]) apply to the
    /// catalog activities with the same ids ([`Model::fitted_activities`]
    /// counts them); an [`activity_guess_slip`](Self::activity_guess_slip)
    /// override wins over them, and they win over the catalog's own values.
    pub fn skill_params(self, params: &SkillParams) -> Self {
        self.mapped_skill_params(params, &SkillMap::new())
    }

    /// Parameters fitted per skill, mapped onto standards by `map` (see
    /// [`SkillMap`]: one skill to several standards, several skills to one
    /// standard by the mean of each parameter, unmatched skills an error or
    /// listed in [`Model::ignored_skills`]).
    pub fn mapped_skill_params(mut self, params: &SkillParams, map: &SkillMap) -> Self {
        self.standard_params
            .push(ParamSource::Skills(params.clone(), map.clone()));
        self
    }

    /// The catalog whose activities evidence may name (default: none).
    pub fn catalog(mut self, catalog: Catalog) -> Self {
        self.catalog = Some(catalog);
        self
    }

    /// A guess/slip override for one activity (KT-IDEM item difficulty). It
    /// wins over fitted per-item values and the catalog's own.
    pub fn activity_guess_slip(mut self, activity: impl Into<String>, answer: GuessSlip) -> Self {
        self.activity_answers.push((activity.into(), answer));
        self
    }

    /// Forgetting over time; `None` turns it off (default: [`Decay::default`]).
    pub fn decay(mut self, decay: Option<Decay>) -> Self {
        self.decay = decay;
        self
    }

    /// Propagation along prerequisites (default: [`Propagation::default`]).
    pub fn propagation(mut self, propagation: Propagation) -> Self {
        self.propagation = propagation;
        self
    }

    /// Mastery-level thresholds (default: [`LevelThresholds::default`]).
    pub fn levels(mut self, levels: LevelThresholds) -> Self {
        self.levels = levels;
        self
    }

    /// Validates and builds the model.
    ///
    /// # Errors
    /// [`Error::UnknownStandard`] or [`Error::UnknownActivity`] for
    /// parameters of something the curriculum or catalog does not have;
    /// [`Error::UnmatchedSkills`] for fitted skills that reach no standard;
    /// [`Error::CurriculumMismatch`] for a catalog of another curriculum;
    /// [`Error::InvalidValue`] for a prerequisite gating factor outside
    /// (0, 1] or a learn rate of an activity outside [0, 1].
    pub fn build(self) -> Result<Model> {
        if !(self.prerequisite_gating > 0.0 && self.prerequisite_gating <= 1.0) {
            return Err(Error::InvalidValue {
                what: "prerequisite gating factor".into(),
                expected: "a factor in (0, 1]",
                value: self.prerequisite_gating,
            });
        }
        let catalog = match self.catalog {
            Some(c) if c.curriculum_fingerprint() != self.curriculum.fingerprint() => {
                return Err(Error::CurriculumMismatch {
                    what: "catalog",
                    expected: self.curriculum.fingerprint(),
                    found: c.curriculum_fingerprint(),
                });
            }
            Some(c) => c,
            None => Catalog::empty(&self.curriculum),
        };
        let mut params = vec![self.default_params; self.curriculum.len()];
        let mut ignored_skills = Vec::new();
        let mut fitted_items: HashMap<ActivityIdx, GuessSlip> = HashMap::new();
        for source in self.standard_params {
            match source {
                ParamSource::Standard(id, p) => {
                    params[self.curriculum.index_of(&id)?.index()] = p;
                }
                ParamSource::Skills(skill_params, map) => {
                    let (resolved, ignored) = map.resolve(&skill_params, &self.curriculum)?;
                    for (idx, p) in resolved {
                        params[idx.index()] = p;
                    }
                    for (skill, items) in &skill_params.items {
                        if ignored.contains(skill) {
                            continue;
                        }
                        for (item, answer) in items {
                            if let Ok(idx) = catalog.index_of(item) {
                                fitted_items.insert(idx, *answer);
                            }
                        }
                    }
                    ignored_skills.extend(ignored);
                }
            }
        }
        ignored_skills.sort_unstable();
        ignored_skills.dedup();
        let mut overrides: HashMap<ActivityIdx, GuessSlip> = HashMap::new();
        for (id, answer) in self.activity_answers {
            overrides.insert(catalog.index_of(&id)?, answer);
        }
        let activity_answers: Vec<GuessSlip> = (0..catalog.len())
            .map(|i| {
                let idx = ActivityIdx::new(i);
                let own = catalog
                    .get(idx)
                    .and_then(Activity::guess_slip)
                    .and_then(|(g, s)| GuessSlip::new(g, s).ok());
                overrides
                    .get(&idx)
                    .or(fitted_items.get(&idx))
                    .copied()
                    .or(own)
                    .unwrap_or_else(|| {
                        mean_answer(catalog.alignment(idx).iter().map(|s| params[s.index()]))
                    })
            })
            .collect();
        let mut activity_learn = vec![None; catalog.len()];
        for (id, learn) in self.activity_learn {
            if !(0.0..=1.0).contains(&learn) {
                return Err(Error::InvalidValue {
                    what: format!("learn rate of activity `{id}`"),
                    expected: "a probability in [0, 1]",
                    value: learn,
                });
            }
            activity_learn[catalog.index_of(&id)?.index()] = Some(learn);
        }
        let identity = self.curriculum.indices().collect();
        let ability = self
            .ability
            .map(|p| (p, Logits::of(&params, &activity_answers)));
        Ok(Model {
            identity,
            curriculum: self.curriculum,
            catalog,
            params,
            activity_answers,
            decay: self.decay,
            propagation: self.propagation,
            levels: self.levels,
            source_weights: self.source_weights,
            activity_learn,
            ignored_skills,
            fitted_activities: fitted_items.len(),
            ability,
            prerequisite_gating: self.prerequisite_gating,
        })
    }
}

/// The mean guess and mean slip: still `guess + slip < 1` since each pair is.
pub(super) fn mean_answer(params: impl Iterator<Item = BktParams>) -> GuessSlip {
    let (mut g, mut s, mut n) = (0.0, 0.0, 0.0);
    for p in params {
        g += p.guess();
        s += p.slip();
        n += 1.0;
    }
    if n == 0.0 {
        return BktParams::default().guess_slip();
    }
    GuessSlip::new(g / n, s / n).unwrap_or_else(|_| BktParams::default().guess_slip())
}
