//! The reports rendered: the class report as Markdown for a teacher, the
//! progress report as Markdown or a self-contained HTML page.

use std::fmt::Write as _;

use super::words::{describe, family_goal_sentence, id_of, plural_kind};
use super::{ClassReport, LearnerFlag, ProgressReport};
use crate::curriculum::{Curriculum, StandardIdx};

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

impl ProgressReport {
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
