//! BKT parameters of one standard, the update they define, and guess and slip of an answer model.

use super::*;

/// Bayesian Knowledge Tracing parameters of one standard (Corbett &
/// Anderson 1995), with forgetting as in pyBKT:
///
/// - `prior`: P(L0), the chance the standard is known before any evidence;
/// - `learn`: P(T), the chance of learning it at each opportunity;
/// - `forget`: P(F), the chance of forgetting it at each opportunity;
/// - `guess`: P(G), the chance of a correct answer without knowing it;
/// - `slip`: P(S), the chance of an incorrect answer despite knowing it.
///
/// Each is a probability, and `guess + slip < 1`: otherwise a correct answer
/// would be more likely without the skill than with it, and mastery would
/// fall after a correct answer (the degenerate fits pyBKT users report).
/// Likewise `learn + forget <= 1`, so that the transition keeps the order of
/// estimates: a correct answer always leaves a higher estimate than an
/// incorrect one.
///
/// ```
/// use mastery::{BktParams, Outcome};
///
/// let p = BktParams::new(0.3, 0.1, 0.0, 0.2, 0.1)?;
/// // P(correct) = P(L)(1 - S) + (1 - P(L))G
/// assert!((p.p_correct(0.3) - (0.3 * 0.9 + 0.7 * 0.2)).abs() < 1e-12);
/// // After a correct answer: P(L | correct) = P(L)(1 - S) / P(correct) ...
/// let posterior = p.posterior(0.3, Outcome::Correct);
/// assert!((posterior - 0.27 / 0.41).abs() < 1e-12);
/// // ... then the learning transition: P(L') = P(L | obs)(1 - F) + (1 - P(L | obs))T.
/// assert!((p.update(0.3, Outcome::Correct) - (posterior + (1.0 - posterior) * 0.1)).abs() < 1e-12);
///
/// assert!(BktParams::new(0.3, 0.1, 0.0, 0.6, 0.5).is_err()); // guess + slip >= 1
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "BktParamsRepr", into = "BktParamsRepr")]
pub struct BktParams {
    prior: f64,
    learn: f64,
    forget: f64,
    guess: f64,
    slip: f64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BktParamsRepr {
    prior: f64,
    learn: f64,
    #[serde(default)]
    forget: f64,
    guess: f64,
    slip: f64,
}

impl TryFrom<BktParamsRepr> for BktParams {
    type Error = Error;
    fn try_from(r: BktParamsRepr) -> Result<Self> {
        BktParams::new(r.prior, r.learn, r.forget, r.guess, r.slip)
    }
}

impl From<BktParams> for BktParamsRepr {
    fn from(p: BktParams) -> Self {
        BktParamsRepr {
            prior: p.prior,
            learn: p.learn,
            forget: p.forget,
            guess: p.guess,
            slip: p.slip,
        }
    }
}

impl Default for BktParams {
    /// Untrained defaults (prior 0.2, learn 0.15, forget 0, guess 0.2, slip
    /// 0.1), for when no fitted parameters are available.
    fn default() -> Self {
        BktParams {
            prior: 0.2,
            learn: 0.15,
            forget: 0.0,
            guess: 0.2,
            slip: 0.1,
        }
    }
}

impl BktParams {
    /// Parameters from their five probabilities.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for a value outside [0, 1] (or NaN), for
    /// `guess + slip >= 1`, or for `learn + forget > 1`.
    pub fn new(prior: f64, learn: f64, forget: f64, guess: f64, slip: f64) -> Result<Self> {
        check_probability("prior", prior)?;
        check_probability("learn", learn)?;
        check_probability("forget", forget)?;
        if learn + forget > 1.0 {
            return Err(Error::InvalidValue {
                what: format!("learn + forget (learn {learn}, forget {forget})"),
                expected: "at most 1, or knowing a standard now would make knowing it next time less likely",
                value: learn + forget,
            });
        }
        check_guess_slip(guess, slip)?;
        Ok(BktParams {
            prior,
            learn,
            forget,
            guess,
            slip,
        })
    }

    /// P(L0).
    #[must_use]
    pub fn prior(&self) -> f64 {
        self.prior
    }

    /// P(T).
    #[must_use]
    pub fn learn(&self) -> f64 {
        self.learn
    }

    /// P(F).
    #[must_use]
    pub fn forget(&self) -> f64 {
        self.forget
    }

    /// P(G).
    #[must_use]
    pub fn guess(&self) -> f64 {
        self.guess
    }

    /// P(S).
    #[must_use]
    pub fn slip(&self) -> f64 {
        self.slip
    }

    /// The guess and slip of these parameters.
    #[must_use]
    pub fn guess_slip(&self) -> GuessSlip {
        GuessSlip {
            guess: self.guess,
            slip: self.slip,
        }
    }

    /// P(correct) = P(L)(1 - S) + (1 - P(L))G.
    #[must_use]
    pub fn p_correct(&self, mastery: f64) -> f64 {
        self.guess_slip().p_correct(mastery)
    }

    /// `(P(outcome | known), P(outcome | not known))`; see [`GuessSlip::likelihoods`].
    #[must_use]
    pub fn likelihoods(&self, outcome: Outcome) -> (f64, f64) {
        self.guess_slip().likelihoods(outcome)
    }

    /// P(L | outcome) by Bayes' rule, before the learning transition.
    #[must_use]
    pub fn posterior(&self, mastery: f64, outcome: Outcome) -> f64 {
        let (known, unknown) = self.likelihoods(outcome);
        posterior(mastery, known, unknown)
    }

    /// The learn/forget transition to the next opportunity:
    /// P(L') = P(L)(1 - F) + (1 - P(L))T.
    #[must_use]
    pub fn transition(&self, mastery: f64) -> f64 {
        self.transition_at(mastery, self.learn)
    }

    /// [`BktParams::transition`] with `learn` in place of the standard's
    /// learn rate (an activity's own, or a learner's with ability on).
    #[must_use]
    #[inline]
    pub(crate) fn transition_at(&self, mastery: f64, learn: f64) -> f64 {
        (mastery * (1.0 - self.forget) + (1.0 - mastery) * learn).clamp(0.0, 1.0)
    }

    /// The posterior followed by the transition: the mastery estimate for the
    /// next opportunity, as pyBKT's forward pass computes it.
    #[must_use]
    pub fn update(&self, mastery: f64, outcome: Outcome) -> f64 {
        self.transition(self.posterior(mastery, outcome))
    }
}

/// Bayes' rule for a binary state with likelihoods `known` = P(o | L) and
/// `unknown` = P(o | not L). When the observation is impossible under both
/// (zero denominator), it carries no usable information and `mastery` is kept.
#[must_use]
#[inline]
pub(crate) fn posterior(mastery: f64, known: f64, unknown: f64) -> f64 {
    let numerator = mastery * known;
    let denominator = numerator + (1.0 - mastery) * unknown;
    if denominator > 0.0 && denominator.is_finite() {
        (numerator / denominator).clamp(0.0, 1.0)
    } else {
        mastery
    }
}

/// A validated guess/slip pair: the answer model of a standard or of one
/// activity (KT-IDEM, Pardos & Heffernan 2011: item difficulty as per-item
/// guess and slip).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "GuessSlipRepr", into = "GuessSlipRepr")]
pub struct GuessSlip {
    guess: f64,
    slip: f64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct GuessSlipRepr {
    guess: f64,
    slip: f64,
}

impl TryFrom<GuessSlipRepr> for GuessSlip {
    type Error = Error;
    fn try_from(r: GuessSlipRepr) -> Result<Self> {
        GuessSlip::new(r.guess, r.slip)
    }
}

impl From<GuessSlip> for GuessSlipRepr {
    fn from(g: GuessSlip) -> Self {
        GuessSlipRepr {
            guess: g.guess,
            slip: g.slip,
        }
    }
}

impl GuessSlip {
    /// A guess/slip pair.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for a value outside [0, 1] or `guess + slip >= 1`.
    pub fn new(guess: f64, slip: f64) -> Result<Self> {
        check_guess_slip(guess, slip)?;
        Ok(GuessSlip { guess, slip })
    }

    /// P(G).
    #[must_use]
    pub fn guess(&self) -> f64 {
        self.guess
    }

    /// P(S).
    #[must_use]
    pub fn slip(&self) -> f64 {
        self.slip
    }

    /// P(correct) = P(L)(1 - S) + (1 - P(L))G.
    #[must_use]
    #[inline]
    pub fn p_correct(&self, mastery: f64) -> f64 {
        mastery * (1.0 - self.slip) + (1.0 - mastery) * self.guess
    }

    /// `(P(outcome | known), P(outcome | not known))`.
    ///
    /// Correct: `(1 - S, G)`; incorrect: `(S, 1 - G)`. A partial-credit score
    /// `x` counts as `x` of a correct answer and `1 - x` of an incorrect one
    /// in log-likelihood: `((1 - S)^x S^(1-x), G^x (1 - G)^(1-x))`, the
    /// fractional Bernoulli likelihood (the same one cross-entropy with soft
    /// labels uses). It equals the binary cases at 0 and 1, and the update it
    /// gives rises monotonically with the score (because `G + S < 1`).
    ///
    /// ```
    /// use mastery::{GuessSlip, Outcome};
    ///
    /// let gs = GuessSlip::new(0.2, 0.1)?;
    /// assert_eq!(gs.likelihoods(Outcome::Correct), (0.9, 0.2));
    /// let (k, u) = gs.likelihoods(Outcome::score(0.5)?);
    /// assert!((k - (0.9f64 * 0.1).sqrt()).abs() < 1e-12);
    /// assert!((u - (0.2f64 * 0.8).sqrt()).abs() < 1e-12);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    #[must_use]
    #[inline]
    pub fn likelihoods(&self, outcome: Outcome) -> (f64, f64) {
        let (g, s) = (self.guess, self.slip);
        match outcome {
            Outcome::Correct => (1.0 - s, g),
            Outcome::Incorrect => (s, 1.0 - g),
            Outcome::Partial(score) => {
                let x = score.value();
                (
                    (1.0 - s).powf(x) * s.powf(1.0 - x),
                    g.powf(x) * (1.0 - g).powf(1.0 - x),
                )
            }
        }
    }
}
