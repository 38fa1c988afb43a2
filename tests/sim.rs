//! The simulator: same seed same result, learners learn and forget as
//! modeled, policies stay within the catalog and the budget.

use mastery::sim::{
    Adaptive, Context, FixedSequence, LearnerModel, Policy, Population, RandomReady, SimLearner,
    Simulation, evaluate, evaluate_against, pilot_params, response_log,
};
use mastery::{Catalog, Curriculum, Model, Propagation, StandardSet};

fn setup() -> (Model, StandardSet) {
    let ccss = Curriculum::ccss_math();
    let model = Model::builder(ccss.clone())
        .catalog(Catalog::demo(&ccss, 1))
        .decay(None)
        .build()
        .unwrap();
    let targets = ccss.set_of(["3.NF.A.1", "3.NF.A.2", "3.NF.A.3"]).unwrap();
    (model, targets)
}

fn simulation(model: LearnerModel, seed: u64) -> Simulation {
    Simulation {
        population: Population::new(model),
        budget: 300,
        per_day: 6,
        learners: 12,
        seed,
    }
}

#[test]
fn same_seed_same_evaluation() {
    let (model, targets) = setup();
    for policy in [
        &Adaptive as &dyn mastery::sim::Policy,
        &FixedSequence { per_standard: 8 },
        &RandomReady,
    ] {
        let a = evaluate(&model, policy, &targets, &simulation(LearnerModel::Bkt, 3)).unwrap();
        let b = evaluate(&model, policy, &targets, &simulation(LearnerModel::Bkt, 3)).unwrap();
        assert_eq!(a, b, "{}", policy.name());
        assert_eq!(a.0.learners, 12);
        for run in &a.1 {
            assert!(run.activities <= 300);
            assert!(run.over_practice <= run.activities);
            assert!((0.0..=1.0).contains(&run.mastered_share_after_budget));
            assert!((0.0..=1.0).contains(&run.calibration_brier));
            if let Some(n) = run.activities_to_mastery {
                assert!(n <= run.activities);
                assert_eq!(run.mastered_share_after_budget, 1.0);
            }
        }
    }
}

#[test]
fn learners_are_drawn_deterministically_and_start_where_drawn() {
    let (model, targets) = setup();
    let population = Population::new(LearnerModel::Bkt);
    let a = SimLearner::draw(&model, &population, &targets, 7, 3);
    let b = SimLearner::draw(&model, &population, &targets, 7, 3);
    let ccss = model.curriculum();
    for s in ccss.indices() {
        assert_eq!(a.knows(s), b.knows(s));
    }
    // Everyone starts at least 40% of the way: the earliest prerequisites are known.
    let closure = ccss.prerequisite_closure(&targets).unwrap();
    let first = ccss
        .topological_order()
        .iter()
        .copied()
        .find(|&s| closure.contains(s))
        .unwrap();
    assert!(a.knows(first));
}

#[test]
fn gated_learners_learn_out_of_order_more_slowly() {
    let (model, _) = setup();
    let ccss = model.curriculum();
    // A target far beyond what anyone starts with: practicing it directly.
    let target = ccss.index_of("4.NF.A.1").unwrap();
    assert!(!ccss.prerequisites(target).unwrap().is_empty());
    let targets: StandardSet = [target].into_iter().collect();
    let activity = model.catalog().for_standard(target)[0];
    let learned = |m: LearnerModel| {
        let mut population = Population::new(m);
        population.start = (0.0, 0.0);
        population.prior_beyond = 0.0;
        (0..300)
            .filter(|&i| {
                let mut learner = SimLearner::draw(&model, &population, &targets, 11, i);
                for _ in 0..3 {
                    learner.practice(&model, &population, activity);
                }
                learner.knows(target)
            })
            .count()
    };
    let (bkt, gated) = (learned(LearnerModel::Bkt), learned(LearnerModel::Gated));
    assert!(gated * 3 < bkt, "gated {gated} vs bkt {bkt}");
}

#[test]
fn forgetting_follows_the_half_life() {
    let (model, targets) = setup();
    let mut population = Population::new(LearnerModel::Bkt);
    population.start = (1.0, 1.0);
    population.half_life_days = 10.0;
    let ccss = model.curriculum();
    let closure = ccss.prerequisite_closure(&targets).unwrap();
    let (mut before, mut after) = (0usize, 0usize);
    for i in 0..200 {
        let mut learner = SimLearner::draw(&model, &population, &targets, 5, i);
        before += closure.iter().filter(|&s| learner.knows(s)).count();
        learner.forget(&population, 10.0);
        after += closure.iter().filter(|&s| learner.knows(s)).count();
    }
    let kept = after as f64 / before as f64;
    assert!((kept - 0.5).abs() < 0.05, "kept {kept} after one half-life");
}

#[test]
fn bad_settings_are_errors() {
    let (model, targets) = setup();
    let mut bad = simulation(LearnerModel::Bkt, 1);
    bad.budget = 0;
    assert!(evaluate(&model, &Adaptive, &targets, &bad).is_err());
    assert!(
        evaluate(
            &model,
            &Adaptive,
            &StandardSet::new(),
            &simulation(LearnerModel::Bkt, 1)
        )
        .is_err()
    );
    let _ = Propagation::off();
}

#[test]
fn the_fixed_sequence_starts_a_review_round_after_passing_everything() {
    let (model, targets) = setup();
    let catalog = model.catalog();
    let closure = model.curriculum().prerequisite_closure(&targets).unwrap();
    let sequence = model.curriculum().in_order(&closure);
    // Three correct answers on every standard, in order: every standard passed.
    let mut history = Vec::new();
    for &s in &sequence {
        let a = catalog.for_standard(s)[0];
        history.extend([(a, true); 3]);
    }
    let estimate = mastery::LearnerState::new(&model, "x").unwrap();
    let context = Context {
        model: &model,
        estimate: &estimate,
        targets: &targets,
        now: mastery::sim::START,
        history: &history,
    };
    let mut rng = <rand::rngs::Xoshiro256PlusPlus as rand::SeedableRng>::seed_from_u64(1);
    let next = FixedSequence { per_standard: 8 }
        .next(&context, &mut rng)
        .expect("a review round, not the end");
    assert!(catalog.alignment(next).contains(&sequence[0]));
}

#[test]
fn a_response_log_holds_every_answer_and_is_reproducible() {
    let (model, targets) = setup();
    let sim = simulation(LearnerModel::Bkt, 5);
    let log = response_log(&model, &Adaptive, &targets, &sim).unwrap();
    assert_eq!(
        log,
        response_log(&model, &Adaptive, &targets, &sim).unwrap()
    );
    let (_, runs) = evaluate(&model, &Adaptive, &targets, &sim).unwrap();
    let rows = log.lines().count() - 1;
    // One row per aligned standard per activity: at least one per activity.
    assert!(rows >= runs.iter().map(|r| r.activities).sum::<usize>());
    let (data, report) = mastery::fit::Dataset::from_reader(
        "log.csv",
        log.as_bytes(),
        &mastery::fit::DatasetOptions::default(),
    )
    .unwrap();
    assert_eq!(data.len(), rows);
    assert!(report.skipped.is_empty());
    assert!(data.learners().iter().all(|l| l.starts_with("sim-")));
}

#[test]
fn a_pilot_fit_finds_that_early_standards_are_known_more_often() {
    let (model, targets) = setup();
    let pilot = Simulation {
        population: Population::new(LearnerModel::Bkt),
        budget: 300,
        per_day: 6,
        learners: 150,
        seed: 11,
    };
    let fitted = pilot_params(&model, &targets, &pilot).unwrap();
    let ccss = model.curriculum();
    let closure = ccss.prerequisite_closure(&targets).unwrap();
    let order: Vec<_> = ccss.in_order(&closure);
    let prior = |s: mastery::StandardIdx| fitted.params[ccss[s].id()].prior();
    let third = order.len() / 3;
    let early = order[..third].iter().map(|&s| prior(s)).sum::<f64>() / third as f64;
    let late = order[order.len() - third..]
        .iter()
        .map(|&s| prior(s))
        .sum::<f64>()
        / third as f64;
    // The population starts 40-90% of the way along this order.
    assert!(early > 0.7, "early standards' prior {early}");
    assert!(late < early - 0.3, "late {late} vs early {early}");
}

#[test]
fn evaluating_against_a_truth_needs_the_same_curriculum_and_catalog() {
    let (model, targets) = setup();
    let sim = simulation(LearnerModel::Gated, 2);
    // Same model as truth: the same as evaluate.
    assert_eq!(
        evaluate_against(&model, &model, &Adaptive, &targets, &sim).unwrap(),
        evaluate(&model, &Adaptive, &targets, &sim).unwrap()
    );
    let ccss = model.curriculum();
    let other_catalog = Model::builder(ccss.clone())
        .catalog(Catalog::demo(ccss, 2))
        .build()
        .unwrap();
    assert!(matches!(
        evaluate_against(&other_catalog, &model, &Adaptive, &targets, &sim),
        Err(mastery::Error::CatalogMismatch { .. })
    ));
    let small = Curriculum::builder()
        .standard_ids(["A"])
        .unwrap()
        .build()
        .unwrap();
    let other_curriculum = Model::builder(small).build().unwrap();
    assert!(matches!(
        evaluate_against(&other_curriculum, &model, &Adaptive, &targets, &sim),
        Err(mastery::Error::CurriculumMismatch { .. })
    ));
}

#[test]
fn the_recommender_needs_fewer_activities_than_the_fixed_sequence() {
    // A small version of the classroom comparison: grade-2 targets, a pilot-fitted model.
    let ccss = Curriculum::ccss_math();
    let targets: StandardSet = ccss
        .indices()
        .filter(|&s| ccss[s].grade() == Some("2"))
        .collect();
    for learner_model in [LearnerModel::Bkt, LearnerModel::Gated] {
        let population = Population::new(learner_model);
        let truth = Model::builder(ccss.clone())
            .catalog(Catalog::demo(&ccss, 1))
            .decay(Some(population.decay().unwrap()))
            .build()
            .unwrap();
        let simulation = |learners, seed| Simulation {
            population: population.clone(),
            budget: 1500,
            per_day: 6,
            learners,
            seed,
        };
        let fitted = pilot_params(&truth, &targets, &simulation(60, 99)).unwrap();
        let model = Model::builder(ccss.clone())
            .catalog(Catalog::demo(&ccss, 1))
            .decay(Some(population.decay().unwrap()))
            .skill_params(&fitted)
            .build()
            .unwrap();
        let fixed = FixedSequence { per_standard: 8 };
        let (a, _) =
            evaluate_against(&truth, &model, &Adaptive, &targets, &simulation(20, 1)).unwrap();
        let (f, _) =
            evaluate_against(&truth, &model, &fixed, &targets, &simulation(20, 1)).unwrap();
        eprintln!(
            "{}: adaptive {:.0} ({:.3} over-practice), fixed {:.0} ({:.3})",
            learner_model.name(),
            a.mean_activities_to_mastery,
            a.over_practice_share,
            f.mean_activities_to_mastery,
            f.over_practice_share
        );
        assert!(
            a.mean_activities_to_mastery < 0.7 * f.mean_activities_to_mastery,
            "{a:?} vs {f:?}"
        );
        assert!(a.over_practice_share <= f.over_practice_share);
    }
}

/// A small version of `examples/what_works.rs`: when activities differ in
/// what they teach, a model with learn rates fitted to a pilot's log by
/// `fit::what_works` needs fewer activities to mastery, under both learner models.
#[test]
fn recommending_with_what_works_needs_fewer_activities() {
    use mastery::fit::{Dataset, DatasetOptions, WhatWorksOptions, what_works};
    use mastery::sim::{RandomReady, response_log, varied_learn_rates};
    let ccss = Curriculum::ccss_math();
    let targets = ccss.set_of(["2.OA.A.1", "2.NBT.B.5"]).unwrap();
    for learner_model in [LearnerModel::Bkt, LearnerModel::Gated] {
        let population = Population::new(learner_model);
        let build = |rates: &[(String, f64)]| {
            Model::builder(ccss.clone())
                .catalog(Catalog::demo(&ccss, 1))
                .decay(Some(population.decay().unwrap()))
                .activity_learn_rates(rates.iter().cloned())
                .build()
                .unwrap()
        };
        let without = build(&[]);
        let truth = build(&varied_learn_rates(&without, (0.2, 3.0), 7));
        let pilot = Simulation {
            population: population.clone(),
            budget: 400,
            per_day: 6,
            learners: 150,
            seed: 1_000_003,
        };
        let log = response_log(&truth, &RandomReady, &targets, &pilot).unwrap();
        let options = DatasetOptions::default().item_column("activity");
        let (data, _) = Dataset::from_reader("pilot.csv", log.as_bytes(), &options).unwrap();
        let with = build(
            &what_works(&data, &WhatWorksOptions::default())
                .unwrap()
                .learn_rates(),
        );
        let simulation = Simulation {
            population: population.clone(),
            budget: 2000,
            per_day: 6,
            learners: 30,
            seed: 1,
        };
        let (a, _) = evaluate_against(&truth, &without, &Adaptive, &targets, &simulation).unwrap();
        let (b, _) = evaluate_against(&truth, &with, &Adaptive, &targets, &simulation).unwrap();
        assert!(
            b.mean_activities_to_mastery < 0.9 * a.mean_activities_to_mastery,
            "{}: {} with vs {} without",
            learner_model.name(),
            b.mean_activities_to_mastery,
            a.mean_activities_to_mastery
        );
    }
}

/// A number for a setting: ordinary values, and the edges and non-numbers
/// that validation must catch.
fn setting() -> impl proptest::strategy::Strategy<Value = f64> {
    use proptest::prelude::*;
    prop_oneof![
        Just(0.0),
        Just(1.0),
        Just(-1.0),
        Just(f64::NAN),
        Just(f64::INFINITY),
        0.0..3.0f64,
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Random settings either fail validation (and the simulator returns
    /// that error) or run without a NaN anywhere; a learner drawn even from
    /// an unchecked population has a finite ability.
    #[test]
    fn random_settings_validate_or_err_and_never_give_nan(
        ability in proptest::option::of((setting(), setting())),
        start in proptest::option::of((setting(), setting())),
        prior_beyond in proptest::option::of(setting()),
        half_life_days in proptest::option::of(setting()),
        budget in 0usize..12,
        per_day in 0usize..6,
        learners in 0usize..4,
        seed in 0u64..1_000,
    ) {
        let (model, targets) = setup();
        // Each field random or left at its default (so that some settings are valid).
        let mut population = Population::new(LearnerModel::Bkt);
        population.ability = ability.unwrap_or(population.ability);
        population.start = start.unwrap_or(population.start);
        population.prior_beyond = prior_beyond.unwrap_or(population.prior_beyond);
        population.half_life_days = half_life_days.unwrap_or(population.half_life_days);
        let learner = SimLearner::draw(&model, &population, &targets, seed, 0);
        proptest::prop_assert!(learner.ability().is_finite() && learner.ability() > 0.0);
        let simulation = Simulation { population, budget, per_day, learners, seed };
        let valid = simulation.clone().validate();
        let run = evaluate(&model, &FixedSequence { per_standard: 4 }, &targets, &simulation);
        match (valid, run) {
            (Err(_), Err(_)) => {}
            (Ok(_), Ok((evaluation, runs))) => {
                let e = &evaluation;
                for x in [
                    e.mean_activities_to_mastery,
                    e.median_activities_to_mastery,
                    e.p90_activities_to_mastery,
                    e.finished_within_budget,
                    e.mastered_share_after_budget,
                    e.over_practice_share,
                    e.calibration_brier,
                ] {
                    proptest::prop_assert!(x.is_finite(), "{e:?}");
                }
                for r in runs {
                    proptest::prop_assert!(r.calibration_brier.is_finite());
                    proptest::prop_assert!(r.mastered_share_after_budget.is_finite());
                }
            }
            (valid, run) => proptest::prop_assert!(
                false,
                "validation {:?} but the run {:?}",
                valid.err(),
                run.err()
            ),
        }
    }
}

/// The simulator's rows read as the same dataset as their CSV text.
#[test]
fn simulated_rows_are_the_dataset_of_their_log() {
    use mastery::fit::{Dataset, DatasetOptions};
    use mastery::sim::responses;
    let (model, targets) = setup();
    let sim = simulation(LearnerModel::Gated, 9);
    let rows = responses(&model, &RandomReady, &targets, &sim).unwrap();
    let log = response_log(&model, &RandomReady, &targets, &sim).unwrap();
    assert_eq!(
        log,
        mastery::evidence::responses_csv(&rows, Some("activity"))
    );
    for options in [
        DatasetOptions::default().keep_row_keys(true),
        DatasetOptions::default().item_column("activity"),
    ] {
        let (a, _) = Dataset::from_responses("pilot", &rows, &options).unwrap();
        let (b, _) = Dataset::from_reader("pilot.csv", log.as_bytes(), &options).unwrap();
        assert_eq!(a, b);
    }
}
