//! The on-disk [`LearnerStore`]: one redb database file.

use std::path::Path;
use std::sync::Arc;

use redb::{Database, ReadableTable, TableDefinition, WriteTransaction};

use super::{EvidenceId, History, JournalEntry, LearnerStore, Stored, Version, Write};
use crate::error::{Error, Result};
use crate::learner::LearnerState;
use crate::model::Model;

/// Learner -> the state's version (8 bytes, little-endian) and its JSON.
const STATES: TableDefinition<&str, &[u8]> = TableDefinition::new("states");
/// (learner, position) -> journal entry JSON.
const JOURNAL: TableDefinition<(&str, u64), &[u8]> = TableDefinition::new("journal");
/// Evidence id -> learner.
const IDS: TableDefinition<&str, &str> = TableDefinition::new("evidence_ids");
/// Learner -> the imported state the journal starts from.
const BASES: TableDefinition<&str, &str> = TableDefinition::new("bases");
/// "schema" -> the layout version of this file.
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");

/// The layout of the database file (the tables above).
const SCHEMA: u64 = 1;

/// A [`LearnerStore`] in one database file (redb: embedded, pure Rust, ACID,
/// copy-on-write B-trees). Every commit is one transaction synced to disk
/// before it returns: a crash at any moment leaves each learner's state and
/// journal both written or neither. Writers take turns inside the database;
/// readers never wait. One process opens the file at a time.
///
/// States are kept as [`LearnerState::to_json`] writes them. A state saved in
/// an older format (from a file, with [`DiskStore::import`], or by an older
/// release) loads through [`LearnerState::from_json`] and is written back in
/// the current format the next time it changes.
///
/// ```
/// use mastery::{Curriculum, Evidence, Model, Outcome};
/// use mastery::store::{self, DiskStore, EvidenceId, LearnerStore};
///
/// let dir = std::env::temp_dir().join(format!("mastery-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).map_err(|e| mastery::Error::Io { file: "temp dir".into(), source: e })?;
/// let path = dir.join("learners.redb");
/// let model = Model::builder(Curriculum::ccss_math()).build()?;
/// {
///     let db = DiskStore::open(&path)?;
///     let answer = Evidence::on_standard("ada", "3.NF.A.1", Outcome::Correct, 1_700_000_000)?;
///     store::record(&db, &model, &EvidenceId::new("a1")?, &answer)?;
/// }
/// // Opened again (after a restart): everything is there.
/// let db = DiskStore::open(&path)?;
/// let ada = db.get(&model, "ada")?.expect("stored");
/// assert_eq!(ada.state, db.history("ada")?.replay(&model)?);
/// # drop(db); let _ = std::fs::remove_dir_all(&dir);
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug)]
pub struct DiskStore {
    db: Database,
    path: Arc<str>,
}

/// Maps a redb error to [`Error::Store`].
fn failed<'a, E: std::error::Error + Send + Sync + 'static>(
    path: &'a Arc<str>,
    operation: &'static str,
) -> impl Fn(E) -> Error + 'a {
    move |source| Error::Store {
        path: path.clone(),
        operation,
        source: Box::new(source),
    }
}

fn corrupt(reason: String) -> Error {
    Error::InvalidState {
        what: "learner store record",
        reason,
    }
}

/// Splits a stored state into its version and JSON.
fn decode_state<'b>(learner: &str, bytes: &'b [u8]) -> Result<(Version, &'b str)> {
    let (version, json) = bytes
        .split_first_chunk::<8>()
        .ok_or_else(|| corrupt(format!("the state of `{learner}` is shorter than 8 bytes")))?;
    let json = std::str::from_utf8(json)
        .map_err(|_| corrupt(format!("the state of `{learner}` is not UTF-8")))?;
    Ok((Version::new(u64::from_le_bytes(*version)), json))
}

fn encode_state(version: Version, json: &str) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(8 + json.len());
    bytes.extend_from_slice(&version.get().to_le_bytes());
    bytes.extend_from_slice(json.as_bytes());
    bytes
}

impl DiskStore {
    /// Opens the database file at `path`, creating it if it does not exist.
    /// After a crash the file is checked (and repaired) first.
    ///
    /// # Errors
    /// [`Error::Store`] when the file cannot be created or opened (e.g.
    /// another process has it open, or it is not a database);
    /// [`Error::UnsupportedFormat`] for a file of a newer layout.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path_str: Arc<str> = path.as_ref().display().to_string().into();
        let db = Database::create(path.as_ref()).map_err(failed(&path_str, "open"))?;
        let store = DiskStore { db, path: path_str };
        store.write(|txn| {
            let p = &store.path;
            txn.open_table(STATES).map_err(failed(p, "create tables"))?;
            txn.open_table(JOURNAL)
                .map_err(failed(p, "create tables"))?;
            txn.open_table(IDS).map_err(failed(p, "create tables"))?;
            txn.open_table(BASES).map_err(failed(p, "create tables"))?;
            let mut meta = txn.open_table(META).map_err(failed(p, "create tables"))?;
            let found = meta
                .get("schema")
                .map_err(failed(p, "read the layout"))?
                .map(|v| v.value());
            match found {
                None => {
                    meta.insert("schema", SCHEMA)
                        .map_err(failed(p, "write the layout"))?;
                }
                Some(SCHEMA) => {}
                Some(other) => {
                    return Err(Error::UnsupportedFormat {
                        what: "learner store",
                        found: u32::try_from(other).unwrap_or(u32::MAX),
                        supported: SCHEMA as u32,
                    });
                }
            }
            Ok(())
        })?;
        Ok(store)
    }

    /// The database file's path, as given to [`DiskStore::open`].
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Imports a state saved by [`LearnerState::to_json`] (any format
    /// version) for a learner the store does not have yet. The saved JSON is
    /// kept as it is: it loads through [`LearnerState::from_json`] (with its
    /// migrations) and is the base the learner's journal replays from.
    ///
    /// # Errors
    /// [`Error::Json`] for JSON that is not a valid saved state,
    /// [`Error::VersionConflict`] when the learner exists, [`Error::Store`].
    pub fn import(&self, json: &str) -> Result<Version> {
        let state: LearnerState = serde_json::from_str(json).map_err(|source| Error::Json {
            what: "imported learner state JSON".into(),
            source,
        })?;
        let learner = state.learner();
        self.write(|txn| {
            let p = &self.path;
            let mut states = txn.open_table(STATES).map_err(failed(p, "open states"))?;
            if let Some(bytes) = states.get(learner).map_err(failed(p, "read a state"))? {
                let (found, _) = decode_state(learner, bytes.value())?;
                return Err(Error::VersionConflict {
                    learner: learner.to_owned(),
                    expected: None,
                    found: Some(found.get()),
                });
            }
            states
                .insert(learner, encode_state(Version::FIRST, json).as_slice())
                .map_err(failed(p, "write a state"))?;
            let mut bases = txn.open_table(BASES).map_err(failed(p, "open bases"))?;
            bases
                .insert(learner, json)
                .map_err(failed(p, "write a base"))?;
            Ok(Version::FIRST)
        })
    }

    /// The format version the learner's state is saved in (see
    /// [`LEARNER_STATE_FORMAT_VERSION`](crate::learner::LEARNER_STATE_FORMAT_VERSION)),
    /// or `None` for an unknown learner.
    ///
    /// # Errors
    /// [`Error::Store`], [`Error::Json`] for a corrupt state.
    pub fn saved_format_version(&self, learner: &str) -> Result<Option<u32>> {
        #[derive(serde::Deserialize)]
        struct Header {
            format_version: u32,
        }
        let p = &self.path;
        let txn = self.db.begin_read().map_err(failed(p, "begin a read"))?;
        let states = txn.open_table(STATES).map_err(failed(p, "open states"))?;
        let Some(bytes) = states.get(learner).map_err(failed(p, "read a state"))? else {
            return Ok(None);
        };
        let (_, json) = decode_state(learner, bytes.value())?;
        let header: Header = serde_json::from_str(json).map_err(|source| Error::Json {
            what: format!("stored state of `{learner}`"),
            source,
        })?;
        Ok(Some(header.format_version))
    }

    /// Runs `body` in a write transaction: commits if it succeeds, aborts
    /// (writes nothing) if it fails.
    fn write<T>(&self, body: impl FnOnce(&WriteTransaction) -> Result<T>) -> Result<T> {
        let p = &self.path;
        let txn = self.db.begin_write().map_err(failed(p, "begin a commit"))?;
        match body(&txn) {
            Ok(value) => {
                txn.commit().map_err(failed(p, "commit"))?;
                Ok(value)
            }
            Err(e) => {
                txn.abort().map_err(failed(p, "abort"))?;
                Err(e)
            }
        }
    }
}

impl LearnerStore for DiskStore {
    fn get(&self, model: &Model, learner: &str) -> Result<Option<Stored>> {
        let p = &self.path;
        let txn = self.db.begin_read().map_err(failed(p, "begin a read"))?;
        let states = txn.open_table(STATES).map_err(failed(p, "open states"))?;
        let Some(bytes) = states.get(learner).map_err(failed(p, "read a state"))? else {
            return Ok(None);
        };
        let (version, json) = decode_state(learner, bytes.value())?;
        let state = LearnerState::from_json(model, json)?;
        Ok(Some(Stored { state, version }))
    }

    fn commit(&self, writes: &[Write<'_>]) -> Result<Vec<Version>> {
        super::check_writes(writes)?;
        self.write(|txn| {
            let p = &self.path;
            let mut states = txn.open_table(STATES).map_err(failed(p, "open states"))?;
            let mut journal = txn
                .open_table(JOURNAL)
                .map_err(failed(p, "open the journal"))?;
            let mut ids = txn
                .open_table(IDS)
                .map_err(failed(p, "open evidence ids"))?;
            let mut versions = Vec::with_capacity(writes.len());
            for w in writes {
                let learner = w.state.learner();
                let found = match states.get(learner).map_err(failed(p, "read a state"))? {
                    Some(bytes) => Some(decode_state(learner, bytes.value())?.0),
                    None => None,
                };
                if found != w.expected {
                    return Err(Error::VersionConflict {
                        learner: learner.to_owned(),
                        expected: w.expected.map(Version::get),
                        found: found.map(Version::get),
                    });
                }
                let version = found.map_or(Version::FIRST, Version::next);
                states
                    .insert(
                        learner,
                        encode_state(version, &w.state.to_json()).as_slice(),
                    )
                    .map_err(failed(p, "write a state"))?;
                let mut next = journal
                    .range((learner, 0)..=(learner, u64::MAX))
                    .map_err(failed(p, "read the journal"))?
                    .next_back()
                    .transpose()
                    .map_err(failed(p, "read the journal"))?
                    .map_or(0, |(k, _)| k.value().1.saturating_add(1));
                for e in w.journal {
                    if let Some(owner) = ids
                        .get(e.id.as_str())
                        .map_err(failed(p, "read evidence ids"))?
                    {
                        return Err(Error::DuplicateEvidence {
                            id: e.id.to_string(),
                            learner: owner.value().to_owned(),
                        });
                    }
                    ids.insert(e.id.as_str(), learner)
                        .map_err(failed(p, "write an evidence id"))?;
                    journal
                        .insert((learner, next), e.to_json().as_bytes())
                        .map_err(failed(p, "append to the journal"))?;
                    next = next.saturating_add(1);
                }
                versions.push(version);
            }
            Ok(versions)
        })
    }

    fn list(&self) -> Result<Vec<String>> {
        let p = &self.path;
        let txn = self.db.begin_read().map_err(failed(p, "begin a read"))?;
        let states = txn.open_table(STATES).map_err(failed(p, "open states"))?;
        let mut learners = Vec::new();
        for item in states.iter().map_err(failed(p, "list states"))? {
            let (k, _) = item.map_err(failed(p, "list states"))?;
            learners.push(k.value().to_owned());
        }
        Ok(learners)
    }

    fn delete(&self, learner: &str, expected: Version) -> Result<()> {
        self.write(|txn| {
            let p = &self.path;
            let mut states = txn.open_table(STATES).map_err(failed(p, "open states"))?;
            let found = match states.get(learner).map_err(failed(p, "read a state"))? {
                Some(bytes) => decode_state(learner, bytes.value())?.0,
                None => {
                    return Err(Error::UnknownLearner {
                        learner: learner.to_owned(),
                    });
                }
            };
            if found != expected {
                return Err(Error::VersionConflict {
                    learner: learner.to_owned(),
                    expected: Some(expected.get()),
                    found: Some(found.get()),
                });
            }
            states
                .remove(learner)
                .map_err(failed(p, "delete a state"))?;
            let mut bases = txn.open_table(BASES).map_err(failed(p, "open bases"))?;
            bases.remove(learner).map_err(failed(p, "delete a base"))?;
            let mut journal = txn
                .open_table(JOURNAL)
                .map_err(failed(p, "open the journal"))?;
            let mut ids = txn
                .open_table(IDS)
                .map_err(failed(p, "open evidence ids"))?;
            let mut entries = Vec::new();
            for item in journal
                .range((learner, 0)..=(learner, u64::MAX))
                .map_err(failed(p, "read the journal"))?
            {
                let (k, v) = item.map_err(failed(p, "read the journal"))?;
                entries.push((k.value().1, JournalEntry::from_json(v.value())?.id));
            }
            for (seq, id) in entries {
                journal
                    .remove((learner, seq))
                    .map_err(failed(p, "delete the journal"))?;
                ids.remove(id.as_str())
                    .map_err(failed(p, "delete evidence ids"))?;
            }
            Ok(())
        })
    }

    fn history(&self, learner: &str) -> Result<History> {
        let p = &self.path;
        let txn = self.db.begin_read().map_err(failed(p, "begin a read"))?;
        let bases = txn.open_table(BASES).map_err(failed(p, "open bases"))?;
        let base = bases
            .get(learner)
            .map_err(failed(p, "read a base"))?
            .map(|v| v.value().to_owned());
        let journal = txn
            .open_table(JOURNAL)
            .map_err(failed(p, "open the journal"))?;
        let mut entries = Vec::new();
        for item in journal
            .range((learner, 0)..=(learner, u64::MAX))
            .map_err(failed(p, "read the journal"))?
        {
            let (_, v) = item.map_err(failed(p, "read the journal"))?;
            entries.push(JournalEntry::from_json(v.value())?);
        }
        Ok(History::new(learner, base, entries))
    }

    fn find_evidence(&self, id: &EvidenceId) -> Result<Option<String>> {
        let p = &self.path;
        let txn = self.db.begin_read().map_err(failed(p, "begin a read"))?;
        let ids = txn
            .open_table(IDS)
            .map_err(failed(p, "open evidence ids"))?;
        Ok(ids
            .get(id.as_str())
            .map_err(failed(p, "read evidence ids"))?
            .map(|v| v.value().to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_states_keep_their_version_and_corrupt_ones_are_errors() {
        let bytes = encode_state(Version::new(42), "{\"a\":1}");
        let (version, json) = decode_state("ada", &bytes).unwrap();
        assert_eq!((version.get(), json), (42, "{\"a\":1}"));
        let short = decode_state("ada", &[1, 2, 3]).unwrap_err();
        assert_eq!(
            short.to_string(),
            "invalid learner store record: the state of `ada` is shorter than 8 bytes"
        );
        let mut bad = encode_state(Version::FIRST, "");
        bad.push(0xff);
        assert!(decode_state("ada", &bad).is_err());
    }
}
