//! The simulator: same seed same result, learners learn and forget as
//! modeled, policies stay within the catalog and the budget.

use mastery::sim::{
    Adaptive, FixedSequence, LearnerModel, Population, RandomReady, SimLearner, Simulation,
    evaluate,
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
