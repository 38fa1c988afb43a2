//! A simulated learner's walk to a goal, as the recommender leads it: one
//! opportunity at a time on the first standard the goal needs that is not
//! mastered (in the curriculum's order), with the activity the recommender
//! would pick, each answer updating the estimates as the model does,
//! propagation included. A wrong answer that pulls a mastered prerequisite
//! back below the bar sends the learner back to it, and answers on a
//! standard lift or lower its dependents, as in a learner's real estimates.

use rand::{Rng, RngExt};

use super::step::{MAX_STEP_OPPORTUNITIES, StepActivity, StepChooser};
use crate::curriculum::{StandardIdx, StandardSet};
use crate::error::Result;
use crate::evidence::Outcome;
use crate::model::{
    self, ChangeCause, MasteryAccess, Model, PropagationScratch, PropagationSource,
};

/// The standards a goal needs and the buffers of one simulated learner's
/// walk through them (reused from draw to draw).
pub(super) struct Walk<'m> {
    model: &'m Model,
    /// The goal and its ancestors, in the curriculum's order.
    order: Vec<StandardIdx>,
    /// The same as a set.
    needed: StandardSet,
    /// Per standard of the curriculum, its position in `order` (`usize::MAX`
    /// if not needed).
    positions: Vec<usize>,
    /// Per position: its direct prerequisites' positions (all needed too).
    prerequisites: Vec<Vec<usize>>,
    /// Per position: its direct dependents' positions among the needed.
    dependents: Vec<Vec<usize>>,
    /// Per position: implied by a mastered standard the goal does not need
    /// (what a mastered standard builds on counts as mastered).
    implied: Vec<bool>,
    /// Per position: the activities the recommender picks from.
    activities: Vec<Vec<StepActivity>>,
    /// Per position: the learner's attempts before the walk.
    attempts: Vec<u32>,
    /// The estimates at the start, all standards.
    start: Vec<f64>,
    bar: f64,
    // One walk's state.
    estimates: Vec<f64>,
    known: Vec<bool>,
    stuck: Vec<bool>,
    mastered: Vec<bool>,
    taken: Vec<u32>,
    minutes: Vec<f64>,
    scratch: PropagationScratch,
}

/// What one simulated learner took to the goal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct WalkDraw {
    /// Opportunities on every standard, returns included.
    pub(super) opportunities: u32,
    /// Their minutes.
    pub(super) minutes: f64,
    /// Whether the goal's estimate reached the bar (else a standard was
    /// stuck at [`MAX_STEP_OPPORTUNITIES`] on the way).
    pub(super) reached: bool,
}

impl<'m> Walk<'m> {
    /// The walk to `goal` from the learner's estimates, the activities as
    /// `chooser` sees them.
    /// O(standards + edges + needed standards x activities).
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`](crate::Error::IndexOutOfRange) for a goal
    /// the curriculum does not have.
    pub(super) fn new(
        model: &'m Model,
        chooser: &StepChooser<'_>,
        goal: StandardIdx,
    ) -> Result<Self> {
        let mastery = chooser.mastery();
        let curriculum = model.curriculum();
        let bar = model.levels().mastered();
        let mut needed = curriculum.ancestors(goal)?;
        needed.insert(goal);
        let order: Vec<StandardIdx> = curriculum
            .topological_order()
            .iter()
            .copied()
            .filter(|&s| needed.contains(s))
            .collect();
        let mut position = vec![usize::MAX; curriculum.len()];
        for (i, s) in order.iter().enumerate() {
            position[s.index()] = i;
        }
        let prerequisites = order
            .iter()
            .map(|&s| {
                Ok(curriculum
                    .prerequisites(s)?
                    .iter()
                    .map(|q| position[q.index()])
                    .collect())
            })
            .collect::<Result<Vec<Vec<usize>>>>()?;
        let mut dependents = vec![Vec::new(); order.len()];
        for (i, prerequisites) in prerequisites.iter().enumerate() {
            for &q in prerequisites {
                if let Some(d) = dependents.get_mut(q) {
                    d.push(i);
                }
            }
        }
        let outside: StandardSet = curriculum
            .indices()
            .filter(|&s| !needed.contains(s) && mastery.get(s.index()).is_some_and(|&m| m >= bar))
            .collect();
        let implied_set = curriculum.prerequisite_closure(&outside)?;
        let n = order.len();
        Ok(Walk {
            model,
            needed,
            positions: position,
            implied: order.iter().map(|&s| implied_set.contains(s)).collect(),
            activities: order
                .iter()
                .map(|&s| chooser.activities(model, s))
                .collect(),
            attempts: order.iter().map(|&s| chooser.attempts(s)).collect(),
            order,
            prerequisites,
            dependents,
            start: mastery.to_vec(),
            bar,
            estimates: mastery.to_vec(),
            known: vec![false; n],
            stuck: vec![false; n],
            mastered: vec![false; n],
            taken: vec![0; n],
            minutes: vec![0.0; n],
            scratch: PropagationScratch::default(),
        })
    }

    /// Where `standard` is among the needed standards. O(1).
    pub(super) fn position(&self, standard: StandardIdx) -> Option<usize> {
        self.positions
            .get(standard.index())
            .copied()
            .filter(|&i| i < self.order.len())
    }

    /// Opportunities the last walk took on the standard at `position`.
    pub(super) fn taken(&self, position: usize) -> u32 {
        self.taken.get(position).copied().unwrap_or(0)
    }

    /// Minutes the last walk took on the standard at `position`.
    pub(super) fn minutes(&self, position: usize) -> f64 {
        self.minutes.get(position).copied().unwrap_or(0.0)
    }

    /// The minutes of the activity the recommender picks for the standard
    /// at `position` at its starting estimate.
    pub(super) fn first_minutes(&self, chooser: &StepChooser<'_>, position: usize) -> f64 {
        let Some(&standard) = self.order.get(position) else {
            return 0.0;
        };
        let params = &self.model.all_params()[standard.index()];
        chooser
            .pick(
                &self.activities[position],
                self.start[standard.index()],
                self.attempts[position],
            )
            .unwrap_or_else(|| StepActivity::standard_itself(params))
            .minutes
    }

    /// One simulated learner: it knows each needed standard at the start
    /// with `chance(standard, its estimate)`, learns at `speed` times each
    /// activity's learn rate (times the model's prerequisite gating while a
    /// direct prerequisite is not known), and works until the goal's
    /// estimate reaches the bar, or a standard it needs has taken
    /// [`MAX_STEP_OPPORTUNITIES`] without reaching it and the goal is left
    /// (a stuck standard counts as mastered for the order, as a teacher
    /// would move on). O(opportunities x (activities + propagation)).
    pub(super) fn draw(
        &mut self,
        chooser: &StepChooser<'_>,
        speed: f64,
        chance: impl Fn(StandardIdx, f64) -> f64,
        rng: &mut impl Rng,
    ) -> WalkDraw {
        let model = self.model;
        let params = model.all_params();
        let gating = model.prerequisite_gating();
        self.estimates.copy_from_slice(&self.start);
        for (known, &s) in self.known.iter_mut().zip(&self.order) {
            *known = rng.random::<f64>() < chance(s, self.start[s.index()]);
        }
        self.stuck.fill(false);
        self.taken.fill(0);
        self.minutes.fill(0.0);
        let goal = self.order.last().map_or(0, |g| g.index());
        let (mut opportunities, mut minutes) = (0u32, 0.0);
        let cap = MAX_STEP_OPPORTUNITIES.saturating_mul(2 * self.order.len() as u32);
        let mut next = self.close();
        loop {
            if self.estimates[goal] >= self.bar {
                return WalkDraw {
                    opportunities,
                    minutes,
                    reached: true,
                };
            }
            let Some(i) = next.filter(|_| opportunities < cap) else {
                return WalkDraw {
                    opportunities,
                    minutes,
                    reached: false,
                };
            };
            let standard = self.order[i];
            let p = &params[standard.index()];
            let before = self.estimates[standard.index()];
            let activity = chooser
                .pick(
                    &self.activities[i],
                    before,
                    self.attempts[i] + self.taken[i],
                )
                .unwrap_or_else(|| StepActivity::standard_itself(p));
            let known = self.known[i];
            let correct = if known {
                rng.random::<f64>() >= activity.answer.slip()
            } else {
                rng.random::<f64>() < activity.answer.guess()
            };
            // The estimate moves as the model's online update moves it: with
            // the answer model and learn rate it holds for this learner.
            let (if_known, if_unknown) = activity.seen.likelihoods(Outcome::from_correct(correct));
            let posterior = model::posterior(before, if_known, if_unknown);
            let after = p.transition_at(posterior, activity.estimate_learn);
            self.estimates[standard.index()] = after;
            let gate = if gating < 1.0 && self.prerequisites[i].iter().any(|&q| !self.known[q]) {
                gating
            } else {
                1.0
            };
            if !known && rng.random::<f64>() < (activity.learn * speed).min(1.0) * gate {
                self.known[i] = true;
            }
            let mut access = Estimates {
                values: &mut self.estimates,
                needed: &self.needed,
                bar: self.bar,
                crossed: (before >= self.bar) != (after >= self.bar),
            };
            model::propagate(
                model.curriculum(),
                model.propagation(),
                &[PropagationSource {
                    standard,
                    before,
                    known: if_known,
                    unknown: if_unknown,
                }],
                &mut access,
                &mut self.scratch,
            );
            let mut changed = access.crossed;
            self.taken[i] += 1;
            self.minutes[i] += activity.minutes;
            opportunities += 1;
            minutes += activity.minutes;
            if self.taken[i] >= MAX_STEP_OPPORTUNITIES
                && self.estimates[standard.index()] < self.bar
            {
                self.stuck[i] = true;
                changed = true;
            }
            if changed {
                next = self.close();
            }
        }
    }

    /// Marks what counts as mastered (at the bar, implied, stuck, or built
    /// on by a mastered standard) and returns the first needed standard
    /// that is not. O(needed standards + edges).
    fn close(&mut self) -> Option<usize> {
        for i in (0..self.order.len()).rev() {
            let own = self.stuck[i]
                || self.implied[i]
                || self.estimates[self.order[i].index()] >= self.bar;
            self.mastered[i] = own || self.dependents[i].iter().any(|&d| self.mastered[d]);
        }
        self.mastered.iter().position(|&m| !m)
    }
}

/// The walk's estimates as propagation sees them, noting whether any
/// crossed the bar (the order of the walk then changes).
struct Estimates<'a> {
    values: &'a mut [f64],
    /// The standards the walk reads (the goal and its ancestors).
    needed: &'a StandardSet,
    bar: f64,
    crossed: bool,
}

impl MasteryAccess for Estimates<'_> {
    fn get(&self, standard: StandardIdx) -> f64 {
        self.values.get(standard.index()).copied().unwrap_or(0.0)
    }

    fn set(&mut self, standard: StandardIdx, mastery: f64, before: f64, _: ChangeCause) {
        if let Some(value) = self.values.get_mut(standard.index()) {
            *value = mastery;
            self.crossed |= (before >= self.bar) != (mastery >= self.bar);
        }
    }

    fn wants_dependent(&self, standard: StandardIdx) -> bool {
        self.needed.contains(standard)
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::Xoshiro256PlusPlus;

    use super::*;
    use crate::catalog::{Activity, ActivityKind, Catalog};
    use crate::curriculum::Curriculum;
    use crate::evidence::Evidence;
    use crate::learner::LearnerState;
    use crate::model::{BktParams, Propagation};

    const NOW: i64 = 1_700_000_000;

    /// A before B; every standard with `params`.
    fn chain(params: BktParams, propagation: Propagation) -> Model {
        let c = Curriculum::builder()
            .standard_ids(["A", "B"])
            .unwrap()
            .prerequisite("A", "B")
            .build()
            .unwrap();
        Model::builder(c)
            .default_params(params)
            .propagation(propagation)
            .build()
            .unwrap()
    }

    /// The mean opportunities to B of `draws` learners at `speed`.
    fn mean_to_b(model: &Model, learner: &LearnerState, speed: f64, draws: usize) -> f64 {
        let chooser = StepChooser::new(model, learner, NOW).unwrap();
        let b = model.curriculum().index_of("B").unwrap();
        let mut walk = Walk::new(model, &chooser, b).unwrap();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        (0..draws)
            .map(|_| f64::from(walk.draw(&chooser, speed, |_, m| m, &mut rng).opportunities))
            .sum::<f64>()
            / draws as f64
    }

    #[test]
    fn a_walk_takes_the_answers_that_convince_the_estimate() {
        // At or above the bar: nothing to do.
        let known = chain(
            BktParams::new(0.96, 0.2, 0.0, 0.3, 0.1).unwrap(),
            Propagation::off(),
        );
        let learner = LearnerState::new(&known, "ada").unwrap();
        assert_eq!(mean_to_b(&known, &learner, 1.0, 50), 0.0);
        // At 88% one correct answer on each of A and B is enough
        // (0.88 * 0.9 / (0.88 * 0.9 + 0.12 * 0.3) = 0.957), where the
        // learning curve alone would take 3 opportunities each.
        let near = chain(
            BktParams::new(0.88, 0.2, 0.0, 0.3, 0.1).unwrap(),
            Propagation::off(),
        );
        let learner = LearnerState::new(&near, "ada").unwrap();
        let mean = mean_to_b(&near, &learner, 1.0, 2_000);
        assert!(mean > 2.0 && mean < 5.0, "{mean}");
        // Faster learners need fewer opportunities from scratch.
        let new = chain(
            BktParams::new(0.05, 0.2, 0.0, 0.2, 0.1).unwrap(),
            Propagation::off(),
        );
        let learner = LearnerState::new(&new, "ada").unwrap();
        assert!(mean_to_b(&new, &learner, 2.0, 2_000) < mean_to_b(&new, &learner, 0.5, 2_000));
    }

    #[test]
    fn a_learner_who_cannot_learn_is_stuck_at_the_cap() {
        let never = chain(
            BktParams::new(0.0, 0.0, 0.0, 0.2, 0.1).unwrap(),
            Propagation::off(),
        );
        let learner = LearnerState::new(&never, "ada").unwrap();
        let chooser = StepChooser::new(&never, &learner, NOW).unwrap();
        let b = never.curriculum().index_of("B").unwrap();
        let mut walk = Walk::new(&never, &chooser, b).unwrap();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let taken = walk.draw(&chooser, 1.0, |_, m| m, &mut rng);
        // Stuck on A: the teacher moves on to B, stuck there too.
        assert!(!taken.reached);
        assert_eq!(walk.taken(0), MAX_STEP_OPPORTUNITIES);
        assert_eq!(walk.taken(1), MAX_STEP_OPPORTUNITIES);
        assert_eq!(taken.opportunities, 2 * MAX_STEP_OPPORTUNITIES);
    }

    /// A learner who mastered A and works on B: with propagation, wrong
    /// answers on B pull A's estimate below the bar in some learners, who
    /// go back to A; without it, nobody does.
    #[test]
    fn a_wrong_answer_on_a_dependent_sends_the_learner_back() {
        let returns = |propagation: Propagation| {
            let model = chain(
                BktParams::new(0.2, 0.1, 0.0, 0.2, 0.1).unwrap(),
                propagation,
            );
            let mut learner = LearnerState::new(&model, "ada").unwrap();
            let mut at = NOW - 3_600;
            while learner.mastery(&model, "A").unwrap() < model.levels().mastered() {
                at += 60;
                let e = Evidence::on_standard("ada", "A", crate::Outcome::Correct, at).unwrap();
                learner.apply(&model, &e).unwrap();
            }
            let chooser = StepChooser::new(&model, &learner, NOW).unwrap();
            let b = model.curriculum().index_of("B").unwrap();
            let mut walk = Walk::new(&model, &chooser, b).unwrap();
            let a = walk
                .position(model.curriculum().index_of("A").unwrap())
                .unwrap();
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(2);
            (0..500)
                .filter(|_| {
                    walk.draw(&chooser, 1.0, |_, m| m, &mut rng);
                    walk.taken(a) > 0
                })
                .count()
        };
        assert_eq!(returns(Propagation::off()), 0);
        assert!(returns(Propagation::default()) > 10);
    }

    /// The minutes are those of the activities the recommender picks: from
    /// a low estimate, the practice (9 min) until near the bar, where the
    /// challenge (13 min) fits the band; after 10 attempts without mastery,
    /// the video (5 min), as the recommender remediates.
    #[test]
    fn the_minutes_are_those_of_the_picked_activities() {
        let c = Curriculum::builder()
            .standard_ids(["A"])
            .unwrap()
            .build()
            .unwrap();
        let activity = |id: &str, kind, minutes| {
            Activity::new(id, kind)
                .aligned_to("A")
                .with_minutes(minutes)
        };
        let catalog = Catalog::new(
            &c,
            [
                activity("practice", ActivityKind::Practice, 9.0).with_guess_slip(0.25, 0.08),
                activity("challenge", ActivityKind::Practice, 13.0).with_guess_slip(0.1, 0.15),
                activity("video", ActivityKind::Video, 5.0),
            ],
        )
        .unwrap();
        let model = Model::builder(c)
            .catalog(catalog)
            .default_params(BktParams::new(0.1, 0.15, 0.0, 0.2, 0.1).unwrap())
            .build()
            .unwrap();
        let learner = LearnerState::new(&model, "ada").unwrap();
        let chooser = StepChooser::new(&model, &learner, NOW).unwrap();
        let a = model.curriculum().index_of("A").unwrap();
        let mut walk = Walk::new(&model, &chooser, a).unwrap();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        let mut videos = 0;
        for _ in 0..300 {
            let taken = walk.draw(&chooser, 1.0, |_, m| m, &mut rng);
            let n = f64::from(taken.opportunities);
            if taken.opportunities <= 10 {
                assert!(
                    taken.minutes >= 9.0 * n && taken.minutes < 13.0 * n,
                    "{taken:?}"
                );
            } else {
                // Practice and challenges for the first 10, videos after.
                assert!(taken.minutes <= 10.0 * 13.0 + (n - 10.0) * 5.0, "{taken:?}");
                videos += 1;
            }
        }
        assert!(videos > 0);
    }
}
