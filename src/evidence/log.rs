//! Reading response logs in pyBKT's CSV columns.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Location, Result};
use crate::io::{Input, csv_error, header, open, required};

/// Column names of a response log. The defaults are pyBKT's: `order_id`,
/// `user_id`, `skill_name`, `correct`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResponseColumns {
    /// The order of the response (an integer, ascending within a learner).
    pub order: String,
    /// The learner's id.
    pub learner: String,
    /// The skill or standard id.
    pub skill: String,
    /// 1 for correct, 0 for incorrect.
    pub correct: String,
}

impl Default for ResponseColumns {
    fn default() -> Self {
        ResponseColumns {
            order: "order_id".into(),
            learner: "user_id".into(),
            skill: "skill_name".into(),
            correct: "correct".into(),
        }
    }
}

/// One row of a response log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    /// The 1-based line in the file (the header is line 1).
    pub line: u64,
    /// The `order_id`.
    pub order: i64,
    /// The learner.
    pub learner: String,
    /// The skill.
    pub skill: String,
    /// Whether the answer was correct.
    pub correct: bool,
}

/// Reads a response log file; see [`read_responses`].
///
/// # Errors
/// As [`read_responses`], and [`Error::Io`] if the file cannot be read.
pub fn read_responses_path(
    path: impl AsRef<Path>,
    columns: &ResponseColumns,
) -> Result<Vec<Response>> {
    read_input(Input::Path(path.as_ref().to_path_buf()), columns)
}

/// Reads a response log in pyBKT's CSV columns, in file order. Fields are
/// trimmed; other columns are ignored. `name` is used in error messages.
///
/// ```
/// use mastery::evidence::{ResponseColumns, read_responses};
///
/// let csv = "order_id,user_id,skill_name,correct\n1,u1,Median,1\n2,u1,Median,0\n";
/// let rows = read_responses("log.csv", csv.as_bytes(), &ResponseColumns::default())?;
/// assert_eq!(rows.len(), 2);
/// assert!(rows[0].correct && !rows[1].correct);
///
/// let bad = "order_id,user_id,skill_name,correct\n1,u1,Median,yes\n";
/// let err = read_responses("log.csv", bad.as_bytes(), &ResponseColumns::default()).unwrap_err();
/// assert_eq!(err.to_string(), "log.csv:2: column `correct`: expected 0 or 1, got \"yes\"");
/// # Ok::<(), mastery::Error>(())
/// ```
///
/// # Errors
/// [`Error::EmptyFile`], [`Error::MissingColumn`], [`Error::InvalidUtf8`],
/// or [`Error::Csv`] for a ragged row, an empty field, a `correct` other
/// than 0 or 1, or an `order_id` that is not an integer; each with file and line.
pub fn read_responses(
    name: &str,
    reader: impl Read,
    columns: &ResponseColumns,
) -> Result<Vec<Response>> {
    read_input(Input::Reader(name.into(), Box::new(reader)), columns)
}

fn read_input(input: Input<'_>, columns: &ResponseColumns) -> Result<Vec<Response>> {
    let (file, mut csv) = open(input)?;
    let header = header(&file, &mut csv)?;
    let order = required(&file, &header, &columns.order)?;
    let learner = required(&file, &header, &columns.learner)?;
    let skill = required(&file, &header, &columns.skill)?;
    let correct = required(&file, &header, &columns.correct)?;
    let mut record = csv::StringRecord::new();
    let mut rows = Vec::new();
    while csv
        .read_record(&mut record)
        .map_err(|e| csv_error(&file, e))?
    {
        let line = record.position().map_or(0, csv::Position::line);
        let at = || Location::new(Some(Arc::clone(&file)), Some(line));
        let field = |i: usize, column: &str| -> Result<&str> {
            match record.get(i) {
                Some(v) if !v.is_empty() => Ok(v),
                _ => Err(Error::Csv {
                    at: at(),
                    message: format!("column `{column}` is empty"),
                }),
            }
        };
        let order_value = field(order, &columns.order)?;
        let order_value: i64 = order_value.parse().map_err(|_| Error::Csv {
            at: at(),
            message: format!(
                "column `{}`: expected an integer, got {order_value:?}",
                columns.order
            ),
        })?;
        let correct_value = match field(correct, &columns.correct)? {
            "1" => true,
            "0" => false,
            other => {
                return Err(Error::Csv {
                    at: at(),
                    message: format!(
                        "column `{}`: expected 0 or 1, got {other:?}",
                        columns.correct
                    ),
                });
            }
        };
        rows.push(Response {
            line,
            order: order_value,
            learner: field(learner, &columns.learner)?.to_owned(),
            skill: field(skill, &columns.skill)?.to_owned(),
            correct: correct_value,
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(csv: &str) -> Result<Vec<Response>> {
        read_responses("r.csv", csv.as_bytes(), &ResponseColumns::default())
    }

    #[test]
    fn bad_rows_name_their_line() {
        let head = "order_id,user_id,skill_name,correct\n";
        for (row, message) in [
            (
                "x,u,s,1",
                "r.csv:2: column `order_id`: expected an integer, got \"x\"",
            ),
            ("1,,s,1", "r.csv:2: column `user_id` is empty"),
            ("1,u,,1", "r.csv:2: column `skill_name` is empty"),
            (
                "1,u,s,2",
                "r.csv:2: column `correct`: expected 0 or 1, got \"2\"",
            ),
            ("1,u,s", "r.csv:2: row has 3 fields but the header has 4"),
        ] {
            let err = read(&format!("{head}{row}\n")).unwrap_err();
            assert_eq!(err.to_string(), message);
        }
        assert!(matches!(read(""), Err(Error::EmptyFile { .. })));
        assert!(matches!(
            read("user_id,skill_name,correct\n"),
            Err(Error::MissingColumn { .. })
        ));
    }

    #[test]
    fn other_columns_are_ignored_and_lines_counted() {
        let rows =
            read("extra,order_id,user_id,skill_name,correct\nz,5,u1,A,1\nz,6,u2,B,0\n").unwrap();
        assert_eq!(
            rows[1],
            Response {
                line: 3,
                order: 6,
                learner: "u2".into(),
                skill: "B".into(),
                correct: false
            }
        );
    }
}
