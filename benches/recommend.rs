//! Recommendation latency on the Common Core curriculum with the demo catalog.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mastery::recommend::{RecommendOptions, Recommender};
use mastery::{Catalog, Curriculum, Evidence, LearnerState, Model, Outcome};

const NOW: i64 = 1_700_000_000;

/// A learner who has mastered the first 100 standards of the curriculum's order.
fn learner(model: &Model) -> LearnerState {
    let ccss = model.curriculum();
    let mut state = LearnerState::new(model, "ada").unwrap();
    let mut time = NOW - 86_400;
    for &s in ccss.topological_order().iter().take(100) {
        for _ in 0..8 {
            time += 60;
            let e = Evidence::on_standard("ada", ccss[s].id(), Outcome::Correct, time).unwrap();
            state.apply(model, &e).unwrap();
        }
    }
    let mastered = state.mastered_at(model, NOW).unwrap().len();
    assert!(mastered >= 100, "only {mastered} mastered");
    state
}

fn recommend(c: &mut Criterion) {
    let ccss = Curriculum::ccss_math();
    let model = Model::builder(ccss.clone())
        .catalog(Catalog::demo(&ccss, 1))
        .build()
        .unwrap();
    let state = learner(&model);
    let recommender = Recommender::new(&model);
    let mut group = c.benchmark_group("recommend_ccss_100_mastered");
    group.throughput(Throughput::Elements(1));
    let options = RecommendOptions::new(NOW).count(5);
    group.bench_function("five_no_goal", |b| {
        b.iter(|| recommender.recommend(black_box(&state), &options).unwrap())
    });
    let with_goal = RecommendOptions::new(NOW)
        .count(5)
        .goal("5.NF.B.4.a")
        .time_budget_minutes(45.0);
    group.bench_function("five_goal_and_budget", |b| {
        b.iter(|| {
            recommender
                .recommend(black_box(&state), &with_goal)
                .unwrap()
        })
    });
    group.bench_function("path_to_grade5_goal", |b| {
        b.iter(|| {
            recommender
                .path_to(black_box(&state), "5.NF.B.4.a", NOW)
                .unwrap()
        })
    });
    // A new learner far from the goal: the long walks of the path's
    // simulated learners (about 20 standards, a hundred opportunities each).
    let new_learner = LearnerState::new(&model, "new").unwrap();
    group.bench_function("path_to_grade4_goal_new_learner", |b| {
        b.iter(|| {
            recommender
                .path_to(black_box(&new_learner), "4.NF.A.1", NOW)
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, recommend);
criterion_main!(benches);
