//! L2-regularized logistic regression on sparse rows, solved by L-BFGS
//! (Nocedal 1980; Liu & Nocedal 1989) with a backtracking Armijo line
//! search.
//!
//! Written here rather than taken from linfa-logistic or argmin: the
//! problem is one smooth, strictly convex objective, and the solver is
//! about 150 lines; linfa-logistic wants a dense ndarray design matrix
//! (the item one-hot makes ours sparse and wide) and would bring in
//! linfa, argmin and their dependencies, where this crate keeps its tree
//! lean. The gradient is summed over fixed blocks of rows in parallel
//! (rayon) and the block sums are added in block order, so the result is
//! the same for any number of threads.

use rayon::prelude::*;

use crate::error::{Error, Result};

/// Rows per block of the parallel gradient (fixed: the sums' order does not
/// depend on the number of threads).
const BLOCK: usize = 4096;

/// Sparse rows with 0/1 labels: row `r` is `idx[starts[r]..starts[r + 1]]`
/// with values `val[..]`. Zeros are not stored, and values are stored as
/// `f32`: the fit streams the rows twice per objective evaluation, and
/// memory bandwidth is its cost (predictions use the exact `f64` features).
#[derive(Debug, Clone, Default)]
pub(crate) struct SparseRows {
    pub(crate) starts: Vec<usize>,
    pub(crate) idx: Vec<u32>,
    pub(crate) val: Vec<f32>,
    pub(crate) labels: Vec<bool>,
}

impl SparseRows {
    pub(crate) fn new() -> Self {
        SparseRows {
            starts: vec![0],
            ..SparseRows::default()
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.labels.len()
    }

    /// Adds a row.
    pub(crate) fn push(&mut self, pairs: impl Iterator<Item = (usize, f64)>, label: bool) {
        for (i, v) in pairs.filter(|&(_, v)| v != 0.0) {
            self.idx.push(i as u32);
            self.val.push(v as f32);
        }
        self.starts.push(self.idx.len());
        self.labels.push(label);
    }

    /// Appends another set of rows.
    pub(crate) fn append(&mut self, other: SparseRows) {
        let offset = self.idx.len();
        self.starts
            .extend(other.starts.iter().skip(1).map(|s| s + offset));
        self.idx.extend(other.idx);
        self.val.extend(other.val);
        self.labels.extend(other.labels);
    }

    fn dot(&self, r: usize, w: &[f64]) -> f64 {
        let (a, b) = (self.starts[r], self.starts[r + 1]);
        self.idx[a..b]
            .iter()
            .zip(&self.val[a..b])
            .map(|(&i, &v)| w.get(i as usize).copied().unwrap_or(0.0) * f64::from(v))
            .sum()
    }
}

/// The logistic function, without overflow.
#[inline]
pub(crate) fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// Solver settings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    pub(crate) l2: f64,
    pub(crate) max_iterations: usize,
    pub(crate) tolerance: f64,
    pub(crate) memory: usize,
    /// The first `unpenalized` weights carry no L2 penalty (the intercept).
    pub(crate) unpenalized: usize,
}

/// How the solver ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Solution {
    pub(crate) iterations: usize,
    pub(crate) objective: f64,
    pub(crate) converged: bool,
}

/// The objective (summed log-loss plus penalty) and its gradient at `w`.
fn evaluate(rows: &SparseRows, w: &[f64], s: &Settings) -> (f64, Vec<f64>) {
    let dim = w.len();
    let blocks: Vec<(f64, Vec<f64>)> = (0..rows.len().div_ceil(BLOCK))
        .into_par_iter()
        .map(|b| {
            let mut grad = vec![0.0; dim];
            let mut loss = 0.0;
            for r in b * BLOCK..((b + 1) * BLOCK).min(rows.len()) {
                let z = rows.dot(r, w);
                let y = rows.labels[r];
                // One exponential for both the loss and the residual.
                let e = (-z.abs()).exp();
                let softplus = z.max(0.0) + e.ln_1p();
                let p = if z >= 0.0 {
                    1.0 / (1.0 + e)
                } else {
                    e / (1.0 + e)
                };
                loss += softplus - if y { z } else { 0.0 };
                let residual = p - if y { 1.0 } else { 0.0 };
                let (a, e) = (rows.starts[r], rows.starts[r + 1]);
                for (&i, &v) in rows.idx[a..e].iter().zip(&rows.val[a..e]) {
                    if let Some(g) = grad.get_mut(i as usize) {
                        *g += residual * f64::from(v);
                    }
                }
            }
            (loss, grad)
        })
        .collect();
    let mut loss = 0.0;
    let mut grad = vec![0.0; dim];
    for (l, g) in blocks {
        loss += l;
        for (a, b) in grad.iter_mut().zip(&g) {
            *a += b;
        }
    }
    for (g, &x) in grad.iter_mut().zip(w).skip(s.unpenalized) {
        *g += s.l2 * x;
        loss += 0.5 * s.l2 * x * x;
    }
    (loss, grad)
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Minimizes the penalized log-loss over `dim` weights from zero.
///
/// # Errors
/// [`Error::InvalidValue`] when there are no rows or the objective is not
/// finite (a non-finite feature value).
pub(crate) fn fit(rows: &SparseRows, dim: usize, s: &Settings) -> Result<(Vec<f64>, Solution)> {
    if rows.len() == 0 {
        return Err(Error::InvalidValue {
            what: "number of training responses".into(),
            expected: "at least 1",
            value: 0.0,
        });
    }
    let n = rows.len() as f64;
    let mut w = vec![0.0; dim];
    let (mut f, mut g) = evaluate(rows, &w, s);
    if !f.is_finite() || g.iter().any(|x| !x.is_finite()) {
        return Err(Error::InvalidValue {
            what: "logistic regression objective at zero weights".into(),
            expected: "finite (every feature value finite)",
            value: f,
        });
    }
    // A diagonal preconditioner: the inverse of the Hessian's diagonal at
    // zero weights (x^2 / 4 summed over rows, plus the penalty). The
    // features range from one-hot flags of rare skills to counts; without
    // it L-BFGS needs hundreds of iterations.
    let mut diag = vec![0.0f64; dim];
    for (&i, &v) in rows.idx.iter().zip(&rows.val) {
        if let Some(d) = diag.get_mut(i as usize) {
            *d += 0.25 * f64::from(v) * f64::from(v);
        }
    }
    for (j, d) in diag.iter_mut().enumerate() {
        let penalty = if j < s.unpenalized { 0.0 } else { s.l2 };
        *d = 1.0 / (*d + penalty).max(1e-12);
    }
    let mut history: std::collections::VecDeque<(Vec<f64>, Vec<f64>, f64)> =
        std::collections::VecDeque::with_capacity(s.memory);
    let max_abs = |g: &[f64]| g.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let mut iterations = 0;
    let mut converged = max_abs(&g) / n < s.tolerance;
    while !converged && iterations < s.max_iterations {
        iterations += 1;
        // Two-loop recursion: d = -H g.
        let mut q = g.clone();
        let mut alphas = Vec::with_capacity(history.len());
        for (sv, yv, rho) in history.iter().rev() {
            let a = rho * dot(sv, &q);
            for (qi, yi) in q.iter_mut().zip(yv) {
                *qi -= a * yi;
            }
            alphas.push(a);
        }
        let gamma = history.back().map_or(1.0, |(sv, yv, _)| {
            let dy: f64 = yv.iter().zip(&diag).map(|(y, d)| y * y * d).sum();
            dot(sv, yv) / dy
        });
        for (qi, d) in q.iter_mut().zip(&diag) {
            *qi *= gamma * d;
        }
        for ((sv, yv, rho), a) in history.iter().zip(alphas.iter().rev()) {
            let b = rho * dot(yv, &q);
            for (qi, si) in q.iter_mut().zip(sv) {
                *qi += (a - b) * si;
            }
        }
        let mut d: Vec<f64> = q.iter().map(|x| -x).collect();
        let mut slope = dot(&g, &d);
        if slope.is_nan() || slope >= 0.0 {
            // Not a descent direction (rounding): restart from the gradient.
            history.clear();
            d = g.iter().zip(&diag).map(|(x, h)| -x * h).collect();
            slope = dot(&g, &d);
        }
        // Backtracking line search with the Armijo condition.
        let mut step = 1.0;
        let mut accepted = None;
        for _ in 0..40 {
            let trial: Vec<f64> = w.iter().zip(&d).map(|(x, di)| x + step * di).collect();
            let (ft, gt) = evaluate(rows, &trial, s);
            if ft.is_finite() && ft <= f + 1e-4 * step * slope {
                accepted = Some((trial, ft, gt));
                break;
            }
            step *= 0.5;
        }
        let Some((next, f_next, g_next)) = accepted else {
            // No decrease along the direction: as good as it gets in f64.
            converged = true;
            break;
        };
        let sv: Vec<f64> = next.iter().zip(&w).map(|(a, b)| a - b).collect();
        let yv: Vec<f64> = g_next.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&sv, &yv);
        if sy > 1e-12 * dot(&yv, &yv).max(f64::MIN_POSITIVE) {
            if history.len() == s.memory {
                history.pop_front();
            }
            history.push_back((sv, yv, 1.0 / sy));
        }
        let decrease = f - f_next;
        (w, f, g) = (next, f_next, g_next);
        converged = max_abs(&g) / n < s.tolerance || decrease <= 1e-10 * f.abs().max(1.0);
    }
    Ok((
        w,
        Solution {
            iterations,
            objective: f,
            converged,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(l2: f64) -> Settings {
        Settings {
            l2,
            max_iterations: 200,
            tolerance: 1e-10,
            memory: 10,
            unpenalized: 1,
        }
    }

    #[test]
    fn recovers_known_weights_and_zero_gradient() {
        // y ~ Bernoulli(sigmoid(-0.5 + 1.5 x)) with x on a grid: fit by
        // expected counts (fractional labels via repeated rows).
        let mut rows = SparseRows::new();
        let mut state = 7u64;
        for r in 0..20_000 {
            let x = (r % 21) as f64 / 10.0 - 1.0;
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let u = (state >> 11) as f64 / (1u64 << 53) as f64;
            rows.push([(0, 1.0), (1, x)].into_iter(), u < sigmoid(-0.5 + 1.5 * x));
        }
        let s = settings(1e-6);
        let (w, sol) = fit(&rows, 2, &s).unwrap();
        assert!(sol.converged, "{sol:?}");
        assert!(
            (w[0] + 0.5).abs() < 0.06 && (w[1] - 1.5).abs() < 0.08,
            "{w:?}"
        );
        let (_, g) = evaluate(&rows, &w, &s);
        assert!(g.iter().all(|x| x.abs() / 20_000.0 < 1e-6), "{g:?}");
    }

    #[test]
    fn separable_data_stays_finite_with_a_penalty() {
        let mut rows = SparseRows::new();
        for r in 0..100 {
            rows.push([(0, 1.0), (1, f64::from(r % 2))].into_iter(), r % 2 == 1);
        }
        let (w, _) = fit(&rows, 2, &settings(1.0)).unwrap();
        assert!(w.iter().all(|x| x.is_finite()) && w[1] > 3.0);
    }

    #[test]
    fn empty_and_non_finite_inputs_are_errors() {
        assert!(fit(&SparseRows::new(), 1, &settings(1.0)).is_err());
        let mut rows = SparseRows::new();
        rows.push([(0, f64::NAN)].into_iter(), true);
        assert!(fit(&rows, 1, &settings(1.0)).is_err());
    }
}
