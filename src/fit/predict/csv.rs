//! Streaming batch prediction: a response log already in `order_id` order,
//! CSV in and CSV out, in one pass and bounded memory.
//!
//! A log in time order needs no grouping: each row's prediction depends only
//! on the learner's earlier rows on the skill, which came before it in the
//! file. So the input is read in blocks; each block is parsed in parallel
//! pieces, predicted in parallel by learner (every learner belongs to one
//! partition, which keeps its estimates from block to block) and formatted in
//! parallel, while a reader thread reads the next block and a writer thread
//! writes the last one. Memory is a few blocks and one estimate per learner
//! and skill, whatever the log's length.

use std::hash::BuildHasher;
use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use foldhash::HashMap;
use rayon::prelude::*;

use super::{PredictOptions, PredictParams, UnknownSkill, step};
use crate::error::{Error, Location, Result};
use crate::evidence::{Columns, Fields, parse_row};
use crate::fit::dataset::{
    DatasetOptions, LoadReport, SkippedRow, check_id_lengths, locate, plain_header, short_key,
    split_at_lines,
};
use crate::io::{Capped, count_lines, io_error, strip_bom, terminator_at};

/// Bytes read per block: large enough that the per-block barriers are
/// noise, small enough that the buffers stay in the cache hierarchy's reach
/// and memory stays bounded.
const BLOCK_BYTES: usize = 1 << 20;

/// Pieces per block and thread, for load balance.
const PIECES_PER_THREAD: usize = 4;

/// The output's header line.
const HEADER: &[u8] = b"order_id,user_id,skill_name,correct,p_correct,p_mastery\n";

/// The top byte of a learner key for ids of 16 bytes or more, which
/// [`short_key`] cannot pack (its top byte is the length, below 16).
const LONG_ID: u128 = 0xff << 120;

/// A column no row field is read from.
const NOT_NEEDED: u8 = u8::MAX;

/// A skill index for skills without parameters.
const UNKNOWN: u32 = u32::MAX;

/// What [`predict_csv`] read and wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CsvPredictReport {
    /// Rows read, rows predicted (one output line each) and rows skipped
    /// (only with [`DatasetOptions::skip_bad_rows`]).
    pub load: LoadReport,
    /// Rows of skills without parameters, written with 0.5
    /// ([`UnknownSkill::PredictHalf`]).
    pub unpredicted: usize,
}

/// One-step-ahead predictions for a response log in `order_id` order, read
/// from `input` and written to `output` as CSV as it streams:
/// `order_id,user_id,skill_name,correct,p_correct,p_mastery`, one line per
/// used row in file order. The figures equal [`predict`](super::predict)'s
/// on the same log (pyBKT's `predict`), and so does the handling of bad rows
/// and of skills without parameters.
///
/// Memory is a few blocks of 4 MiB plus one estimate per learner and skill,
/// however long the log; the work runs on the current rayon pool, plus one
/// thread reading and one writing. `name` names the input in errors.
///
/// ```
/// use mastery::BktParams;
/// use mastery::fit::{DatasetOptions, PredictOptions, PredictParams, predict_csv};
/// use mastery::model::SkillParams;
///
/// let log = "order_id,user_id,skill_name,correct\n1,u1,Median,1\n2,u2,Median,0\n3,u1,Median,0\n";
/// let p = BktParams::new(0.35, 0.12, 0.0, 0.22, 0.1)?;
/// let mut skills = SkillParams::default();
/// skills.params.insert("Median".into(), p);
/// let mut out = Vec::new();
/// let report = predict_csv(
///     "log.csv",
///     log.as_bytes(),
///     &mut out,
///     &PredictParams::from(&skills),
///     &DatasetOptions::default(),
///     &PredictOptions::default(),
/// )?;
/// assert_eq!(report.load.rows_used, 3);
/// let text = String::from_utf8(out).unwrap();
/// let lines: Vec<&str> = text.lines().collect();
/// assert_eq!(lines[0], "order_id,user_id,skill_name,correct,p_correct,p_mastery");
/// // u1's second row is predicted from u1's first.
/// let after_first = p.update(0.35, mastery::Outcome::Correct);
/// let p_correct: f64 = lines[3].split(',').nth(4).unwrap().parse().unwrap();
/// assert!((p_correct - p.p_correct(after_first)).abs() < 1e-15);
/// # Ok::<(), mastery::Error>(())
/// ```
///
/// # Errors
/// - [`Error::NotStreamable`] at the first row whose `order_id` is smaller
///   than an earlier row's, or the first quoted field: the output written so
///   far is incomplete. Read such a log into a
///   [`Dataset`](crate::fit::Dataset) and [`predict`](super::predict) it.
/// - What [`Dataset::from_reader`](crate::fit::Dataset::from_reader) returns
///   for a bad header, a bad row (unless skipped), invalid UTF-8 or a line
///   over [`MAX_LINE_BYTES`](crate::MAX_LINE_BYTES); the total size is not
///   capped, as memory does not grow with it.
/// - [`Error::UnknownStandard`] for a skill without parameters, with
///   [`UnknownSkill::Reject`], at its first row.
/// - [`Error::Io`] when reading or writing fails (`output` for the latter).
pub fn predict_csv<R: Read + Send, W: Write + Send>(
    name: &str,
    input: R,
    output: W,
    params: &PredictParams,
    options: &DatasetOptions,
    predict: &PredictOptions,
) -> Result<CsvPredictReport> {
    let io = (input, output, BLOCK_BYTES);
    predict_csv_in_blocks(name, io, params, options, predict)
}

/// [`predict_csv`] with blocks of `block_bytes` (tests cut lines at block
/// ends with small ones).
fn predict_csv_in_blocks<R: Read + Send, W: Write + Send>(
    name: &str,
    (input, output, block_bytes): (R, W, usize),
    params: &PredictParams,
    options: &DatasetOptions,
    predict: &PredictOptions,
) -> Result<CsvPredictReport> {
    let file: Arc<str> = name.into();
    let lookup = Lookup::new(params);
    let (to_main, blocks) = sync_channel::<Result<Vec<u8>>>(1);
    let (recycle_input, spare_inputs) = sync_channel::<Vec<u8>>(3);
    let (to_writer, outputs) = sync_channel::<Vec<Vec<u8>>>(1);
    let (recycle_output, spare_outputs) = sync_channel::<Vec<Vec<u8>>>(2);
    std::thread::scope(|scope| {
        let reader_file = Arc::clone(&file);
        scope.spawn(move || {
            read_blocks(input, block_bytes, &reader_file, &to_main, &spare_inputs);
        });
        let writer = scope.spawn(move || write_blocks(output, &outputs, &recycle_output));
        let mut stream = Stream {
            file: &file,
            lookup: &lookup,
            options,
            unknown: predict.unknown_skill,
            parts: (0..rayon::current_num_threads().clamp(1, 64))
                .map(|_| Partition::default())
                .collect(),
            report: CsvPredictReport::default(),
            columns: None,
            lines_before: 0,
            last_order: None,
            first_block: true,
        };
        let result = stream.run(&blocks, &recycle_input, &to_writer, &spare_outputs);
        // Ends the reader (its sends fail) and the writer (its receive ends).
        drop(blocks);
        drop(to_writer);
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("the writer thread panicked")));
        let report = result?;
        written.map_err(|source| Error::Io {
            file: "output".into(),
            source,
        })?;
        Ok(report)
    })
}

/// Parameters resolved for look-ups by name while streaming.
struct Lookup<'p> {
    /// Skill indices by [`short_key`] of names under 16 bytes, and by name.
    short: HashMap<u128, u32>,
    skills: HashMap<&'p str, u32>,
    models: Vec<SkillLookup<'p>>,
    /// (guess, slip) by answer index.
    answers: Vec<(f64, f64)>,
}

struct SkillLookup<'p> {
    prior: f64,
    learn: f64,
    forget: f64,
    /// The answer index of rows without an item, or of an item the
    /// parameters do not name.
    default: u32,
    items: HashMap<&'p str, u32>,
}

impl<'p> Lookup<'p> {
    fn new(params: &'p PredictParams) -> Self {
        let mut lookup = Lookup {
            short: HashMap::default(),
            skills: HashMap::default(),
            models: Vec::with_capacity(params.skills.len()),
            answers: Vec::new(),
        };
        for (name, model) in &params.skills {
            let mut answer = |pair: (f64, f64)| {
                lookup.answers.push(pair);
                (lookup.answers.len() - 1) as u32
            };
            // As `Resolved::new`: one pair without items, else the items'
            // pairs and their average for everything else.
            let (default, items) = if model.items.is_empty() {
                (
                    answer(model.answers.first().copied().unwrap_or(model.fallback)),
                    HashMap::default(),
                )
            } else {
                let items = model
                    .items
                    .iter()
                    .zip(&model.answers)
                    .map(|(item, &pair)| (item.as_str(), answer(pair)))
                    .collect();
                (answer(model.fallback), items)
            };
            let index = lookup.models.len() as u32;
            if name.len() < 16 {
                lookup.short.insert(short_key(name.as_bytes()), index);
            } else {
                lookup.skills.insert(name.as_str(), index);
            }
            lookup.models.push(SkillLookup {
                prior: model.prior,
                learn: model.learn,
                forget: model.forget,
                default,
                items,
            });
        }
        lookup
    }

    /// The index of skill `name`.
    #[inline]
    fn skill(&self, name: &str) -> Option<u32> {
        if name.len() < 16 {
            self.short.get(&short_key(name.as_bytes())).copied()
        } else {
            self.skills.get(name).copied()
        }
    }
}

/// A parsed row; text positions are byte offsets in its piece.
#[derive(Clone, Copy)]
struct ParsedRow {
    /// [`short_key`] of the learner id, or [`LONG_ID`] for a long one.
    learner: u128,
    order: i64,
    learner_at: u32,
    learner_len: u32,
    skill_at: u32,
    skill_len: u32,
    /// Line terminators in the piece before the row.
    line: u32,
    /// Index into [`Lookup::models`], or [`UNKNOWN`].
    skill: u32,
    /// Index into [`Lookup::answers`].
    answer: u32,
    correct: u8,
    part: u8,
}

/// Why a piece stops: the first problem that ends the stream.
enum Stop {
    Row(String),
    InvalidUtf8,
    Quoted,
    Unsorted { before: i64, order: i64 },
    UnknownSkill(String),
}

/// One piece of a block: its rows and what parsing it found. Aligned to
/// two cache lines: pieces parsed by different threads sit side by side, and
/// their counters change with every row.
#[derive(Default)]
#[repr(align(128))]
struct Piece {
    rows: Vec<ParsedRow>,
    /// Row indices by partition.
    by_part: Vec<Vec<u32>>,
    /// Line terminators in the piece.
    lines: u64,
    rows_read: usize,
    skipped: Vec<(u32, String)>,
    unpredicted: usize,
    /// The first problem, at a line counted as [`ParsedRow::line`].
    stop: Option<(u32, Stop)>,
    out: Vec<u8>,
}

/// A partition's learners and their estimates (aligned as [`Piece`] is).
#[derive(Default)]
#[repr(align(128))]
struct Partition {
    short: HashMap<u128, u32>,
    long: HashMap<Box<str>, u32>,
    learners: u32,
    last: Option<(u128, u32)>,
    /// Mastery by (learner << 32 | skill).
    known: HashMap<u64, f64>,
    /// [P(correct), mastery after] per row of the partition, by piece.
    results: Vec<Vec<[f64; 2]>>,
}

struct Stream<'a, 'p> {
    file: &'a Arc<str>,
    lookup: &'a Lookup<'p>,
    options: &'a DatasetOptions,
    unknown: UnknownSkill,
    parts: Vec<Partition>,
    report: CsvPredictReport,
    /// The header's column names, once read.
    columns: Option<Vec<String>>,
    /// Lines of the input before the current block.
    lines_before: u64,
    last_order: Option<i64>,
    first_block: bool,
}

impl Stream<'_, '_> {
    fn run(
        &mut self,
        blocks: &Receiver<Result<Vec<u8>>>,
        recycle_input: &SyncSender<Vec<u8>>,
        to_writer: &SyncSender<Vec<Vec<u8>>>,
        spare_outputs: &Receiver<Vec<Vec<u8>>>,
    ) -> Result<CsvPredictReport> {
        let threads = self.parts.len();
        let mut pieces: Vec<Piece> = Vec::new();
        let mut outputs_in_flight = 0;
        let mut spare: Vec<Vec<Vec<u8>>> = Vec::new();
        for block in blocks {
            let block = block?;
            let mut body: &[u8] = &block;
            if std::mem::take(&mut self.first_block) {
                body = strip_bom(body);
            }
            if self.columns.is_none() {
                match plain_header(self.file, body)? {
                    Some((header, offset, line)) => {
                        if memchr::memchr(b'"', &body[..offset]).is_some() {
                            return Err(self.not_streamable(self.lines_before + line, Stop::Quoted));
                        }
                        self.lines_before += line;
                        self.columns = Some(header);
                        body = &body[offset..];
                    }
                    None => {
                        self.lines_before += count_lines(body);
                        let _ = recycle_input.try_send(block);
                        continue;
                    }
                }
            }
            let Some(header) = self.columns.clone() else {
                continue;
            };
            let columns = locate(self.file, &header, self.options)?;
            let texts = split_at_lines(body, threads * PIECES_PER_THREAD);
            if pieces.len() < texts.len() {
                pieces.resize_with(texts.len(), Piece::default);
            }
            let pieces = &mut pieces[..texts.len()];
            self.parse(&texts, pieces, header.len(), &columns);
            self.check(pieces)?;
            self.predict(&texts, pieces);
            // Two sets of output buffers: one being written, one being filled.
            let mut buffers = match spare.pop() {
                Some(buffers) => buffers,
                None if outputs_in_flight < 2 => {
                    outputs_in_flight += 1;
                    Vec::new()
                }
                None => match spare_outputs.recv() {
                    Ok(buffers) => buffers,
                    Err(_) => break, // the writer stopped on an error, returned by the caller
                },
            };
            buffers.resize_with(pieces.len(), Vec::new);
            for (piece, buffer) in pieces.iter_mut().zip(&mut buffers) {
                piece.out = std::mem::take(buffer);
            }
            self.format(&texts, pieces);
            for (piece, buffer) in pieces.iter_mut().zip(&mut buffers) {
                *buffer = std::mem::take(&mut piece.out);
            }
            buffers.truncate(pieces.len());
            if to_writer.send(buffers).is_err() {
                break;
            }
            while let Ok(buffers) = spare_outputs.try_recv() {
                spare.push(buffers);
            }
            let _ = recycle_input.try_send(block);
        }
        if self.columns.is_none() {
            return Err(Error::EmptyFile {
                file: Arc::clone(self.file),
                detail: "no header line",
            });
        }
        Ok(std::mem::take(&mut self.report))
    }

    fn not_streamable(&self, line: u64, stop: Stop) -> Error {
        let at = Location::new(Some(Arc::clone(self.file)), Some(line));
        match stop {
            Stop::Row(message) => Error::Csv { at, message },
            Stop::InvalidUtf8 => Error::InvalidUtf8 { at },
            Stop::Quoted => Error::NotStreamable {
                at,
                reason: "a quoted field".into(),
            },
            Stop::Unsorted { before, order } => Error::NotStreamable {
                at,
                reason: format!(
                    "order_id {order} comes after {before}: the log is not in order_id order"
                ),
            },
            Stop::UnknownSkill(id) => Error::UnknownStandard { id, at },
        }
    }

    /// Parses the pieces in parallel.
    fn parse(&self, texts: &[&[u8]], pieces: &mut [Piece], width: usize, columns: &Columns<'_>) {
        let parts = self.parts.len();
        let needed = [
            Some(columns.order),
            Some(columns.learner),
            Some(columns.skill),
            Some(columns.correct),
            columns.item,
        ];
        let mut slots = vec![NOT_NEEDED; needed.iter().flatten().max().map_or(0, |&c| c + 1)];
        for (slot, column) in needed.iter().enumerate() {
            if let Some(&column) = column.as_ref() {
                slots[column] = slot as u8;
            }
        }
        let ctx = ParseContext {
            lookup: self.lookup,
            columns,
            slots,
            width,
            skip: self.options.skips_bad_rows(),
            reject_unknown: self.unknown == UnknownSkill::Reject,
            parts,
        };
        pieces
            .par_iter_mut()
            .zip(texts.par_iter())
            .for_each(|(piece, text)| ctx.parse(text, piece));
    }

    /// In file order: the first problem ends the stream; rows must not go
    /// back in `order_id`, across pieces and blocks too. Counts lines and
    /// gathers the report.
    fn check(&mut self, pieces: &mut [Piece]) -> Result<()> {
        for piece in pieces.iter_mut() {
            let first_line = self.lines_before + 1;
            let boundary = match (self.last_order, piece.rows.first()) {
                (Some(before), Some(row)) if row.order < before => Some((
                    row.line,
                    Stop::Unsorted {
                        before,
                        order: row.order,
                    },
                )),
                _ => None,
            };
            let stop = match (boundary, piece.stop.take()) {
                (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
                (a, b) => a.or(b),
            };
            if let Some((line, stop)) = stop {
                return Err(self.not_streamable(first_line + u64::from(line), stop));
            }
            self.report.load.rows_read += piece.rows_read;
            self.report.load.rows_used += piece.rows.len();
            self.report.unpredicted += piece.unpredicted;
            self.report
                .load
                .skipped
                .extend(piece.skipped.drain(..).map(|(line, reason)| SkippedRow {
                    line: first_line + u64::from(line),
                    reason,
                }));
            if let Some(row) = piece.rows.last() {
                self.last_order = Some(row.order);
            }
            self.lines_before += piece.lines;
        }
        Ok(())
    }

    /// Predicts every partition's rows, the partitions in parallel.
    fn predict(&mut self, texts: &[&[u8]], pieces: &[Piece]) {
        let lookup = self.lookup;
        self.parts
            .par_iter_mut()
            .enumerate()
            .for_each(|(p, part)| part.predict(p, texts, pieces, lookup));
    }

    /// Formats the pieces' lines in parallel.
    fn format(&self, texts: &[&[u8]], pieces: &mut [Piece]) {
        let parts = &self.parts;
        pieces
            .par_iter_mut()
            .zip(texts.par_iter())
            .enumerate()
            .for_each(|(k, (piece, text))| {
                let Piece { rows, out, .. } = piece;
                out.clear();
                let mut cursor = vec![0usize; parts.len()];
                let mut int = itoa::Buffer::new();
                let mut float = zmij::Buffer::new();
                for row in rows.iter() {
                    let part = usize::from(row.part);
                    let [p_correct, p_mastery] = parts[part].results[k][cursor[part]];
                    cursor[part] += 1;
                    let field = |at: u32, len: u32| &text[at as usize..(at + len) as usize];
                    out.extend_from_slice(int.format(row.order).as_bytes());
                    out.push(b',');
                    out.extend_from_slice(field(row.learner_at, row.learner_len));
                    out.push(b',');
                    out.extend_from_slice(field(row.skill_at, row.skill_len));
                    out.extend_from_slice(if row.correct == 1 { b",1," } else { b",0," });
                    out.extend_from_slice(float.format(p_correct).as_bytes());
                    out.push(b',');
                    out.extend_from_slice(float.format(p_mastery).as_bytes());
                    out.push(b'\n');
                }
            });
    }
}

struct ParseContext<'a, 'p> {
    lookup: &'a Lookup<'p>,
    columns: &'a Columns<'a>,
    /// Per column up to the last one a row needs: which of order, learner,
    /// skill, correct and item it is ([`NOT_NEEDED`] for others).
    slots: Vec<u8>,
    width: usize,
    skip: bool,
    reject_unknown: bool,
    parts: usize,
}

impl ParseContext<'_, '_> {
    fn parse(&self, bytes: &[u8], piece: &mut Piece) {
        piece.rows.clear();
        piece.by_part.resize_with(self.parts, Vec::new);
        piece.by_part.iter_mut().for_each(Vec::clear);
        piece.skipped.clear();
        piece.stop = None;
        piece.rows_read = 0;
        piece.unpredicted = 0;
        piece.lines = count_lines(bytes);
        if let Some(at) = memchr::memchr(b'"', bytes) {
            piece.stop = Some((count_lines(&bytes[..at]) as u32, Stop::Quoted));
        }
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let line = count_lines(&bytes[..e.valid_up_to()]) as u32;
                if piece.stop.as_ref().is_none_or(|(at, _)| line < *at) {
                    piece.stop = Some((line, Stop::InvalidUtf8));
                }
                return;
            }
        };
        if piece.stop.is_some() {
            return;
        }
        // Lines split as `Dataset`'s readers split them; blank lines are not rows.
        let (mut line, mut at) = (0u32, 0);
        while at < bytes.len() {
            let end = memchr::memchr2(b'\n', b'\r', &bytes[at..]).map_or(bytes.len(), |i| at + i);
            if end > at && !self.row(text, at, end, line, piece) {
                return;
            }
            at = end + terminator_at(bytes, end);
            line += 1;
        }
    }

    /// Adds the row of the line `text[start..end]` to `piece`; false once
    /// the piece stops.
    fn row(&self, text: &str, start: usize, end: usize, line: u32, piece: &mut Piece) -> bool {
        piece.rows_read += 1;
        let fields = match self.fast_fields(text, start, end) {
            Some(fields) => Ok(fields),
            // Anything unusual takes the shared reader's checks, for its messages.
            None => {
                let all: Vec<&str> = text[start..end].split(',').collect();
                if all.len() == self.width {
                    parse_row(|i| all.get(i).copied(), self.columns).and_then(check_id_lengths)
                } else {
                    Err(format!(
                        "row has {} fields but the header has {}",
                        all.len(),
                        self.width
                    ))
                }
            }
        };
        let (order, learner, skill_id, correct, item) = match fields {
            Ok(fields) => fields,
            Err(reason) if self.skip => {
                piece.skipped.push((line, reason));
                return true;
            }
            Err(reason) => {
                piece.stop = Some((line, Stop::Row(reason)));
                return false;
            }
        };
        if let Some(before) = piece.rows.last().map(|r| r.order).filter(|&b| order < b) {
            piece.stop = Some((line, Stop::Unsorted { before, order }));
            return false;
        }
        let (skill, answer) = match self.lookup.skill(skill_id) {
            Some(s) => {
                let model = &self.lookup.models[s as usize];
                let answer = item
                    .and_then(|item| model.items.get(item).copied())
                    .unwrap_or(model.default);
                (s, answer)
            }
            None if self.reject_unknown => {
                piece.stop = Some((line, Stop::UnknownSkill(skill_id.to_owned())));
                return false;
            }
            None => {
                piece.unpredicted += 1;
                (UNKNOWN, 0)
            }
        };
        let bytes = learner.as_bytes();
        let (key, hash) = if bytes.len() < 16 {
            let key = short_key(bytes);
            (key, (key as u64) ^ ((key >> 64) as u64))
        } else {
            (
                LONG_ID,
                foldhash::quality::FixedState::with_seed(0).hash_one(bytes),
            )
        };
        let part = (mix(hash) % self.parts as u64) as u8;
        let offset = |s: &str| (s.as_ptr() as usize - text.as_ptr() as usize) as u32;
        piece.by_part[usize::from(part)].push(piece.rows.len() as u32);
        piece.rows.push(ParsedRow {
            learner: key,
            order,
            learner_at: offset(learner),
            learner_len: learner.len() as u32,
            skill_at: offset(skill_id),
            skill_len: skill_id.len() as u32,
            line,
            skill,
            answer,
            correct,
            part,
        });
        true
    }

    /// The row's fields when the line is plain (the header's number of
    /// fields, a whole number of at most 18 digits, 0 or 1, ids without
    /// surrounding whitespace or non-ASCII ends and within
    /// [`MAX_ID_BYTES`](crate::MAX_ID_BYTES)): what the shared checks would
    /// give, without their allocations. `None` for anything else.
    #[inline]
    fn fast_fields<'t>(&self, text: &'t str, start: usize, end: usize) -> Option<Fields<'t>> {
        let line = &text.as_bytes()[start..end];
        let mut want: [(usize, usize); 5] = [(0, 0); 5];
        let (mut field, mut field_start, mut rest) = (0, 0, line.len());
        for (i, &b) in line.iter().enumerate() {
            if b == b',' {
                if let Some(&slot) = self.slots.get(field) {
                    if let Some(range) = want.get_mut(usize::from(slot)) {
                        *range = (field_start, i);
                    }
                }
                field += 1;
                field_start = i + 1;
                if field >= self.slots.len() {
                    rest = field_start;
                    break;
                }
            }
        }
        if field < self.slots.len() {
            // The last field of the line is a needed one.
            if let Some(range) = want.get_mut(usize::from(self.slots[field])) {
                *range = (field_start, line.len());
            }
            field += 1;
        } else {
            field += 1 + line[rest..].iter().filter(|&&b| b == b',').count();
        }
        if field != self.width {
            return None;
        }
        let get = |(a, b): (usize, usize)| &text[start + a..start + b];
        let order = get(want[0]).as_bytes();
        if order.is_empty() || order.len() > 18 || !order.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let order = order
            .iter()
            .fold(0i64, |n, &d| n * 10 + i64::from(d - b'0'));
        let correct = match get(want[3]).as_bytes() {
            b"0" => 0,
            b"1" => 1,
            _ => return None,
        };
        let id = |range| {
            let id: &'t str = get(range);
            let bytes = id.as_bytes();
            let clean = |b: u8| b < 0x80 && !char::from(b).is_whitespace();
            (id.len() <= crate::MAX_ID_BYTES && clean(*bytes.first()?) && clean(*bytes.last()?))
                .then_some(id)
        };
        let item = match self.columns.item {
            Some(_) => Some(id(want[4])?),
            None => None,
        };
        Some((order, id(want[1])?, id(want[2])?, correct, item))
    }
}

/// Spreads a hash's bits (the finalizer of SplitMix64), so that learner ids
/// differing in one character land in different partitions.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

impl Partition {
    fn predict(&mut self, p: usize, texts: &[&[u8]], pieces: &[Piece], lookup: &Lookup<'_>) {
        let mut results = std::mem::take(&mut self.results);
        results.resize_with(pieces.len(), Vec::new);
        for ((piece, text), out) in pieces.iter().zip(texts).zip(&mut results) {
            out.clear();
            for &i in &piece.by_part[p] {
                let row = &piece.rows[i as usize];
                let Some(model) = lookup.models.get(row.skill as usize) else {
                    out.push([0.5, 0.5]);
                    continue;
                };
                let learner = self.learner(row, text);
                let known = self
                    .known
                    .entry(u64::from(learner) << 32 | u64::from(row.skill))
                    .or_insert(model.prior);
                let (p_correct, next) = step(
                    *known,
                    row.correct,
                    lookup.answers[row.answer as usize],
                    model.learn,
                    model.forget,
                );
                *known = next;
                out.push([p_correct, next]);
            }
        }
        self.results = results;
    }

    /// The partition's index of the row's learner, new ones numbered in turn.
    fn learner(&mut self, row: &ParsedRow, text: &[u8]) -> u32 {
        let next = self.learners;
        let index = if row.learner == LONG_ID {
            let at = row.learner_at as usize;
            let id = &text[at..at + row.learner_len as usize];
            // The id was checked as UTF-8 with its piece.
            let id = String::from_utf8_lossy(id);
            match self.long.get(id.as_ref()) {
                Some(&i) => i,
                None => {
                    self.long.insert(id.into(), next);
                    next
                }
            }
        } else {
            match self.last {
                Some((key, i)) if key == row.learner => return i,
                _ => {
                    let i = *self.short.entry(row.learner).or_insert(next);
                    self.last = Some((row.learner, i));
                    i
                }
            }
        };
        if index == next {
            self.learners += 1;
        }
        index
    }
}

/// Reads `input` in blocks of whole lines (the last may lack its line end),
/// recycling the buffers the main thread is done with.
fn read_blocks<R: Read>(
    input: R,
    block_bytes: usize,
    file: &Arc<str>,
    to_main: &SyncSender<Result<Vec<u8>>>,
    spare: &Receiver<Vec<u8>>,
) {
    let mut input = Capped::line_only(input);
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let mut block = spare.try_recv().unwrap_or_default();
        block.clear();
        block.extend_from_slice(&carry);
        carry.clear();
        // A line longer than a block (up to the line cap) makes the block grow.
        let target = block_bytes.max(block.len() + block_bytes / 4 + 1);
        let mut eof = false;
        while block.len() < target {
            let start = block.len();
            block.resize(target, 0);
            match input.read(&mut block[start..]) {
                Ok(0) => {
                    block.truncate(start);
                    eof = true;
                    break;
                }
                Ok(n) => block.truncate(start + n),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => block.truncate(start),
                Err(e) => {
                    let _ = to_main.send(Err(io_error(file, e)));
                    return;
                }
            }
        }
        if eof {
            if !block.is_empty() {
                let _ = to_main.send(Ok(block));
            }
            return;
        }
        // Cut after the last line end; a `\r` last in the block may be half
        // of a `\r\n`, so it waits for the next block.
        let cut = if block.last() == Some(&b'\n') {
            Some(block.len())
        } else {
            memchr::memrchr2(b'\n', b'\r', &block[..block.len() - 1])
                .map(|i| i + terminator_at(&block, i))
        };
        let Some(cut) = cut else {
            carry = block;
            continue;
        };
        carry.extend_from_slice(&block[cut..]);
        block.truncate(cut);
        if to_main.send(Ok(block)).is_err() {
            return;
        }
    }
}

/// Writes the header and every block's pieces, handing the buffers back.
fn write_blocks<W: Write>(
    mut output: W,
    blocks: &Receiver<Vec<Vec<u8>>>,
    spare: &SyncSender<Vec<Vec<u8>>>,
) -> std::io::Result<()> {
    output.write_all(HEADER)?;
    for buffers in blocks {
        for buffer in &buffers {
            output.write_all(buffer)?;
        }
        // The stream may be over: then nobody needs them.
        let _ = spare.try_send(buffers);
    }
    output.flush()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::fit::{Dataset, predict};
    use crate::model::{BktParams, SkillParams};

    fn params() -> PredictParams {
        let mut skills = SkillParams::default();
        skills.params.insert(
            "Median".into(),
            BktParams::new(0.35, 0.12, 0.0, 0.22, 0.1).unwrap(),
        );
        skills.params.insert(
            "a skill with a long name".into(),
            BktParams::new(0.2, 0.3, 0.05, 0.25, 0.15).unwrap(),
        );
        PredictParams::from(&skills)
    }

    fn stream(
        log: &str,
        block: usize,
        options: &DatasetOptions,
        unknown: UnknownSkill,
    ) -> Result<(String, CsvPredictReport)> {
        let mut out = Vec::new();
        let report = predict_csv_in_blocks(
            "log.csv",
            (log.as_bytes(), &mut out, block),
            &params(),
            options,
            &PredictOptions::default().unknown_skill(unknown),
        )?;
        Ok((String::from_utf8(out).unwrap(), report))
    }

    /// The (p_correct, p_mastery) of every output line.
    fn figures(out: &str) -> Vec<(f64, f64)> {
        out.lines()
            .skip(1)
            .map(|line| {
                let f: Vec<&str> = line.split(',').collect();
                (f[4].parse().unwrap(), f[5].parse().unwrap())
            })
            .collect()
    }

    /// Streams `log` in blocks of every size in `blocks` and checks the
    /// figures, bit for bit, and the report against `predict` on a `Dataset`.
    fn check_equal(log: &str, blocks: &[usize], options: &DatasetOptions, unknown: UnknownSkill) {
        let (data, load) = Dataset::from_reader("log.csv", log.as_bytes(), options).unwrap();
        let expected = predict(
            &data,
            &params(),
            &PredictOptions::default().unknown_skill(unknown),
        )
        .unwrap();
        let expected: Vec<(f64, f64)> = expected
            .p_correct()
            .iter()
            .copied()
            .zip(expected.p_mastery().iter().copied())
            .collect();
        for &block in blocks {
            let (out, report) = stream(log, block, options, unknown).unwrap();
            assert_eq!(figures(&out), expected, "blocks of {block} bytes");
            assert_eq!(report.load, load, "blocks of {block} bytes");
        }
    }

    const BLOCKS: [usize; 5] = [1, 7, 40, 1000, BLOCK_BYTES];

    #[test]
    fn equals_predict_on_a_dataset_whatever_the_block_size() {
        let log = "order_id,user_id,skill_name,correct\n\
                   1,u1,Median,1\n2,u2,Median,0\n3,u1,Median,0\n4,u1,a skill with a long name,1\n\
                   5,a learner with a long id,Median,1\n6,a learner with a long id,Median,1\n\
                   6,u2,Median,1\n7,u1,Median,1\n";
        check_equal(
            log,
            &BLOCKS,
            &DatasetOptions::default(),
            UnknownSkill::Reject,
        );
    }

    #[test]
    fn line_ends_blank_lines_and_a_byte_order_mark_read_as_dataset_reads_them() {
        let log = "\u{feff}\r\n\norder_id,user_id,skill_name,correct\r\n1,u1,Median,1\r\n\r\n\
                   2,u1,Median,0\r3,u2,Median,1\n4,u1,Median,1";
        check_equal(
            log,
            &BLOCKS,
            &DatasetOptions::default(),
            UnknownSkill::Reject,
        );
        let (out, _) = stream(log, 7, &DatasetOptions::default(), UnknownSkill::Reject).unwrap();
        assert_eq!(out.lines().count(), 5);
    }

    #[test]
    fn other_columns_and_column_orders_are_read() {
        let log = "correct,extra,skill_name,order_id,user_id\n1,x,Median,1,u1\n0,y,Median,2,u1\n";
        check_equal(
            log,
            &BLOCKS,
            &DatasetOptions::default(),
            UnknownSkill::Reject,
        );
        let (out, _) = stream(log, 1000, &DatasetOptions::default(), UnknownSkill::Reject).unwrap();
        assert!(out.lines().nth(1).unwrap().starts_with("1,u1,Median,1,"));
    }

    #[test]
    fn bad_rows_fail_at_their_line_or_are_reported_as_dataset_reports_them() {
        let log = "order_id,user_id,skill_name,correct\n1,u1,Median,1\n2,u1,Median,maybe\n\
                   3,u1,Median\n4, u1 ,Median,1\nx,u1,Median,1\n5,u1,Median,0\n";
        let skip = DatasetOptions::default().skip_bad_rows(true);
        check_equal(log, &BLOCKS, &skip, UnknownSkill::Reject);
        for block in BLOCKS {
            let err =
                stream(log, block, &DatasetOptions::default(), UnknownSkill::Reject).unwrap_err();
            let expected =
                Dataset::from_reader("log.csv", log.as_bytes(), &DatasetOptions::default())
                    .unwrap_err();
            assert_eq!(err.to_string(), expected.to_string());
            assert!(err.to_string().starts_with("log.csv:3: "), "{err}");
        }
    }

    #[test]
    fn skills_without_parameters_are_an_error_at_their_line_or_a_half() {
        let log = "order_id,user_id,skill_name,correct\n1,u1,Median,1\n2,u1,Mode,0\n3,u1,Mode,1\n";
        check_equal(
            log,
            &BLOCKS,
            &DatasetOptions::default(),
            UnknownSkill::PredictHalf,
        );
        let (out, report) = stream(
            log,
            7,
            &DatasetOptions::default(),
            UnknownSkill::PredictHalf,
        )
        .unwrap();
        assert_eq!(report.unpredicted, 2);
        assert!(out.lines().nth(2).unwrap().ends_with(",0.5,0.5"));
        let err = stream(log, 7, &DatasetOptions::default(), UnknownSkill::Reject).unwrap_err();
        assert!(
            matches!(&err, Error::UnknownStandard { id, at } if id == "Mode" && at.line == Some(3)),
            "{err:?}"
        );
    }

    #[test]
    fn a_log_out_of_order_or_with_quotes_is_not_streamable_and_says_where() {
        for block in BLOCKS {
            let log = "order_id,user_id,skill_name,correct\n1,u1,Median,1\n5,u2,Median,0\n\
                       4,u1,Median,1\n";
            let err =
                stream(log, block, &DatasetOptions::default(), UnknownSkill::Reject).unwrap_err();
            assert!(
                matches!(&err, Error::NotStreamable { at, reason }
                    if at.line == Some(4) && reason.contains("order_id 4 comes after 5")),
                "{err:?}"
            );
            let log = "order_id,user_id,skill_name,correct\n1,u1,Median,1\n2,\"u,2\",Median,0\n";
            let err =
                stream(log, block, &DatasetOptions::default(), UnknownSkill::Reject).unwrap_err();
            assert!(
                matches!(&err, Error::NotStreamable { at, .. } if at.line == Some(3)),
                "{err:?}"
            );
        }
    }

    #[test]
    fn invalid_utf8_empty_input_and_missing_columns_are_typed_errors() {
        let mut bytes = b"order_id,user_id,skill_name,correct\n1,u1,Median,1\n2,u".to_vec();
        bytes.extend_from_slice(&[0xff, 0xfe]);
        bytes.extend_from_slice(b",Median,1\n");
        for block in BLOCKS {
            let mut out = Vec::new();
            let err = predict_csv_in_blocks(
                "log.csv",
                (&bytes[..], &mut out, block),
                &params(),
                &DatasetOptions::default(),
                &PredictOptions::default(),
            )
            .unwrap_err();
            assert!(
                matches!(&err, Error::InvalidUtf8 { at } if at.line == Some(3)),
                "{err:?}"
            );
        }
        let err = stream("\n\n", 1, &DatasetOptions::default(), UnknownSkill::Reject).unwrap_err();
        assert!(matches!(err, Error::EmptyFile { .. }), "{err:?}");
        let err = stream(
            "order_id,user_id,correct\n1,u1,1\n",
            1,
            &DatasetOptions::default(),
            UnknownSkill::Reject,
        )
        .unwrap_err();
        assert!(matches!(err, Error::MissingColumn { .. }), "{err:?}");
        // A header alone is an empty prediction, not an error: nothing to predict.
        let (out, report) = stream(
            "order_id,user_id,skill_name,correct\n",
            1,
            &DatasetOptions::default(),
            UnknownSkill::Reject,
        )
        .unwrap();
        assert_eq!(
            (out.as_str(), report.load.rows_used),
            (std::str::from_utf8(HEADER).unwrap(), 0)
        );
    }

    #[test]
    fn per_item_guess_and_slip_are_used_with_the_item_column() {
        let mut skills = SkillParams::default();
        let p = BktParams::new(0.35, 0.12, 0.0, 0.22, 0.1).unwrap();
        skills.params.insert("Median".into(), p);
        skills.items.insert(
            "Median".into(),
            [
                (
                    "easy".to_owned(),
                    crate::model::GuessSlip::new(0.4, 0.05).unwrap(),
                ),
                (
                    "hard".to_owned(),
                    crate::model::GuessSlip::new(0.1, 0.3).unwrap(),
                ),
            ]
            .into_iter()
            .collect(),
        );
        let params = PredictParams::from(&skills);
        let log = "order_id,user_id,skill_name,correct,item\n1,u1,Median,1,easy\n\
                   2,u1,Median,0,hard\n3,u1,Median,1,new\n";
        for options in [
            DatasetOptions::default().item_column("item"),
            DatasetOptions::default(),
        ] {
            let (data, _) = Dataset::from_reader("log.csv", log.as_bytes(), &options).unwrap();
            let expected = predict(&data, &params, &PredictOptions::default()).unwrap();
            let mut out = Vec::new();
            predict_csv_in_blocks(
                "log.csv",
                (log.as_bytes(), &mut out, 9),
                &params,
                &options,
                &PredictOptions::default(),
            )
            .unwrap();
            let got = figures(std::str::from_utf8(&out).unwrap());
            let want: Vec<f64> = expected.p_correct().to_vec();
            assert_eq!(got.iter().map(|g| g.0).collect::<Vec<_>>(), want);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Any log in order_id order (ties included), in blocks of any size,
        /// on any number of threads: the figures of `predict`, bit for bit.
        #[test]
        fn streaming_equals_predicting_a_dataset(
            rows in prop::collection::vec((0u8..3, 0u8..6, 0u8..3, any::<bool>()), 1..120),
            block in 1usize..300,
            threads in 1usize..4,
        ) {
            let skills = ["Median", "a skill with a long name", "Mode"];
            let mut log = String::from("order_id,user_id,skill_name,correct\n");
            let mut order = 0;
            for (step, learner, skill, correct) in rows {
                order += u32::from(step);
                let learner = if learner == 5 { "a learner with a long id".to_owned() } else { format!("u{learner}") };
                log.push_str(&format!("{order},{learner},{},{}\n", skills[usize::from(skill)], u8::from(correct)));
            }
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| check_equal(&log, &[block], &DatasetOptions::default(), UnknownSkill::PredictHalf));
        }
    }
}
