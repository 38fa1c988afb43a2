//! Learning paths: what stands between a learner and a goal, in order, at the learner's pace.

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};

use super::pace::{Placement, SPEED_PRIOR, Speed, shifted};
use super::step::StepChooser;
use super::walk::{Walk, WalkDraw};
use crate::curriculum::{Curriculum, StandardIdx, StandardKey};
use crate::error::Result;
use crate::learner::{Goal, LearnerState};
use crate::model::Model;
use crate::stats::quantile;

/// One standard on a learning path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PathStep {
    /// The standard.
    pub standard: StandardIdx,
    /// Its estimate now.
    pub mastery: f64,
    /// Expected practice opportunities until the estimate reaches the
    /// mastery bar (the mean over simulated learners; see [`LearningPath`]).
    pub opportunities: u32,
    /// Expected minutes: opportunities times the mean minutes of the
    /// activities the recommender picks for the standard in the simulated
    /// learners (see [`LearningPath`]).
    pub minutes: f64,
}

/// The unmastered standards needed for a goal, in a valid order (every
/// prerequisite before its dependents), with the expected effort for this
/// learner and how sure that is.
///
/// The effort is what the estimate needs, not only what learning needs: a
/// step is done when the learner's estimate reaches the mastery bar, so it
/// takes the answers that convince the model (a learner who knows a
/// standard still needs a correct answer or a few), and a learner who does
/// not know it yet first has to learn it. The estimate simulates 200
/// learners walking to the goal as the recommender leads them: each knows
/// every standard the goal needs at the start with the chance its estimate
/// gives, and works, one opportunity at a time, on the first of them in the
/// curriculum's order that is not mastered (at the bar, or built on by a
/// mastered standard), with the activity the recommender would pick at that
/// point (of the standard's activities, the one whose predicted success at
/// the simulated estimate fits the success band best, with the learner's
/// stated preferences and what each activity teaches, as
/// [`Recommender::recommend`](super::Recommender::recommend) ranks them
/// with default options; another kind than practice after as many attempts
/// without mastery as its wheel-spinning count, as it remediates). Each
/// answer comes from the activity's guess and slip and updates the
/// estimates as the model does (with learner ability on, with this
/// learner's answer model and learn rates, as the online update),
/// [`propagation`](crate::model::Propagation) included: answers on a standard lift or lower its dependents, and a
/// wrong one can pull a mastered prerequisite back below the bar, which
/// sends the learner back to it. The learner learns at a speed drawn from
/// what their answers so far say about their speed (a multiplier of the
/// learn rates between 0.25x and 4x; without evidence, log-uniform over
/// that range). A standard the learner has not practiced that comes before
/// the last standard they mastered, in the curriculum's order, was most
/// likely taught already: the chance to know it is shifted by what the
/// learner's records there say they knew before practice (a log-odds shift
/// drawn with the speed). With a model's
/// [`prerequisite gating`](Model::prerequisite_gating) below 1, a standard
/// learns that much slower while one of its direct prerequisites is not
/// truly known. A standard that takes 60 opportunities without reaching
/// the bar counts as stuck and the walk moves on. The total is the median
/// of the simulated totals, each step gets its share of the mean (returns
/// to standards mastered at the start spread over the steps), and the
/// likely range is the 10th to 90th percentile.
///
/// How well it holds, measured by `examples/pace.rs` (1,000 simulated
/// learners per goal working with the recommender, prediction after 30
/// activities, 7 goals from K.CC.B.5 to 4.NF.A.1, the model with the
/// simulator's parameters, its prerequisite gating included; seeds 1 to 3,
/// learners of both models, 42 goal cells per population): when the
/// learners start as the priors say (`--matched`), the median prediction
/// is 0.91-1.12 times the median number of activities taken and 0.85-1.10
/// times the minutes; for a class ahead of the priors (untrained defaults),
/// 0.84-1.22 in activities and 0.78-1.11 in minutes; with learner
/// ability on in the model (`--ability`), 0.78-1.11 in both. Reviews of standards
/// faded by time, and the recommender's other picks (placement checks,
/// remediation on a prerequisite of a standard stuck elsewhere) are not in
/// the estimate. O(200 x opportunities to the goal x (activities per
/// standard + propagation)): about 0.5 ms for a learner 100 standards in
/// with a grade-5 goal, 7 ms for a new learner with a grade-4 goal
/// (`benches/recommend.rs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LearningPath {
    /// The goal.
    pub goal: StandardIdx,
    /// The steps, first to last (empty when the goal is mastered).
    pub steps: Vec<PathStep>,
    /// Total expected opportunities (the sum of the steps').
    pub opportunities: u32,
    /// Total expected minutes (the sum of the steps').
    pub minutes: f64,
    /// The opportunities 8 in 10 learners like this one need: the 10th and
    /// 90th percentiles over the simulated learners (`(0, 0)` when the goal
    /// is mastered).
    #[serde(default)]
    pub likely_opportunities: (u32, u32),
    /// The minutes 8 in 10 learners like this one need.
    #[serde(default)]
    pub likely_minutes: (f64, f64),
}

/// A goal of the learner's profile with its path and the learner's pace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GoalPlan {
    /// The goal: standard, who set it, when it is due.
    pub goal: Goal,
    /// What stands between the learner and it.
    pub path: LearningPath,
    /// The learner's observed pace: pieces of evidence per calendar day
    /// ([`crate::learner::Engagement::per_day`]); `None` before two active days.
    pub per_day: Option<f64>,
    /// Expected days to reach the goal at that pace.
    pub expected_days: Option<f64>,
    /// Whether the expected finish is at or before the due date (`None`
    /// without a due date or a pace).
    pub on_track: Option<bool>,
    /// Days left until the due date at the time of the plan (negative when overdue).
    pub days_left: Option<f64>,
}

impl GoalPlan {
    /// One or two plain sentences for the learner.
    ///
    /// ```
    /// use mastery::{Curriculum, LearnerState, Model};
    /// use mastery::learner::GoalSetter;
    /// use mastery::recommend::Recommender;
    ///
    /// let ccss = Curriculum::ccss_math();
    /// let model = Model::builder(ccss.clone()).build()?;
    /// let mut ada = LearnerState::new(&model, "ada")?;
    /// let now = 1_700_000_000;
    /// ada.set_goal(&model, "K.CC.A.2", GoalSetter::Learner, Some(now + 14 * 86_400), now)?;
    /// let plans = Recommender::new(&model).goal_plans(&ada, now)?;
    /// assert!(plans[0].explain(&ccss).starts_with("Your goal K.CC.A.2:"));
    /// # Ok::<(), mastery::Error>(())
    /// ```
    #[must_use]
    pub fn explain(&self, curriculum: &Curriculum) -> String {
        let id = curriculum
            .standard(self.goal.standard())
            .map_or("?", |s| s.id());
        let whose = self.goal.set_by().possessive();
        let mut text = if self.path.steps.is_empty() {
            format!("{} goal {id}: reached.", capitalize(whose))
        } else {
            let (low, high) = self.path.likely_opportunities;
            let likely = if low < high {
                format!(" (likely {low} to {high})")
            } else {
                String::new()
            };
            format!(
                "{} goal {id}: {} {} to go, about {} practice {}{likely}.",
                capitalize(whose),
                self.path.steps.len(),
                plural(self.path.steps.len(), "standard", "standards"),
                self.path.opportunities,
                plural(
                    self.path.opportunities as usize,
                    "opportunity",
                    "opportunities"
                )
            )
        };
        if self.path.steps.is_empty() {
            return text;
        }
        let days = |n: f64| {
            let n = n.max(0.0);
            format!("{n:.0} {}", plural(n as usize, "day", "days"))
        };
        match (self.expected_days, self.days_left, self.on_track) {
            (Some(expected), Some(left), Some(true)) => {
                text += &format!(
                    " At your pace that is about {}; it is due in {}: on track.",
                    days(expected.ceil()),
                    days(left.floor())
                );
            }
            (Some(expected), Some(left), Some(false)) => {
                text += &format!(
                    " At your pace that is about {}, but it is due in {}: a little more practice each day would get you there.",
                    days(expected.ceil()),
                    days(left.floor())
                );
            }
            (Some(expected), _, _) => {
                text += &format!(" At your pace that is about {}.", days(expected.ceil()));
            }
            (None, _, _) => {
                text += " Practice on a few days and this plan will tell you how long it takes at your pace.";
            }
        }
        text
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().collect::<String>() + chars.as_str()
    })
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

pub(super) fn goal_plans(model: &Model, learner: &LearnerState, now: i64) -> Result<Vec<GoalPlan>> {
    learner.check(model)?;
    let per_day = learner.engagement().per_day(now);
    learner
        .profile()
        .goals()
        .iter()
        .map(|&goal| {
            let path = path_to(model, learner, goal.standard(), now)?;
            let expected_days = per_day
                .filter(|&p| p > 0.0)
                .map(|p| f64::from(path.opportunities) / p);
            let days_left = goal.due().map(|due| crate::time::days_between(now, due));
            let on_track = match (expected_days, days_left) {
                (_, Some(_)) if path.steps.is_empty() => Some(true),
                (Some(e), Some(l)) => Some(e <= l),
                _ => None,
            };
            Ok(GoalPlan {
                goal,
                path,
                per_day,
                expected_days,
                on_track,
                days_left,
            })
        })
        .collect()
}

/// Simulated learners behind a path's estimate: a median within about 5%
/// and stable 10th/90th percentiles, at well under a millisecond for a path
/// of a dozen steps.
const PACE_DRAWS: usize = 200;

/// Where each standard lies for `learner`'s prior shift (see
/// [`Placement`]): in the curriculum's order, a standard `goal` needs that
/// comes before the last one the learner has mastered (its estimate at the
/// bar at `now`) is [`Placement::Behind`]; everything else is
/// [`Placement::Ahead`].
fn placement(
    model: &Model,
    learner: &LearnerState,
    goal: StandardIdx,
    now: i64,
) -> Result<impl Fn(StandardIdx) -> Placement> {
    let curriculum = model.curriculum();
    let bar = model.levels().mastered();
    let mastery = learner.all_mastery_at(model, now)?;
    let mut needed = curriculum.ancestors(goal)?;
    needed.insert(goal);
    let mut rank = vec![usize::MAX; curriculum.len()];
    for (r, s) in curriculum.topological_order().iter().enumerate() {
        rank[s.index()] = r;
    }
    let last = needed
        .iter()
        .filter(|s| mastery[s.index()] >= bar)
        .map(|s| rank[s.index()])
        .max();
    Ok(move |s: StandardIdx| match last {
        Some(last) if needed.contains(s) && rank.get(s.index()).is_some_and(|&r| r < last) => {
            Placement::Behind
        }
        _ => Placement::Ahead,
    })
}

/// The unmastered standards needed for `goal`, in a valid order, without
/// the effort (each step's `opportunities` and `minutes` are 0): what
/// [`path_to`] estimates the pace of, and what forecasts draw their own.
pub(super) fn steps_to(
    model: &Model,
    learner: &LearnerState,
    goal: impl StandardKey,
    now: i64,
) -> Result<(StandardIdx, Vec<PathStep>)> {
    let curriculum = model.curriculum();
    let goal = goal.resolve(curriculum)?;
    let bar = model.levels().mastered();
    let mastery = learner.all_mastery_at(model, now)?;
    let mut needed = curriculum.ancestors(goal)?;
    needed.insert(goal);
    // As the recommender sees it: what a mastered standard builds on counts
    // as mastered too (knowledge states are closed under prerequisites).
    let mastered: crate::curriculum::StandardSet = curriculum
        .indices()
        .filter(|s| mastery[s.index()] >= bar)
        .collect();
    let mut known = curriculum.prerequisite_closure(&mastered)?;
    known.union_with(&mastered);
    let steps = curriculum
        .topological_order()
        .iter()
        .filter(|&&s| needed.contains(s) && !known.contains(s))
        .map(|&s| PathStep {
            standard: s,
            mastery: mastery[s.index()],
            opportunities: 0,
            minutes: 0.0,
        })
        .collect();
    Ok((goal, steps))
}

/// What a learner's records say of the simulated learners behind their
/// paths and forecasts: their speed, and how much more or less than the
/// estimates they knew of the standards behind their last mastered one
/// that they have not practiced (see [`LearningPath`]).
struct LearnerPrior {
    speed: Speed,
    /// The standards the shift applies to: not practiced, and
    /// [`Placement::Behind`].
    behind: crate::curriculum::StandardSet,
}

impl LearnerPrior {
    /// `learner`'s prior on the way to `goal` at `now`, the speed's prior
    /// log-uniform over `range`. O(records x attempts^2 + standards).
    pub(super) fn of(
        model: &Model,
        learner: &LearnerState,
        goal: StandardIdx,
        now: i64,
        range: (f64, f64),
    ) -> Result<Self> {
        let placement = placement(model, learner, goal, now)?;
        let speed = Speed::of(model, learner, &placement, range);
        // A standard the learner has practiced has an estimate that holds
        // what they showed on it; one they have not holds only the
        // population's prior (moved by evidence on related standards), which
        // the learner's record behind their last mastered standard shifts for
        // the standards there.
        let behind = model
            .curriculum()
            .indices()
            .filter(|&standard| {
                let practiced = learner
                    .practice_records()
                    .binary_search_by_key(&standard, |r| r.standard())
                    .is_ok_and(|i| learner.practice_records()[i].attempts() > 0);
                !practiced && placement(standard) == Placement::Behind
            })
            .collect();
        Ok(LearnerPrior { speed, behind })
    }

    /// One simulated learner: its speed, and the chance it knows a standard
    /// at the start given the standard's estimate.
    pub(super) fn draw(
        &self,
        rng: &mut impl rand::Rng,
    ) -> (f64, impl Fn(StandardIdx, f64) -> f64 + '_) {
        let draw = self.speed.draw(rng);
        let chance = move |standard: StandardIdx, mastery: f64| {
            if self.behind.contains(standard) {
                shifted(mastery, draw.behind_shift)
            } else {
                mastery
            }
        };
        (draw.speed, chance)
    }
}

/// The simulated learners behind a path or a forecast: what the recommender
/// sees of the learner, the walk to the goal, and the learner's prior.
pub(super) struct SimulatedLearners<'m, 'l> {
    chooser: StepChooser<'l>,
    walk: Walk<'m>,
    prior: LearnerPrior,
    /// Per step of the path, its position in the walk.
    at: Vec<usize>,
}

impl<'m, 'l> SimulatedLearners<'m, 'l> {
    /// The learners of `learner`'s way to `goal` through `steps` (as
    /// [`steps_to`] gives them) at `now`, the speed's prior over `range`.
    pub(super) fn new(
        model: &'m Model,
        learner: &'l LearnerState,
        (goal, steps): (StandardIdx, &[PathStep]),
        now: i64,
        range: (f64, f64),
    ) -> Result<Self> {
        let chooser = StepChooser::new(model, learner, now)?;
        let walk = Walk::new(model, &chooser, goal)?;
        let at = steps
            .iter()
            .map(|step| walk.position(step.standard).unwrap_or(usize::MAX))
            .collect();
        Ok(SimulatedLearners {
            chooser,
            walk,
            prior: LearnerPrior::of(model, learner, goal, now, range)?,
            at,
        })
    }

    /// One simulated learner's walk to the goal.
    pub(super) fn draw(&mut self, rng: &mut impl rand::Rng) -> WalkDraw {
        let (speed, chance) = self.prior.draw(rng);
        self.walk.draw(&self.chooser, speed, chance, rng)
    }

    /// The opportunities and minutes the last walk took on each step.
    pub(super) fn per_step(&self) -> impl Iterator<Item = (u32, f64)> + '_ {
        self.at
            .iter()
            .map(|&i| (self.walk.taken(i), self.walk.minutes(i)))
    }

    /// The minutes of the activity the recommender picks first for step `k`.
    fn first_minutes(&self, k: usize) -> f64 {
        self.at
            .get(k)
            .map_or(0.0, |&i| self.walk.first_minutes(&self.chooser, i))
    }
}

pub(super) fn path_to(
    model: &Model,
    learner: &LearnerState,
    goal: impl StandardKey,
    now: i64,
) -> Result<LearningPath> {
    let (goal, mut steps) = steps_to(model, learner, goal, now)?;
    let seed = 0x7061_6365 ^ (goal.index() as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut learners = SimulatedLearners::new(model, learner, (goal, &steps), now, SPEED_PRIOR)?;
    let mut per_step = vec![0u64; steps.len()];
    let mut minutes_per_step = vec![0.0f64; steps.len()];
    let mut totals = Vec::with_capacity(PACE_DRAWS);
    let mut total_minutes = Vec::with_capacity(PACE_DRAWS);
    for _ in 0..PACE_DRAWS {
        let taken = learners.draw(&mut rng);
        for ((spent, spent_minutes), (n, minutes)) in per_step
            .iter_mut()
            .zip(&mut minutes_per_step)
            .zip(learners.per_step())
        {
            *spent += u64::from(n);
            *spent_minutes += minutes;
        }
        totals.push(f64::from(taken.opportunities));
        total_minutes.push(taken.minutes);
    }
    totals.sort_by(f64::total_cmp);
    total_minutes.sort_by(f64::total_cmp);
    // The total is the median learner's; each step gets its share of the
    // mean, so the steps add up to the total (returns to standards mastered
    // at the start are spread over the steps). A single step's draws are
    // skewed: a learner who knows it needs a few answers, one who does not
    // needs to learn it first, so the mean overstates the typical learner.
    let mean_total = per_step.iter().sum::<u64>() as f64 / PACE_DRAWS as f64;
    let scale = if mean_total > 0.0 {
        quantile(&totals, 0.5) / mean_total
    } else {
        0.0
    };
    for (k, ((step, spent), spent_minutes)) in steps
        .iter_mut()
        .zip(per_step)
        .zip(minutes_per_step)
        .enumerate()
    {
        let share = spent as f64 / PACE_DRAWS as f64 * scale;
        step.opportunities = (share.round() as u32).max(1);
        // The mean minutes of the activities the recommender picked for it
        // (those it would pick first, for a step every learner skipped).
        let per_opportunity = if spent > 0 {
            spent_minutes / spent as f64
        } else {
            learners.first_minutes(k)
        };
        step.minutes = f64::from(step.opportunities) * per_opportunity;
    }
    let likely = |v: &[f64]| (quantile(v, 0.1), quantile(v, 0.9));
    let (low, high) = likely(&totals);
    let likely_minutes = if steps.is_empty() {
        (0.0, 0.0)
    } else {
        likely(&total_minutes)
    };
    Ok(LearningPath {
        goal,
        opportunities: steps.iter().map(|s| s.opportunities).sum(),
        minutes: steps.iter().map(|s| s.minutes).sum(),
        likely_opportunities: (low as u32, high as u32),
        likely_minutes,
        steps,
    })
}
