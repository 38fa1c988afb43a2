//! xAPI 1.0.3 statements from a learning record store as [`Evidence`].
//!
//! Learning platforms report what learners did as xAPI statements ("ada
//! answered item 42 correctly at 10:00"). An [`XapiReader`] turns them into
//! evidence, in input order:
//!
//! - **learner**: the actor's one identifier: `mbox` as given
//!   (`mailto:ada@example.org`), `mbox_sha1sum` as `sha1:<hex>`, `openid` as
//!   given, `account` as `<homePage>|<name>` ([`Actor::learner_id`]);
//! - **verb**: the ADL verbs `answered`, `attempted`, `completed`, `passed`,
//!   `failed`, `scored` and `mastered` (`http://adlnet.gov/expapi/verbs/...`)
//!   make evidence; other verbs are counted in [`XapiBatch::ignored_verbs`];
//!   `voided` voids the statement its object names;
//! - **what**: `object.id` through the caller's [`Alignment`], else the first
//!   aligned id of `context.contextActivities` (`parent`, `grouping`,
//!   `category`, `other`, in that order);
//! - **outcome**: `result.score.scaled` in [0, 1], else `result.score.raw`
//!   within `min` and `max`, else `result.success`, else the verb (`passed`
//!   and `mastered` correct, `failed` incorrect);
//! - **time**: `timestamp` (else `stored`), ISO 8601 with an offset;
//! - **idempotence**: a statement whose id already gave evidence in this
//!   reader is skipped as a duplicate, so reading the same export twice
//!   applies it once.
//!
//! Every statement that gives no evidence and is not an ignored verb or a
//! voiding statement is listed in [`XapiBatch::skipped`] with its index, id
//! and reason: nothing is dropped silently.
//!
//! ```
//! use mastery::evidence::xapi::{Alignment, SkipReason, XapiReader};
//! use mastery::Outcome;
//!
//! let alignment = Alignment::new().standard("https://example.org/items/1", "3.NF.A.1");
//! let lines = r#"
//! {"id":"00000000-0000-4000-8000-000000000001","actor":{"mbox":"mailto:ada@example.org"},"verb":{"id":"http://adlnet.gov/expapi/verbs/answered"},"object":{"id":"https://example.org/items/1"},"result":{"success":true},"timestamp":"2026-09-01T10:00:00Z"}
//! {"id":"00000000-0000-4000-8000-000000000002","actor":{"account":{"homePage":"https://lms.example.org","name":"bo"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/scored"},"object":{"id":"https://example.org/items/1"},"result":{"score":{"raw":3,"min":0,"max":4}},"timestamp":"2026-09-01T12:00:00+02:00"}
//! {"id":"00000000-0000-4000-8000-000000000003","actor":{"mbox":"mailto:ada@example.org"},"verb":{"id":"http://adlnet.gov/expapi/verbs/answered"},"object":{"id":"https://example.org/items/99"},"result":{"success":true},"timestamp":"2026-09-01T10:01:00Z"}
//! "#;
//! let mut reader = XapiReader::new(&alignment);
//! let batch = reader.read_json_lines_str(lines);
//! assert_eq!(batch.evidence.len(), 2);
//! assert_eq!(batch.evidence[0].evidence.learner(), "mailto:ada@example.org");
//! assert_eq!(batch.evidence[1].evidence.learner(), "https://lms.example.org|bo");
//! assert_eq!(batch.evidence[1].evidence.outcome(), Outcome::score(0.75)?);
//! assert_eq!(batch.skipped[0].index, 2);
//! assert!(matches!(batch.skipped[0].reason, SkipReason::UnknownObject(_)));
//!
//! // The same statements again: all recognized.
//! let again = reader.read_json_lines_str(lines);
//! assert!(again.evidence.is_empty());
//! assert_eq!(again.skipped.iter().filter(|s| s.reason == SkipReason::Duplicate).count(), 2);
//! # Ok::<(), mastery::Error>(())
//! ```

mod actor;
mod alignment;
mod fast;
mod statement;
mod timestamp;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use serde::Serialize;

pub use actor::Actor;
pub use alignment::{Alignment, StatementId};
pub(crate) use timestamp::parse_timestamp;

use self::statement::{RawActor, RawContext, RawId, RawResult, RawStatement};
use crate::error::{Error, Result};
use crate::evidence::{Evidence, Outcome, Source, Target};
use std::io::{BufRead, Read};

/// The IRI prefix of the ADL verbs.
pub const ADL_VERBS: &str = "http://adlnet.gov/expapi/verbs/";

/// A statement that became evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct XapiEvidence {
    /// The statement's 0-based position in the input.
    pub index: usize,
    /// The statement's id, if it had one.
    pub statement_id: Option<StatementId>,
    /// The evidence.
    pub evidence: Evidence,
}

/// Why a statement gave no evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub enum SkipReason {
    /// Not JSON, or not a statement (a required property missing or of the wrong type).
    Malformed(String),
    /// The `id` is not a UUID.
    BadStatementId,
    /// The actor is a group, or has no identifier or more than one.
    UnsupportedActor(String),
    /// Neither the object nor a context activity is in the [`Alignment`]
    /// (the object's id, or a description of a non-activity object).
    UnknownObject(String),
    /// The verb needs a result (`answered`, `attempted`, `completed`, `scored`) and there is none.
    NoOutcome,
    /// The score cannot be read as a number in [0, 1].
    BadScore(String),
    /// No usable `timestamp` or `stored`.
    BadTimestamp(String),
    /// The statement id already gave evidence in this reader.
    Duplicate,
    /// A later (or earlier) voiding statement voids it.
    Voided {
        /// The voiding statement's id.
        by: Option<StatementId>,
    },
    /// The evidence itself is invalid (e.g. a learner id over [`MAX_ID_BYTES`](crate::MAX_ID_BYTES)).
    InvalidEvidence(String),
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::Malformed(m) => write!(f, "not a statement: {m}"),
            SkipReason::BadStatementId => write!(f, "the id is not a UUID"),
            SkipReason::UnsupportedActor(m) => write!(f, "unsupported actor: {m}"),
            SkipReason::UnknownObject(iri) => write!(f, "no alignment for `{iri}`"),
            SkipReason::NoOutcome => write!(f, "no result.success or result.score"),
            SkipReason::BadScore(m) => write!(f, "bad score: {m}"),
            SkipReason::BadTimestamp(m) => write!(f, "bad timestamp: {m}"),
            SkipReason::Duplicate => write!(f, "duplicate of a statement already read"),
            SkipReason::Voided { by: Some(by) } => write!(f, "voided by statement {by}"),
            SkipReason::Voided { by: None } => write!(f, "voided"),
            SkipReason::InvalidEvidence(m) => write!(f, "invalid evidence: {m}"),
        }
    }
}

/// A statement that gave no evidence, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skipped {
    /// The statement's 0-based position in the input.
    pub index: usize,
    /// The 1-based line, for JSON lines.
    pub line: Option<u64>,
    /// The statement's `id` as written, if it had one (shortened past 64 bytes).
    pub statement_id: Option<String>,
    /// Why.
    pub reason: SkipReason,
}

/// What one read produced: evidence in input order, and an account of every
/// other statement.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct XapiBatch {
    /// Statements read (evidence, skipped, ignored verbs and voiding statements).
    pub statements: usize,
    /// The evidence, in input order.
    pub evidence: Vec<XapiEvidence>,
    /// Statements that gave no evidence, in input order.
    pub skipped: Vec<Skipped>,
    /// Statements with other verbs, counted by verb IRI.
    pub ignored_verbs: BTreeMap<String, usize>,
    /// Voiding statements read.
    pub voiding: usize,
    /// Statements given out as evidence by an earlier read that a voiding
    /// statement of this read voids: undo them if your store can.
    pub voided_earlier: Vec<StatementId>,
}

/// The verbs that make evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verb {
    Answered,
    Attempted,
    Completed,
    Passed,
    Failed,
    Scored,
    Mastered,
    Voided,
}

fn verb(iri: &str) -> Option<Verb> {
    Some(match iri.strip_prefix(ADL_VERBS)? {
        "answered" => Verb::Answered,
        "attempted" => Verb::Attempted,
        "completed" => Verb::Completed,
        "passed" => Verb::Passed,
        "failed" => Verb::Failed,
        "scored" => Verb::Scored,
        "mastered" => Verb::Mastered,
        "voided" => Verb::Voided,
        _ => return None,
    })
}

/// Reads xAPI statements into evidence; remembers statement ids across reads
/// (see [the module docs](self)).
#[derive(Debug, Clone)]
pub struct XapiReader<'a> {
    alignment: &'a Alignment,
    source: Source,
    /// Statements that gave evidence (and voiding statements).
    seen: HashSet<StatementId>,
    /// Statements voided, by the voiding statement's id.
    voided: HashMap<StatementId, Option<StatementId>>,
}

impl<'a> XapiReader<'a> {
    /// A reader mapping activity IRIs through `alignment`.
    #[must_use]
    pub fn new(alignment: &'a Alignment) -> Self {
        XapiReader {
            alignment,
            source: Source::Practice,
            seen: HashSet::new(),
            voided: HashMap::new(),
        }
    }

    /// The source of the evidence made (default [`Source::Practice`]).
    #[must_use]
    pub fn with_source(mut self, source: Source) -> Self {
        self.source = source;
        self
    }

    /// Statement ids that gave evidence so far.
    #[must_use]
    pub fn seen(&self) -> usize {
        self.seen.len()
    }

    /// Reads JSON lines: one statement per line; blank lines are skipped, a
    /// line that is not a statement is listed with its line number.
    pub fn read_json_lines_str(&mut self, text: &str) -> XapiBatch {
        let mut batch = Batch::default();
        let lines = memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1;
        batch.evidence.reserve(lines);
        self.seen.reserve(lines);
        let mut index = 0;
        for (n, line) in text.split('\n').enumerate() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.trim_ascii().is_empty() {
                continue;
            }
            self.statement(&mut batch, index, Some(n as u64 + 1), line);
            index += 1;
        }
        batch.finish()
    }

    /// Reads a JSON array of statements (what an LRS's `statements` resource
    /// returns in its `statements` member).
    ///
    /// # Errors
    /// [`Error::Json`] naming `name` if the text is not a JSON array; a member
    /// that is not a statement is listed in [`XapiBatch::skipped`] instead.
    pub fn read_array_str(&mut self, name: &str, json: &str) -> Result<XapiBatch> {
        let members: Vec<&serde_json::value::RawValue> =
            serde_json::from_str(json).map_err(|source| Error::Json {
                what: format!("xAPI statements {name}"),
                source,
            })?;
        let mut batch = Batch::default();
        batch.evidence.reserve(members.len());
        self.seen.reserve(members.len());
        for (index, member) in members.iter().enumerate() {
            self.statement(&mut batch, index, None, member.get());
        }
        Ok(batch.finish())
    }

    /// Reads JSON lines from a stream, one line at a time: memory holds one
    /// line (at most [`MAX_LINE_BYTES`](crate::MAX_LINE_BYTES)) besides the
    /// evidence made. A line that is not UTF-8 or not a statement is listed
    /// in [`XapiBatch::skipped`] with its line number.
    ///
    /// ```
    /// use mastery::evidence::xapi::{Alignment, XapiReader};
    ///
    /// let alignment = Alignment::new().standard("https://example.org/items/1", "3.NF.A.1");
    /// let lines = "{\"actor\":{\"mbox\":\"mailto:ada@example.org\"},\"verb\":{\"id\":\"http://adlnet.gov/expapi/verbs/passed\"},\"object\":{\"id\":\"https://example.org/items/1\"},\"timestamp\":\"2026-09-01T10:00:00Z\"}\n\n\u{ff}oops\n";
    /// let batch = XapiReader::new(&alignment).read_json_lines("log.jsonl", lines.as_bytes())?;
    /// assert_eq!((batch.evidence.len(), batch.skipped[0].line), (1, Some(3)));
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Io`] if reading fails, [`Error::InputTooLarge`] past
    /// [`MAX_LINE_BYTES`](crate::MAX_LINE_BYTES) on one line or
    /// [`MAX_INPUT_BYTES`](crate::MAX_INPUT_BYTES) in all.
    pub fn read_json_lines(&mut self, name: &str, reader: impl std::io::Read) -> Result<XapiBatch> {
        let file: std::sync::Arc<str> = name.into();
        let mut reader = std::io::BufReader::new(crate::io::Capped::lines(reader));
        let mut buf = Vec::new();
        let mut batch = Batch::default();
        let (mut index, mut number) = (0usize, 0u64);
        loop {
            buf.clear();
            let read = reader
                .read_until(b'\n', &mut buf)
                .map_err(|e| crate::io::io_error(&file, e))?;
            if read == 0 {
                break;
            }
            number += 1;
            let mut line: &[u8] = &buf;
            if number == 1 {
                line = crate::io::strip_bom(line);
            }
            let line = line.strip_suffix(b"\n").unwrap_or(line);
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.trim_ascii().is_empty() {
                continue;
            }
            match std::str::from_utf8(line) {
                Ok(text) => self.statement(&mut batch, index, Some(number), text),
                Err(_) => {
                    batch.statements += 1;
                    let reason = SkipReason::Malformed("the line is not valid UTF-8".into());
                    batch.skip(index, Some(number), None, reason);
                }
            }
            index += 1;
        }
        Ok(batch.finish())
    }

    /// Reads a file of either form, as [`XapiReader::read`].
    ///
    /// # Errors
    /// As [`XapiReader::read`], and [`Error::Io`] if the file cannot be opened.
    pub fn read_path(&mut self, path: impl AsRef<Path>) -> Result<XapiBatch> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|source| Error::Io {
            file: name.as_str().into(),
            source,
        })?;
        self.read(&name, file)
    }

    /// Reads a stream of either form: a JSON array if the first non-blank
    /// character (in the first 8 KiB) is `[`, read whole (at most
    /// [`MAX_INPUT_BYTES`](crate::MAX_INPUT_BYTES)); else JSON lines, read one
    /// line at a time ([`XapiReader::read_json_lines`]).
    ///
    /// # Errors
    /// [`Error::Io`], [`Error::InputTooLarge`], [`Error::InvalidUtf8`] for an
    /// array that is not UTF-8, or as [`XapiReader::read_array_str`].
    pub fn read(&mut self, name: &str, reader: impl std::io::Read) -> Result<XapiBatch> {
        let file: std::sync::Arc<str> = name.into();
        let mut reader = std::io::BufReader::new(reader);
        let head = reader
            .fill_buf()
            .map_err(|e| crate::io::io_error(&file, e))?;
        let first = crate::io::strip_bom(head)
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .copied();
        if first != Some(b'[') {
            return self.read_json_lines(name, reader);
        }
        let mut bytes = Vec::new();
        crate::io::Capped::whole(reader)
            .read_to_end(&mut bytes)
            .map_err(|e| crate::io::io_error(&file, e))?;
        let text =
            std::str::from_utf8(crate::io::strip_bom(&bytes)).map_err(|_| Error::InvalidUtf8 {
                at: crate::Location::new(Some(file.clone()), None),
            })?;
        self.read_array_str(name, text)
    }

    fn statement(&mut self, batch: &mut Batch, index: usize, line: Option<u64>, json: &str) {
        batch.statements += 1;
        // The direct reader, else serde (which also says what is wrong).
        let mut raw = RawStatement::empty();
        let read = if fast::read(json, &mut raw) {
            Ok(())
        } else {
            serde_json::from_str(json).map(|slow| raw = slow)
        };
        if let Err(e) = read {
            let id = serde_json::from_str::<RawId<'_>>(json)
                .ok()
                .and_then(|r| r.id);
            let id = id.map(|id| crate::curriculum::shown_id(&id));
            batch.skip(index, line, id, SkipReason::Malformed(e.to_string()));
            return;
        }
        let skip = |batch: &mut Batch, reason| {
            let id = raw.id.as_deref().map(crate::curriculum::shown_id);
            batch.skip(index, line, id, reason);
        };
        let id = match raw.id.as_deref().map(StatementId::parse) {
            None => None,
            Some(Some(id)) => Some(id),
            Some(None) => return skip(batch, SkipReason::BadStatementId),
        };
        if id.is_some_and(|id| self.seen.contains(&id)) {
            return skip(batch, SkipReason::Duplicate);
        }
        let Some(verb) = verb(&raw.verb.id) else {
            *batch
                .ignored_verbs
                .entry(raw.verb.id.into_owned())
                .or_insert(0) += 1;
            return;
        };
        if verb == Verb::Voided {
            return self.void(batch, index, line, id, &raw);
        }
        if let Some(&by) = id.and_then(|id| self.voided.get(&id)) {
            return skip(batch, SkipReason::Voided { by });
        }
        let learner = match learner_id(&raw.actor) {
            Ok(learner) => learner,
            Err(reason) => return skip(batch, SkipReason::UnsupportedActor(reason.into())),
        };
        let target = match self.target(&raw) {
            Ok(target) => target,
            Err(reason) => return skip(batch, reason),
        };
        let outcome = match outcome(verb, raw.result.as_ref()) {
            Ok(outcome) => outcome,
            Err(reason) => return skip(batch, reason),
        };
        let Some(time) = raw.timestamp.as_deref().or(raw.stored.as_deref()) else {
            return skip(
                batch,
                SkipReason::BadTimestamp("no timestamp or stored".into()),
            );
        };
        let timestamp = match parse_timestamp(time) {
            Ok(t) => t,
            Err(why) => {
                let shown = crate::curriculum::shown_id(time);
                return skip(batch, SkipReason::BadTimestamp(format!("{shown:?}: {why}")));
            }
        };
        match Evidence::new(learner, target.clone(), outcome, timestamp) {
            Ok(evidence) => {
                if let Some(id) = id {
                    self.seen.insert(id);
                }
                batch.evidence.push(XapiEvidence {
                    index,
                    statement_id: id,
                    evidence: evidence.with_source(self.source),
                });
            }
            Err(e) => skip(batch, SkipReason::InvalidEvidence(e.to_string())),
        }
    }

    /// A voiding statement: its object is a `StatementRef` to the voided id.
    fn void(
        &mut self,
        batch: &mut Batch,
        index: usize,
        line: Option<u64>,
        id: Option<StatementId>,
        raw: &RawStatement<'_>,
    ) {
        let target = raw
            .object
            .id
            .as_deref()
            .filter(|_| raw.object.object_type.as_deref() == Some("StatementRef"))
            .and_then(StatementId::parse);
        let Some(target) = target else {
            let shown = raw.id.as_deref().map(crate::curriculum::shown_id);
            let reason = "a voiding statement's object must be a StatementRef with a UUID id";
            batch.skip(index, line, shown, SkipReason::Malformed(reason.into()));
            return;
        };
        batch.voiding += 1;
        if let Some(id) = id {
            self.seen.insert(id);
        }
        self.voided.insert(target, id);
        if self.seen.contains(&target) {
            // Given out in this read or an earlier one: `finish` tells which.
            batch.voided_seen.insert(target, id);
        }
    }

    fn target(&self, raw: &RawStatement<'_>) -> std::result::Result<Target, SkipReason> {
        let object_id = raw.object.id.as_deref();
        let is_activity = matches!(raw.object.object_type.as_deref(), None | Some("Activity"));
        if let Some(t) = object_id
            .filter(|_| is_activity)
            .and_then(|iri| self.alignment.get(iri))
        {
            return Ok(t.clone());
        }
        let context = raw
            .context
            .and_then(|c| serde_json::from_str::<RawContext<'_>>(c.get()).ok());
        if let Some(activities) = context.as_ref().and_then(|c| c.context_activities.as_ref()) {
            let lists = [
                &activities.parent,
                &activities.grouping,
                &activities.category,
                &activities.other,
            ];
            for a in lists.into_iter().flatten() {
                if let Some(t) = self.alignment.get(&a.id) {
                    return Ok(t.clone());
                }
            }
        }
        Err(SkipReason::UnknownObject(match (object_id, is_activity) {
            (Some(iri), true) => crate::curriculum::shown_id(iri),
            _ => format!(
                "an object of type {}",
                raw.object.object_type.as_deref().unwrap_or("?")
            ),
        }))
    }
}

/// The learner id of an actor (see [`Actor::learner_id`]).
fn learner_id(actor: &RawActor<'_>) -> std::result::Result<String, &'static str> {
    if actor.object_type.as_deref() == Some("Group") {
        return Err("a Group is not one learner");
    }
    let ifis = usize::from(actor.mbox.is_some())
        + usize::from(actor.mbox_sha1sum.is_some())
        + usize::from(actor.openid.is_some())
        + usize::from(actor.account.is_some());
    if ifis != 1 {
        return Err(if ifis == 0 {
            "no mbox, mbox_sha1sum, openid or account"
        } else {
            "more than one of mbox, mbox_sha1sum, openid and account"
        });
    }
    if let Some(mbox) = &actor.mbox {
        if !mbox.starts_with("mailto:") {
            return Err("an mbox must start with mailto:");
        }
        return Ok(mbox.clone().into_owned());
    }
    if let Some(sha1) = &actor.mbox_sha1sum {
        return Ok(format!("sha1:{sha1}"));
    }
    if let Some(openid) = &actor.openid {
        return Ok(openid.clone().into_owned());
    }
    match &actor.account {
        Some(account) => Ok(format!("{}|{}", account.home_page, account.name)),
        None => Err("no identifier"),
    }
}

fn outcome(verb: Verb, result: Option<&RawResult>) -> std::result::Result<Outcome, SkipReason> {
    if let Some(score) = result.and_then(|r| r.score.as_ref()) {
        if let Some(scaled) = score.scaled {
            return Outcome::score(scaled)
                .map_err(|_| SkipReason::BadScore(format!("scaled {scaled} is not in [0, 1]")));
        }
        if let Some(raw) = score.raw {
            let (Some(min), Some(max)) = (score.min, score.max) else {
                return Err(SkipReason::BadScore(format!(
                    "raw {raw} without min and max"
                )));
            };
            if !(min < max && min <= raw && raw <= max) {
                return Err(SkipReason::BadScore(format!(
                    "raw {raw} not within min {min} and max {max}"
                )));
            }
            return Outcome::score((raw - min) / (max - min))
                .map_err(|_| SkipReason::BadScore(format!("raw {raw} of {min} to {max}")));
        }
    }
    if let Some(success) = result.and_then(|r| r.success) {
        return Ok(Outcome::from_correct(success));
    }
    match verb {
        Verb::Passed | Verb::Mastered => Ok(Outcome::Correct),
        Verb::Failed => Ok(Outcome::Incorrect),
        _ => Err(SkipReason::NoOutcome),
    }
}

/// A batch being read.
#[derive(Default)]
struct Batch {
    statements: usize,
    evidence: Vec<XapiEvidence>,
    skipped: Vec<Skipped>,
    ignored_verbs: BTreeMap<String, usize>,
    voiding: usize,
    /// Statements that had given evidence when a voiding statement of this
    /// read voided them, with the voiding statement's id.
    voided_seen: HashMap<StatementId, Option<StatementId>>,
}

impl Batch {
    fn skip(&mut self, index: usize, line: Option<u64>, id: Option<String>, reason: SkipReason) {
        self.skipped.push(Skipped {
            index,
            line,
            statement_id: id,
            reason,
        });
    }

    fn finish(mut self) -> XapiBatch {
        let mut voided_earlier = Vec::new();
        if !self.voided_seen.is_empty() {
            let mut kept = Vec::with_capacity(self.evidence.len());
            for e in self.evidence {
                match e.statement_id.and_then(|id| self.voided_seen.remove(&id)) {
                    Some(by) => self.skipped.push(Skipped {
                        index: e.index,
                        line: None,
                        statement_id: e.statement_id.map(|id| id.to_string()),
                        reason: SkipReason::Voided { by },
                    }),
                    None => kept.push(e),
                }
            }
            self.evidence = kept;
            self.skipped.sort_by_key(|s| s.index);
            // The rest gave evidence in an earlier read.
            voided_earlier.extend(self.voided_seen.into_keys());
            voided_earlier.sort_unstable();
        }
        XapiBatch {
            statements: self.statements,
            evidence: self.evidence,
            skipped: self.skipped,
            ignored_verbs: self.ignored_verbs,
            voiding: self.voiding,
            voided_earlier,
        }
    }
}
