//! Learner ability (issue 11.2): the online estimate is finite, bounded and
//! ordered by performance, tracks the batch (MAP) estimate, and whole-log
//! predictions with ability reduce to plain BKT without it.

use mastery::fit::{
    Dataset, DatasetOptions, FitConfig, HmmParams, PredictOptions, PredictParams, fit, fit_ability,
    predict, predict_with_ability, synthetic_log,
};
use mastery::model::{HistoryStep, MAX_ABILITY, batch_ability};
use mastery::{AbilityParams, BktParams, GuessSlip};
use proptest::prelude::*;

/// Runs the online filter the way [`mastery::LearnerState`] does for one
/// standard per chain: returns the final belief's mean.
fn online(params: &AbilityParams, history: &[HistoryStep]) -> f64 {
    let mut belief = params.prior();
    let mut estimate: Vec<Option<f64>> = vec![None; 8];
    for step in history {
        let theta = belief.mean();
        let known = estimate[step.chain].unwrap_or_else(|| params.shift(step.prior, theta));
        let answer = belief.answer(step.answer);
        let bkt = BktParams::new(
            step.prior,
            params.shift(step.learn, theta),
            step.forget,
            answer.guess(),
            answer.slip(),
        )
        .unwrap();
        let outcome = mastery::Outcome::score(step.credit).unwrap();
        belief.observe(known, step.answer, step.credit, 1.0);
        estimate[step.chain] = Some(bkt.update(known, outcome));
    }
    belief.mean()
}

fn step_strategy() -> impl Strategy<Value = HistoryStep> {
    (
        0usize..8,
        0.05f64..0.6,
        0.05f64..0.35,
        0.02f64..0.3,
        0.02f64..0.4,
        prop::bool::ANY,
    )
        .prop_map(|(chain, prior, guess, slip, learn, correct)| HistoryStep {
            chain,
            prior,
            answer: GuessSlip::new(guess, slip).unwrap(),
            learn,
            forget: 0.0,
            credit: if correct { 1.0 } else { 0.0 },
        })
}

/// A learner of ability `theta` answering `n` questions on up to 8
/// standards, drawn from the model itself.
fn simulated_history(seed: u64, n: usize, theta: f64, params: &AbilityParams) -> Vec<HistoryStep> {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(seed);
    let chains: Vec<(f64, f64, f64, f64)> = (0..8)
        .map(|_| {
            (
                rng.random_range(0.05..0.5),
                rng.random_range(0.05..0.3),
                rng.random_range(0.03..0.2),
                rng.random_range(0.05..0.3),
            )
        })
        .collect();
    let mut known: Vec<Option<bool>> = vec![None; 8];
    (0..n)
        .map(|_| {
            let chain = rng.random_range(0..8usize);
            let (prior, guess, slip, learn) = chains[chain];
            let knows = *known[chain]
                .get_or_insert_with(|| rng.random::<f64>() < params.shift(prior, theta));
            let answer = GuessSlip::new(guess, slip).unwrap();
            let own = mastery::model::individual_answer(answer, theta);
            let p = if knows { 1.0 - own.slip() } else { own.guess() };
            let correct = rng.random::<f64>() < p;
            if !knows && rng.random::<f64>() < params.shift(learn, theta) {
                known[chain] = Some(true);
            }
            HistoryStep {
                chain,
                prior,
                answer,
                learn,
                forget: 0.0,
                credit: if correct { 1.0 } else { 0.0 },
            }
        })
        .collect()
}

/// The largest gap allowed between the online and the batch (MAP) estimate
/// after 30 to 120 responses drawn from the model, in logits: the online
/// filter takes one Gauss-Newton step per response at the estimate of the
/// moment, the batch estimate re-reads the whole history at the final one.
/// Typical gaps are far smaller (`online_ability_is_almost_as_good_as_batch`:
/// median 0.07-0.17, 90th percentile at most 0.45); the largest seen in
/// 2,400 simulated learners was 1.18.
const ONLINE_BATCH_MAX_GAP: f64 = 1.5;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn online_ability_is_finite_and_bounded_on_any_history(
        history in prop::collection::vec(step_strategy(), 0..80),
        sd in 0.3f64..2.0,
        weight in 0.0f64..2.0,
    ) {
        let params = AbilityParams::new(sd, weight).unwrap();
        let online = online(&params, &history);
        prop_assert!(online.is_finite() && online.abs() <= MAX_ABILITY);
        let batch = batch_ability(&params, &history);
        prop_assert!(batch.is_finite() && batch.abs() <= MAX_ABILITY);
    }

    #[test]
    fn online_ability_tracks_the_batch_estimate(
        seed in any::<u64>(),
        n in 30usize..120,
        z in -1.5f64..1.5,
        sd in 0.5f64..1.2,
        weight in 0.0f64..1.5,
    ) {
        let params = AbilityParams::new(sd, weight).unwrap();
        let history = simulated_history(seed, n, z * sd, &params);
        let (online, batch) = (online(&params, &history), batch_ability(&params, &history));
        prop_assert!((online - batch).abs() <= ONLINE_BATCH_MAX_GAP,
            "online {} batch {} (true {})", online, batch, z * sd);
    }

    #[test]
    fn all_correct_beats_all_wrong(
        history in prop::collection::vec(step_strategy(), 1..60),
        sd in 0.3f64..2.0,
    ) {
        let params = AbilityParams::new(sd, 1.0).unwrap();
        let with = |credit: f64| -> Vec<HistoryStep> {
            history.iter().map(|s| HistoryStep { credit, ..*s }).collect()
        };
        let (right, wrong) = (online(&params, &with(1.0)), online(&params, &with(0.0)));
        prop_assert!(right > 0.0 && wrong < 0.0 && right > wrong, "{} {}", right, wrong);
        prop_assert!(batch_ability(&params, &with(1.0)) > batch_ability(&params, &with(0.0)));
    }
}

fn log(seed: u64) -> Dataset {
    let truth = |g: f64| HmmParams {
        prior: 0.25,
        learn: 0.12,
        forget: 0.0,
        guess: vec![g],
        slip: vec![0.1],
    };
    let csv = synthetic_log(
        &[("a".into(), truth(0.2)), ("b".into(), truth(0.25))],
        150,
        4..=12,
        seed,
    )
    .unwrap();
    let options = DatasetOptions::default().keep_row_keys(true);
    Dataset::from_reader("log.csv", csv.as_bytes(), &options)
        .unwrap()
        .0
}

#[test]
fn without_ability_whole_log_predictions_are_plain_bkt() {
    let data = log(3);
    let report = fit(&data, &FitConfig::default().validate().unwrap()).unwrap();
    let params = PredictParams::from_fit(&report);
    let plain = predict(&data, &params, &PredictOptions::default()).unwrap();
    let none = predict_with_ability(&data, &params, None).unwrap();
    for (a, b) in plain.p_correct().iter().zip(&none) {
        assert!((a - b).abs() < 1e-12, "{a} {b}");
    }
    let with = predict_with_ability(&data, &params, Some(&AbilityParams::default())).unwrap();
    assert!(with.iter().all(|p| (0.0..=1.0).contains(p)));
    assert!(with.iter().zip(&none).any(|(a, b)| (a - b).abs() > 1e-6));
}

#[test]
fn fitted_ability_is_a_candidate_and_no_worse_than_the_best_candidate() {
    let data = log(5);
    let report = fit(&data, &FitConfig::default().validate().unwrap()).unwrap();
    let chosen = fit_ability(&data, &PredictParams::from_fit(&report)).unwrap();
    assert!(chosen.candidates.len() >= 24);
    assert!(
        chosen
            .candidates
            .iter()
            .all(|c| c.1 <= chosen.log_likelihood)
    );
    assert!(chosen.candidates.iter().any(|c| c.0 == chosen.params));
    assert!(chosen.log_likelihood_without.is_finite());
}

#[test]
fn unknown_skills_are_errors() {
    let data = log(1);
    assert!(predict_with_ability(&data, &PredictParams::default(), None).is_err());
    assert!(fit_ability(&data, &PredictParams::default()).is_err());
}

/// Over 200 simulated learners per setting: the online estimate's 90th
/// percentile gap to the batch estimate is at most 0.5 logits and its error
/// to the true ability at most 25% above the batch estimate's (measured
/// with 400 learners: p90 0.19-0.45, RMSE ratio 1.08-1.15; 1.19 with these 200).
#[test]
fn online_ability_is_almost_as_good_as_batch() {
    for weight in [0.0, 1.0] {
        for n in [30usize, 120] {
            let params = AbilityParams::new(0.85, weight).unwrap();
            let (mut gaps, mut err_online, mut err_batch) = (Vec::new(), 0.0, 0.0);
            for seed in 0..200u64 {
                let truth = ((seed % 7) as f64 - 3.0) / 2.0 * 0.85;
                let h = simulated_history(seed, n, truth, &params);
                let (o, b) = (online(&params, &h), batch_ability(&params, &h));
                gaps.push((o - b).abs());
                err_online += (o - truth).powi(2);
                err_batch += (b - truth).powi(2);
            }
            gaps.sort_by(f64::total_cmp);
            let ratio = (err_online / err_batch).sqrt();
            assert!(
                gaps[180] <= 0.5,
                "weight {weight}, n {n}: p90 gap {}",
                gaps[180]
            );
            assert!(ratio <= 1.25, "weight {weight}, n {n}: RMSE ratio {ratio}");
        }
    }
}
