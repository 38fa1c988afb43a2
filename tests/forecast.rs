//! Early warning: forecasts of reaching a goal by its due date.

use mastery::learner::GoalSetter;
use mastery::recommend::{ForecastOptions, Recommender};
use mastery::sim::{ForecastCalibration, LearnerModel, Population, calibrate_forecasts};
use mastery::{Catalog, Curriculum, Error, Evidence, LearnerState, Model, Outcome};

const DAY: i64 = 86_400;
const START: i64 = 1_700_000_000;

fn model() -> Model {
    let ccss = Curriculum::ccss_math();
    Model::builder(ccss.clone())
        .catalog(Catalog::demo(&ccss, 1))
        .build()
        .unwrap()
}

/// A learner who answered `per_day` questions a day on K.CC.A.1 for `days` days.
fn worker(model: &Model, id: &str, per_day: i64, days: i64) -> LearnerState {
    let mut l = LearnerState::new(model, id).unwrap();
    for d in 0..days {
        for k in 0..per_day {
            let e =
                Evidence::on_standard(id, "K.CC.A.1", Outcome::Correct, START + d * DAY + k * 60)
                    .unwrap();
            l.apply(model, &e).unwrap();
        }
    }
    l
}

#[test]
fn more_time_and_a_faster_pace_raise_the_chance() {
    let model = model();
    let r = Recommender::new(&model);
    let now = START + 7 * DAY;
    let options = ForecastOptions::new(3);
    let slow = worker(&model, "slow", 1, 7);
    let fast = worker(&model, "fast", 8, 7);
    let chance = |l: &LearnerState, days: i64| {
        r.forecast(l, "1.OA.A.1", now + days * DAY, now, &options)
            .unwrap()
            .probability
    };
    assert!(
        chance(&fast, 5) < chance(&fast, 60),
        "{} {}",
        chance(&fast, 5),
        chance(&fast, 60)
    );
    assert!(chance(&slow, 20) < chance(&fast, 20));
    assert_eq!(chance(&fast, 0), 0.0);
    // The same seed gives the same forecast.
    let f = r
        .forecast(&fast, "1.OA.A.1", now + 20 * DAY, now, &options)
        .unwrap();
    assert_eq!(
        f,
        r.forecast(&fast, "1.OA.A.1", now + 20 * DAY, now, &options)
            .unwrap()
    );
    let text = f.explain(model.curriculum());
    assert!(
        text.contains("chance of reaching 1.OA.A.1 in the 20 days left at about"),
        "{text}"
    );
    assert!(text.contains("the main obstacle is"), "{text}");
    // A reached goal is certain and has no obstacle.
    let done = r
        .forecast(&fast, "K.CC.A.1", now + DAY, now, &options)
        .unwrap();
    assert_eq!((done.probability, done.obstacle), (1.0, None));
}

#[test]
fn no_pace_is_an_error_unless_one_is_assumed() {
    let model = model();
    let r = Recommender::new(&model);
    let new = LearnerState::new(&model, "new").unwrap();
    let err = r
        .forecast(
            &new,
            "1.OA.A.1",
            START + 10 * DAY,
            START,
            &ForecastOptions::new(1),
        )
        .unwrap_err();
    assert!(matches!(err, Error::UnknownPace { .. }), "{err}");
    assert!(err.to_string().contains("pace of learner `new`"), "{err}");
    let assumed = ForecastOptions::new(1).assumed_per_day(5.0).unwrap();
    let f = r
        .forecast(&new, "1.OA.A.1", START + 10 * DAY, START, &assumed)
        .unwrap();
    assert!(!f.pace_observed);
    assert!(
        f.explain(model.curriculum())
            .contains("an assumed 5 activities a day")
    );
}

#[test]
fn the_class_list_puts_the_most_at_risk_first() {
    let model = model();
    let now = START + 7 * DAY;
    let mut learners = vec![
        worker(&model, "ada", 8, 7),
        worker(&model, "bo", 1, 7),
        worker(&model, "cy", 4, 7),
        LearnerState::new(&model, "dee").unwrap(),
        worker(&model, "eve", 4, 7),
    ];
    for l in &mut learners[..4] {
        l.set_goal(
            &model,
            "1.OA.A.1",
            GoalSetter::Teacher,
            Some(now + 20 * DAY),
            now,
        )
        .unwrap();
    }
    let warnings = Recommender::new(&model)
        .early_warnings(&learners, now, &ForecastOptions::new(1))
        .unwrap();
    let order: Vec<&str> = warnings
        .warnings
        .iter()
        .map(|w| w.learner.as_str())
        .collect();
    assert_eq!(order.len(), 3, "{order:?}");
    assert_eq!(order[0], "bo");
    assert!(
        warnings
            .warnings
            .windows(2)
            .all(|w| w[0].forecast.probability <= w[1].forecast.probability)
    );
    assert_eq!(warnings.without_pace, ["dee"]);
    let md = warnings.to_markdown(model.curriculum());
    assert!(
        md.contains("- bo: A ") && md.contains("Not enough activity yet to forecast: dee."),
        "{md}"
    );
}

/// A small version of `examples/early_warning.rs` (1,000 learners in the
/// note): forecasts are much better than the base rate, and where a decile
/// has enough learners the share that reached the goal is near its forecast.
#[test]
fn forecasts_are_calibrated_on_simulated_learners() {
    let ccss = Curriculum::ccss_math();
    let population = Population::new(LearnerModel::Bkt);
    let model = Model::builder(ccss.clone())
        .catalog(Catalog::demo(&ccss, 1))
        .decay(Some(population.decay().unwrap()))
        .build()
        .unwrap();
    let calibration = ForecastCalibration {
        population,
        learners: 240,
        warmup_days: 7,
        horizon_days: (3, 40),
        per_day: (2, 8),
        attendance: (0.4, 1.0),
        seed: 11,
    };
    let goal = ccss.index_of("2.OA.A.1").unwrap();
    let report = calibrate_forecasts(
        &model,
        &model,
        goal,
        &calibration,
        &ForecastOptions::new(11).draws(200).unwrap(),
    )
    .unwrap();
    assert!(report.forecasts > 200, "{}", report.to_markdown());
    assert!(
        report.brier < 0.6 * report.base_rate_brier,
        "{}",
        report.to_markdown()
    );
    for bin in report.bins.iter().filter(|b| b.count >= 30) {
        assert!(
            (bin.observed - bin.predicted).abs() < 0.2,
            "{}",
            report.to_markdown()
        );
    }
    assert_eq!(
        report.bins.iter().map(|b| b.count).sum::<usize>(),
        report.forecasts
    );
}
