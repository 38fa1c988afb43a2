//! Forgetting over time (decay) and evidence along prerequisites (propagation).

use super::*;

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
pub(super) struct DecayRepr {
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

pub(super) const SECONDS_PER_DAY: f64 = 86_400.0;

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
pub(super) struct PropagationRepr {
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
