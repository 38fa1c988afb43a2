//! The single-item E-step over [`SequenceBlocks`]: sequences of one skill
//! sorted by length and laid out `W` at a time, time-major, so each step of
//! the forward-backward pass is the same arithmetic on every lane (plain
//! `[f64; W]` loops that the compiler vectorizes; no `unsafe`, no nightly
//! `std::simd`).
//!
//! The lane count follows the instruction set the crate is compiled for:
//! two lanes fill an SSE2 register (every x86-64), four fill an AVX one
//! (`-C target-cpu=native` on most machines since 2011). Four lanes on SSE2
//! were slower (2.0 against 1.6 s of CPU in the `fit` example on the 2M-row
//! log: their state no longer fits in the 16 registers); on AVX they take
//! 16% less time per response than two (`cargo bench --bench fit --
//! e_step_blocks_one_thread`, 6.4 against 5.4 ns, 2-core x86-64 VM).
//!
//! Lanes of a block have nearly equal lengths (neighbours in length order);
//! a shorter lane is padded at its end with "no observation" steps, whose
//! emission is 1 in both states. Padding at the end is exact: the forward
//! probabilities keep their sum through a transition, the backward ones stay
//! uniform, and the padded steps' expected counts are masked out.

use super::dataset::SkillData;
use super::em::{Emissions, ExpectedCounts, HmmParams};

mod pass;
#[cfg(test)]
mod tests;

use pass::*;

/// Lanes per block: as many `f64`s as one vector register holds (see the
/// module docs). Eight lanes (two registers per step, to hide the
/// recurrences' latency) made `e_step_blocks_one_thread` 25% faster in one
/// run under load, but the whole fit of the 2M-row log took more CPU
/// (1.14-1.62 s user against 1.04-1.12 s), so four it is.
const W: usize = if cfg!(target_feature = "avx") { 4 } else { 2 };
type V = [f64; W];

/// Responses at which the passes renormalize: every `RESCALE` steps (often
/// enough that nothing underflows even with emissions at the 1e-12 floor).
const RESCALE: usize = 8;

/// One skill's sequences (one guess/slip for the skill) laid out for the
/// E-step, built once per fit and reused by every EM iteration of every
/// restart: sorted by length, in blocks of lanes stored time-major.
/// Internal to the fit; the benchmarks reach it through `fit::__bench`.
///
/// ```
/// use mastery::fit::__bench::{SequenceBlocks, compute_blocks};
/// use mastery::fit::{Dataset, DatasetOptions, ExpectedCounts, HmmParams};
///
/// let csv = "order_id,user_id,skill_name,correct\n1,a,S,0\n2,a,S,1\n3,b,S,1\n4,c,S,0\n5,c,S,1\n";
/// let (data, _) = Dataset::from_reader("log.csv", csv.as_bytes(), &DatasetOptions::default())?;
/// let skill = &data.skills()[0];
/// let params = HmmParams { prior: 0.3, learn: 0.2, forget: 0.05, guess: vec![0.2], slip: vec![0.1] };
/// let blocks = SequenceBlocks::new(skill);
/// let fast = compute_blocks(&blocks, &params, 0..blocks.len())?;
/// let plain = ExpectedCounts::compute(skill, &params, 0..skill.sequence_count())?;
/// assert!((fast.log_likelihood - plain.log_likelihood).abs() < 1e-12);
/// assert!((fast.learned - plain.learned).abs() < 1e-12);
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SequenceBlocks {
    blocks: Vec<Block>,
    /// Responses (1.0 correct, 0.0 incorrect or padding) of all blocks,
    /// time-major: block `b` has `obs[b.offset..b.offset + b.len]`.
    obs: Vec<V>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Block {
    offset: usize,
    /// The longest lane's length; `lane_len[W - 1]` is the shortest.
    len: usize,
    lane_len: [usize; W],
    weight: V,
    responses: f64,
    correct: f64,
}

impl SequenceBlocks {
    /// Every sequence of `skill`, each once (item ids ignored).
    #[must_use]
    pub fn new(skill: &SkillData) -> Self {
        Self::weighted(skill, &[])
    }

    /// The sequences of `skill`, sequence `s` counted `multiplicity[s]`
    /// times (empty: once each).
    pub(crate) fn weighted(skill: &SkillData, multiplicity: &[u32]) -> Self {
        let count = skill.sequence_count();
        let mut order: Vec<usize> = (0..count).collect();
        // Longest first; ties in sequence order (deterministic).
        order.sort_by_key(|&s| std::cmp::Reverse(skill.sequence(s).len()));
        let mut blocks = Vec::with_capacity(count.div_ceil(W));
        let mut obs = Vec::new();
        for lanes in order.chunks(W) {
            let len = skill.sequence(lanes[0]).len();
            let offset = obs.len();
            obs.resize(offset + len, [0.0; W]);
            let mut block = Block {
                offset,
                len,
                lane_len: [0; W],
                weight: [0.0; W],
                responses: 0.0,
                correct: 0.0,
            };
            for (lane, &s) in lanes.iter().enumerate() {
                let sequence = skill.sequence(s);
                let w = f64::from(multiplicity.get(s).copied().unwrap_or(1));
                block.weight[lane] = w;
                block.lane_len[lane] = sequence.len();
                block.responses += w * sequence.len() as f64;
                for (slot, &o) in obs[offset..].iter_mut().zip(sequence) {
                    slot[lane] = f64::from(o & 1);
                    block.correct += w * f64::from(o & 1);
                }
            }
            blocks.push(block);
        }
        SequenceBlocks { blocks, obs }
    }

    /// The number of blocks.
    #[must_use]
    pub fn len(&self) -> usize {
        self.blocks.len()
    }

    /// Whether there are no blocks.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }

    /// Time steps in all blocks (responses plus padding); a step holds one slot per lane.
    #[must_use]
    pub fn steps(&self) -> usize {
        self.obs.len()
    }

    /// Block ranges of about `responses` responses each (the last may be smaller).
    pub(crate) fn shards(&self, responses: usize) -> Vec<std::ops::Range<usize>> {
        let mut ranges = Vec::new();
        let (mut start, mut size) = (0, 0);
        for (b, block) in self.blocks.iter().enumerate() {
            size += block.len * W;
            if size >= responses {
                ranges.push(start..b + 1);
                start = b + 1;
                size = 0;
            }
        }
        if start < self.blocks.len() {
            ranges.push(start..self.blocks.len());
        }
        ranges
    }

    /// The E-step over blocks `range` (caller checks the range and that
    /// `params` has one item).
    pub(crate) fn e_step(
        &self,
        params: &HmmParams,
        range: std::ops::Range<usize>,
    ) -> ExpectedCounts {
        let c = Consts::new(&Emissions::new(params));
        let mut acc = Totals {
            probability: [1.0; W],
            learn: c.learn,
            forget: c.forget,
            ..Totals::default()
        };
        let mut forward: Vec<[V; 2]> = Vec::new();
        for block in &self.blocks[range] {
            let obs = &self.obs[block.offset..block.offset + block.len];
            block_pass(obs, block, &c, &mut forward, &mut acc);
        }
        acc.into_counts()
    }
}
