//! The crate's one error type.
//!
//! Every variant carries the context a caller needs to fix the input: the
//! standard ids involved and, for data read from files, the file and line.

use std::fmt;
use std::sync::Arc;

mod describe;
mod location;
mod sequence;

use describe::*;

pub use location::*;
pub use sequence::*;

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in `mastery`.
///
/// The enum is `#[non_exhaustive]`: match the variants you handle and keep a
/// wildcard arm.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Two standards share an id.
    #[error("{at}duplicate standard id `{id}`")]
    DuplicateStandard {
        /// The repeated id.
        id: String,
        /// Where the second occurrence was read.
        at: Location,
    },

    /// A standard id is empty or has leading/trailing whitespace or control characters.
    #[error("{at}invalid standard id {id:?}: {reason}")]
    InvalidId {
        /// The offending id, verbatim.
        id: String,
        /// Why it was rejected.
        reason: &'static str,
        /// Where it was read.
        at: Location,
    },

    /// A prerequisite edge names a standard that the curriculum does not have.
    #[error("{at}prerequisite `{from}` -> `{to}` names unknown standard `{missing}`")]
    UnknownEndpoint {
        /// The prerequisite end of the edge.
        from: String,
        /// The dependent end of the edge.
        to: String,
        /// Which of the two is unknown.
        missing: String,
        /// Where the edge was read.
        at: Location,
    },

    /// A standard is listed as its own prerequisite.
    #[error("{at}standard `{id}` is listed as its own prerequisite")]
    SelfLoop {
        /// The standard.
        id: String,
        /// Where the edge was read.
        at: Location,
    },

    /// The same prerequisite edge is listed twice.
    #[error("{at}prerequisite `{from}` -> `{to}` is listed more than once")]
    DuplicatePrerequisite {
        /// The prerequisite end of the edge.
        from: String,
        /// The dependent end of the edge.
        to: String,
        /// Where the repeated edge was read.
        at: Location,
    },

    /// The prerequisites form a cycle, so no order of learning satisfies them.
    ///
    /// `cycle` lists the standards on one actual cycle in edge order; the
    /// first standard is repeated at the end (`A -> B -> C -> A`). `edges`
    /// says where each edge of the cycle was read, in the same order
    /// (`edges[i]` is the edge `cycle[i] -> cycle[i + 1]`); the message lists
    /// the known ones.
    #[error("{}prerequisites form a cycle: {}{}", edges.first().cloned().unwrap_or_default(), cycle.join(" -> "), describe_cycle_edges(edges))]
    Cycle {
        /// The standards on the cycle, first one repeated at the end.
        cycle: Vec<String>,
        /// Where each edge of the cycle was read ([`Location::NONE`] for an
        /// edge added in code).
        edges: Vec<Location>,
    },

    /// A query named a standard that the curriculum does not have.
    #[error("{at}unknown standard `{id}`")]
    UnknownStandard {
        /// The id that was looked up.
        id: String,
        /// Where the id was read, when it came from a file.
        at: Location,
    },

    /// A skill of a response log has no fitted parameters: predicting with
    /// [`fit::predict`](crate::fit::predict) (with the default
    /// [`UnknownSkill::Reject`](crate::fit::UnknownSkill::Reject)),
    /// [`fit::predict_csv`](crate::fit::predict_csv) or
    /// [`FitReport::predict`](crate::fit::FitReport::predict), or fitting
    /// abilities, on data with a skill the parameters do not have. A skill is
    /// not a standard: an unknown standard is [`Error::UnknownStandard`].
    #[error("{at}no fitted parameters for skill `{skill}`")]
    UnknownSkill {
        /// The skill's name, as in the data.
        skill: String,
        /// Where the skill was read: its first row for a streamed log
        /// ([`fit::predict_csv`](crate::fit::predict_csv)), otherwise
        /// [`Location::NONE`] (a [`Dataset`](crate::fit::Dataset) does not keep lines).
        at: Location,
    },

    /// Fitted parameters are degenerate (`guess + slip >= 1` or
    /// `learn + forget > 1`), so they cannot become
    /// [`BktParams`](crate::model::BktParams) or
    /// [`GuessSlip`](crate::model::GuessSlip); only a fit without bounds
    /// ([`Bounds::none`](crate::fit::Bounds::none)) makes them.
    #[error("fitted parameters of skill `{skill}`{}: {reason}; fit with bounds, the default, to rule out degenerate fits", item.as_ref().map(|i| format!(", item `{i}`")).unwrap_or_default())]
    DegenerateFit {
        /// The skill.
        skill: String,
        /// The item, for a KT-IDEM fit's per-item guess and slip.
        item: Option<String>,
        /// What is degenerate, with the values.
        reason: String,
    },

    /// Fitted skill parameters that do not reach the curriculum: skills that
    /// are neither standard ids nor mapped to standards, and mappings to
    /// standards the curriculum does not have. Lists every one at once.
    #[error(
        "skill parameters do not match the curriculum: {}",
        describe_unmatched(skills, unknown_standards)
    )]
    UnmatchedSkills {
        /// Skills (sorted) that are not standard ids and have no mapping; map
        /// them with [`SkillMap`](crate::model::SkillMap) or ignore them with
        /// [`SkillMap::ignore_unmatched`](crate::model::SkillMap::ignore_unmatched).
        skills: Vec<String>,
        /// `(skill, standard)` mappings whose standard the curriculum does not have.
        unknown_standards: Vec<(String, String)>,
    },

    /// A standard index is out of range for this curriculum (it was made for another one).
    #[error("standard index {index} is out of range for a curriculum of {len} standards")]
    IndexOutOfRange {
        /// The index.
        index: usize,
        /// The number of standards in the curriculum.
        len: usize,
    },

    /// A collection has the wrong number of entries (e.g. one value per
    /// standard, one outcome per prediction).
    #[error("{what}: expected {expected} entries, found {found}")]
    SizeMismatch {
        /// What was passed, e.g. "DOT color values (one per standard)".
        what: &'static str,
        /// The number of entries expected.
        expected: usize,
        /// The collection's size.
        found: usize,
    },

    /// A numeric value is outside its allowed range or not finite.
    #[error("{what} must be {expected}, got {value}")]
    InvalidValue {
        /// Which value, e.g. "color value of `3.NF.A.1`".
        what: String,
        /// The allowed range, in words.
        expected: &'static str,
        /// The value given.
        value: f64,
    },

    /// A forecast needs the learner's pace (activities a day), measured over
    /// at least two active days of evidence, and none was assumed with
    /// [`ForecastOptions::assumed_per_day`](crate::recommend::ForecastOptions::assumed_per_day).
    #[error(
        "pace of learner `{learner}` is unknown: {active_days} active day(s) of evidence, a forecast needs two (or ForecastOptions::assumed_per_day)"
    )]
    UnknownPace {
        /// The learner.
        learner: String,
        /// The learner's active days so far.
        active_days: u32,
    },

    /// An analysis of activities ([`fit::what_works`](crate::fit::what_works))
    /// got a dataset read without an item column
    /// ([`DatasetOptions::item_column`](crate::fit::DatasetOptions::item_column)).
    #[error(
        "{what} needs the response log's activity column: read it with DatasetOptions::item_column"
    )]
    NoItemColumn {
        /// What needed it, e.g. "what_works".
        what: &'static str,
    },

    /// A calendar date is malformed or does not exist.
    #[error("invalid date {value:?}: {reason}")]
    InvalidDate {
        /// The date as given.
        value: String,
        /// What is wrong, e.g. "expected YYYY-MM-DD".
        reason: &'static str,
    },

    /// A file (or stream) had no content at all, or no data rows where some are required.
    #[error("{file}: {detail}")]
    EmptyFile {
        /// The file.
        file: Arc<str>,
        /// What was missing, e.g. "no header line".
        detail: &'static str,
    },

    /// A required column is missing from a CSV header.
    #[error("{file}:1: missing column `{column}` (the header has: {})", found.join(", "))]
    MissingColumn {
        /// The file.
        file: Arc<str>,
        /// The column that was required.
        column: String,
        /// The columns the header does have.
        found: Vec<String>,
    },

    /// A line of a file is not valid UTF-8.
    #[error("{at}invalid UTF-8")]
    InvalidUtf8 {
        /// The file and line.
        at: Location,
    },

    /// A CSV row is malformed (e.g. the wrong number of fields) or a field is empty.
    #[error("{at}{message}")]
    Csv {
        /// The file and line.
        at: Location,
        /// What is wrong with the row.
        message: String,
    },

    /// A file in the 3-line knowledge-tracing format (count, ids, answers
    /// per learner; the DKVMN and pyKT splits) is malformed.
    #[error("{at}{problem}")]
    SequenceFormat {
        /// The file and line.
        at: Location,
        /// What is wrong.
        problem: SequenceProblem,
    },

    /// An input passed a documented size cap: [`MAX_INPUT_BYTES`](crate::MAX_INPUT_BYTES)
    /// for a whole file or stream, [`MAX_LINE_BYTES`](crate::MAX_LINE_BYTES)
    /// for one line of a CSV file.
    #[error("{file}: {what} longer than {limit} bytes, starting at byte {offset}")]
    InputTooLarge {
        /// The file.
        file: Arc<str>,
        /// "input" or "a line".
        what: &'static str,
        /// The cap, in bytes.
        limit: u64,
        /// The 0-based byte offset where the over-long input or line starts.
        offset: u64,
    },

    /// Reading or writing a file failed.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: Arc<str>,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// JSON could not be read or written.
    #[error("{what}: {source}")]
    Json {
        /// What was being read or written, e.g. "curriculum JSON".
        what: String,
        /// The underlying error (it carries line and column).
        #[source]
        source: serde_json::Error,
    },

    /// Persisted data has a format version this release cannot read.
    #[error("{what} has format version {found}; this release reads version {supported}")]
    UnsupportedFormat {
        /// What was read.
        what: &'static str,
        /// The version found.
        found: u32,
        /// The version this release reads.
        supported: u32,
    },

    /// Evidence for one learner was applied to another learner's state.
    #[error("evidence for learner `{found}` applied to the state of learner `{expected}`")]
    LearnerMismatch {
        /// The state's learner.
        expected: String,
        /// The evidence's learner.
        found: String,
    },

    /// A piece of evidence names a standard or activity the model does not
    /// have; says whose evidence it was, on what, when, and (in a batch) its
    /// position. `source` is the underlying [`Error::UnknownStandard`] or
    /// [`Error::UnknownActivity`].
    #[error("evidence of learner `{learner}` on {target} at {timestamp}{}: {source}", position.map(|p| format!(" (item {p} of the batch)")).unwrap_or_default())]
    UnknownEvidenceTarget {
        /// The learner the evidence is for.
        learner: String,
        /// What the evidence is on.
        target: crate::evidence::Target,
        /// The evidence's time (seconds since the Unix epoch).
        timestamp: i64,
        /// The 0-based position in a batch, if it came in one.
        position: Option<usize>,
        /// The look-up that failed.
        #[source]
        source: Box<Error>,
    },

    /// A learner state, catalog or model was made for a different curriculum.
    #[error("{what} was made for curriculum {found:016x}, not this one ({expected:016x})")]
    CurriculumMismatch {
        /// What did not match, e.g. "learner state".
        what: &'static str,
        /// The fingerprint of the curriculum in use.
        expected: u64,
        /// The fingerprint recorded in the object.
        found: u64,
    },

    /// An activity id is not in the catalog. In evidence, the wrapping
    /// [`Error::UnknownEvidenceTarget`] names the learner and the position in a batch.
    #[error("{at}unknown activity `{id}`")]
    UnknownActivity {
        /// The id that was looked up.
        id: String,
        /// Where the id was read, when it came from a file
        /// ([`Location::NONE`] for an id passed in code).
        at: Location,
    },

    /// A catalog that must list the same activities in the same order as the
    /// model's does not (the truth model's in
    /// [`sim::evaluate_against`](crate::sim::evaluate_against)).
    #[error("{what} differs from the model's at activity #{index}: {} where the model has {}", describe_activity(found.as_deref()), describe_activity(expected.as_deref()))]
    CatalogMismatch {
        /// Which catalog, e.g. "the truth model's catalog".
        what: &'static str,
        /// The 0-based position of the first difference.
        index: usize,
        /// The model's activity there (`None`: its catalog ends there).
        expected: Option<String>,
        /// The other catalog's activity there (`None`: it ends there).
        found: Option<String>,
    },

    /// A learner took an activity that was not among the options of a choice.
    #[error("activity `{activity}` was not among the options offered for `{standard}`")]
    NotOffered {
        /// The activity id given.
        activity: String,
        /// The standard the choice was for.
        standard: String,
    },

    /// Two activities share an id.
    #[error("{at}duplicate activity id `{id}`")]
    DuplicateActivity {
        /// The repeated id.
        id: String,
        /// Where the second occurrence was read.
        at: Location,
    },

    /// An activity is aligned to no standard.
    #[error("{at}activity `{id}` is aligned to no standard")]
    UnalignedActivity {
        /// The activity.
        id: String,
        /// Where it was read.
        at: Location,
    },

    /// An activity id is empty, has leading or trailing whitespace or a
    /// control character, or an activity names itself as its prerequisite.
    #[error("{at}invalid activity id {id:?}: {reason}")]
    InvalidActivityId {
        /// The offending id, verbatim.
        id: String,
        /// Why it was rejected.
        reason: &'static str,
        /// Where it was read.
        at: Location,
    },

    /// An activity names a prerequisite activity that the catalog does not have.
    #[error("{at}activity `{activity}` comes after unknown activity `{prerequisite}`")]
    UnknownPrerequisiteActivity {
        /// The activity that lists the prerequisite.
        activity: String,
        /// The prerequisite's id.
        prerequisite: String,
        /// Where the activity was read.
        at: Location,
    },

    /// An activity is aligned to the same standard more than once, so one
    /// answer would count twice.
    #[error("{at}activity `{activity}` is aligned to standard `{standard}` more than once")]
    DuplicateAlignment {
        /// The activity.
        activity: String,
        /// The standard listed twice.
        standard: String,
        /// Where the activity was read.
        at: Location,
    },

    /// Persisted state is internally inconsistent (e.g. edited by hand).
    #[error("invalid {what}: {reason}")]
    InvalidState {
        /// What was read, e.g. "learner state".
        what: &'static str,
        /// What is wrong.
        reason: String,
    },

    /// A timestamp is outside the range the crate accepts (see
    /// [`MIN_TIMESTAMP`](crate::time::MIN_TIMESTAMP) and
    /// [`MAX_TIMESTAMP`](crate::time::MAX_TIMESTAMP)).
    #[error(
        "{what} is {value}, outside the accepted timestamps {} to {} (years 1 to 9999)",
        crate::time::MIN_TIMESTAMP,
        crate::time::MAX_TIMESTAMP
    )]
    TimestampOutOfRange {
        /// Which timestamp, e.g. "time of the evidence of learner `ada`".
        what: String,
        /// The value given.
        value: i64,
    },

    /// A streaming reader ([`fit::predict_csv`](crate::fit::predict_csv))
    /// met input it can only read whole: a row whose `order_id` is smaller
    /// than an earlier row's, or a quoted field. What was written before it is
    /// incomplete; read such a log into a [`Dataset`](crate::fit::Dataset)
    /// instead, which sorts it.
    #[error("{at}{reason}; read the log whole (`Dataset` and `predict`) instead of streaming it")]
    NotStreamable {
        /// The file and line.
        at: Location,
        /// What the streaming reader cannot handle.
        reason: String,
    },

    /// A quoted CSV field never closes: without this error the rest of the
    /// file would be read as one field.
    #[error("{at}a quoted field opens on this line and is never closed")]
    UnterminatedQuote {
        /// The file and the line where the quote opened.
        at: Location,
    },

    /// An input holds more of something than the crate accepts (e.g. more
    /// than [`MAX_STANDARDS`](crate::MAX_STANDARDS) standards).
    #[error("{at}too many {what}: at most {limit} are supported")]
    TooMany {
        /// What there are too many of, e.g. "standards".
        what: &'static str,
        /// The limit.
        limit: usize,
        /// Where the first one beyond the limit was read.
        at: Location,
    },

    /// An IMS CASE package is malformed: a missing or mistyped field, an
    /// unknown association type, an association that points outside the
    /// package, or an item without the `humanCodingScheme` the options require.
    /// `at` names the file and the JSON path (`framework.json#/CFItems/3`).
    #[error("{at}CASE `{identifier}`: {message}")]
    Case {
        /// The file and JSON path of the item or association.
        at: Location,
        /// The item's or association's `identifier` (or `?` when it has none).
        identifier: String,
        /// What is wrong.
        message: String,
    },

    /// A CASE hierarchy query named an item the package does not have.
    #[error("no CASE item has the code or identifier `{key}`")]
    UnknownCaseItem {
        /// The code (`humanCodingScheme`) or identifier looked up.
        key: String,
    },

    /// An evidence id is empty or longer than [`MAX_ID_BYTES`](crate::MAX_ID_BYTES).
    #[error("invalid evidence id {id:?}: {reason}")]
    InvalidEvidenceId {
        /// The offending id (shortened when long).
        id: String,
        /// Why it was rejected.
        reason: &'static str,
    },

    /// A learner store has no state for this learner.
    #[error("unknown learner `{learner}`")]
    UnknownLearner {
        /// The learner id that was looked up.
        learner: String,
    },

    /// A write to a learner store expected another version of the learner's
    /// state (someone else wrote it first): read it again and retry.
    #[error("learner `{learner}` changed concurrently: expected {}, found {}", describe_version(*expected), describe_version(*found))]
    VersionConflict {
        /// The learner.
        learner: String,
        /// The version the write expected (`None`: no state yet).
        expected: Option<u64>,
        /// The version in the store (`None`: no state).
        found: Option<u64>,
    },

    /// A write to a learner store carried evidence whose id is already
    /// journaled (a retried request): nothing was written.
    #[error("evidence `{id}` is already recorded for learner `{learner}`")]
    DuplicateEvidence {
        /// The evidence id.
        id: String,
        /// The learner it was recorded for.
        learner: String,
    },

    /// The on-disk learner store failed (I/O, a corrupt file, a file in use).
    #[error("learner store {path}: {operation} failed: {source}")]
    Store {
        /// The database file.
        path: Arc<str>,
        /// What was being done, e.g. "commit".
        operation: &'static str,
        /// The underlying error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}
