//! Pace: how long a path takes, for this learner, and how sure that is.

use mastery::recommend::Recommender;
use mastery::sim::{LearnerModel, Population, Simulation, calibrate_pace};
use mastery::{
    BktParams, Catalog, Curriculum, Evidence, LearnerState, Model, Outcome, Propagation,
};

const T0: i64 = 1_700_000_000;

fn chain_model(prior: f64) -> Model {
    let c = Curriculum::builder()
        .standard_ids(["A", "B", "C", "X"])
        .unwrap()
        .prerequisite("A", "B")
        .prerequisite("B", "C")
        .build()
        .unwrap();
    Model::builder(c)
        .default_params(BktParams::new(prior, 0.15, 0.0, 0.2, 0.1).unwrap())
        .propagation(Propagation::off())
        .build()
        .unwrap()
}

fn answer(model: &Model, learner: &mut LearnerState, standard: &str, correct: bool, at: i64) {
    learner
        .apply(
            model,
            &Evidence::on_standard(
                learner.learner(),
                standard,
                Outcome::from_correct(correct),
                at,
            )
            .unwrap(),
        )
        .unwrap();
}

/// "About 475 minutes to move K.G.A.2 from 88% to 95%": the learning curve
/// alone takes 6 opportunities from 88% at a learn rate of 0.15, but the
/// estimate crosses the bar with one correct answer.
#[test]
fn near_the_bar_a_step_takes_an_answer_or_two() {
    let model = chain_model(0.88);
    let learner = LearnerState::new(&model, "ada").unwrap();
    let path = Recommender::new(&model).path_to(&learner, "A", T0).unwrap();
    assert_eq!(path.steps.len(), 1);
    assert!(path.opportunities <= 2, "{path:?}");
    assert!(path.likely_opportunities.0 >= 1, "{path:?}");
    assert!(
        path.likely_opportunities.1 >= path.opportunities,
        "{path:?}"
    );
}

/// Two learners with answers on X only (apart from the chain): one who
/// learned it slowly (12 wrong, then 2 right) and one who learned it
/// quickly (1 wrong, then 5 right).
fn slow_and_fast(model: &Model) -> (LearnerState, LearnerState) {
    let mut slow = LearnerState::new(model, "slow").unwrap();
    let mut fast = LearnerState::new(model, "fast").unwrap();
    for i in 0..14 {
        answer(model, &mut slow, "X", i >= 12, T0 + i * 60);
    }
    for i in 0..6 {
        answer(model, &mut fast, "X", i >= 1, T0 + i * 60);
    }
    (slow, fast)
}

/// The same path takes longer for a learner whose answers elsewhere show
/// slow learning than for one who learned quickly.
#[test]
fn a_slow_learner_is_told_a_longer_path() {
    let model = chain_model(0.2);
    let recommender = Recommender::new(&model);
    let (slow, fast) = slow_and_fast(&model);
    let at = T0 + 3_600;
    let slow_path = recommender.path_to(&slow, "C", at).unwrap();
    let fast_path = recommender.path_to(&fast, "C", at).unwrap();
    assert_eq!(slow_path.steps.len(), 3);
    assert_eq!(fast_path.steps.len(), 3);
    assert!(
        slow_path.opportunities > fast_path.opportunities * 3 / 2,
        "slow {} vs fast {}",
        slow_path.opportunities,
        fast_path.opportunities
    );
    assert!(slow_path.likely_opportunities.1 > fast_path.likely_opportunities.1);
    // A learner without evidence is in between.
    let new = recommender
        .path_to(&LearnerState::new(&model, "new").unwrap(), "C", at)
        .unwrap();
    assert!(new.opportunities < slow_path.opportunities);
    assert!(new.opportunities > fast_path.opportunities);
}

/// Forecasts draw the learner's speed from what their answers say, as paths
/// do: with the same estimates on the way to the goal, a learner whose
/// answers elsewhere show slow learning is less likely to reach it by the
/// due date than one who learned quickly.
#[test]
fn a_slow_learner_is_forecast_less_likely_to_reach_a_goal() {
    use mastery::recommend::ForecastOptions;
    let model = chain_model(0.2);
    let recommender = Recommender::new(&model);
    let (slow, fast) = slow_and_fast(&model);
    let at = T0 + 3_600;
    let options = ForecastOptions::new(1).assumed_per_day(4.0).unwrap();
    let chance = |learner: &LearnerState| {
        recommender
            .forecast(learner, "C", at + 6 * 86_400, at, &options)
            .unwrap()
            .probability
    };
    let (slow, fast) = (chance(&slow), chance(&fast));
    // The estimates of A, B and C are the same for both (X is apart), so
    // without the learner's answers the two chances would be equal.
    assert!(slow + 0.15 < fast, "slow {slow} vs fast {fast}");
}

/// A class is taught in the curriculum's order: a learner who has mastered
/// C and knew A and B from their first answers has most likely been taught
/// P too, which comes before C in the order on another branch of the graph,
/// although P has no evidence and its estimate is the prior. The path's P
/// step is then shorter than its G step (after C, same prior and rates),
/// where before the records said nothing about untouched steps.
#[test]
fn an_unpracticed_step_behind_what_the_learner_mastered_is_shorter() {
    let c = Curriculum::builder()
        .standard_ids(["P", "A", "B", "C", "G"])
        .unwrap()
        .prerequisite("A", "B")
        .prerequisite("B", "C")
        .prerequisite("C", "G")
        .prerequisite("P", "G")
        .build()
        .unwrap();
    let model = Model::builder(c)
        .default_params(BktParams::new(0.2, 0.15, 0.0, 0.2, 0.1).unwrap())
        .propagation(Propagation::off())
        .build()
        .unwrap();
    let mut ada = LearnerState::new(&model, "ada").unwrap();
    let mut at = T0;
    for s in ["A", "B", "C"] {
        for _ in 0..4 {
            answer(&model, &mut ada, s, true, at);
            at += 60;
        }
    }
    let path = Recommender::new(&model).path_to(&ada, "G", at).unwrap();
    let ids: Vec<&str> = path
        .steps
        .iter()
        .map(|s| model.curriculum()[s.standard].id())
        .collect();
    assert_eq!(ids, ["P", "G"], "{path:?}");
    let (p, g) = (path.steps[0].opportunities, path.steps[1].opportunities);
    assert!(p * 3 / 2 <= g, "P {p} vs G {g}: {path:?}");
}

#[test]
fn the_likely_range_brackets_the_estimate_and_the_steps_add_up() {
    let model = chain_model(0.2);
    let learner = LearnerState::new(&model, "ada").unwrap();
    let path = Recommender::new(&model).path_to(&learner, "C", T0).unwrap();
    let (low, high) = path.likely_opportunities;
    assert!(
        low <= path.opportunities && path.opportunities <= high,
        "{path:?}"
    );
    assert!(low < high, "{path:?}");
    let (low, high) = path.likely_minutes;
    assert!(
        low <= path.minutes && path.minutes <= high * 1.05,
        "{path:?}"
    );
    assert_eq!(
        path.opportunities,
        path.steps.iter().map(|s| s.opportunities).sum::<u32>()
    );
    // Same state, same answer.
    assert_eq!(
        path,
        Recommender::new(&model).path_to(&learner, "C", T0).unwrap()
    );
    // A mastered goal: nothing left, nothing likely.
    let mut done = learner.clone();
    for i in 0..8 {
        for s in ["A", "B", "C"] {
            answer(&model, &mut done, s, true, T0 + i * 60);
        }
    }
    let path = Recommender::new(&model)
        .path_to(&done, "C", T0 + 3_600)
        .unwrap();
    assert!(path.steps.is_empty());
    assert_eq!(path.likely_opportunities, (0, 0));
    assert_eq!(path.likely_minutes, (0.0, 0.0));
}

/// Simulated learners who start as the model's priors say work toward a
/// goal with the recommender: the median predicted time is within 25% of
/// the median time they took, and the likely range holds about 8 in 10.
#[test]
fn predicted_pace_matches_simulated_learners() {
    let ccss = Curriculum::ccss_math();
    let mut population = Population::new(LearnerModel::Bkt);
    population.start = (0.0, 0.0);
    population.prior_beyond = BktParams::default().prior();
    let model = Model::builder(ccss.clone())
        .catalog(Catalog::demo(&ccss, 1))
        .decay(Some(population.decay().unwrap()))
        .build()
        .unwrap();
    let simulation = Simulation {
        population,
        budget: 600,
        per_day: 6,
        learners: 120,
        seed: 1,
    };
    let goal = ccss.index_of("3.OA.C.7").unwrap();
    let report = calibrate_pace(&model, &model, goal, &simulation, 30).unwrap();
    assert!(report.learners >= 100, "{report:?}");
    assert!((0.75..=1.25).contains(&report.ratio()), "{report:?}");
    assert!((0.6..=0.97).contains(&report.within_likely), "{report:?}");
    assert_eq!(report.unfinished, 0, "{report:?}");
    assert_eq!(
        report,
        calibrate_pace(&model, &model, goal, &simulation, 30).unwrap()
    );
}

#[test]
fn bad_pace_settings_are_errors() {
    let model = chain_model(0.2);
    let goal = model.curriculum().index_of("C").unwrap();
    let simulation = Simulation {
        population: Population::new(LearnerModel::Bkt),
        budget: 0,
        per_day: 6,
        learners: 3,
        seed: 1,
    };
    assert!(calibrate_pace(&model, &model, goal, &simulation, 5).is_err());
    let simulation = Simulation {
        budget: 10,
        learners: 0,
        ..simulation
    };
    assert!(calibrate_pace(&model, &model, goal, &simulation, 5).is_err());
}

/// The chain A -> B -> C with prerequisite gating `factor`.
fn gated_chain_model(prior: f64, factor: f64) -> Model {
    let c = chain_model(prior).curriculum().clone();
    Model::builder(c)
        .default_params(BktParams::new(prior, 0.15, 0.0, 0.2, 0.1).unwrap())
        .propagation(Propagation::off())
        .prerequisite_gating(factor)
        .build()
        .unwrap()
}

/// A learner who has mastered B counts A, its prerequisite, as known
/// without a step; without propagation A's estimate stays at the prior, so
/// A is likely unknown, and C, which needs A, is learned slower when
/// learning is gated on prerequisites. At factor 1 (and for a standard
/// without prerequisites) paths and forecasts are exactly as without gating.
#[test]
fn gating_lengthens_a_path_whose_prerequisites_are_likely_unknown() {
    use mastery::recommend::ForecastOptions;
    let builder = || {
        let c = Curriculum::builder()
            .standard_ids(["A", "B", "C"])
            .unwrap()
            .prerequisite("A", "B")
            .prerequisite("A", "C")
            .build()
            .unwrap();
        Model::builder(c)
            .default_params(BktParams::new(0.1, 0.15, 0.0, 0.2, 0.1).unwrap())
            .propagation(Propagation::off())
    };
    let plain = builder().build().unwrap();
    let ungated = builder().prerequisite_gating(1.0).build().unwrap();
    let gated = builder().prerequisite_gating(0.1).build().unwrap();
    let learner = |model: &Model| {
        let mut ada = LearnerState::new(model, "ada").unwrap();
        for i in 0..8 {
            answer(model, &mut ada, "B", true, T0 + i * 60);
        }
        ada
    };
    let at = T0 + 3_600;
    let path = |model: &Model, goal: &str| {
        Recommender::new(model)
            .path_to(&learner(model), goal, at)
            .unwrap()
    };
    assert!(learner(&gated).mastery(&gated, "A").unwrap() < 0.2);
    assert_eq!(path(&ungated, "C"), path(&plain, "C"));
    assert_eq!(path(&gated, "A"), path(&plain, "A"));
    let (slow, fast) = (path(&gated, "C"), path(&plain, "C"));
    assert_eq!(slow.steps.len(), 1);
    assert!(
        slow.opportunities > fast.opportunities * 3 / 2,
        "gated {} vs not {}",
        slow.opportunities,
        fast.opportunities
    );
    assert!(slow.likely_opportunities.1 > fast.likely_opportunities.1);
    // Forecasts too: less likely in time, identical at factor 1.
    let options = ForecastOptions::new(5).assumed_per_day(3.0).unwrap();
    let forecast = |model: &Model| {
        Recommender::new(model)
            .forecast(&learner(model), "C", at + 5 * 86_400, at, &options)
            .unwrap()
    };
    assert_eq!(forecast(&ungated), forecast(&plain));
    assert!(forecast(&gated).probability < forecast(&plain).probability);
    assert!(forecast(&gated).expected_activities > forecast(&plain).expected_activities);
}

/// A learner who has mastered B (so A counts as known without a step)
/// works on C alone; gating slows C only in the simulated learners who do
/// not truly know B, which its estimate makes rare.
#[test]
fn gating_barely_touches_a_step_whose_prerequisites_are_mastered() {
    let plain = chain_model(0.1);
    let gated = gated_chain_model(0.1, 0.1);
    let path = |model: &Model| {
        let mut ada = LearnerState::new(model, "ada").unwrap();
        for i in 0..8 {
            answer(model, &mut ada, "B", true, T0 + i * 60);
        }
        Recommender::new(model)
            .path_to(&ada, "C", T0 + 3_600)
            .unwrap()
    };
    let (slow, fast) = (path(&gated), path(&plain));
    assert_eq!(slow.steps.len(), 1);
    assert!(slow.opportunities >= fast.opportunities);
    assert!(
        f64::from(slow.opportunities) <= f64::from(fast.opportunities) * 1.25 + 1.0,
        "gated {} vs not {}",
        slow.opportunities,
        fast.opportunities
    );
}

#[test]
fn a_prerequisite_gating_factor_outside_zero_to_one_is_rejected() {
    let c = chain_model(0.1).curriculum().clone();
    for bad in [0.0, -0.5, 1.5, f64::NAN, f64::INFINITY] {
        let err = Model::builder(c.clone())
            .prerequisite_gating(bad)
            .build()
            .unwrap_err();
        assert!(
            matches!(&err, mastery::Error::InvalidValue { what, .. } if what.contains("prerequisite gating")),
            "{bad}: {err}"
        );
    }
    for good in [1e-9, 0.1, 1.0] {
        let model = Model::builder(c.clone())
            .prerequisite_gating(good)
            .build()
            .unwrap();
        assert_eq!(model.prerequisite_gating(), good);
    }
    assert_eq!(
        Model::builder(c).build().unwrap().prerequisite_gating(),
        1.0
    );
}
