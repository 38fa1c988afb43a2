//! Policies: what chooses each next activity, from what the system can see.

use rand::{Rng, RngExt};

use crate::catalog::{ActivityIdx, ActivityKind};
use crate::curriculum::{StandardIdx, StandardSet};
use crate::learner::LearnerState;
use crate::model::Model;
use crate::recommend::{RecommendOptions, Recommender};

/// What a policy sees when it chooses.
pub struct Context<'a> {
    /// The model (curriculum, catalog, parameters).
    pub model: &'a Model,
    /// The learner's estimated state (from the evidence so far).
    pub estimate: &'a LearnerState,
    /// The target standards.
    pub targets: &'a StandardSet,
    /// The time now.
    pub now: i64,
    /// The previous activities and whether each was answered correctly, oldest first.
    pub history: &'a [(ActivityIdx, bool)],
}

/// Chooses the next activity for a learner.
///
/// `rng` is any random number generator ([`rand::Rng`], the object-safe core
/// trait of rand 0.10), so a policy can be driven by the caller's RNG. The
/// simulator seeds one per learner from [`Simulation::seed`](super::Simulation::seed):
/// same seed, same choices.
pub trait Policy: Send + Sync {
    /// A short name, e.g. `adaptive`.
    fn name(&self) -> &str;
    /// The next activity, or `None` to stop.
    fn next(&self, context: &Context<'_>, rng: &mut dyn Rng) -> Option<ActivityIdx>;
}

/// The crate's recommender: the top recommendation toward the targets.
#[derive(Debug, Clone, Copy, Default)]
pub struct Adaptive;

impl Policy for Adaptive {
    fn name(&self) -> &str {
        "adaptive"
    }

    fn next(&self, c: &Context<'_>, _: &mut dyn Rng) -> Option<ActivityIdx> {
        let curriculum = c.model.curriculum();
        let mut options = RecommendOptions::new(c.now).count(1);
        for t in c.targets.iter() {
            options = options.goal(curriculum[t].id());
        }
        Recommender::new(c.model)
            .recommend(c.estimate, &options)
            .ok()?
            .items
            .first()
            .map(|r| r.activity)
    }
}

/// A fixed sequence, as many classrooms run: the targets and their
/// prerequisites in the curriculum's order (grade by grade for the Common
/// Core), each practiced until 3 correct answers in a row or a fixed number
/// of activities, then the next; after the last, back to the first standard
/// not passed; once every standard is passed, a review round from the first
/// (spiral review), so forgotten standards come back.
#[derive(Debug, Clone, Copy)]
pub struct FixedSequence {
    /// Activities per standard before moving on regardless.
    pub per_standard: usize,
}

impl Policy for FixedSequence {
    fn name(&self) -> &str {
        "fixed"
    }

    fn next(&self, c: &Context<'_>, _: &mut dyn Rng) -> Option<ActivityIdx> {
        let curriculum = c.model.curriculum();
        let catalog = c.model.catalog();
        let closure = curriculum.prerequisite_closure(c.targets).ok()?;
        let sequence: Vec<StandardIdx> = curriculum.in_order(&closure);
        if sequence.is_empty() {
            return None;
        }
        // Replay the history through the pacing rule to find where the class is.
        let mut position = 0usize;
        let mut done_here = 0usize;
        let mut streak = 0usize;
        let mut passed = StandardSet::with_capacity(curriculum.len());
        for &(a, correct) in c.history {
            let Some(&current) = sequence.get(position % sequence.len().max(1)) else {
                break;
            };
            if !catalog.alignment(a).contains(&current) {
                continue;
            }
            done_here += 1;
            streak = if correct { streak + 1 } else { 0 };
            if streak >= 3 || done_here >= self.per_standard {
                if streak >= 3 {
                    passed.insert(current);
                }
                done_here = 0;
                streak = 0;
                if sequence.iter().all(|s| passed.contains(*s)) {
                    // Every standard passed: a review round from the start (spiral review).
                    passed = StandardSet::with_capacity(curriculum.len());
                    position = 0;
                    continue;
                }
                // Next standard not passed yet (wrapping around).
                position = (1..=sequence.len())
                    .map(|k| position + k)
                    .find(|p| !passed.contains(sequence[p % sequence.len()]))
                    .unwrap_or(position + 1);
            }
        }
        let current = sequence[position % sequence.len()];
        first_practice(c, current)
    }
}

/// A random standard among those the estimate says are ready (within the
/// targets and their prerequisites), a random activity for it.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomReady;

impl Policy for RandomReady {
    fn name(&self) -> &str {
        "random"
    }

    fn next(&self, c: &Context<'_>, rng: &mut dyn Rng) -> Option<ActivityIdx> {
        let curriculum = c.model.curriculum();
        let mastered = c.estimate.mastered_at(c.model, c.now).ok()?;
        let mut ready = curriculum.ready_to_learn(&mastered).ok()?;
        ready.intersect_with(&curriculum.prerequisite_closure(c.targets).ok()?);
        let ready: Vec<StandardIdx> = ready.iter().collect();
        let s = *ready.get(rng.random_range(0..ready.len().max(1)))?;
        let activities = c.model.catalog().for_standard(s);
        activities
            .get(rng.random_range(0..activities.len().max(1)))
            .copied()
    }
}

/// The first practice activity of a standard (any activity if it has no practice).
fn first_practice(c: &Context<'_>, s: StandardIdx) -> Option<ActivityIdx> {
    let catalog = c.model.catalog();
    let list = catalog.for_standard(s);
    list.iter()
        .copied()
        .find(|&a| {
            catalog
                .get(a)
                .is_some_and(|x| x.kind() == ActivityKind::Practice)
        })
        .or_else(|| list.first().copied())
}
