//! The progress report: a learner's period for the learner or a family, in
//! plain words.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::words::{duration, family_goal_sentence, likely_duration, plural_kind};
use crate::catalog::ActivityKind;
use crate::curriculum::StandardIdx;
use crate::error::{Error, Result};
use crate::evidence::Evidence;
use crate::learner::LearnerState;
use crate::model::Model;
use crate::recommend::{GoalPlan, LearningPath, Recommender};
use crate::time::Period;

/// A learner's progress over a period, for the learner or a parent: no jargon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProgressReport {
    /// The learner.
    pub learner: String,
    /// Start of the period (seconds since the Unix epoch).
    pub from: i64,
    /// End of the period.
    pub to: i64,
    /// Standards mastered during the period.
    pub newly_mastered: Vec<StandardIdx>,
    /// Standards mastered at the end.
    pub mastered_total: usize,
    /// Answers and other evidence in the period.
    pub evidence_count: usize,
    /// Days with at least one piece of evidence.
    pub active_days: usize,
    /// The path to each goal.
    pub goals: Vec<LearningPath>,
    /// The goals of the learner's profile (learner-set and teacher-set) with
    /// path and pace, at the end of the period.
    pub plans: Vec<GoalPlan>,
    /// Choices the learner made among offered options during the period.
    pub choices_made: usize,
    /// The kind of activity the learner took most often in those choices.
    pub favorite_kind: Option<ActivityKind>,
    /// A plain-language summary.
    pub summary: String,
}

impl ProgressReport {
    /// The report from the learner's state at the start (`before`) and end
    /// (`after`) of the period, the evidence of the period, and goals.
    ///
    /// `evidence` may be a whole class's log: only the evidence of this learner
    /// (`after.learner()`) between `from` and `to` (inclusive) is counted.
    ///
    /// Active days are counted in UTC; [`ProgressReport::for_period`] counts
    /// them in the learner's own UTC offset.
    ///
    /// # Errors
    /// [`Error::CurriculumMismatch`](crate::Error::CurriculumMismatch) for states of
    /// another curriculum; [`Error::UnknownStandard`](crate::Error::UnknownStandard) for a goal;
    /// [`Error::LearnerMismatch`](crate::Error::LearnerMismatch) when `before` and `after`
    /// are states of different learners.
    pub fn new(
        model: &Model,
        before: &LearnerState,
        after: &LearnerState,
        evidence: &[Evidence],
        from: i64,
        to: i64,
        goals: &[&str],
    ) -> Result<Self> {
        Self::for_period(
            model,
            before,
            after,
            evidence,
            &Period::unchecked(from, to),
            goals,
        )
    }

    /// As [`ProgressReport::new`], for a [`Period`], with active days counted
    /// in the period's UTC offset (a family in New York practicing at 9 pm
    /// practiced that day, not the next).
    ///
    /// ```
    /// use mastery::cohort::ProgressReport;
    /// use mastery::time::{Date, Period, UtcOffset};
    /// use mastery::{Curriculum, Evidence, LearnerState, Model, Outcome};
    ///
    /// let model = Model::builder(Curriculum::ccss_math()).build()?;
    /// let new_york = UtcOffset::from_hours(-5)?;
    /// let day = Date::parse("2026-01-12")?;
    /// let before = LearnerState::new(&model, "ada")?;
    /// let mut after = before.clone();
    /// let mut log = Vec::new();
    /// // 8 pm and 10 pm in New York: one local day, two UTC days.
    /// for hour in [20, 22] {
    ///     let t = day.to_unix(new_york) + hour * 3600;
    ///     let e = Evidence::on_standard("ada", "K.CC.A.1", Outcome::Correct, t)?;
    ///     after.apply(&model, &e)?;
    ///     log.push(e);
    /// }
    /// let week = Period::dates(day, day.add_days(6), new_york)?;
    /// let report = ProgressReport::for_period(&model, &before, &after, &log, &week, &[])?;
    /// assert_eq!((report.evidence_count, report.active_days), (2, 1));
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`ProgressReport::new`].
    pub fn for_period(
        model: &Model,
        before: &LearnerState,
        after: &LearnerState,
        evidence: &[Evidence],
        period: &Period,
        goals: &[&str],
    ) -> Result<Self> {
        let (from, to) = (period.from(), period.to());
        if before.learner() != after.learner() {
            return Err(Error::LearnerMismatch {
                expected: after.learner().to_owned(),
                found: before.learner().to_owned(),
            });
        }
        let curriculum = model.curriculum();
        let was = before.mastered_at(model, from)?;
        let now = after.mastered_at(model, to)?;
        let newly_mastered: Vec<StandardIdx> = curriculum
            .topological_order()
            .iter()
            .copied()
            .filter(|&s| now.contains(s) && !was.contains(s))
            .collect();
        // Only this learner's evidence: a log shared by a class must never leak
        // other learners' answers into a family's report.
        let name = after.learner();
        let in_period: Vec<&Evidence> = evidence
            .iter()
            .filter(|e| e.learner() == name && period.contains(e.timestamp()))
            .collect();
        let mut days: Vec<i64> = in_period
            .iter()
            .map(|e| period.offset().day_number(e.timestamp()))
            .collect();
        days.sort_unstable();
        days.dedup();
        let recommender = Recommender::new(model);
        let goals = goals
            .iter()
            .map(|g| recommender.path_to(after, *g, to))
            .collect::<Result<Vec<_>>>()?;
        let ids = |list: &[StandardIdx]| -> String {
            let names: Vec<&str> = list.iter().map(|&s| curriculum[s].id()).collect();
            match names.len() {
                0 => String::new(),
                1 => names[0].to_owned(),
                n if n <= 5 => format!("{} and {}", names[..n - 1].join(", "), names[n - 1]),
                n => format!("{} and {} more", names[..4].join(", "), n - 4),
            }
        };
        let mut summary = match newly_mastered.len() {
            0 => format!(
                "In this period {name} practiced {} times on {} days but did not master a new standard yet.",
                in_period.len(),
                days.len()
            ),
            1 => format!(
                "In this period {name} mastered 1 new standard: {}.",
                ids(&newly_mastered)
            ),
            n => format!(
                "In this period {name} mastered {n} new standards: {}.",
                ids(&newly_mastered)
            ),
        };
        let _ = write!(
            summary,
            " {name} has now mastered {} standards in all.",
            now.len()
        );
        for path in &goals {
            let goal = curriculum[path.goal].id();
            if path.steps.is_empty() {
                let _ = write!(summary, " Goal {goal} is reached.");
            } else {
                let _ = write!(
                    summary,
                    " To reach the goal {goal}, {} more standard{} to learn, about {} of practice{}.",
                    path.steps.len(),
                    if path.steps.len() == 1 {
                        " is left"
                    } else {
                        "s are left"
                    },
                    duration(path.minutes),
                    likely_duration(path.likely_minutes)
                );
            }
        }
        let plans = recommender.goal_plans(after, to)?;
        for plan in &plans {
            let _ = write!(summary, " {}", family_goal_sentence(name, plan, curriculum));
        }
        let mut kinds: std::collections::BTreeMap<ActivityKind, usize> = Default::default();
        let catalog = model.catalog();
        let mut choices_made = 0;
        for c in after.profile().choices().recent() {
            if period.contains(c.at) {
                choices_made += 1;
                if let Some(a) = catalog.index_of(&c.taken).ok().and_then(|a| catalog.get(a)) {
                    *kinds.entry(a.kind()).or_default() += 1;
                }
            }
        }
        let favorite_kind = kinds
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(k, _)| *k);
        if choices_made > 0 {
            let _ = write!(
                summary,
                " {name} picked {choices_made} {} from the options offered{}.",
                if choices_made == 1 {
                    "activity"
                } else {
                    "activities"
                },
                favorite_kind
                    .map_or_else(String::new, |k| format!(", most often {}", plural_kind(k)))
            );
        }
        Ok(ProgressReport {
            plans,
            choices_made,
            favorite_kind,
            learner: name.to_owned(),
            from,
            to,
            newly_mastered,
            mastered_total: now.len(),
            evidence_count: in_period.len(),
            active_days: days.len(),
            goals,
            summary,
        })
    }
}
