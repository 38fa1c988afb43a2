//! One simulated learner on one step of a path: the activities the
//! recommender would pick for it, their answers, learning and minutes.

use rand::{Rng, RngExt};

use super::RecommendOptions;
use super::rank::Prefs;
use super::select::{Preference, band_distance, fit, seen_answer, teaching_gain};
use crate::catalog::ActivityKind;
use crate::curriculum::StandardIdx;
use crate::error::Result;
use crate::evidence::Outcome;
use crate::learner::LearnerState;
use crate::model::{BktParams, GuessSlip, Model};

/// Opportunities a simulated step may take before it counts as stuck (the
/// draw then goes on to the next step, having spent them).
pub(super) const MAX_STEP_OPPORTUNITIES: u32 = 60;

/// How one activity of a step answers, teaches and takes time, and what
/// the recommender sees of it when it picks an activity for the step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct StepActivity {
    /// How a simulated learner answers it.
    pub(super) answer: GuessSlip,
    /// The learn rate the model gives it.
    pub(super) learn: f64,
    pub(super) minutes: f64,
    /// The answer model the recommender predicts success with (moved by the
    /// learner's ability).
    seen: GuessSlip,
    /// The chance the learner knows the activity's other standards (1 for
    /// an activity of the step's standard alone).
    others_known: f64,
    /// The learner's preference for it (see [`Preference`]).
    preference: f64,
    /// What it teaches beyond the standard's learn rate.
    teaching_gain: f64,
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
}

impl<'l> StepChooser<'l> {
    /// The recommender's view of `learner` at `now`.
    ///
    /// # Errors
    /// As [`LearnerState::all_mastery_at`].
    pub(super) fn new(model: &Model, learner: &'l LearnerState, now: i64) -> Result<Self> {
        let options = RecommendOptions::new(now);
        Ok(StepChooser {
            prefs: Prefs::new(learner, &options),
            ability: learner.ability(model),
            mastery: learner.all_mastery_at(model, now)?,
            band: options.success_band,
        })
    }

    /// The activities a step on `standard` is worked with, in the catalog's
    /// order: all of the standard's (the recommender offers any kind for a
    /// standard the learner is ready for), or practice on the standard
    /// itself when it has none.
    pub(super) fn activities(&self, model: &Model, standard: StandardIdx) -> Vec<StepActivity> {
        let catalog = model.catalog();
        let params = &model.all_params()[standard.index()];
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
                    minutes: activity.minutes(),
                    seen: seen_answer(model, self.ability, a),
                    others_known,
                    preference: Preference::of(&self.prefs, activity).weight,
                    teaching_gain: teaching_gain(model, a, standard),
                })
            })
            .collect();
        if list.is_empty() {
            vec![StepActivity::standard_itself(params)]
        } else {
            list
        }
    }

    /// The activity the recommender picks among `activities` at `estimate`
    /// of the step's standard: the best fit (success nearest the band,
    /// preferences, what works), the first on a tie, as
    /// [`Recommender::recommend`](super::Recommender::recommend) picks for a
    /// standard the learner is ready for. O(activities).
    fn pick(&self, activities: &[StepActivity], estimate: f64) -> Option<StepActivity> {
        let score = |a: &StepActivity| {
            let p = a.seen.p_correct(estimate * a.others_known);
            fit(
                a.preference,
                band_distance(p, self.band),
                (1.0 - estimate) * a.teaching_gain,
            )
        };
        let (first, rest) = activities.split_first()?;
        let mut best = (score(first), *first);
        for a in rest {
            let s = score(a);
            if s > best.0 {
                best = (s, *a);
            }
        }
        Some(best.1)
    }
}

impl StepActivity {
    /// Practice on the standard itself: its own guess, slip and learn rate,
    /// the typical minutes of a practice.
    fn standard_itself(params: &BktParams) -> StepActivity {
        StepActivity {
            answer: params.guess_slip(),
            learn: params.learn(),
            minutes: ActivityKind::Practice.typical_minutes(),
            seen: params.guess_slip(),
            others_known: 1.0,
            preference: 0.0,
            teaching_gain: 0.0,
        }
    }
}

/// What one simulated learner took on one step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct StepDraw {
    /// Opportunities taken.
    pub(super) opportunities: u32,
    /// Their minutes.
    pub(super) minutes: f64,
    /// Whether the estimate reached the bar within [`MAX_STEP_OPPORTUNITIES`].
    pub(super) reached: bool,
    /// Whether the learner knows the standard at the end.
    pub(super) known: bool,
}

/// One simulated learner on one step: it knows the standard with the chance
/// `known` (the model's estimate `mastery`, or more or less for a learner
/// who differs from the population); each opportunity is the activity of
/// `activities` the recommender picks at the current estimate (`chooser`),
/// answered with its guess and slip and learned from at `speed` times its
/// learn rate; it goes on until the estimate (updated from `mastery` by
/// each answer as the model updates it) reaches `bar`. Learning is `gate`
/// times as likely (the model's prerequisite gating while a prerequisite is
/// not known, else 1). O(opportunities x activities).
pub(super) fn draw_step(
    params: &BktParams,
    (chooser, activities): (&StepChooser<'_>, &[StepActivity]),
    (mastery, known): (f64, f64),
    bar: f64,
    (speed, gate): (f64, f64),
    rng: &mut impl Rng,
) -> StepDraw {
    let mut estimate = mastery;
    let mut known = rng.random::<f64>() < known;
    let mut n = 0u32;
    let mut minutes = 0.0;
    while estimate < bar && n < MAX_STEP_OPPORTUNITIES {
        n += 1;
        let activity = chooser
            .pick(activities, estimate)
            .unwrap_or_else(|| StepActivity::standard_itself(params));
        minutes += activity.minutes;
        let correct = if known {
            rng.random::<f64>() >= activity.answer.slip()
        } else {
            rng.random::<f64>() < activity.answer.guess()
        };
        let (if_known, if_unknown) = activity.answer.likelihoods(Outcome::from_correct(correct));
        let posterior = crate::model::posterior(estimate, if_known, if_unknown);
        estimate = (posterior * (1.0 - params.forget()) + (1.0 - posterior) * activity.learn)
            .clamp(0.0, 1.0);
        if !known && rng.random::<f64>() < (activity.learn * speed).min(1.0) * gate {
            known = true;
        }
    }
    StepDraw {
        opportunities: n,
        minutes,
        reached: estimate >= bar,
        known,
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::Xoshiro256PlusPlus;

    use super::*;

    /// The recommender's view of a learner without preferences, ability or
    /// other estimates, with the default success band.
    fn neutral() -> StepChooser<'static> {
        StepChooser {
            prefs: Prefs {
                kinds: Vec::new(),
                interests: Vec::new(),
                history: None,
                budget: None,
            },
            ability: None,
            mastery: Vec::new(),
            band: (0.7, 0.85),
        }
    }

    fn activity(guess: f64, slip: f64, minutes: f64) -> StepActivity {
        let answer = GuessSlip::new(guess, slip).unwrap();
        StepActivity {
            answer,
            learn: 0.2,
            minutes,
            seen: answer,
            others_known: 1.0,
            preference: 0.0,
            teaching_gain: 0.0,
        }
    }

    #[test]
    fn a_step_takes_the_answers_that_convince_the_estimate() {
        let params = BktParams::new(0.2, 0.3, 0.0, 0.2, 0.1).unwrap();
        let chooser = neutral();
        let itself = (&chooser, &[][..]);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        // At or above the bar: nothing to do.
        let taken = draw_step(&params, itself, (0.96, 0.96), 0.95, (1.0, 1.0), &mut rng);
        assert_eq!((taken.opportunities, taken.reached), (0, true));
        assert_eq!(taken.minutes, 0.0);
        // At 88% one correct answer is enough (0.88 * 0.9 / (0.88 * 0.9 + 0.12 * 0.2) = 0.97),
        // where the learning curve alone would take 3 opportunities.
        let draws: Vec<u32> = (0..2_000)
            .map(|_| {
                draw_step(&params, itself, (0.88, 0.88), 0.95, (1.0, 1.0), &mut rng).opportunities
            })
            .collect();
        let mean = draws.iter().map(|&n| f64::from(n)).sum::<f64>() / draws.len() as f64;
        assert!(mean > 1.0 && mean < 3.0, "{mean}");
        // A learner who cannot learn and does not know is stuck at the cap.
        let never = BktParams::new(0.0, 0.0, 0.0, 0.2, 0.1).unwrap();
        let stuck = draw_step(&never, itself, (0.0, 0.0), 0.95, (1.0, 1.0), &mut rng);
        assert_eq!(
            (stuck.opportunities, stuck.reached, stuck.known),
            (MAX_STEP_OPPORTUNITIES, false, false)
        );
        // Faster learners need fewer opportunities from scratch.
        let mean_at = |speed: f64, rng: &mut Xoshiro256PlusPlus| {
            (0..2_000)
                .map(|_| {
                    f64::from(
                        draw_step(&params, itself, (0.1, 0.1), 0.95, (speed, 1.0), rng)
                            .opportunities,
                    )
                })
                .sum::<f64>()
                / 2_000.0
        };
        assert!(mean_at(2.0, &mut rng) < mean_at(0.5, &mut rng));
    }

    #[test]
    fn a_step_is_worked_with_the_activities_the_recommender_picks() {
        let chooser = neutral();
        // Success 0.25 + 0.67 m: in the band (0.7-0.85) from m = 0.67 to 0.9.
        let practice = activity(0.25, 0.08, 9.0);
        // Success 0.1 + 0.75 m: in the band from m = 0.8.
        let challenge = activity(0.1, 0.15, 13.0);
        let list = [practice, challenge];
        assert_eq!(chooser.pick(&list, 0.2), Some(practice));
        assert_eq!(chooser.pick(&list, 0.75), Some(practice));
        assert_eq!(chooser.pick(&list, 0.93), Some(challenge));
        // On a tie the first in the catalog's order.
        assert_eq!(chooser.pick(&[practice, practice], 0.5), Some(practice));
        assert_eq!(chooser.pick(&[], 0.5), None);
        // A preferred kind wins within its weight; teaching well gains more
        // the less the learner knows.
        let liked = StepActivity {
            preference: 0.3,
            ..challenge
        };
        assert_eq!(chooser.pick(&[practice, liked], 0.75), Some(liked));
        let teaches = StepActivity {
            teaching_gain: 0.1,
            ..challenge
        };
        assert_eq!(chooser.pick(&[practice, teaches], 0.1), Some(teaches));
        assert_eq!(chooser.pick(&[practice, teaches], 0.6), Some(practice));
        // A step's minutes are those of the picked activities: a learner who
        // starts low works on practice (9 min) until near the bar, where the
        // challenge (13 min) fits the band.
        let params = BktParams::new(0.1, 0.2, 0.0, 0.25, 0.08).unwrap();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        for _ in 0..200 {
            let taken = draw_step(
                &params,
                (&chooser, &list),
                (0.1, 0.1),
                0.95,
                (1.0, 1.0),
                &mut rng,
            );
            let n = f64::from(taken.opportunities);
            assert!(taken.minutes >= 9.0 * n && taken.minutes <= 13.0 * n);
            assert!(
                taken.minutes < 13.0 * n,
                "all challenges from 10%: {taken:?}"
            );
        }
    }
}
