//! Activities for the candidates: each scored by its fit (success near the
//! band, preferences, what works), the best picked within the count and the
//! time budget, and a pick of another kind when all are of one.

use std::ops::Deref;

use super::rank::{Candidate, Ranking};
use super::{Reason, RecommendOptions, Recommendation, Recommender};
use crate::catalog::{ActivityIdx, ActivityKind};
use crate::model::Model;

/// An activity that can serve a candidate, with how well it fits.
pub(super) struct Scored {
    pub(super) activity: ActivityIdx,
    pub(super) kind: ActivityKind,
    pub(super) fit: f64,
    pub(super) p_success: f64,
    pub(super) minutes: f64,
    pub(super) in_band: bool,
    pub(super) preferred: bool,
    pub(super) interest: Option<String>,
    pub(super) chosen_before: bool,
    pub(super) teaches_well: bool,
}

/// How much what an activity adds to one opportunity's expected learning
/// weighs against distance from the success band (2 per unit of probability).
const TEACHING_WEIGHT: f64 = 4.0;

/// An activity adding more than this to one opportunity's expected learning "teaches well".
const TEACHES_WELL: f64 = 0.03;

/// A learned pull above this counts as "you often choose these".
const CHOSEN_BEFORE: f64 = 0.1;

impl<M: Deref<Target = Model>> Recommender<M> {
    /// The activities that can serve a candidate, each with its fit: success
    /// closest to the band, then preferences. Remediation without a missing
    /// prerequisite avoids practice (another kind of activity).
    pub(super) fn scored_activities<'r>(
        &'r self,
        c: &'r Candidate,
        ranking: &'r Ranking<'_>,
        taken: &'r [ActivityIdx],
        options: &'r RecommendOptions,
    ) -> impl Iterator<Item = Scored> + 'r {
        let catalog = self.model.catalog();
        let (low, high) = options.success_band;
        let avoid_practice = matches!(
            c.reason,
            Reason::Remediate {
                prerequisite: None,
                ..
            }
        );
        // A check asks for answers: a video or a reading cannot show what a learner knows.
        let needs_answers = matches!(
            c.reason,
            Reason::Placement { .. } | Reason::GoalCheck { .. }
        );
        catalog
            .for_standard(c.standard)
            .iter()
            .copied()
            .filter(|a| !taken.contains(a) && !ranking.excluded.contains(a))
            .filter_map(move |a| {
                let activity = catalog.get(a)?;
                if avoid_practice && activity.kind() == ActivityKind::Practice {
                    return None;
                }
                if needs_answers
                    && matches!(activity.kind(), ActivityKind::Video | ActivityKind::Reading)
                {
                    return None;
                }
                let answer = seen_answer(&self.model, ranking.ability, a);
                let all_known: f64 = catalog
                    .alignment(a)
                    .iter()
                    .map(|s| ranking.mastery[s.index()])
                    .product();
                let p = answer.p_correct(all_known);
                let distance = band_distance(p, (low, high));
                let appeal = Preference::of(&ranking.prefs, activity);
                // What works: an activity that teaches better than its
                // standard's learn rate gains what it adds to the expected
                // learning of one opportunity (none without fitted rates).
                let teaching = (1.0 - ranking.mastery[c.standard.index()])
                    * teaching_gain(&self.model, a, c.standard);
                Some(Scored {
                    activity: a,
                    kind: activity.kind(),
                    fit: fit(appeal.weight, distance, teaching),
                    teaches_well: teaching > TEACHES_WELL,
                    p_success: p,
                    minutes: activity.minutes(),
                    in_band: distance == 0.0,
                    preferred: appeal.preferred,
                    interest: appeal.interest,
                    chosen_before: appeal.pull > CHOSEN_BEFORE,
                })
            })
    }

    /// The best activity for a candidate standard (ties by index), optionally
    /// of another kind than `kind_other_than`.
    fn activity_for(
        &self,
        c: &Candidate,
        ranking: &Ranking<'_>,
        taken: &[ActivityIdx],
        options: &RecommendOptions,
        kind_other_than: Option<&[ActivityKind]>,
    ) -> Option<(ActivityIdx, f64, f64)> {
        self.scored_activities(c, ranking, taken, options)
            .filter(|x| kind_other_than.is_none_or(|kinds| !kinds.contains(&x.kind)))
            .max_by(|x, y| x.fit.total_cmp(&y.fit).then(y.activity.cmp(&x.activity)))
            .map(|x| (x.activity, x.p_success, x.minutes))
    }

    /// The recommendations from a ranking, best first: the picks within the
    /// count and the time budget, then one of another kind if all are of one.
    pub(super) fn choose(
        &self,
        ranking: &Ranking<'_>,
        options: &RecommendOptions,
    ) -> Vec<Recommendation> {
        let mut budget = ranking.prefs.budget.unwrap_or(f64::INFINITY);
        let mut taken: Vec<ActivityIdx> = Vec::new();
        let mut picked = self.pick(ranking, options, &mut budget, &mut taken);
        self.vary_kind(ranking, options, budget, &taken, &mut picked);
        // Best first; a stable sort keeps pick order among equal scores.
        picked.sort_by(|a, b| b.score.total_cmp(&a.score));
        picked
    }

    /// The best candidates in ranking order, one activity per standard
    /// first, then more per standard if room is left, each within what is
    /// left of `budget` and never an activity in `taken` (both updated).
    fn pick(
        &self,
        ranking: &Ranking<'_>,
        options: &RecommendOptions,
        budget: &mut f64,
        taken: &mut Vec<ActivityIdx>,
    ) -> Vec<Recommendation> {
        let mut picked: Vec<Recommendation> = Vec::new();
        // One activity per standard first, then more per standard if room is left.
        for pass in 0..2 {
            for c in &ranking.candidates {
                if picked.len() >= options.count {
                    break;
                }
                if pass == 0 && picked.iter().any(|r| r.standard == c.standard) {
                    continue;
                }
                if let Some(choice) = self.activity_for(c, ranking, taken, options, None) {
                    if choice.2 <= *budget {
                        *budget -= choice.2;
                        taken.push(choice.0);
                        picked.push(self.recommendation(c, choice));
                    }
                }
            }
        }
        picked
    }

    /// Choice: if every pick is one kind, the weakest pick that can takes
    /// another kind of activity for its own standard (one place per
    /// standard), never much further from the success band than what it
    /// replaces (a 28% quiz does not push out a fitting practice).
    fn vary_kind(
        &self,
        ranking: &Ranking<'_>,
        options: &RecommendOptions,
        budget: f64,
        taken: &[ActivityIdx],
        picked: &mut [Recommendation],
    ) {
        if picked.len() < 2 || !picked.iter().all(|r| r.kind == picked[0].kind) {
            return;
        }
        let kinds = [picked[0].kind];
        for i in (0..picked.len()).rev() {
            let freed = budget + picked[i].minutes;
            let tolerance = band_distance(picked[i].p_success, options.success_band) + 0.1;
            let Some(c) = ranking
                .candidates
                .iter()
                .find(|c| c.standard == picked[i].standard && c.reason == picked[i].reason)
            else {
                continue;
            };
            let without: Vec<ActivityIdx> = taken
                .iter()
                .copied()
                .filter(|&a| a != picked[i].activity)
                .collect();
            let alternative = self
                .activity_for(c, ranking, &without, options, Some(&kinds))
                .filter(|choice| choice.2 <= freed)
                .filter(|choice| band_distance(choice.1, options.success_band) <= tolerance);
            if let Some(choice) = alternative {
                picked[i] = self.recommendation(c, choice);
                break;
            }
        }
    }

    /// The recommendation of activity `a` (chance of success `p`, `minutes`)
    /// for candidate `c`.
    fn recommendation(
        &self,
        c: &Candidate,
        (a, p, minutes): (ActivityIdx, f64, f64),
    ) -> Recommendation {
        let catalog = self.model.catalog();
        Recommendation {
            activity: a,
            activity_id: catalog
                .get(a)
                .map_or_else(String::new, |x| x.id().to_owned()),
            kind: catalog.get(a).map_or(ActivityKind::Practice, |x| x.kind()),
            standard: c.standard,
            reason: c.reason.clone(),
            score: c.score,
            p_success: p,
            minutes,
        }
    }
}

/// How well an activity fits: its preference weight, less twice its
/// predicted success's distance from the band, plus what it adds to one
/// opportunity's expected learning (weighted by [`TEACHING_WEIGHT`]).
pub(super) fn fit(preference: f64, distance: f64, teaching: f64) -> f64 {
    preference - 2.0 * distance + TEACHING_WEIGHT * teaching
}

/// How an activity answers as the recommender sees it: the model's answer
/// model, moved by the learner's ability when the model has one.
pub(super) fn seen_answer(
    model: &Model,
    ability: Option<crate::model::Ability>,
    a: ActivityIdx,
) -> crate::model::GuessSlip {
    let answer = model.activity_answer(a);
    match (ability, model.activity_logits(a)) {
        (Some(belief), Some(logits)) => belief.answer_with(answer, logits),
        (Some(belief), None) => belief.answer(answer),
        (None, _) => answer,
    }
}

/// How much more activity `a` teaches than its standard's learn rate (its
/// fitted learn rate less the standard's; 0 without one).
pub(super) fn teaching_gain(
    model: &Model,
    a: ActivityIdx,
    standard: crate::curriculum::StandardIdx,
) -> f64 {
    let standard_learn = model.all_params()[standard.index()].learn();
    model
        .activity_learn(a)
        .map_or(0.0, |learn| learn - standard_learn)
}

/// What the learner's preferences say of an activity.
pub(super) struct Preference {
    /// The weight in the fit: 0.3 for a preferred kind, 0.2 for an
    /// interest, 0.15 times the learned pull of past choices.
    pub(super) weight: f64,
    pub(super) preferred: bool,
    pub(super) interest: Option<String>,
    pub(super) pull: f64,
}

impl Preference {
    pub(super) fn of(prefs: &super::rank::Prefs<'_>, activity: &crate::catalog::Activity) -> Self {
        let preferred = prefs.kinds.contains(&activity.kind());
        let interest = activity
            .tags()
            .iter()
            .find(|t| prefs.interests.contains(t))
            .cloned();
        let pull = prefs
            .history
            .map_or(0.0, |h| h.pull(activity.kind(), activity.tags()));
        Preference {
            weight: 0.3 * f64::from(u8::from(preferred))
                + 0.2 * f64::from(u8::from(interest.is_some()))
                + 0.15 * pull,
            preferred,
            interest,
            pull,
        }
    }
}

/// How far a predicted success lies outside the band (0 inside).
pub(super) fn band_distance(p: f64, (low, high): (f64, f64)) -> f64 {
    if p < low {
        low - p
    } else if p > high {
        p - high
    } else {
        0.0
    }
}
