//! Batch prediction speed (`fit::predict`): rows per second on a generated
//! log, one thread and all threads.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mastery::BktParams;
use mastery::fit::{
    Dataset, DatasetOptions, HmmParams, PredictOptions, PredictParams, predict, synthetic_log,
};
use mastery::model::SkillParams;

/// 20 skills x 2,000 learners x 5-45 responses: about 1,000,000 rows.
fn setup() -> (Dataset, PredictParams) {
    let skills: Vec<(String, HmmParams)> = (0..20)
        .map(|i| {
            let f = i as f64 / 20.0;
            let p = HmmParams {
                prior: 0.1 + 0.4 * f,
                learn: 0.05 + 0.2 * f,
                forget: 0.02 * f,
                guess: vec![0.15 + 0.1 * f],
                slip: vec![0.05 + 0.1 * f],
            };
            (format!("skill_{i:02}"), p)
        })
        .collect();
    let csv = synthetic_log(&skills, 2_000, 5..=45, 7).unwrap();
    let (data, _) =
        Dataset::from_reader("synthetic.csv", csv.as_bytes(), &DatasetOptions::default()).unwrap();
    let mut params = SkillParams::default();
    for (name, p) in &skills {
        let bkt = BktParams::new(p.prior, p.learn, p.forget, p.guess[0], p.slip[0]).unwrap();
        params.params.insert(name.clone(), bkt);
    }
    (data, PredictParams::from(&params))
}

fn batch_predict(c: &mut Criterion) {
    let (data, params) = setup();
    let options = PredictOptions::default();
    let mut group = c.benchmark_group("predict");
    group.throughput(Throughput::Elements(data.len() as u64));
    group.bench_function("all_threads", |b| {
        b.iter(|| black_box(predict(&data, &params, &options).unwrap()))
    });
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    group.bench_function("one_thread", |b| {
        b.iter(|| one.install(|| black_box(predict(&data, &params, &options).unwrap())))
    });
    group.finish();
}

criterion_group!(benches, batch_predict);
criterion_main!(benches);
