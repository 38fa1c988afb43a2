//! The in-memory [`LearnerStore`].

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

use super::{EvidenceId, History, JournalEntry, LearnerStore, Stored, Version, Write};
use crate::error::{Error, Result};
use crate::learner::LearnerState;
use crate::model::Model;

/// A [`LearnerStore`] in memory: for tests, simulations and jobs that keep
/// nothing after they end. One lock guards everything, so a commit is
/// atomic; reads clone the state.
///
/// ```
/// use mastery::{Curriculum, LearnerState, Model};
/// use mastery::store::{LearnerStore, MemoryStore, Version};
///
/// let model = Model::builder(Curriculum::ccss_math()).build()?;
/// let store = MemoryStore::new();
/// let ada = LearnerState::new(&model, "ada")?;
/// let v1 = store.put(&ada, None)?;
/// assert_eq!(v1, Version::FIRST);
/// // A second writer that read nothing loses: the learner exists now.
/// assert!(matches!(store.put(&ada, None), Err(mastery::Error::VersionConflict { .. })));
/// assert_eq!(store.put(&ada, Some(v1))?, v1.next());
/// assert_eq!(store.list()?, ["ada"]);
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    learners: BTreeMap<String, Entry>,
    /// Evidence id -> learner.
    ids: HashMap<EvidenceId, String>,
}

#[derive(Debug)]
struct Entry {
    state: LearnerState,
    version: Version,
    journal: Vec<JournalEntry>,
}

impl MemoryStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        MemoryStore::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave a half-done commit:
        // commits check everything before they change anything.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl LearnerStore for MemoryStore {
    fn get(&self, model: &Model, learner: &str) -> Result<Option<Stored>> {
        let inner = self.lock();
        let Some(entry) = inner.learners.get(learner) else {
            return Ok(None);
        };
        let mut state = entry.state.clone();
        let version = entry.version;
        drop(inner);
        if state.check(model).is_err() {
            // Another curriculum: move the state onto this one by id.
            state = LearnerState::from_json(model, &state.to_json())?;
        }
        Ok(Some(Stored { state, version }))
    }

    fn commit(&self, writes: &[Write<'_>]) -> Result<Vec<Version>> {
        super::check_writes(writes)?;
        let mut inner = self.lock();
        let mut versions = Vec::with_capacity(writes.len());
        for w in writes {
            let learner = w.state.learner();
            let found = inner.learners.get(learner).map(|e| e.version);
            if found != w.expected {
                return Err(Error::VersionConflict {
                    learner: learner.to_owned(),
                    expected: w.expected.map(Version::get),
                    found: found.map(Version::get),
                });
            }
            for e in w.journal {
                if let Some(owner) = inner.ids.get(&e.id) {
                    return Err(Error::DuplicateEvidence {
                        id: e.id.to_string(),
                        learner: owner.clone(),
                    });
                }
            }
            versions.push(found.map_or(Version::FIRST, Version::next));
        }
        // Everything checked: apply.
        for (w, &version) in writes.iter().zip(&versions) {
            let learner = w.state.learner().to_owned();
            for e in w.journal {
                inner.ids.insert(e.id.clone(), learner.clone());
            }
            let entry = inner.learners.entry(learner).or_insert_with(|| Entry {
                state: w.state.clone(),
                version,
                journal: Vec::new(),
            });
            entry.state = w.state.clone();
            entry.version = version;
            entry.journal.extend_from_slice(w.journal);
        }
        Ok(versions)
    }

    fn list(&self) -> Result<Vec<String>> {
        Ok(self.lock().learners.keys().cloned().collect())
    }

    fn delete(&self, learner: &str, expected: Version) -> Result<()> {
        let mut inner = self.lock();
        let Some(entry) = inner.learners.get(learner) else {
            return Err(Error::UnknownLearner {
                learner: learner.to_owned(),
            });
        };
        if entry.version != expected {
            return Err(Error::VersionConflict {
                learner: learner.to_owned(),
                expected: Some(expected.get()),
                found: Some(entry.version.get()),
            });
        }
        if let Some(entry) = inner.learners.remove(learner) {
            for e in entry.journal {
                inner.ids.remove(&e.id);
            }
        }
        Ok(())
    }

    fn history(&self, learner: &str) -> Result<History> {
        let inner = self.lock();
        let entries = inner
            .learners
            .get(learner)
            .map(|e| e.journal.clone())
            .unwrap_or_default();
        Ok(History::new(learner, None, entries))
    }

    fn find_evidence(&self, id: &EvidenceId) -> Result<Option<String>> {
        Ok(self.lock().ids.get(id).cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Curriculum, Evidence, Outcome};

    #[test]
    fn a_refused_commit_leaves_no_trace() {
        let model = Model::builder(
            Curriculum::builder()
                .standard_ids(["A"])
                .unwrap()
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
        let store = MemoryStore::new();
        let ada = LearnerState::new(&model, "ada").unwrap();
        let e = Evidence::on_standard("ada", "A", Outcome::Correct, 0).unwrap();
        let id = EvidenceId::new("1").unwrap();
        let entries = [
            JournalEntry::new(id.clone(), e.clone()),
            JournalEntry::new(id.clone(), e),
        ];
        let twice = Write {
            state: &ada,
            expected: None,
            journal: &entries,
        };
        assert!(matches!(
            store.commit(&[twice]),
            Err(Error::DuplicateEvidence { .. })
        ));
        assert!(store.list().unwrap().is_empty());
        assert_eq!(store.find_evidence(&id).unwrap(), None);
    }
}
