//! What a fit returns: parameters per skill, progress, the report and its conversions.

use super::*;

/// The fit of one skill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillFit {
    /// The skill.
    pub skill: String,
    /// The fitted parameters (per item guess/slip in the order of `items`).
    pub params: HmmParams,
    /// The item ids (one unnamed item without KT-IDEM).
    pub items: Vec<String>,
    /// Responses per item, to weight item guesses and slips into skill-level ones.
    pub item_responses: Vec<f64>,
    /// The training log-likelihood (natural log).
    pub log_likelihood: f64,
    /// EM iterations of the winning restart.
    pub iterations: usize,
    /// Whether the winning restart converged before the iteration limit.
    pub converged: bool,
    /// Which restart won (0-based).
    pub restart: usize,
    /// Responses of the skill.
    pub responses: usize,
    /// Learner sequences of the skill.
    pub sequences: usize,
}

impl SkillFit {
    /// Skill-level BKT parameters (item guesses and slips averaged by responses).
    ///
    /// # Errors
    /// [`Error::DegenerateFit`] for degenerate parameters (only without bounds).
    pub fn bkt_params(&self) -> Result<BktParams> {
        self.params
            .to_bkt(&self.item_responses)
            .map_err(|e| degenerate(&self.skill, None, e))
    }
}

/// The fit of every skill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitReport {
    /// Per skill, sorted by name.
    pub skills: Vec<SkillFit>,
    /// The total training log-likelihood.
    pub log_likelihood: f64,
}

/// Progress of a running fit, reported after each skill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct FitProgress {
    /// Skills finished.
    pub skills_done: usize,
    /// Skills in all.
    pub skills_total: usize,
    /// Responses of the finished skills.
    pub responses_done: usize,
    /// Responses in all.
    pub responses_total: usize,
}

impl FitReport {
    /// One skill's fit by name.
    #[must_use]
    pub fn skill(&self, name: &str) -> Option<&SkillFit> {
        self.skills
            .binary_search_by(|s| s.skill.as_str().cmp(name))
            .ok()
            .map(|i| &self.skills[i])
    }

    /// Parameters of every skill, in the form `examples/predict.rs` reads:
    /// skill-level ones, and with KT-IDEM ([`FitConfig::item_guess_slip`])
    /// each item's guess and slip too ([`SkillParams::items`]), so that
    /// predicting from the saved parameters gives what [`FitReport::predict`]
    /// gives.
    ///
    /// # Errors
    /// [`Error::DegenerateFit`] naming the first degenerate skill or item
    /// (only without bounds).
    pub fn skill_params(&self) -> Result<SkillParams> {
        let mut out = SkillParams::default();
        for s in &self.skills {
            let params = s.bkt_params()?;
            out.params.insert(s.skill.clone(), params);
            if s.items.len() > 1 && s.items.len() == s.params.guess.len() {
                let items = s
                    .items
                    .iter()
                    .zip(s.params.guess.iter().zip(&s.params.slip))
                    .map(|(item, (&guess, &slip))| {
                        GuessSlip::new(guess, slip)
                            .map(|answer| (item.clone(), answer))
                            .map_err(|e| degenerate(&s.skill, Some(item), e))
                    })
                    .collect::<Result<_>>()?;
                out.items.insert(s.skill.clone(), items);
            }
        }
        Ok(out)
    }

    /// P(correct) for every response of `data`, in the dataset's row order,
    /// each predicted before the response is seen from the learner's earlier
    /// responses on the skill in `data` only (pyBKT's `predict`). With
    /// KT-IDEM, an item the fit has not seen uses the skill's averaged guess
    /// and slip.
    ///
    /// # Errors
    /// [`Error::UnknownSkill`] for a skill of `data` the fit does not have.
    pub fn predict(&self, data: &Dataset) -> Result<Vec<f64>> {
        let params = crate::fit::predict::PredictParams::from_fit(self);
        crate::fit::predict::predict(
            data,
            &params,
            &crate::fit::predict::PredictOptions::default(),
        )
        .map(crate::fit::predict::Predictions::into_p_correct)
    }
}

/// [`Error::DegenerateFit`] for the check of fitted parameters that failed
/// (any other error as it is).
fn degenerate(skill: &str, item: Option<&String>, error: Error) -> Error {
    match error {
        Error::InvalidValue { .. } => Error::DegenerateFit {
            skill: skill.to_owned(),
            item: item.cloned(),
            reason: error.to_string(),
        },
        other => other,
    }
}
