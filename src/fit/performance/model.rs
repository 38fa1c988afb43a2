//! The fitted performance model: fitting from a [`Dataset`], batch
//! prediction over a dataset, persistence.

use foldhash::HashMap;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::config::ValidPerformanceConfig;
use super::features::{Features, Layout, SkillHistory, Totals, emit};
use super::logistic::{self, Settings, SparseRows, sigmoid};
use super::sequences::LearnerRows;
use crate::error::{Error, Result};
use crate::fit::Dataset;

/// The format version of a saved [`PerformanceModel`].
pub const PERFORMANCE_MODEL_FORMAT_VERSION: u32 = 1;

/// Learners per parallel task.
const LEARNERS_PER_TASK: usize = 32;

/// A skill of a [`PerformanceModel`], by index (see [`PerformanceModel::skill`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PerfSkill(pub(crate) u32);

/// An item of a skill of a [`PerformanceModel`] (see [`PerformanceModel::item`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PerfItem(pub(crate) u32);

/// How the fit went.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PerformanceFitSummary {
    /// Training responses.
    pub responses: usize,
    /// Weights fitted.
    pub weights: usize,
    /// L-BFGS iterations.
    pub iterations: usize,
    /// The final penalized log-loss, summed over responses.
    pub objective: f64,
    /// Whether the solver met its tolerance (rather than its iteration cap).
    pub converged: bool,
}

/// A logistic knowledge-tracing model (PFA / Best-LR / DAS3H family) fitted
/// to a response log: P(correct) of a response is the logistic function of
/// a weighted sum of features of the learner's history before it (see the
/// [module docs](crate::fit::performance)).
///
/// ```
/// use mastery::fit::{Dataset, DatasetOptions, PerformanceConfig, PerformanceModel};
///
/// let csv = "order_id,user_id,skill_name,correct\n\
///            1,a,add,0\n2,a,add,1\n3,a,add,1\n4,b,add,1\n5,b,add,1\n6,c,add,0\n7,c,add,0\n8,c,add,1\n";
/// let options = DatasetOptions::default().keep_row_keys(true);
/// let (data, _) = Dataset::from_reader("log.csv", csv.as_bytes(), &options)?;
/// let model = PerformanceModel::fit(&data, &PerformanceConfig::default().validate()?)?;
/// let p = model.predict(&data)?;
/// assert_eq!(p.p_correct().len(), data.len());
/// assert!(p.p_correct().iter().all(|&p| (0.0..=1.0).contains(&p)));
/// // The online state after a's history predicts what the batch predicted next.
/// let add = model.skill("add").unwrap();
/// let mut state = model.new_state();
/// state.observe(&model, add, None, false)?;
/// assert!((state.p_correct(&model, add, None)? - p.p_correct()[1]).abs() < 1e-12);
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "SavedModel")]
pub struct PerformanceModel {
    format_version: u32,
    pub(crate) layout: Layout,
    skills: Vec<String>,
    /// Item names per skill (empty without item features).
    items: Vec<Vec<String>>,
    pub(crate) weights: Vec<f64>,
    summary: PerformanceFitSummary,
    #[serde(skip)]
    item_index: Vec<HashMap<String, u32>>,
}

/// A model as saved, checked by [`SavedModel::check`] before it becomes a
/// [`PerformanceModel`] (serde's `try_from`): a deserialized model is a valid one.
#[derive(Deserialize)]
struct SavedModel {
    format_version: u32,
    layout: Layout,
    skills: Vec<String>,
    items: Vec<Vec<String>>,
    weights: Vec<f64>,
    summary: PerformanceFitSummary,
}

impl TryFrom<SavedModel> for PerformanceModel {
    type Error = Error;

    fn try_from(saved: SavedModel) -> Result<PerformanceModel> {
        saved.check()?;
        let mut model = PerformanceModel {
            format_version: saved.format_version,
            layout: saved.layout,
            skills: saved.skills,
            items: saved.items,
            weights: saved.weights,
            summary: saved.summary,
            item_index: Vec::new(),
        };
        model.index_items();
        Ok(model)
    }
}

/// The predictions of [`PerformanceModel::predict`], in the dataset's row order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PerformancePredictions {
    p_correct: Vec<f64>,
    unknown_skill_rows: usize,
}

impl PerformancePredictions {
    /// P(correct) of each row, from the learner's earlier rows (on every skill).
    #[must_use]
    pub fn p_correct(&self) -> &[f64] {
        &self.p_correct
    }

    /// Rows whose skill the model was not fitted on (predicted from the
    /// shared features only).
    #[must_use]
    pub fn unknown_skill_rows(&self) -> usize {
        self.unknown_skill_rows
    }

    /// P(correct) of each row, by value.
    #[must_use]
    pub fn into_p_correct(self) -> Vec<f64> {
        self.p_correct
    }
}

/// How a dataset's skills and items map to a model's.
struct Mapping {
    /// Per dataset skill: its history slot (a model skill, or one past them
    /// for skills the model does not have) and its model skill.
    skill: Vec<(u32, Option<u32>)>,
    /// Per dataset skill and item: the model's item.
    item: Vec<Vec<Option<u32>>>,
    slots: usize,
}

/// Walks one learner's rows in order: the features of each row from the
/// history before it, then the row's answer into the history.
fn replay(
    layout: &Layout,
    rows: &LearnerRows,
    learner: usize,
    map: &Mapping,
    scratch: &mut Vec<SkillHistory>,
    mut visit: impl FnMut(u32, &Features),
) {
    scratch.clear();
    scratch.resize(map.slots, SkillHistory::default());
    let mut totals = Totals::default();
    let mut features = Features::default();
    for &r in rows.of(learner) {
        let r_us = r as usize;
        let k = rows.skill[r_us] as usize;
        let Some(&(slot, skill)) = map.skill.get(k) else {
            continue;
        };
        let item = map
            .item
            .get(k)
            .and_then(|items| items.get(rows.item[r_us] as usize))
            .copied()
            .flatten();
        let Some(history) = scratch.get_mut(slot as usize) else {
            continue;
        };
        emit(layout, skill, item, history, &totals, &mut features);
        visit(r, &features);
        let correct = rows.correct[r_us];
        history.observe(&layout.skill_decays, &totals, correct);
        totals.observe(&layout.global_decays, correct);
    }
}

fn has_item_column(data: &Dataset) -> bool {
    data.skills()
        .iter()
        .any(|s| s.items().iter().any(|i| !i.is_empty()))
}

impl PerformanceModel {
    /// Fits the model to every response of `data`, each described by the
    /// learner's history before it (across skills, in `order_id` order when
    /// the dataset kept its row keys, else in file order).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for an empty dataset (cannot happen for a
    /// loaded one) or a non-finite objective.
    pub fn fit(data: &Dataset, config: &ValidPerformanceConfig) -> Result<PerformanceModel> {
        let config = config.config();
        let skills: Vec<String> = data.skills().iter().map(|s| s.name().to_owned()).collect();
        let items: Vec<Vec<String>> = if config.items && has_item_column(data) {
            data.skills().iter().map(|s| s.items().to_vec()).collect()
        } else {
            Vec::new()
        };
        let counts: Vec<u32> = items.iter().map(|i| i.len() as u32).collect();
        let layout = Layout::new(config, skills.len() as u32, &counts);
        let map = Mapping {
            skill: (0..skills.len() as u32).map(|k| (k, Some(k))).collect(),
            item: items
                .iter()
                .map(|i| (0..i.len() as u32).map(Some).collect())
                .collect(),
            slots: skills.len(),
        };
        let rows = LearnerRows::new(data);
        let learners: Vec<usize> = (0..rows.learners()).collect();
        let parts: Vec<SparseRows> = learners
            .par_chunks(LEARNERS_PER_TASK)
            .map_init(Vec::new, |scratch, chunk| {
                let mut out = SparseRows::new();
                for &l in chunk {
                    replay(&layout, &rows, l, &map, scratch, |r, f| {
                        out.push(f.pairs(), rows.correct[r as usize]);
                    });
                }
                out
            })
            .collect();
        let mut design = SparseRows::new();
        for part in parts {
            design.append(part);
        }
        let settings = Settings {
            l2: config.l2,
            max_iterations: config.max_iterations,
            tolerance: config.tolerance,
            memory: config.memory,
            unpenalized: 1,
        };
        let (weights, solution) = logistic::fit(&design, layout.dim(), &settings)?;
        let summary = PerformanceFitSummary {
            responses: design.len(),
            weights: weights.len(),
            iterations: solution.iterations,
            objective: solution.objective,
            converged: solution.converged,
        };
        let mut model = PerformanceModel {
            format_version: PERFORMANCE_MODEL_FORMAT_VERSION,
            layout,
            skills,
            items,
            weights,
            summary,
            item_index: Vec::new(),
        };
        model.index_items();
        Ok(model)
    }

    fn index_items(&mut self) {
        self.item_index = self
            .items
            .iter()
            .map(|names| {
                names
                    .iter()
                    .enumerate()
                    .map(|(i, n)| (n.clone(), i as u32))
                    .collect()
            })
            .collect();
    }

    /// P(correct) of every response of `data`, in row order, each predicted
    /// before it is seen from the learner's earlier responses in `data`
    /// (on every skill), in parallel over learners. Skills the model was not
    /// fitted on get the shared features only, and count in
    /// [`PerformancePredictions::unknown_skill_rows`]; unknown items get no
    /// item feature.
    ///
    /// # Errors
    /// None today; the `Result` leaves room for checks of the dataset.
    pub fn predict(&self, data: &Dataset) -> Result<PerformancePredictions> {
        let mut unknown = 0u32;
        let mut unknown_rows = 0usize;
        let skill: Vec<(u32, Option<u32>)> = data
            .skills()
            .iter()
            .map(|s| match self.skill(s.name()) {
                Some(k) => (k.0, Some(k.0)),
                None => {
                    unknown += 1;
                    unknown_rows += s.len();
                    (self.skills.len() as u32 + unknown - 1, None)
                }
            })
            .collect();
        let item: Vec<Vec<Option<u32>>> = data
            .skills()
            .iter()
            .zip(&skill)
            .map(|(s, &(_, k))| {
                s.items()
                    .iter()
                    .map(|name| {
                        let k = PerfSkill(k?);
                        self.item(k, name).map(|i| i.0)
                    })
                    .collect()
            })
            .collect();
        let map = Mapping {
            skill,
            item,
            slots: self.skills.len() + unknown as usize,
        };
        let rows = LearnerRows::new(data);
        let learners: Vec<usize> = (0..rows.learners()).collect();
        let parts: Vec<Vec<(u32, f64)>> = learners
            .par_chunks(LEARNERS_PER_TASK)
            .map_init(Vec::new, |scratch, chunk| {
                let mut out = Vec::new();
                for &l in chunk {
                    replay(&self.layout, &rows, l, &map, scratch, |r, f| {
                        out.push((r, sigmoid(f.dot(&self.weights))));
                    });
                }
                out
            })
            .collect();
        let mut p_correct = vec![0.5; data.len()];
        for (r, p) in parts.into_iter().flatten() {
            if let Some(slot) = p_correct.get_mut(r as usize) {
                *slot = p;
            }
        }
        Ok(PerformancePredictions {
            p_correct,
            unknown_skill_rows: unknown_rows,
        })
    }

    /// A skill by name.
    #[must_use]
    pub fn skill(&self, name: &str) -> Option<PerfSkill> {
        self.skills
            .binary_search_by(|s| s.as_str().cmp(name))
            .ok()
            .map(|k| PerfSkill(k as u32))
    }

    /// An item of a skill by name (`None` without item features or for an
    /// item the fit did not see).
    #[must_use]
    pub fn item(&self, skill: PerfSkill, name: &str) -> Option<PerfItem> {
        self.item_index
            .get(skill.0 as usize)?
            .get(name)
            .map(|&i| PerfItem(i))
    }

    /// The skills, sorted by name (a [`PerfSkill`] indexes this).
    #[must_use]
    pub fn skills(&self) -> &[String] {
        &self.skills
    }

    /// The fitted weights with a readable name each, e.g.
    /// `("wins in total", 0.31)`.
    #[must_use]
    pub fn named_weights(&self) -> Vec<(String, f64)> {
        self.weights
            .iter()
            .enumerate()
            .map(|(j, &w)| (self.layout.name(j), w))
            .collect()
    }

    /// How the fit went.
    #[must_use]
    pub fn summary(&self) -> &PerformanceFitSummary {
        &self.summary
    }

    /// The model as JSON.
    #[must_use]
    pub fn to_json(&self) -> String {
        // Plain data (strings, numbers, vectors): serializing cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A model saved with [`PerformanceModel::to_json`].
    ///
    /// # Errors
    /// [`Error::Json`] for malformed JSON, [`Error::UnsupportedFormat`] for
    /// another format version, [`Error::InvalidState`] for weights, skills
    /// or items that do not match the layout, [`Error::InvalidValue`] for a
    /// weight that is not finite or a decay rate outside `[0, 1)`.
    pub fn from_json(json: &str) -> Result<PerformanceModel> {
        let saved: SavedModel = serde_json::from_str(json).map_err(|source| Error::Json {
            what: "performance model JSON".into(),
            source,
        })?;
        PerformanceModel::try_from(saved)
    }
}

impl SavedModel {
    fn check(&self) -> Result<()> {
        if self.format_version != PERFORMANCE_MODEL_FORMAT_VERSION {
            return Err(Error::UnsupportedFormat {
                what: "performance model",
                found: self.format_version,
                supported: PERFORMANCE_MODEL_FORMAT_VERSION,
            });
        }
        let layout = &self.layout;
        let items_ok = if self.items.is_empty() {
            !layout.has_items()
        } else {
            self.items.len() == self.skills.len()
                && layout.item_starts.len() == self.items.len() + 1
                && layout
                    .item_starts
                    .windows(2)
                    .zip(&self.items)
                    .all(|(w, i)| w[1].checked_sub(w[0]) == Some(i.len() as u32))
        };
        let shape_ok = layout.skills as usize == self.skills.len()
            && layout.skill_decays.len() <= super::config::MAX_SKILL_DECAYS
            && layout.global_decays.len() <= super::config::MAX_GLOBAL_DECAYS
            && items_ok
            && self.weights.len() == layout.dim()
            && self.skills.windows(2).all(|w| w[0] < w[1]);
        if !shape_ok {
            return Err(Error::InvalidState {
                what: "performance model JSON",
                reason: format!(
                    "its {} weights, {} skills (sorted, unique) and items do not match its layout ({} weights)",
                    self.weights.len(),
                    self.skills.len(),
                    layout.dim()
                ),
            });
        }
        if let Some(&w) = self.weights.iter().find(|w| !w.is_finite()) {
            return Err(Error::InvalidValue {
                what: "performance model JSON: weight".into(),
                expected: "finite",
                value: w,
            });
        }
        if let Some(&r) = layout
            .skill_decays
            .iter()
            .chain(&layout.global_decays)
            .find(|r| !(0.0..1.0).contains(*r))
        {
            return Err(Error::InvalidValue {
                what: "performance model JSON: decay rate".into(),
                expected: "in [0, 1)",
                value: r,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::{DatasetOptions, PerformanceConfig};

    fn data(csv: &str) -> Dataset {
        let options = DatasetOptions::default()
            .keep_row_keys(true)
            .item_column("item");
        Dataset::from_reader("r.csv", csv.as_bytes(), &options)
            .unwrap()
            .0
    }

    const LOG: &str = "order_id,user_id,skill_name,correct,item\n1,a,A,0,x\n2,a,B,1,y\n3,a,A,1,x\n4,b,A,1,z\n5,b,B,0,y\n6,b,B,1,y\n7,c,A,0,x\n";

    #[test]
    fn fits_items_round_trips_and_predicts_unknown_skills() {
        let d = data(LOG);
        let config = PerformanceConfig::default().validate().unwrap();
        let model = PerformanceModel::fit(&d, &config).unwrap();
        assert!(model.summary().converged);
        assert_eq!(model.summary().responses, 7);
        let a = model.skill("A").unwrap();
        assert!(model.item(a, "z").is_some() && model.item(a, "y").is_none());
        let back = PerformanceModel::from_json(&model.to_json()).unwrap();
        assert_eq!(back.predict(&d).unwrap(), model.predict(&d).unwrap());
        let other = data("order_id,user_id,skill_name,correct,item\n1,q,Z,1,x\n2,q,A,1,w\n");
        let p = model.predict(&other).unwrap();
        assert_eq!(p.unknown_skill_rows(), 1);
        assert!(p.p_correct().iter().all(|p| (0.0..=1.0).contains(p)));
        assert_eq!(model.named_weights()[0].0, "intercept");
    }

    #[test]
    fn bad_json_is_refused() {
        let d = data(LOG);
        let model =
            PerformanceModel::fit(&d, &PerformanceConfig::default().validate().unwrap()).unwrap();
        let json = model.to_json();
        assert!(PerformanceModel::from_json("{").is_err());
        let v = json.replacen("\"format_version\":1", "\"format_version\":9", 1);
        assert!(matches!(
            PerformanceModel::from_json(&v),
            Err(Error::UnsupportedFormat { .. })
        ));
        let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
        value["weights"].as_array_mut().unwrap().pop();
        assert!(PerformanceModel::from_json(&value.to_string()).is_err());
        // Plain serde checks too.
        assert!(serde_json::from_str::<PerformanceModel>(&value.to_string()).is_err());
        let back: PerformanceModel = serde_json::from_str(&json).unwrap();
        assert_eq!(back, model);
    }
}
