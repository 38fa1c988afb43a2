//! Parsing one piece of a block: lines, fields, the fast path for plain
//! rows and the loader's checks for the rest.

use std::hash::BuildHasher;

use super::{LONG_ID, Lookup, ParsedRow, Piece, Stop, UNKNOWN};
use crate::evidence::{Columns, Fields, parse_row};
use crate::fit::dataset::{check_id_lengths, short_key};
use crate::io::count_lines;

pub(super) struct ParseContext<'a, 'p> {
    pub(super) lookup: &'a Lookup<'p>,
    pub(super) columns: Columns<'a>,
    /// Per column up to the last one a row needs: which of order, learner,
    /// skill, correct and item it is ([`NOT_NEEDED`] for others).
    pub(super) slots: Vec<u8>,
    pub(super) width: usize,
    pub(super) skip: bool,
    pub(super) reject_unknown: bool,
    pub(super) parts: usize,
}

impl ParseContext<'_, '_> {
    pub(super) fn parse(&self, bytes: &[u8], piece: &mut Piece) {
        piece.rows.clear();
        piece.by_part.resize_with(self.parts, Vec::new);
        piece.by_part.iter_mut().for_each(Vec::clear);
        piece.skipped.clear();
        piece.stop = None;
        piece.rows_read = 0;
        piece.unpredicted = 0;
        // Counted by the pass below; read only for a piece that did not stop.
        piece.lines = 0;
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
        // Lines split as `Dataset`'s readers split them (`\n`, `\r\n` or a
        // lone `\r`); blank lines are not rows. One vectorized pass finds
        // every comma and line end of the piece.
        let mut commas: Vec<usize> = Vec::with_capacity(self.width);
        let (mut line, mut start, mut after_cr) = (0u32, 0usize, false);
        for at in memchr::memchr3_iter(b',', b'\n', b'\r', bytes) {
            match bytes[at] {
                b',' => commas.push(at),
                b'\n' if after_cr && at == start => {
                    // The `\n` of a `\r\n`: the line ended at the `\r`.
                    start = at + 1;
                    after_cr = false;
                }
                terminator => {
                    if at > start && !self.row(text, start, at, &commas, line, piece) {
                        return;
                    }
                    commas.clear();
                    line += 1;
                    start = at + 1;
                    after_cr = terminator == b'\r';
                }
            }
        }
        piece.lines = u64::from(line);
        if start < bytes.len() {
            self.row(text, start, bytes.len(), &commas, line, piece);
        }
    }

    /// Adds the row of the line `text[start..end]`, whose commas are at
    /// `commas`, to `piece`; false once the piece stops.
    fn row(
        &self,
        text: &str,
        start: usize,
        end: usize,
        commas: &[usize],
        line: u32,
        piece: &mut Piece,
    ) -> bool {
        piece.rows_read += 1;
        let fields = match self.fast_fields(text, start, end, commas) {
            Some(fields) => Ok(fields),
            // Anything unusual takes the shared reader's checks, for its messages.
            None => {
                let all: Vec<&str> = text[start..end].split(',').collect();
                if all.len() == self.width {
                    parse_row(|i| all.get(i).copied(), &self.columns).and_then(check_id_lengths)
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
    fn fast_fields<'t>(
        &self,
        text: &'t str,
        start: usize,
        end: usize,
        commas: &[usize],
    ) -> Option<Fields<'t>> {
        if commas.len() + 1 != self.width {
            return None;
        }
        let mut want: [(usize, usize); 5] = [(0, 0); 5];
        for (i, &slot) in self.slots.iter().enumerate() {
            if let Some(range) = want.get_mut(usize::from(slot)) {
                let from = if i == 0 { start } else { commas[i - 1] + 1 };
                *range = (from, commas.get(i).copied().unwrap_or(end));
            }
        }
        let get = |(a, b): (usize, usize)| &text[a..b];
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
