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

use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use foldhash::HashMap;
use rayon::prelude::*;

mod parse;
mod partition;
#[cfg(test)]
mod tests;
mod threads;

use parse::ParseContext;
use threads::{read_blocks, write_blocks};

use super::{PredictOptions, PredictParams, UnknownSkill};
use crate::error::{Error, Location, Result};
use crate::fit::dataset::{
    DatasetOptions, LoadReport, SkippedRow, locate, plain_header, short_key, split_at_lines,
};
use crate::io::{count_lines, strip_bom};

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
    /// (only with [`DatasetOptions::bad_rows`]).
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
/// Memory is a few blocks of 1 MiB plus one estimate per learner and skill,
/// however long the log; the work runs on the current rayon pool, plus one
/// thread reading and one writing. `name` names the input in errors. Time
/// O(input bytes + rows); memory O(learners × skills) beside the blocks.
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
/// - [`Error::UnknownSkill`] for a skill without parameters, with
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
            context: None,
            lines_before: 0,
            last_order: None,
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
    /// Line terminators in the piece (counted only when it does not stop).before the row.
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
    /// Line terminators in the piece (counted only when it does not stop).
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
    /// How rows are parsed, once the header is read.
    context: Option<ParseContext<'a, 'p>>,
    /// Lines of the input before the current block.
    lines_before: u64,
    last_order: Option<i64>,
}

impl<'a, 'p> Stream<'a, 'p> {
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
        let mut first_block = true;
        for block in blocks {
            let block = block?;
            let mut body: &[u8] = &block;
            if std::mem::take(&mut first_block) {
                body = strip_bom(body);
            }
            if self.context.is_none() {
                match plain_header(self.file, body)? {
                    Some((header, offset, line)) => {
                        if memchr::memchr(b'"', &body[..offset]).is_some() {
                            return Err(self.not_streamable(self.lines_before + line, Stop::Quoted));
                        }
                        self.lines_before += line;
                        self.context = Some(self.parse_context(&header)?);
                        body = &body[offset..];
                    }
                    None => {
                        self.lines_before += count_lines(body);
                        let _ = recycle_input.try_send(block);
                        continue;
                    }
                }
            }
            let texts = split_at_lines(body, threads * PIECES_PER_THREAD);
            if pieces.len() < texts.len() {
                pieces.resize_with(texts.len(), Piece::default);
            }
            let pieces = &mut pieces[..texts.len()];
            self.parse(&texts, pieces);
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
        if self.context.is_none() {
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
            Stop::UnknownSkill(skill) => Error::UnknownSkill { skill, at },
        }
    }

    /// How rows are read under `header`: the columns located, and which
    /// field of a line holds each.
    fn parse_context(&self, header: &[String]) -> Result<ParseContext<'a, 'p>> {
        let columns = locate(self.file, header, self.options)?;
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
        Ok(ParseContext {
            lookup: self.lookup,
            columns,
            slots,
            width: header.len(),
            skip: self.options.skips_bad_rows(),
            reject_unknown: self.unknown == UnknownSkill::Reject,
            parts: self.parts.len(),
        })
    }

    /// Parses the pieces in parallel (once the header is read).
    fn parse(&self, texts: &[&[u8]], pieces: &mut [Piece]) {
        if let Some(ctx) = &self.context {
            pieces
                .par_iter_mut()
                .zip(texts.par_iter())
                .for_each(|(piece, text)| ctx.parse(text, piece));
        }
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
