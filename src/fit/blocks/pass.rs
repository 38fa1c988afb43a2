//! One block pass: forward and backward over W sequences in lockstep, expected counts summed per lane.

use super::*;

/// The numbers of one parameter set: the emission of response `o` in state
/// k is `e_k + o d_k`, and `1` on padding.
pub(super) struct Consts {
    /// `E_k(0)` for states k = not known, known.
    pub(super) e: [f64; 2],
    /// `E_k(1) - E_k(0)`.
    pub(super) d: [f64; 2],
    pub(super) prior: f64,
    pub(super) learn: f64,
    pub(super) forget: f64,
}

impl Consts {
    pub(super) fn new(m: &Emissions) -> Self {
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
    pub(super) fn emit<const MASKED: bool>(&self, o: &V, m: &V) -> (V, V) {
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
pub(super) fn mask(lane_len: &[usize; W], t: usize) -> V {
    let mut m = [0.0; W];
    for l in 0..W {
        m[l] = f64::from(u8::from(t < lane_len[l]));
    }
    m
}

/// Weighted sums over all blocks so far.
#[derive(Default)]
pub(super) struct Totals {
    pub(super) log_likelihood: f64,
    /// Per lane: sequence probabilities not yet in `log_likelihood`.
    pub(super) probability: V,
    pub(super) sequences: f64,
    pub(super) responses: f64,
    pub(super) correct: f64,
    pub(super) initial_known: f64,
    pub(super) learned: f64,
    pub(super) forgot: f64,
    pub(super) known: f64,
    pub(super) known_correct: f64,
    pub(super) known_with_next: f64,
    pub(super) learn: f64,
    pub(super) forget: f64,
}

impl Totals {
    pub(super) fn into_counts(self) -> ExpectedCounts {
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
pub(super) struct Forward {
    pub(super) a0: V,
    pub(super) a1: V,
    pub(super) scale: V,
    pub(super) log_scale: V,
}

impl Forward {
    #[inline(always)]
    pub(super) fn step<const MASKED: bool>(
        &mut self,
        t: usize,
        o: &V,
        lane_len: &[usize; W],
        c: &Consts,
    ) {
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
pub(super) struct Backward {
    pub(super) b0: V,
    pub(super) b1: V,
    /// Emissions and mask of step `t + 1`.
    pub(super) e0: V,
    pub(super) e1: V,
    pub(super) m_next: V,
    /// Normalized sums: known, known and correct, known with a next step,
    /// learned (before the factor learn), forgot (before forget).
    pub(super) sums: [V; 5],
    pub(super) stretch: [V; 5],
    pub(super) inv_z: V,
    pub(super) fresh_z: bool,
    pub(super) gamma0: V,
}

impl Backward {
    pub(super) fn flush(&mut self) {
        for (sum, part) in self.sums.iter_mut().zip(&mut self.stretch) {
            for k in 0..W {
                sum[k] += part[k] * self.inv_z[k];
                part[k] = 0.0;
            }
        }
    }

    #[inline(always)]
    pub(super) fn step<const MASKED: bool>(
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
pub(super) fn block_pass(
    obs: &[V],
    block: &Block,
    c: &Consts,
    forward: &mut Vec<[V; 2]>,
    acc: &mut Totals,
) {
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
