//! Applying evidence exactly once through a [`LearnerStore`], and refits.

use std::collections::{BTreeMap, HashMap};

use super::{EvidenceId, JournalEntry, LearnerStore, Version, Write, replay_all};
use crate::error::{Error, Result};
use crate::evidence::Evidence;
use crate::learner::{LearnerState, UpdateReport};
use crate::model::Model;

/// How often [`record`], [`record_batch`] and [`refit`] read again and
/// retry after another writer changed the same learner first.
pub const MAX_RETRIES: usize = 1000;

/// What recording one piece of evidence did.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Recorded {
    /// Applied and journaled: the learner's new version and what changed.
    Applied {
        /// The state's version after this evidence.
        version: Version,
        /// What the evidence changed.
        report: UpdateReport,
    },
    /// The id was already journaled (a retry): nothing changed.
    Duplicate {
        /// The learner whose journal holds the id.
        learner: String,
    },
}

/// Applies `evidence` under the unique `id` and commits the new state with
/// its journal entry; a new learner is created. Recording an id that is
/// already journaled changes nothing and says [`Recorded::Duplicate`]. When
/// another writer changes the learner between the read and the commit, it
/// reads again and retries (at most [`MAX_RETRIES`] times).
///
/// # Errors
/// The errors of [`LearnerState::apply`] (nothing is written), of the
/// store, and [`Error::VersionConflict`] after [`MAX_RETRIES`] lost races.
pub fn record<S: LearnerStore + ?Sized>(
    store: &S,
    model: &Model,
    id: &EvidenceId,
    evidence: &Evidence,
) -> Result<Recorded> {
    record_one(store, model, id, evidence, true)
}

/// As [`record`], for a learner the store must already have.
///
/// # Errors
/// As [`record`], and [`Error::UnknownLearner`] for a learner the store does
/// not have.
pub fn record_existing<S: LearnerStore + ?Sized>(
    store: &S,
    model: &Model,
    id: &EvidenceId,
    evidence: &Evidence,
) -> Result<Recorded> {
    record_one(store, model, id, evidence, false)
}

fn record_one<S: LearnerStore + ?Sized>(
    store: &S,
    model: &Model,
    id: &EvidenceId,
    evidence: &Evidence,
    create: bool,
) -> Result<Recorded> {
    let learner = evidence.learner();
    let mut last = None;
    for _ in 0..MAX_RETRIES {
        if let Some(owner) = store.find_evidence(id)? {
            return Ok(Recorded::Duplicate { learner: owner });
        }
        let (mut state, expected) = match store.get(model, learner)? {
            Some(stored) => (stored.state, Some(stored.version)),
            None if create => (LearnerState::new(model, learner)?, None),
            None => {
                return Err(Error::UnknownLearner {
                    learner: learner.to_owned(),
                });
            }
        };
        let report = state.apply(model, evidence)?;
        let entry = JournalEntry::new(id.clone(), evidence.clone());
        let write = Write {
            state: &state,
            expected,
            journal: std::slice::from_ref(&entry),
        };
        match store.commit(&[write]) {
            Ok(versions) => {
                return Ok(Recorded::Applied {
                    version: versions.first().copied().unwrap_or(Version::FIRST),
                    report,
                });
            }
            Err(e @ Error::VersionConflict { .. }) => last = Some(e),
            Err(Error::DuplicateEvidence { learner, .. }) => {
                return Ok(Recorded::Duplicate { learner });
            }
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| Error::VersionConflict {
        learner: learner.to_owned(),
        expected: None,
        found: None,
    }))
}

/// Records many pieces of evidence, for any learners, in one commit (one
/// transaction, one disk sync): much faster than one [`record`] each. Ids
/// already journaled, or repeated in `items`, are [`Recorded::Duplicate`];
/// new learners are created. The result is in the order of `items`.
///
/// ```
/// use mastery::{Curriculum, Evidence, Model, Outcome};
/// use mastery::store::{self, EvidenceId, MemoryStore, Recorded};
///
/// let model = Model::builder(Curriculum::ccss_math()).build()?;
/// let store = MemoryStore::new();
/// let e = |who: &str, t| Evidence::on_standard(who, "3.NF.A.1", Outcome::Correct, t);
/// let items = [
///     (EvidenceId::new("1")?, e("ada", 10)?),
///     (EvidenceId::new("2")?, e("bo", 20)?),
///     (EvidenceId::new("1")?, e("ada", 10)?), // a retry inside the batch
/// ];
/// let done = store::record_batch(&store, &model, &items)?;
/// assert!(matches!(done[2], Recorded::Duplicate { .. }));
/// # Ok::<(), mastery::Error>(())
/// ```
///
/// # Errors
/// The first error of [`LearnerState::apply`] (nothing is written), the
/// store's errors, and [`Error::VersionConflict`] after [`MAX_RETRIES`]
/// lost races.
pub fn record_batch<S: LearnerStore + ?Sized>(
    store: &S,
    model: &Model,
    items: &[(EvidenceId, Evidence)],
) -> Result<Vec<Recorded>> {
    let mut by_learner: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, (_, e)) in items.iter().enumerate() {
        by_learner.entry(e.learner()).or_default().push(i);
    }
    let mut last = None;
    for _ in 0..MAX_RETRIES {
        let mut results: Vec<Option<Recorded>> = vec![None; items.len()];
        // Duplicates first, in the order of `items`: the first use of an id wins.
        let mut in_batch: HashMap<&EvidenceId, &str> = HashMap::new();
        for (slot, (id, evidence)) in results.iter_mut().zip(items) {
            let owner = match in_batch.get(id) {
                Some(&owner) => Some(owner.to_owned()),
                None => store.find_evidence(id)?,
            };
            match owner {
                Some(learner) => *slot = Some(Recorded::Duplicate { learner }),
                None => {
                    in_batch.insert(id, evidence.learner());
                }
            }
        }
        let mut pending = Vec::with_capacity(by_learner.len());
        for (&learner, indices) in &by_learner {
            let fresh: Vec<usize> = indices
                .iter()
                .copied()
                .filter(|&i| results.get(i).is_some_and(Option::is_none))
                .collect();
            if fresh.is_empty() {
                continue;
            }
            let (mut state, expected) = match store.get(model, learner)? {
                Some(stored) => (stored.state, Some(stored.version)),
                None => (LearnerState::new(model, learner)?, None),
            };
            let mut entries = Vec::with_capacity(fresh.len());
            let mut reports = Vec::with_capacity(fresh.len());
            for i in fresh {
                let Some((id, evidence)) = items.get(i) else {
                    continue;
                };
                let report = state.apply(model, evidence).map_err(|e| match e {
                    Error::UnknownEvidenceTarget {
                        learner,
                        target,
                        timestamp,
                        source,
                        ..
                    } => Error::UnknownEvidenceTarget {
                        learner,
                        target,
                        timestamp,
                        position: Some(i),
                        source,
                    },
                    other => other,
                })?;
                entries.push(JournalEntry::new(id.clone(), evidence.clone()));
                reports.push((i, report));
            }
            pending.push((state, expected, entries, reports));
        }
        let writes: Vec<Write<'_>> = pending
            .iter()
            .map(|(state, expected, entries, _)| Write {
                state,
                expected: *expected,
                journal: entries,
            })
            .collect();
        match store.commit(&writes) {
            Ok(versions) => {
                for ((_, _, _, reports), version) in pending.into_iter().zip(versions) {
                    for (i, report) in reports {
                        if let Some(slot) = results.get_mut(i) {
                            *slot = Some(Recorded::Applied { version, report });
                        }
                    }
                }
                // Every item is either applied or a duplicate by now.
                return Ok(results.into_iter().flatten().collect());
            }
            // Another writer came first (a state changed, or it journaled
            // one of these ids): read again.
            Err(e @ (Error::VersionConflict { .. } | Error::DuplicateEvidence { .. })) => {
                last = Some(e);
            }
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| Error::VersionConflict {
        learner: String::new(),
        expected: None,
        found: None,
    }))
}

/// Replays every learner's journal under `model` (new parameters) and
/// stores the results: a refit that keeps everything learners did. Each
/// learner keeps the goals, preferences and choices of the stored state.
/// Learners go `batch` at a time (at least 1): their journals replay in
/// parallel (rayon, under the `fit` feature) and their states commit in one
/// transaction; a batch that loses a race with new evidence is read again.
/// Returns the number of learners refitted.
///
/// # Errors
/// The errors of [`super::History::replay`] and of the store.
pub fn refit<S: LearnerStore + ?Sized>(store: &S, model: &Model, batch: usize) -> Result<usize> {
    let learners = store.list()?;
    for chunk in learners.chunks(batch.max(1)) {
        let mut done = false;
        for _ in 0..MAX_RETRIES {
            // Versions first, then histories: evidence committed in between
            // raises the version, so the commit below is refused and retried.
            let mut current = Vec::with_capacity(chunk.len());
            for learner in chunk {
                if let Some(stored) = store.get(model, learner)? {
                    current.push(stored);
                }
            }
            let histories = current
                .iter()
                .map(|s| store.history(s.state.learner()))
                .collect::<Result<Vec<_>>>()?;
            let mut states = replay_all(model, &histories)?;
            for (state, stored) in states.iter_mut().zip(&current) {
                state.set_profile(stored.state.profile().clone());
            }
            let writes: Vec<Write<'_>> = states
                .iter()
                .zip(&current)
                .map(|(state, stored)| Write {
                    state,
                    expected: Some(stored.version),
                    journal: &[],
                })
                .collect();
            match store.commit(&writes) {
                Ok(_) => {
                    done = true;
                    break;
                }
                Err(Error::VersionConflict { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        if !done {
            return Err(Error::VersionConflict {
                learner: chunk.first().cloned().unwrap_or_default(),
                expected: None,
                found: None,
            });
        }
    }
    Ok(learners.len())
}
