//! Recommendations: the next activities for a learner, each with a reason;
//! learning paths toward goals.
//!
//! # Ranking
//!
//! Candidate standards, each with a [`Reason`]:
//!
//! - **ready to learn**: not mastered, every prerequisite mastered (the outer
//!   fringe); with goals, only those needed for a goal, as **goal steps**;
//! - **review**: mastered at the last evidence, decayed below the review
//!   threshold now ([`RecommendOptions::review_threshold`], default 0.85;
//!   until then it still counts as mastered);
//! - **remediate**: for a standard the learner is wheel-spinning on (at least
//!   [`RecommendOptions::wheel_spin_attempts`] attempts without mastery, after
//!   Beck & Gong 2013), its weakest unmastered prerequisite that is ready, or,
//!   if no prerequisite is missing, another kind of activity for it;
//! - **goal check**: when every goal is mastered, a quick check of each goal
//!   not practiced for [`RecommendOptions::goal_check_after_days`] (default
//!   1), the one practiced longest ago first: knowledge fades and estimates
//!   can be wrong, and a failed check puts the goal back on the path;
//! - **stretch**: when every goal is mastered, ready standards beyond them.
//!
//! Each scores `base(reason) + 2·gain + 0.5·ln(1 + unlocks) + earliness`,
//! where `gain = (1 - P(L))·P(T)` is the expected learning from one
//! opportunity, `unlocks` counts dependents that its mastery would make
//! ready, and `earliness = 1 - position / len` in the curriculum's
//! topological order (a scope and sequence: for the Common Core default,
//! kindergarten before grade 4 among standards that are equally ready); a
//! ready or stretch standard of a later grade than the earliest ready one
//! loses 1 per grade (standards' `grade`: K, 1-8, HS), so a blank learner
//! starts at the lowest grade even where the graph gives a later grade's
//! standard no prerequisite. Bases:
//! remediate 3, goal step 2, review 1 + urgency (how far below the bar it
//! fell, in [0, 1]), ready 1, goal check 2 + staleness (days since last
//! practiced / 30, at most 1; 1 if never practiced directly), stretch 0.5; with goals set, ready standards
//! off the goals' paths get -2, so they only fill places the goal steps
//! leave empty. Within a standard, the activity is
//! the one whose predicted chance of success is closest to the target band
//! (placement and goal checks take only activities with answers: no video or
//! reading)
//! (desirable difficulty: 70-85% by default; for a standard the learner
//! has barely started no activity may reach the band, since success is at
//! most `guess` plus what the learner knows, and the closest one is taken:
//! a new learner's first picks are often at 35-60%), with a small bonus for the
//! learner's preferred kinds and interests, and, where activities have their
//! own learn rates ([`crate::ModelBuilder::activity_learn`], fitted by
//! [`crate::fit::what_works`]), a bonus of `4·(1 - P(L))·(T_activity - T)`
//! for activities that teach better than the standard's average. The list takes the best
//! candidates, one activity per standard first, within the count and time
//! budget, never the same activity twice; if every pick is of one kind and
//! the catalog offers another for a candidate, the weakest pick gives way to
//! it. Ties break by index: the same input gives the same output.

mod choice;
mod forecast;
mod pace;
mod path;
mod reason;

use std::ops::Deref;

use serde::{Deserialize, Serialize};

pub use choice::{Appeal, Choice, ChoiceOption, Choices};
pub use forecast::{EarlyWarnings, Forecast, ForecastOptions, Warning};
pub use path::{GoalPlan, LearningPath, PathStep};
pub use reason::Reason;

use crate::catalog::{ActivityIdx, ActivityKind};
use crate::curriculum::{Curriculum, StandardIdx, StandardKey, StandardSet};
use crate::error::{Error, Result};
use crate::learner::{ChoiceHistory, LearnerState};
use crate::model::Model;

/// What to recommend: how many, toward which goals, within what time, with
/// which preferences.
///
/// ```
/// use mastery::{ActivityKind, recommend::RecommendOptions};
///
/// let options = RecommendOptions::new(1_700_000_000)
///     .count(3)
///     .goal("4.NF.A.1")
///     .time_budget_minutes(30.0)
///     .prefer_kind(ActivityKind::Video)
///     .interest("sports");
/// # let _ = options;
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct RecommendOptions {
    now: i64,
    count: usize,
    goals: Vec<String>,
    time_budget: Option<f64>,
    preferred_kinds: Vec<ActivityKind>,
    interests: Vec<String>,
    exclude: Vec<String>,
    mastered_threshold: Option<f64>,
    success_band: (f64, f64),
    wheel_spin_attempts: u32,
    placement: bool,
    review_threshold: f64,
    goal_check_days: f64,
    use_profile: bool,
    options_per_choice: usize,
}

impl RecommendOptions {
    /// Defaults at time `now` (seconds since the Unix epoch): 5
    /// recommendations, no goals, no time budget, no preferences, the model's
    /// mastered threshold, a 70-85% success band, wheel-spinning after 10
    /// attempts.
    pub fn new(now: i64) -> Self {
        RecommendOptions {
            now,
            count: 5,
            goals: Vec::new(),
            time_budget: None,
            preferred_kinds: Vec::new(),
            interests: Vec::new(),
            exclude: Vec::new(),
            mastered_threshold: None,
            success_band: (0.7, 0.85),
            wheel_spin_attempts: 10,
            placement: true,
            review_threshold: 0.85,
            goal_check_days: 1.0,
            use_profile: true,
            options_per_choice: 3,
        }
    }

    /// Whether the learner's profile counts (default `true`): its goals join
    /// the goals given here, its interests and preferred kinds join these,
    /// its session length is the time budget unless one is set here, and
    /// the kinds and tags the learner chose more often than chance get a
    /// small bonus. `false` ranks from these options alone.
    pub fn use_profile(mut self, use_profile: bool) -> Self {
        self.use_profile = use_profile;
        self
    }

    /// The most options per choice in [`Recommender::choices`] (default 3;
    /// at least 2).
    pub fn options_per_choice(mut self, options: usize) -> Self {
        self.options_per_choice = options;
        self
    }

    /// Once every goal is mastered, a goal not practiced for this many days
    /// gets a quick check (default 1: at most one check per goal a day);
    /// `f64::INFINITY` turns goal checks off, leaving stretch activities.
    pub fn goal_check_after_days(mut self, days: f64) -> Self {
        self.goal_check_days = days;
        self
    }

    /// A mastered standard is due for review when its estimate, decayed since
    /// the last evidence, falls below this (default 0.85); until then it still
    /// counts as mastered. Reviewing at the mastery bar itself would schedule
    /// a review days after every success. Capped at the mastered threshold.
    /// A value outside [0, 1] (or NaN) makes recommending an
    /// [`Error::InvalidValue`].
    pub fn review_threshold(mut self, threshold: f64) -> Self {
        self.review_threshold = threshold;
        self
    }

    /// With goals, start with a placement check (default `true`): see [`Reason::Placement`].
    pub fn placement(mut self, placement: bool) -> Self {
        self.placement = placement;
        self
    }

    /// How many activities to recommend.
    pub fn count(mut self, count: usize) -> Self {
        self.count = count;
        self
    }

    /// Adds a goal standard.
    pub fn goal(mut self, standard: impl Into<String>) -> Self {
        self.goals.push(standard.into());
        self
    }

    /// The most minutes the recommended activities may add up to.
    pub fn time_budget_minutes(mut self, minutes: f64) -> Self {
        self.time_budget = Some(minutes);
        self
    }

    /// Prefers activities of this kind (a tie-breaker within a standard, never over need).
    pub fn prefer_kind(mut self, kind: ActivityKind) -> Self {
        self.preferred_kinds.push(kind);
        self
    }

    /// Prefers activities tagged with this interest.
    pub fn interest(mut self, tag: impl Into<String>) -> Self {
        self.interests.push(tag.into());
        self
    }

    /// Never recommends this activity (e.g. done in the last hour).
    pub fn exclude(mut self, activity: impl Into<String>) -> Self {
        self.exclude.push(activity.into());
        self
    }

    /// The mastery bar (default: the model's mastered level threshold).
    pub fn mastered_threshold(mut self, threshold: f64) -> Self {
        self.mastered_threshold = Some(threshold);
        self
    }

    /// The target band of predicted success (default 0.70 to 0.85).
    pub fn success_band(mut self, low: f64, high: f64) -> Self {
        self.success_band = (low, high);
        self
    }

    /// Attempts without mastery after which a learner is wheel-spinning (default 10).
    pub fn wheel_spin_attempts(mut self, attempts: u32) -> Self {
        self.wheel_spin_attempts = attempts;
        self
    }

    /// The time the recommendations are for.
    #[must_use]
    pub fn now(&self) -> i64 {
        self.now
    }
}

/// One recommended activity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    /// The activity's index in the model's catalog.
    pub activity: ActivityIdx,
    /// The activity's id.
    pub activity_id: String,
    /// The activity's kind.
    pub kind: ActivityKind,
    /// The standard it works on.
    pub standard: StandardIdx,
    /// Why.
    pub reason: Reason,
    /// The ranking score (higher first).
    pub score: f64,
    /// The predicted chance of answering correctly now: for an activity
    /// with answers (practice, assessment, project, task), the chance of
    /// success on it; for a video or reading, which has no answers, the
    /// chance on a question about its standard before watching or reading
    /// (a measure of how new the standard is, not of the activity; show it
    /// to people for answered kinds only).
    pub p_success: f64,
    /// Expected minutes.
    pub minutes: f64,
}

/// A standard the learner is wheel-spinning on (for a teacher: a candidate
/// for tiered intervention).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WheelSpin {
    /// The standard.
    pub standard: StandardIdx,
    /// Attempts so far.
    pub attempts: u32,
    /// The estimate now.
    pub mastery: f64,
}

/// The recommendations for a learner and the wheel-spinning flags.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommendations {
    /// Best first.
    pub items: Vec<Recommendation>,
    /// Standards the learner is stuck on.
    pub wheel_spinning: Vec<WheelSpin>,
    /// Why fewer than the count came back, if they did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shortfall: Option<Shortfall>,
}

/// Why a list came back shorter than asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shortfall {
    /// Activities asked for.
    pub requested: usize,
    /// Activities that came back.
    pub returned: usize,
    /// Standards that need work now (every candidate, any reason).
    pub needs: usize,
    /// Needs with no activity in the catalog.
    pub without_activities: Vec<StandardIdx>,
    /// Needs whose only fitting activities were excluded by the options.
    pub excluded: Vec<StandardIdx>,
    /// Needs whose activities did not fit the time budget left.
    pub over_budget: Vec<StandardIdx>,
}

impl Shortfall {
    /// In words, e.g. "3 asked for, 1 came back: only 2 standards need work
    /// now; 4.NF.A.1 has no activity in the catalog."
    #[must_use]
    pub fn explain(&self, curriculum: &Curriculum) -> String {
        let ids = |list: &[StandardIdx]| -> String {
            let names: Vec<&str> = list
                .iter()
                .take(3)
                .map(|&s| curriculum.standard(s).map_or("?", |x| x.id()))
                .collect();
            let more = list.len().saturating_sub(3);
            if more > 0 {
                format!("{} and {more} more", names.join(", "))
            } else {
                names.join(", ")
            }
        };
        let mut parts = Vec::new();
        if self.needs < self.requested {
            parts.push(match self.needs {
                0 => "no standard needs work now".to_owned(),
                1 => "only 1 standard needs work now".to_owned(),
                n => format!("only {n} standards need work now"),
            });
        }
        if !self.without_activities.is_empty() {
            parts.push(format!(
                "{} {} no activity in the catalog",
                ids(&self.without_activities),
                if self.without_activities.len() == 1 {
                    "has"
                } else {
                    "have"
                }
            ));
        }
        if !self.excluded.is_empty() {
            parts.push(format!(
                "the activities for {} were excluded",
                ids(&self.excluded)
            ));
        }
        if !self.over_budget.is_empty() {
            parts.push(format!(
                "the activities for {} do not fit the time left",
                ids(&self.over_budget)
            ));
        }
        if parts.is_empty() {
            parts.push("every activity that serves these needs is in the list".to_owned());
        }
        format!(
            "{} asked for, {} came back: {}.",
            self.requested,
            self.returned,
            parts.join("; ")
        )
    }
}

/// Ranks activities for learners of one model (curriculum, catalog, parameters).
///
/// ```
/// use mastery::{Catalog, Curriculum, Evidence, LearnerState, Model, Outcome};
/// use mastery::recommend::{RecommendOptions, Recommender};
///
/// let ccss = Curriculum::ccss_math();
/// let model = Model::builder(ccss.clone()).catalog(Catalog::demo(&ccss, 1)).build()?;
/// let ada = LearnerState::new(&model, "ada")?;
/// let now = 1_700_000_000;
/// let list = Recommender::new(&model).recommend(&ada, &RecommendOptions::new(now).count(4))?;
/// assert_eq!(list.items.len(), 4);
/// for r in &list.items {
///     println!("{} ({}): {}", r.activity_id, r.kind.label(), r.reason.explain(&ccss));
///     // A learner with no evidence starts at the beginning.
///     assert!(ccss.prerequisites(r.standard)?.is_empty());
/// }
/// # Ok::<(), mastery::Error>(())
/// ```
///
/// The recommender borrows the model (`Recommender::new(&model)`) or owns a
/// shared one (`Recommender::new(Arc::clone(&model))`), so it can live in a
/// web service's long-lived state; building one is O(standards), cheap
/// enough to build per request too.
///
/// ```
/// use std::sync::Arc;
/// use mastery::{Curriculum, LearnerState, Model};
/// use mastery::recommend::{RecommendOptions, Recommender};
///
/// let model = Arc::new(Model::builder(Curriculum::ccss_math()).build()?);
/// let shared = Arc::new(Recommender::new(Arc::clone(&model)));
/// let worker = {
///     let (shared, model) = (Arc::clone(&shared), Arc::clone(&model));
///     std::thread::spawn(move || {
///         let ada = LearnerState::new(&model, "ada")?;
///         shared.recommend(&ada, &RecommendOptions::new(0)).map(|r| r.items.len())
///     })
/// };
/// assert_eq!(worker.join().unwrap()?, 0); // no catalog, no activities
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Recommender<M: Deref<Target = Model>> {
    model: M,
    /// Per standard, `1 - position / len` in the curriculum's topological order.
    earliness: Vec<f64>,
    /// Per standard, its grade's place (K 0, 1-8, HS 9), if it has a grade.
    grade_rank: Vec<Option<u8>>,
}

struct Candidate {
    standard: StandardIdx,
    reason: Reason,
    score: f64,
}

/// What ranking found: candidates best first and what choosing needs.
struct Ranking<'l> {
    candidates: Vec<Candidate>,
    mastery: Vec<f64>,
    /// The learner's ability, when the model has it on.
    ability: Option<crate::model::Ability>,
    excluded: Vec<ActivityIdx>,
    wheel_spinning: Vec<WheelSpin>,
    prefs: Prefs<'l>,
}

/// The preferences in force: the options' and, unless turned off, the learner's.
struct Prefs<'l> {
    kinds: Vec<ActivityKind>,
    interests: Vec<String>,
    history: Option<&'l ChoiceHistory>,
    budget: Option<f64>,
}

impl<'l> Prefs<'l> {
    fn new(learner: &'l LearnerState, options: &RecommendOptions) -> Self {
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

/// An activity that can serve a candidate, with how well it fits.
struct Scored {
    activity: ActivityIdx,
    kind: ActivityKind,
    fit: f64,
    p_success: f64,
    minutes: f64,
    in_band: bool,
    preferred: bool,
    interest: Option<String>,
    chosen_before: bool,
    teaches_well: bool,
}

/// How much what an activity adds to one opportunity's expected learning
/// weighs against distance from the success band (2 per unit of probability).
const TEACHING_WEIGHT: f64 = 4.0;

/// An activity adding more than this to one opportunity's expected learning "teaches well".
const TEACHES_WELL: f64 = 0.03;

/// A learned pull above this counts as "you often choose these".
const CHOSEN_BEFORE: f64 = 0.1;

impl<M: Deref<Target = Model>> Recommender<M> {
    /// A recommender over `model`'s curriculum and catalog: a `&Model`, an
    /// `Arc<Model>`, or any other pointer to one.
    #[must_use]
    pub fn new(model: M) -> Self {
        let order = model.curriculum().topological_order();
        let mut earliness = vec![0.0; order.len()];
        for (position, s) in order.iter().enumerate() {
            earliness[s.index()] = 1.0 - position as f64 / order.len() as f64;
        }
        let grade_rank = model
            .curriculum()
            .standards()
            .iter()
            .map(|s| match s.grade()? {
                "K" => Some(0),
                "HS" => Some(9),
                g => g.parse::<u8>().ok().filter(|&n| n <= 8),
            })
            .collect();
        Recommender {
            model,
            earliness,
            grade_rank,
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

    /// Recommends activities for `learner`.
    ///
    /// The graph work is O(V + E) for V standards and E prerequisite edges,
    /// however many standards the learner is wheel-spinning on (the weakest
    /// ready ancestor of every stuck standard comes from one pass in
    /// topological order); then each candidate standard's activities are
    /// scored until `count` are picked.
    ///
    /// # Errors
    /// [`Error::CurriculumMismatch`] for a learner of another curriculum,
    /// [`Error::UnknownStandard`] for an unknown goal, [`Error::UnknownActivity`]
    /// for an unknown excluded activity, [`Error::InvalidValue`] for a
    /// mastered or review threshold or success band outside [0, 1] (or NaN)
    /// or a negative time budget.
    pub fn recommend(
        &self,
        learner: &LearnerState,
        options: &RecommendOptions,
    ) -> Result<Recommendations> {
        let ranking = self.rank(learner, options)?;
        let items = self.choose(&ranking, options);
        let shortfall =
            (items.len() < options.count).then(|| self.shortfall(&ranking, &items, options));
        Ok(Recommendations {
            items,
            wheel_spinning: ranking.wheel_spinning,
            shortfall,
        })
    }

    /// Recommendations for many learners with the same options, in order
    /// (a class's next steps in one call). O(learners x one recommendation).
    ///
    /// # Errors
    /// As [`Recommender::recommend`], for the first learner that fails.
    pub fn recommend_many(
        &self,
        learners: &[LearnerState],
        options: &RecommendOptions,
    ) -> Result<Vec<Recommendations>> {
        learners
            .iter()
            .map(|l| self.recommend(l, options))
            .collect()
    }

    fn shortfall(
        &self,
        ranking: &Ranking<'_>,
        items: &[Recommendation],
        options: &RecommendOptions,
    ) -> Shortfall {
        let catalog = self.model.catalog();
        let needs: StandardSet = ranking.candidates.iter().map(|c| c.standard).collect();
        let taken: Vec<ActivityIdx> = items.iter().map(|r| r.activity).collect();
        let mut shortfall = Shortfall {
            requested: options.count,
            returned: items.len(),
            needs: needs.len(),
            without_activities: Vec::new(),
            excluded: Vec::new(),
            over_budget: Vec::new(),
        };
        // The standards already in one of the three lists.
        let mut listed = StandardSet::with_capacity(self.model.curriculum().len());
        for c in &ranking.candidates {
            let s = c.standard;
            if listed.contains(s) {
                continue;
            }
            let all = catalog.for_standard(s);
            if all.is_empty() {
                shortfall.without_activities.push(s);
                listed.insert(s);
            } else if self
                .scored_activities(c, ranking, &taken, options)
                .next()
                .is_some()
            {
                // Something could serve it, but it was not picked: only the budget stops that.
                shortfall.over_budget.push(s);
                listed.insert(s);
            } else if all.iter().any(|a| ranking.excluded.contains(a)) {
                shortfall.excluded.push(s);
                listed.insert(s);
            }
        }
        shortfall
    }

    /// Real choices for `learner`: for each of the `count` most pressing
    /// needs (one standard each, ranked as [`Recommender::recommend`] ranks
    /// them), up to [`RecommendOptions::options_per_choice`] activities that
    /// each serve it, as varied in kind and topic as the catalog allows,
    /// each with what speaks for it. The learner picks one
    /// ([`Choice::take`] records it, and later choices listen). Whatever is
    /// picked, the choices fit the time budget together. Preferences choose
    /// among activities for a need, never the needs: no option works on a
    /// standard before its prerequisites.
    ///
    /// ```
    /// use mastery::{ActivityKind, Catalog, Curriculum, LearnerState, Model};
    /// use mastery::learner::Preferences;
    /// use mastery::recommend::{RecommendOptions, Recommender};
    ///
    /// let ccss = Curriculum::ccss_math();
    /// let model = Model::builder(ccss.clone()).catalog(Catalog::demo(&ccss, 1)).build()?;
    /// let mut ada = LearnerState::new(&model, "ada")?;
    /// ada.set_preferences(Preferences::new().with_preferred_kind(ActivityKind::Video));
    /// let now = 1_700_000_000;
    /// let choices = Recommender::new(&model).choices(&ada, &RecommendOptions::new(now).count(2))?;
    /// let first = &choices.choices[0];
    /// assert!(first.options.len() >= 2);
    /// println!("{}", first.explain(&ccss));
    /// let pick = first.options[1].activity_id.clone();
    /// first.take(&model, &mut ada, &pick, now)?;
    /// assert_eq!(ada.profile().choices().recent().len(), 1);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Recommender::recommend`].
    pub fn choices(&self, learner: &LearnerState, options: &RecommendOptions) -> Result<Choices> {
        let ranking = self.rank(learner, options)?;
        Ok(Choices {
            choices: self.offer(&ranking, options),
            wheel_spinning: ranking.wheel_spinning,
        })
    }

    /// The candidate standards with reasons and scores, best first.
    fn rank<'l>(
        &self,
        learner: &'l LearnerState,
        options: &RecommendOptions,
    ) -> Result<Ranking<'l>> {
        let model: &Model = &self.model;
        let curriculum = model.curriculum();
        let catalog = model.catalog();
        let threshold = options
            .mastered_threshold
            .unwrap_or(model.levels().mastered());
        validate(options, threshold)?;
        let mut goals: Vec<StandardIdx> = options
            .goals
            .iter()
            .map(|g| g.as_str().resolve(curriculum))
            .collect::<Result<_>>()?;
        let prefs = Prefs::new(learner, options);
        if options.use_profile {
            learner.check(model)?;
            for g in learner.profile().goals() {
                if !goals.contains(&g.standard()) {
                    goals.push(g.standard());
                }
            }
        }
        let excluded: Vec<ActivityIdx> = options
            .exclude
            .iter()
            .map(|a| catalog.index_of(a))
            .collect::<Result<_>>()?;
        let mastery = learner.all_mastery_at(model, options.now)?;
        // Knowledge states are closed under prerequisites (Knowledge Space
        // Theory): what a mastered standard builds on counts as mastered too.
        // Mastered now, or mastered at the last evidence and not yet faded
        // below the review threshold.
        let stored: Vec<f64> = learner.estimates().collect();
        let review_below = options.review_threshold.min(threshold);
        let mut evidenced = Self::mastered(&mastery, threshold);
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
        let params = model.all_params();

        // Per standard, how many of its prerequisites are not mastered: O(E)
        // once, so that what a standard unlocks costs O(its dependents).
        let missing: Vec<u32> = curriculum
            .indices()
            .map(|d| {
                curriculum
                    .prerequisites(d)
                    .unwrap_or_default()
                    .iter()
                    .filter(|&&p| !mastered.contains(p))
                    .count() as u32
            })
            .collect();
        // The unmastered dependents whose only missing prerequisite is `s` (if any).
        let unlocks = |s: StandardIdx| -> Vec<StandardIdx> {
            let allowed = u32::from(!mastered.contains(s));
            curriculum
                .dependents(s)
                .unwrap_or_default()
                .iter()
                .copied()
                .filter(|&d| !mastered.contains(d) && missing[d.index()] == allowed)
                .collect()
        };
        let gain = |s: StandardIdx| (1.0 - mastery[s.index()]) * params[s.index()].learn();
        // Grade shapes the start: a ready standard of a later grade than the
        // earliest ready one waits behind it (a grade-4 standard without
        // prerequisites in the graph is still a grade-4 standard). Evidence
        // places the learner without a goal, too: the start moves up to the
        // highest grade the learner has shown mastery of by practice, and
        // ready standards of earlier grades wait behind that grade's (6 of 6
        // right on a grade-3 standard is not a kindergartner's start).
        let lowest_grade = ready
            .iter()
            .filter_map(|s| self.grade_rank[s.index()])
            .min();
        let shown_grade = learner
            .practice_records()
            .iter()
            .map(|r| r.standard())
            .filter(|s| mastery[s.index()] >= threshold)
            .filter_map(|s| self.grade_rank[s.index()])
            .max();
        let start_grade = match (lowest_grade, shown_grade) {
            (Some(low), Some(shown)) => Some(low.max(shown)),
            (low, shown) => low.or(shown),
        };
        let grade_gap = |s: StandardIdx| match (self.grade_rank[s.index()], start_grade) {
            (Some(g), Some(start)) => f64::from(g.abs_diff(start)),
            _ => 0.0,
        };
        let mut candidates: Vec<Candidate> = Vec::new();
        let mut push = |standard: StandardIdx, reason: Reason, base: f64| {
            let opens = match &reason {
                Reason::ReadyToLearn { unlocks, .. } => unlocks.len(),
                _ => unlocks(standard).len(),
            };
            let later_grade = match reason {
                Reason::ReadyToLearn { .. } | Reason::Stretch { .. } => grade_gap(standard),
                _ => 0.0,
            };
            let score = base + 2.0 * gain(standard) + 0.5 * (1.0 + opens as f64).ln() - later_grade
                + self.earliness[standard.index()];
            candidates.push(Candidate {
                standard,
                reason,
                score,
            });
        };

        let last_practiced = |s: StandardIdx| {
            learner
                .practice_records()
                .binary_search_by_key(&s, |r| r.standard())
                .ok()
                .map(|i| learner.practice_records()[i].practiced_at())
        };

        // Wheel-spinning standards, and what to do about each.
        // Stuck means no mastery even right after the latest evidence: a standard
        // that was mastered and has faded since is a review, not wheel-spinning.
        let mut wheel_spinning = Vec::new();
        let mut remediated = StandardSet::with_capacity(curriculum.len());
        let weakest_ready = WeakestReadyAncestor::new(curriculum, &ready, &mastery);
        for record in learner.practice_records() {
            let s = record.standard();
            if record.attempts() < options.wheel_spin_attempts
                || stored[s.index()] >= threshold
                || mastery[s.index()] >= threshold
            {
                continue;
            }
            wheel_spinning.push(WheelSpin {
                standard: s,
                attempts: record.attempts(),
                mastery: mastery[s.index()],
            });
            // The weakest unmastered ancestor that is ready now.
            let prerequisite = weakest_ready.of(s);
            remediated.insert(prerequisite.unwrap_or(s));
            push(
                prerequisite.unwrap_or(s),
                Reason::Remediate {
                    blocked: s,
                    prerequisite,
                    attempts: record.attempts(),
                },
                3.0,
            );
        }

        // Reviews: mastered at the last evidence, faded below the review threshold since.
        for record in learner.practice_records() {
            let s = record.standard();
            if stored[s.index()] >= threshold
                && mastery[s.index()] < review_below
                && !remediated.contains(s)
            {
                let urgency = ((review_below - mastery[s.index()])
                    / review_below.max(f64::MIN_POSITIVE))
                .clamp(0.0, 1.0);
                push(
                    s,
                    Reason::Review {
                        standard: s,
                        last_practiced: record.practiced_at(),
                        mastery_now: mastery[s.index()],
                    },
                    1.0 + urgency,
                );
            }
        }

        // Ready standards: toward goals, or in general, or beyond reached goals.
        let needed = if goals.is_empty() {
            None
        } else {
            Some(curriculum.prerequisite_closure(&goals.iter().copied().collect())?)
        };
        let goals_reached = goals.iter().all(|g| mastered.contains(*g));
        // Per goal, once: everything it needs, and how many of those are not mastered.
        let goal_paths: Vec<(StandardSet, usize)> = goals
            .iter()
            .map(|&g| {
                let path = curriculum.prerequisite_closure(&[g].into_iter().collect())?;
                let mut remaining = path.clone();
                remaining.difference_with(&mastered);
                Ok((path, remaining.len()))
            })
            .collect::<Result<_>>()?;
        if goals_reached && !goals.is_empty() {
            let mut checked = StandardSet::with_capacity(curriculum.len());
            for &g in &goals {
                if !checked.insert(g) {
                    continue;
                }
                let last = last_practiced(g);
                let days =
                    last.map_or(f64::INFINITY, |t| crate::time::days_between(t, options.now));
                if days >= options.goal_check_days {
                    let staleness = (days / 30.0).min(1.0);
                    push(
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
        if let (Some(needed), true) = (&needed, options.placement) {
            if let Some(probe) = placement_probe(curriculum, needed, &mastered, &mastery, learner) {
                push(probe, Reason::Placement { standard: probe }, 4.0);
            }
        }
        for s in ready.iter().filter(|s| !remediated.contains(*s)) {
            match &needed {
                Some(needed) if needed.contains(s) => {
                    // The first goal that needs it, and how much that goal still needs.
                    let Some(g) = goal_paths.iter().position(|(path, _)| path.contains(s)) else {
                        continue;
                    };
                    push(
                        s,
                        Reason::GoalStep {
                            standard: s,
                            goal: goals[g],
                            steps_remaining: goal_paths[g].1,
                        },
                        2.0,
                    );
                }
                Some(_) if goals_reached => push(s, Reason::Stretch { standard: s }, 0.5),
                // Off the goals' paths: only fills places the goals leave empty.
                Some(_) => push(
                    s,
                    Reason::ReadyToLearn {
                        standard: s,
                        unlocks: unlocks(s),
                    },
                    -2.0,
                ),
                None => push(
                    s,
                    Reason::ReadyToLearn {
                        standard: s,
                        unlocks: unlocks(s),
                    },
                    1.0,
                ),
            }
        }

        candidates.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(a.standard.cmp(&b.standard))
        });
        Ok(Ranking {
            candidates,
            mastery,
            ability: learner.ability(model),
            excluded,
            wheel_spinning,
            prefs,
        })
    }

    /// The activities that can serve a candidate, each with its fit: success
    /// closest to the band, then preferences. Remediation without a missing
    /// prerequisite avoids practice (another kind of activity).
    fn scored_activities<'r>(
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
                let answer = self.model.activity_answer(a);
                let answer = match (ranking.ability, self.model.activity_logits(a)) {
                    (Some(belief), Some(logits)) => belief.answer_with(answer, logits),
                    (Some(belief), None) => belief.answer(answer),
                    (None, _) => answer,
                };
                let all_known: f64 = catalog
                    .alignment(a)
                    .iter()
                    .map(|s| ranking.mastery[s.index()])
                    .product();
                let p = answer.p_correct(all_known);
                let distance = band_distance(p, (low, high));
                let prefs = &ranking.prefs;
                let preferred = prefs.kinds.contains(&activity.kind());
                let interest = activity
                    .tags()
                    .iter()
                    .find(|t| prefs.interests.contains(t))
                    .cloned();
                let pull = prefs
                    .history
                    .map_or(0.0, |h| h.pull(activity.kind(), activity.tags()));
                let preference = 0.3 * f64::from(u8::from(preferred))
                    + 0.2 * f64::from(u8::from(interest.is_some()))
                    + 0.15 * pull;
                // What works: an activity that teaches better than its
                // standard's learn rate gains what it adds to the expected
                // learning of one opportunity (none without fitted rates).
                let standard_learn = self.model.all_params()[c.standard.index()].learn();
                let teaching = self.model.activity_learn(a).map_or(0.0, |learn| {
                    (1.0 - ranking.mastery[c.standard.index()]) * (learn - standard_learn)
                });
                Some(Scored {
                    activity: a,
                    kind: activity.kind(),
                    fit: preference - 2.0 * distance + TEACHING_WEIGHT * teaching,
                    teaches_well: teaching > TEACHES_WELL,
                    p_success: p,
                    minutes: activity.minutes(),
                    in_band: distance == 0.0,
                    preferred,
                    interest,
                    chosen_before: pull > CHOSEN_BEFORE,
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

    fn choose(&self, ranking: &Ranking<'_>, options: &RecommendOptions) -> Vec<Recommendation> {
        let catalog = self.model.catalog();
        let candidates = &ranking.candidates;
        let mut budget = ranking.prefs.budget.unwrap_or(f64::INFINITY);
        let mut picked: Vec<Recommendation> = Vec::new();
        let mut taken: Vec<ActivityIdx> = Vec::new();
        let make = |c: &Candidate, (a, p, minutes): (ActivityIdx, f64, f64)| Recommendation {
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
        };
        // One activity per standard first, then more per standard if room is left.
        for pass in 0..2 {
            for c in candidates {
                if picked.len() >= options.count {
                    break;
                }
                if pass == 0 && picked.iter().any(|r| r.standard == c.standard) {
                    continue;
                }
                if let Some(choice) = self.activity_for(c, ranking, &taken, options, None) {
                    if choice.2 <= budget {
                        budget -= choice.2;
                        taken.push(choice.0);
                        picked.push(make(c, choice));
                    }
                }
            }
        }
        // Choice: if every pick is one kind, the weakest pick that can takes
        // another kind of activity for its own standard (one place per
        // standard), never much further from the success band than what it
        // replaces (a 28% quiz does not push out a fitting practice).
        if picked.len() >= 2 && picked.iter().all(|r| r.kind == picked[0].kind) {
            let kinds = [picked[0].kind];
            for i in (0..picked.len()).rev() {
                let freed = budget + picked[i].minutes;
                let tolerance = band_distance(picked[i].p_success, options.success_band) + 0.1;
                let Some(c) = candidates
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
                    picked[i] = make(c, choice);
                    break;
                }
            }
        }
        // Best first; a stable sort keeps pick order among equal scores.
        picked.sort_by(|a, b| b.score.total_cmp(&a.score));
        picked
    }

    /// A plan for each goal of the learner's profile (learner-set and
    /// teacher-set, in the order they were set): the path, the learner's
    /// observed pace, the expected days to the goal and whether that meets
    /// its due date.
    ///
    /// # Errors
    /// [`Error::CurriculumMismatch`] for a learner of another curriculum.
    pub fn goal_plans(&self, learner: &LearnerState, now: i64) -> Result<Vec<GoalPlan>> {
        path::goal_plans(&self.model, learner, now)
    }

    /// Early warning: the chance that `learner` masters `goal` by `due` at
    /// the learner's observed pace ([`crate::learner::Engagement::per_day`]).
    /// A Monte Carlo over the learner's path (seeded): each draw takes a
    /// learning speed from [`ForecastOptions::ability_range`], a hidden
    /// knowledge state from the current estimates, simulated answers with
    /// the model's guess and slip until each step's estimate reaches the
    /// mastery bar, and a Poisson number of activities for the days left;
    /// the goal is reached when the path is done within them. The main
    /// obstacle is the step that takes the most activities on average.
    /// O(draws x activities on the path).
    ///
    /// ```
    /// use mastery::{Curriculum, Evidence, LearnerState, Model, Outcome};
    /// use mastery::recommend::{ForecastOptions, Recommender};
    ///
    /// let ccss = Curriculum::ccss_math();
    /// let model = Model::builder(ccss.clone()).build()?;
    /// let mut ada = LearnerState::new(&model, "ada")?;
    /// let day = 86_400;
    /// let start = 1_700_000_000;
    /// for d in 0..7 {
    ///     for k in 0..4 {
    ///         ada.apply(&model, &Evidence::on_standard("ada", "K.CC.A.1", Outcome::Correct, start + d * day + k * 60)?)?;
    ///     }
    /// }
    /// let now = start + 7 * day;
    /// let recommender = Recommender::new(&model);
    /// let options = ForecastOptions::new(1);
    /// let soon = recommender.forecast(&ada, "K.CC.B.4.c", now + 2 * day, now, &options)?;
    /// let later = recommender.forecast(&ada, "K.CC.B.4.c", now + 60 * day, now, &options)?;
    /// assert!(soon.probability < later.probability);
    /// println!("{}", soon.explain(&ccss));
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::CurriculumMismatch`], [`Error::UnknownStandard`], or
    /// [`Error::InvalidValue`] when the learner's pace is not known (fewer
    /// than two active days) and no pace is assumed.
    pub fn forecast(
        &self,
        learner: &LearnerState,
        goal: impl StandardKey,
        due: i64,
        now: i64,
        options: &ForecastOptions,
    ) -> Result<Forecast> {
        forecast::forecast(&self.model, learner, goal, due, now, options)
    }

    /// Early warnings for a class: a forecast for every goal with a due date
    /// in each learner's profile, lowest chance first; learners whose pace is
    /// not known yet are listed apart. O(learners x draws x path activities).
    ///
    /// # Errors
    /// As [`Recommender::forecast`].
    pub fn early_warnings(
        &self,
        learners: &[LearnerState],
        now: i64,
        options: &ForecastOptions,
    ) -> Result<EarlyWarnings> {
        forecast::early_warnings(&self.model, learners, now, options)
    }

    /// The unmastered standards needed for `goal`, in a valid order, with the
    /// expected practice to master each at the learner's pace.
    ///
    /// # Errors
    /// As [`Recommender::recommend`].
    pub fn path_to(
        &self,
        learner: &LearnerState,
        goal: impl StandardKey,
        now: i64,
    ) -> Result<LearningPath> {
        path::path_to(&self.model, learner, goal, now)
    }
}

/// Most placement checks per learner and goal set.
const PLACEMENT_PROBES: usize = 8;

/// Placement searches only stretches of at least this many unresolved standards.
const PLACEMENT_MIN_RANGE: usize = 6;

/// The next placement check toward the goals: a binary search along the
/// curriculum's order of everything the goals need. Below the highest
/// standard shown mastered, everything counts as known (its prerequisites);
/// above the lowest one shown not known (two or more attempts, estimate
/// under 50%), nothing is worth checking. The check is the unresolved
/// standard halfway between, until the two are adjacent or the checks are
/// spent, or the stretch is shorter than six standards. Returns `None` when
/// placement is over.
fn placement_probe(
    curriculum: &crate::curriculum::Curriculum,
    needed: &StandardSet,
    mastered: &StandardSet,
    mastery: &[f64],
    learner: &LearnerState,
) -> Option<StandardIdx> {
    let order: Vec<StandardIdx> = curriculum.in_order(needed);
    let attempts = |s: StandardIdx| {
        learner
            .practice_records()
            .binary_search_by_key(&s, |r| r.standard())
            .map_or(0, |i| learner.practice_records()[i].attempts())
    };
    let probed = order.iter().filter(|&&s| attempts(s) > 0).count();
    let failed = |s: StandardIdx| attempts(s) >= 2 && mastery[s.index()] < 0.5;
    let low = order.iter().rposition(|&s| mastered.contains(s));
    let high = order
        .iter()
        .enumerate()
        .skip(low.map_or(0, |l| l + 1))
        .find(|&(_, &s)| failed(s))
        .map_or(order.len(), |(i, _)| i);
    let low_next = low.map_or(0, |l| l + 1);
    // A short stretch is learned, not searched.
    if high < low_next + PLACEMENT_MIN_RANGE {
        return None;
    }
    // A check in progress is finished before a new one starts.
    if let Some(&s) = order[low_next..high]
        .iter()
        .find(|&&s| attempts(s) > 0 && !failed(s) && !mastered.contains(s))
    {
        return (attempts(s) < 4).then_some(s);
    }
    if probed >= PLACEMENT_PROBES {
        return None;
    }
    Some(order[(low_next + high) / 2])
}

/// How far a predicted success lies outside the band (0 inside).
/// For every standard, its weakest ancestor that is ready to learn (lowest
/// mastery, then lowest index), computed lazily on first use for all
/// standards at once by one pass in topological order: O(V + E), instead of
/// one ancestor search per wheel-spinning standard (O(V * E) when a learner
/// is stuck on every standard).
struct WeakestReadyAncestor<'a> {
    curriculum: &'a Curriculum,
    ready: &'a StandardSet,
    mastery: &'a [f64],
    best: std::cell::OnceCell<Vec<Option<StandardIdx>>>,
}

impl<'a> WeakestReadyAncestor<'a> {
    fn new(curriculum: &'a Curriculum, ready: &'a StandardSet, mastery: &'a [f64]) -> Self {
        WeakestReadyAncestor {
            curriculum,
            ready,
            mastery,
            best: std::cell::OnceCell::new(),
        }
    }

    /// The order of "weaker": lower mastery, then lower index (a total order).
    fn weaker(&self, a: StandardIdx, b: StandardIdx) -> bool {
        self.mastery[a.index()]
            .total_cmp(&self.mastery[b.index()])
            .then(a.cmp(&b))
            .is_lt()
    }

    fn of(&self, s: StandardIdx) -> Option<StandardIdx> {
        let best = self.best.get_or_init(|| {
            // The minimum over the ancestors of `v` is the minimum over its
            // prerequisites `p` of `p` itself (if ready) and of the minimum
            // over `p`'s ancestors; overlapping paths do not matter to a minimum.
            let mut best: Vec<Option<StandardIdx>> = vec![None; self.curriculum.len()];
            for &v in self.curriculum.topological_order() {
                let mut here: Option<StandardIdx> = None;
                for &p in self.curriculum.prerequisites(v).unwrap_or_default() {
                    let from_p = best[p.index()];
                    let own = self.ready.contains(p).then_some(p);
                    for c in [own, from_p].into_iter().flatten() {
                        if here.is_none_or(|h| self.weaker(c, h)) {
                            here = Some(c);
                        }
                    }
                }
                best[v.index()] = here;
            }
            best
        });
        best[s.index()]
    }
}

fn band_distance(p: f64, (low, high): (f64, f64)) -> f64 {
    if p < low {
        low - p
    } else if p > high {
        p - high
    } else {
        0.0
    }
}

fn validate(options: &RecommendOptions, threshold: f64) -> Result<()> {
    let (low, high) = options.success_band;
    for (what, value) in [
        ("mastered threshold", threshold),
        ("review threshold", options.review_threshold),
        ("success band low", low),
        ("success band high", high),
    ] {
        if !(0.0..=1.0).contains(&value) {
            return Err(Error::InvalidValue {
                what: what.into(),
                expected: "a probability in [0, 1]",
                value,
            });
        }
    }
    if low > high {
        return Err(Error::InvalidValue {
            what: "success band low".into(),
            expected: "at most the band's high end",
            value: low,
        });
    }
    if options.goal_check_days.is_nan() || options.goal_check_days < 0.0 {
        return Err(Error::InvalidValue {
            what: "goal check interval".into(),
            expected: "a non-negative number of days",
            value: options.goal_check_days,
        });
    }
    if let Some(b) = options.time_budget {
        if b.is_nan() || b < 0.0 {
            return Err(Error::InvalidValue {
                what: "time budget".into(),
                expected: "a non-negative number of minutes",
                value: b,
            });
        }
    }
    Ok(())
}
