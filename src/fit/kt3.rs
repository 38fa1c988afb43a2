//! The 3-line knowledge-tracing format of the DKVMN and pyKT benchmark
//! splits, read into a [`Dataset`]: per learner sequence, a line with the
//! number of responses, a line of comma-separated skill (or question) ids
//! and a line of comma-separated 0/1 answers.
//!
//! ```text
//! 3
//! 12,12,40
//! 0,1,1
//! ```
//!
//! Each record is one learner, named by its 1-based position in the file
//! (`"1"`, `"2"`, ...); `order_id`s increase through the file, so each
//! learner's responses keep their order across skills. Blank lines between
//! records are skipped; one trailing comma on an ids or answers line (as in
//! DKVMN's files) is allowed. Everything else that is malformed is an
//! [`Error::SequenceFormat`] naming the line.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use super::dataset::{Dataset, from_parsed_rows};
use crate::error::{Error, Location, Result, SequenceProblem};
use crate::io::{Input, read_all, split_line, strip_bom};

impl Dataset {
    /// Reads a file in the 3-line knowledge-tracing format (see
    /// [`Dataset::from_kt3_reader`]).
    ///
    /// # Errors
    /// As [`Dataset::from_kt3_reader`], and [`Error::Io`].
    pub fn from_kt3_path(path: impl AsRef<Path>) -> Result<Dataset> {
        read(Input::Path(path.as_ref().to_path_buf()))
    }

    /// Reads the 3-line knowledge-tracing format (count / ids / 0-1
    /// answers per learner, the DKVMN and pyKT splits); `name` is used in
    /// error messages. The ids become skills; learners are named `"1"`,
    /// `"2"`, ... by record; row keys are kept
    /// ([`Dataset::row_keys`]), `order_id` increasing through the file.
    ///
    /// ```
    /// use mastery::fit::Dataset;
    ///
    /// let data = Dataset::from_kt3_reader("train.txt", "3\n7,7,9\n0,1,1\n\n2\n9,7,\n1,0,\n".as_bytes())?;
    /// assert_eq!((data.len(), data.learners().len()), (5, 2));
    /// assert_eq!(data.skill("7").unwrap().sequence(0), [0, 1]);
    /// let bad = Dataset::from_kt3_reader("t.txt", "2\n7,7\n0,2\n".as_bytes()).unwrap_err();
    /// assert_eq!(bad.to_string(), "t.txt:3: answer 2 must be 0 or 1, got \"2\"");
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::SequenceFormat`] with the line for a count that is not a
    /// positive whole number, an ids or answers line whose length differs
    /// from the count, an answer other than 0 or 1, an empty or too long id,
    /// or a file that ends inside a record; [`Error::InvalidUtf8`];
    /// [`Error::InputTooLarge`]; [`Error::EmptyFile`] without records.
    pub fn from_kt3_reader(name: &str, reader: impl Read) -> Result<Dataset> {
        read(Input::Reader(name.into(), Box::new(reader)))
    }
}

/// At most this many characters of a bad value are quoted in an error.
const QUOTE: usize = 40;

fn cut(value: &str) -> String {
    value.chars().take(QUOTE).collect()
}

/// The comma-separated entries of a line, without one trailing empty entry.
fn entries(line: &str) -> Vec<&str> {
    let mut parts: Vec<&str> = line.split(',').map(str::trim).collect();
    if parts.len() > 1 && parts.last() == Some(&"") {
        parts.pop();
    }
    if parts == [""] {
        parts.clear();
    }
    parts
}

/// One response as parsed: (ids line, order, learner, skill, correct).
type Parsed<'a> = (u64, i64, usize, &'a str, u8);

fn read(input: Input<'_>) -> Result<Dataset> {
    let (file, bytes) = read_all(input)?;
    let at = |line: u64| Location::new(Some(Arc::clone(&file)), Some(line));
    let problem = |line: u64, problem: SequenceProblem| Error::SequenceFormat {
        at: at(line),
        problem,
    };
    // Lines as text, numbered from 1.
    let mut lines: Vec<&str> = Vec::new();
    let mut rest = strip_bom(&bytes);
    while !rest.is_empty() {
        let (line, tail) = split_line(rest);
        let text = std::str::from_utf8(line).map_err(|_| Error::InvalidUtf8 {
            at: at(lines.len() as u64 + 1),
        })?;
        lines.push(text);
        rest = tail;
    }
    let mut parsed: Vec<Parsed<'_>> = Vec::new();
    let mut learners = 0usize;
    let mut i = 0usize;
    while i < lines.len() {
        let count_line = lines[i].trim();
        let start = i as u64 + 1;
        if count_line.is_empty() {
            i += 1;
            continue;
        }
        let count: usize = match count_line.parse() {
            Ok(n) if n > 0 => n,
            _ => {
                return Err(problem(
                    start,
                    SequenceProblem::BadCount {
                        value: cut(count_line),
                    },
                ));
            }
        };
        let (Some(ids_line), Some(answers_line)) = (lines.get(i + 1), lines.get(i + 2)) else {
            let missing = if lines.get(i + 1).is_none() {
                "ids"
            } else {
                "answers"
            };
            return Err(problem(
                start,
                SequenceProblem::Truncated { missing, start },
            ));
        };
        let (ids_at, answers_at) = (start + 1, start + 2);
        let ids = entries(ids_line);
        let answers = entries(answers_line);
        for (what, found, line) in [
            ("ids", ids.len(), ids_at),
            ("answers", answers.len(), answers_at),
        ] {
            if found != count {
                return Err(problem(
                    line,
                    SequenceProblem::CountMismatch {
                        what,
                        expected: count,
                        found,
                    },
                ));
            }
        }
        for (position, (&id, &answer)) in ids.iter().zip(&answers).enumerate() {
            let position = position + 1;
            if id.is_empty() {
                return Err(problem(ids_at, SequenceProblem::EmptyId { position }));
            }
            if id.len() > crate::MAX_ID_BYTES {
                return Err(problem(
                    ids_at,
                    SequenceProblem::IdTooLong {
                        position,
                        len: id.len(),
                    },
                ));
            }
            let correct = match answer {
                "0" => 0,
                "1" => 1,
                other => {
                    return Err(problem(
                        answers_at,
                        SequenceProblem::BadAnswer {
                            position,
                            value: cut(other),
                        },
                    ));
                }
            };
            let order = parsed.len() as i64 + 1;
            parsed.push((ids_at, order, learners, id, correct));
        }
        learners += 1;
        i += 3;
    }
    if parsed.is_empty() {
        return Err(Error::EmptyFile {
            file,
            detail: "no records (count, ids and answers lines)",
        });
    }
    let names: Vec<String> = (1..=learners).map(|l| l.to_string()).collect();
    let rows = parsed
        .iter()
        .map(|&(line, order, learner, skill, correct)| {
            let name = names.get(learner).map_or("", String::as_str);
            (line, (order, name, skill, correct, None))
        });
    from_parsed_rows(Arc::clone(&file), rows, true).map(|(data, _)| data)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Dataset> {
        Dataset::from_kt3_reader("t.txt", text.as_bytes())
    }

    fn message(text: &str) -> String {
        load(text).unwrap_err().to_string()
    }

    #[test]
    fn reads_records_in_order() {
        let d = load("\u{feff}3\r\n5,6,5\r\n1,0,1\r\n\r\n1\n6\n0").unwrap();
        assert_eq!(d.len(), 4);
        assert_eq!(d.learners(), ["1", "2"]);
        let five = d.skill("5").unwrap();
        assert_eq!(five.sequence(0), [1, 1]);
        let keys = d.row_keys().unwrap();
        let orders: Vec<i64> = keys.iter().map(|k| k.order_id()).collect();
        assert_eq!(orders, [1, 2, 3, 4]);
    }

    #[test]
    fn malformed_records_name_the_line() {
        assert_eq!(
            message("x\n1\n1\n"),
            "t.txt:1: expected the number of responses (a positive whole number), got \"x\""
        );
        assert_eq!(
            message("0\n\n\n"),
            "t.txt:1: expected the number of responses (a positive whole number), got \"0\""
        );
        assert_eq!(
            message("2\n1,2\n1,0\n2\n1,2,3\n1,0\n"),
            "t.txt:5: the count line says 2 responses but the ids line has 3"
        );
        assert_eq!(
            message("2\n1,2\n1\n"),
            "t.txt:3: the count line says 2 responses but the answers line has 1"
        );
        assert_eq!(message("2\n1,,\n1,0\n"), "t.txt:2: id 2 is empty");
        assert_eq!(
            message("2\n1,2\n1,yes\n"),
            "t.txt:3: answer 2 must be 0 or 1, got \"yes\""
        );
        assert_eq!(
            message("1\n1\n1\n2\n1,2\n"),
            "t.txt:4: the file ends before the answers line of the record that starts at line 4"
        );
        assert_eq!(
            message("1\n"),
            "t.txt:1: the file ends before the ids line of the record that starts at line 1"
        );
        assert!(matches!(load("\n\n"), Err(Error::EmptyFile { .. })));
        assert!(matches!(
            Dataset::from_kt3_reader("t.txt", &b"1\n\xff\n1\n"[..]),
            Err(Error::InvalidUtf8 { .. })
        ));
        let long = format!("1\n{}\n1\n", "a".repeat(crate::MAX_ID_BYTES + 1));
        assert!(message(&long).contains("bytes long"));
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let alphabet = b"0123456789,\n\r 01x\xff-";
        for _ in 0..3000 {
            let len = (next() % 64) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    let r = next();
                    if r % 8 == 0 {
                        (r >> 8) as u8
                    } else {
                        alphabet[(r >> 8) as usize % alphabet.len()]
                    }
                })
                .collect();
            if let Ok(d) = Dataset::from_kt3_reader("fuzz", &bytes[..]) {
                assert!(!d.is_empty());
            }
        }
    }
}
