//! The E-step's kernels: scaled forward-backward over one sequence, and
//! over lanes of sequences at once.

use super::*;

/// Per-item emission probabilities `[P(o | not known), P(o | known)]` for o = 0, 1,
/// and the transition matrix, floored away from 0.
pub(crate) struct Emissions {
    pub(crate) by_item: Vec<[[f64; 2]; 2]>,
    pub(crate) prior: f64,
    pub(crate) learn: f64,
    pub(crate) forget: f64,
}

impl Emissions {
    pub(crate) fn new(p: &HmmParams) -> Self {
        let f = |x: f64| x.clamp(FLOOR, 1.0 - FLOOR);
        Emissions {
            by_item: p
                .guess
                .iter()
                .zip(&p.slip)
                .map(|(&g, &s)| [[f(1.0 - g), f(s)], [f(g), f(1.0 - s)]])
                .collect(),
            prior: f(p.prior),
            learn: f(p.learn),
            forget: if p.forget > 0.0 { f(p.forget) } else { 0.0 },
        }
    }
}

/// Scaled forward-backward over one sequence, adding its expected counts.
pub(super) fn forward_backward(
    obs: &[u8],
    items: &[u32],
    m: &Emissions,
    alpha: &mut Vec<[f64; 3]>,
    counts: &mut ExpectedCounts,
) {
    let n = obs.len();
    if n == 0 {
        return;
    }
    let (learn, forget) = (m.learn, m.forget);
    alpha.clear();
    alpha.reserve(n);
    // Forward: alpha[t] = [P(not known | o_1..t), P(known | o_1..t), 1 / c_t].
    let mut log_likelihood = 0.0;
    let mut product = 1.0f64;
    let (mut a0, mut a1) = (1.0 - m.prior, m.prior);
    for t in 0..n {
        if t > 0 {
            let (p0, p1) = (
                a0 * (1.0 - learn) + a1 * forget,
                a0 * learn + a1 * (1.0 - forget),
            );
            a0 = p0;
            a1 = p1;
        }
        let e = m.by_item[items[t] as usize][obs[t] as usize];
        a0 *= e[0];
        a1 *= e[1];
        let c = a0 + a1;
        let inv = 1.0 / c;
        a0 *= inv;
        a1 *= inv;
        alpha.push([a0, a1, inv]);
        product *= c;
        // Take the log only now and then: one log per ~100 responses instead of one each.
        if product < 1e-250 {
            log_likelihood += product.ln();
            product = 1.0;
        }
    }
    log_likelihood += product.ln();
    counts.log_likelihood += log_likelihood;
    counts.sequences += 1.0;

    // Backward: beta scaled by the same c_t; gamma_t = alpha_t * beta_t.
    let (mut b0, mut b1) = (1.0, 1.0);
    let last = alpha[n - 1];
    add_emission(counts, items[n - 1], obs[n - 1], last[0], last[1]);
    if n == 1 {
        counts.initial_known += last[1];
        return;
    }
    for t in (0..n - 1).rev() {
        let next = &alpha[t + 1];
        let e = m.by_item[items[t + 1] as usize][obs[t + 1] as usize];
        let w0 = e[0] * b0 * next[2];
        let w1 = e[1] * b1 * next[2];
        let [x0, x1, _] = alpha[t];
        let learned = x0 * learn * w1;
        let forgot = x1 * forget * w0;
        b0 = (1.0 - learn) * w0 + learn * w1;
        b1 = forget * w0 + (1.0 - forget) * w1;
        let (g0, g1) = (x0 * b0, x1 * b1);
        counts.unknown_with_next += g0;
        counts.known_with_next += g1;
        counts.learned += learned;
        counts.forgot += forgot;
        add_emission(counts, items[t], obs[t], g0, g1);
        if t == 0 {
            counts.initial_known += g1;
        }
    }
}

/// Expected counts for one guess/slip per skill (the common case), tuned for
/// speed: see [`Lane`] for the passes. Since `gamma(not known) = 1 -
/// gamma(known)`, the emission counts reduce to sums of `gamma(known)` by
/// response value.
#[derive(Debug)]
pub(super) struct SingleItem {
    log_likelihood: f64,
    /// Sequence probabilities not yet in `log_likelihood` (see [`Lane::finish`]).
    probability_product: f64,
    sequences: f64,
    responses: f64,
    correct: f64,
    initial_known: f64,
    learned: f64,
    forgot: f64,
    /// Sum of gamma(known) over all responses, by response (0, 1).
    known_by_response: [f64; 2],
    /// Sum of gamma(known) over each sequence's last response.
    known_at_end: f64,
}

impl SingleItem {
    /// Adds two sequences, their passes interleaved step by step: each pass
    /// is a chain of dependent multiply-adds, and two independent chains
    /// keep the processor busy where one leaves it waiting. (Four lanes were
    /// slower in the `fit` bench: the lane state no longer fits in registers.)
    pub(super) fn add_pair(
        &mut self,
        [a, b]: [&[u8]; 2],
        [weight_a, weight_b]: [u32; 2],
        m: &Emissions,
        fa: &mut Vec<(f64, f64)>,
        fb: &mut Vec<(f64, f64)>,
    ) {
        let c = Consts::new(m);
        let (mut la, mut lb) = (Lane::start(a, fa, &c), Lane::start(b, fb, &c));
        let (na, nb) = (a.len(), b.len());
        for t in 1..na.max(nb) {
            if t < na {
                la.forward_step(t, &c);
            }
            if t < nb {
                lb.forward_step(t, &c);
            }
        }
        la.start_backward();
        lb.start_backward();
        for i in 0..na.max(nb).saturating_sub(1) {
            if i + 1 < na {
                la.backward_step(i, &c);
            }
            if i + 1 < nb {
                lb.backward_step(i, &c);
            }
        }
        la.finish(self, &c, weight_a);
        lb.finish(self, &c, weight_b);
    }

    /// Adds one sequence, `weight` times.
    pub(super) fn add(
        &mut self,
        obs: &[u8],
        weight: u32,
        m: &Emissions,
        forward: &mut Vec<(f64, f64)>,
    ) {
        let c = Consts::new(m);
        let mut lane = Lane::start(obs, forward, &c);
        for t in 1..obs.len() {
            lane.forward_step(t, &c);
        }
        lane.start_backward();
        for i in 0..obs.len().saturating_sub(1) {
            lane.backward_step(i, &c);
        }
        lane.finish(self, &c, weight);
    }

    pub(super) fn new() -> Self {
        SingleItem {
            log_likelihood: 0.0,
            probability_product: 1.0,
            sequences: 0.0,
            responses: 0.0,
            correct: 0.0,
            initial_known: 0.0,
            learned: 0.0,
            forgot: 0.0,
            known_by_response: [0.0; 2],
            known_at_end: 0.0,
        }
    }

    pub(super) fn finish(&self, counts: &mut ExpectedCounts) {
        let known = self.known_by_response[0] + self.known_by_response[1];
        let known_with_next = known - self.known_at_end;
        counts.log_likelihood += self.log_likelihood + self.probability_product.ln();
        counts.sequences += self.sequences;
        counts.initial_known += self.initial_known;
        counts.known_with_next += known_with_next;
        counts.unknown_with_next += (self.responses - self.sequences) - known_with_next;
        counts.learned += self.learned;
        counts.forgot += self.forgot;
        let item = &mut counts.items[0];
        item[0] += self.responses - known;
        item[1] += self.correct - self.known_by_response[1];
        item[2] += known;
        item[3] += self.known_by_response[0];
    }
}

/// The single-item model's numbers. `step[o]` folds the transition into the
/// emission of response `o`: `[(1 - learn) e0, forget e0, learn e1,
/// (1 - forget) e1]` with `e0 = P(o | not known)` and `e1 = P(o | known)`,
/// so each pass's loop-carried work per response is one multiply and one
/// multiply-add per state (the emission multiply leaves the chain).
struct Consts {
    emission: [[f64; 2]; 2],
    step: [[f64; 4]; 2],
    prior: f64,
    learn: f64,
    forget: f64,
}

impl Consts {
    fn new(m: &Emissions) -> Self {
        let table = m.by_item[0];
        let step = |o: usize| {
            let [e0, e1] = table[o];
            [
                (1.0 - m.learn) * e0,
                m.forget * e0,
                m.learn * e1,
                (1.0 - m.forget) * e1,
            ]
        };
        Consts {
            emission: [table[0], table[1]],
            step: [step(0), step(1)],
            prior: m.prior,
            learn: m.learn,
            forget: m.forget,
        }
    }
}

/// The state of one sequence's forward-backward pass.
///
/// Forward: unnormalized probabilities, renormalized every 8 responses (often
/// enough that nothing underflows even with emissions at the 1e-12 floor), so
/// the loop-carried work is two multiply-adds per response.
///
/// Backward: unnormalized beta, renormalized every 8 responses. Z = sum_j
/// alpha_t(j) beta_t(j) normalizes gamma_t and xi_t; it is the same for
/// every t (it is P(o_1..n)) except where a pass rescaled, so sums are kept
/// unnormalized per stretch and normalized by that stretch's Z: two
/// divisions per 8 responses instead of one per response.
struct Lane<'a> {
    obs: &'a [u8],
    forward: &'a mut Vec<(f64, f64)>,
    a0: f64,
    a1: f64,
    scale_product: f64,
    log_scale: f64,
    correct: f64,
    b0: f64,
    b1: f64,
    inv_z: f64,
    fresh_z: bool,
    /// Known, known and correct, learned, forgot: totals and the current stretch.
    totals: [f64; 4],
    stretch: [f64; 4],
    gamma_known: f64,
    /// P(known | all responses) at the last response.
    known_at_end: f64,
}

impl<'a> Lane<'a> {
    fn start(obs: &'a [u8], forward: &'a mut Vec<(f64, f64)>, c: &Consts) -> Self {
        forward.clear();
        forward.reserve(obs.len());
        let first = obs.first().map_or(0, |&o| usize::from(o & 1));
        let o = first as f64;
        let [e0, e1] = c.emission[first];
        let (a0, a1) = ((1.0 - c.prior) * e0, c.prior * e1);
        if !obs.is_empty() {
            forward.push((a0, a1));
        }
        Lane {
            obs,
            forward,
            a0,
            a1,
            scale_product: 1.0,
            log_scale: 0.0,
            correct: o,
            b0: 1.0,
            b1: 1.0,
            inv_z: 0.0,
            fresh_z: true,
            totals: [0.0; 4],
            stretch: [0.0; 4],
            gamma_known: 0.0,
            known_at_end: 0.0,
        }
    }

    #[inline(always)]
    fn forward_step(&mut self, t: usize, c: &Consts) {
        let o = self.obs[t] & 1;
        self.correct += f64::from(o);
        let (a0, a1) = (self.a0, self.a1);
        let [s00, s10, s01, s11] = c.step[usize::from(o)];
        let mut next0 = a0 * s00 + a1 * s10;
        let mut next1 = a0 * s01 + a1 * s11;
        if t % 8 == 0 {
            let sum = next0 + next1;
            let inv = 1.0 / sum;
            next0 *= inv;
            next1 *= inv;
            self.scale_product *= sum;
            if self.scale_product < 1e-200 {
                self.log_scale += self.scale_product.ln();
                self.scale_product = 1.0;
            }
        }
        self.a0 = next0;
        self.a1 = next1;
        self.forward.push((next0, next1));
    }

    fn start_backward(&mut self) {
        let n = self.obs.len();
        if n == 0 {
            return;
        }
        let (a0, a1) = self.forward[n - 1];
        let last = a1 / (a0 + a1);
        self.totals = [last, last * f64::from(self.obs[n - 1]), 0.0, 0.0];
        self.gamma_known = last;
        self.known_at_end = last;
    }

    /// Step `i` of the backward pass: time `t = n - 2 - i`.
    #[inline(always)]
    fn backward_step(&mut self, i: usize, c: &Consts) {
        let t = self.obs.len() - 2 - i;
        let o_next = usize::from(self.obs[t + 1] & 1);
        let [e0, e1] = c.emission[o_next];
        let [s00, s10, s01, s11] = c.step[o_next];
        let (p0, p1) = (e0 * self.b0, e1 * self.b1);
        let b0 = self.b0 * s00 + self.b1 * s01;
        let b1 = self.b0 * s10 + self.b1 * s11;
        let (a0, a1) = self.forward[t];
        if self.fresh_z {
            for (total, part) in self.totals.iter_mut().zip(&mut self.stretch) {
                *total += *part * self.inv_z;
                *part = 0.0;
            }
            self.inv_z = 1.0 / (a0 * b0 + a1 * b1);
            self.fresh_z = false;
        }
        let known = a1 * b1;
        self.stretch[0] += known;
        self.stretch[1] += known * f64::from(self.obs[t]);
        self.stretch[2] += a0 * p1;
        self.stretch[3] += a1 * p0;
        self.gamma_known = known * self.inv_z;
        // alpha_(t-1) has another scale when the forward pass renormalized at t.
        if t % 8 == 0 {
            self.fresh_z = true;
        }
        if i % 8 == 7 {
            let rescale = 1.0 / (b0 + b1);
            self.b0 = b0 * rescale;
            self.b1 = b1 * rescale;
            self.fresh_z = true;
        } else {
            self.b0 = b0;
            self.b1 = b1;
        }
    }

    /// Adds this sequence's counts to `acc`, `weight` times.
    fn finish(mut self, acc: &mut SingleItem, c: &Consts, weight: u32) {
        let n = self.obs.len();
        if n == 0 {
            return;
        }
        for (total, part) in self.totals.iter_mut().zip(&self.stretch) {
            *total += *part * self.inv_z;
        }
        let w = f64::from(weight);
        // P(sequence) = (a0 + a1) * scale_product * exp(log_scale). Logs are
        // slow next to everything else here, so small factors are multiplied
        // into a running product whose log is taken only when it gets small.
        let probability = (self.a0 + self.a1) * self.scale_product;
        acc.log_likelihood += w * self.log_scale;
        let power = probability.powi(weight as i32);
        if power < 1e-100 {
            acc.log_likelihood += w * probability.ln();
        } else {
            acc.probability_product *= power;
            if acc.probability_product < 1e-100 {
                acc.log_likelihood += acc.probability_product.ln();
                acc.probability_product = 1.0;
            }
        }
        acc.sequences += w;
        acc.responses += w * n as f64;
        acc.correct += w * self.correct;
        acc.known_at_end += w * self.known_at_end;
        let [known_sum, known_correct, learned, forgot] = self.totals;
        acc.known_by_response[0] += w * (known_sum - known_correct);
        acc.known_by_response[1] += w * known_correct;
        acc.learned += w * learned * c.learn;
        acc.forgot += w * forgot * c.forget;
        acc.initial_known += w * self.gamma_known;
    }
}

#[inline]
fn add_emission(counts: &mut ExpectedCounts, item: u32, obs: u8, unknown: f64, known: f64) {
    let c = &mut counts.items[item as usize];
    let correct = f64::from(obs);
    c[0] += unknown;
    c[1] += unknown * correct;
    c[2] += known;
    c[3] += known * (1.0 - correct);
}
