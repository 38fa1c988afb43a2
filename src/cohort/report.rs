//! Class reports for teachers and progress reports for learners and families.

use std::fmt::Write as _;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::Cohort;
use super::tiers::{TierRules, Tiers};
use crate::catalog::ActivityKind;
use crate::curriculum::{Curriculum, StandardIdx, StandardSet};
use crate::error::{Error, Result};
use crate::evidence::Evidence;
use crate::learner::GoalSetter;
use crate::learner::LearnerState;
use crate::model::Model;
use crate::recommend::{GoalPlan, LearningPath, Recommender};
use crate::time::Period;

/// Attempts without mastery after which a learner counts as wheel-spinning
/// (Beck & Gong 2013).
const WHEEL_SPIN_ATTEMPTS: u32 = 10;

/// How many standards [`ClassReport::most_blocked`] names at most.
pub const MOST_BLOCKED: usize = 5;

/// Where a class stands on one standard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StandardSummary {
    /// The standard.
    pub standard: StandardIdx,
    /// Share of learners who mastered it.
    pub mastered: f64,
    /// Share not mastered but started: attempted, or at least 50% likely known.
    pub in_progress: f64,
    /// Share not started whose prerequisites are all mastered (they could
    /// start now).
    pub not_started: f64,
    /// Share not started with at least one prerequisite not mastered. The
    /// four shares are disjoint and sum to 1: a learner who has started a
    /// standard counts as in progress even if a prerequisite is missing.
    pub blocked: f64,
}

/// A learner a teacher should look at, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearnerFlag {
    /// The learner's row in the cohort.
    pub learner: usize,
    /// The learner's id.
    pub id: String,
    /// What stands out, in words.
    pub detail: String,
}

/// Where a class stands on a set of standards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassReport {
    /// Learners in the class.
    pub learners: usize,
    /// Per standard, in the curriculum's order.
    pub standards: Vec<StandardSummary>,
    /// At most [`MOST_BLOCKED`] standards where at least 30% of the class is
    /// blocked: most learners blocked first, ties broken by how many
    /// standards build directly on it (more first), then curriculum index.
    pub most_blocked: Vec<StandardIdx>,
    /// Learners wheel-spinning on a standard (10+ attempts, not mastered).
    pub wheel_spinning: Vec<LearnerFlag>,
    /// Learners far behind the class (share mastered 1.5 standard deviations below the mean).
    pub behind: Vec<LearnerFlag>,
    /// Learners far ahead (1.5 standard deviations above).
    pub ahead: Vec<LearnerFlag>,
    /// The class's mean share of the standards mastered.
    pub mean_mastered_share: f64,
    /// Every learner's tier of support under [`TierRules::default`] (no goal
    /// plans; [`Cohort::tiers`] takes other rules and plans).
    pub tiers: Tiers,
}

impl Cohort {
    /// The class report on `standards`, parallel over learners.
    /// O(learners x (standards + their prerequisite edges)).
    ///
    /// ```
    /// use mastery::{Curriculum, Evidence, LearnerState, Model, Outcome};
    /// use mastery::cohort::Cohort;
    ///
    /// let model = Model::builder(Curriculum::ccss_math()).build()?;
    /// let mut ada = LearnerState::new(&model, "ada")?;
    /// for t in 0..8 {
    ///     ada.apply(&model, &Evidence::on_standard("ada", "K.CC.A.1", Outcome::Correct, t)?)?;
    /// }
    /// let class = Cohort::from_states(&model, &[ada, LearnerState::new(&model, "bo")?], 10)?;
    /// let report = class.class_report(&class.grade("K"))?;
    /// let first = report.standards.iter().find(|s| model.curriculum()[s.standard].id() == "K.CC.A.1").unwrap();
    /// assert_eq!((first.mastered, first.not_started), (0.5, 0.5));
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for standards of another curriculum.
    pub fn class_report(&self, standards: &StandardSet) -> Result<ClassReport> {
        if let Some(max) = standards.max() {
            self.curriculum.standard(max)?;
        }
        let curriculum = &self.curriculum;
        let columns: Vec<StandardIdx> = curriculum.in_order(standards);
        let bar = self.mastered_threshold as f32;
        // Per column: learners mastered, in progress, blocked (not started,
        // a prerequisite missing); summed over
        // learners in parallel (integer sums: the same whatever the split).
        // Per learner only the share mastered and the worst wheel-spin are kept.
        let prerequisites: Vec<&[StandardIdx]> = columns
            .iter()
            .map(|&s| curriculum.prerequisites(s).unwrap_or_default())
            .collect();
        let learner_summary =
            |l: usize, totals: &mut [[u64; 3]]| -> (f64, Option<(StandardIdx, u32)>) {
                let row = self.mastery.row(l);
                let attempts = self.attempts(l);
                let mut mastered = 0usize;
                for ((&s, pre), t) in columns.iter().zip(&prerequisites).zip(totals.iter_mut()) {
                    let m = row[s.index()];
                    if m >= bar {
                        mastered += 1;
                        t[0] += 1;
                    } else {
                        let started =
                            m >= 0.5 || attempts.iter().any(|a| a.standard == s && a.attempts > 0);
                        t[1] += u64::from(started);
                        t[2] += u64::from(!started && pre.iter().any(|p| row[p.index()] < bar));
                    }
                }
                let spin = attempts
                    .iter()
                    .filter(|a| {
                        a.attempts >= WHEEL_SPIN_ATTEMPTS
                            && !a.mastered_at_last_evidence
                            && row[a.standard.index()] < bar
                    })
                    .max_by_key(|a| (a.attempts, std::cmp::Reverse(a.standard)))
                    .map(|a| (a.standard, a.attempts));
                (mastered as f64 / columns.len().max(1) as f64, spin)
            };
        type Summary = (f64, Option<(StandardIdx, u32)>);
        let (totals, per_learner): (Vec<[u64; 3]>, Vec<(usize, Summary)>) = (0..self.len())
            .into_par_iter()
            .fold(
                || (vec![[0u64; 3]; columns.len()], Vec::new()),
                |(mut totals, mut rows), l| {
                    rows.push((l, learner_summary(l, &mut totals)));
                    (totals, rows)
                },
            )
            .reduce(
                || (vec![[0u64; 3]; columns.len()], Vec::new()),
                |(mut a, mut rows_a), (b, rows_b)| {
                    for (x, y) in a.iter_mut().zip(&b) {
                        for k in 0..3 {
                            x[k] += y[k];
                        }
                    }
                    rows_a.extend(rows_b);
                    (a, rows_a)
                },
            );
        let mut per_learner = per_learner;
        per_learner.sort_unstable_by_key(|(l, _)| *l);
        let per_learner: Vec<Summary> = per_learner.into_iter().map(|(_, x)| x).collect();
        let n = self.len().max(1) as f64;
        let summaries: Vec<StandardSummary> = columns
            .iter()
            .zip(&totals)
            .map(|(&standard, t)| StandardSummary {
                standard,
                mastered: t[0] as f64 / n,
                in_progress: t[1] as f64 / n,
                not_started: (n - t[0] as f64 - t[1] as f64 - t[2] as f64) / n,
                blocked: t[2] as f64 / n,
            })
            .collect();
        let mut most_blocked: Vec<&StandardSummary> =
            summaries.iter().filter(|s| s.blocked >= 0.3).collect();
        let builds_on = |s: StandardIdx| curriculum.dependents(s).map_or(0, <[_]>::len);
        most_blocked.sort_by(|a, b| {
            b.blocked
                .total_cmp(&a.blocked)
                .then(builds_on(b.standard).cmp(&builds_on(a.standard)))
                .then(a.standard.cmp(&b.standard))
        });
        most_blocked.truncate(MOST_BLOCKED);
        let shares: Vec<f64> = per_learner.iter().map(|p| p.0).collect();
        let mean = shares.iter().sum::<f64>() / n;
        let sd = (shares.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / n).sqrt();
        let flag = |l: usize, detail: String| LearnerFlag {
            learner: l,
            id: self.learners[l].clone(),
            detail,
        };
        let percent = |x: f64| (x * 100.0).round();
        let mut behind = Vec::new();
        let mut ahead = Vec::new();
        if sd > 0.0 {
            for (l, &share) in shares.iter().enumerate() {
                let detail = format!(
                    "has mastered {:.0}% of these standards; the class average is {:.0}%",
                    percent(share),
                    percent(mean)
                );
                if share <= mean - 1.5 * sd {
                    behind.push(flag(l, detail));
                } else if share >= mean + 1.5 * sd {
                    ahead.push(flag(l, detail));
                }
            }
        }
        let wheel_spinning = per_learner
            .iter()
            .enumerate()
            .filter_map(|(l, p)| {
                p.1.map(|(s, attempts)| {
                    flag(
                        l,
                        format!(
                            "has tried {} {attempts} times without mastering it",
                            curriculum[s].id()
                        ),
                    )
                })
            })
            .collect();
        let tiers = self.tiers(standards, &TierRules::default(), None)?;
        Ok(ClassReport {
            tiers,
            learners: self.len(),
            most_blocked: most_blocked.iter().map(|s| s.standard).collect(),
            standards: summaries,
            wheel_spinning,
            behind,
            ahead,
            mean_mastered_share: mean,
        })
    }
}

impl ClassReport {
    /// The report as Markdown, for a teacher.
    #[must_use]
    pub fn to_markdown(&self, curriculum: &Curriculum, title: &str) -> String {
        let id = |s: StandardIdx| curriculum.standard(s).map_or("?", |s| s.id());
        let pct = |x: f64| format!("{:.0}%", x * 100.0);
        let mut md = format!(
            "# {title}\n\n{} learners; on average {} of these standards mastered.\n\n",
            self.learners,
            pct(self.mean_mastered_share)
        );
        md += "| standard | mastered | in progress | not started | blocked |\n|---|---|---|---|---|\n";
        for s in &self.standards {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} |",
                id(s.standard),
                pct(s.mastered),
                pct(s.in_progress),
                pct(s.not_started),
                pct(s.blocked)
            );
        }
        let list = |md: &mut String, heading: &str, flags: &[LearnerFlag], none: &str| {
            let _ = writeln!(md, "\n## {heading}\n");
            if flags.is_empty() {
                let _ = writeln!(md, "{none}");
            }
            for f in flags {
                let _ = writeln!(md, "- {} {}.", f.id, f.detail);
            }
        };
        md += "\n## Where many learners are blocked\n\n";
        if self.most_blocked.is_empty() {
            md += "No standard has 30% or more of the class blocked.\n";
        }
        for &s in &self.most_blocked {
            let share = self
                .standards
                .iter()
                .find(|x| x.standard == s)
                .map_or(0.0, |x| x.blocked);
            let _ = writeln!(
                md,
                "- {}: {} of the class still miss a prerequisite.",
                id(s),
                pct(share)
            );
        }
        list(
            &mut md,
            "Stuck (wheel-spinning)",
            &self.wheel_spinning,
            "Nobody is stuck.",
        );
        list(
            &mut md,
            "Far behind the class",
            &self.behind,
            "Nobody is far behind.",
        );
        list(
            &mut md,
            "Far ahead of the class",
            &self.ahead,
            "Nobody is far ahead.",
        );
        md += "\n";
        md += &self.tiers.to_markdown(curriculum);
        md
    }
}

/// A learner's progress over a period, for the learner or a parent: no jargon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

/// "a video" -> "videos", for "most often videos".
fn plural_kind(kind: ActivityKind) -> String {
    format!("{}s", kind.label())
}

/// A goal plan in a sentence for a family: whose goal, how far, on track.
fn family_goal_sentence(name: &str, plan: &GoalPlan, curriculum: &Curriculum) -> String {
    let id = curriculum
        .standard(plan.goal.standard())
        .map_or("?", |s| s.id());
    let whose = match plan.goal.set_by() {
        GoalSetter::Learner => format!("{name}'s own goal"),
        _ => "The teacher's goal".to_owned(),
    };
    let n = plan.path.steps.len();
    if n == 0 {
        return format!("{whose} {id} is reached.");
    }
    let progress = format!(
        "{whose} {id}: {n} more {} to learn",
        if n == 1 { "standard" } else { "standards" }
    );
    match plan.on_track {
        Some(true) => format!("{progress}, on track for the due date."),
        Some(false) => {
            format!("{progress}; at the current pace it will take longer than the time left.")
        }
        None => format!("{progress}."),
    }
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

    /// "14 answers on 1 day", with the right plurals.
    fn practice_phrase(&self) -> String {
        format!(
            "{} {} on {} {}",
            self.evidence_count,
            if self.evidence_count == 1 {
                "answer"
            } else {
                "answers"
            },
            self.active_days,
            if self.active_days == 1 { "day" } else { "days" }
        )
    }

    /// The report as Markdown. A standard the curriculum does not have (a
    /// report deserialized for another curriculum) shows as `?`.
    #[must_use]
    pub fn to_markdown(&self, curriculum: &Curriculum) -> String {
        let mut md = format!(
            "# Progress report: {}\n\n{}\n\n",
            self.learner, self.summary
        );
        let _ = writeln!(md, "- Practice: {}", self.practice_phrase());
        let _ = writeln!(md, "- Standards mastered in all: {}", self.mastered_total);
        if !self.newly_mastered.is_empty() {
            md += "\n## Mastered in this period\n\n";
            for &s in &self.newly_mastered {
                let (id, text) = describe(curriculum, s);
                let _ = writeln!(md, "- **{id}**: {text}");
            }
        }
        for path in &self.goals {
            let _ = writeln!(
                md,
                "\n## Next steps toward {}\n",
                id_of(curriculum, path.goal)
            );
            for (i, step) in path.steps.iter().enumerate() {
                let _ = writeln!(
                    md,
                    "{}. {} (about {:.0} minutes)",
                    i + 1,
                    id_of(curriculum, step.standard),
                    step.minutes
                );
            }
            if path.steps.is_empty() {
                md += "Reached.\n";
            }
        }
        if !self.plans.is_empty() {
            md += "\n## Goals\n\n";
            for plan in &self.plans {
                let _ = writeln!(
                    md,
                    "- {}",
                    family_goal_sentence(&self.learner, plan, curriculum)
                );
            }
        }
        if self.choices_made > 0 {
            let _ = writeln!(
                md,
                "\n## Choices\n\n{} picked {} {} from the options offered{}.",
                self.learner,
                self.choices_made,
                if self.choices_made == 1 {
                    "activity"
                } else {
                    "activities"
                },
                self.favorite_kind
                    .map_or_else(String::new, |k| format!(", most often {}", plural_kind(k)))
            );
        }
        md
    }

    /// The report as a self-contained HTML page (well-formed XHTML, no
    /// external files). Unknown standards show as `?`, as in
    /// [`ProgressReport::to_markdown`].
    #[must_use]
    pub fn to_html(&self, curriculum: &Curriculum) -> String {
        let e = crate::xml::escape;
        let mut html = String::from(
            "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n",
        );
        let _ = writeln!(html, "<title>Progress report: {}</title>", e(&self.learner));
        html += "<style>body{font-family:sans-serif;max-width:44em;margin:2em auto;line-height:1.5;color:#222}h1{color:#1a6e3a}li{margin:.2em 0}.meta{color:#555}</style>\n</head>\n<body>\n";
        let _ = writeln!(html, "<h1>Progress report: {}</h1>", e(&self.learner));
        let _ = writeln!(html, "<p>{}</p>", e(&self.summary));
        let _ = writeln!(
            html,
            "<p class=\"meta\">{}; {} standards mastered in all.</p>",
            self.practice_phrase(),
            self.mastered_total
        );
        if !self.newly_mastered.is_empty() {
            html += "<h2>Mastered in this period</h2>\n<ul>\n";
            for &s in &self.newly_mastered {
                let (id, text) = describe(curriculum, s);
                let _ = writeln!(html, "<li><strong>{}</strong>: {}</li>", e(id), e(text));
            }
            html += "</ul>\n";
        }
        for path in &self.goals {
            let _ = writeln!(
                html,
                "<h2>Next steps toward {}</h2>",
                e(id_of(curriculum, path.goal))
            );
            if path.steps.is_empty() {
                html += "<p>Reached.</p>\n";
                continue;
            }
            html += "<ol>\n";
            for step in &path.steps {
                let _ = writeln!(
                    html,
                    "<li>{} (about {:.0} minutes)</li>",
                    e(id_of(curriculum, step.standard)),
                    step.minutes
                );
            }
            html += "</ol>\n";
        }
        html += "</body>\n</html>\n";
        html
    }
}

/// A standard's id, or `?` for an index the curriculum does not have (a
/// report is plain data: it may have been deserialized for another curriculum).
fn id_of(curriculum: &Curriculum, s: StandardIdx) -> &str {
    curriculum.standard(s).map_or("?", |st| st.id())
}

/// A standard's id and its description (or title), `?` if unknown.
fn describe(curriculum: &Curriculum, s: StandardIdx) -> (&str, &str) {
    curriculum.standard(s).map_or(("?", ""), |st| {
        (st.id(), st.description().or(st.title()).unwrap_or(""))
    })
}

/// Minutes as a family reads them: "40 minutes", "about 3 hours" above 90 minutes.
fn duration(minutes: f64) -> String {
    let hours = minutes / 60.0;
    if hours >= 1.5 {
        format!("{hours:.0} hours")
    } else {
        format!("{minutes:.0} minutes")
    }
}

/// " (likely 2 to 5 hours)", " (likely 40 minutes to 2 hours)"; empty when
/// the range is a point.
fn likely_duration((low, high): (f64, f64)) -> String {
    if high - low < 1.0 {
        return String::new();
    }
    if low / 60.0 >= 1.5 {
        format!(" (likely {:.0} to {:.0} hours)", low / 60.0, high / 60.0)
    } else if high / 60.0 >= 1.5 {
        format!(" (likely {low:.0} minutes to {:.0} hours)", high / 60.0)
    } else {
        format!(" (likely {low:.0} to {high:.0} minutes)")
    }
}
