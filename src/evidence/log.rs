//! Reading response logs in pyBKT's CSV columns.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Location, Result};
use crate::evidence::{Outcome, Score};
use crate::io::{Input, header, open, required};

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
    /// 1 for correct, 0 for incorrect; the evidence reader
    /// ([`read_responses`]) also takes a partial score between 0 and 1
    /// (e.g. `0.5`), the fit dataset's reader only 0 and 1.
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    /// The 1-based line in the file (the header is line 1).
    pub line: u64,
    /// The `order_id`.
    pub order: i64,
    /// The learner.
    pub learner: String,
    /// The skill.
    pub skill: String,
    /// Whether the answer was correct (full credit; `false` for a partial score).
    pub correct: bool,
    /// The outcome: correct, incorrect, or partial credit for a score
    /// strictly between 0 and 1 in the `correct` column.
    pub outcome: Outcome,
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
/// assert_eq!(
///     err.to_string(),
///     "log.csv:2: column `correct`: expected 0, 1 or a score between 0 and 1, got \"yes\""
/// );
///
/// // Partial credit, as `Outcome::Partial` takes it:
/// let partial = "order_id,user_id,skill_name,correct\n1,u1,Median,0.5\n";
/// let rows = read_responses("log.csv", partial.as_bytes(), &ResponseColumns::default())?;
/// assert!(!rows[0].correct);
/// assert!((rows[0].outcome.credit() - 0.5).abs() < 1e-12);
/// # Ok::<(), mastery::Error>(())
/// ```
///
/// # Errors
/// [`Error::EmptyFile`], [`Error::MissingColumn`], [`Error::InvalidUtf8`],
/// [`Error::Csv`] for a ragged row, an empty field, a `correct` other
/// than 0 or 1, or an `order_id` that is not an integer, or
/// [`Error::UnterminatedQuote`] (at the line where the quote opened); each
/// with file and line. Lines end in `\n`, `\r\n` or a lone `\r`, as for
/// the fit dataset's reader; a byte order mark is skipped.
/// [`Error::InputTooLarge`] past [`MAX_LINE_BYTES`](crate::MAX_LINE_BYTES) or
/// [`MAX_INPUT_BYTES`](crate::MAX_INPUT_BYTES).
pub fn read_responses(
    name: &str,
    reader: impl Read,
    columns: &ResponseColumns,
) -> Result<Vec<Response>> {
    read_input(Input::Reader(name.into(), Box::new(reader)), columns)
}

fn read_input(input: Input<'_>, names: &ResponseColumns) -> Result<Vec<Response>> {
    let (file, mut csv) = open(input)?;
    let header = header(&file, &mut csv)?;
    let columns = Columns {
        names,
        order: required(&file, &header, &names.order)?,
        learner: required(&file, &header, &names.learner)?,
        skill: required(&file, &header, &names.skill)?,
        correct: required(&file, &header, &names.correct)?,
        item: None,
    };
    let mut record = crate::io::Record::default();
    let mut rows = Vec::new();
    while csv.read_record(&mut record)? {
        let line = record.line();
        let csv_error = |message| Error::Csv {
            at: Location::new(Some(Arc::clone(&file)), Some(line)),
            message,
        };
        let outcome = outcome_field(record.get(columns.correct), names).map_err(csv_error)?;
        // The outcome is read: the shared parser sees a plain 0 there.
        let get = |i| {
            if i == columns.correct {
                Some("0")
            } else {
                record.get(i)
            }
        };
        let (order, learner, skill, _, _) = parse_row(get, &columns).map_err(csv_error)?;
        rows.push(Response {
            line,
            order,
            learner: learner.to_owned(),
            skill: skill.to_owned(),
            correct: outcome == Outcome::Correct,
            outcome,
        });
    }
    Ok(rows)
}

/// The `correct` column of an evidence log: 0, 1, or a partial score
/// strictly between them.
fn outcome_field(
    text: Option<&str>,
    names: &ResponseColumns,
) -> std::result::Result<Outcome, String> {
    let text = text.map(str::trim).unwrap_or_default();
    match text {
        "" => Err(format!("column `{}` is empty", names.correct)),
        "1" => Ok(Outcome::Correct),
        "0" => Ok(Outcome::Incorrect),
        other => match other.parse::<f64>().ok().map(Score::new) {
            Some(Ok(score)) if score.value() == 1.0 => Ok(Outcome::Correct),
            Some(Ok(score)) if score.value() == 0.0 => Ok(Outcome::Incorrect),
            Some(Ok(score)) => Ok(Outcome::Partial(score)),
            _ => Err(format!(
                "column `{}`: expected 0, 1 or a score between 0 and 1, got {other:?}",
                names.correct
            )),
        },
    }
}

/// Where the columns are.
pub(crate) struct Columns<'c> {
    pub(crate) names: &'c ResponseColumns,
    pub(crate) order: usize,
    pub(crate) learner: usize,
    pub(crate) skill: usize,
    pub(crate) correct: usize,
    pub(crate) item: Option<usize>,
}

/// A parsed row: order, learner, skill, correct (0/1), item.
pub(crate) type Fields<'a> = (i64, &'a str, &'a str, u8, Option<&'a str>);

/// Parses one response row's fields; the message says what is wrong.
pub(crate) fn parse_row<'a>(
    get: impl Fn(usize) -> Option<&'a str>,
    columns: &Columns<'_>,
) -> std::result::Result<Fields<'a>, String> {
    let names = columns.names;
    let field = |i: usize, column: &str| match get(i).map(str::trim) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(format!("column `{column}` is empty")),
    };
    let order_text = field(columns.order, &names.order)?;
    let order_value = order_text.parse::<i64>().map_err(|_| {
        format!(
            "column `{}`: expected an integer, got {order_text:?}",
            names.order
        )
    })?;
    let correct_value = match field(columns.correct, &names.correct)? {
        "1" => 1,
        "0" => 0,
        other => {
            return Err(format!(
                "column `{}`: expected 0 or 1, got {other:?}",
                names.correct
            ));
        }
    };
    let item_value = match columns.item {
        Some(i) => Some(field(i, "item")?),
        None => None,
    };
    Ok((
        order_value,
        field(columns.learner, &names.learner)?,
        field(columns.skill, &names.skill)?,
        correct_value,
        item_value,
    ))
}

/// [`parse_row`] for the common case, faster: `Some` only when every field
/// it reads is already clean (order_id plain ASCII digits, correct exactly
/// `0` or `1`, ids non-empty without surrounding whitespace), where it
/// agrees with [`parse_row`]; `None` sends the row to [`parse_row`].
#[cfg_attr(not(feature = "fit"), allow(dead_code))] // the fit dataset's reader
pub(crate) fn parse_clean_row<'a>(fields: &[&'a str], columns: &Columns<'_>) -> Option<Fields<'a>> {
    let order = fields.get(columns.order)?.as_bytes();
    if order.is_empty() || order.len() > 18 || !order.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let order = order
        .iter()
        .fold(0i64, |n, &d| n * 10 + i64::from(d - b'0'));
    let correct = match fields.get(columns.correct)?.as_bytes() {
        b"0" => 0,
        b"1" => 1,
        _ => return None,
    };
    // Bytes at the ends below 0x80 and not whitespace: `trim` would not change it.
    // (`trim`'s whitespace, which is not `is_ascii_whitespace`: it includes
    // the vertical tab, found by fuzzing in issue 14.)
    let clean = |i: usize| {
        let text: &'a str = fields.get(i)?;
        let bytes = text.as_bytes();
        let end_is_clean = |b: u8| b < 0x80 && !char::from(b).is_whitespace();
        (end_is_clean(*bytes.first()?) && end_is_clean(*bytes.last()?)).then_some(text)
    };
    let item = match columns.item {
        Some(i) => Some(clean(i)?),
        None => None,
    };
    Some((
        order,
        clean(columns.learner)?,
        clean(columns.skill)?,
        correct,
        item,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clean_row_fast_path_agrees_with_the_general_parser() {
        let names = ResponseColumns::default();
        for item in [None, Some(4)] {
            let columns = Columns {
                names: &names,
                order: 0,
                learner: 1,
                skill: 2,
                correct: 3,
                item,
            };
            let orders = [
                "7",
                "007",
                " 7",
                "7 ",
                "+7",
                "-7",
                "7.0",
                "",
                "999999999999999999",
                "9999999999999999999",
            ];
            let ids = [
                "u1", " u1", "u1 ", "\u{a0}u1", "u1\u{a0}", "ü", "", "a b", "u1\u{b}", "\u{b}u1",
            ];
            let corrects = ["0", "1", " 1", "1 ", "2", "", "01", "true"];
            let mut fast = 0;
            for order in orders {
                for id in ids {
                    for correct in corrects {
                        let fields = [order, id, "S", correct, id];
                        let general = parse_row(|i| fields.get(i).copied(), &columns);
                        if let Some(parsed) = parse_clean_row(&fields, &columns) {
                            fast += 1;
                            assert_eq!(Ok(parsed), general, "{fields:?}");
                        }
                    }
                }
            }
            // Clean orders ("7", "007", 18 digits) x clean ids ("u1", "a b": "ü"
            // ends in a non-ASCII byte) x clean corrects ("0", "1") take the fast path.
            assert_eq!(fast, 3 * 2 * 2);
        }
    }

    fn read(csv: &str) -> Result<Vec<Response>> {
        read_responses("r.csv", csv.as_bytes(), &ResponseColumns::default())
    }

    #[test]
    fn a_partial_score_is_partial_credit_and_whole_scores_are_plain_outcomes() {
        let rows = read(
            "order_id,user_id,skill_name,correct\n1,u,s,0.5\n2,u,s,1.0\n3,u,s,0.00\n4,u,s, 0.75 \n",
        )
        .unwrap();
        let outcomes: Vec<Outcome> = rows.iter().map(|r| r.outcome).collect();
        assert_eq!(
            outcomes,
            [
                Outcome::Partial(Score::new(0.5).unwrap()),
                Outcome::Correct,
                Outcome::Incorrect,
                Outcome::Partial(Score::new(0.75).unwrap()),
            ]
        );
        let correct: Vec<bool> = rows.iter().map(|r| r.correct).collect();
        assert_eq!(correct, [false, true, false, false]);
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
                "r.csv:2: column `correct`: expected 0, 1 or a score between 0 and 1, got \"2\"",
            ),
            (
                "1,u,s,NaN",
                "r.csv:2: column `correct`: expected 0, 1 or a score between 0 and 1, got \"NaN\"",
            ),
            (
                "1,u,s,-0.25",
                "r.csv:2: column `correct`: expected 0, 1 or a score between 0 and 1, got \"-0.25\"",
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
                correct: false,
                outcome: Outcome::Incorrect,
            }
        );
    }
}
