//! Properties of the evidence journal: recording evidence through a store
//! (one by one or in batches of any size, with retried ids) gives the states
//! direct application gives, and each state is a replay of its journal.

use std::collections::{HashMap, HashSet};

use crate::support::{T0, check_replays, model};
use mastery::store::{self, EvidenceId, History, JournalEntry, LearnerStore, MemoryStore};
use mastery::{Evidence, LearnerState, Outcome};
use proptest::prelude::*;

/// (learner, standard, outcome credit in quarters, seconds after T0, id)
fn items() -> impl Strategy<Value = Vec<(u8, u8, u8, u32, u8)>> {
    proptest::collection::vec((0u8..3, 0u8..10, 0u8..=4, 0u32..1_000_000, 0u8..40), 0..60)
}

fn to_evidence(items: &[(u8, u8, u8, u32, u8)]) -> Vec<(EvidenceId, Evidence)> {
    items
        .iter()
        .map(|&(l, s, q, dt, id)| {
            let outcome = Outcome::score(f64::from(q) / 4.0).unwrap();
            (
                EvidenceId::new(format!("id{id}")).unwrap(),
                Evidence::on_standard(
                    format!("l{l}"),
                    format!("s{s}"),
                    outcome,
                    T0 + i64::from(dt),
                )
                .unwrap(),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn journal_replay_equals_direct_application(raw in items(), batch in 1usize..8) {
        let model = model();
        let evidence = to_evidence(&raw);
        // Direct: the first evidence of each id, applied in order.
        let mut seen = HashSet::new();
        let mut direct: HashMap<String, LearnerState> = HashMap::new();
        for (id, e) in &evidence {
            if seen.insert(id.clone()) {
                direct
                    .entry(e.learner().to_owned())
                    .or_insert_with(|| LearnerState::new(&model, e.learner()).unwrap())
                    .apply(&model, e)
                    .unwrap();
            }
        }
        let one_by_one = MemoryStore::new();
        for (id, e) in &evidence {
            store::record(&one_by_one, &model, id, e).unwrap();
        }
        let batched = MemoryStore::new();
        for chunk in evidence.chunks(batch) {
            store::record_batch(&batched, &model, chunk).unwrap();
        }
        for s in [&one_by_one, &batched] {
            prop_assert_eq!(check_replays(s, &model).len(), seen.len());
            prop_assert_eq!(s.list().unwrap().len(), direct.len());
            for (learner, state) in &direct {
                prop_assert_eq!(&s.get(&model, learner).unwrap().unwrap().state, state);
            }
        }
    }

    #[test]
    fn journal_entries_and_states_round_trip(raw in items()) {
        let model = model();
        let evidence = to_evidence(&raw);
        let mut states: HashMap<String, Vec<JournalEntry>> = HashMap::new();
        for (id, e) in evidence {
            let entry = JournalEntry::new(id, e);
            prop_assert_eq!(&JournalEntry::from_json(entry.to_json().as_bytes()).unwrap(), &entry);
            states.entry(entry.evidence.learner().to_owned()).or_default().push(entry);
        }
        for (learner, entries) in states {
            let state = History::new(learner, None, entries).replay(&model).unwrap();
            prop_assert_eq!(&LearnerState::from_json(&model, &state.to_json()).unwrap(), &state);
        }
    }
}
