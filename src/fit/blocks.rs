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
///
/// ```
/// use mastery::fit::{Dataset, DatasetOptions, ExpectedCounts, HmmParams, SequenceBlocks};
///
/// let csv = "order_id,user_id,skill_name,correct\n1,a,S,0\n2,a,S,1\n3,b,S,1\n4,c,S,0\n5,c,S,1\n";
/// let (data, _) = Dataset::from_reader("log.csv", csv.as_bytes(), &DatasetOptions::default())?;
/// let skill = &data.skills()[0];
/// let params = HmmParams { prior: 0.3, learn: 0.2, forget: 0.05, guess: vec![0.2], slip: vec![0.1] };
/// let blocks = SequenceBlocks::new(skill);
/// let fast = ExpectedCounts::compute_blocks(&blocks, &params, 0..blocks.len())?;
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

/// The numbers of one parameter set: the emission of response `o` in state
/// k is `e_k + o d_k`, and `1` on padding.
struct Consts {
    /// `E_k(0)` for states k = not known, known.
    e: [f64; 2],
    /// `E_k(1) - E_k(0)`.
    d: [f64; 2],
    prior: f64,
    learn: f64,
    forget: f64,
}

impl Consts {
    fn new(m: &Emissions) -> Self {
        let [e0, e1] = m.by_item[0];
        Consts {
            e: e0,
            d: [e1[0] - e0[0], e1[1] - e0[1]],
            prior: m.prior,
            learn: m.learn,
            forget: m.forget,
        }
    }

    /// Emissions per lane (not known, known) for responses `o`; with
    /// `MASKED`, `m` (1 on a response, 0 on padding) makes padding emit 1.
    #[inline(always)]
    fn emit<const MASKED: bool>(&self, o: &V, m: &V) -> (V, V) {
        let mut e0 = [0.0; W];
        let mut e1 = [0.0; W];
        for l in 0..W {
            e0[l] = self.e[0] + o[l] * self.d[0];
            e1[l] = self.e[1] + o[l] * self.d[1];
            if MASKED {
                e0[l] = 1.0 + m[l] * (e0[l] - 1.0);
                e1[l] = 1.0 + m[l] * (e1[l] - 1.0);
            }
        }
        (e0, e1)
    }
}

/// 1 for lanes that have a response at step `t`, 0 for padding.
#[inline(always)]
fn mask(lane_len: &[usize; W], t: usize) -> V {
    let mut m = [0.0; W];
    for l in 0..W {
        m[l] = f64::from(u8::from(t < lane_len[l]));
    }
    m
}

/// Weighted sums over all blocks so far.
#[derive(Default)]
struct Totals {
    log_likelihood: f64,
    /// Per lane: sequence probabilities not yet in `log_likelihood`.
    probability: V,
    sequences: f64,
    responses: f64,
    correct: f64,
    initial_known: f64,
    learned: f64,
    forgot: f64,
    known: f64,
    known_correct: f64,
    known_with_next: f64,
    learn: f64,
    forget: f64,
}

impl Totals {
    fn into_counts(self) -> ExpectedCounts {
        let log_likelihood =
            self.log_likelihood + self.probability.iter().map(|p| p.ln()).sum::<f64>();
        let transitions = self.responses - self.sequences;
        ExpectedCounts {
            log_likelihood,
            sequences: self.sequences,
            initial_known: self.initial_known,
            unknown_with_next: transitions - self.known_with_next,
            learned: self.learned * self.learn,
            known_with_next: self.known_with_next,
            forgot: self.forgot * self.forget,
            items: vec![[
                self.responses - self.known,
                self.correct - self.known_correct,
                self.known,
                self.known - self.known_correct,
            ]],
        }
    }
}

/// The forward pass's state: unnormalized probabilities, renormalized at
/// steps that are multiples of [`RESCALE`].
struct Forward {
    a0: V,
    a1: V,
    scale: V,
    log_scale: V,
}

impl Forward {
    #[inline(always)]
    fn step<const MASKED: bool>(&mut self, t: usize, o: &V, lane_len: &[usize; W], c: &Consts) {
        let m = if MASKED { mask(lane_len, t) } else { [1.0; W] };
        let (e0, e1) = c.emit::<MASKED>(o, &m);
        let (l, f) = (c.learn, c.forget);
        for k in 0..W {
            let next0 = e0[k] * (self.a0[k] * (1.0 - l) + self.a1[k] * f);
            let next1 = e1[k] * (self.a0[k] * l + self.a1[k] * (1.0 - f));
            self.a0[k] = next0;
            self.a1[k] = next1;
        }
        if t % RESCALE == 0 {
            for k in 0..W {
                let sum = self.a0[k] + self.a1[k];
                let inv = 1.0 / sum;
                self.a0[k] *= inv;
                self.a1[k] *= inv;
                self.scale[k] *= sum;
                if self.scale[k] < 1e-200 {
                    self.log_scale[k] += self.scale[k].ln();
                    self.scale[k] = 1.0;
                }
            }
        }
    }
}

/// The backward pass's state. Beta is renormalized at the same steps as
/// alpha, so `Z = alpha_t . beta_t` (the sequence probability in the
/// current scales) is constant over each stretch `[8k, 8k + 7]`: the
/// stretch's sums are kept unnormalized and divided by its Z once.
struct Backward {
    b0: V,
    b1: V,
    /// Emissions and mask of step `t + 1`.
    e0: V,
    e1: V,
    m_next: V,
    /// Normalized sums: known, known and correct, known with a next step,
    /// learned (before the factor learn), forgot (before forget).
    sums: [V; 5],
    stretch: [V; 5],
    inv_z: V,
    fresh_z: bool,
    gamma0: V,
}

impl Backward {
    fn flush(&mut self) {
        for (sum, part) in self.sums.iter_mut().zip(&mut self.stretch) {
            for k in 0..W {
                sum[k] += part[k] * self.inv_z[k];
                part[k] = 0.0;
            }
        }
    }

    #[inline(always)]
    fn step<const MASKED: bool>(
        &mut self,
        t: usize,
        alpha: &[V; 2],
        o: &V,
        lane_len: &[usize; W],
        c: &Consts,
    ) {
        let (l, f) = (c.learn, c.forget);
        let [x0, x1] = alpha;
        let mut p0 = [0.0; W];
        let mut p1 = [0.0; W];
        let mut r0 = [0.0; W];
        let mut r1 = [0.0; W];
        for k in 0..W {
            p0[k] = self.e0[k] * self.b0[k];
            p1[k] = self.e1[k] * self.b1[k];
            r0[k] = (1.0 - l) * p0[k] + l * p1[k];
            r1[k] = f * p0[k] + (1.0 - f) * p1[k];
        }
        if self.fresh_z {
            self.flush();
            for k in 0..W {
                self.inv_z[k] = 1.0 / (x0[k] * r0[k] + x1[k] * r1[k]);
            }
            self.fresh_z = false;
        }
        let m = if MASKED { mask(lane_len, t) } else { [1.0; W] };
        let m_next = if MASKED { self.m_next } else { [1.0; W] };
        for k in 0..W {
            let g = x1[k] * r1[k];
            self.stretch[0][k] += g * m[k];
            self.stretch[1][k] += g * o[k];
            self.stretch[2][k] += g * m_next[k];
            self.stretch[3][k] += x0[k] * p1[k] * m_next[k];
            self.stretch[4][k] += x1[k] * p0[k] * m_next[k];
        }
        if t == 0 {
            for k in 0..W {
                self.gamma0[k] = x1[k] * r1[k] * self.inv_z[k] * m[k];
            }
        }
        if t % RESCALE == 0 {
            for k in 0..W {
                let inv = 1.0 / (r0[k] + r1[k]);
                self.b0[k] = r0[k] * inv;
                self.b1[k] = r1[k] * inv;
            }
            self.fresh_z = true;
        } else {
            self.b0 = r0;
            self.b1 = r1;
        }
        (self.e0, self.e1) = c.emit::<MASKED>(o, &m);
        self.m_next = m;
    }
}

/// Forward-backward over one block, adding its weighted counts to `acc`.
/// Steps where every lane has a response run without masks; only the
/// padded tail (and step 0, for empty lanes) pays for them.
fn block_pass(obs: &[V], block: &Block, c: &Consts, forward: &mut Vec<[V; 2]>, acc: &mut Totals) {
    let n = obs.len();
    if n == 0 {
        return;
    }
    let lane_len = &block.lane_len;
    // Every lane has a response at steps below `full`.
    let full = lane_len[W - 1].max(1).min(n);
    forward.clear();
    forward.reserve(n);
    let m = mask(lane_len, 0);
    let (e0, e1) = c.emit::<true>(&obs[0], &m);
    let mut pass = Forward {
        a0: [0.0; W],
        a1: [0.0; W],
        scale: [1.0; W],
        log_scale: [0.0; W],
    };
    for k in 0..W {
        pass.a0[k] = (1.0 - c.prior) * e0[k];
        pass.a1[k] = c.prior * e1[k];
    }
    forward.push([pass.a0, pass.a1]);
    for (t, o) in obs.iter().enumerate().take(full).skip(1) {
        pass.step::<false>(t, o, lane_len, c);
        forward.push([pass.a0, pass.a1]);
    }
    for (t, o) in obs.iter().enumerate().skip(full) {
        pass.step::<true>(t, o, lane_len, c);
        forward.push([pass.a0, pass.a1]);
    }

    // The last step (beta = 1).
    let last = n - 1;
    let m_last = mask(lane_len, last);
    let (e0, e1) = c.emit::<true>(&obs[last], &m_last);
    let mut back = Backward {
        b0: [1.0; W],
        b1: [1.0; W],
        e0,
        e1,
        m_next: m_last,
        sums: [[0.0; W]; 5],
        stretch: [[0.0; W]; 5],
        inv_z: [0.0; W],
        fresh_z: true,
        gamma0: [0.0; W],
    };
    for k in 0..W {
        let g = pass.a1[k] / (pass.a0[k] + pass.a1[k]) * m_last[k];
        back.sums[0][k] = g;
        back.sums[1][k] = g * obs[last][k];
        if n == 1 {
            back.gamma0[k] = g;
        }
    }
    // Masked while step t + 1 may be padding, i.e. t + 1 >= full.
    for t in (full.saturating_sub(1)..last).rev() {
        back.step::<true>(t, &forward[t], &obs[t], lane_len, c);
    }
    for t in (0..full.saturating_sub(1).min(last)).rev() {
        back.step::<false>(t, &forward[t], &obs[t], lane_len, c);
    }
    back.flush();

    let w = block.weight;
    let [known, known_correct, known_next, learned, forgot] = back.sums;
    for k in 0..W {
        if w[k] == 0.0 {
            continue;
        }
        // P(sequence) = (a0 + a1) * scale * exp(log_scale); logs only now and then.
        let probability = (pass.a0[k] + pass.a1[k]) * pass.scale[k];
        acc.log_likelihood += w[k] * pass.log_scale[k];
        let power = if w[k] == 1.0 {
            probability
        } else {
            probability.powi(w[k] as i32)
        };
        if power < 1e-100 {
            acc.log_likelihood += w[k] * probability.ln();
        } else {
            acc.probability[k] *= power;
            if acc.probability[k] < 1e-100 {
                acc.log_likelihood += acc.probability[k].ln();
                acc.probability[k] = 1.0;
            }
        }
        acc.sequences += w[k];
        acc.initial_known += w[k] * back.gamma0[k];
        acc.known += w[k] * known[k];
        acc.known_correct += w[k] * known_correct[k];
        acc.known_with_next += w[k] * known_next[k];
        acc.learned += w[k] * learned[k];
        acc.forgot += w[k] * forgot[k];
    }
    acc.responses += block.responses;
    acc.correct += block.correct;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::{Dataset, DatasetOptions};

    fn skill(csv_body: &str) -> SkillData {
        let csv = format!("order_id,user_id,skill_name,correct\n{csv_body}");
        let (d, _) =
            Dataset::from_reader("t.csv", csv.as_bytes(), &DatasetOptions::default()).unwrap();
        d.skills()[0].clone()
    }

    fn assert_same(fast: &ExpectedCounts, plain: &ExpectedCounts) {
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * (1.0 + b.abs());
        let pairs = [
            ("log_likelihood", fast.log_likelihood, plain.log_likelihood),
            ("sequences", fast.sequences, plain.sequences),
            ("initial_known", fast.initial_known, plain.initial_known),
            ("learned", fast.learned, plain.learned),
            ("forgot", fast.forgot, plain.forgot),
            (
                "known_with_next",
                fast.known_with_next,
                plain.known_with_next,
            ),
            (
                "unknown_with_next",
                fast.unknown_with_next,
                plain.unknown_with_next,
            ),
        ];
        for (what, a, b) in pairs {
            assert!(close(a, b), "{what}: {a} vs {b}");
        }
        for k in 0..4 {
            assert!(
                close(fast.items[0][k], plain.items[0][k]),
                "item count {k}: {} vs {}",
                fast.items[0][k],
                plain.items[0][k]
            );
        }
    }

    /// Lengths 1 to 60 (padding within blocks, a partial last block),
    /// stretches crossing the rescaling steps, with and without forgetting.
    #[test]
    fn blocks_equal_the_plain_pass() {
        let mut body = String::new();
        let mut order = 0;
        for learner in 0..37 {
            let n = 1 + (learner * 13 + learner / 3) % 60;
            for t in 0..n {
                order += 1;
                let correct = u8::from((t * 7 + learner * 3) % 5 < 3);
                body += &format!("{order},u{learner:03},S,{correct}\n");
            }
        }
        let data = skill(&body);
        let blocks = SequenceBlocks::new(&data);
        assert_eq!(blocks.len(), 37usize.div_ceil(W));
        assert!(blocks.steps() * W > data.len());
        for (forget, guess, slip) in [(0.0, 0.2, 0.1), (0.07, 0.3, 0.25), (0.4, 1e-12, 0.49)] {
            let params = HmmParams {
                prior: 0.27,
                learn: 0.13,
                forget,
                guess: vec![guess],
                slip: vec![slip],
            };
            let plain = ExpectedCounts::compute(&data, &params, 0..data.sequence_count()).unwrap();
            let fast = ExpectedCounts::compute_blocks(&blocks, &params, 0..blocks.len()).unwrap();
            assert_same(&fast, &plain);
            // Shards merge to the whole.
            let mut merged = ExpectedCounts::default();
            for range in blocks.shards(100) {
                merged.merge(&blocks.e_step(&params, range));
            }
            assert_same(&merged, &plain);
        }
    }

    #[test]
    fn weighted_blocks_equal_every_sequence() {
        let body: String = (0..90)
            .flat_map(|learner| {
                let pattern = learner % 7;
                (0..=pattern * 3).map(move |t| {
                    let correct = u8::from((t * 3 + pattern) % 4 < 2);
                    format!("{},u{learner:02},S,{correct}\n", learner * 100 + t)
                })
            })
            .collect();
        let data = skill(&body);
        let (distinct, multiplicity) = data.distinct_sequences();
        let blocks = SequenceBlocks::weighted(&distinct, &multiplicity);
        let params = HmmParams {
            prior: 0.31,
            learn: 0.11,
            forget: 0.05,
            guess: vec![0.21],
            slip: vec![0.12],
        };
        let every = ExpectedCounts::compute(&data, &params, 0..data.sequence_count()).unwrap();
        assert_same(&blocks.e_step(&params, 0..blocks.len()), &every);
    }

    #[test]
    fn long_sequences_do_not_underflow() {
        let body: String = (0..5000)
            .map(|i| format!("{i},a,S,{}\n", i % 3 % 2))
            .chain((0..4990).map(|i| format!("{},b,S,{}\n", 10_000 + i, i % 5 % 2)))
            .collect();
        let data = skill(&body);
        let params = HmmParams {
            prior: 0.3,
            learn: 0.01,
            forget: 0.01,
            guess: vec![1e-12],
            slip: vec![0.3],
        };
        let blocks = SequenceBlocks::new(&data);
        let fast = blocks.e_step(&params, 0..blocks.len());
        assert!(fast.log_likelihood.is_finite() && fast.log_likelihood < -1000.0);
        let plain = ExpectedCounts::compute(&data, &params, 0..2).unwrap();
        assert_same(&fast, &plain);
    }

    #[test]
    fn bad_ranges_and_items_are_errors() {
        let data = skill("1,a,S,1\n2,a,S,0\n");
        let blocks = SequenceBlocks::new(&data);
        let mut params = HmmParams {
            prior: 0.3,
            learn: 0.1,
            forget: 0.0,
            guess: vec![0.2],
            slip: vec![0.1],
        };
        assert!(ExpectedCounts::compute_blocks(&blocks, &params, 0..2).is_err());
        params.guess.push(0.3);
        assert!(ExpectedCounts::compute_blocks(&blocks, &params, 0..1).is_err());
    }
}
