//! CSV reading shared by every loader (evidence logs, the fit dataset,
//! curriculum and catalog files): inputs named for error messages, one
//! definition of a line end, and errors with file and line.

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

impl TooLarge {
    /// The I/O error [`Capped`] raises, turned into [`Error::InputTooLarge`] by [`io_error`].
    fn error(what: &'static str, limit: u64, offset: u64) -> std::io::Error {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            TooLarge {
                what,
                limit,
                offset,
            },
        )
    }
}

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

    /// Only the line cap, for inputs streamed in bounded memory.
    #[cfg(feature = "fit")]
    pub(crate) fn line_only(inner: R) -> Self {
        Capped {
            max_total: u64::MAX,
            ..Capped::lines(inner)
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
            for i in memchr::memchr2_iter(b'\n', b'\r', chunk) {
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
            return Err(TooLarge::error("input", self.max_total, self.max_total));
        }
        Ok(n)
    }
}

impl<R> Capped<R> {
    fn check_line(&self, at: usize) -> std::io::Result<()> {
        if self.line > self.max_line {
            let offset = (self.total + at as u64).saturating_sub(self.line);
            return Err(TooLarge::error("a line", self.max_line, offset));
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

/// The length of the line terminator at `bytes[i]`: 2 for `\r\n`, 1 for
/// `\n` or a lone `\r` (old Mac files), 0 if there is none there. Every
/// reader of the crate splits lines with this, so they all agree on where a
/// line ends and how lines are counted.
#[inline]
pub(crate) fn terminator_at(bytes: &[u8], i: usize) -> usize {
    match bytes.get(i) {
        Some(b'\n') => 1,
        Some(b'\r') if bytes.get(i + 1) == Some(&b'\n') => 2,
        Some(b'\r') => 1,
        _ => 0,
    }
}

/// Splits off the first line of `bytes`: the line without its terminator,
/// and the rest after it.
#[cfg_attr(not(feature = "fit"), allow(dead_code))] // the fit dataset's fast path
pub(crate) fn split_line(bytes: &[u8]) -> (&[u8], &[u8]) {
    match memchr::memchr2(b'\n', b'\r', bytes) {
        None => (bytes, &[]),
        Some(i) => (&bytes[..i], &bytes[i + terminator_at(bytes, i)..]),
    }
}

/// The number of line terminators in `bytes` (a `\r\n` counts once).
#[cfg_attr(not(feature = "fit"), allow(dead_code))] // the fit dataset's fast path
pub(crate) fn count_lines(bytes: &[u8]) -> u64 {
    // Every `\n` and `\r` ends a line, except the `\n` of a `\r\n`.
    memchr::memchr2_iter(b'\n', b'\r', bytes)
        .filter(|&i| !(bytes[i] == b'\n' && i > 0 && bytes[i - 1] == b'\r'))
        .count() as u64
}

/// `bytes` without a leading UTF-8 byte order mark.
pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes)
}

/// Reads a whole input, with its name for messages, within the caps
/// ([`MAX_INPUT_BYTES`], [`MAX_LINE_BYTES`]).
pub(crate) fn read_all(input: Input<'_>) -> Result<(Arc<str>, Vec<u8>)> {
    let mut bytes = Vec::new();
    let (name, reader): (Arc<str>, Box<dyn Read + '_>) = match input {
        Input::Path(path) => {
            let name: Arc<str> = path.display().to_string().into();
            let file = std::fs::File::open(&path).map_err(|source| Error::Io {
                file: name.clone(),
                source,
            })?;
            // The cap hides the file's size from `read_to_end`: without this,
            // a 55 MB log is read into buffers doubling up to 64 MiB (each
            // regrowth a copy onto fresh pages).
            if let Ok(meta) = file.metadata() {
                bytes.reserve_exact(meta.len().min(MAX_INPUT_BYTES) as usize + 1);
            }
            (name, Box::new(file))
        }
        Input::Reader(name, reader) => (name, reader),
    };
    Capped::lines(reader)
        .read_to_end(&mut bytes)
        .map_err(|source| io_error(&name, source))?;
    Ok((name, bytes))
}

/// One CSV record: its fields and the line it starts on.
#[derive(Debug, Default)]
pub(crate) struct Record {
    text: String,
    fields: Vec<(usize, usize)>,
    line: u64,
}

impl Record {
    /// Field `i`, if the record has it.
    pub(crate) fn get(&self, i: usize) -> Option<&str> {
        self.fields.get(i).map(|&(a, b)| &self.text[a..b])
    }

    /// The fields.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|&(a, b)| &self.text[a..b])
    }

    /// The number of fields.
    pub(crate) fn len(&self) -> usize {
        self.fields.len()
    }

    /// The 1-based line the record starts on.
    pub(crate) fn line(&self) -> u64 {
        self.line
    }
}

/// A CSV reader over a whole input in memory (RFC 4180: `,` separates
/// fields, `"` quotes a field that starts with it, `""` inside is a quote;
/// lines end in `\n`, `\r\n` or a lone `\r`; a leading byte order mark is
/// skipped; blank lines are not records). Every record must have the
/// header's number of fields. Errors carry the file and line; a quote that
/// never closes is [`Error::UnterminatedQuote`] at the line where it opened,
/// not the rest of the file read as one field.
pub(crate) struct CsvReader<'a> {
    file: Arc<str>,
    bytes: std::borrow::Cow<'a, [u8]>,
    pos: usize,
    line: u64,
    trim_fields: bool,
    width: Option<usize>,
    raw: Vec<u8>,
}

impl<'a> CsvReader<'a> {
    /// A reader over `bytes`; `trim_fields` trims every field (headers are always trimmed).
    pub(crate) fn new(
        file: Arc<str>,
        bytes: impl Into<std::borrow::Cow<'a, [u8]>>,
        trim_fields: bool,
    ) -> Self {
        let bytes = bytes.into();
        let pos = bytes.len() - strip_bom(&bytes).len();
        CsvReader {
            file,
            bytes,
            pos,
            line: 1,
            trim_fields,
            width: None,
            raw: Vec::new(),
        }
    }

    fn at(&self, line: u64) -> Location {
        Location::new(Some(Arc::clone(&self.file)), Some(line))
    }

    /// Reads the next record into `record`; `false` at the end of the input.
    pub(crate) fn read_record(&mut self, record: &mut Record) -> Result<bool> {
        let bytes: &[u8] = &self.bytes;
        // Blank lines are not records.
        loop {
            if self.pos >= bytes.len() {
                return Ok(false);
            }
            let t = terminator_at(bytes, self.pos);
            if t == 0 {
                break;
            }
            self.pos += t;
            self.line += 1;
        }
        let start_line = self.line;
        let raw = &mut self.raw;
        raw.clear();
        let mut fields = std::mem::take(&mut record.fields);
        fields.clear();
        let mut pos = self.pos;
        let mut line = self.line;
        loop {
            let field_start = raw.len();
            if bytes.get(pos) == Some(&b'"') {
                let opened = line;
                pos += 1;
                loop {
                    match bytes.get(pos) {
                        None => {
                            return Err(Error::UnterminatedQuote {
                                at: Location::new(Some(Arc::clone(&self.file)), Some(opened)),
                            });
                        }
                        Some(b'"') if bytes.get(pos + 1) == Some(&b'"') => {
                            raw.push(b'"');
                            pos += 2;
                        }
                        Some(b'"') => {
                            pos += 1;
                            break;
                        }
                        Some(&b) => {
                            let t = terminator_at(bytes, pos);
                            if t > 0 {
                                raw.extend_from_slice(&bytes[pos..pos + t]);
                                pos += t;
                                line += 1;
                            } else {
                                raw.push(b);
                                pos += 1;
                            }
                        }
                    }
                }
            }
            // The unquoted part (or what follows a closing quote, kept as is).
            let end = bytes[pos..]
                .iter()
                .position(|&b| b == b',' || b == b'\n' || b == b'\r')
                .map_or(bytes.len(), |i| pos + i);
            raw.extend_from_slice(&bytes[pos..end]);
            pos = end;
            fields.push((field_start, raw.len()));
            if pos >= bytes.len() {
                break;
            }
            if bytes[pos] == b',' {
                pos += 1;
                continue;
            }
            pos += terminator_at(bytes, pos);
            line += 1;
            break;
        }
        self.pos = pos;
        self.line = line;
        // Each field must be valid UTF-8 on its own: the fields' bytes
        // joined can be valid while a field ends inside a character
        // (`\xEF,\xBB\xBF` joins to a byte order mark).
        let text = match String::from_utf8(std::mem::take(raw)) {
            Ok(text)
                if fields
                    .iter()
                    .all(|&(a, b)| text.is_char_boundary(a) && text.is_char_boundary(b)) =>
            {
                text
            }
            Ok(text) => {
                *raw = text.into_bytes();
                record.fields = fields;
                return Err(Error::InvalidUtf8 {
                    at: self.at(start_line),
                });
            }
            Err(e) => {
                *raw = e.into_bytes();
                record.fields = fields;
                return Err(Error::InvalidUtf8 {
                    at: self.at(start_line),
                });
            }
        };
        let trim = self.trim_fields || self.width.is_none();
        if trim {
            for f in &mut fields {
                let s = &text[f.0..f.1];
                let lead = s.len() - s.trim_start().len();
                let trimmed = s.trim().len();
                *f = (f.0 + lead, f.0 + lead + trimmed);
            }
        }
        // Keep the buffer for the next record.
        self.raw = std::mem::replace(&mut record.text, text).into_bytes();
        record.fields = fields;
        record.line = start_line;
        match self.width {
            None => self.width = Some(record.len()),
            Some(width) if width != record.len() => {
                return Err(Error::Csv {
                    at: self.at(start_line),
                    message: format!("row has {} fields but the header has {width}", record.len()),
                });
            }
            Some(_) => {}
        }
        Ok(true)
    }
}

/// A CSV reader over a whole input (read into memory), fields trimmed, plus
/// the input's name for messages.
pub(crate) fn open(input: Input<'_>) -> Result<(Arc<str>, CsvReader<'static>)> {
    let (name, bytes) = read_all(input)?;
    Ok((Arc::clone(&name), CsvReader::new(name, bytes, true)))
}

/// The header's column names, or an error for an empty file.
pub(crate) fn header(file: &Arc<str>, csv: &mut CsvReader<'_>) -> Result<Vec<String>> {
    let mut header = Record::default();
    if !csv.read_record(&mut header)? || (header.len() == 1 && header.get(0) == Some("")) {
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
