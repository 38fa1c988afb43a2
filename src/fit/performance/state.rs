//! One learner's history for the performance model, updated online: a few
//! counters per skill practiced and in total, O(1) per response; P(correct)
//! for any skill (and item) of the model from them in O(features).

use serde::{Deserialize, Serialize};

use super::features::{Features, SkillHistory, Totals, emit};
use super::logistic::sigmoid;
use super::model::{PerfItem, PerfSkill, PerformanceModel};
use crate::error::{Error, Result};

/// The format version of a saved [`PerformanceState`].
pub const PERFORMANCE_STATE_FORMAT_VERSION: u32 = 1;

/// A learner's history as the [`PerformanceModel`] sees it, for online
/// use: [`PerformanceState::observe`] each answer as it comes,
/// [`PerformanceState::p_correct`] before the next one. After the same
/// answers in the same order it predicts exactly what
/// [`PerformanceModel::predict`] predicts for a log.
///
/// Serializable; it belongs to the model it was made with (its skill
/// indices and recency rates).
///
/// ```
/// use mastery::fit::{Dataset, DatasetOptions, PerformanceConfig, PerformanceModel, PerformanceState};
///
/// let csv = "order_id,user_id,skill_name,correct\n1,a,A,1\n2,a,B,0\n3,b,A,0\n4,b,A,1\n5,b,B,1\n";
/// let (data, _) = Dataset::from_reader("log.csv", csv.as_bytes(), &DatasetOptions::default())?;
/// let model = PerformanceModel::fit(&data, &PerformanceConfig::default().validate()?)?;
/// let (a, b) = (model.skill("A").unwrap(), model.skill("B").unwrap());
/// let mut state = model.new_state();
/// let before = state.p_correct(&model, b, None)?;
/// state.observe(&model, a, None, true)?;
/// let json = serde_json::to_string(&state).unwrap();
/// let back: PerformanceState = serde_json::from_str(&json).unwrap();
/// assert!((back.p_correct(&model, b, None)? - state.p_correct(&model, b, None)?).abs() < 1e-15);
/// assert!((0.0..=1.0).contains(&before));
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerformanceState {
    format_version: u32,
    /// History per model skill, grown to the highest skill practiced.
    skills: Vec<SkillHistory>,
    totals: Totals,
}

impl PerformanceModel {
    /// A learner without history.
    #[must_use]
    pub fn new_state(&self) -> PerformanceState {
        PerformanceState {
            format_version: PERFORMANCE_STATE_FORMAT_VERSION,
            skills: Vec::new(),
            totals: Totals::default(),
        }
    }
}

impl PerformanceState {
    fn check(&self, model: &PerformanceModel, skill: PerfSkill) -> Result<()> {
        if self.format_version != PERFORMANCE_STATE_FORMAT_VERSION {
            return Err(Error::UnsupportedFormat {
                what: "performance state",
                found: self.format_version,
                supported: PERFORMANCE_STATE_FORMAT_VERSION,
            });
        }
        let n = model.skills().len();
        if skill.0 as usize >= n || self.skills.len() > n {
            return Err(Error::IndexOutOfRange {
                index: (skill.0 as usize).max(self.skills.len().saturating_sub(1)),
                len: n,
            });
        }
        Ok(())
    }

    /// P(correct) of the learner's next answer on `skill` (and `item`, when
    /// the model has item features), from the history so far.
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for a skill of another model (or a state
    /// of one with more skills), [`Error::UnsupportedFormat`] for a state
    /// deserialized from another format version.
    pub fn p_correct(
        &self,
        model: &PerformanceModel,
        skill: PerfSkill,
        item: Option<PerfItem>,
    ) -> Result<f64> {
        self.check(model, skill)?;
        let history = self
            .skills
            .get(skill.0 as usize)
            .copied()
            .unwrap_or_default();
        let mut features = Features::default();
        emit(
            &model.layout,
            Some(skill.0),
            item.map(|i| i.0),
            &history,
            &self.totals,
            &mut features,
        );
        Ok(sigmoid(features.dot(&model.weights)))
    }

    /// Counts one answer on `skill`. O(1) (plus the first growth of the
    /// per-skill list to this skill).
    ///
    /// # Errors
    /// As [`PerformanceState::p_correct`].
    pub fn observe(
        &mut self,
        model: &PerformanceModel,
        skill: PerfSkill,
        item: Option<PerfItem>,
        correct: bool,
    ) -> Result<()> {
        // Items carry no history: they only select an intercept.
        let _ = item;
        self.check(model, skill)?;
        let k = skill.0 as usize;
        if self.skills.len() <= k {
            self.skills.resize(k + 1, SkillHistory::default());
        }
        self.skills[k].observe(&model.layout.skill_decays, &self.totals, correct);
        self.totals.observe(&model.layout.global_decays, correct);
        Ok(())
    }

    /// Answers counted so far (correct, incorrect), across skills.
    #[must_use]
    pub fn totals(&self) -> (u32, u32) {
        (self.totals.wins, self.totals.fails)
    }
}
