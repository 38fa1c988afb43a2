//! Durable evidence per second into the on-disk store (`DiskStore`, every
//! commit synced to disk before it returns), on the Common Core curriculum
//! with 1,000 learners: one commit per piece of evidence (`store::record`, a
//! request at a time) against one commit per 100 (`store::record_batch`).
//! Also the in-memory store, for the cost without the disk.

use std::sync::atomic::{AtomicU64, Ordering};

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use mastery::store::{self, DiskStore, EvidenceId, LearnerStore, MemoryStore};
use mastery::{Curriculum, Evidence, Model, Outcome};

const NOW: i64 = 1_700_000_000;
const LEARNERS: u64 = 1_000;

/// Evidence number `n`: a learner among 1,000, one of the first 200 standards.
fn evidence(model: &Model, n: u64) -> (EvidenceId, Evidence) {
    let ccss = model.curriculum();
    let h = n.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let standard = ccss.topological_order()[((h >> 20) % 200) as usize];
    (
        EvidenceId::new(format!("e{n}")).unwrap(),
        Evidence::on_standard(
            format!("learner-{}", n % LEARNERS),
            ccss[standard].id(),
            Outcome::from_correct(h % 4 != 0),
            NOW + n as i64,
        )
        .unwrap(),
    )
}

fn durable(c: &mut Criterion) {
    let model = Model::builder(Curriculum::ccss_math()).build().unwrap();
    let dir = std::env::temp_dir().join(format!("mastery-bench-store-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = DiskStore::open(dir.join("bench.redb")).unwrap();
    let memory = MemoryStore::new();
    // Every learner exists (a state of each on disk) before timing starts.
    let warm: Vec<_> = (0..LEARNERS).map(|n| evidence(&model, n)).collect();
    store::record_batch(&db, &model, &warm).unwrap();
    store::record_batch(&memory, &model, &warm).unwrap();
    let next = AtomicU64::new(LEARNERS);

    let mut group = c.benchmark_group("store_durable_evidence");
    group.sample_size(20);
    group.throughput(Throughput::Elements(1));
    group.bench_function("disk_commit_per_evidence", |b| {
        b.iter_batched(
            || evidence(&model, next.fetch_add(1, Ordering::Relaxed)),
            |(id, e)| store::record(&db, &model, &id, &e).unwrap(),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("memory_per_evidence", |b| {
        b.iter_batched(
            || evidence(&model, next.fetch_add(1, Ordering::Relaxed)),
            |(id, e)| store::record(&memory, &model, &id, &e).unwrap(),
            BatchSize::SmallInput,
        )
    });
    group.throughput(Throughput::Elements(100));
    group.bench_function("disk_commit_per_100", |b| {
        b.iter_batched(
            || {
                (0..100)
                    .map(|_| evidence(&model, next.fetch_add(1, Ordering::Relaxed)))
                    .collect::<Vec<_>>()
            },
            |items| store::record_batch(&db, &model, &items).unwrap(),
            BatchSize::SmallInput,
        )
    });
    group.finish();
    assert!(db.list().unwrap().len() as u64 == LEARNERS);
    drop(db);
    let _ = std::fs::remove_dir_all(&dir);
}

/// What each write of a learner costs besides the disk: its state read from
/// and written to JSON (Common Core, 20 standards practiced).
fn state_json(c: &mut Criterion) {
    let model = Model::builder(Curriculum::ccss_math()).build().unwrap();
    let mut state = mastery::LearnerState::new(&model, "learner-0").unwrap();
    for n in 0..20 {
        let (_, mut e) = evidence(&model, n * LEARNERS);
        e = Evidence::new("learner-0", e.target().clone(), e.outcome(), e.timestamp()).unwrap();
        state.apply(&model, &e).unwrap();
    }
    let json = state.to_json();
    let mut group = c.benchmark_group("store_state_json");
    group.throughput(Throughput::Elements(1));
    group.bench_function("to_json", |b| b.iter(|| state.to_json()));
    group.bench_function("from_json", |b| {
        b.iter(|| mastery::LearnerState::from_json(&model, &json).unwrap())
    });
    group.finish();
}

criterion_group!(benches, durable, state_json);
criterion_main!(benches);
