//! Learner ability: one latent number per learner that shifts how likely
//! the learner is to answer correctly and how fast the learner learns, on
//! every standard (Khajah, Lindsey & Mozer 2016, "How deep is knowledge
//! tracing?", BKT with student abilities; the same logistic offset as the
//! Rasch model's person parameter).
//!
//! # The model
//!
//! With ability `θ` (0 is the population's typical learner), a standard's
//! guess `G`, slip `S` and learn rate `T` become, for this learner,
//!
//! ```text
//! G_θ = σ(logit G + θ),   1 - S_θ = σ(logit(1 - S) + θ),
//! T_θ = σ(logit T + w·θ),  L0_θ = σ(logit L0 + w·θ)
//! ```
//!
//! where `w` is [`AbilityParams::learn_weight`]: an able learner answers
//! better, knows more to begin with and learns faster. Since `σ` is increasing and
//! `1 - S > G`, `G_θ + S_θ < 1` still holds: a correct answer still raises
//! mastery for every learner.
//!
//! # Estimating θ online
//!
//! A new learner starts at the population prior `θ ~ N(0, sd²)`
//! ([`AbilityParams::prior_sd`]). Each response updates a Gaussian belief
//! `N(mean, 1 / precision)` with one Gauss-Newton step on the response's
//! log-likelihood (the Laplace approximation of an extended Kalman filter,
//! as Glicko does for ratings): with `p` the predicted chance of a correct
//! answer given the current mastery estimate and `p'` its derivative in `θ`,
//! `precision += p'² / (p(1 - p))` and `mean += (c - p)·p' / (p(1 - p)) /
//! precision` for credit `c`. O(1) per response, no replay; the mean is kept
//! within ±[`MAX_ABILITY`]. [`batch_ability`] gives the exact maximum a
//! posteriori estimate over a whole history, which the online one tracks
//! (tests bound the gap).

use serde::{Deserialize, Serialize};

use super::params::GuessSlip;
use crate::error::{Error, Result};

/// The largest ability magnitude (in logits): the online mean and the batch
/// estimate stay within `[-MAX_ABILITY, MAX_ABILITY]`, where `σ` shifts a
/// guess of 0.2 to between 0.005 and 0.93.
pub const MAX_ABILITY: f64 = 4.0;

/// Keeps logits finite for probabilities at 0 or 1.
const EDGE: f64 = 1e-6;

fn logit(p: f64) -> f64 {
    let p = p.clamp(EDGE, 1.0 - EDGE);
    (p / (1.0 - p)).ln()
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// An answer model on the logit scale, computed once per standard or item
/// so that hot loops pay for the shifts' `exp` only.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct AnswerLogits {
    guess: f64,
    right: f64,
}

impl AnswerLogits {
    /// The logits of `guess` and `1 - slip`.
    pub(crate) fn of(guess: f64, slip: f64) -> Self {
        AnswerLogits {
            guess: logit(guess),
            right: logit(1.0 - slip),
        }
    }
}

/// A probability with its logit, computed once (a prior or a learn rate).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rate {
    pub(crate) p: f64,
    logit: f64,
}

impl Rate {
    pub(crate) fn of(p: f64) -> Self {
        Rate { p, logit: logit(p) }
    }
}

/// The population's ability distribution and how strongly ability moves
/// learning: validated, so an invalid value cannot exist.
///
/// ```
/// use mastery::AbilityParams;
///
/// let params = AbilityParams::new(0.8, 0.5)?;
/// assert!((params.prior_sd() - 0.8).abs() < 1e-12);
/// assert!(AbilityParams::new(0.0, 0.5).is_err());
/// assert!(AbilityParams::new(0.8, f64::NAN).is_err());
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "AbilityParamsRepr", into = "AbilityParamsRepr")]
pub struct AbilityParams {
    prior_sd: f64,
    learn_weight: f64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AbilityParamsRepr {
    prior_sd: f64,
    learn_weight: f64,
}

impl TryFrom<AbilityParamsRepr> for AbilityParams {
    type Error = Error;
    fn try_from(r: AbilityParamsRepr) -> Result<Self> {
        AbilityParams::new(r.prior_sd, r.learn_weight)
    }
}

impl From<AbilityParams> for AbilityParamsRepr {
    fn from(p: AbilityParams) -> Self {
        AbilityParamsRepr {
            prior_sd: p.prior_sd,
            learn_weight: p.learn_weight,
        }
    }
}

impl Default for AbilityParams {
    /// A population spread of 1 logit, learning moved as much as answers.
    fn default() -> Self {
        AbilityParams {
            prior_sd: 1.0,
            learn_weight: 1.0,
        }
    }
}

impl AbilityParams {
    /// The population's ability spread `prior_sd` (logits, in (0, 4]) and
    /// the weight `learn_weight` of ability on the logits of each
    /// standard's prior and learn rate (in [0, 4]; 0: ability moves answers
    /// only).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for a value out of its range or not finite.
    pub fn new(prior_sd: f64, learn_weight: f64) -> Result<Self> {
        if !(prior_sd > 0.0 && prior_sd <= MAX_ABILITY) {
            return Err(Error::InvalidValue {
                what: "the ability prior's standard deviation".into(),
                expected: "in (0, 4] logits",
                value: prior_sd,
            });
        }
        if !(0.0..=4.0).contains(&learn_weight) {
            return Err(Error::InvalidValue {
                what: "the weight of ability on learning".into(),
                expected: "in [0, 4]",
                value: learn_weight,
            });
        }
        Ok(AbilityParams {
            prior_sd,
            learn_weight,
        })
    }

    /// The population's standard deviation of ability, in logits.
    #[must_use]
    pub fn prior_sd(&self) -> f64 {
        self.prior_sd
    }

    /// The weight of ability on the logits of the prior and the learn rate.
    #[must_use]
    pub fn learn_weight(&self) -> f64 {
        self.learn_weight
    }

    /// A new learner's ability: the population prior.
    #[must_use]
    pub fn prior(&self) -> Ability {
        Ability {
            mean: 0.0,
            precision: 1.0 / (self.prior_sd * self.prior_sd),
        }
    }

    /// A standard's prior or learn rate `p` for a learner of ability
    /// `theta`: `σ(logit p + learn_weight·θ)` (0 and 1 stay).
    ///
    /// ```
    /// use mastery::AbilityParams;
    ///
    /// let params = AbilityParams::new(1.0, 1.0)?;
    /// assert!(params.shift(0.2, 1.0) > 0.2 && params.shift(0.2, -1.0) < 0.2);
    /// assert_eq!(params.shift(0.2, 0.0), 0.2);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    #[must_use]
    pub fn shift(&self, p: f64, theta: f64) -> f64 {
        self.shift_rate(Rate::of(p), theta)
    }

    /// [`AbilityParams::shift`] of a rate whose logit is known.
    pub(crate) fn shift_rate(&self, rate: Rate, theta: f64) -> f64 {
        if theta == 0.0 || self.learn_weight == 0.0 || rate.p <= 0.0 || rate.p >= 1.0 {
            return rate.p;
        }
        sigmoid(rate.logit + self.learn_weight * theta)
    }
}

/// `answer` for a learner of ability `theta`: guess and `1 - slip` shifted
/// by `theta` on the logit scale (still `guess + slip < 1`).
///
/// ```
/// use mastery::GuessSlip;
/// use mastery::model::individual_answer;
///
/// let typical = GuessSlip::new(0.2, 0.1)?;
/// let strong = individual_answer(typical, 1.0);
/// assert!(strong.guess() > 0.2 && strong.slip() < 0.1);
/// assert_eq!(individual_answer(typical, 0.0), typical);
/// # Ok::<(), mastery::Error>(())
/// ```
#[must_use]
pub fn individual_answer(answer: GuessSlip, theta: f64) -> GuessSlip {
    if theta == 0.0 {
        return answer;
    }
    let guess = sigmoid(logit(answer.guess()) + theta);
    let slip = 1.0 - sigmoid(logit(1.0 - answer.slip()) + theta);
    // Both moved by the same increasing map, so their order stays; a pair at
    // the logit clamp's edge is the only way to tie, and then the typical
    // answer is the safe fallback.
    GuessSlip::new(guess, slip).unwrap_or(answer)
}

/// One learner's ability estimate: a Gaussian belief over `θ`.
///
/// ```
/// use mastery::{AbilityParams, GuessSlip};
///
/// let params = AbilityParams::default();
/// let answer = GuessSlip::new(0.2, 0.1)?;
/// let (mut strong, mut weak) = (params.prior(), params.prior());
/// for _ in 0..10 {
///     strong.observe(0.3, answer, 1.0, 1.0);
///     weak.observe(0.3, answer, 0.0, 1.0);
/// }
/// assert!(strong.mean() > 0.5 && weak.mean() < -0.5);
/// assert!(strong.sd() < params.prior_sd());
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Ability {
    mean: f64,
    precision: f64,
}

impl Ability {
    /// The estimate (logits; 0 is the population's typical learner).
    #[must_use]
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// How unsure the estimate is: the belief's standard deviation.
    #[must_use]
    pub fn sd(&self) -> f64 {
        1.0 / self.precision.sqrt()
    }

    /// A belief read back from storage: `None` unless the mean is finite and
    /// within ±[`MAX_ABILITY`] and the precision positive and finite.
    #[must_use]
    pub fn from_parts(mean: f64, precision: f64) -> Option<Ability> {
        (mean.abs() <= MAX_ABILITY && precision > 0.0 && precision.is_finite())
            .then_some(Ability { mean, precision })
    }

    /// The answer model of this learner: guess and `1 - slip` shifted by
    /// the ability on the logit scale and averaged over the belief's
    /// uncertainty (the probit approximation of the logistic-normal
    /// integral, MacKay 1992: `E σ(a + θ) ≈ σ((a + mean) / sqrt(1 + π·var/8))`),
    /// so an unsure estimate moves predictions less than a sure one. Still
    /// `guess + slip < 1`.
    ///
    /// ```
    /// use mastery::{AbilityParams, GuessSlip};
    ///
    /// let answer = GuessSlip::new(0.2, 0.1)?;
    /// // A new learner (mean 0) answers like the typical learner, a bit
    /// // flattened by the population's spread.
    /// let new = AbilityParams::default().prior().answer(answer);
    /// assert!(new.guess() > 0.2 && new.slip() > 0.1);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    #[must_use]
    pub fn answer(&self, answer: GuessSlip) -> GuessSlip {
        self.answer_with(answer, AnswerLogits::of(answer.guess(), answer.slip()))
    }

    /// [`Ability::answer`] of `answer` whose logits are known.
    pub(crate) fn answer_with(&self, answer: GuessSlip, logits: AnswerLogits) -> GuessSlip {
        let (guess, slip) = self.answer_logits(logits);
        GuessSlip::new(guess, slip).unwrap_or(answer)
    }

    /// [`Ability::answer`] of an answer model on the logit scale, as raw
    /// guess and slip.
    pub(crate) fn answer_logits(&self, answer: AnswerLogits) -> (f64, f64) {
        let flatten = 1.0 / (1.0 + std::f64::consts::PI / (8.0 * self.precision)).sqrt();
        let g = sigmoid((answer.guess + self.mean) * flatten);
        let right = sigmoid((answer.right + self.mean) * flatten);
        (g, 1.0 - right)
    }

    /// The belief's precision (1 / variance).
    #[must_use]
    pub fn precision(&self) -> f64 {
        self.precision
    }

    /// Updates the belief with one response: `known` is the chance the
    /// learner knew what was asked (the mastery estimate before the
    /// response), `answer` the typical learner's guess and slip, `credit`
    /// the score in [0, 1], `weight` the evidence's weight (a self-report
    /// counts less). Non-finite inputs leave the belief unchanged.
    pub fn observe(&mut self, known: f64, answer: GuessSlip, credit: f64, weight: f64) {
        self.observe_logits(
            known,
            AnswerLogits::of(answer.guess(), answer.slip()),
            credit,
            weight,
        );
    }

    /// [`Ability::observe`] with an answer model on the logit scale.
    pub(crate) fn observe_logits(
        &mut self,
        known: f64,
        answer: AnswerLogits,
        credit: f64,
        weight: f64,
    ) {
        if !(known.is_finite() && credit.is_finite() && weight.is_finite() && weight > 0.0) {
            return;
        }
        let (known, credit) = (known.clamp(0.0, 1.0), credit.clamp(0.0, 1.0));
        let (p, slope) = p_and_slope(known, answer, self.mean);
        let spread = (p * (1.0 - p)).max(1e-12);
        self.precision += weight * slope * slope / spread;
        self.mean += weight * (credit - p) * slope / spread / self.precision;
        self.mean = self.mean.clamp(-MAX_ABILITY, MAX_ABILITY);
    }
}

/// P(correct) for a learner of ability `theta` who knows with chance
/// `known`, and its derivative in `theta`.
fn p_and_slope(known: f64, answer: AnswerLogits, theta: f64) -> (f64, f64) {
    let (guess, right) = (sigmoid(answer.guess + theta), sigmoid(answer.right + theta));
    let p = known * right + (1.0 - known) * guess;
    let slope = known * right * (1.0 - right) + (1.0 - known) * guess * (1.0 - guess);
    (p.clamp(1e-12, 1.0 - 1e-12), slope)
}

/// One response of a history for [`batch_ability`]: which of the learner's
/// standards it is on, that standard's typical parameters and the credit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HistoryStep {
    /// Which of the learner's standards (chains of estimates) this is.
    pub chain: usize,
    /// The standard's prior: the chain's estimate before its first response.
    pub prior: f64,
    /// The typical learner's guess and slip.
    pub answer: GuessSlip,
    /// The typical learner's learn rate.
    pub learn: f64,
    /// The forget rate.
    pub forget: f64,
    /// The score in [0, 1].
    pub credit: f64,
}

/// The log-posterior of `theta` given a history: the prior's log-density
/// plus each response's log-likelihood, with every chain's mastery estimate
/// run by BKT under `theta` (answers and learning individualized).
#[must_use]
pub fn ability_log_posterior(params: &AbilityParams, history: &[HistoryStep], theta: f64) -> f64 {
    let chains = history.iter().map(|s| s.chain + 1).max().unwrap_or(0);
    let mut estimate: Vec<Option<f64>> = vec![None; chains];
    let mut total = -0.5 * (theta / params.prior_sd).powi(2);
    for step in history {
        let Some(slot) = estimate.get_mut(step.chain) else {
            continue;
        };
        let known = slot.unwrap_or_else(|| params.shift(step.prior, theta));
        let answer = individual_answer(step.answer, theta);
        let p = answer.p_correct(known).clamp(1e-12, 1.0 - 1e-12);
        total += step.credit * p.ln() + (1.0 - step.credit) * (1.0 - p).ln();
        let (k, u) = (
            (1.0 - answer.slip()).powf(step.credit) * answer.slip().powf(1.0 - step.credit),
            answer.guess().powf(step.credit) * (1.0 - answer.guess()).powf(1.0 - step.credit),
        );
        let posterior = super::params::posterior(known, k, u);
        let learn = params.shift(step.learn, theta);
        *slot = Some(posterior * (1.0 - step.forget) + (1.0 - posterior) * learn);
    }
    total
}

/// The maximum a posteriori ability over a whole history (O(n) per
/// evaluation; a grid over ±[`MAX_ABILITY`] then a golden-section search
/// around its best point): the batch estimate the online one tracks.
#[must_use]
pub fn batch_ability(params: &AbilityParams, history: &[HistoryStep]) -> f64 {
    let f = |t: f64| ability_log_posterior(params, history, t);
    const GRID: usize = 80;
    let step = 2.0 * MAX_ABILITY / GRID as f64;
    let mut best = (0.0, f(0.0));
    for i in 0..=GRID {
        let t = -MAX_ABILITY + step * i as f64;
        let v = f(t);
        if v > best.1 {
            best = (t, v);
        }
    }
    let (mut lo, mut hi) = (
        (best.0 - step).max(-MAX_ABILITY),
        (best.0 + step).min(MAX_ABILITY),
    );
    let ratio = (5f64.sqrt() - 1.0) / 2.0;
    for _ in 0..60 {
        let a = hi - ratio * (hi - lo);
        let b = lo + ratio * (hi - lo);
        if f(a) >= f(b) {
            hi = b;
        } else {
            lo = a;
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn individual_answers_keep_guess_plus_slip_below_one() {
        for &(g, s) in &[(0.2, 0.1), (0.45, 0.5), (1e-9, 0.3), (0.6, 0.39)] {
            let answer = GuessSlip::new(g, s).unwrap();
            for theta in [-4.0, -1.0, 0.5, 4.0] {
                let a = individual_answer(answer, theta);
                assert!(a.guess() + a.slip() < 1.0, "{g} {s} {theta}");
            }
        }
    }

    #[test]
    fn the_prior_is_the_population() {
        let params = AbilityParams::new(0.5, 0.0).unwrap();
        let prior = params.prior();
        assert_eq!(prior.mean(), 0.0);
        assert!((prior.sd() - 0.5).abs() < 1e-12);
        assert_eq!(params.shift(0.2, 3.0), 0.2);
        assert!(AbilityParams::default().shift(0.2, 1.0) > 0.2);
    }

    #[test]
    fn the_slope_is_the_derivative() {
        let answer = GuessSlip::new(0.25, 0.15).unwrap();
        for &(known, theta) in &[(0.1, 0.0), (0.7, 1.3), (0.5, -2.0)] {
            let logits = AnswerLogits::of(answer.guess(), answer.slip());
            let (_, slope) = p_and_slope(known, logits, theta);
            let h = 1e-6;
            let numeric = (p_and_slope(known, logits, theta + h).0
                - p_and_slope(known, logits, theta - h).0)
                / (2.0 * h);
            assert!((slope - numeric).abs() < 1e-7, "{slope} {numeric}");
        }
    }

    #[test]
    fn bad_inputs_leave_the_belief_alone() {
        let mut a = AbilityParams::default().prior();
        let answer = GuessSlip::new(0.2, 0.1).unwrap();
        a.observe(f64::NAN, answer, 1.0, 1.0);
        a.observe(0.5, answer, f64::INFINITY, 1.0);
        a.observe(0.5, answer, 1.0, 0.0);
        assert_eq!(a, AbilityParams::default().prior());
        assert!(Ability::from_parts(5.0, 1.0).is_none());
        assert!(Ability::from_parts(0.5, 0.0).is_none());
        assert!(Ability::from_parts(0.5, 2.0).is_some());
    }
}
