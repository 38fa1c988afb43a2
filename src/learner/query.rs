//! Estimates from a state: mastery now and at a time, levels, predictions,
//! the learner's ability.

use super::*;

impl LearnerState {
    /// The estimate after the standard's last evidence, without decay.
    ///
    /// # Errors
    /// [`Error::CurriculumMismatch`], or as [`StandardKey::resolve`].
    pub fn mastery(&self, model: &Model, standard: impl StandardKey) -> Result<f64> {
        self.check(model)?;
        Ok(self.stored(model, standard.resolve(model.curriculum())?))
    }

    /// The estimate after the last evidence, or the model's prior if none
    /// reached it (this learner's, with ability on).
    pub(super) fn stored(&self, model: &Model, standard: StandardIdx) -> f64 {
        let i = standard.index();
        if self.evidenced.contains(i) {
            self.mastery[i].get()
        } else {
            let prior = model.all_params()[i].prior();
            // The model keeps the logits exactly when ability is on.
            match (self.individual(model), model.standard_logits(standard)) {
                (Some((params, belief)), Some(logits)) => {
                    params.shift_rate(logits.prior, belief.mean())
                }
                _ => prior,
            }
        }
    }

    /// The learner's ability estimate: `None` when `model` has ability off;
    /// the population's prior until an answer moves it.
    #[must_use]
    pub fn ability(&self, model: &Model) -> Option<Ability> {
        self.individual(model).map(|(_, belief)| belief)
    }

    pub(super) fn individual<'m>(&self, model: &'m Model) -> Option<(&'m AbilityParams, Ability)> {
        model
            .ability()
            .map(|params| (params, self.ability.unwrap_or_else(|| params.prior())))
    }

    /// The estimate at time `now`, with decay since the last evidence. Does
    /// not change the state.
    ///
    /// # Errors
    /// [`Error::CurriculumMismatch`], or as [`StandardKey::resolve`].
    pub fn mastery_at(&self, model: &Model, standard: impl StandardKey, now: i64) -> Result<f64> {
        self.check(model)?;
        Ok(self.current(model, standard.resolve(model.curriculum())?, now))
    }

    /// Every estimate at time `now`, by standard index.
    ///
    /// # Errors
    /// [`Error::CurriculumMismatch`].
    pub fn all_mastery_at(&self, model: &Model, now: i64) -> Result<Vec<f64>> {
        self.check(model)?;
        // One pass over the dense estimates, then decay only the practiced
        // standards: O(V + k), no search per standard.
        let mut all: Vec<f64> = model
            .curriculum()
            .indices()
            .map(|s| self.stored(model, s))
            .collect();
        if let Some(decay) = model.decay() {
            for r in &self.records {
                let i = r.standard.index();
                let floor = model.all_params()[i].prior();
                all[i] = decay.decayed(
                    all[i],
                    floor,
                    now.saturating_sub(r.updated_at),
                    f64::from(r.half_life_days),
                );
            }
        }
        Ok(all)
    }

    /// The standards at or above the mastered threshold at time `now`.
    ///
    /// # Errors
    /// [`Error::CurriculumMismatch`].
    pub fn mastered_at(&self, model: &Model, now: i64) -> Result<StandardSet> {
        self.check(model)?;
        let bar = model.levels().mastered();
        Ok(model
            .curriculum()
            .indices()
            .filter(|&s| self.current(model, s, now) >= bar)
            .collect())
    }

    /// The mastery level of a standard at time `now`.
    ///
    /// # Errors
    /// [`Error::CurriculumMismatch`], or as [`StandardKey::resolve`].
    pub fn level(
        &self,
        model: &Model,
        standard: impl StandardKey,
        now: i64,
    ) -> Result<MasteryLevel> {
        self.check(model)?;
        let idx = standard.resolve(model.curriculum())?;
        let attempted = self
            .record_position(idx)
            .is_ok_and(|i| self.records[i].attempts > 0);
        Ok(model
            .levels()
            .level(self.current(model, idx, now), attempted))
    }

    /// The predicted chance of a correct answer on a target at time `now`.
    /// For an activity aligned to several standards, by the conjunctive
    /// rule: `(1 - S)·Π p_i + G·(1 - Π p_i)`.
    ///
    /// ```
    /// use mastery::{BktParams, Curriculum, LearnerState, Model, Target};
    ///
    /// let params = BktParams::new(0.4, 0.1, 0.0, 0.2, 0.1)?;
    /// let model = Model::builder(Curriculum::ccss_math()).default_params(params).build()?;
    /// let ada = LearnerState::new(&model, "ada")?;
    /// let p = ada.predict(&model, &Target::Standard("3.NF.A.1".into()), 0)?;
    /// assert!((p - (0.4 * 0.9 + 0.6 * 0.2)).abs() < 1e-6);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::CurriculumMismatch`], [`Error::UnknownStandard`] or [`Error::UnknownActivity`].
    pub fn predict(&self, model: &Model, target: &Target, now: i64) -> Result<f64> {
        self.check(model)?;
        let resolved = model.resolve(target)?;
        let all_known: f64 = resolved
            .standards
            .iter()
            .map(|&s| self.current(model, s, now))
            .product();
        Ok(self.answer(model, resolved.answer).p_correct(all_known))
    }

    /// `answer` for this learner: shifted by the ability estimate when
    /// `model` has ability on, else `answer` itself.
    #[must_use]
    pub fn answer(&self, model: &Model, answer: model::GuessSlip) -> model::GuessSlip {
        match self.individual(model) {
            Some((_, belief)) => belief.answer(answer),
            None => answer,
        }
    }

    /// The estimate of `standard` at `now`, decayed since its last update.
    pub(super) fn current(&self, model: &Model, standard: StandardIdx, now: i64) -> f64 {
        let position = match model.decay() {
            Some(_) => self.record_of(standard),
            None => None,
        };
        self.current_at(model, standard, now, position)
    }

    /// [`LearnerState::current`] with the standard's practice record
    /// position (`None`: no record) already found.
    pub(super) fn current_at(
        &self,
        model: &Model,
        standard: StandardIdx,
        now: i64,
        position: Option<usize>,
    ) -> f64 {
        let stored = self.stored(model, standard);
        let Some(decay) = model.decay() else {
            return stored;
        };
        match position {
            Some(i) => {
                let r = &self.records[i];
                let floor = model.all_params()[standard.index()].prior();
                decay.decayed(
                    stored,
                    floor,
                    now.saturating_sub(r.updated_at),
                    f64::from(r.half_life_days),
                )
            }
            None => stored,
        }
    }
}
