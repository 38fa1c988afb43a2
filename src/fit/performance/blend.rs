//! A blend of two predictors of P(correct), e.g. BKT's and the performance
//! model's: logistic regression on their logits (stacking, Wolpert 1992),
//! `P = sigmoid(a + b * logit(p_1) + c * logit(p_2))`, fitted on
//! predictions with known outcomes.

use serde::{Deserialize, Serialize};

use super::logistic::{self, Settings, SparseRows, sigmoid};
use crate::error::{Error, Result};

/// Predictions are clipped to `[CLIP, 1 - CLIP]` before the logit.
const CLIP: f64 = 1e-6;

fn logit(p: f64) -> f64 {
    let p = p.clamp(CLIP, 1.0 - CLIP);
    (p / (1.0 - p)).ln()
}

/// Weights of a two-predictor blend: an intercept and one weight per
/// predictor's logit.
///
/// Fit it on predictions the two models made for responses they were not
/// fitted on (out-of-fold predictions, as `examples/evaluate.rs` makes
/// with 3 folds by learner); fitted on the training responses themselves
/// it leans toward the model that overfits more. With weights `(0, 1, 0)`
/// it is the first predictor.
///
/// ```
/// use mastery::fit::Blend;
///
/// let first = [0.9, 0.2, 0.7, 0.4, 0.8, 0.3];
/// let second = [0.6, 0.5, 0.4, 0.5, 0.7, 0.6];
/// let outcomes = [true, false, true, false, true, false];
/// let blend = Blend::fit(&first, &second, &outcomes)?;
/// let p = blend.predict(0.9, 0.6);
/// assert!(p > 0.5 && p <= 1.0);
/// assert!((Blend::first_only().predict(0.25, 0.9) - 0.25).abs() < 1e-9);
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Blend {
    /// Intercept, weight of the first predictor's logit, weight of the second's.
    pub weights: [f64; 3],
}

impl Blend {
    /// The blend that returns the first predictor.
    #[must_use]
    pub fn first_only() -> Blend {
        Blend {
            weights: [0.0, 1.0, 0.0],
        }
    }

    /// Fits the blend by logistic regression (a tiny L2 penalty of 1e-3 on
    /// the two slopes keeps it finite when one predictor separates the data).
    ///
    /// # Errors
    /// [`Error::SizeMismatch`] when the slices differ in length,
    /// [`Error::InvalidValue`] when they are empty or a prediction is not a
    /// probability in `[0, 1]`.
    pub fn fit(first: &[f64], second: &[f64], outcomes: &[bool]) -> Result<Blend> {
        for (what, v) in [
            (
                "second predictions (one per first prediction)",
                second.len(),
            ),
            ("outcomes (one per first prediction)", outcomes.len()),
        ] {
            if v != first.len() {
                return Err(Error::SizeMismatch {
                    what,
                    expected: first.len(),
                    found: v,
                });
            }
        }
        if let Some(&p) = first
            .iter()
            .chain(second)
            .find(|p| !(0.0..=1.0).contains(*p))
        {
            return Err(Error::InvalidValue {
                what: "prediction to blend".into(),
                expected: "a probability in [0, 1]",
                value: p,
            });
        }
        let mut rows = SparseRows::new();
        for ((&a, &b), &y) in first.iter().zip(second).zip(outcomes) {
            rows.push([(0, 1.0), (1, logit(a)), (2, logit(b))].into_iter(), y);
        }
        let settings = Settings {
            l2: 1e-3,
            max_iterations: 200,
            tolerance: 1e-9,
            memory: 5,
            unpenalized: 1,
        };
        let (w, _) = logistic::fit(&rows, 3, &settings)?;
        Ok(Blend {
            weights: [w[0], w[1], w[2]],
        })
    }

    /// The blended P(correct).
    #[must_use]
    pub fn predict(&self, first: f64, second: f64) -> f64 {
        let [a, b, c] = self.weights;
        sigmoid(a + b * logit(first) + c * logit(second))
    }

    /// The blend of two aligned prediction vectors.
    #[must_use]
    pub fn predict_all(&self, first: &[f64], second: &[f64]) -> Vec<f64> {
        first
            .iter()
            .zip(second)
            .map(|(&a, &b)| self.predict(a, b))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_informative_predictor_gets_the_weight() {
        let truth: Vec<f64> = (0..400).map(|i| f64::from(i % 10) / 10.0 + 0.05).collect();
        let noise: Vec<f64> = (0..400)
            .map(|i| f64::from((i * 7) % 10) / 10.0 + 0.05)
            .collect();
        let outcomes: Vec<bool> = (0..400)
            .map(|i| (i * 37 % 100) as f64 / 100.0 < truth[i])
            .collect();
        let blend = Blend::fit(&noise, &truth, &outcomes).unwrap();
        assert!(
            blend.weights[2] > 0.5 && blend.weights[1].abs() < 0.3,
            "{blend:?}"
        );
        assert!(Blend::fit(&[0.5], &[0.5, 0.5], &[true]).is_err());
        assert!(Blend::fit(&[1.5], &[0.5], &[true]).is_err());
        assert!(Blend::fit(&[], &[], &[]).is_err());
    }
}
