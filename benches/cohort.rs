//! Groupings and class reports over a large cohort on the Common Core curriculum.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mastery::Curriculum;
use mastery::cohort::Cohort;
use ndarray::Array2;
use rand::{RngExt, SeedableRng};

/// `learners` synthetic learners: each has mastered the curriculum's order up
/// to a random point, with noise around it.
pub fn synthetic_cohort(ccss: &Curriculum, learners: usize, seed: u64) -> Cohort {
    let n = ccss.len();
    let mut position = vec![0usize; n];
    for (p, s) in ccss.topological_order().iter().enumerate() {
        position[s.index()] = p;
    }
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(seed);
    let levels: Vec<usize> = (0..learners).map(|_| rng.random_range(0..n)).collect();
    let noise: Vec<f32> = (0..learners * 8).map(|_| rng.random::<f32>()).collect();
    let matrix = Array2::from_shape_fn((learners, n), |(l, s)| {
        let behind = position[s] < levels[l];
        let jitter = noise[(l * 8 + s % 8) % noise.len()];
        if behind {
            0.9 + 0.1 * jitter
        } else {
            0.6 * jitter
        }
    });
    Cohort::from_matrix(
        ccss,
        (0..learners).map(|l| format!("learner-{l}")).collect(),
        matrix,
        vec![Vec::new(); learners],
        0.95,
        0,
    )
    .unwrap()
}

fn cohort(c: &mut Criterion) {
    let ccss = Curriculum::ccss_math();
    let class = synthetic_cohort(&ccss, 30_000, 1);
    let all = ccss.indices().collect();
    let mut group = c.benchmark_group("cohort_30k_learners_480_standards");
    group.sample_size(10);
    group.throughput(Throughput::Elements(class.len() as u64));
    group.bench_function("group_by_need_3_to_6", |b| {
        b.iter(|| class.group_by_need(&all, 3, 6).unwrap())
    });
    group.bench_function("class_report", |b| {
        b.iter(|| class.class_report(&all).unwrap())
    });
    let grade4 = class.grade("4");
    group.bench_function("kmeans_grade4_k8", |b| {
        b.iter(|| class.group_by_profile(&grade4, 8, 1).unwrap())
    });
    group.finish();
}

criterion_group!(benches, cohort);
criterion_main!(benches);
