//! District scale: 300,000 learners x 480 standards. Applying 10M evidence
//! events (by index, propagation and decay on), and one recommendation list
//! per learner. Slow (seconds per iteration): run by hand with
//! `cargo bench --bench scale`; `examples/scale.rs` reports peak memory.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use mastery::recommend::{RecommendOptions, Recommender};
use mastery::{Catalog, Curriculum, LearnerState, Model, Outcome};
use rayon::prelude::*;

const LEARNERS: usize = 300_000;
const PER_LEARNER: usize = 33; // 9.9M events
const START: i64 = 1_725_235_200;

fn apply_all(model: &Model, states: &mut [LearnerState]) {
    let order = model.curriculum().topological_order();
    states.par_iter_mut().enumerate().for_each(|(l, state)| {
        let offset = (l * 7919) % order.len();
        for k in 0..PER_LEARNER {
            let s = order[(offset + k / 3) % order.len()];
            let outcome = Outcome::from_correct((l + k) % 5 != 0);
            state
                .apply_outcome(model, s, outcome, START + (k as i64) * 600)
                .unwrap();
        }
    });
}

fn scale(c: &mut Criterion) {
    let ccss = Curriculum::ccss_math();
    let model = Model::builder(ccss.clone())
        .catalog(Catalog::demo(&ccss, 1))
        .build()
        .unwrap();
    let fresh: Vec<LearnerState> = (0..LEARNERS)
        .map(|l| LearnerState::new(&model, format!("learner-{l}")).unwrap())
        .collect();
    let mut group = c.benchmark_group("district_300k_learners");
    group.sample_size(10);
    group.throughput(Throughput::Elements((LEARNERS * PER_LEARNER) as u64));
    group.bench_function("apply_9_9m_evidence", |b| {
        b.iter_batched(
            || fresh.clone(),
            |mut states| {
                apply_all(&model, &mut states);
                states
            },
            BatchSize::PerIteration,
        )
    });
    let mut states = fresh.clone();
    apply_all(&model, &mut states);
    let recommender = Recommender::new(&model);
    let options = RecommendOptions::new(START + PER_LEARNER as i64 * 600).count(5);
    group.throughput(Throughput::Elements(LEARNERS as u64));
    group.bench_function("recommend_for_every_learner", |b| {
        b.iter(|| {
            states
                .par_iter()
                .map(|s| recommender.recommend(s, &options).unwrap().items.len())
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, scale);
criterion_main!(benches);
