//! A partition's pass over a block: its learners' rows, in file order.

use super::{LONG_ID, Lookup, ParsedRow, Partition, Piece};
use crate::fit::predict::step;

impl Partition {
    pub(super) fn predict(
        &mut self,
        p: usize,
        texts: &[&[u8]],
        pieces: &[Piece],
        lookup: &Lookup<'_>,
    ) {
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
