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
mod reader;
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

pub use reader::XapiReader;

/// The IRI prefix of the ADL verbs.
pub const ADL_VERBS: &str = "http://adlnet.gov/expapi/verbs/";

/// A statement that became evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
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
#[non_exhaustive]
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
#[non_exhaustive]
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
