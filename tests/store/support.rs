//! What the store tests share: a small curriculum with propagation, evidence
//! that is a pure function of its id, and the check that every stored state
//! equals a replay of its journal.

#![allow(dead_code)]

use std::collections::HashSet;

use mastery::store::{EvidenceId, LearnerStore};
use mastery::{BktParams, Curriculum, Evidence, Model, Outcome};

/// Seconds since the Unix epoch of the first evidence.
pub const T0: i64 = 1_700_000_000;

/// Ten standards: two chains and a standard on its own.
pub fn curriculum() -> Curriculum {
    Curriculum::builder()
        .standard_ids((0..10).map(|i| format!("s{i}")))
        .unwrap()
        .prerequisites([
            ("s0", "s1"),
            ("s1", "s2"),
            ("s2", "s3"),
            ("s4", "s5"),
            ("s5", "s6"),
            ("s1", "s6"),
            ("s7", "s8"),
        ])
        .build()
        .unwrap()
}

/// The model the evidence is applied with (default parameters, propagation on).
pub fn model() -> Model {
    Model::builder(curriculum()).build().unwrap()
}

/// The same curriculum under other ("this term's") parameters.
pub fn refitted_model() -> Model {
    Model::builder(curriculum())
        .default_params(BktParams::new(0.35, 0.12, 0.01, 0.22, 0.08).unwrap())
        .standard_params("s3", BktParams::new(0.1, 0.3, 0.0, 0.15, 0.12).unwrap())
        .build()
        .unwrap()
}

/// A 64-bit mix (splitmix64) for evidence that is a pure function of its number.
pub fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Evidence number `n` for `learners` learners: its id and the evidence
/// (learner, standard, outcome and time all follow from `n`).
pub fn evidence(n: u64, learners: u64) -> (EvidenceId, Evidence) {
    let h = mix(n);
    let learner = format!("learner-{}", h % learners);
    let standard = format!("s{}", (h >> 8) % 10);
    let outcome = match (h >> 16) % 5 {
        0 => Outcome::Incorrect,
        1 => Outcome::score(0.5).unwrap(),
        _ => Outcome::Correct,
    };
    let at = T0 + (n as i64) * 37 + ((h >> 24) % 600) as i64;
    (
        EvidenceId::new(format!("e{n}")).unwrap(),
        Evidence::on_standard(learner, standard, outcome, at).unwrap(),
    )
}

/// Checks every learner of the store: its state equals a replay of its
/// journal, each journaled id is the learner's and appears once in the whole
/// store. Returns every journaled id.
pub fn check_replays(store: &dyn LearnerStore, model: &Model) -> HashSet<String> {
    let mut ids = HashSet::new();
    for learner in store.list().unwrap() {
        let stored = store.get(model, &learner).unwrap().unwrap();
        let history = store.history(&learner).unwrap();
        assert_eq!(
            history.replay(model).unwrap(),
            stored.state,
            "the state of {learner} is not a replay of its journal"
        );
        let attempts: u32 = stored
            .state
            .practice_records()
            .iter()
            .map(|r| r.attempts())
            .sum();
        assert_eq!(attempts as usize, history.entries.len(), "{learner}");
        for e in &history.entries {
            assert_eq!(e.evidence.learner(), learner);
            assert!(
                ids.insert(e.id.to_string()),
                "evidence {} journaled twice",
                e.id
            );
            assert_eq!(
                store.find_evidence(&e.id).unwrap().as_deref(),
                Some(learner.as_str())
            );
        }
    }
    ids
}

/// A directory under the system's temp dir, removed when dropped.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    /// A fresh directory named after `name` and this process.
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("mastery-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    /// A path inside the directory.
    pub fn join(&self, file: &str) -> std::path::PathBuf {
        self.0.join(file)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
