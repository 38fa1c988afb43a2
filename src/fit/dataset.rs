//! A columnar dataset of responses, grouped by skill and learner, order preserved.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use foldhash::HashMap;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Location, Result};
use crate::evidence::ResponseColumns;
use crate::evidence::{Columns, Fields, parse_clean_row, parse_row};
use crate::io::{
    CsvReader, Input, Record, count_lines, header, read_all, required, split_line, strip_bom,
    terminator_at,
};

/// How to read a response log into a [`Dataset`].
///
/// ```
/// use mastery::fit::DatasetOptions;
///
/// let options = DatasetOptions::default().item_column("template_id").skip_bad_rows(true);
/// # let _ = options;
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct DatasetOptions {
    columns: ResponseColumns,
    item: Option<String>,
    skip_bad_rows: bool,
    keep_row_keys: bool,
}

impl DatasetOptions {
    /// Whether bad rows are skipped (and reported) instead of failing.
    pub(crate) fn skips_bad_rows(&self) -> bool {
        self.skip_bad_rows
    }

    /// The column names (default: pyBKT's `order_id`, `user_id`, `skill_name`, `correct`).
    pub fn columns(mut self, columns: ResponseColumns) -> Self {
        self.columns = columns;
        self
    }

    /// Reads an item (template) id from this column, for per-item guess and
    /// slip (KT-IDEM). Default: none.
    pub fn item_column(mut self, column: impl Into<String>) -> Self {
        self.item = Some(column.into());
        self
    }

    /// When `true`, malformed rows are skipped and listed in the
    /// [`LoadReport`] instead of failing the load. Default `false`.
    pub fn skip_bad_rows(mut self, skip: bool) -> Self {
        self.skip_bad_rows = skip;
        self
    }

    /// When `true`, the dataset also keeps each row's `order_id`, learner
    /// and skill in row order ([`Dataset::row_keys`]), to write results row
    /// by row (16 bytes per row). Default `false`.
    pub fn keep_row_keys(mut self, keep: bool) -> Self {
        self.keep_row_keys = keep;
        self
    }
}

/// One row of a [`Dataset`] as read: its `order_id`, learner and skill
/// (kept with [`DatasetOptions::keep_row_keys`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowKey {
    order_id: i64,
    learner: u32,
    skill: u32,
}

impl RowKey {
    /// The row's `order_id`.
    #[must_use]
    pub fn order_id(&self) -> i64 {
        self.order_id
    }

    /// The learner, an index into [`Dataset::learners`].
    #[must_use]
    pub fn learner(&self) -> u32 {
        self.learner
    }

    /// The skill, an index into [`Dataset::skills`].
    #[must_use]
    pub fn skill(&self) -> u32 {
        self.skill
    }
}

/// A row that was skipped, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedRow {
    /// The 1-based line (the header is line 1).
    pub line: u64,
    /// What was wrong with it.
    pub reason: String,
}

/// What loading read: rows used and rows skipped (only with
/// [`DatasetOptions::skip_bad_rows`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadReport {
    /// Data rows in the file.
    pub rows_read: usize,
    /// Rows in the dataset.
    pub rows_used: usize,
    /// Rows skipped, in file order.
    pub skipped: Vec<SkippedRow>,
}

/// The responses of one skill: one sequence per learner, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct SkillData {
    name: String,
    items: Vec<String>,
    /// Sequence `s` is `correct[starts[s]..starts[s + 1]]`.
    starts: Vec<u32>,
    learners: Vec<u32>,
    correct: Vec<u8>,
    /// Item index per response (all 0 without an item column).
    item: Vec<u32>,
    /// The row of each response in the dataset's row order.
    rows: Vec<u32>,
}

impl SkillData {
    /// The skill's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The number of responses.
    #[must_use]
    pub fn len(&self) -> usize {
        self.correct.len()
    }

    /// Whether there are no responses.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.correct.is_empty()
    }

    /// The number of learner sequences.
    #[must_use]
    pub fn sequence_count(&self) -> usize {
        self.starts.len() - 1
    }

    /// The responses (1 correct, 0 incorrect) of sequence `s`.
    #[must_use]
    pub fn sequence(&self, s: usize) -> &[u8] {
        &self.correct[self.starts[s] as usize..self.starts[s + 1] as usize]
    }

    /// The item index of each response of sequence `s`.
    #[must_use]
    pub fn sequence_items(&self, s: usize) -> &[u32] {
        &self.item[self.starts[s] as usize..self.starts[s + 1] as usize]
    }

    /// The dataset row of each response of sequence `s`.
    #[must_use]
    pub fn sequence_rows(&self, s: usize) -> &[u32] {
        &self.rows[self.starts[s] as usize..self.starts[s + 1] as usize]
    }

    /// The dataset row of every response, sequence after sequence.
    pub(crate) fn all_rows(&self) -> &[u32] {
        &self.rows
    }

    /// The learner index of sequence `s` (see [`Dataset::learners`]).
    #[must_use]
    pub fn sequence_learner(&self, s: usize) -> u32 {
        self.learners[s]
    }

    /// The item ids of this skill (one unnamed item without an item column).
    #[must_use]
    pub fn items(&self) -> &[String] {
        &self.items
    }

    /// The distinct response sequences, each once, in order of first
    /// appearance, items mapped to one unnamed item, with how often each
    /// occurs. Many learners give the same answers (short sequences
    /// especially), and identical sequences have identical expected counts:
    /// the E-step then runs once per distinct sequence, weighted. Learners
    /// and rows are those of each sequence's first occurrence.
    pub(crate) fn distinct_sequences(&self) -> (SkillData, Vec<u32>) {
        let mut seen: HashMap<&[u8], usize> = HashMap::default();
        let mut out = SkillData {
            name: self.name.clone(),
            items: vec![String::new()],
            starts: vec![0],
            learners: Vec::new(),
            correct: Vec::new(),
            item: Vec::new(),
            rows: Vec::new(),
        };
        let mut counts: Vec<u32> = Vec::new();
        for s in 0..self.sequence_count() {
            let sequence = self.sequence(s);
            let next = counts.len();
            let index = *seen.entry(sequence).or_insert(next);
            if index == next {
                counts.push(0);
                out.correct.extend_from_slice(sequence);
                out.rows.extend_from_slice(self.sequence_rows(s));
                out.item.resize(out.correct.len(), 0);
                out.starts.push(out.correct.len() as u32);
                out.learners.push(self.learners[s]);
            }
            counts[index] += 1;
        }
        (out, counts)
    }

    /// The share of correct responses.
    #[must_use]
    pub fn correct_rate(&self) -> f64 {
        if self.correct.is_empty() {
            return 0.0;
        }
        self.correct.iter().map(|&c| f64::from(c)).sum::<f64>() / self.correct.len() as f64
    }
}

/// Responses grouped by skill (sorted by name), then by learner, in
/// `order_id` order within each learner (ties in file order), as pyBKT
/// groups them. Columnar: one byte per response plus indices.
///
/// ```
/// use mastery::fit::{Dataset, DatasetOptions};
///
/// let csv = "order_id,user_id,skill_name,correct\n3,b,Mode,1\n1,a,Mode,0\n2,a,Mode,1\n4,a,Range,1\n";
/// let (data, report) = Dataset::from_reader("log.csv", csv.as_bytes(), &DatasetOptions::default())?;
/// assert_eq!(report.rows_used, 4);
/// let mode = data.skill("Mode").unwrap();
/// assert_eq!(mode.sequence_count(), 2);
/// assert_eq!(mode.sequence(0), [0, 1]); // learner a, in order_id order
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    skills: Vec<SkillData>,
    learners: Vec<String>,
    rows: usize,
    row_keys: Option<Vec<RowKey>>,
}

#[derive(Clone, Copy)]
struct Row {
    order: i64,
    learner: u32,
    skill: u32,
    item: u32,
    correct: u8,
}

impl Dataset {
    /// Reads a response log file.
    ///
    /// # Errors
    /// As [`Dataset::from_reader`], and [`Error::Io`].
    pub fn from_path(
        path: impl AsRef<Path>,
        options: &DatasetOptions,
    ) -> Result<(Dataset, LoadReport)> {
        read(Input::Path(path.as_ref().to_path_buf()), options)
    }

    /// Reads a response log; `name` is used in error messages.
    ///
    /// # Errors
    /// [`Error::EmptyFile`] (no header, or no usable rows),
    /// [`Error::MissingColumn`], [`Error::InvalidUtf8`],
    /// [`Error::InputTooLarge`] past [`MAX_INPUT_BYTES`](crate::MAX_INPUT_BYTES)
    /// or a line past [`MAX_LINE_BYTES`](crate::MAX_LINE_BYTES), and — unless
    /// bad rows are skipped — [`Error::Csv`] for a ragged row, an empty field,
    /// a `correct` other than 0 or 1, or a non-integer `order_id`, with line;
    /// [`Error::UnterminatedQuote`] (never skipped) at the line where a
    /// never-closed quote opened. Lines end in `\n`, `\r\n` or a lone `\r`,
    /// as for [`read_responses`](crate::evidence::read_responses).
    pub fn from_reader(
        name: &str,
        reader: impl Read,
        options: &DatasetOptions,
    ) -> Result<(Dataset, LoadReport)> {
        read(Input::Reader(name.into(), Box::new(reader)), options)
    }

    /// The skills, sorted by name.
    #[must_use]
    pub fn skills(&self) -> &[SkillData] {
        &self.skills
    }

    /// One skill by name.
    #[must_use]
    pub fn skill(&self, name: &str) -> Option<&SkillData> {
        self.skills
            .binary_search_by(|s| s.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.skills[i])
    }

    /// Learner ids by index.
    #[must_use]
    pub fn learners(&self) -> &[String] {
        &self.learners
    }

    /// The number of responses.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether there are no responses.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// The responses of the skills for which `keep_skill` (given the name)
    /// and of the learners for which `keep_learner` (given an index into
    /// [`Dataset::learners`]) return `true`, rows renumbered in their
    /// original order. Skills left without responses are dropped.
    #[must_use]
    pub fn subset(
        &self,
        keep_skill: impl Fn(&str) -> bool,
        keep_learner: impl Fn(u32) -> bool,
    ) -> Dataset {
        let keep = |skill: &SkillData, s: usize| {
            keep_skill(&skill.name) && keep_learner(skill.learners[s])
        };
        let mut used = vec![false; self.rows];
        for skill in &self.skills {
            for s in 0..skill.sequence_count() {
                if keep(skill, s) {
                    for &r in skill.sequence_rows(s) {
                        used[r as usize] = true;
                    }
                }
            }
        }
        let mut renumber = vec![0u32; self.rows];
        let mut next = 0u32;
        for (r, &u) in used.iter().enumerate() {
            if u {
                renumber[r] = next;
                next += 1;
            }
        }
        let skills: Vec<SkillData> = self
            .skills
            .iter()
            .filter_map(|skill| {
                let mut out = SkillData {
                    name: skill.name.clone(),
                    items: skill.items.clone(),
                    starts: vec![0],
                    learners: Vec::new(),
                    correct: Vec::new(),
                    item: Vec::new(),
                    rows: Vec::new(),
                };
                for s in 0..skill.sequence_count() {
                    if !keep(skill, s) {
                        continue;
                    }
                    out.learners.push(skill.learners[s]);
                    out.correct.extend_from_slice(skill.sequence(s));
                    out.item.extend_from_slice(skill.sequence_items(s));
                    out.rows
                        .extend(skill.sequence_rows(s).iter().map(|&r| renumber[r as usize]));
                    out.starts.push(out.correct.len() as u32);
                }
                (!out.correct.is_empty()).then_some(out)
            })
            .collect();
        Dataset {
            learners: self.learners.clone(),
            rows: next as usize,
            row_keys: self.row_keys.as_ref().map(|keys| {
                // Skills left without rows are dropped: renumber the others.
                let mut skill_index = vec![0u32; self.skills.len()];
                let mut kept = 0u32;
                for (old, skill) in self.skills.iter().enumerate() {
                    skill_index[old] = kept;
                    if skills
                        .get(kept as usize)
                        .is_some_and(|s| s.name == skill.name)
                    {
                        kept += 1;
                    }
                }
                keys.iter()
                    .zip(&used)
                    .filter(|(_, u)| **u)
                    .map(|(k, _)| RowKey {
                        skill: skill_index[k.skill as usize],
                        ..*k
                    })
                    .collect()
            }),
            skills,
        }
    }

    /// Each row's `order_id`, learner and skill, in row order, when loaded
    /// with [`DatasetOptions::keep_row_keys`].
    #[must_use]
    pub fn row_keys(&self) -> Option<&[RowKey]> {
        self.row_keys.as_deref()
    }

    /// Whether each response was correct, in row order (the order of the
    /// file's used rows; the order of [`FitReport::predict`](super::FitReport::predict)).
    #[must_use]
    pub fn outcomes(&self) -> Vec<bool> {
        let mut out = vec![false; self.rows];
        for skill in &self.skills {
            for (&row, &c) in skill.rows.iter().zip(&skill.correct) {
                out[row as usize] = c == 1;
            }
        }
        out
    }
}

/// Names to dense indices, first seen first. Names of up to 15 bytes (most
/// learner and skill ids) are keyed by their bytes packed into a `u128`, so
/// a look-up compares integers instead of following a pointer to compare
/// strings: one cache miss less per row in a log with many learners.
/// The last short key looked up is remembered: logs that list a learner's
/// rows together (most real ones) then skip the hash table for most rows.
#[derive(Default)]
struct Interner {
    short: HashMap<u128, u32>,
    long: HashMap<String, u32>,
    names: Vec<String>,
    last: Option<(u128, u32)>,
}

/// `bytes` (fewer than 16) packed into a `u128`, the length in the last
/// byte (which keeps "a" and "a\0" apart). Built byte by byte: a
/// variable-length `copy_from_slice` would call `memcpy` for every id.
#[inline]
pub(super) fn short_key(bytes: &[u8]) -> u128 {
    let mut key = (bytes.len() as u128) << 120;
    for (i, &b) in bytes.iter().enumerate() {
        key |= u128::from(b) << (8 * i);
    }
    key
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
pub(super) fn check_id_lengths(fields: Fields<'_>) -> std::result::Result<Fields<'_>, String> {
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
struct Rows {
    learners: Interner,
    skills: Interner,
    // Items are interned per skill, so each skill gets its own item list.
    item_ids: Vec<HashMap<String, u32>>,
    skill_items: Vec<Vec<String>>,
    rows: Vec<Row>,
    report: LoadReport,
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

pub(super) fn locate<'c>(
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
fn read(input: Input<'_>, options: &DatasetOptions) -> Result<(Dataset, LoadReport)> {
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
                match (&err, options.skip_bad_rows) {
                    (Error::Csv { at, message }, true) => {
                        rows.skip(at.line.unwrap_or(0), message.clone());
                        continue;
                    }
                    _ => return Err(err),
                }
            }
        }
        let parsed = parse_row(|i| record.get(i), &columns);
        if let Some(row) = rows.intern(parsed, record.line(), &file, options.skip_bad_rows)? {
            rows.rows.push(row);
        }
    }
    Ok(rows)
}

/// The header of a file without quotes (byte order mark stripped): its
/// column names, the byte offset after it and its 1-based line, or `None`
/// when `bytes` holds only blank lines.
pub(super) fn plain_header(
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
                options.skip_bad_rows,
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
pub(super) fn split_at_lines(bytes: &[u8], parts: usize) -> Vec<&[u8]> {
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

fn build(file: Arc<str>, rows: Rows, keep_row_keys: bool) -> Result<(Dataset, LoadReport)> {
    let Rows {
        learners,
        skills,
        mut skill_items,
        rows,
        mut report,
        ..
    } = rows;
    let (learners, skill_names) = (learners.names, skills.names);
    let item_col = skill_items.iter().any(|items| !items.is_empty());
    report.rows_used = rows.len();
    if rows.is_empty() {
        return Err(Error::EmptyFile {
            file,
            detail: "no usable response rows",
        });
    }
    if rows.len() > u32::MAX as usize {
        return Err(Error::Csv {
            at: Location::new(Some(file), None),
            message: format!("{} rows; at most {} are supported", rows.len(), u32::MAX),
        });
    }

    // Skills by name, and within a skill learners by id as a string, as pyBKT orders them.
    let mut skill_order: Vec<u32> = (0..skill_names.len() as u32).collect();
    skill_order.sort_by(|&a, &b| skill_names[a as usize].cmp(&skill_names[b as usize]));
    let mut learner_rank = vec![0u32; learners.len()];
    let mut by_name: Vec<u32> = (0..learners.len() as u32).collect();
    by_name.sort_by(|&a, &b| learners[a as usize].cmp(&learners[b as usize]));
    for (rank, &l) in by_name.iter().enumerate() {
        learner_rank[l as usize] = rank as u32;
    }
    let mut skill_rank = vec![0u32; skill_names.len()];
    for (rank, &s) in skill_order.iter().enumerate() {
        skill_rank[s as usize] = rank as u32;
    }
    let index = group_rows(&rows, &skill_rank, &learner_rank);

    // Each skill's rows are one contiguous stretch of `index`: build them in parallel.
    let mut bounds = vec![0usize; skill_order.len() + 1];
    for row in &rows {
        bounds[skill_rank[row.skill as usize] as usize + 1] += 1;
    }
    for k in 0..skill_order.len() {
        bounds[k + 1] += bounds[k];
    }
    let items: Vec<Vec<String>> = skill_order
        .iter()
        .map(|&s| {
            if item_col {
                std::mem::take(&mut skill_items[s as usize])
            } else {
                vec![String::new()]
            }
        })
        .collect();
    let skills: Vec<SkillData> = skill_order
        .par_iter()
        .zip(items)
        .enumerate()
        .map(|(k, (&s, items))| {
            let stretch = &index[bounds[k]..bounds[k + 1]];
            let mut data = SkillData {
                name: skill_names[s as usize].clone(),
                items,
                starts: Vec::new(),
                learners: Vec::new(),
                correct: Vec::with_capacity(stretch.len()),
                item: Vec::with_capacity(stretch.len()),
                rows: Vec::with_capacity(stretch.len()),
            };
            let mut previous = None;
            for &r in stretch {
                let row = &rows[r as usize];
                if previous != Some(row.learner) {
                    data.starts.push(data.correct.len() as u32);
                    data.learners.push(row.learner);
                    previous = Some(row.learner);
                }
                data.correct.push(row.correct);
                data.item.push(row.item);
                data.rows.push(r);
            }
            data.starts.push(data.correct.len() as u32);
            data
        })
        .collect();
    let row_keys = keep_row_keys.then(|| {
        rows.par_iter()
            .map(|row| RowKey {
                order_id: row.order,
                learner: row.learner,
                skill: skill_rank[row.skill as usize],
            })
            .collect()
    });
    Ok((
        Dataset {
            skills,
            learners,
            rows: rows.len(),
            row_keys,
        },
        report,
    ))
}

/// Row indices grouped by (skill rank, learner rank), by `order_id` within a
/// group and file order among equal `order_id`s: a stable counting sort by
/// skill, then, per skill in parallel, a stable counting sort by learner
/// (a comparison sort when the skill has few rows for the number of
/// learners), then a sort by `order_id` of only those groups the file did
/// not already list in order. O(n) for the usual log.
fn group_rows(rows: &[Row], skill_rank: &[u32], learner_rank: &[u32]) -> Vec<u32> {
    let skills = skill_rank.len();
    let mut starts = vec![0usize; skills + 1];
    for row in rows {
        starts[skill_rank[row.skill as usize] as usize + 1] += 1;
    }
    for k in 0..skills {
        starts[k + 1] += starts[k];
    }
    let bounds = starts.clone();
    // (learner rank, row, order_id), read from the rows once, in file order per skill.
    let mut keys = vec![(0u32, 0u32, 0i64); rows.len()];
    for (r, row) in rows.iter().enumerate() {
        let slot = &mut starts[skill_rank[row.skill as usize] as usize];
        keys[*slot] = (learner_rank[row.learner as usize], r as u32, row.order);
        *slot += 1;
    }
    let mut parts: Vec<&mut [(u32, u32, i64)]> = Vec::with_capacity(skills);
    let mut rest = keys.as_mut_slice();
    for k in 0..skills {
        let (part, tail) = rest.split_at_mut(bounds[k + 1] - bounds[k]);
        parts.push(part);
        rest = tail;
    }
    let learners = learner_rank.len();
    parts.par_iter_mut().for_each(|part| {
        if learners <= 4 * part.len() {
            let mut counts = vec![0u32; learners + 1];
            for key in part.iter() {
                counts[key.0 as usize + 1] += 1;
            }
            for l in 0..learners {
                counts[l + 1] += counts[l];
            }
            let mut sorted = vec![(0u32, 0u32, 0i64); part.len()];
            for key in part.iter() {
                let slot = &mut counts[key.0 as usize];
                sorted[*slot as usize] = *key;
                *slot += 1;
            }
            part.copy_from_slice(&sorted);
        } else {
            part.sort_unstable_by_key(|key| (key.0, key.1));
        }
        // Each learner's rows, now in file order: sorted by order_id unless already so.
        for group in part.chunk_by_mut(|a, b| a.0 == b.0) {
            if group.windows(2).any(|w| w[0].2 > w[1].2) {
                group.sort_by_key(|key| key.2);
            }
        }
    });
    keys.into_iter().map(|(_, r, _)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "order_id,user_id,skill_name,correct\n";

    fn load(body: &str, skip: bool) -> Result<(Dataset, LoadReport)> {
        Dataset::from_reader(
            "r.csv",
            format!("{HEAD}{body}").as_bytes(),
            &DatasetOptions::default().skip_bad_rows(skip),
        )
    }

    #[test]
    fn groups_by_skill_then_learner_in_order() {
        let (d, _) = load("5,u2,B,1\n1,u1,A,0\n9,u1,B,0\n2,u1,A,1\n3,u10,A,1\n", false).unwrap();
        let names: Vec<&str> = d.skills().iter().map(SkillData::name).collect();
        assert_eq!(names, ["A", "B"]);
        let a = d.skill("A").unwrap();
        // Learners sorted as strings, as pyBKT does: u1 < u10.
        assert_eq!(a.sequence_count(), 2);
        assert_eq!(a.sequence(0), [0, 1]);
        assert_eq!(d.learners()[a.sequence_learner(1) as usize], "u10");
        assert_eq!(a.sequence_rows(0), [1, 3]);
        let b = d.skill("B").unwrap();
        assert_eq!(d.learners()[b.sequence_learner(0) as usize], "u1");
        assert_eq!(b.sequence(1), [1]);
    }

    #[test]
    fn grouping_equals_sorting_by_skill_learner_order_and_line() {
        // A big skill (counting sort by learner) and small ones with many
        // learners (comparison sort); order_ids out of order and tied.
        let mut state = 12_345u64;
        let mut next = |n: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % n
        };
        let mut body = String::new();
        let mut rows = Vec::new();
        for line in 0..600u32 {
            let skill = if next(4) == 0 {
                format!("S{}", next(8))
            } else {
                "Big".to_owned()
            };
            let learner = format!("u{}", next(150));
            let order = next(40) as i64;
            let correct = u8::from(next(2) == 1);
            body += &format!("{order},{learner},{skill},{correct}\n");
            rows.push((skill, learner, order, line, correct));
        }
        let (d, _) = load(&body, false).unwrap();
        let mut expected = rows.clone();
        expected.sort_by(|a, b| (&a.0, &a.1, a.2, a.3).cmp(&(&b.0, &b.1, b.2, b.3)));
        let mut got = Vec::new();
        for skill in d.skills() {
            for s in 0..skill.sequence_count() {
                let learner = &d.learners()[skill.sequence_learner(s) as usize];
                for (&row, &correct) in skill.sequence_rows(s).iter().zip(skill.sequence(s)) {
                    let (_, _, order, line, _) = &rows[row as usize];
                    got.push((
                        skill.name().to_owned(),
                        learner.clone(),
                        *order,
                        *line,
                        correct,
                    ));
                }
            }
        }
        assert_eq!(got, expected);
    }

    #[test]
    fn bad_rows_fail_or_are_reported() {
        let body = "1,u1,A,1\n2,u1,A,2\nx,u1,A,1\n4,,A,1\n5,u1,A\n6,u1,A,0\n";
        let err = load(body, false).unwrap_err();
        assert_eq!(
            err.to_string(),
            "r.csv:3: column `correct`: expected 0 or 1, got \"2\""
        );
        let (d, report) = load(body, true).unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(report.rows_read, 6);
        assert_eq!(report.rows_used, 2);
        let lines: Vec<u64> = report.skipped.iter().map(|s| s.line).collect();
        assert_eq!(lines, [3, 4, 5, 6]);
        assert!(
            report.skipped[3].reason.contains("fields"),
            "{:?}",
            report.skipped[3]
        );
    }

    #[test]
    fn nothing_usable_is_an_error() {
        assert!(matches!(load("", false), Err(Error::EmptyFile { .. })));
        assert!(matches!(
            load("1,u1,A,7\n", true),
            Err(Error::EmptyFile { .. })
        ));
        let no_correct = Dataset::from_reader(
            "r.csv",
            "order_id,user_id,skill_name\n1,a,A\n".as_bytes(),
            &DatasetOptions::default(),
        );
        assert!(matches!(no_correct, Err(Error::MissingColumn { .. })));
    }

    #[test]
    fn errors_in_later_chunks_name_the_right_line() {
        let mut csv = String::from("order_id,user_id,skill_name,correct\n");
        for i in 0..200 {
            csv += &format!("{i},u{},S,1\n", i % 7);
        }
        let mut bytes = csv.clone().into_bytes();
        let at = csv.match_indices('\n').nth(150).unwrap().0 + 3; // inside data line 151, file line 152
        bytes[at] = 0xff;
        let err =
            Dataset::from_reader("r.csv", &bytes[..], &DatasetOptions::default()).unwrap_err();
        assert_eq!(err.to_string(), "r.csv:152: invalid UTF-8");
        let bad = csv.replacen("170,u2,S,1", "170,u2,S,7", 1);
        let err =
            Dataset::from_reader("r.csv", bad.as_bytes(), &DatasetOptions::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "r.csv:172: column `correct`: expected 0 or 1, got \"7\""
        );
    }

    #[test]
    fn chunks_merge_as_one_pass_reads() {
        // Learners, skills and items first seen in different chunks; bad rows throughout.
        let mut plain = String::from("order_id,user_id,skill_name,correct,item\n");
        for i in 0..400 {
            let correct = if i % 97 == 13 {
                "x"
            } else if i % 3 == 0 {
                "0"
            } else {
                "1"
            };
            plain += &format!(
                "{i},u{},S{},{correct},q{}\n",
                (i * 7 + i / 50) % (5 + i / 20),
                (i / 30) % 6,
                i % (2 + i / 100)
            );
        }
        // A quoted field sends the file through the csv crate in one pass.
        let quoted = plain.replacen("0,u0,S0", "\"0\",u0,S0", 1);
        let options = DatasetOptions::default()
            .item_column("item")
            .skip_bad_rows(true);
        let (a, report_a) = Dataset::from_reader("r.csv", plain.as_bytes(), &options).unwrap();
        let (b, report_b) = Dataset::from_reader("r.csv", quoted.as_bytes(), &options).unwrap();
        assert_eq!(a, b);
        assert_eq!(report_a, report_b);
        assert_eq!(report_a.skipped.len(), 4);
        assert_eq!(report_a.rows_read, 400);
    }

    #[test]
    fn quoted_files_read_the_same_as_plain_ones() {
        let plain = "order_id,user_id,skill_name,correct\n2,u1,A,1\n1,u1,A,0\n3,u2,B,1\n";
        let quoted = "order_id,user_id,skill_name,correct\r\n\"2\",\"u1\",\"A\",1\r\n1,u1,A,0\r\n3,u2,\"B\",1\r\n";
        let options = DatasetOptions::default();
        let (a, _) = Dataset::from_reader("p.csv", plain.as_bytes(), &options).unwrap();
        let (b, _) = Dataset::from_reader("q.csv", quoted.as_bytes(), &options).unwrap();
        assert_eq!(a, b);
        let bad_plain = Dataset::from_reader(
            "p.csv",
            "order_id,user_id,skill_name,correct\n1,u,A,1\n2,u,A,x\n".as_bytes(),
            &options,
        );
        let bad_quoted = Dataset::from_reader(
            "p.csv",
            "order_id,user_id,skill_name,correct\n1,u,A,1\n2,\"u\",A,x\n".as_bytes(),
            &options,
        );
        assert_eq!(
            bad_plain.unwrap_err().to_string(),
            bad_quoted.unwrap_err().to_string()
        );
    }

    #[test]
    fn items_are_per_skill() {
        let csv = "order_id,user_id,skill_name,correct,template\n1,a,A,1,t1\n2,a,A,0,t2\n3,a,B,1,t1\n4,b,A,1,t2\n";
        let (d, _) = Dataset::from_reader(
            "r.csv",
            csv.as_bytes(),
            &DatasetOptions::default().item_column("template"),
        )
        .unwrap();
        let a = d.skill("A").unwrap();
        assert_eq!(a.items(), ["t1", "t2"]);
        assert_eq!(a.sequence_items(0), [0, 1]);
        assert_eq!(a.sequence_items(1), [1]);
        assert_eq!(d.skill("B").unwrap().items(), ["t1"]);
    }
}
