//! CSV reading shared by the loaders: inputs named for error messages, and
//! csv errors mapped to [`Error`] variants with file and line.

use std::fs::File;
use std::io::Read;
use std::sync::Arc;

use crate::error::{Error, Location, Result};

/// The most bytes any reader of this crate accepts from one file or stream
/// (1 GiB); more is [`Error::InputTooLarge`]. Split larger logs into several
/// files.
pub const MAX_INPUT_BYTES: u64 = 1 << 30;

/// The most bytes a CSV reader accepts on one line, between line breaks
/// (`\n` or `\r`), quoted fields included (1 MiB); more is
/// [`Error::InputTooLarge`]. So a stream without line breaks (such as
/// `/dev/zero`) fails after 1 MiB instead of filling memory.
pub const MAX_LINE_BYTES: u64 = 1 << 20;

/// Which cap an input broke.
#[derive(Debug)]
pub(crate) struct TooLarge {
    what: &'static str,
    limit: u64,
    offset: u64,
}

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} longer than {} bytes", self.what, self.limit)
    }
}

impl std::error::Error for TooLarge {}

/// A reader that fails with [`TooLarge`] once the input passes
/// `max_total` bytes, or a line passes `max_line` bytes.
pub(crate) struct Capped<R> {
    inner: R,
    total: u64,
    line: u64,
    max_total: u64,
    max_line: u64,
}

impl<R> Capped<R> {
    /// Both caps: [`MAX_INPUT_BYTES`] and [`MAX_LINE_BYTES`].
    pub(crate) fn lines(inner: R) -> Self {
        Capped {
            inner,
            total: 0,
            line: 0,
            max_total: MAX_INPUT_BYTES,
            max_line: MAX_LINE_BYTES,
        }
    }

    /// Only the total cap, for inputs read whole (JSON).
    pub(crate) fn whole(inner: R) -> Self {
        Capped {
            max_line: u64::MAX,
            ..Capped::lines(inner)
        }
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let chunk = &buf[..n];
        if self.max_line != u64::MAX {
            let mut start = 0usize;
            for (i, _) in chunk
                .iter()
                .enumerate()
                .filter(|&(_, &b)| b == b'\n' || b == b'\r')
            {
                self.line += (i - start) as u64;
                self.check_line(i)?;
                self.line = 0;
                start = i + 1;
            }
            self.line += (n - start) as u64;
            self.check_line(n)?;
        }
        self.total += n as u64;
        if self.total > self.max_total {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                TooLarge {
                    what: "input",
                    limit: self.max_total,
                    offset: self.max_total,
                },
            ));
        }
        Ok(n)
    }
}

impl<R> Capped<R> {
    fn check_line(&self, at: usize) -> std::io::Result<()> {
        if self.line > self.max_line {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                TooLarge {
                    what: "a line",
                    limit: self.max_line,
                    offset: (self.total + at as u64).saturating_sub(self.line),
                },
            ));
        }
        Ok(())
    }
}

/// [`Error::InputTooLarge`] for an I/O error raised by [`Capped`], else [`Error::Io`].
pub(crate) fn io_error(file: &Arc<str>, source: std::io::Error) -> Error {
    match source.get_ref().and_then(|e| e.downcast_ref::<TooLarge>()) {
        Some(too_large) => Error::InputTooLarge {
            file: file.clone(),
            what: too_large.what,
            limit: too_large.limit,
            offset: too_large.offset,
        },
        None => Error::Io {
            file: file.clone(),
            source,
        },
    }
}

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
            (name, Box::new(Capped::lines(file)))
        }
        Input::Reader(name, reader) => (name, Box::new(Capped::lines(reader))),
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
        csv::ErrorKind::Io(source) => io_error(file, source),
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
