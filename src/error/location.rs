//! Where a piece of input came from: file and line, displayed as a message prefix.

use super::*;

/// Where a piece of input came from: a file (or other named source) and a
/// 1-based line number, either of which may be unknown.
///
/// Displays as `file:line: `, `file: `, `line N: ` or nothing, so that it can
/// prefix a message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Location {
    /// The file or named source, e.g. `standards.csv`.
    pub file: Option<Arc<str>>,
    /// The 1-based line, counting the header as line 1.
    pub line: Option<u64>,
}

impl Location {
    /// No known location: the value came from code, not from a file.
    pub const NONE: Location = Location {
        file: None,
        line: None,
    };

    /// A location at `line` of `file`.
    #[must_use]
    pub fn new(file: Option<Arc<str>>, line: Option<u64>) -> Self {
        Location { file, line }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, "{file}:{line}: "),
            (Some(file), None) => write!(f, "{file}: "),
            (None, Some(line)) => write!(f, "line {line}: "),
            (None, None) => Ok(()),
        }
    }
}
