//! What is wrong in a file of the 3-line knowledge-tracing format.

/// What is wrong in a file of the 3-line knowledge-tracing format
/// ([`Error::SequenceFormat`](super::Error::SequenceFormat)).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SequenceProblem {
    /// The first line of a record is not a positive whole number.
    #[error("expected the number of responses (a positive whole number), got {value:?}")]
    BadCount {
        /// The line, verbatim (cut at 40 characters).
        value: String,
    },
    /// The ids or answers line has another number of entries than the count says.
    #[error("the count line says {expected} responses but the {what} line has {found}")]
    CountMismatch {
        /// "ids" or "answers".
        what: &'static str,
        /// The count.
        expected: usize,
        /// The entries found.
        found: usize,
    },
    /// An answer other than 0 or 1.
    #[error("answer {position} must be 0 or 1, got {value:?}")]
    BadAnswer {
        /// 1-based position in the line.
        position: usize,
        /// The answer, verbatim (cut at 40 characters).
        value: String,
    },
    /// An empty id.
    #[error("id {position} is empty")]
    EmptyId {
        /// 1-based position in the line.
        position: usize,
    },
    /// An id longer than [`MAX_ID_BYTES`](crate::MAX_ID_BYTES).
    #[error(
        "id {position} is {len} bytes long; at most {} are supported",
        crate::MAX_ID_BYTES
    )]
    IdTooLong {
        /// 1-based position in the line.
        position: usize,
        /// Its length in bytes.
        len: usize,
    },
    /// The file ends inside a record.
    #[error("the file ends before the {missing} line of the record that starts at line {start}")]
    Truncated {
        /// "ids" or "answers".
        missing: &'static str,
        /// The record's count line.
        start: u64,
    },
}
