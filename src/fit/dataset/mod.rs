//! A columnar dataset of responses, grouped by skill and learner, order preserved.

use std::io::Read;
use std::path::Path;

use foldhash::HashMap;
use serde::{Deserialize, Serialize};

#[cfg(doc)]
use crate::error::Error;
use crate::error::Result;
use crate::evidence::ResponseColumns;
use crate::io::Input;

mod group;
mod read;
#[cfg(test)]
mod tests;

use group::build;
pub(crate) use read::from_parsed_rows;
use read::{Rows, read};
pub(super) use read::{check_id_lengths, locate, plain_header, short_key, split_at_lines};

/// What reading a response log does with a malformed row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum BadRows {
    /// The first malformed row fails the load with an error naming its line.
    #[default]
    Fail,
    /// Malformed rows are skipped and listed in the [`LoadReport`].
    Skip,
}

/// How to read a response log into a [`Dataset`].
///
/// ```
/// use mastery::fit::{BadRows, DatasetOptions};
///
/// let options = DatasetOptions::default().item_column("template_id").bad_rows(BadRows::Skip);
/// # let _ = options;
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct DatasetOptions {
    columns: ResponseColumns,
    item: Option<String>,
    bad_rows: BadRows,
    keep_row_keys: bool,
}

impl DatasetOptions {
    /// Whether bad rows are skipped (and reported) instead of failing.
    pub(crate) fn skips_bad_rows(&self) -> bool {
        self.bad_rows == BadRows::Skip
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

    /// What a malformed row does: [`BadRows::Skip`] skips it and lists it
    /// in the [`LoadReport`]; the default, [`BadRows::Fail`], fails the load.
    pub fn bad_rows(mut self, bad_rows: BadRows) -> Self {
        self.bad_rows = bad_rows;
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
#[non_exhaustive]
pub struct SkippedRow {
    /// The 1-based line (the header is line 1).
    pub line: u64,
    /// What was wrong with it.
    pub reason: String,
}

/// What loading read: rows used and rows skipped (only with
/// [`DatasetOptions::bad_rows`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
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

    /// A dataset from response rows given as values (e.g. generated by
    /// [`synthetic_responses`](crate::fit::synthetic_responses) or
    /// [`sim::responses`](crate::sim::responses)): the same dataset as
    /// [`Dataset::from_reader`] makes of their CSV text
    /// ([`responses_csv`](crate::evidence::responses_csv)), without writing
    /// and parsing it. The rows' items are read when `options` names an item
    /// column (any name: rows are not columns), and ignored otherwise, as in
    /// a file; `options`' column names do not apply. `name` is used in error
    /// messages, rows are numbered from line 2 as in a file with a header.
    /// O(rows).
    ///
    /// # Errors
    /// [`Error::EmptyFile`] for no rows; [`Error::Csv`] (unless bad rows are
    /// skipped) for an id longer than [`MAX_ID_BYTES`](crate::MAX_ID_BYTES).
    ///
    /// ```
    /// use mastery::evidence::{ResponseRow, responses_csv};
    /// use mastery::fit::{Dataset, DatasetOptions};
    ///
    /// let rows: Vec<ResponseRow> = (0..4)
    ///     .map(|k| ResponseRow {
    ///         order: k,
    ///         learner: format!("u{}", k % 2),
    ///         skill: "S".into(),
    ///         correct: k > 1,
    ///         item: None,
    ///     })
    ///     .collect();
    /// let options = DatasetOptions::default();
    /// let (data, _) = Dataset::from_responses("rows", &rows, &options)?;
    /// let csv = responses_csv(&rows, None);
    /// assert_eq!(data, Dataset::from_reader("rows.csv", csv.as_bytes(), &options)?.0);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    pub fn from_responses(
        name: &str,
        rows: &[crate::evidence::ResponseRow],
        options: &DatasetOptions,
    ) -> Result<(Dataset, LoadReport)> {
        let items = options.item.is_some();
        let fields = rows.iter().zip(2u64..).map(|(row, line)| {
            let item = if items { row.item.as_deref() } else { None };
            (
                line,
                (
                    row.order,
                    row.learner.as_str(),
                    row.skill.as_str(),
                    u8::from(row.correct),
                    item,
                ),
            )
        });
        read::from_rows(name.into(), fields, options)
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
