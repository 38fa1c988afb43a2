//! Learner stores: evidence applied exactly once, optimistic concurrency,
//! atomic commits, migration of old states, refits by replay, and many
//! threads at once; the crash test (`crash`) and the journal's properties
//! (`properties`) are modules of this one test binary.

mod crash;
mod properties;
mod support;

use std::collections::HashSet;
use std::sync::Arc;

use mastery::store::{
    self, DiskStore, EvidenceId, JournalEntry, LearnerStore, MemoryStore, Recorded, Version, Write,
};
use mastery::{Error, Evidence, LearnerState, Model, Outcome};
use support::{T0, TempDir, check_replays, evidence, model, refitted_model};

fn stores(name: &str) -> (TempDir, Vec<Box<dyn LearnerStore>>) {
    let dir = TempDir::new(name);
    let disk = DiskStore::open(dir.join("learners.redb")).unwrap();
    (dir, vec![Box::new(MemoryStore::new()), Box::new(disk)])
}

#[test]
fn evidence_is_applied_once_and_retries_are_reported() {
    let model = model();
    let (_dir, stores) = stores("once");
    for store in &stores {
        let (id, e) = evidence(1, 3);
        let Recorded::Applied { version, report } =
            store::record(&**store, &model, &id, &e).unwrap()
        else {
            panic!("first recording is applied");
        };
        assert_eq!(version, Version::FIRST);
        assert!(!report.changes.is_empty());
        let again = store::record(&**store, &model, &id, &e).unwrap();
        assert_eq!(
            again,
            Recorded::Duplicate {
                learner: e.learner().to_owned()
            }
        );
        // The same id on another learner's evidence is a retry too.
        let other = Evidence::on_standard("someone-else", "s1", Outcome::Correct, T0).unwrap();
        assert!(matches!(
            store::record(&**store, &model, &id, &other).unwrap(),
            Recorded::Duplicate { .. }
        ));
        assert_eq!(store.list().unwrap(), [e.learner()]);
        assert_eq!(store.history(e.learner()).unwrap().entries.len(), 1);
        check_replays(&**store, &model);
    }
}

#[test]
fn versions_refuse_lost_updates_and_commits_are_all_or_nothing() {
    let model = model();
    let (_dir, stores) = stores("versions");
    for store in &stores {
        let ada = LearnerState::new(&model, "ada").unwrap();
        let v1 = store.put(&ada, None).unwrap();
        let stale = store.put(&ada, None).unwrap_err();
        assert_eq!(
            stale.to_string(),
            "learner `ada` changed concurrently: expected no state, found version 1"
        );
        assert_eq!(store.put(&ada, Some(v1)).unwrap(), v1.next());
        assert!(matches!(
            store.put(&ada, Some(v1)),
            Err(Error::VersionConflict {
                expected: Some(1),
                found: Some(2),
                ..
            })
        ));

        // A commit whose second write conflicts writes nothing at all.
        let bo = LearnerState::new(&model, "bo").unwrap();
        let (id, e) = (
            EvidenceId::new("x1").unwrap(),
            Evidence::on_standard("bo", "s0", Outcome::Correct, T0).unwrap(),
        );
        let mut bo_after = bo.clone();
        bo_after.apply(&model, &e).unwrap();
        let entry = [JournalEntry::new(id.clone(), e.clone())];
        let writes = [
            Write {
                state: &bo_after,
                expected: None,
                journal: &entry,
            },
            Write {
                state: &ada,
                expected: Some(v1),
                journal: &[],
            },
        ];
        assert!(matches!(
            store.commit(&writes),
            Err(Error::VersionConflict { .. })
        ));
        assert!(store.get(&model, "bo").unwrap().is_none());
        assert_eq!(store.find_evidence(&id).unwrap(), None);

        // Evidence journaled with another learner's state is refused.
        let wrong = [Write {
            state: &ada,
            expected: Some(v1.next()),
            journal: &entry,
        }];
        assert!(matches!(
            store.commit(&wrong),
            Err(Error::InvalidState { .. })
        ));

        // Delete needs the current version; afterwards the ids are free again.
        store::record(&**store, &model, &id, &e).unwrap();
        let bo_now = store.get(&model, "bo").unwrap().unwrap();
        assert!(matches!(
            store.delete("bo", Version::new(7)),
            Err(Error::VersionConflict { .. })
        ));
        store.delete("bo", bo_now.version).unwrap();
        assert!(matches!(
            store.delete("bo", bo_now.version),
            Err(Error::UnknownLearner { .. })
        ));
        assert_eq!(store.find_evidence(&id).unwrap(), None);
        assert!(store.history("bo").unwrap().entries.is_empty());
        assert_eq!(store.list().unwrap(), ["ada"]);
        assert!(matches!(
            store::record_existing(&**store, &model, &id, &e),
            Err(Error::UnknownLearner { .. })
        ));
    }
}

#[test]
fn evidence_the_model_rejects_changes_nothing() {
    let model = model();
    let (_dir, stores) = stores("rejects");
    for store in &stores {
        let bad = Evidence::on_standard("ada", "no-such-standard", Outcome::Correct, T0).unwrap();
        let err =
            store::record(&**store, &model, &EvidenceId::new("b").unwrap(), &bad).unwrap_err();
        assert!(
            err.to_string()
                .contains("unknown standard `no-such-standard`"),
            "{err}"
        );
        let good = evidence(5, 1);
        let items = [good.clone(), (EvidenceId::new("b").unwrap(), bad.clone())];
        let err = store::record_batch(&**store, &model, &items).unwrap_err();
        assert!(err.to_string().contains("(item 1 of the batch)"), "{err}");
        assert!(store.list().unwrap().is_empty());
        assert_eq!(store.find_evidence(&good.0).unwrap(), None);
    }
}

#[test]
fn batches_commit_many_learners_at_once() {
    let model = model();
    let (_dir, stores) = stores("batches");
    for store in &stores {
        let mut items: Vec<_> = (0..200).map(|n| evidence(n, 7)).collect();
        items.push(evidence(3, 7)); // retried inside the batch
        let done = store::record_batch(&**store, &model, &items).unwrap();
        assert_eq!(done.len(), 201);
        assert!(matches!(done[200], Recorded::Duplicate { .. }));
        // Again: every item is a retry now.
        let again = store::record_batch(&**store, &model, &items[..50]).unwrap();
        assert!(
            again
                .iter()
                .all(|r| matches!(r, Recorded::Duplicate { .. }))
        );
        let ids = check_replays(&**store, &model);
        assert_eq!(ids.len(), 200);
        // A batch result equals one record per item, in order.
        let one_by_one = MemoryStore::new();
        for (id, e) in &items {
            store::record(&one_by_one, &model, id, e).unwrap();
        }
        for learner in store.list().unwrap() {
            assert_eq!(
                store.get(&model, &learner).unwrap().unwrap().state,
                one_by_one.get(&model, &learner).unwrap().unwrap().state
            );
        }
    }
}

/// Refit: replaying a journal under new parameters equals applying the same
/// evidence to fresh states under those parameters.
#[test]
fn refit_equals_fresh_application_under_new_parameters() {
    let old = model();
    let new = refitted_model();
    let (_dir, stores) = stores("refit");
    let items: Vec<_> = (0..600).map(|n| evidence(n, 12)).collect();
    for store in &stores {
        store::record_batch(&**store, &old, &items).unwrap();
        // A goal set outside the journal survives the refit.
        let mut ada = store.get(&old, "learner-3").unwrap().unwrap();
        ada.state
            .set_goal(&old, "s3", mastery::learner::GoalSetter::Teacher, None, T0)
            .unwrap();
        store.put(&ada.state, Some(ada.version)).unwrap();

        assert_eq!(store::refit(&**store, &new, 5).unwrap(), 12);
        let mut worst = 0.0_f64;
        for learner in store.list().unwrap() {
            let mut fresh = LearnerState::new(&new, learner.as_str()).unwrap();
            for (_, e) in items.iter().filter(|(_, e)| e.learner() == learner) {
                fresh.apply(&new, e).unwrap();
            }
            let refitted = store.get(&new, &learner).unwrap().unwrap().state;
            let at = T0 + 90 * 86_400;
            for (a, b) in refitted
                .all_mastery_at(&new, at)
                .unwrap()
                .iter()
                .zip(fresh.all_mastery_at(&new, at).unwrap())
            {
                worst = worst.max((a - b).abs());
            }
            assert_eq!(refitted.practice_records(), fresh.practice_records());
            assert_eq!(refitted.engagement(), fresh.engagement());
            if learner == "learner-3" {
                assert_eq!(refitted.profile().goals().len(), 1);
            }
        }
        assert!(worst <= 1e-12, "largest difference {worst}");
        // The new parameters changed something.
        let before = store.get(&old, "learner-0").unwrap().unwrap().state;
        let mut under_old = LearnerState::new(&old, "learner-0").unwrap();
        for (_, e) in items.iter().filter(|(_, e)| e.learner() == "learner-0") {
            under_old.apply(&old, e).unwrap();
        }
        assert_ne!(before, under_old);
    }
}

/// States saved in format version 1 (the committed fixture) load from the
/// store and are written back in the current format.
#[test]
fn version_1_states_load_and_are_upgraded_on_write() {
    let v1 = include_str!("../fixtures/learner_state/v1.json");
    // The fixture's curriculum: A -> B -> C, and D.
    let curriculum = mastery::Curriculum::builder()
        .standard_ids(["A", "B", "C", "D"])
        .unwrap()
        .prerequisites([("A", "B"), ("B", "C")])
        .build()
        .unwrap();
    let model = Model::builder(curriculum).build().unwrap();
    let dir = TempDir::new("migrate");
    let path = dir.join("learners.redb");
    {
        let db = DiskStore::open(&path).unwrap();
        assert_eq!(db.import(v1).unwrap(), Version::FIRST);
        assert!(matches!(db.import(v1), Err(Error::VersionConflict { .. })));
        assert!(matches!(
            db.import("{\"format_version\":1}"),
            Err(Error::Json { .. })
        ));
    }
    let db = DiskStore::open(&path).unwrap();
    assert_eq!(db.saved_format_version("ada").unwrap(), Some(1));
    let loaded = db.get(&model, "ada").unwrap().unwrap();
    assert_eq!(loaded.state, LearnerState::from_json(&model, v1).unwrap());
    assert_eq!(
        loaded
            .state
            .practice(&model, "B")
            .unwrap()
            .unwrap()
            .attempts(),
        1
    );
    let e = Evidence::on_standard("ada", "C", Outcome::Correct, T0 + 60).unwrap();
    store::record(&db, &model, &EvidenceId::new("m1").unwrap(), &e).unwrap();
    assert_eq!(
        db.saved_format_version("ada").unwrap(),
        Some(mastery::learner::LEARNER_STATE_FORMAT_VERSION)
    );
    let mut expected = LearnerState::from_json(&model, v1).unwrap();
    expected.apply(&model, &e).unwrap();
    assert_eq!(db.get(&model, "ada").unwrap().unwrap().state, expected);
    // The journal replays from the imported state.
    assert_eq!(db.history("ada").unwrap().replay(&model).unwrap(), expected);
    check_replays_with_base(&db, &model);
}

fn check_replays_with_base(db: &DiskStore, model: &Model) {
    for learner in db.list().unwrap() {
        let stored = db.get(model, &learner).unwrap().unwrap();
        assert_eq!(
            db.history(&learner).unwrap().replay(model).unwrap(),
            stored.state
        );
    }
}

#[test]
fn a_file_that_is_not_a_database_is_a_typed_error() {
    let dir = TempDir::new("notdb");
    let path = dir.join("not.redb");
    std::fs::write(
        &path,
        b"this is not a database, just some text that is long enough",
    )
    .unwrap();
    let err = DiskStore::open(&path).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Store {
                operation: "open",
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string()
            .starts_with(&format!("learner store {}: open failed", path.display()))
    );
}

/// Runs `threads` threads of `per_thread` recordings each over 100 learners:
/// every thread writes to every learner (collisions), and every tenth
/// request re-sends the id of another thread's earlier evidence (a retry
/// landing on another worker). `batch` > 1 commits that many at once.
fn hammer(
    store: Arc<dyn LearnerStore>,
    model: &Arc<Model>,
    threads: u64,
    per_thread: u64,
    batch: usize,
) {
    let ids_of = |t: u64, j: u64| t * 1_000_000 + j;
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let store = store.clone();
            let model = model.clone();
            std::thread::spawn(move || {
                let requests: Vec<_> = (0..per_thread)
                    .map(|j| {
                        if j % 10 == 9 {
                            evidence(ids_of((t + 1) % threads, j - 9), 100)
                        } else {
                            evidence(ids_of(t, j), 100)
                        }
                    })
                    .collect();
                let mut applied = 0usize;
                let mut duplicates = 0usize;
                for chunk in requests.chunks(batch) {
                    let done = if batch == 1 {
                        vec![store::record(&*store, &model, &chunk[0].0, &chunk[0].1).unwrap()]
                    } else {
                        store::record_batch(&*store, &model, chunk).unwrap()
                    };
                    for r in done {
                        match r {
                            Recorded::Applied { .. } => applied += 1,
                            _ => duplicates += 1,
                        }
                    }
                }
                (applied, duplicates)
            })
        })
        .collect();
    let (mut applied, mut duplicates) = (0, 0);
    for h in handles {
        let (a, d) = h.join().unwrap();
        applied += a;
        duplicates += d;
    }
    let unique: HashSet<String> = (0..threads)
        .flat_map(|t| {
            (0..per_thread)
                .filter(|j| j % 10 != 9)
                .map(move |j| format!("e{}", ids_of(t, j)))
        })
        .collect();
    assert_eq!(applied, unique.len(), "every distinct id applied once");
    assert_eq!(applied + duplicates, (threads * per_thread) as usize);
    let journaled = check_replays(&*store, model);
    assert_eq!(journaled, unique, "no lost and no extra evidence");
    // Final states equal a sequential replay: each learner's journal applied
    // in order, on one thread, to a fresh store.
    let sequential = MemoryStore::new();
    for learner in store.list().unwrap() {
        for e in store.history(&learner).unwrap().entries {
            store::record(&sequential, model, &e.id, &e.evidence).unwrap();
        }
        assert_eq!(
            sequential.get(model, &learner).unwrap().unwrap().state,
            store.get(model, &learner).unwrap().unwrap().state
        );
    }
}

#[test]
fn eight_threads_in_memory_lose_nothing_and_apply_nothing_twice() {
    let model = Arc::new(model());
    hammer(Arc::new(MemoryStore::new()), &model, 8, 10_000, 1);
}

#[test]
fn eight_threads_on_disk_lose_nothing_and_apply_nothing_twice() {
    let model = Arc::new(model());
    let dir = TempDir::new("threads-disk");
    let db: Arc<dyn LearnerStore> = Arc::new(DiskStore::open(dir.join("learners.redb")).unwrap());
    // Per-request commits (each synced to disk), then batched ones: smaller
    // than in memory to keep `cargo test` quick (every commit syncs the disk).
    hammer(db, &model, 8, 100, 1);
    let dir = TempDir::new("threads-disk-batched");
    let db: Arc<dyn LearnerStore> = Arc::new(DiskStore::open(dir.join("learners.redb")).unwrap());
    hammer(db, &model, 8, 250, 25);
}
