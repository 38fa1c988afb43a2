//! Reading a response log: the header, the plain fast path in parallel
//! chunks, the quoted general path, ids interned and chunks merged.

use std::sync::Arc;

use foldhash::HashMap;
use rayon::prelude::*;

use super::*;
use crate::error::{Error, Location, Result};
use crate::evidence::{Columns, Fields, parse_clean_row, parse_row};
use crate::io::{
    CsvReader, Input, Record, count_lines, header, read_all, required, split_line, strip_bom,
    terminator_at,
};

/// Names to dense indices, first seen first. Names of up to 15 bytes (most
/// learner and skill ids) are keyed by their bytes packed into a `u128`, so
/// a look-up compares integers instead of following a pointer to compare
/// strings: one cache miss less per row in a log with many learners.
/// The last short key looked up is remembered: logs that list a learner's
/// rows together (most real ones) then skip the hash table for most rows.
#[derive(Default)]
pub(super) struct Interner {
    pub(super) short: HashMap<u128, u32>,
    pub(super) long: HashMap<String, u32>,
    pub(super) names: Vec<String>,
    pub(super) last: Option<(u128, u32)>,
}

/// `bytes` (fewer than 16) packed into a `u128`: byte i at bits 8i, the
/// length in the last byte (which keeps "a" and "a\0" apart). Built from two
/// overlapping fixed-size loads: a variable-length `copy_from_slice` would
/// call `memcpy` for every id, and a byte loop costs about 8 instructions a
/// byte.
#[inline]
pub(in crate::fit) fn short_key(bytes: &[u8]) -> u128 {
    let n = bytes.len();
    let word = |at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&bytes[at..at + 8]);
        u64::from_le_bytes(w)
    };
    let half = |at: usize| {
        let mut w = [0u8; 4];
        w.copy_from_slice(&bytes[at..at + 4]);
        u64::from(u32::from_le_bytes(w))
    };
    let (low, high) = if n >= 8 {
        // The last 8 bytes, shifted so that byte 8 lands at bit 0.
        let high = word(n - 8)
            .checked_shr(8 * (16 - n.min(16)) as u32)
            .unwrap_or(0);
        (word(0), high)
    } else if n >= 4 {
        // Overlapping bytes are the same bytes: OR keeps them.
        (half(0) | (half(n - 4) << (8 * (n - 4))), 0)
    } else {
        let low = bytes
            .iter()
            .enumerate()
            .fold(0u64, |key, (i, &b)| key | (u64::from(b) << (8 * i)));
        (low, 0)
    };
    u128::from(low) | (u128::from(high) << 64) | ((n as u128) << 120)
}

impl Interner {
    fn index(&mut self, name: &str) -> u32 {
        let bytes = name.as_bytes();
        let next = self.names.len() as u32;
        let index = if bytes.len() < 16 {
            let key = short_key(bytes);
            if let Some((last, i)) = self.last {
                if last == key {
                    return i;
                }
            }
            let i = *self.short.entry(key).or_insert(next);
            self.last = Some((key, i));
            i
        } else if let Some(&i) = self.long.get(name) {
            i
        } else {
            self.long.insert(name.to_owned(), next);
            next
        };
        if index == next {
            self.names.push(name.to_owned());
        }
        index
    }
}

/// A row's fields, or why its learner, skill or item id is longer than
/// [`MAX_ID_BYTES`](crate::MAX_ID_BYTES) (a bad row like any other).
pub(in crate::fit) fn check_id_lengths(
    fields: Fields<'_>,
) -> std::result::Result<Fields<'_>, String> {
    let (_, learner, skill, _, item) = fields;
    for (what, id) in [
        ("learner", Some(learner)),
        ("skill", Some(skill)),
        ("item", item),
    ] {
        if let Some(id) = id.filter(|id| id.len() > crate::MAX_ID_BYTES) {
            return Err(format!(
                "the {what} id is {} bytes long; at most {} are supported",
                id.len(),
                crate::MAX_ID_BYTES
            ));
        }
    }
    Ok(fields)
}

/// One chunk's ids in the merged numbering: by local learner, by local
/// skill, and by local skill and item.
struct IdMaps {
    learners: Vec<u32>,
    skills: Vec<u32>,
    items: Vec<Vec<u32>>,
}

/// Rows as they are read, with ids interned.
#[derive(Default)]
pub(super) struct Rows {
    pub(super) learners: Interner,
    pub(super) skills: Interner,
    // Items are interned per skill, so each skill gets its own item list.
    pub(super) item_ids: Vec<HashMap<String, u32>>,
    pub(super) skill_items: Vec<Vec<String>>,
    pub(super) rows: Vec<Row>,
    pub(super) report: LoadReport,
}

impl Rows {
    /// Interns a parsed row's ids and returns the row, which the caller
    /// stores; a bad row is an error or, with `skip`, a report entry (and
    /// `None`).
    fn intern(
        &mut self,
        parsed: std::result::Result<Fields<'_>, String>,
        line: u64,
        file: &Arc<str>,
        skip: bool,
    ) -> Result<Option<Row>> {
        self.report.rows_read += 1;
        let (order, learner, skill, correct, item) = match parsed.and_then(check_id_lengths) {
            Ok(fields) => fields,
            Err(reason) if skip => {
                self.report.skipped.push(SkippedRow { line, reason });
                return Ok(None);
            }
            Err(message) => {
                return Err(Error::Csv {
                    at: Location::new(Some(Arc::clone(file)), Some(line)),
                    message,
                });
            }
        };
        let learner = self.learners.index(learner);
        let skill = self.skills.index(skill);
        if skill as usize == self.skill_items.len() {
            self.skill_items.push(Vec::new());
            self.item_ids.push(HashMap::default());
        }
        let item = match item {
            Some(name) => {
                let ids = &mut self.item_ids[skill as usize];
                match ids.get(name) {
                    Some(&i) => i,
                    None => {
                        let list = &mut self.skill_items[skill as usize];
                        let i = list.len() as u32;
                        list.push(name.to_owned());
                        ids.insert(name.to_owned(), i);
                        i
                    }
                }
            }
            None => 0,
        };
        Ok(Some(Row {
            order,
            learner,
            skill,
            item,
            correct,
        }))
    }

    /// The ids of chunks of one file, read in parallel, as if read in one
    /// pass: re-interned in order of first appearance, and each chunk's
    /// rows (`slots`, in the same order as `parts`) remapped in place, in
    /// parallel.
    fn merge(parts: Vec<Rows>, slots: &mut [&mut [Row]]) -> Rows {
        let mut merged = Rows::default();
        // Per part: its learner, skill and (per skill) item ids in the merged numbering.
        let mut maps: Vec<IdMaps> = Vec::with_capacity(parts.len());
        for part in &parts {
            let learners: Vec<u32> = part
                .learners
                .names
                .iter()
                .map(|l| merged.learners.index(l))
                .collect();
            let skills: Vec<u32> = part
                .skills
                .names
                .iter()
                .map(|s| merged.skills.index(s))
                .collect();
            while merged.skill_items.len() < merged.skills.names.len() {
                merged.skill_items.push(Vec::new());
                merged.item_ids.push(HashMap::default());
            }
            let items: Vec<Vec<u32>> = part
                .skill_items
                .iter()
                .enumerate()
                .map(|(local_skill, names)| {
                    let skill = skills[local_skill] as usize;
                    names
                        .iter()
                        .map(|name| match merged.item_ids[skill].get(name) {
                            Some(&i) => i,
                            None => {
                                let list = &mut merged.skill_items[skill];
                                let i = list.len() as u32;
                                list.push(name.clone());
                                merged.item_ids[skill].insert(name.clone(), i);
                                i
                            }
                        })
                        .collect()
                })
                .collect();
            maps.push(IdMaps {
                learners,
                skills,
                items,
            });
        }
        slots.par_iter_mut().zip(&maps).for_each(|(rows, map)| {
            for row in rows.iter_mut() {
                row.learner = map.learners[row.learner as usize];
                row.item = map
                    .items
                    .get(row.skill as usize)
                    .and_then(|i| i.get(row.item as usize))
                    .copied()
                    .unwrap_or(0);
                row.skill = map.skills[row.skill as usize];
            }
        });
        for part in parts {
            merged.report.rows_read += part.report.rows_read;
            merged.report.skipped.extend(part.report.skipped);
        }
        merged
    }

    fn skip(&mut self, line: u64, reason: String) {
        self.report.rows_read += 1;
        self.report.skipped.push(SkippedRow { line, reason });
    }
}

pub(in crate::fit) fn locate<'c>(
    file: &Arc<str>,
    header: &[String],
    options: &'c DatasetOptions,
) -> Result<Columns<'c>> {
    let names = &options.columns;
    Ok(Columns {
        names,
        order: required(file, header, &names.order)?,
        learner: required(file, header, &names.learner)?,
        skill: required(file, header, &names.skill)?,
        correct: required(file, header, &names.correct)?,
        item: match &options.item {
            Some(name) => Some(required(file, header, name)?),
            None => None,
        },
    })
}

/// Reads the whole input. Files without quotes (response logs almost never
/// have any) take a fast path that splits lines and fields directly; others
/// go through the crate's CSV reader, the evidence log's. Both split lines
/// with the same routine (`\n`, `\r\n` or a lone `\r`, byte order mark
/// skipped) and give the same rows and the same errors.
pub(super) fn read(input: Input<'_>, options: &DatasetOptions) -> Result<(Dataset, LoadReport)> {
    let (file, bytes) = read_all(input)?;
    let rows = if bytes.contains(&b'"') {
        read_quoted(&file, &bytes, options)?
    } else {
        read_plain(&file, &bytes, options)?
    };
    // The bytes are done with: freed now, their pages hold what `build` makes.
    drop(bytes);
    build(file, rows, options.keep_row_keys)
}

/// A dataset from rows another reader parsed (the 3-line knowledge-tracing
/// format, `super::kt3`): `(line, (order_id, learner, skill, correct, item))`
/// in file order. Ids longer than [`MAX_ID_BYTES`](crate::MAX_ID_BYTES) are
/// an [`Error::Csv`] naming the line.
pub(crate) fn from_parsed_rows<'a>(
    file: Arc<str>,
    parsed: impl IntoIterator<Item = (u64, Fields<'a>)>,
    keep_row_keys: bool,
) -> Result<(Dataset, LoadReport)> {
    let mut rows = Rows::default();
    for (line, fields) in parsed {
        if let Some(row) = rows.intern(Ok(fields), line, &file, false)? {
            rows.rows.push(row);
        }
    }
    build(file, rows, keep_row_keys)
}

/// A dataset from rows given as values (see [`Dataset::from_responses`]):
/// `(line, fields)` in order, bad rows skipped as `options` say.
pub(super) fn from_rows<'a>(
    file: Arc<str>,
    parsed: impl IntoIterator<Item = (u64, Fields<'a>)>,
    options: &DatasetOptions,
) -> Result<(Dataset, LoadReport)> {
    let mut rows = Rows::default();
    for (line, fields) in parsed {
        if let Some(row) = rows.intern(Ok(fields), line, &file, options.skips_bad_rows())? {
            rows.rows.push(row);
        }
    }
    build(file, rows, options.keep_row_keys)
}

fn read_quoted(file: &Arc<str>, bytes: &[u8], options: &DatasetOptions) -> Result<Rows> {
    let file = Arc::clone(file);
    let mut csv = CsvReader::new(Arc::clone(&file), bytes, false);
    let header = header(&file, &mut csv)?;
    let columns = locate(&file, &header, options)?;
    let mut rows = Rows::default();
    let mut record = Record::default();
    loop {
        match csv.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(err) => {
                // Only row-shape problems are skippable; UTF-8 errors and an
                // unterminated quote (the rest of the file) are not.
                match (&err, options.skips_bad_rows()) {
                    (Error::Csv { at, message }, true) => {
                        rows.skip(at.line.unwrap_or(0), message.clone());
                        continue;
                    }
                    _ => return Err(err),
                }
            }
        }
        let parsed = parse_row(|i| record.get(i), &columns);
        if let Some(row) = rows.intern(parsed, record.line(), &file, options.skips_bad_rows())? {
            rows.rows.push(row);
        }
    }
    Ok(rows)
}

/// The header of a file without quotes (byte order mark stripped): its
/// column names, the byte offset after it and its 1-based line, or `None`
/// when `bytes` holds only blank lines.
pub(in crate::fit) fn plain_header(
    file: &Arc<str>,
    bytes: &[u8],
) -> Result<Option<(Vec<String>, usize, u64)>> {
    // The header is the first non-blank line.
    let mut offset = 0;
    let mut line_no = 0u64;
    let header_line = loop {
        if offset >= bytes.len() {
            return Ok(None);
        }
        let (line, rest) = split_line(&bytes[offset..]);
        line_no += 1;
        let line = std::str::from_utf8(line).map_err(|_| Error::InvalidUtf8 {
            at: Location::new(Some(Arc::clone(file)), Some(line_no)),
        })?;
        offset = bytes.len() - rest.len();
        // Only empty lines are skipped, as by the general reader: a line of
        // whitespace is a header without columns (found by fuzzing, issue 14).
        if !line.is_empty() {
            break line;
        }
    };
    let header: Vec<String> = header_line
        .split(',')
        .map(|h| h.trim().to_owned())
        .collect();
    if header.len() == 1 && header[0].is_empty() {
        return Err(Error::EmptyFile {
            file: Arc::clone(file),
            detail: "no header line",
        });
    }
    Ok(Some((header, offset, line_no)))
}

fn read_plain(file: &Arc<str>, bytes: &[u8], options: &DatasetOptions) -> Result<Rows> {
    let bytes = strip_bom(bytes);
    let invalid_utf8 = |line: u64| Error::InvalidUtf8 {
        at: Location::new(Some(Arc::clone(file)), Some(line)),
    };
    let (header, offset, line_no) = plain_header(file, bytes)?.ok_or_else(|| Error::EmptyFile {
        file: Arc::clone(file),
        detail: "no header line",
    })?;
    let columns = locate(file, &header, options)?;
    // The rest, split into chunks at line ends (so each chunk is valid UTF-8
    // exactly when the whole is), checked, counted and parsed in parallel,
    // then merged in file order.
    let body = bytes.get(offset..).unwrap_or(&[]);
    let chunks = split_at_lines(body, rayon::current_num_threads().max(1) * 2);
    let lines: Vec<u64> = chunks.par_iter().map(|c| count_lines(c)).collect();
    let mut starts = Vec::with_capacity(chunks.len());
    let mut first = line_no + 1;
    for n in &lines {
        starts.push(first);
        first += n;
    }
    // Every chunk parses into its own stretch of one vector: a row per line
    // at most (a line end ends every chunk but the last), so the rows are
    // written once where they stay, not collected per chunk and copied.
    let capacity: Vec<usize> = lines
        .iter()
        .enumerate()
        .map(|(c, &n)| n as usize + usize::from(c + 1 == chunks.len()))
        .collect();
    let blank = Row {
        order: 0,
        learner: 0,
        skill: 0,
        item: 0,
        correct: 0,
    };
    let mut all = vec![blank; capacity.iter().sum()];
    let mut slots: Vec<&mut [Row]> = Vec::with_capacity(chunks.len());
    let mut rest = all.as_mut_slice();
    for &n in &capacity {
        let (slot, tail) = rest.split_at_mut(n);
        slots.push(slot);
        rest = tail;
    }
    let parsed: Vec<Result<(Rows, usize)>> = chunks
        .par_iter()
        .zip(starts.par_iter())
        .zip(slots.par_iter_mut())
        .map(|((chunk, &start), slot)| {
            let text = std::str::from_utf8(chunk)
                .map_err(|e| invalid_utf8(start + count_lines(&chunk[..e.valid_up_to()])))?;
            parse_plain_chunk(
                text,
                start,
                header.len(),
                &columns,
                file,
                options.skips_bad_rows(),
                slot,
            )
        })
        .collect();
    let (parts, used): (Vec<Rows>, Vec<usize>) = parsed
        .into_iter()
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .unzip();
    for (slot, &used) in slots.iter_mut().zip(&used) {
        *slot = &mut std::mem::take(slot)[..used];
    }
    let mut merged = Rows::merge(parts, &mut slots);
    // Close the gaps left by blank or skipped lines (none in most logs).
    let mut end = 0;
    let mut start = 0;
    for (&n, &used) in capacity.iter().zip(&used) {
        if start != end {
            all.copy_within(start..start + used, end);
        }
        (start, end) = (start + n, end + used);
    }
    all.truncate(end);
    merged.rows = all;
    Ok(merged)
}

/// Splits `bytes` into about `parts` pieces, each ending at a line end.
pub(in crate::fit) fn split_at_lines(bytes: &[u8], parts: usize) -> Vec<&[u8]> {
    let target = bytes.len() / parts.max(1) + 1;
    let mut out = Vec::with_capacity(parts);
    let mut rest = bytes;
    while !rest.is_empty() {
        let cut = if rest.len() <= target {
            rest.len()
        } else {
            rest[target..]
                .iter()
                .position(|&b| b == b'\n' || b == b'\r')
                .map_or(rest.len(), |i| target + i + terminator_at(rest, target + i))
        };
        out.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    out
}

fn parse_plain_chunk(
    chunk: &str,
    first_line: u64,
    width: usize,
    columns: &Columns<'_>,
    file: &Arc<str>,
    skip: bool,
    slot: &mut [Row],
) -> Result<(Rows, usize)> {
    let mut rows = Rows::default();
    let mut used = 0;
    let mut fields: Vec<&str> = Vec::with_capacity(width);
    let mut add_line = |fields: &[&str], line: u64| -> Result<()> {
        if fields.len() != width {
            let message = format!("row has {} fields but the header has {width}", fields.len());
            if skip {
                rows.skip(line, message);
                return Ok(());
            }
            return Err(Error::Csv {
                at: Location::new(Some(Arc::clone(file)), Some(line)),
                message,
            });
        }
        let parsed = parse_clean_row(fields, columns)
            .map_or_else(|| parse_row(|i| fields.get(i).copied(), columns), Ok);
        if let Some(row) = rows.intern(parsed, line, file, skip)? {
            // The slot has a place for every line (see `read_plain`).
            *slot.get_mut(used).ok_or_else(|| Error::Csv {
                at: Location::new(Some(Arc::clone(file)), Some(line)),
                message: "more rows than lines in a chunk (a bug in mastery)".into(),
            })? = row;
            used += 1;
        }
        Ok(())
    };
    // One scan of the bytes finds both fields and lines (split as
    // `io::split_line` splits them): a `str::split` per line cost a fifth of the parse.
    // Every cut is at an ASCII byte, so a char boundary of `chunk`.
    let bytes = chunk.as_bytes();
    let (mut line, mut line_start, mut field_start, mut i) = (first_line, 0, 0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b',' => {
                fields.push(&chunk[field_start..i]);
                field_start = i + 1;
                i += 1;
            }
            b'\n' | b'\r' => {
                // A blank line is not a row (as in the csv crate).
                if i > line_start {
                    fields.push(&chunk[field_start..i]);
                    add_line(&fields, line)?;
                    fields.clear();
                }
                i += terminator_at(bytes, i);
                line += 1;
                (line_start, field_start) = (i, i);
            }
            _ => i += 1,
        }
    }
    if bytes.len() > line_start {
        fields.push(&chunk[field_start..]);
        add_line(&fields, line)?;
    }
    Ok((rows, used))
}
