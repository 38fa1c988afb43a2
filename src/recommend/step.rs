//! The activities of a step of a path as the recommender sees them, and the
//! one it would pick at an estimate.

use super::RecommendOptions;
use super::rank::Prefs;
use super::select::{Preference, band_distance, fit, seen_answer, teaching_gain};
use crate::catalog::ActivityKind;
use crate::curriculum::StandardIdx;
use crate::error::Result;
use crate::learner::LearnerState;
use crate::model::{BktParams, GuessSlip, Model};

/// Opportunities a simulated learner may spend on one standard before it
/// counts as stuck (the walk then goes on, having spent them).
pub(super) const MAX_STEP_OPPORTUNITIES: u32 = 60;

/// How one activity of a step answers, teaches and takes time, and what
/// the recommender sees of it when it picks an activity for the step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct StepActivity {
    /// How a simulated learner answers it.
    pub(super) answer: GuessSlip,
    /// The learn rate the model gives it (how the simulated learner learns,
    /// at their drawn speed).
    pub(super) learn: f64,
    /// The learn rate the model's estimate moves with: `learn`, or with
    /// learner ability on, the learner's own (as the online update).
    pub(super) estimate_learn: f64,
    pub(super) minutes: f64,
    /// The answer model the recommender predicts success with and the
    /// estimate is updated with (moved by the learner's ability).
    pub(super) seen: GuessSlip,
    /// The chance the learner knows the activity's other standards (1 for
    /// an activity of the step's standard alone).
    others_known: f64,
    /// The learner's preference for it (see [`Preference`]).
    preference: f64,
    /// What it teaches beyond the standard's learn rate.
    teaching_gain: f64,
    /// A practice (which the recommender avoids while a learner is stuck).
    practice: bool,
}

/// What the recommender knows when it picks an activity for a step: the
/// learner's preferences and ability, the estimates and the success band
/// (the default options' at the time of the path: the learner's stated
/// preferences count, options given to one call of
/// [`Recommender::recommend`](super::Recommender::recommend) do not).
pub(super) struct StepChooser<'l> {
    prefs: Prefs<'l>,
    ability: Option<crate::model::Ability>,
    mastery: Vec<f64>,
    band: (f64, f64),
    /// The learner's attempts so far, by standard.
    attempts: Vec<u32>,
    /// Attempts without mastery after which the recommender remediates.
    wheel_spin_attempts: u32,
}

impl<'l> StepChooser<'l> {
    /// The recommender's view of `learner` at `now`.
    ///
    /// # Errors
    /// As [`LearnerState::all_mastery_at`].
    pub(super) fn new(model: &Model, learner: &'l LearnerState, now: i64) -> Result<Self> {
        let options = RecommendOptions::new(now);
        let mut attempts = vec![0; model.curriculum().len()];
        for record in learner.practice_records() {
            if let Some(a) = attempts.get_mut(record.standard().index()) {
                *a = record.attempts();
            }
        }
        Ok(StepChooser {
            prefs: Prefs::new(learner, &options),
            ability: learner.ability(model),
            mastery: learner.all_mastery_at(model, now)?,
            band: options.success_band,
            attempts,
            wheel_spin_attempts: options.wheel_spin_attempts,
        })
    }

    /// The learner's estimates at the time of the path, by standard.
    pub(super) fn mastery(&self) -> &[f64] {
        &self.mastery
    }

    /// The learner's attempts on `standard` so far.
    pub(super) fn attempts(&self, standard: StandardIdx) -> u32 {
        self.attempts.get(standard.index()).copied().unwrap_or(0)
    }

    /// The activities a step on `standard` is worked with, in the catalog's
    /// order: all of the standard's (the recommender offers any kind for a
    /// standard the learner is ready for), or practice on the standard
    /// itself when it has none.
    pub(super) fn activities(&self, model: &Model, standard: StandardIdx) -> Vec<StepActivity> {
        let catalog = model.catalog();
        let params = &model.all_params()[standard.index()];
        // The learn rate of an opportunity as the online update takes it.
        let individual = |own: Option<f64>| {
            model
                .opportunity_learn(standard, own, self.ability)
                .unwrap_or(params.learn())
        };
        let list: Vec<StepActivity> = catalog
            .for_standard(standard)
            .iter()
            .filter_map(|&a| {
                let activity = catalog.get(a)?;
                let others_known = catalog
                    .alignment(a)
                    .iter()
                    .filter(|&&s| s != standard)
                    .map(|s| self.mastery.get(s.index()).copied().unwrap_or(1.0))
                    .product();
                Some(StepActivity {
                    answer: model.activity_answer(a),
                    learn: model.activity_learn(a).unwrap_or(params.learn()),
                    estimate_learn: individual(model.activity_learn(a)),
                    minutes: activity.minutes(),
                    seen: seen_answer(model, self.ability, a),
                    others_known,
                    preference: Preference::of(&self.prefs, activity).weight,
                    teaching_gain: teaching_gain(model, a, standard),
                    practice: activity.kind() == ActivityKind::Practice,
                })
            })
            .collect();
        if list.is_empty() {
            vec![StepActivity {
                estimate_learn: individual(None),
                ..StepActivity::standard_itself(params)
            }]
        } else {
            list
        }
    }

    /// The activity the recommender picks among `activities` at `estimate`
    /// of the step's standard after `attempts` on it without mastery: the
    /// best fit (success nearest the band, preferences, what works), the
    /// first on a tie, as [`Recommender::recommend`](super::Recommender::recommend)
    /// picks for a standard the learner is ready for; once the attempts
    /// reach the wheel-spinning count, another kind than practice if the
    /// standard has one (its remediation). O(activities).
    pub(super) fn pick(
        &self,
        activities: &[StepActivity],
        estimate: f64,
        attempts: u32,
    ) -> Option<StepActivity> {
        let score = |a: &StepActivity| {
            let p = a.seen.p_correct(estimate * a.others_known);
            fit(
                a.preference,
                band_distance(p, self.band),
                (1.0 - estimate) * a.teaching_gain,
            )
        };
        let stuck = attempts >= self.wheel_spin_attempts;
        let best = |avoid_practice: bool| {
            let mut best: Option<(f64, StepActivity)> = None;
            for a in activities
                .iter()
                .filter(|a| !(avoid_practice && a.practice))
            {
                let s = score(a);
                if best.is_none_or(|(top, _)| s > top) {
                    best = Some((s, *a));
                }
            }
            best.map(|(_, a)| a)
        };
        if stuck {
            best(true).or_else(|| best(false))
        } else {
            best(false)
        }
    }
}

impl StepActivity {
    /// Practice on the standard itself: its own guess, slip and learn rate,
    /// the typical minutes of a practice.
    pub(super) fn standard_itself(params: &BktParams) -> StepActivity {
        StepActivity {
            answer: params.guess_slip(),
            learn: params.learn(),
            estimate_learn: params.learn(),
            minutes: ActivityKind::Practice.typical_minutes(),
            seen: params.guess_slip(),
            others_known: 1.0,
            preference: 0.0,
            teaching_gain: 0.0,
            practice: true,
        }
    }
}

#[cfg(test)]
impl StepChooser<'static> {
    /// The recommender's view of a learner without preferences, ability or
    /// other estimates, with the default success band.
    pub(super) fn neutral() -> Self {
        StepChooser {
            prefs: Prefs {
                kinds: Vec::new(),
                interests: Vec::new(),
                history: None,
                budget: None,
            },
            ability: None,
            mastery: Vec::new(),
            band: RecommendOptions::new(0).success_band,
            attempts: Vec::new(),
            wheel_spin_attempts: RecommendOptions::new(0).wheel_spin_attempts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn activity(guess: f64, slip: f64, minutes: f64) -> StepActivity {
        let answer = GuessSlip::new(guess, slip).unwrap();
        StepActivity {
            answer,
            learn: 0.2,
            estimate_learn: 0.2,
            minutes,
            seen: answer,
            others_known: 1.0,
            preference: 0.0,
            teaching_gain: 0.0,
            practice: true,
        }
    }

    #[test]
    fn the_pick_is_the_recommenders_best_fit() {
        let chooser = StepChooser::neutral();
        // Success 0.25 + 0.67 m: in the band (0.7-0.85) from m = 0.67 to 0.9.
        let practice = activity(0.25, 0.08, 9.0);
        // Success 0.1 + 0.75 m: in the band from m = 0.8.
        let challenge = activity(0.1, 0.15, 13.0);
        let list = [practice, challenge];
        assert_eq!(chooser.pick(&list, 0.2, 0), Some(practice));
        assert_eq!(chooser.pick(&list, 0.75, 0), Some(practice));
        assert_eq!(chooser.pick(&list, 0.93, 0), Some(challenge));
        // On a tie the first in the catalog's order.
        assert_eq!(chooser.pick(&[practice, practice], 0.5, 0), Some(practice));
        assert_eq!(chooser.pick(&[], 0.5, 0), None);
        // A preferred kind wins within its weight; teaching well gains more
        // the less the learner knows.
        let liked = StepActivity {
            preference: 0.3,
            ..challenge
        };
        assert_eq!(chooser.pick(&[practice, liked], 0.75, 0), Some(liked));
        let teaches = StepActivity {
            teaching_gain: 0.1,
            ..challenge
        };
        assert_eq!(chooser.pick(&[practice, teaches], 0.1, 0), Some(teaches));
        assert_eq!(chooser.pick(&[practice, teaches], 0.6, 0), Some(practice));
        // A learner stuck on the standard gets another kind than practice
        // (remediation), practice when there is no other.
        let video = StepActivity {
            practice: false,
            ..activity(0.2, 0.1, 6.0)
        };
        let stuck = chooser.wheel_spin_attempts;
        assert_eq!(
            chooser.pick(&[practice, video], 0.75, stuck - 1),
            Some(practice)
        );
        assert_eq!(chooser.pick(&[practice, video], 0.75, stuck), Some(video));
        assert_eq!(chooser.pick(&list, 0.75, stuck), Some(practice));
    }

    /// With learner ability on, the estimate moves as the online update
    /// moves it for this learner: a learner who answered everything right
    /// is read with a higher learn rate than the standard's; without
    /// ability, the standard's.
    #[test]
    fn the_estimate_learns_at_the_learners_own_rate_with_ability_on() {
        use crate::curriculum::Curriculum;
        use crate::evidence::{Evidence, Outcome};
        use crate::model::AbilityParams;
        let c = Curriculum::builder()
            .standard_ids(["A", "B", "C"])
            .unwrap()
            .build()
            .unwrap();
        let params = BktParams::new(0.2, 0.15, 0.0, 0.2, 0.1).unwrap();
        let learn_of = |ability: Option<AbilityParams>| {
            let model = Model::builder(c.clone())
                .default_params(params)
                .ability(ability)
                .build()
                .unwrap();
            let mut learner = LearnerState::new(&model, "ada").unwrap();
            for (k, s) in ["A", "B", "A", "B", "A", "B"].iter().enumerate() {
                let e =
                    Evidence::on_standard("ada", *s, Outcome::Correct, 1_700_000_000 + k as i64)
                        .unwrap();
                learner.apply(&model, &e).unwrap();
            }
            let chooser = StepChooser::new(&model, &learner, 1_700_000_100).unwrap();
            let step = chooser.activities(&model, c.index_of("C").unwrap())[0];
            (step.learn, step.estimate_learn)
        };
        assert_eq!(learn_of(None), (0.15, 0.15));
        let (learn, estimate_learn) = learn_of(Some(AbilityParams::default()));
        assert_eq!(learn, 0.15);
        assert!(estimate_learn > 0.15, "{estimate_learn}");
    }
}
