//! Validated model parameters: BKT per standard, decay over time,
//! propagation along prerequisites, and mastery-level thresholds.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::evidence::Outcome;

fn check_probability(what: &str, value: f64) -> Result<f64> {
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(Error::InvalidValue {
            what: what.to_owned(),
            expected: "a probability in [0, 1]",
            value,
        })
    }
}

fn check_guess_slip(guess: f64, slip: f64) -> Result<()> {
    check_probability("guess", guess)?;
    check_probability("slip", slip)?;
    if guess + slip >= 1.0 {
        return Err(Error::InvalidValue {
            what: format!("guess + slip (guess {guess}, slip {slip})"),
            expected: "below 1, or a correct answer would lower mastery",
            value: guess + slip,
        });
    }
    Ok(())
}

/// BKT parameters per skill (or standard) id, in the JSON form
/// `{"params": {"<skill>": {"prior": p, "learn": t, "forget": f, "guess": g, "slip": s}}}`
/// that `examples/fit.rs` writes and `examples/predict.rs` reads. `forget`
/// may be omitted (0).
///
/// A fit with one guess and slip per item (KT-IDEM, `--item-col`) also
/// keeps them, under `"items": {"<skill>": {"<item>": {"guess": g, "slip": s}}}`;
/// the skill's own guess and slip are then the item values averaged by
/// responses, used for items the fit has not seen. Files without `items`
/// load as before.
///
/// ```
/// use mastery::model::SkillParams;
///
/// let json = r#"{"params": {"Median": {"prior": 0.35, "learn": 0.12, "guess": 0.22, "slip": 0.1}}}"#;
/// let params = SkillParams::from_json(json)?;
/// assert_eq!(params.params["Median"].forget(), 0.0);
/// assert_eq!(SkillParams::from_json(&params.to_json())?, params);
/// let bad = r#"{"params": {"Median": {"prior": 0.35, "learn": 0.12, "guess": 0.6, "slip": 0.5}}}"#;
/// assert!(SkillParams::from_json(bad).is_err());
/// # Ok::<(), mastery::Error>(())
/// ```
///
/// Per-item guess and slip:
///
/// ```
/// use mastery::model::SkillParams;
///
/// let json = r#"{"params": {"Median": {"prior": 0.35, "learn": 0.12, "guess": 0.2, "slip": 0.1}},
///                "items": {"Median": {"q1": {"guess": 0.05, "slip": 0.1}, "q2": {"guess": 0.35, "slip": 0.1}}}}"#;
/// let params = SkillParams::from_json(json)?;
/// let q2 = params.item_guess_slip("Median", "q2").unwrap();
/// assert!((q2.guess() - 0.35).abs() < 1e-12);
/// assert!(params.item_guess_slip("Median", "q3").is_none());
/// assert_eq!(SkillParams::from_json(&params.to_json())?, params);
/// // Items of a skill without parameters are an error, not ignored.
/// assert!(SkillParams::from_json(r#"{"params": {}, "items": {"Mode": {"q1": {"guess": 0.1, "slip": 0.1}}}}"#).is_err());
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "SkillParamsRepr")]
pub struct SkillParams {
    /// Parameters by skill id.
    pub params: BTreeMap<String, BktParams>,
    /// Guess and slip per item, by skill id then item id (KT-IDEM fits
    /// only; empty otherwise). Every skill here has [`params`](Self::params).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub items: BTreeMap<String, BTreeMap<String, GuessSlip>>,
}

/// The JSON form before validation, so that an error can name the skill.
#[derive(Deserialize)]
struct SkillParamsRepr {
    params: BTreeMap<String, BktParamsRepr>,
    #[serde(default)]
    items: BTreeMap<String, BTreeMap<String, GuessSlip>>,
}

impl TryFrom<SkillParamsRepr> for SkillParams {
    type Error = Error;
    fn try_from(r: SkillParamsRepr) -> Result<Self> {
        if let Some(skill) = r.items.keys().find(|s| !r.params.contains_key(*s)) {
            return Err(Error::InvalidState {
                what: "skill parameters",
                reason: format!(
                    "`items` has skill `{skill}`, which has no parameters under `params`"
                ),
            });
        }
        let params = r
            .params
            .into_iter()
            .map(|(skill, p)| match BktParams::try_from(p) {
                Ok(params) => Ok((skill, params)),
                Err(Error::InvalidValue {
                    what,
                    expected,
                    value,
                }) => Err(Error::InvalidValue {
                    what: format!("{what} of skill `{skill}`"),
                    expected,
                    value,
                }),
                Err(other) => Err(other),
            })
            .collect::<Result<_>>()?;
        Ok(SkillParams {
            params,
            items: r.items,
        })
    }
}

impl SkillParams {
    /// Reads the JSON form.
    ///
    /// # Errors
    /// [`Error::Json`] for malformed JSON (with line and column);
    /// [`Error::InvalidValue`] naming the skill for invalid parameters.
    pub fn from_json(json: &str) -> Result<Self> {
        Self::parse("skill parameters JSON", json)
    }

    /// Reads the JSON form from a file.
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be read, [`Error::InputTooLarge`]
    /// past [`MAX_INPUT_BYTES`](crate::MAX_INPUT_BYTES), else as
    /// [`SkillParams::from_json`], the file named in a JSON error.
    pub fn read(path: impl AsRef<std::path::Path>) -> Result<Self> {
        use std::io::Read;
        let path = path.as_ref();
        let name: std::sync::Arc<str> = path.display().to_string().into();
        let file = std::fs::File::open(path).map_err(|source| Error::Io {
            file: name.clone(),
            source,
        })?;
        let mut text = String::new();
        crate::io::Capped::whole(file)
            .read_to_string(&mut text)
            .map_err(|source| crate::io::io_error(&name, source))?;
        Self::parse(&name, &text)
    }

    fn parse(what: &str, json: &str) -> Result<Self> {
        let repr: SkillParamsRepr = serde_json::from_str(json).map_err(|source| Error::Json {
            what: what.to_owned(),
            source,
        })?;
        SkillParams::try_from(repr)
    }

    /// The fitted guess and slip of `item` of `skill`, if the parameters
    /// have per-item values for it.
    #[must_use]
    pub fn item_guess_slip(&self, skill: &str, item: &str) -> Option<GuessSlip> {
        self.items.get(skill)?.get(item).copied()
    }

    /// The JSON form.
    #[must_use]
    pub fn to_json(&self) -> String {
        // Strings and finite numbers only: cannot fail.
        serde_json::to_string_pretty(self).expect("parameters serialize to JSON")
    }
}

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
struct BktParamsRepr {
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
        (mastery * (1.0 - self.forget) + (1.0 - mastery) * self.learn).clamp(0.0, 1.0)
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
struct GuessSlipRepr {
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

/// Forgetting over time: mastery that is not practiced fades toward the
/// standard's prior, with a half-life that grows with successful spaced
/// practice.
///
/// Between pieces of evidence, `m(t) = floor + (m0 - floor) · 2^(-Δt / h)`,
/// where `m0` is the estimate after the last evidence, `Δt` the time since,
/// `floor` the standard's prior (an estimate below the floor does not
/// change), and `h` the learner's half-life for the standard. A new
/// standard starts at `half_life_days`. A success (credit of at least 0.5)
/// multiplies `h` by `1 + growth · min(1, Δp / h)`, where `Δp` is the time
/// since the previous practice: practice spaced a half-life apart grows the
/// half-life by the full `growth`, massed practice barely at all (the
/// spacing effect, as in half-life regression, Settles & Meeder 2016, and
/// FSRS's stability). A failure multiplies `h` by `lapse`, down to
/// `min_half_life_days`.
///
/// ```
/// use mastery::Decay;
///
/// let decay = Decay::new(30.0, 1.0, 0.5, 1.0)?; // 30 days, growth 1, lapse 0.5, at least 1 day
/// let day = 86_400;
/// // One half-life later, halfway back to the floor.
/// let m = decay.decayed(0.9, 0.1, 30 * day, 30.0);
/// assert!((m - 0.5).abs() < 1e-12);
/// // Practice spaced by a full half-life doubles it; practice a minute apart barely changes it.
/// assert!((decay.next_half_life(30.0, Some(30 * day), true) - 60.0).abs() < 1e-9);
/// assert!(decay.next_half_life(30.0, Some(60), true) < 30.01);
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "DecayRepr", into = "DecayRepr")]
pub struct Decay {
    half_life_days: f64,
    growth: f64,
    lapse: f64,
    min_half_life_days: f64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DecayRepr {
    half_life_days: f64,
    growth: f64,
    lapse: f64,
    min_half_life_days: f64,
}

impl TryFrom<DecayRepr> for Decay {
    type Error = Error;
    fn try_from(r: DecayRepr) -> Result<Self> {
        Decay::new(r.half_life_days, r.growth, r.lapse, r.min_half_life_days)
    }
}

impl From<Decay> for DecayRepr {
    fn from(d: Decay) -> Self {
        DecayRepr {
            half_life_days: d.half_life_days,
            growth: d.growth,
            lapse: d.lapse,
            min_half_life_days: d.min_half_life_days,
        }
    }
}

impl Default for Decay {
    /// A 90-day initial half-life, growth 1 (spaced success doubles it),
    /// lapse 0.5 (a failure halves it), at least 1 day.
    fn default() -> Self {
        Decay {
            half_life_days: 90.0,
            growth: 1.0,
            lapse: 0.5,
            min_half_life_days: 1.0,
        }
    }
}

const SECONDS_PER_DAY: f64 = 86_400.0;

impl Decay {
    /// The shortest half-life, in days (one second): `half_life_days` and
    /// `min_half_life_days` may not be shorter.
    pub const MIN_HALF_LIFE_DAYS: f64 = 1.0 / SECONDS_PER_DAY;

    /// The longest half-life, in days (a million days, about 2,700 years:
    /// forgetting is off in all but name). Initial half-lives may not be
    /// longer, and growth stops here, so every half-life a learner's state
    /// holds is finite and saves and loads exactly.
    pub const MAX_HALF_LIFE_DAYS: f64 = 1e6;

    /// A decay model.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] unless `half_life_days` and
    /// `min_half_life_days` are in
    /// [[`Decay::MIN_HALF_LIFE_DAYS`], [`Decay::MAX_HALF_LIFE_DAYS`]] with
    /// `min_half_life_days <= half_life_days`, `growth` is finite and
    /// non-negative, and `lapse` is in (0, 1].
    pub fn new(
        half_life_days: f64,
        growth: f64,
        lapse: f64,
        min_half_life_days: f64,
    ) -> Result<Self> {
        let positive = |what: &str, v: f64| {
            if (Self::MIN_HALF_LIFE_DAYS..=Self::MAX_HALF_LIFE_DAYS).contains(&v) {
                Ok(())
            } else {
                Err(Error::InvalidValue {
                    what: what.to_owned(),
                    expected: "from one second (1/86400 days) to 1e6 days",
                    value: v,
                })
            }
        };
        positive("half_life_days", half_life_days)?;
        positive("min_half_life_days", min_half_life_days)?;
        if min_half_life_days > half_life_days {
            return Err(Error::InvalidValue {
                what: "min_half_life_days".into(),
                expected: "at most half_life_days",
                value: min_half_life_days,
            });
        }
        if !(growth.is_finite() && growth >= 0.0) {
            return Err(Error::InvalidValue {
                what: "growth".into(),
                expected: "a non-negative, finite number",
                value: growth,
            });
        }
        if !(lapse > 0.0 && lapse <= 1.0) {
            return Err(Error::InvalidValue {
                what: "lapse".into(),
                expected: "a number in (0, 1]",
                value: lapse,
            });
        }
        Ok(Decay {
            half_life_days,
            growth,
            lapse,
            min_half_life_days,
        })
    }

    /// The half-life of a standard never practiced before, in days.
    #[must_use]
    pub fn half_life_days(&self) -> f64 {
        self.half_life_days
    }

    /// The mastery `elapsed_seconds` after an estimate of `mastery`, fading
    /// toward `floor` with half-life `half_life_days`. Never rises; negative
    /// elapsed times count as zero.
    #[must_use]
    pub fn decayed(
        &self,
        mastery: f64,
        floor: f64,
        elapsed_seconds: i64,
        half_life_days: f64,
    ) -> f64 {
        if mastery <= floor || elapsed_seconds <= 0 {
            return mastery;
        }
        let half_lives = elapsed_seconds as f64 / (half_life_days * SECONDS_PER_DAY);
        floor + (mastery - floor) * (-half_lives).exp2()
    }

    /// The half-life after practice: `since_last_practice` is `None` for the
    /// first practice. Never beyond [`Decay::MAX_HALF_LIFE_DAYS`], however
    /// large `growth` is.
    #[must_use]
    pub fn next_half_life(
        &self,
        half_life_days: f64,
        since_last_practice: Option<i64>,
        success: bool,
    ) -> f64 {
        let Some(since) = since_last_practice else {
            return self.half_life_days;
        };
        if success {
            let spacing = (since.max(0) as f64 / SECONDS_PER_DAY / half_life_days).min(1.0);
            (half_life_days * (1.0 + self.growth * spacing)).min(Self::MAX_HALF_LIFE_DAYS)
        } else {
            (half_life_days * self.lapse).clamp(self.min_half_life_days, Self::MAX_HALF_LIFE_DAYS)
        }
    }
}

/// How evidence on one standard informs the estimates of the standards
/// around it in the prerequisite graph. See [`crate::model`] for the model.
///
/// ```
/// use mastery::Propagation;
///
/// let p = Propagation::new(0.6, 0.2, 2)?;
/// assert_eq!(p.max_depth(), 2);
/// assert!(Propagation::off().is_off());
/// assert!(Propagation::new(1.5, 0.2, 2).is_err());
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "PropagationRepr", into = "PropagationRepr")]
pub struct Propagation {
    strength: f64,
    dependent_weight: f64,
    max_depth: u32,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PropagationRepr {
    strength: f64,
    dependent_weight: f64,
    max_depth: u32,
}

impl TryFrom<PropagationRepr> for Propagation {
    type Error = Error;
    fn try_from(r: PropagationRepr) -> Result<Self> {
        Propagation::new(r.strength, r.dependent_weight, r.max_depth)
    }
}

impl From<Propagation> for PropagationRepr {
    fn from(p: Propagation) -> Self {
        PropagationRepr {
            strength: p.strength,
            dependent_weight: p.dependent_weight,
            max_depth: p.max_depth,
        }
    }
}

impl Default for Propagation {
    /// Strength 0.5, dependent weight 0.2, two edges deep.
    fn default() -> Self {
        Propagation {
            strength: 0.5,
            dependent_weight: 0.2,
            max_depth: 2,
        }
    }
}

impl Propagation {
    /// Propagation settings.
    ///
    /// - `strength` in [0, 1]: how strongly a standard depends on its
    ///   prerequisites; at 1 a standard cannot be known while a prerequisite is
    ///   unknown, at 0 prerequisites are independent;
    /// - `dependent_weight` in [0, 1]: the power to which the evidence's
    ///   likelihood is raised for a direct dependent (squared for the next
    ///   level, and so on);
    /// - `max_depth`: how many edges away from the attempted standard
    ///   estimates may change.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for `strength` or `dependent_weight` outside [0, 1].
    pub fn new(strength: f64, dependent_weight: f64, max_depth: u32) -> Result<Self> {
        check_probability("propagation strength", strength)?;
        check_probability("dependent weight", dependent_weight)?;
        Ok(Propagation {
            strength,
            dependent_weight,
            max_depth,
        })
    }

    /// No propagation: plain BKT per standard.
    #[must_use]
    pub fn off() -> Self {
        Propagation {
            strength: 0.0,
            dependent_weight: 0.0,
            max_depth: 0,
        }
    }

    /// Whether propagation changes nothing.
    #[must_use]
    pub fn is_off(&self) -> bool {
        self.max_depth == 0 || (self.strength == 0.0 && self.dependent_weight == 0.0)
    }

    /// Strength of the prerequisite constraint.
    #[must_use]
    pub fn strength(&self) -> f64 {
        self.strength
    }

    /// Likelihood power for direct dependents.
    #[must_use]
    pub fn dependent_weight(&self) -> f64 {
        self.dependent_weight
    }

    /// Maximum distance in edges.
    #[must_use]
    pub fn max_depth(&self) -> u32 {
        self.max_depth
    }
}

/// Mastery levels for people, from the estimate P(L).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MasteryLevel {
    /// No evidence yet and an estimate below "familiar".
    NotStarted,
    /// Evidence, but an estimate below "familiar".
    Attempted,
    /// At least the familiar threshold.
    Familiar,
    /// At least the proficient threshold.
    Proficient,
    /// At least the mastered threshold.
    Mastered,
}

impl MasteryLevel {
    /// The level in plain words, e.g. "not started".
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            MasteryLevel::NotStarted => "not started",
            MasteryLevel::Attempted => "attempted",
            MasteryLevel::Familiar => "familiar",
            MasteryLevel::Proficient => "proficient",
            MasteryLevel::Mastered => "mastered",
        }
    }
}

/// The thresholds of the mastery levels.
///
/// ```
/// use mastery::{LevelThresholds, MasteryLevel};
///
/// let t = LevelThresholds::default(); // familiar 0.5, proficient 0.8, mastered 0.95
/// assert_eq!(t.level(0.96, true), MasteryLevel::Mastered);
/// assert_eq!(t.level(0.85, true), MasteryLevel::Proficient);
/// assert_eq!(t.level(0.3, true), MasteryLevel::Attempted);
/// assert_eq!(t.level(0.3, false), MasteryLevel::NotStarted);
/// assert!(LevelThresholds::new(0.8, 0.5, 0.95).is_err());
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "LevelThresholdsRepr", into = "LevelThresholdsRepr")]
pub struct LevelThresholds {
    familiar: f64,
    proficient: f64,
    mastered: f64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LevelThresholdsRepr {
    familiar: f64,
    proficient: f64,
    mastered: f64,
}

impl TryFrom<LevelThresholdsRepr> for LevelThresholds {
    type Error = Error;
    fn try_from(r: LevelThresholdsRepr) -> Result<Self> {
        LevelThresholds::new(r.familiar, r.proficient, r.mastered)
    }
}

impl From<LevelThresholds> for LevelThresholdsRepr {
    fn from(t: LevelThresholds) -> Self {
        LevelThresholdsRepr {
            familiar: t.familiar,
            proficient: t.proficient,
            mastered: t.mastered,
        }
    }
}

impl Default for LevelThresholds {
    /// Familiar at 0.5, proficient at 0.8, mastered at 0.95 (the mastery bar
    /// of pyBKT's Roster and OATutor).
    fn default() -> Self {
        LevelThresholds {
            familiar: 0.5,
            proficient: 0.8,
            mastered: 0.95,
        }
    }
}

impl LevelThresholds {
    /// Thresholds; they must be probabilities with `familiar <= proficient <= mastered`.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] otherwise.
    pub fn new(familiar: f64, proficient: f64, mastered: f64) -> Result<Self> {
        check_probability("familiar threshold", familiar)?;
        check_probability("proficient threshold", proficient)?;
        check_probability("mastered threshold", mastered)?;
        if !(familiar <= proficient && proficient <= mastered) {
            return Err(Error::InvalidValue {
                what: "proficient threshold".into(),
                expected: "between the familiar and mastered thresholds",
                value: proficient,
            });
        }
        Ok(LevelThresholds {
            familiar,
            proficient,
            mastered,
        })
    }

    /// The mastered threshold.
    #[must_use]
    pub fn mastered(&self) -> f64 {
        self.mastered
    }

    /// The level of an estimate; `attempted` says whether there is evidence.
    #[must_use]
    pub fn level(&self, mastery: f64, attempted: bool) -> MasteryLevel {
        if mastery >= self.mastered {
            MasteryLevel::Mastered
        } else if mastery >= self.proficient {
            MasteryLevel::Proficient
        } else if mastery >= self.familiar {
            MasteryLevel::Familiar
        } else if attempted {
            MasteryLevel::Attempted
        } else {
            MasteryLevel::NotStarted
        }
    }
}
