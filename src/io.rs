//! CSV reading shared by the loaders: inputs named for error messages, and
//! csv errors mapped to [`Error`] variants with file and line.

use std::fs::File;
use std::io::Read;
use std::sync::Arc;

use crate::error::{Error, Location, Result};

/// A file path, or a reader with a name for messages.
pub(crate) enum Input<'r> {
    Path(std::path::PathBuf),
    Reader(Arc<str>, Box<dyn Read + 'r>),
}

pub(crate) type CsvReader<'r> = csv::Reader<Box<dyn Read + 'r>>;

/// A CSV reader over an input plus the input's name for messages.
pub(crate) fn open(input: Input<'_>) -> Result<(Arc<str>, CsvReader<'_>)> {
    open_with(input, csv::Trim::All)
}

/// As [`open`], choosing what the reader trims (large files trim fields themselves, cheaper).
pub(crate) fn open_with(input: Input<'_>, trim: csv::Trim) -> Result<(Arc<str>, CsvReader<'_>)> {
    let (name, reader): (Arc<str>, Box<dyn Read>) = match input {
        Input::Path(path) => {
            let name: Arc<str> = path.display().to_string().into();
            let file = File::open(&path).map_err(|source| Error::Io {
                file: name.clone(),
                source,
            })?;
            (name, Box::new(file))
        }
        Input::Reader(name, reader) => (name, reader),
    };
    let csv = csv::ReaderBuilder::new()
        .trim(trim)
        .flexible(false)
        .from_reader(reader);
    Ok((name, csv))
}

pub(crate) fn csv_error(file: &Arc<str>, err: csv::Error) -> Error {
    let line = err.position().map(csv::Position::line);
    let at = Location::new(Some(file.clone()), line);
    match err.into_kind() {
        csv::ErrorKind::Io(source) => Error::Io {
            file: file.clone(),
            source,
        },
        csv::ErrorKind::Utf8 { .. } => Error::InvalidUtf8 { at },
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => Error::Csv {
            at,
            message: format!("row has {len} fields but the header has {expected_len}"),
        },
        other => Error::Csv {
            at,
            message: format!("{other:?}"),
        },
    }
}

/// The header's column names, or an error for an empty file.
pub(crate) fn header(file: &Arc<str>, csv: &mut CsvReader<'_>) -> Result<Vec<String>> {
    let header = csv.headers().map_err(|e| csv_error(file, e))?;
    if header.is_empty() || (header.len() == 1 && header[0].is_empty()) {
        return Err(Error::EmptyFile {
            file: file.clone(),
            detail: "no header line",
        });
    }
    Ok(header.iter().map(str::to_owned).collect())
}

pub(crate) fn required(file: &Arc<str>, header: &[String], column: &str) -> Result<usize> {
    header
        .iter()
        .position(|h| h == column)
        .ok_or_else(|| Error::MissingColumn {
            file: file.clone(),
            column: column.to_owned(),
            found: header.to_vec(),
        })
}

pub(crate) fn optional(header: &[String], column: &str) -> Option<usize> {
    header.iter().position(|h| h == column)
}
