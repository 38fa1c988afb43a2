//! Batch prediction speed: rows per second on a generated log.
//! `predict`: [`predict`] on a loaded `Dataset`, one thread and all threads.
//! `predict_csv`: CSV text to CSV text, end to end: read into a `Dataset`
//! and predicted (`read_whole`, without formatting the output) against
//! [`predict_csv`] streaming it (`streamed`, formatting included).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mastery::BktParams;
use mastery::fit::{
    Dataset, DatasetOptions, HmmParams, PredictOptions, PredictParams, predict, predict_csv,
    synthetic_log,
};
use mastery::model::SkillParams;

/// 20 skills x 2,000 learners x 5-45 responses: about 1,000,000 rows.
fn setup() -> (String, Dataset, PredictParams) {
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
    (csv, data, PredictParams::from(&params))
}

fn batch_predict(c: &mut Criterion) {
    let (_, data, params) = setup();
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

fn csv_to_csv(c: &mut Criterion) {
    let (csv, data, params) = setup();
    let options = PredictOptions::default();
    let read = DatasetOptions::default();
    let mut group = c.benchmark_group("predict_csv");
    group.throughput(Throughput::Elements(data.len() as u64));
    drop(data);
    group.bench_function("read_whole", |b| {
        b.iter(|| {
            let (data, _) = Dataset::from_reader("log.csv", csv.as_bytes(), &read).unwrap();
            black_box(predict(&data, &params, &options).unwrap())
        })
    });
    group.bench_function("streamed", |b| {
        b.iter(|| {
            let out = std::io::sink();
            black_box(
                predict_csv("log.csv", csv.as_bytes(), out, &params, &read, &options).unwrap(),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, batch_predict, csv_to_csv);
criterion_main!(benches);
