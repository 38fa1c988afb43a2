//! Ranking: the candidate standards with their reasons and scores, best
//! first, in named steps (what the learner stands on, remediation, reviews,
//! goal checks, placement, ready standards).

use std::ops::Deref;

use super::ancestor::WeakestReadyAncestor;
use super::options::validate;
use super::placement::placement_probe;
use super::{Placement, Reason, RecommendOptions, Recommender, WheelSpin};
use crate::catalog::{ActivityIdx, ActivityKind};
use crate::curriculum::{Curriculum, StandardIdx, StandardKey, StandardSet};
use crate::error::Result;
use crate::learner::{ChoiceHistory, LearnerState};
use crate::model::{BktParams, Model};

/// A standard worth working on now, why, and how pressing.
pub(super) struct Candidate {
    pub(super) standard: StandardIdx,
    pub(super) reason: Reason,
    pub(super) score: f64,
}

/// What ranking found: candidates best first and what choosing needs.
pub(super) struct Ranking<'l> {
    pub(super) candidates: Vec<Candidate>,
    pub(super) mastery: Vec<f64>,
    /// The learner's ability, when the model has it on.
    pub(super) ability: Option<crate::model::Ability>,
    pub(super) excluded: Vec<ActivityIdx>,
    pub(super) wheel_spinning: Vec<WheelSpin>,
    pub(super) prefs: Prefs<'l>,
}

/// The preferences in force: the options' and, unless turned off, the learner's.
pub(super) struct Prefs<'l> {
    pub(super) kinds: Vec<ActivityKind>,
    pub(super) interests: Vec<String>,
    pub(super) history: Option<&'l ChoiceHistory>,
    pub(super) budget: Option<f64>,
}

impl<'l> Prefs<'l> {
    pub(super) fn new(learner: &'l LearnerState, options: &RecommendOptions) -> Self {
        let mut prefs = Prefs {
            kinds: options.preferred_kinds.clone(),
            interests: options.interests.clone(),
            history: None,
            budget: options.time_budget,
        };
        if options.use_profile {
            let profile = learner.profile();
            let stated = profile.preferences();
            for &k in stated.preferred_kinds() {
                if !prefs.kinds.contains(&k) {
                    prefs.kinds.push(k);
                }
            }
            for t in stated.interests() {
                if !prefs.interests.contains(t) {
                    prefs.interests.push(t.clone());
                }
            }
            prefs.budget = prefs.budget.or(stated.session_minutes());
            prefs.history = Some(profile.choices());
        }
        prefs
    }
}

/// Where the learner stands at the options' time: the estimates, and what
/// counts as mastered and as ready to learn.
struct Standing {
    /// The mastery bar.
    threshold: f64,
    /// A mastered standard is due for review below this.
    review_below: f64,
    /// The estimates now (decayed since the last evidence).
    mastery: Vec<f64>,
    /// The estimates at the last evidence.
    stored: Vec<f64>,
    /// Mastered, closed under prerequisites.
    mastered: StandardSet,
    /// Not mastered, every prerequisite mastered.
    ready: StandardSet,
}

impl Standing {
    fn of(
        model: &Model,
        learner: &LearnerState,
        options: &RecommendOptions,
        threshold: f64,
    ) -> Result<Standing> {
        let curriculum = model.curriculum();
        let mastery = learner.all_mastery_at(model, options.now)?;
        // Knowledge states are closed under prerequisites (Knowledge Space
        // Theory): what a mastered standard builds on counts as mastered too.
        // Mastered now, or mastered at the last evidence and not yet faded
        // below the review threshold.
        let stored: Vec<f64> = learner.estimates().collect();
        let review_below = options.review_threshold.min(threshold);
        let mut evidenced = mastered(&mastery, threshold);
        for record in learner.practice_records() {
            let s = record.standard().index();
            if stored[s] >= threshold && mastery[s] >= review_below {
                evidenced.insert(record.standard());
            }
        }
        let mastered = {
            let mut closed = curriculum.prerequisite_closure(&evidenced)?;
            closed.union_with(&evidenced);
            closed
        };
        let ready = curriculum.ready_to_learn(&mastered)?;
        Ok(Standing {
            threshold,
            review_below,
            mastery,
            stored,
            mastered,
            ready,
        })
    }
}

/// The learner's mastered standards at `now` under `threshold`.
fn mastered(mastery: &[f64], threshold: f64) -> StandardSet {
    mastery
        .iter()
        .enumerate()
        .filter(|&(_, &m)| m >= threshold)
        .map(|(i, _)| StandardIdx(i as u32))
        .collect()
}

/// What the goals need: everything toward them (none without goals), and
/// per goal its path and how many of those standards are not mastered.
struct GoalNeeds {
    needed: Option<StandardSet>,
    paths: Vec<(StandardSet, usize)>,
    /// Every goal is mastered (true without goals).
    reached: bool,
}

impl GoalNeeds {
    fn of(curriculum: &Curriculum, goals: &[StandardIdx], mastered: &StandardSet) -> Result<Self> {
        let needed = if goals.is_empty() {
            None
        } else {
            Some(curriculum.prerequisite_closure(&goals.iter().copied().collect())?)
        };
        let reached = goals.iter().all(|g| mastered.contains(*g));
        // Per goal, once: everything it needs, and how many of those are not mastered.
        let paths: Vec<(StandardSet, usize)> = goals
            .iter()
            .map(|&g| {
                let path = curriculum.prerequisite_closure(&[g].into_iter().collect())?;
                let mut remaining = path.clone();
                remaining.difference_with(mastered);
                Ok((path, remaining.len()))
            })
            .collect::<Result<_>>()?;
        Ok(GoalNeeds {
            needed,
            paths,
            reached,
        })
    }
}

/// The candidates found so far, and what scoring one needs.
struct Scoring<'a> {
    curriculum: &'a Curriculum,
    params: &'a [BktParams],
    standing: &'a Standing,
    /// Per standard, `1 - position / len` in the curriculum's topological order.
    earliness: &'a [f64],
    /// Per standard, its grade's place (K 0, 1-8, HS 9), if it has a grade.
    grade_rank: &'a [Option<u8>],
    /// Per standard, how many of its prerequisites are not mastered.
    missing: Vec<u32>,
    /// The grade the learner starts at.
    start_grade: Option<u8>,
    candidates: Vec<Candidate>,
}

impl Scoring<'_> {
    /// The unmastered dependents whose only missing prerequisite is `s` (if any).
    fn unlocks(&self, s: StandardIdx) -> Vec<StandardIdx> {
        let mastered = &self.standing.mastered;
        let allowed = u32::from(!mastered.contains(s));
        self.curriculum
            .dependents(s)
            .unwrap_or_default()
            .iter()
            .copied()
            .filter(|&d| !mastered.contains(d) && self.missing[d.index()] == allowed)
            .collect()
    }

    /// The expected learning from one opportunity on `s`.
    fn gain(&self, s: StandardIdx) -> f64 {
        (1.0 - self.standing.mastery[s.index()]) * self.params[s.index()].learn()
    }

    /// What `s` loses for lying grades away from the start grade (0
    /// without grades): per grade, more than the other terms of two
    /// standards with the same base can differ by (`2·gain` at most 2,
    /// `0.5·ln(1 + unlocks)` at most `0.5·ln(1 + standards)`, earliness at
    /// most 1), so a ready standard of the start grade always comes before
    /// one of another grade.
    fn grade_gap(&self, s: StandardIdx) -> f64 {
        match (self.grade_rank[s.index()], self.start_grade) {
            (Some(g), Some(start)) => {
                let per_grade = 3.0 + 0.5 * (1.0 + self.curriculum.len() as f64).ln();
                f64::from(g.abs_diff(start)) * per_grade
            }
            _ => 0.0,
        }
    }

    /// Adds a candidate: `base(reason) + 2·gain + 0.5·ln(1 + unlocks) +
    /// earliness`, less the grade gap ([`Scoring::grade_gap`]) for ready
    /// and stretch standards.
    fn push(&mut self, standard: StandardIdx, reason: Reason, base: f64) {
        let opens = match &reason {
            Reason::ReadyToLearn { unlocks, .. } => unlocks.len(),
            _ => self.unlocks(standard).len(),
        };
        let later_grade = match reason {
            Reason::ReadyToLearn { .. } | Reason::Stretch { .. } => self.grade_gap(standard),
            _ => 0.0,
        };
        let score = base + 2.0 * self.gain(standard) + 0.5 * (1.0 + opens as f64).ln()
            - later_grade
            + self.earliness[standard.index()];
        self.candidates.push(Candidate {
            standard,
            reason,
            score,
        });
    }

    /// Wheel-spinning standards, and what to do about each: the weakest
    /// unmastered ancestor that is ready now, or the standard itself. Returns
    /// the flags and the standards remediated.
    fn remediations(
        &mut self,
        learner: &LearnerState,
        options: &RecommendOptions,
    ) -> (Vec<WheelSpin>, StandardSet) {
        let standing = self.standing;
        // Stuck means no mastery even right after the latest evidence: a standard
        // that was mastered and has faded since is a review, not wheel-spinning.
        let mut wheel_spinning = Vec::new();
        let mut remediated = StandardSet::with_capacity(self.curriculum.len());
        let weakest_ready =
            WeakestReadyAncestor::new(self.curriculum, &standing.ready, &standing.mastery);
        for record in learner.practice_records() {
            let s = record.standard();
            if record.attempts() < options.wheel_spin_attempts
                || standing.stored[s.index()] >= standing.threshold
                || standing.mastery[s.index()] >= standing.threshold
            {
                continue;
            }
            wheel_spinning.push(WheelSpin {
                standard: s,
                attempts: record.attempts(),
                mastery: standing.mastery[s.index()],
            });
            // The weakest unmastered ancestor that is ready now.
            let prerequisite = weakest_ready.of(s);
            remediated.insert(prerequisite.unwrap_or(s));
            self.push(
                prerequisite.unwrap_or(s),
                Reason::Remediate {
                    blocked: s,
                    prerequisite,
                    attempts: record.attempts(),
                },
                3.0,
            );
        }
        (wheel_spinning, remediated)
    }

    /// Reviews: mastered at the last evidence, faded below the review threshold since.
    fn reviews(&mut self, learner: &LearnerState, remediated: &StandardSet) {
        let standing = self.standing;
        let review_below = standing.review_below;
        for record in learner.practice_records() {
            let s = record.standard();
            if standing.stored[s.index()] >= standing.threshold
                && standing.mastery[s.index()] < review_below
                && !remediated.contains(s)
            {
                let urgency = ((review_below - standing.mastery[s.index()])
                    / review_below.max(f64::MIN_POSITIVE))
                .clamp(0.0, 1.0);
                self.push(
                    s,
                    Reason::Review {
                        standard: s,
                        last_practiced: record.practiced_at(),
                        mastery_now: standing.mastery[s.index()],
                    },
                    1.0 + urgency,
                );
            }
        }
    }

    /// Goal checks: once every goal is mastered, each goal not practiced
    /// for the options' interval, scored by staleness.
    fn goal_checks(
        &mut self,
        learner: &LearnerState,
        options: &RecommendOptions,
        goals: &[StandardIdx],
        needs: &GoalNeeds,
    ) {
        if !needs.reached || goals.is_empty() {
            return;
        }
        let mut checked = StandardSet::with_capacity(self.curriculum.len());
        for &g in goals {
            if !checked.insert(g) {
                continue;
            }
            let last = last_practiced(learner, g);
            let days = last.map_or(f64::INFINITY, |t| crate::time::days_between(t, options.now));
            if days >= options.goal_check_days {
                let staleness = (days / 30.0).min(1.0);
                self.push(
                    g,
                    Reason::GoalCheck {
                        goal: g,
                        last_practiced: last,
                    },
                    2.0 + staleness,
                );
            }
        }
    }

    /// The next placement check toward the goals, if placement is on and not over.
    fn placement(&mut self, learner: &LearnerState, options: &RecommendOptions, needs: &GoalNeeds) {
        let standing = self.standing;
        if let (Some(needed), Placement::Check) = (&needs.needed, options.placement) {
            if let Some(probe) = placement_probe(
                self.curriculum,
                needed,
                &standing.mastered,
                &standing.mastery,
                learner,
            ) {
                self.push(probe, Reason::Placement { standard: probe }, 4.0);
            }
        }
    }

    /// Ready standards not remediated: toward goals, or in general, or
    /// beyond reached goals.
    fn ready(&mut self, goals: &[StandardIdx], needs: &GoalNeeds, remediated: &StandardSet) {
        let standing = self.standing;
        for s in standing.ready.iter().filter(|s| !remediated.contains(*s)) {
            match &needs.needed {
                Some(needed) if needed.contains(s) => {
                    // The first goal that needs it, and how much that goal still needs.
                    let Some(g) = needs.paths.iter().position(|(path, _)| path.contains(s)) else {
                        continue;
                    };
                    self.push(
                        s,
                        Reason::GoalStep {
                            standard: s,
                            goal: goals[g],
                            steps_remaining: needs.paths[g].1,
                        },
                        2.0,
                    );
                }
                Some(_) if needs.reached => self.push(s, Reason::Stretch { standard: s }, 0.5),
                // Off the goals' paths: only fills places the goals leave empty.
                Some(_) => {
                    let unlocks = self.unlocks(s);
                    self.push(
                        s,
                        Reason::ReadyToLearn {
                            standard: s,
                            unlocks,
                        },
                        -2.0,
                    );
                }
                None => {
                    let unlocks = self.unlocks(s);
                    self.push(
                        s,
                        Reason::ReadyToLearn {
                            standard: s,
                            unlocks,
                        },
                        1.0,
                    );
                }
            }
        }
    }

    /// The candidates, best first (ties by standard, then in the order found).
    fn ranked(self) -> Vec<Candidate> {
        let mut candidates = self.candidates;
        candidates.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(a.standard.cmp(&b.standard))
        });
        candidates
    }
}

/// When the learner last practiced `s`, if ever.
fn last_practiced(learner: &LearnerState, s: StandardIdx) -> Option<i64> {
    learner
        .practice_records()
        .binary_search_by_key(&s, |r| r.standard())
        .ok()
        .map(|i| learner.practice_records()[i].practiced_at())
}

impl<M: Deref<Target = Model>> Recommender<M> {
    /// The candidate standards with reasons and scores, best first.
    pub(super) fn rank<'l>(
        &self,
        learner: &'l LearnerState,
        options: &RecommendOptions,
    ) -> Result<Ranking<'l>> {
        let model: &Model = &self.model;
        let threshold = options
            .mastered_threshold
            .unwrap_or(model.levels().mastered());
        validate(options, threshold)?;
        let goals = self.goals(learner, options)?;
        let prefs = Prefs::new(learner, options);
        let excluded: Vec<ActivityIdx> = options
            .exclude
            .iter()
            .map(|a| model.catalog().index_of(a))
            .collect::<Result<_>>()?;
        let standing = Standing::of(model, learner, options, threshold)?;
        let mut scoring = self.scoring(learner, &standing);
        let (wheel_spinning, remediated) = scoring.remediations(learner, options);
        scoring.reviews(learner, &remediated);
        let needs = GoalNeeds::of(model.curriculum(), &goals, &standing.mastered)?;
        scoring.goal_checks(learner, options, &goals, &needs);
        scoring.placement(learner, options, &needs);
        scoring.ready(&goals, &needs, &remediated);
        let candidates = scoring.ranked();
        Ok(Ranking {
            candidates,
            mastery: standing.mastery,
            ability: learner.ability(model),
            excluded,
            wheel_spinning,
            prefs,
        })
    }

    /// The goals: the options' and, unless turned off, the learner's
    /// profile's (after checking the learner is of this model's curriculum).
    fn goals(
        &self,
        learner: &LearnerState,
        options: &RecommendOptions,
    ) -> Result<Vec<StandardIdx>> {
        let model: &Model = &self.model;
        let mut goals: Vec<StandardIdx> = options
            .goals
            .iter()
            .map(|g| g.as_str().resolve(model.curriculum()))
            .collect::<Result<_>>()?;
        if options.use_profile {
            learner.check(model)?;
            for g in learner.profile().goals() {
                if !goals.contains(&g.standard()) {
                    goals.push(g.standard());
                }
            }
        }
        Ok(goals)
    }

    /// An empty scoring for a learner standing at `standing`: per standard,
    /// how many prerequisites are missing, and the grade to start at.
    fn scoring<'a>(&'a self, learner: &LearnerState, standing: &'a Standing) -> Scoring<'a> {
        let curriculum = self.model.curriculum();
        // Per standard, how many of its prerequisites are not mastered: O(E)
        // once, so that what a standard unlocks costs O(its dependents).
        let missing: Vec<u32> = curriculum
            .indices()
            .map(|d| {
                curriculum
                    .prerequisites(d)
                    .unwrap_or_default()
                    .iter()
                    .filter(|&&p| !standing.mastered.contains(p))
                    .count() as u32
            })
            .collect();
        Scoring {
            curriculum,
            params: self.model.all_params(),
            standing,
            earliness: &self.earliness,
            grade_rank: &self.grade_rank,
            missing,
            start_grade: self.start_grade(learner, standing),
            candidates: Vec::new(),
        }
    }

    /// Grade shapes the start: a ready standard of a later grade than the
    /// earliest ready one waits behind it (a grade-4 standard without
    /// prerequisites in the graph is still a grade-4 standard). Evidence
    /// places the learner without a goal, too: the start moves up to the
    /// highest grade the learner has shown mastery of by practice, and
    /// ready standards of earlier grades wait behind that grade's (6 of 6
    /// right on a grade-3 standard is not a kindergartner's start).
    fn start_grade(&self, learner: &LearnerState, standing: &Standing) -> Option<u8> {
        let lowest_grade = standing
            .ready
            .iter()
            .filter_map(|s| self.grade_rank[s.index()])
            .min();
        let shown_grade = learner
            .practice_records()
            .iter()
            .map(|r| r.standard())
            .filter(|s| standing.mastery[s.index()] >= standing.threshold)
            .filter_map(|s| self.grade_rank[s.index()])
            .max();
        match (lowest_grade, shown_grade) {
            (Some(low), Some(shown)) => Some(low.max(shown)),
            (low, shown) => low.or(shown),
        }
    }
}
