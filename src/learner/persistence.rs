//! Saved learner states: the versioned JSON form, loading (with remapping by standard id) and saving.

use super::*;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LearnerStateRepr {
    pub(super) format_version: u32,
    pub(super) learner: String,
    /// The curriculum fingerprint as 16 hex digits (JSON numbers lose u64 precision).
    pub(super) curriculum: String,
    /// Version 3 on: the id of the standard of each position of `mastery`, so a
    /// state loads into a curriculum that has grown since it was saved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) standards: Option<Vec<String>>,
    /// `null` (version 2 on): no evidence yet, the model's prior.
    pub(super) mastery: Vec<Option<f64>>,
    pub(super) practice: Vec<PracticeRecord>,
    /// Added in 0.1 without a format change: files without it load with an empty profile.
    #[serde(default)]
    pub(super) profile: Profile,
    #[serde(default)]
    pub(super) engagement: Engagement,
    /// Version 4 on: the ability belief, if an answer has moved it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) ability: Option<AbilityRepr>,
}

/// The saved ability belief.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AbilityRepr {
    pub(super) mean: f64,
    pub(super) precision: f64,
}

impl From<LearnerState> for LearnerStateRepr {
    fn from(s: LearnerState) -> Self {
        LearnerStateRepr {
            format_version: LEARNER_STATE_FORMAT_VERSION,
            learner: s.learner,
            curriculum: format!("{:016x}", s.curriculum),
            standards: s.standards.as_ref().map(|c| {
                c.indices()
                    .map(|i| c.standard(i).map_or("", |st| st.id()).to_owned())
                    .collect()
            }),
            mastery: s
                .mastery
                .iter()
                .enumerate()
                .map(|(i, m)| s.evidenced.contains(i).then(|| m.get()))
                .collect(),
            practice: s.records,
            profile: s.profile,
            engagement: s.engagement,
            ability: s.ability.map(|a| AbilityRepr {
                mean: a.mean(),
                precision: a.precision(),
            }),
        }
    }
}

impl TryFrom<LearnerStateRepr> for LearnerState {
    type Error = Error;
    fn try_from(r: LearnerStateRepr) -> Result<Self> {
        let invalid = |reason: String| Error::InvalidState {
            what: "learner state",
            reason,
        };
        // Version 1 stored every estimate; it loads with every standard as
        // evidenced (its old behavior), and `from_json` releases the ones no
        // evidence can have reached.
        if !(1..=LEARNER_STATE_FORMAT_VERSION).contains(&r.format_version) {
            return Err(Error::UnsupportedFormat {
                what: "learner state",
                found: r.format_version,
                supported: LEARNER_STATE_FORMAT_VERSION,
            });
        }
        if let Some(reason) = crate::curriculum::learner_id_problem(&r.learner) {
            return Err(invalid(format!(
                "learner id {:?}: {reason}",
                crate::curriculum::shown_id(&r.learner)
            )));
        }
        let curriculum = u64::from_str_radix(&r.curriculum, 16).map_err(|_| {
            invalid(format!(
                "curriculum fingerprint {:?} is not 16 hex digits",
                r.curriculum
            ))
        })?;
        if let Some((i, m)) = r
            .mastery
            .iter()
            .enumerate()
            .find_map(|(i, m)| m.filter(|m| !(0.0..=1.0).contains(m)).map(|m| (i, m)))
        {
            return Err(invalid(format!(
                "mastery of standard #{i} is {m}, not a probability"
            )));
        }
        if let Some(ids) = r
            .standards
            .as_ref()
            .filter(|ids| ids.len() != r.mastery.len())
        {
            return Err(invalid(format!(
                "it names {} standards for its {} mastery estimates",
                ids.len(),
                r.mastery.len()
            )));
        }
        if r.format_version == 1 && r.mastery.iter().any(Option::is_none) {
            return Err(invalid(
                "a format-version-1 state has no empty estimates".into(),
            ));
        }
        for (i, rec) in r.practice.iter().enumerate() {
            if rec.standard.index() >= r.mastery.len() {
                return Err(invalid(format!(
                    "practice record for standard #{} beyond the {} standards",
                    rec.standard.index(),
                    r.mastery.len()
                )));
            }
            if r.mastery[rec.standard.index()].is_none() {
                return Err(invalid(format!(
                    "standard #{} has a practice record but no estimate",
                    rec.standard.index()
                )));
            }
            if i > 0 && r.practice[i - 1].standard >= rec.standard {
                return Err(invalid(
                    "practice records are not sorted by standard without repeats".into(),
                ));
            }
            if let Some(t) = [rec.practiced_at, rec.updated_at]
                .into_iter()
                .find(|&t| crate::time::check_timestamp("", t).is_err())
            {
                return Err(invalid(format!(
                    "practice time {t} of standard #{} is outside the accepted timestamps {} to {}",
                    rec.standard.index(),
                    crate::time::MIN_TIMESTAMP,
                    crate::time::MAX_TIMESTAMP
                )));
            }
            if rec.correct > rec.attempts
                || !(rec.credit >= 0.0 && f64::from(rec.credit) <= f64::from(rec.attempts) + 1e-3)
            {
                return Err(invalid(format!(
                    "practice counters of standard #{} are inconsistent",
                    rec.standard.index()
                )));
            }
            // As the API stores them: within the bounds of `Decay` (as f32).
            if !(rec.half_life_days > 0.0
                && rec.half_life_days <= model::Decay::MAX_HALF_LIFE_DAYS as f32)
            {
                return Err(invalid(format!(
                    "half-life of standard #{} is {}",
                    rec.standard.index(),
                    rec.half_life_days
                )));
            }
        }
        r.profile
            .validate(r.mastery.len())
            .map_err(|reason| invalid(format!("profile: {reason}")))?;
        if !r.engagement.is_valid() {
            return Err(invalid(format!(
                "inconsistent engagement counters {:?}",
                r.engagement
            )));
        }
        let ability = match r.ability {
            None => None,
            Some(a) => Some(Ability::from_parts(a.mean, a.precision).ok_or_else(|| {
                invalid(format!(
                    "ability {} with precision {}: the mean must be within ±{} and the precision positive",
                    a.mean,
                    a.precision,
                    model::MAX_ABILITY
                ))
            })?),
        };
        let mut evidenced = FixedBitSet::with_capacity(r.mastery.len());
        for (i, m) in r.mastery.iter().enumerate() {
            evidenced.set(i, m.is_some());
        }
        let recorded = recorded_set(&r.practice, r.mastery.len());
        Ok(LearnerState {
            learner: r.learner,
            curriculum,
            // An empty estimate is never read: it follows the model's prior.
            mastery: r
                .mastery
                .into_iter()
                .map(|m| Fixed::new(m.unwrap_or(0.0)))
                .collect(),
            recorded,
            records: r.practice,
            profile: r.profile,
            engagement: r.engagement,
            evidenced,
            standards: None,
            ability,
        })
    }
}

/// The standards of practice records, in a set of `len` standards.
pub(super) fn recorded_set(records: &[PracticeRecord], len: usize) -> FixedBitSet {
    let mut set = FixedBitSet::with_capacity(len);
    for r in records {
        // Within `len`: checked when the records were read or moved.
        if r.standard.index() < len {
            set.insert(r.standard.index());
        }
    }
    set
}

impl LearnerState {
    /// Reads a state from JSON and checks it belongs to `model`'s curriculum.
    ///
    /// A state saved against another version of the curriculum (standards or
    /// prerequisites added, removed or reordered since) is moved onto this one
    /// by standard id: every estimate, practice record, goal, self-assessment
    /// and recorded choice follows its standard; a standard added since
    /// follows the prior; a removed standard the learner has no evidence on
    /// is forgotten. Estimates stay as they were saved: a new prerequisite
    /// does not re-run propagation. States written before format version 3
    /// carry no ids and load only into the curriculum they were saved with.
    ///
    /// ```
    /// use mastery::{Curriculum, Evidence, LearnerState, Model, Outcome};
    ///
    /// let v1 = Model::builder(Curriculum::builder().standard_ids(["A", "B"])?.build()?).build()?;
    /// let mut ada = LearnerState::new(&v1, "ada")?;
    /// ada.apply(&v1, &Evidence::on_standard("ada", "B", Outcome::Correct, 1_700_000_000)?)?;
    /// let saved = ada.to_json();
    /// // A new standard before the others, and a new prerequisite.
    /// let v2 = Curriculum::builder().standard_ids(["A0", "A", "B"])?.prerequisite("A0", "A").build()?;
    /// let v2 = Model::builder(v2).build()?;
    /// let ada_now = LearnerState::from_json(&v2, &saved)?;
    /// assert_eq!(ada_now.mastery(&v2, "B")?, ada.mastery(&v1, "B")?);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// Format version 1 (before standards without evidence followed the
    /// model's prior) stored every estimate. A version-1 standard that has no
    /// practice record and is neither a prerequisite (at any distance) nor a
    /// dependent of a practiced standard cannot have been reached by
    /// propagation, so it follows `model`'s prior from now on; every other
    /// stored estimate is kept as it was.
    ///
    /// ```
    /// use mastery::{BktParams, Curriculum, LearnerState, Model};
    ///
    /// let skills = Curriculum::builder().standard_ids(["A", "B"])?.build()?;
    /// let old = Model::builder(skills.clone()).build()?; // prior 0.2
    /// let ada = LearnerState::new(&old, "ada")?;
    /// let saved = ada.to_json();
    /// // A refit raises the prior: the saved learner follows it.
    /// let refit = Model::builder(skills)
    ///     .default_params(BktParams::new(0.618, 0.15, 0.0, 0.2, 0.1)?)
    ///     .build()?;
    /// let ada = LearnerState::from_json(&refit, &saved)?;
    /// assert_eq!(ada.mastery(&refit, "A")?, 0.618);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Json`] for malformed JSON or an invalid state (format version,
    /// values out of range, inconsistent records); [`Error::CurriculumMismatch`]
    /// for a state of another curriculum saved without standard ids (format
    /// version 1 or 2, or serialized by serde from a deserialized state);
    /// [`Error::InvalidState`] for a state of this curriculum with the wrong
    /// number of estimates (edited by hand), ids that do not match the
    /// estimates, or evidence, a goal, a self-assessment or a choice on a
    /// standard this curriculum no longer has (the message names it).
    pub fn from_json(model: &Model, json: &str) -> Result<Self> {
        let mut state: LearnerState = serde_json::from_str(json).map_err(|source| Error::Json {
            what: "learner state JSON".into(),
            source,
        })?;
        #[derive(Deserialize)]
        struct Header {
            format_version: u32,
            #[serde(default)]
            standards: Option<Vec<String>>,
        }
        // Parsed above, so this cannot fail; a failure would only skip the migrations.
        let header = serde_json::from_str::<Header>(json).ok();
        let curriculum = model.curriculum();
        if state.curriculum != curriculum.fingerprint() {
            if let Some(ids) = header.as_ref().and_then(|h| h.standards.as_deref()) {
                state = state.remapped(ids, curriculum)?;
            }
        }
        state.check(model)?;
        if header.is_some_and(|h| h.format_version == 1) {
            state.release_unreached_v1(curriculum);
        }
        state.standards = Some(curriculum.clone());
        Ok(state)
    }

    /// The state, saved against another curriculum whose standards were `ids`
    /// (by position), moved onto `curriculum` by standard id: a standard added
    /// since follows the prior, one removed without evidence is forgotten.
    ///
    /// # Errors
    /// [`Error::InvalidState`] when `ids` do not match the estimates (repeated,
    /// or not one per estimate), or when a standard the learner has evidence,
    /// a goal, a self-assessment or a recorded choice on is not in `curriculum`.
    pub(super) fn remapped(self, ids: &[String], curriculum: &Curriculum) -> Result<Self> {
        let invalid = |reason: String| Error::InvalidState {
            what: "learner state",
            reason,
        };
        if ids.len() != self.mastery.len() {
            return Err(invalid(format!(
                "it names {} standards for its {} mastery estimates",
                ids.len(),
                self.mastery.len()
            )));
        }
        let mut seen = std::collections::HashSet::with_capacity(ids.len());
        if let Some(repeated) = ids.iter().find(|id| !seen.insert(id.as_str())) {
            return Err(invalid(format!(
                "it names standard {:?} twice",
                crate::curriculum::shown_id(repeated)
            )));
        }
        let moved: Vec<Option<StandardIdx>> =
            ids.iter().map(|id| curriculum.index_of(id).ok()).collect();
        let to = |old: usize, what: &str| {
            moved[old].ok_or_else(|| {
                invalid(format!(
                    "standard {:?} has {what} in the saved state but is not in this curriculum ({} standards, {:016x})",
                    crate::curriculum::shown_id(&ids[old]),
                    curriculum.len(),
                    curriculum.fingerprint()
                ))
            })
        };
        let mut mastery = vec![Fixed::new(0.0); curriculum.len()];
        let mut evidenced = FixedBitSet::with_capacity(curriculum.len());
        for old in self.evidenced.ones() {
            let new = to(old, "an estimate")?;
            mastery[new.index()] = self.mastery[old];
            evidenced.insert(new.index());
        }
        let mut records = self.records;
        for r in &mut records {
            r.standard = to(r.standard.index(), "practice")?;
        }
        records.sort_by_key(|r| r.standard);
        let mut profile = self.profile;
        profile.move_standards(|old, what| to(old.index(), what))?;
        Ok(LearnerState {
            learner: self.learner,
            curriculum: curriculum.fingerprint(),
            recorded: recorded_set(&records, mastery.len()),
            mastery,
            records,
            profile,
            engagement: self.engagement,
            evidenced,
            standards: Some(curriculum.clone()),
            ability: self.ability,
        })
    }

    /// Version-1 migration (see [`LearnerState::from_json`]): standards that no
    /// evidence can have reached follow the model's prior.
    pub(super) fn release_unreached_v1(&mut self, curriculum: &Curriculum) {
        let mut reachable = StandardSet::with_capacity(curriculum.len());
        for r in &self.records {
            reachable.insert(r.standard);
            for set in [
                curriculum.ancestors(r.standard),
                curriculum.descendants(r.standard),
            ]
            .into_iter()
            .flatten()
            {
                reachable.union_with(&set);
            }
        }
        for s in curriculum.indices() {
            if !reachable.contains(s) {
                self.evidenced.set(s.index(), false);
            }
        }
    }

    /// The state as JSON.
    #[must_use]
    pub fn to_json(&self) -> String {
        // Plain strings and numbers (estimates are finite by construction): cannot fail.
        serde_json::to_string(self).expect("learner state serializes to JSON")
    }
}
