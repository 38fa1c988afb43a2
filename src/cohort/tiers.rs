//! Tiered interventions (multi-tiered systems of support, MTSS): who is on
//! track, who needs targeted small-group work, who needs intensive help, and
//! the evidence for each.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::Cohort;
use crate::curriculum::{Curriculum, StandardIdx, StandardSet};
use crate::error::{Error, Result};
use crate::recommend::GoalPlan;

/// A tier of support.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Tier {
    /// On track: the usual recommendations.
    Core,
    /// Targeted small-group work on a shared gap.
    Targeted,
    /// Intensive: a teacher should look now.
    Intensive,
}

impl Tier {
    /// The MTSS number: 1, 2 or 3.
    #[must_use]
    pub fn number(self) -> u8 {
        match self {
            Tier::Core => 1,
            Tier::Targeted => 2,
            Tier::Intensive => 3,
        }
    }
}

/// The rules that place a learner in a tier; every threshold is a setting.
///
/// On the standards in scope (the focus and everything it builds on), a
/// learner is
///
/// - **tier 3 (intensive)** when wheel-spinning (at least
///   `wheel_spin_attempts` attempts, not mastered even right after the
///   latest evidence) on `intensive_spins` or more standards, or behind the
///   pace to a goal by `intensive_pace_ratio` or more (expected days at the
///   learner's observed pace over the days left; needs goal plans);
/// - **tier 2 (targeted)** when wheel-spinning on one standard, below
///   `targeted_below` mastery after at least `min_attempts` attempts on a
///   standard, or behind the pace to a goal at all (ratio above 1);
/// - **tier 1 (core)** otherwise.
///
/// Tier 2 learners are grouped by their first gap in the curriculum's order
/// (the earliest standard that is stuck or below the bar): learners with the
/// same gap learn it together.
///
/// ```
/// use mastery::cohort::TierRules;
///
/// let rules = TierRules::default().targeted_below(0.5)?.intensive_spins(3)?;
/// assert_eq!(rules.wheel_spin_attempts_value(), 10);
/// assert!(TierRules::default().targeted_below(1.5).is_err());
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[must_use]
pub struct TierRules {
    wheel_spin_attempts: u32,
    min_attempts: u32,
    targeted_below: f64,
    intensive_spins: usize,
    intensive_pace_ratio: f64,
}

impl Default for TierRules {
    /// 10 attempts for wheel-spinning (Beck & Gong 2013), 3 attempts and
    /// 60% for "below the bar", 2 wheel-spinning standards or twice the time
    /// left for tier 3.
    fn default() -> Self {
        TierRules {
            wheel_spin_attempts: 10,
            min_attempts: 3,
            targeted_below: 0.6,
            intensive_spins: 2,
            intensive_pace_ratio: 2.0,
        }
    }
}

impl TierRules {
    /// Attempts without mastery that make a learner wheel-spinning (at least 1).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for 0.
    pub fn wheel_spin_attempts(mut self, attempts: u32) -> Result<Self> {
        self.wheel_spin_attempts = positive(attempts, "wheel-spinning attempts")?;
        Ok(self)
    }

    /// Attempts before a low estimate counts as a gap (at least 1).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for 0.
    pub fn min_attempts(mut self, attempts: u32) -> Result<Self> {
        self.min_attempts = positive(attempts, "attempts before a gap counts")?;
        Ok(self)
    }

    /// Mastery below which an attempted standard is a gap (tier 2).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] outside [0, 1].
    pub fn targeted_below(mut self, mastery: f64) -> Result<Self> {
        if !(0.0..=1.0).contains(&mastery) {
            return Err(Error::InvalidValue {
                what: "tier 2 mastery bar".into(),
                expected: "a probability in [0, 1]",
                value: mastery,
            });
        }
        self.targeted_below = mastery;
        Ok(self)
    }

    /// Wheel-spinning standards that make tier 3 (at least 1).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for 0.
    pub fn intensive_spins(mut self, standards: usize) -> Result<Self> {
        if standards == 0 {
            return Err(Error::InvalidValue {
                what: "wheel-spinning standards for tier 3".into(),
                expected: "at least 1",
                value: 0.0,
            });
        }
        self.intensive_spins = standards;
        Ok(self)
    }

    /// Expected days over days left that make tier 3 (above 1).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] unless finite and above 1.
    pub fn intensive_pace_ratio(mut self, ratio: f64) -> Result<Self> {
        if !(ratio.is_finite() && ratio > 1.0) {
            return Err(Error::InvalidValue {
                what: "pace ratio for tier 3".into(),
                expected: "a finite number above 1",
                value: ratio,
            });
        }
        self.intensive_pace_ratio = ratio;
        Ok(self)
    }

    /// The wheel-spinning attempts in force.
    #[must_use]
    pub fn wheel_spin_attempts_value(&self) -> u32 {
        self.wheel_spin_attempts
    }
}

fn positive(value: u32, what: &str) -> Result<u32> {
    if value == 0 {
        Err(Error::InvalidValue {
            what: what.into(),
            expected: "at least 1",
            value: 0.0,
        })
    } else {
        Ok(value)
    }
}

/// One piece of evidence behind a tier.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum TierEvidence {
    /// Many attempts, no mastery.
    WheelSpinning {
        /// The standard.
        standard: StandardIdx,
        /// Attempts so far.
        attempts: u32,
        /// The estimate now.
        mastery: f64,
    },
    /// Attempted, still below the tier 2 bar.
    BelowBar {
        /// The standard.
        standard: StandardIdx,
        /// Attempts so far.
        attempts: u32,
        /// The estimate now.
        mastery: f64,
    },
    /// Behind the pace to a goal with a due date.
    BehindPace {
        /// The goal.
        goal: StandardIdx,
        /// Expected days at the learner's observed pace.
        expected_days: f64,
        /// Days left until the due date.
        days_left: f64,
    },
}

impl TierEvidence {
    /// One phrase for a teacher, e.g. "tried 4.NF.A.1 12 times, mastery 31%".
    #[must_use]
    pub fn explain(&self, curriculum: &Curriculum) -> String {
        let id = |s: StandardIdx| curriculum.standard(s).map_or("?", |s| s.id());
        match *self {
            TierEvidence::WheelSpinning {
                standard,
                attempts,
                mastery,
            } => format!(
                "stuck on {}: {attempts} attempts, mastery {:.0}%",
                id(standard),
                mastery * 100.0
            ),
            TierEvidence::BelowBar {
                standard,
                attempts,
                mastery,
            } => format!(
                "{} still at {:.0}% after {attempts} attempts",
                id(standard),
                mastery * 100.0
            ),
            TierEvidence::BehindPace {
                goal,
                expected_days,
                days_left,
            } => format!(
                "goal {} needs about {:.0} days at the current pace, {:.0} are left",
                id(goal),
                expected_days.ceil(),
                days_left.max(0.0).floor()
            ),
        }
    }
}

/// One learner's tier and the evidence for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TierPlacement {
    /// The learner's row in the cohort.
    pub learner: usize,
    /// The learner's id.
    pub id: String,
    /// The tier.
    pub tier: Tier,
    /// Why (empty for tier 1), the strongest evidence first.
    pub evidence: Vec<TierEvidence>,
    /// For tier 2 and 3: the first gap in the curriculum's order, if any.
    pub first_gap: Option<StandardIdx>,
}

/// Tier 2 learners who share a first gap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TierGroup {
    /// The gap to work on together.
    pub standard: StandardIdx,
    /// Learner rows of the cohort.
    pub learners: Vec<usize>,
}

/// Every learner's tier, tier 2 groups, and the rules used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Tiers {
    /// One per learner, in cohort order.
    pub placements: Vec<TierPlacement>,
    /// Tier 2 learners grouped by their first gap, in the curriculum's order.
    pub groups: Vec<TierGroup>,
    /// The rules.
    pub rules: TierRules,
}

impl Tiers {
    /// The learners of one tier.
    pub fn in_tier(&self, tier: Tier) -> impl Iterator<Item = &TierPlacement> {
        self.placements.iter().filter(move |p| p.tier == tier)
    }

    /// The tiers as Markdown for a teacher: tier 3 alerts with their
    /// evidence, tier 2 groups, and how many are on track.
    #[must_use]
    pub fn to_markdown(&self, curriculum: &Curriculum) -> String {
        let id = |s: StandardIdx| curriculum.standard(s).map_or("?", |s| s.id());
        let mut md = String::from("## Tiers of support\n\n");
        let count = |t: Tier| self.in_tier(t).count();
        let _ = writeln!(
            md,
            "Tier 1 (on track): {}. Tier 2 (targeted): {}. Tier 3 (intensive): {}.\n",
            count(Tier::Core),
            count(Tier::Targeted),
            count(Tier::Intensive)
        );
        md += "### Tier 3: look at these learners now\n\n";
        if count(Tier::Intensive) == 0 {
            md += "Nobody needs intensive support.\n";
        }
        for p in self.in_tier(Tier::Intensive) {
            let evidence: Vec<String> = p.evidence.iter().map(|e| e.explain(curriculum)).collect();
            let _ = writeln!(md, "- {}: {}.", p.id, evidence.join("; "));
        }
        md += "\n### Tier 2: small groups\n\n";
        if self.groups.is_empty() {
            md += "No shared gaps.\n";
        }
        for g in &self.groups {
            let names: Vec<&str> = g
                .learners
                .iter()
                .filter_map(|&l| self.placements.get(l).map(|p| p.id.as_str()))
                .collect();
            let _ = writeln!(md, "- {}: {}.", id(g.standard), names.join(", "));
        }
        let ungrouped: Vec<&TierPlacement> = self
            .in_tier(Tier::Targeted)
            .filter(|p| p.first_gap.is_none())
            .collect();
        for p in ungrouped {
            let evidence: Vec<String> = p.evidence.iter().map(|e| e.explain(curriculum)).collect();
            let _ = writeln!(md, "- {} (on their own): {}.", p.id, evidence.join("; "));
        }
        md
    }
}

impl Cohort {
    /// Places every learner in a tier of support for `focus` (e.g. a grade's
    /// standards) by `rules`, using goal plans when given (`plans[l]`: the
    /// plans of the cohort's learner `l`, e.g. from
    /// [`crate::recommend::Recommender::goal_plans`]). O(learners x
    /// attempted standards + standards in scope).
    ///
    /// ```
    /// use mastery::{Curriculum, Evidence, LearnerState, Model, Outcome};
    /// use mastery::cohort::{Cohort, Tier, TierRules};
    ///
    /// let model = Model::builder(Curriculum::ccss_math()).build()?;
    /// let mut ada = LearnerState::new(&model, "ada")?;
    /// for t in 0..12 {
    ///     ada.apply(&model, &Evidence::on_standard("ada", "K.CC.A.1", Outcome::Incorrect, t)?)?;
    /// }
    /// let class = Cohort::from_states(&model, &[ada, LearnerState::new(&model, "bo")?], 100)?;
    /// let tiers = class.tiers(&class.grade("K"), &TierRules::default(), None)?;
    /// assert_eq!(tiers.placements[0].tier, Tier::Targeted);
    /// assert_eq!(tiers.placements[1].tier, Tier::Core);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for a focus of another curriculum;
    /// [`Error::SizeMismatch`] unless `plans` has one entry per learner.
    pub fn tiers(
        &self,
        focus: &StandardSet,
        rules: &TierRules,
        plans: Option<&[Vec<GoalPlan>]>,
    ) -> Result<Tiers> {
        if let Some(plans) = plans {
            if plans.len() != self.len() {
                return Err(Error::SizeMismatch {
                    what: "goal plans (one list per learner)",
                    expected: self.len(),
                    found: plans.len(),
                });
            }
        }
        let curriculum = &self.curriculum;
        let mut scope = curriculum.prerequisite_closure(focus)?;
        scope.union_with(focus);
        let position = {
            let mut position = vec![0usize; curriculum.len()];
            for (i, s) in curriculum.topological_order().iter().enumerate() {
                position[s.index()] = i;
            }
            position
        };
        let bar = self.mastered_threshold;
        let placements: Vec<TierPlacement> = (0..self.len())
            .map(|l| {
                let row = self.mastery.row(l);
                let mut spins = Vec::new();
                let mut below = Vec::new();
                for a in self.attempts(l) {
                    if !scope.contains(a.standard) {
                        continue;
                    }
                    let m = f64::from(row[a.standard.index()]);
                    if a.attempts >= rules.wheel_spin_attempts
                        && !a.mastered_at_last_evidence
                        && m < bar
                    {
                        spins.push(TierEvidence::WheelSpinning {
                            standard: a.standard,
                            attempts: a.attempts,
                            mastery: m,
                        });
                    } else if a.attempts >= rules.min_attempts && m < rules.targeted_below {
                        below.push(TierEvidence::BelowBar {
                            standard: a.standard,
                            attempts: a.attempts,
                            mastery: m,
                        });
                    }
                }
                let mut pace: Vec<(f64, TierEvidence)> = plans
                    .and_then(|p| p.get(l))
                    .into_iter()
                    .flatten()
                    .filter_map(|plan| {
                        let (expected, left) = (plan.expected_days?, plan.days_left?);
                        let ratio = expected / left.max(1.0);
                        (plan.on_track == Some(false)).then_some((
                            ratio,
                            TierEvidence::BehindPace {
                                goal: plan.goal.standard(),
                                expected_days: expected,
                                days_left: left,
                            },
                        ))
                    })
                    .collect();
                pace.sort_by(|a, b| b.0.total_cmp(&a.0));
                let far_behind = pace
                    .first()
                    .is_some_and(|(ratio, _)| *ratio >= rules.intensive_pace_ratio);
                let tier = if spins.len() >= rules.intensive_spins || far_behind {
                    Tier::Intensive
                } else if !spins.is_empty() || !below.is_empty() || !pace.is_empty() {
                    Tier::Targeted
                } else {
                    Tier::Core
                };
                let gap_of = |e: &TierEvidence| match *e {
                    TierEvidence::WheelSpinning { standard, .. }
                    | TierEvidence::BelowBar { standard, .. } => Some(standard),
                    TierEvidence::BehindPace { .. } => None,
                };
                let first_gap = spins
                    .iter()
                    .chain(&below)
                    .filter_map(gap_of)
                    .min_by_key(|s| position[s.index()]);
                let mut evidence: Vec<TierEvidence> = spins;
                evidence.extend(pace.into_iter().map(|(_, e)| e));
                evidence.extend(below);
                TierPlacement {
                    learner: l,
                    id: self.learners[l].clone(),
                    tier,
                    evidence,
                    first_gap,
                }
            })
            .collect();
        let mut groups: Vec<TierGroup> = Vec::new();
        let mut targeted: Vec<(usize, StandardIdx)> = placements
            .iter()
            .filter(|p| p.tier == Tier::Targeted)
            .filter_map(|p| p.first_gap.map(|g| (p.learner, g)))
            .collect();
        targeted.sort_by_key(|&(l, g)| (position[g.index()], l));
        for (l, g) in targeted {
            match groups.last_mut() {
                Some(group) if group.standard == g => group.learners.push(l),
                _ => groups.push(TierGroup {
                    standard: g,
                    learners: vec![l],
                }),
            }
        }
        Ok(Tiers {
            placements,
            groups,
            rules: *rules,
        })
    }
}
