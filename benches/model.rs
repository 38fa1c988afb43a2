//! Updating mastery from evidence on the embedded Common Core curriculum.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use mastery::{
    AbilityParams, Curriculum, Decay, Evidence, LearnerState, Model, Outcome, Propagation,
};

/// Evidence for one learner on standards spread over the curriculum, mostly correct.
fn evidence_for(learner: &str, ccss: &Curriculum, count: usize, seed: usize) -> Vec<Evidence> {
    (0..count)
        .map(|i| {
            let k = (i * 7919 + seed * 104_729) % ccss.len();
            let outcome = Outcome::from_correct((i + seed) % 3 != 0);
            let time = 1_700_000_000 + (i as i64) * 600;
            Evidence::on_standard(learner, ccss.standards()[k].id(), outcome, time).unwrap()
        })
        .collect()
}

fn single_updates(c: &mut Criterion) {
    let ccss = Curriculum::ccss_math();
    let evidence = evidence_for("ada", &ccss, 1024, 0);
    let mut group = c.benchmark_group("update");
    group.throughput(Throughput::Elements(1));
    for (name, decay, propagation, ability) in [
        ("plain_bkt", None, Propagation::off(), None),
        (
            "plain_bkt_with_ability",
            None,
            Propagation::off(),
            Some(AbilityParams::default()),
        ),
        (
            "with_decay",
            Some(Decay::default()),
            Propagation::off(),
            None,
        ),
        (
            "with_propagation",
            Some(Decay::default()),
            Propagation::default(),
            None,
        ),
    ] {
        let model = Model::builder(ccss.clone())
            .decay(decay)
            .propagation(propagation)
            .ability(ability)
            .build()
            .unwrap();
        let mut state = LearnerState::new(&model, "ada").unwrap();
        let mut i = 0;
        group.bench_function(format!("{name}/apply_with_report"), |b| {
            b.iter(|| {
                i = (i + 1) % evidence.len();
                black_box(state.apply(&model, black_box(&evidence[i])).unwrap())
            })
        });
        let mut state = LearnerState::new(&model, "ada").unwrap();
        let indexed: Vec<(mastery::StandardIdx, Outcome, i64)> = evidence
            .iter()
            .map(|e| match e.target() {
                mastery::Target::Standard(id) => {
                    (ccss.index_of(id).unwrap(), e.outcome(), e.timestamp())
                }
                _ => unreachable!("the bench makes standard evidence"),
            })
            .collect();
        let mut i = 0;
        group.bench_function(format!("{name}/apply_outcome_by_index"), |b| {
            b.iter(|| {
                i = (i + 1) % indexed.len();
                let (s, o, t) = indexed[i];
                state.apply_outcome(&model, black_box(s), o, t).unwrap()
            })
        });
        let mut state = LearnerState::new(&model, "ada").unwrap();
        let mut i = 0;
        group.bench_function(format!("{name}/apply_batch_of_one"), |b| {
            b.iter(|| {
                i = (i + 1) % evidence.len();
                state
                    .apply_batch(&model, std::slice::from_ref(black_box(&evidence[i])))
                    .unwrap()
            })
        });
    }
    let answer = mastery::GuessSlip::new(0.2, 0.1).unwrap();
    let mut belief = AbilityParams::default().prior();
    let mut k = 0u32;
    group.bench_function("ability_alone/answer_and_observe", |b| {
        b.iter(|| {
            k = k.wrapping_add(1);
            let own = belief.answer(black_box(answer));
            belief.observe(0.4, answer, f64::from(k & 1), 1.0);
            black_box(own)
        })
    });
    let model = Model::builder(ccss.clone()).build().unwrap();
    let state = LearnerState::new(&model, "ada").unwrap();
    let target = evidence[0].target().clone();
    group.bench_function("predict", |b| {
        b.iter(|| state.predict(&model, black_box(&target), 0).unwrap())
    });
    group.finish();
}

fn batch(c: &mut Criterion) {
    const LEARNERS: usize = 10_000;
    const PER_LEARNER: usize = 100;
    let ccss = Curriculum::ccss_math();
    let mut group = c.benchmark_group("batch_1m_evidence_10k_learners");
    group.sample_size(10);
    group.throughput(Throughput::Elements((LEARNERS * PER_LEARNER) as u64));
    let names: Vec<String> = (0..LEARNERS).map(|l| format!("learner-{l}")).collect();
    let evidence: Vec<Vec<Evidence>> = names
        .iter()
        .enumerate()
        .map(|(l, name)| evidence_for(name, &ccss, PER_LEARNER, l))
        .collect();
    for (name, propagation) in [
        ("plain_bkt", Propagation::off()),
        ("with_propagation", Propagation::default()),
    ] {
        let model = Model::builder(ccss.clone())
            .decay(Some(Decay::default()))
            .propagation(propagation)
            .build()
            .unwrap();
        let fresh: Vec<LearnerState> = names
            .iter()
            .map(|n| LearnerState::new(&model, n.clone()).unwrap())
            .collect();
        group.bench_function(name, |b| {
            b.iter_batched(
                || fresh.clone(),
                |mut states| {
                    for (state, evidence) in states.iter_mut().zip(&evidence) {
                        state.apply_batch(&model, evidence).unwrap();
                    }
                    states
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, single_updates, batch);
criterion_main!(benches);
