//! The performance model: the online update (one answer counted, then
//! P(correct) of the next answer: nanoseconds per response) and the batch
//! fit and prediction (responses per second) on a generated log.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mastery::fit::{
    Dataset, DatasetOptions, HmmParams, PerformanceConfig, PerformanceModel, synthetic_log,
};

/// 20 skills x 1,000 learners x 5-25 responses: about 300,000 rows.
fn setup() -> Dataset {
    let skills: Vec<(String, HmmParams)> = (0..20)
        .map(|i| {
            let f = f64::from(i) / 20.0;
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
    let csv = synthetic_log(&skills, 1_000, 5..=25, 7).unwrap();
    let options = DatasetOptions::default().keep_row_keys(true);
    Dataset::from_reader("synthetic.csv", csv.as_bytes(), &options)
        .unwrap()
        .0
}

fn performance(c: &mut Criterion) {
    let data = setup();
    let config = PerformanceConfig::default().validate().unwrap();
    let model = PerformanceModel::fit(&data, &config).unwrap();

    // Online: 1,000 answers on rotating skills, each observed then predicted.
    let skills: Vec<_> = model
        .skills()
        .iter()
        .map(|s| model.skill(s).unwrap())
        .collect();
    let answers: Vec<(usize, bool)> = (0..1_000)
        .map(|i| ((i * 7) % skills.len(), i % 3 != 0))
        .collect();
    let mut group = c.benchmark_group("performance_online");
    group.throughput(Throughput::Elements(answers.len() as u64));
    group.bench_function("observe", |b| {
        b.iter(|| {
            let mut state = model.new_state();
            for &(k, correct) in &answers {
                state.observe(&model, skills[k], None, correct).unwrap();
            }
            black_box(state)
        })
    });
    group.bench_function("observe_and_predict", |b| {
        b.iter(|| {
            let mut state = model.new_state();
            let mut sum = 0.0;
            for &(k, correct) in &answers {
                state.observe(&model, skills[k], None, correct).unwrap();
                sum += state
                    .p_correct(&model, skills[(k + 1) % skills.len()], None)
                    .unwrap();
            }
            black_box(sum)
        })
    });
    group.finish();

    let mut group = c.benchmark_group("performance_batch");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(data.len() as u64));
    group.bench_function("fit", |b| {
        b.iter(|| black_box(PerformanceModel::fit(&data, &config).unwrap()))
    });
    group.bench_function("predict", |b| {
        b.iter(|| black_box(model.predict(&data).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, performance);
criterion_main!(benches);
