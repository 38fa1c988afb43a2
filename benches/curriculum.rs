//! Building the embedded Common Core curriculum and the graph queries a
//! recommender runs per learner.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mastery::{Curriculum, StandardSet};

fn build(c: &mut Criterion) {
    let mut group = c.benchmark_group("ccss_build");
    group.throughput(Throughput::Elements(480));
    group.bench_function("parse_and_validate_embedded_csv", |b| {
        b.iter(|| mastery::curriculum::ccss::load().unwrap())
    });
    let json = Curriculum::ccss_math().to_json();
    group.bench_function("from_json", |b| {
        b.iter(|| Curriculum::from_json(black_box(&json)).unwrap())
    });
    group.bench_function("clone_cached", |b| b.iter(Curriculum::ccss_math));
    group.finish();
}

/// A learner who has mastered every standard below grade 4 and a third of grade 4.
fn typical_mastered(ccss: &Curriculum) -> StandardSet {
    ccss.indices()
        .filter(|&v| match ccss[v].grade() {
            Some("K" | "1" | "2" | "3") => true,
            Some("4") => v.index() % 3 == 0,
            _ => false,
        })
        .collect()
}

fn queries(c: &mut Criterion) {
    let ccss = Curriculum::ccss_math();
    let mastered = typical_mastered(&ccss);
    // The end of the longest chain: the standard with the most to look through.
    let goal = *ccss.longest_chain().last().unwrap();
    let mut group = c.benchmark_group("ccss_query");
    group.throughput(Throughput::Elements(ccss.len() as u64));
    group.bench_function("ready_to_learn", |b| {
        b.iter(|| ccss.ready_to_learn(black_box(&mastered)).unwrap())
    });
    group.bench_function("inner_fringe", |b| {
        b.iter(|| ccss.inner_fringe(black_box(&mastered)).unwrap())
    });
    group.bench_function("ancestors", |b| {
        b.iter(|| ccss.ancestors(black_box(goal)).unwrap())
    });
    group.bench_function("redundant_prerequisites", |b| {
        b.iter(|| ccss.redundant_prerequisites())
    });
    group.finish();
}

criterion_group!(benches, build, queries);
criterion_main!(benches);
