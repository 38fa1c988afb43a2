//! The evidence journal: every piece of evidence applied to a learner, in
//! order, each under a unique id; a learner's state is a replay of it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::evidence::Evidence;
use crate::learner::LearnerState;
use crate::model::Model;

/// The unique id of one piece of evidence, chosen by the client (a UUID, a
/// platform's attempt id): recording the same id again is a no-op, so a
/// client may retry a request whose answer it did not see.
///
/// ```
/// use mastery::store::EvidenceId;
///
/// let id = EvidenceId::new("attempt-42")?;
/// assert_eq!(id.as_str(), "attempt-42");
/// assert!(EvidenceId::new("").is_err());
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EvidenceId(String);

impl EvidenceId {
    /// An evidence id.
    ///
    /// # Errors
    /// [`Error::InvalidEvidenceId`] for an empty id or one longer than
    /// [`MAX_ID_BYTES`](crate::MAX_ID_BYTES).
    pub fn new(id: impl Into<String>) -> Result<Self> {
        let id = id.into();
        match crate::curriculum::learner_id_problem(&id) {
            Some(reason) => Err(Error::InvalidEvidenceId {
                id: crate::curriculum::shown_id(&id),
                reason,
            }),
            None => Ok(EvidenceId(id)),
        }
    }

    /// The id.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EvidenceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for EvidenceId {
    type Error = Error;
    fn try_from(id: String) -> Result<Self> {
        EvidenceId::new(id)
    }
}

impl From<EvidenceId> for String {
    fn from(id: EvidenceId) -> String {
        id.0
    }
}

/// One journaled piece of evidence: its id and the evidence itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// The evidence's unique id.
    pub id: EvidenceId,
    /// The evidence.
    pub evidence: Evidence,
}

impl JournalEntry {
    /// An entry.
    #[must_use]
    pub fn new(id: EvidenceId, evidence: Evidence) -> Self {
        JournalEntry { id, evidence }
    }

    /// The entry as JSON (how the on-disk store keeps it).
    #[must_use]
    pub fn to_json(&self) -> String {
        // Strings, finite numbers and enums: cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// An entry from JSON.
    ///
    /// # Errors
    /// [`Error::Json`] for malformed JSON or invalid evidence.
    pub fn from_json(json: &[u8]) -> Result<Self> {
        serde_json::from_slice(json).map_err(|source| Error::Json {
            what: "journal entry".into(),
            source,
        })
    }
}

/// A learner's whole history in a store: the state the learner started from
/// in the store (a state imported from a file saved by
/// [`LearnerState::to_json`], or none: a new learner) and the journal since.
///
/// ```
/// use mastery::{Curriculum, Evidence, LearnerState, Model, Outcome};
/// use mastery::store::{EvidenceId, History, JournalEntry};
///
/// let model = Model::builder(Curriculum::ccss_math()).build()?;
/// let answer = Evidence::on_standard("ada", "3.NF.A.1", Outcome::Correct, 1_700_000_000)?;
/// let history = History::new("ada", None, vec![JournalEntry::new(EvidenceId::new("e1")?, answer.clone())]);
/// let mut direct = LearnerState::new(&model, "ada")?;
/// direct.apply(&model, &answer)?;
/// assert_eq!(history.replay(&model)?, direct);
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    /// The learner.
    pub learner: String,
    /// The imported starting state as JSON, if the learner was imported.
    pub base: Option<String>,
    /// The journal, oldest first.
    pub entries: Vec<JournalEntry>,
}

impl History {
    /// A history.
    #[must_use]
    pub fn new(
        learner: impl Into<String>,
        base: Option<String>,
        entries: Vec<JournalEntry>,
    ) -> Self {
        History {
            learner: learner.into(),
            base,
            entries,
        }
    }

    /// The learner's state rebuilt under `model`: the base (or a new
    /// learner), then every journaled piece of evidence in order. Under the
    /// parameters the evidence was applied with, this is the stored state;
    /// under new parameters it is a refit that keeps everything the learner
    /// did.
    ///
    /// # Errors
    /// [`Error::InvalidId`] for an invalid learner id, the errors of
    /// [`LearnerState::from_json`] for the base and of
    /// [`LearnerState::apply_batch`] for evidence `model` cannot resolve.
    pub fn replay(&self, model: &Model) -> Result<LearnerState> {
        let mut state = match &self.base {
            Some(json) => LearnerState::from_json(model, json)?,
            None => LearnerState::new(model, self.learner.as_str())?,
        };
        let evidence: Vec<Evidence> = self.entries.iter().map(|e| e.evidence.clone()).collect();
        state.apply_batch(model, &evidence)?;
        Ok(state)
    }
}

/// Replays many histories under `model` (a refit of many learners at once),
/// in parallel with rayon under the `fit` feature, one after the other
/// without it. The result is in the order of `histories`.
///
/// # Errors
/// The first error of [`History::replay`].
pub fn replay_all(model: &Model, histories: &[History]) -> Result<Vec<LearnerState>> {
    #[cfg(feature = "fit")]
    {
        use rayon::prelude::*;
        histories.par_iter().map(|h| h.replay(model)).collect()
    }
    #[cfg(not(feature = "fit"))]
    {
        histories.iter().map(|h| h.replay(model)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Curriculum, Outcome};

    #[test]
    fn evidence_ids_are_checked_in_serde_too() {
        assert!(serde_json::from_str::<EvidenceId>(r#""""#).is_err());
        let long = format!("\"{}\"", "x".repeat(2000));
        assert!(serde_json::from_str::<EvidenceId>(&long).is_err());
        let id: EvidenceId = serde_json::from_str(r#""a-1""#).unwrap();
        assert_eq!(id.to_string(), "a-1");
    }

    #[test]
    fn entries_round_trip_through_json() {
        let e = JournalEntry::new(
            EvidenceId::new("x").unwrap(),
            Evidence::on_standard("ada", "A", Outcome::score(0.25).unwrap(), 7).unwrap(),
        );
        assert_eq!(JournalEntry::from_json(e.to_json().as_bytes()).unwrap(), e);
        assert!(JournalEntry::from_json(b"{").is_err());
    }

    #[test]
    fn replay_of_an_empty_history_is_a_new_learner() {
        let model = Model::builder(
            Curriculum::builder()
                .standard_ids(["A"])
                .unwrap()
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
        let h = History::new("ada", None, Vec::new());
        assert_eq!(
            h.replay(&model).unwrap(),
            LearnerState::new(&model, "ada").unwrap()
        );
        assert!(History::new("", None, Vec::new()).replay(&model).is_err());
    }
}
