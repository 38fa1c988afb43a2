//! Choices: several activities that each serve one need, for the learner to
//! pick from (voice and choice), and what the pick teaches the recommender.

use std::ops::Deref;

use serde::{Deserialize, Serialize};

use super::rank::{Candidate, Ranking};
use super::select::Scored;
use super::{Reason, RecommendOptions, Recommender, WheelSpin};
use crate::catalog::{ActivityIdx, ActivityKind};
use crate::curriculum::{Curriculum, StandardIdx};
use crate::error::{Error, Result};
use crate::learner::{LearnerState, OfferedOption};
use crate::model::Model;

/// What speaks for an option, in words the learner can read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "tag", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Appeal {
    /// Its predicted chance of success is in the target band.
    RightChallenge,
    /// A kind of activity the learner said they prefer.
    PreferredKind,
    /// Tagged with one of the learner's interests.
    Interest(String),
    /// A kind or topic the learner picked more often than chance before.
    ChosenBefore,
    /// Another kind of activity than the first option.
    Different,
    /// Learners learn more from it than from the standard's other activities
    /// (its fitted learn rate; see [`crate::fit::what_works`]).
    TeachesWell,
}

impl Appeal {
    /// A short phrase, e.g. "about sports, one of your interests".
    #[must_use]
    pub fn explain(&self) -> String {
        match self {
            Appeal::RightChallenge => "the right challenge for you now".into(),
            Appeal::PreferredKind => "a kind you like".into(),
            Appeal::Interest(tag) => format!("about {tag}, one of your interests"),
            Appeal::ChosenBefore => "like ones you often pick".into(),
            Appeal::Different => "a different way in".into(),
            Appeal::TeachesWell => "learners learn a lot from it".into(),
        }
    }
}

/// One activity a learner may pick for a need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChoiceOption {
    /// The activity's index in the model's catalog.
    pub activity: ActivityIdx,
    /// The activity's id.
    pub activity_id: String,
    /// The activity's kind.
    pub kind: ActivityKind,
    /// The predicted chance of success on it.
    pub p_success: f64,
    /// Expected minutes.
    pub minutes: f64,
    /// What speaks for it (may be empty: it serves the need).
    pub appeals: Vec<Appeal>,
}

impl ChoiceOption {
    /// One line: "a video (6 min): a kind you like, about sports, one of your interests".
    #[must_use]
    pub fn explain(&self) -> String {
        let mut text = format!("a {} ({} min)", self.kind.label(), self.minutes.round());
        let appeals: Vec<String> = self.appeals.iter().map(Appeal::explain).collect();
        if !appeals.is_empty() {
            text += ": ";
            text += &appeals.join(", ");
        }
        text
    }
}

/// A need (one standard, with its reason) and the options that serve it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Choice {
    /// The standard the options work on.
    pub standard: StandardIdx,
    /// Why this standard now.
    pub reason: Reason,
    /// The ranking score of the need (higher first).
    pub score: f64,
    /// The options, best fit first; two or more whenever the catalog has
    /// two activities that can serve the need.
    pub options: Vec<ChoiceOption>,
}

impl Choice {
    /// The reason, then the options: "You are ready for K.CC.A.1 ... Pick
    /// one: a practice (10 min): the right challenge for you now; or a video
    /// (6 min): a different way in."
    #[must_use]
    pub fn explain(&self, curriculum: &Curriculum) -> String {
        let options: Vec<String> = self.options.iter().map(ChoiceOption::explain).collect();
        let mut text = self.reason.explain(curriculum);
        match options.len() {
            0 => {}
            1 => text += &format!(" Try {}.", options[0]),
            _ => text += &format!(" Pick one: {}.", options.join("; or ")),
        }
        text
    }

    /// Records that the learner took `activity` (an option's id) at `at`:
    /// the choice history of the learner's profile counts it against what
    /// picking at random would give, and later recommendations lean toward
    /// the kinds and topics the learner picks. Apply the evidence of doing
    /// the activity as usual.
    ///
    /// # Errors
    /// [`Error::CurriculumMismatch`] for a learner of another curriculum,
    /// [`Error::IndexOutOfRange`] for a choice on a standard the curriculum
    /// does not have (deserialized for another one),
    /// [`Error::TimestampOutOfRange`] for `at` outside the accepted range,
    /// [`Error::NotOffered`] for an activity that is not an option.
    pub fn take(
        &self,
        model: &Model,
        learner: &mut LearnerState,
        activity: &str,
        at: i64,
    ) -> Result<()> {
        learner.check(model)?;
        // A choice is plain data (it may have been deserialized): its standard
        // must be one of this curriculum before the learner's history records it.
        model.curriculum().standard(self.standard)?;
        crate::time::check_timestamp("time of the choice", at)?;
        let catalog = model.catalog();
        let taken = self
            .options
            .iter()
            .position(|o| o.activity_id == activity)
            .ok_or_else(|| Error::NotOffered {
                activity: activity.to_owned(),
                standard: model.curriculum().standard(self.standard).map_or_else(
                    |_| format!("#{}", self.standard.index()),
                    |s| s.id().to_owned(),
                ),
            })?;
        let no_tags: &[String] = &[];
        let offered: Vec<OfferedOption<'_>> = self
            .options
            .iter()
            .map(|o| OfferedOption {
                id: &o.activity_id,
                kind: o.kind,
                tags: catalog.get(o.activity).map_or(no_tags, |a| a.tags()),
            })
            .collect();
        learner
            .choices_mut()
            .record(at, self.standard, &offered, taken);
        Ok(())
    }
}

/// Choices for a learner, most pressing need first, and the wheel-spinning flags.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Choices {
    /// One per need, best first.
    pub choices: Vec<Choice>,
    /// Standards the learner is stuck on.
    pub wheel_spinning: Vec<WheelSpin>,
}

impl<M: Deref<Target = Model>> Recommender<M> {
    /// Builds the choices from a ranking: per need, the best fit, then
    /// options that add a kind or an interest not yet offered, then the next
    /// best, up to the per-choice limit and within what is left of the time
    /// budget (the longest option of each choice is charged).
    pub(super) fn offer(&self, ranking: &Ranking<'_>, options: &RecommendOptions) -> Vec<Choice> {
        let catalog = self.model.catalog();
        let per_choice = options.options_per_choice.max(2);
        let mut budget = ranking.prefs.budget.unwrap_or(f64::INFINITY);
        let mut offered: Vec<ActivityIdx> = Vec::new();
        let mut choices: Vec<Choice> = Vec::new();
        for c in &ranking.candidates {
            if choices.len() >= options.count {
                break;
            }
            if choices.iter().any(|ch| ch.standard == c.standard) {
                continue;
            }
            let mut pool: Vec<Scored> = self
                .scored_activities(c, ranking, &offered, options)
                .filter(|x| x.minutes <= budget)
                .collect();
            pool.sort_by(|x, y| y.fit.total_cmp(&x.fit).then(x.activity.cmp(&y.activity)));
            let picked = pick_varied(pool, per_choice, |x| {
                catalog.get(x.activity).map_or(&[][..], |a| a.tags())
            });
            if picked.is_empty() {
                continue;
            }
            budget -= picked.iter().map(|x| x.minutes).fold(0.0, f64::max);
            offered.extend(picked.iter().map(|x| x.activity));
            choices.push(self.make_choice(c, picked));
        }
        choices
    }

    fn make_choice(&self, c: &Candidate, picked: Vec<Scored>) -> Choice {
        let catalog = self.model.catalog();
        let first_kind = picked.first().map(|x| x.kind);
        let options = picked
            .into_iter()
            .enumerate()
            .map(|(i, x)| {
                let mut appeals = Vec::new();
                if x.in_band {
                    appeals.push(Appeal::RightChallenge);
                }
                if x.preferred {
                    appeals.push(Appeal::PreferredKind);
                }
                if let Some(tag) = x.interest {
                    appeals.push(Appeal::Interest(tag));
                }
                if x.chosen_before {
                    appeals.push(Appeal::ChosenBefore);
                }
                if x.teaches_well {
                    appeals.push(Appeal::TeachesWell);
                }
                if i > 0 && Some(x.kind) != first_kind {
                    appeals.push(Appeal::Different);
                }
                ChoiceOption {
                    activity: x.activity,
                    activity_id: catalog
                        .get(x.activity)
                        .map_or_else(String::new, |a| a.id().to_owned()),
                    kind: x.kind,
                    p_success: x.p_success,
                    minutes: x.minutes,
                    appeals,
                }
            })
            .collect();
        Choice {
            standard: c.standard,
            reason: c.reason.clone(),
            score: c.score,
            options,
        }
    }
}

/// Up to `limit` of `pool` (best first): the best, then in order of fit
/// those that bring a kind or a tag not yet among the picks, then the rest.
fn pick_varied<'t, F>(pool: Vec<Scored>, limit: usize, tags: F) -> Vec<Scored>
where
    F: Fn(&Scored) -> &'t [String],
{
    let mut picked: Vec<Scored> = Vec::new();
    let mut rest: Vec<Scored> = Vec::new();
    for x in pool {
        if picked.len() >= limit {
            break;
        }
        let new_kind = picked.iter().all(|p| p.kind != x.kind);
        let new_tag = tags(&x)
            .iter()
            .any(|t| picked.iter().all(|p| !tags(p).contains(t)));
        if picked.is_empty() || new_kind || new_tag {
            picked.push(x);
        } else {
            rest.push(x);
        }
    }
    let room = limit.saturating_sub(picked.len());
    picked.extend(rest.into_iter().take(room));
    picked
}
