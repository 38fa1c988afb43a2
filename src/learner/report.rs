//! What an update changed, and its explanation in words.

use super::*;

/// One estimate changed by one piece of evidence.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MasteryChange {
    /// The standard.
    pub standard: StandardIdx,
    /// The estimate before the evidence (decayed to its time).
    pub before: f64,
    /// The estimate after it.
    pub after: f64,
    /// Why it changed.
    pub cause: ChangeCause,
}

/// What one piece of evidence changed; [`UpdateReport::explain`] says it in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UpdateReport {
    /// What was attempted.
    pub target: Target,
    /// How it went.
    pub outcome: Outcome,
    /// Where the evidence came from.
    #[serde(default)]
    pub source: Source,
    /// Every changed estimate: attempted standards first, then propagated ones.
    pub changes: Vec<MasteryChange>,
}

impl UpdateReport {
    /// The change of one standard, if it changed.
    #[must_use]
    pub fn change(&self, standard: StandardIdx) -> Option<&MasteryChange> {
        self.changes.iter().find(|c| c.standard == standard)
    }

    /// A plain-language explanation for a learner or a parent, e.g. "Your
    /// correct answer on K.CC.B.4.b raised your mastery from 20% to 60%. It
    /// also raised your mastery of the related standards K.CC.B.4.a and
    /// K.CC.B.5." Percentages are rounded; more than three related standards
    /// are counted rather than listed.
    #[must_use]
    pub fn explain(&self, curriculum: &Curriculum) -> String {
        let what = match (self.source, self.outcome) {
            (Source::SelfReport, outcome) => format!(
                "self-assessment ({} of 4)",
                Confidence::from_credit(outcome.credit()).level()
            ),
            (_, Outcome::Correct) => "correct answer".to_owned(),
            (_, Outcome::Incorrect) => "incorrect answer".to_owned(),
            (_, Outcome::Partial(s)) => format!("answer (scored {:.0}%)", s.value() * 100.0),
        };
        let on = match &self.target {
            Target::Standard(id) | Target::Activity(id) => id.as_str(),
        };
        let mut text = String::new();
        let direct: Vec<&MasteryChange> = self
            .changes
            .iter()
            .filter(|c| c.cause == ChangeCause::Attempted)
            .collect();
        let percent = |p: f64| (p * 100.0).round();
        for (i, c) in direct.iter().enumerate() {
            let id = curriculum.standard(c.standard).map_or("?", |s| s.id());
            let verb = if percent(c.after) > percent(c.before) {
                "raised"
            } else if percent(c.after) < percent(c.before) {
                "lowered"
            } else {
                "kept"
            };
            let subject = if i == 0 {
                if matches!(self.target, Target::Activity(_)) {
                    format!("Your {what} on {on} {verb} your mastery of {id}")
                } else {
                    format!("Your {what} on {id} {verb} your mastery")
                }
            } else {
                format!(" It also {verb} your mastery of {id}")
            };
            let _ = if verb == "kept" {
                write!(text, "{subject} at {:.0}%.", percent(c.after))
            } else {
                write!(
                    text,
                    "{subject} from {:.0}% to {:.0}%.",
                    percent(c.before),
                    percent(c.after)
                )
            };
        }
        for (raised, verb) in [(true, "raised"), (false, "lowered")] {
            let ids: Vec<&str> = self
                .changes
                .iter()
                .filter(|c| {
                    c.cause != ChangeCause::Attempted
                        && c.after != c.before
                        && (c.after > c.before) == raised
                })
                .map(|c| curriculum.standard(c.standard).map_or("?", |s| s.id()))
                .collect();
            let _ = match ids.len() {
                0 => Ok(()),
                1 => write!(
                    text,
                    " It also {verb} your mastery of the related standard {}.",
                    ids[0]
                ),
                2 | 3 => write!(
                    text,
                    " It also {verb} your mastery of the related standards {} and {}.",
                    ids[..ids.len() - 1].join(", "),
                    ids[ids.len() - 1]
                ),
                n => write!(
                    text,
                    " It also {verb} your mastery of {n} related standards."
                ),
            };
        }
        if self.source == Source::SelfReport {
            text += " Self-assessments count less than answers.";
        }
        text
    }
}
