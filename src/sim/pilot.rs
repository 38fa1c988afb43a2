//! Pilots: a simulated cohort's response log, and the parameters a district
//! would fit to it before recommending; learn rates that vary by activity.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;

use super::evaluation::{check, run_one};
use super::{FixedSequence, Policy, Simulation};
use crate::catalog::ActivityIdx;
use crate::curriculum::StandardSet;
use crate::error::Result;
use crate::evidence::{ResponseRow, responses_csv};
use crate::fit::{Dataset, DatasetOptions, FitConfig, PredictParams, fit, fit_ability};
use crate::model::{AbilityParams, Model, SkillParams};

/// BKT parameters per standard fitted to a pilot cohort, the way a district
/// would calibrate before recommending: `pilot.learners` learners of
/// `pilot.population` work through the fixed sequence ([`FixedSequence`],
/// 8 activities per standard) toward `targets`, and their [`responses`]
/// is fitted with [`crate::fit::fit`] (default settings). The priors then say
/// how many learners of this population already know each standard, which
/// untrained defaults cannot. Use a seed other than the evaluation's, so the
/// learners evaluated are not the ones fitted. O(learners x budget x a
/// fixed-sequence choice) to simulate, then O(restarts x iterations x
/// responses) to fit.
///
/// # Errors
/// As [`responses`] and [`crate::fit::fit`].
///
/// ```
/// use mastery::sim::{LearnerModel, Population, Simulation, pilot_params};
/// use mastery::{Catalog, Curriculum, Model};
///
/// let ccss = Curriculum::ccss_math();
/// let model = Model::builder(ccss.clone()).catalog(Catalog::demo(&ccss, 1)).build()?;
/// let targets = ccss.set_of(["1.OA.A.1"])?;
/// let pilot = Simulation {
///     population: Population::new(LearnerModel::Bkt),
///     budget: 100,
///     per_day: 6,
///     learners: 40,
///     seed: 99,
/// };
/// let fitted = pilot_params(&model, &targets, &pilot)?;
/// let params = &fitted.params["1.OA.A.1"];
/// assert!((0.0..=1.0).contains(&params.prior()));
/// let calibrated = Model::builder(ccss.clone())
///     .catalog(Catalog::demo(&ccss, 1))
///     .skill_params(&fitted)
///     .build()?;
/// # let _ = calibrated;
/// # Ok::<(), mastery::Error>(())
/// ```
pub fn pilot_params(
    model: &Model,
    targets: &StandardSet,
    pilot: &Simulation,
) -> Result<SkillParams> {
    let (_, report) = pilot_fit(model, targets, pilot)?;
    report.skill_params()
}

/// The pilot's log (with row keys, for [`fit_ability`]) and its BKT fit.
fn pilot_fit(
    model: &Model,
    targets: &StandardSet,
    pilot: &Simulation,
) -> Result<(Dataset, crate::fit::FitReport)> {
    let rows = responses(model, &FixedSequence { per_standard: 8 }, targets, pilot)?;
    let options = DatasetOptions::default().keep_row_keys(true);
    let (data, _) = Dataset::from_responses("pilot", &rows, &options)?;
    let report = fit(&data, &FitConfig::default().validate()?)?;
    Ok((data, report))
}

/// [`pilot_params`], and the population's learner ability parameters chosen
/// on the same pilot log ([`crate::fit::fit_ability`]): what a model with
/// ability on ([`crate::ModelBuilder::ability`]) is built from. As
/// [`pilot_params`], plus [`fit_ability`]'s passes over the log.
///
/// # Errors
/// As [`pilot_params`].
pub fn pilot_params_with_ability(
    model: &Model,
    targets: &StandardSet,
    pilot: &Simulation,
) -> Result<(SkillParams, AbilityParams)> {
    let (data, report) = pilot_fit(model, targets, pilot)?;
    let ability = fit_ability(&data, &PredictParams::from_fit(&report))?;
    Ok((report.skill_params()?, ability.params))
}
/// [`responses`] as CSV text ([`responses_csv`]) in pyBKT's columns plus
/// the activity done (`order_id,user_id,skill_name,correct,activity`, for
/// [`crate::fit::what_works`]): a pilot cohort's log as a file would hold it.
/// As [`responses`], plus O(rows) to write.
///
/// # Errors
/// As [`responses`].
///
/// ```
/// use mastery::fit::{Dataset, DatasetOptions};
/// use mastery::sim::{FixedSequence, LearnerModel, Population, Simulation, response_log};
/// use mastery::{Catalog, Curriculum, Model};
///
/// let ccss = Curriculum::ccss_math();
/// let model = Model::builder(ccss.clone()).catalog(Catalog::demo(&ccss, 1)).build()?;
/// let targets = ccss.set_of(["3.NF.A.1"])?;
/// let pilot = Simulation {
///     population: Population::new(LearnerModel::Bkt),
///     budget: 50,
///     per_day: 6,
///     learners: 4,
///     seed: 7,
/// };
/// let log = response_log(&model, &FixedSequence { per_standard: 8 }, &targets, &pilot)?;
/// assert!(log.starts_with("order_id,user_id,skill_name,correct,activity\n"));
/// let (data, _) = Dataset::from_reader("pilot.csv", log.as_bytes(), &DatasetOptions::default())?;
/// assert!(data.len() > 4);
/// # Ok::<(), mastery::Error>(())
/// ```
pub fn response_log(
    model: &Model,
    policy: &dyn Policy,
    targets: &StandardSet,
    simulation: &Simulation,
) -> Result<String> {
    let rows = responses(model, policy, targets, simulation)?;
    Ok(responses_csv(&rows, Some("activity")))
}

/// The answers of `simulation.learners` learners under `policy`, as
/// response rows (the activity done as each row's item, for
/// [`crate::fit::what_works`]; an activity aligned to several standards
/// gives one row per standard, as pyBKT takes multi-skill rows): what a
/// pilot cohort would leave behind, to fit a model with [`crate::fit`]
/// ([`Dataset::from_responses`]) before recommending to new learners.
/// Learners are `sim-<index>`, `order_id`s run from 1 over the whole log;
/// each learner runs until the budget or until it truly knows every target.
/// O(learners x budget x a policy's choice).
///
/// # Errors
/// As [`evaluate`](super::evaluate).
///
/// ```
/// use mastery::fit::{Dataset, DatasetOptions};
/// use mastery::sim::{FixedSequence, LearnerModel, Population, Simulation, responses};
/// use mastery::{Catalog, Curriculum, Model};
///
/// let ccss = Curriculum::ccss_math();
/// let model = Model::builder(ccss.clone()).catalog(Catalog::demo(&ccss, 1)).build()?;
/// let targets = ccss.set_of(["3.NF.A.1"])?;
/// let pilot = Simulation {
///     population: Population::new(LearnerModel::Bkt),
///     budget: 50,
///     per_day: 6,
///     learners: 4,
///     seed: 7,
/// };
/// let rows = responses(&model, &FixedSequence { per_standard: 8 }, &targets, &pilot)?;
/// assert!(rows.iter().all(|r| r.learner.starts_with("sim-") && r.item.is_some()));
/// let options = DatasetOptions::default().item_column("activity");
/// let (data, _) = Dataset::from_responses("pilot", &rows, &options)?;
/// assert_eq!(data.len(), rows.len());
/// # Ok::<(), mastery::Error>(())
/// ```
pub fn responses(
    model: &Model,
    policy: &dyn Policy,
    targets: &StandardSet,
    simulation: &Simulation,
) -> Result<Vec<ResponseRow>> {
    let simulation = &check(simulation, targets)?;
    let histories: Vec<Vec<(ActivityIdx, bool)>> = (0..simulation.learners)
        .into_par_iter()
        .map(|i| run_one(model, model, policy, targets, simulation, i).map(|(_, history)| history))
        .collect::<Result<_>>()?;
    let curriculum = model.curriculum();
    let mut rows = Vec::new();
    let mut order = 0i64;
    for (i, history) in histories.iter().enumerate() {
        for &(activity, correct) in history {
            for &s in model.catalog().alignment(activity) {
                order += 1;
                rows.push(ResponseRow {
                    order,
                    learner: format!("sim-{i}"),
                    skill: curriculum[s].id().to_owned(),
                    correct,
                    item: Some(
                        model
                            .catalog()
                            .get(activity)
                            .map_or("", |a| a.id())
                            .to_owned(),
                    ),
                });
            }
        }
    }
    Ok(rows)
}

/// Learn rates that differ by activity, for a truth in which some activities
/// teach better than others: each activity of `model`'s catalog gets its
/// first standard's learn rate times a factor drawn log-uniformly from
/// `factors` (e.g. 0.2 to 3), seeded. Feed them to
/// [`crate::ModelBuilder::activity_learn_rates`]. O(activities).
///
/// ```
/// use mastery::{Catalog, Curriculum, Model};
/// use mastery::sim::varied_learn_rates;
///
/// let ccss = Curriculum::ccss_math();
/// let model = Model::builder(ccss.clone()).catalog(Catalog::demo(&ccss, 1)).build()?;
/// let rates = varied_learn_rates(&model, (0.2, 3.0), 7);
/// assert_eq!(rates.len(), model.catalog().len());
/// assert!(rates.iter().all(|(_, l)| (0.03..=0.45).contains(l)));
/// assert_eq!(rates, varied_learn_rates(&model, (0.2, 3.0), 7));
/// # Ok::<(), mastery::Error>(())
/// ```
#[must_use]
pub fn varied_learn_rates(model: &Model, factors: (f64, f64), seed: u64) -> Vec<(String, f64)> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let (lo, hi) = (
        factors.0.max(f64::MIN_POSITIVE),
        factors.1.max(f64::MIN_POSITIVE),
    );
    model
        .catalog()
        .activities()
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let factor = (lo.ln() + rng.random::<f64>() * (hi.ln() - lo.ln())).exp();
            let base = model
                .catalog()
                .alignment(ActivityIdx::new(i))
                .first()
                .map_or(0.15, |s| model.all_params()[s.index()].learn());
            (a.id().to_owned(), (base * factor).clamp(0.0, 1.0))
        })
        .collect()
}
