//! Keeping learners: a [`LearnerStore`] holds each learner's state with a
//! version and the journal of every piece of evidence applied to it, under
//! unique evidence ids; [`record`] applies evidence exactly once.
//!
//! - [`MemoryStore`]: in memory, for tests and short-lived jobs;
//! - [`DiskStore`] (feature `store`): an embedded database file (redb)
//!   for real use: the state and its journal entries commit in one
//!   transaction, both or neither, and survive a crash of the process.
//!
//! The journal is the truth: a learner's stored state always equals a
//! replay of its [`History`], so new parameters reach every learner by
//! replaying their journals ([`refit`]) instead of resetting them.
//!
//! ```
//! use std::sync::Arc;
//! use mastery::{Curriculum, Evidence, Model, Outcome};
//! use mastery::store::{self, EvidenceId, LearnerStore, MemoryStore, Recorded};
//!
//! let model = Arc::new(Model::builder(Curriculum::ccss_math()).build()?);
//! let store = MemoryStore::new();
//! let answer = Evidence::on_standard("ada", "3.NF.A.1", Outcome::Correct, 1_700_000_000)?;
//! let id = EvidenceId::new("attempt-1")?;
//! assert!(matches!(store::record(&store, &model, &id, &answer)?, Recorded::Applied { .. }));
//! // The client retries: nothing changes, and it is told so.
//! assert!(matches!(store::record(&store, &model, &id, &answer)?, Recorded::Duplicate { .. }));
//! let ada = store.get(&model, "ada")?.expect("ada was stored");
//! assert_eq!(ada.state.practice_records()[0].attempts(), 1);
//! assert_eq!(store.history("ada")?.replay(&model)?, ada.state);
//! # Ok::<(), mastery::Error>(())
//! ```

#[cfg(feature = "store")]
mod disk;
mod journal;
mod memory;
mod record;

#[cfg(feature = "store")]
pub use disk::DiskStore;
pub use journal::{EvidenceId, History, JournalEntry, replay_all};
pub use memory::MemoryStore;
pub use record::{MAX_RETRIES, Recorded, record, record_batch, record_existing, refit};

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::learner::LearnerState;
use crate::model::Model;

/// The version of a stored learner state: 1 for the first write, one more
/// for each write since. A write names the version it read (optimistic
/// concurrency); the store refuses it with
/// [`Error::VersionConflict`](crate::Error::VersionConflict) when another
/// write came first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Version(u64);

impl Version {
    /// The version after the first write.
    pub const FIRST: Version = Version(1);

    /// A version from its number (as returned by [`Version::get`]).
    #[must_use]
    pub fn new(version: u64) -> Self {
        Version(version)
    }

    /// The number.
    #[must_use]
    pub fn get(self) -> u64 {
        self.0
    }

    /// The version after this one.
    #[must_use]
    pub fn next(self) -> Self {
        Version(self.0.saturating_add(1))
    }
}

/// A learner's state as read from a store, with its version.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    /// The state.
    pub state: LearnerState,
    /// Its version: name it in the next write.
    pub version: Version,
}

/// One learner's part of a commit: the new state, the version it was read
/// at (`None`: the learner must not exist yet) and the journal entries to
/// append (the evidence that took the state from that version to this one).
#[derive(Debug, Clone, Copy)]
pub struct Write<'a> {
    /// The new state (its learner id says whose it is).
    pub state: &'a LearnerState,
    /// The version the state was read at; `None` for a new learner.
    pub expected: Option<Version>,
    /// Evidence applied since, in order; every id must be new to the store.
    pub journal: &'a [JournalEntry],
}

/// Where learner states and their evidence journals live.
///
/// Implementations are shared between threads (`Send + Sync`). A commit is
/// atomic: every state and journal entry of it is written, or none (on any
/// error). A commit is refused, and changes nothing, when:
///
/// - a state's version is not the one its write expected:
///   [`Error::VersionConflict`](crate::Error::VersionConflict);
/// - an evidence id is already journaled, or repeated in the commit:
///   [`Error::DuplicateEvidence`](crate::Error::DuplicateEvidence);
/// - an entry is another learner's evidence, or two writes are for one
///   learner: [`Error::InvalidState`](crate::Error::InvalidState).
///
/// [`record`] and [`record_batch`] use it to apply evidence exactly once.
pub trait LearnerStore: Send + Sync {
    /// The learner's state and version, read for `model` (a state saved for
    /// an older curriculum or in an older format is moved onto this one, see
    /// [`LearnerState::from_json`]); `None` if the store has no such learner.
    ///
    /// # Errors
    /// [`Error::Store`](crate::Error::Store) when the store cannot be read,
    /// the errors of [`LearnerState::from_json`] for a state that does not
    /// fit `model`.
    fn get(&self, model: &Model, learner: &str) -> Result<Option<Stored>>;

    /// Commits writes for several learners in one transaction; returns each
    /// one's new version, in order. See the trait's docs for what is refused.
    ///
    /// # Errors
    /// As described on the trait, and [`Error::Store`](crate::Error::Store).
    fn commit(&self, writes: &[Write<'_>]) -> Result<Vec<Version>>;

    /// Writes one learner's state without evidence (e.g. a new goal), if it
    /// is still at version `expected`.
    ///
    /// # Errors
    /// As [`LearnerStore::commit`].
    fn put(&self, state: &LearnerState, expected: Option<Version>) -> Result<Version> {
        let versions = self.commit(&[Write {
            state,
            expected,
            journal: &[],
        }])?;
        Ok(versions.first().copied().unwrap_or(Version::FIRST))
    }

    /// The ids of every stored learner, sorted.
    ///
    /// # Errors
    /// [`Error::Store`](crate::Error::Store).
    fn list(&self) -> Result<Vec<String>>;

    /// Deletes a learner's state, journal and evidence ids (so the ids may
    /// be used again), if the state is still at version `expected`.
    ///
    /// # Errors
    /// [`Error::UnknownLearner`](crate::Error::UnknownLearner),
    /// [`Error::VersionConflict`](crate::Error::VersionConflict),
    /// [`Error::Store`](crate::Error::Store).
    fn delete(&self, learner: &str, expected: Version) -> Result<()>;

    /// The learner's history: imported base state (if any) and journal, in
    /// order. Empty for an unknown learner.
    ///
    /// # Errors
    /// [`Error::Store`](crate::Error::Store), [`Error::Json`](crate::Error::Json)
    /// for a corrupt entry.
    fn history(&self, learner: &str) -> Result<History>;

    /// The learner whose journal holds evidence `id`, if any.
    ///
    /// # Errors
    /// [`Error::Store`](crate::Error::Store).
    fn find_evidence(&self, id: &EvidenceId) -> Result<Option<String>>;
}

/// Checks the shape of a commit, before any store is touched: every entry is
/// its write's learner's evidence, no learner is written twice and no id
/// repeats. Stores then check versions and ids against what they hold.
pub(crate) fn check_writes(writes: &[Write<'_>]) -> Result<()> {
    let mut learners = std::collections::HashSet::with_capacity(writes.len());
    let mut ids = std::collections::HashSet::new();
    for w in writes {
        let learner = w.state.learner();
        if !learners.insert(learner) {
            return Err(crate::Error::InvalidState {
                what: "store commit",
                reason: format!("learner `{learner}` is written twice in one commit"),
            });
        }
        for e in w.journal {
            if e.evidence.learner() != learner {
                return Err(crate::Error::InvalidState {
                    what: "store commit",
                    reason: format!(
                        "evidence `{}` is for learner `{}`, journaled with the state of `{learner}`",
                        e.id,
                        e.evidence.learner()
                    ),
                });
            }
            if !ids.insert(&e.id) {
                return Err(crate::Error::DuplicateEvidence {
                    id: e.id.to_string(),
                    learner: learner.to_owned(),
                });
            }
        }
    }
    Ok(())
}
