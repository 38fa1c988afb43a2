//! EM fitting speed: nanoseconds per response per EM iteration, and whole fits.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
// EM internals the benchmarks time on their own: not part of the API.
use mastery::fit::__bench::{SequenceBlocks, compute_blocks};
use mastery::fit::{
    Dataset, DatasetOptions, ExpectedCounts, FitConfig, Forgetting, HmmParams, fit, synthetic_log,
};
use rayon::prelude::*;

/// 20 skills x 500 learners x 10-30 responses: about 200,000 responses.
fn dataset() -> Dataset {
    let skills: Vec<(String, HmmParams)> = (0..20)
        .map(|i| {
            let f = i as f64 / 20.0;
            let p = HmmParams {
                prior: 0.1 + 0.4 * f,
                learn: 0.05 + 0.2 * f,
                forget: 0.02,
                guess: vec![0.15 + 0.1 * f],
                slip: vec![0.05 + 0.1 * f],
            };
            (format!("skill_{i:02}"), p)
        })
        .collect();
    let csv = synthetic_log(&skills, 500, 10..=30, 42).unwrap();
    Dataset::from_reader("synthetic.csv", csv.as_bytes(), &DatasetOptions::default())
        .unwrap()
        .0
}

fn em_iteration(c: &mut Criterion) {
    let data = dataset();
    let params = HmmParams {
        prior: 0.3,
        learn: 0.1,
        forget: 0.05,
        guess: vec![0.2],
        slip: vec![0.1],
    };
    let mut group = c.benchmark_group("em_iteration");
    group.throughput(Throughput::Elements(data.len() as u64));
    group.bench_function("e_step_one_thread", |b| {
        b.iter(|| {
            for skill in data.skills() {
                black_box(
                    ExpectedCounts::compute(skill, &params, 0..skill.sequence_count()).unwrap(),
                );
            }
        })
    });
    group.bench_function("e_step_all_threads", |b| {
        b.iter(|| {
            data.skills()
                .par_iter()
                .map(|skill| {
                    ExpectedCounts::compute(skill, &params, 0..skill.sequence_count()).unwrap()
                })
                .collect::<Vec<_>>()
        })
    });
    // What fitting runs every iteration: the skills laid out once as blocks
    // of four sequences (not included in the time; see `blocks_build`).
    let blocks: Vec<SequenceBlocks> = data.skills().iter().map(SequenceBlocks::new).collect();
    group.bench_function("e_step_blocks_one_thread", |b| {
        b.iter(|| {
            for skill in &blocks {
                black_box(compute_blocks(skill, &params, 0..skill.len()).unwrap());
            }
        })
    });
    group.bench_function("e_step_blocks_all_threads", |b| {
        b.iter(|| {
            blocks
                .par_iter()
                .map(|skill| compute_blocks(skill, &params, 0..skill.len()).unwrap())
                .collect::<Vec<_>>()
        })
    });
    group.bench_function("blocks_build", |b| {
        b.iter(|| {
            data.skills()
                .iter()
                .map(SequenceBlocks::new)
                .collect::<Vec<_>>()
        })
    });
    group.finish();
}

fn whole_fit(c: &mut Criterion) {
    let data = dataset();
    let mut group = c.benchmark_group("fit");
    group.sample_size(10);
    group.throughput(Throughput::Elements(data.len() as u64));
    for (name, forgets) in [
        ("bkt_5_restarts", Forgetting::None),
        ("forgets_5_restarts", Forgetting::Fitted),
    ] {
        let config = FitConfig::default().forgetting(forgets).validate().unwrap();
        group.bench_function(name, |b| b.iter(|| fit(&data, &config).unwrap()));
    }
    group.bench_function("load_csv", |b| {
        let csv = synthetic_log(
            &[(
                "s".into(),
                HmmParams {
                    prior: 0.3,
                    learn: 0.1,
                    forget: 0.0,
                    guess: vec![0.2],
                    slip: vec![0.1],
                },
            )],
            10_000,
            10..=30,
            1,
        )
        .unwrap();
        b.iter(|| {
            Dataset::from_reader("s.csv", csv.as_bytes(), &DatasetOptions::default()).unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, em_iteration, whole_fit);
criterion_main!(benches);
