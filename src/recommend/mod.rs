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
//! ready or stretch standard of another grade than the start grade (the
//! earliest ready one, or the highest the learner has shown mastery of by
//! practice; standards' `grade`: K, 1-8, HS) loses `3 + 0.5·ln(1 +
//! standards)` per grade, more than the other terms can make up, so every
//! ready standard of the start grade comes first and a blank learner starts
//! at the lowest grade even where the graph gives a later grade's standard
//! no prerequisite. Bases:
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

mod ancestor;
mod choice;
mod forecast;
mod options;
mod pace;
mod path;
mod placement;
mod rank;
mod reason;
mod select;
mod shortfall;
mod step;
mod walk;

use std::ops::Deref;

use serde::{Deserialize, Serialize};

pub use choice::{Appeal, Choice, ChoiceOption, Choices};
pub use forecast::{EarlyWarnings, Forecast, ForecastOptions, Warning};
pub use options::{Placement, RecommendOptions};
pub use path::{GoalPlan, LearningPath, PathStep};
pub use reason::Reason;
pub use shortfall::Shortfall;

use crate::catalog::{ActivityIdx, ActivityKind};
use crate::curriculum::{StandardIdx, StandardKey};
use crate::error::Result;
use crate::learner::LearnerState;
use crate::model::Model;

/// One recommended activity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
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
#[non_exhaustive]
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
#[non_exhaustive]
pub struct Recommendations {
    /// Best first.
    pub items: Vec<Recommendation>,
    /// Standards the learner is stuck on.
    pub wheel_spinning: Vec<WheelSpin>,
    /// Why fewer than the count came back, if they did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shortfall: Option<Shortfall>,
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

    /// Recommends activities for `learner`.
    ///
    /// # Complexity
    /// O((G + 1)·(V + E) + V log V + A·(k + x)) time and O(V + E) space,
    /// for V standards, E prerequisite edges, G goals, `count` k, x excluded
    /// activities and A activities of the candidate standards. The graph
    /// work (the mastered closure, the ready standards, what each standard
    /// unlocks) is O(V + E) however many standards the learner is
    /// wheel-spinning on: the weakest ready ancestor of every stuck standard
    /// comes from one pass in topological order. Each goal adds its own
    /// prerequisite closure, O(V + E); placement and sorting the candidates
    /// (at most one per standard and reason) take O(V log V). Then each
    /// candidate standard's activities are scored, in ranking order until
    /// `count` are picked, each against the picks and the exclusions (and
    /// its aligned standards): twice at most, plus once for a pick of
    /// another kind and once more when the list comes back short.
    ///
    /// # Errors
    /// [`Error::CurriculumMismatch`](crate::Error::CurriculumMismatch) for a
    /// learner of another curriculum,
    /// [`Error::UnknownStandard`](crate::Error::UnknownStandard) for an
    /// unknown goal, [`Error::UnknownActivity`](crate::Error::UnknownActivity)
    /// for an unknown excluded activity,
    /// [`Error::InvalidValue`](crate::Error::InvalidValue) for a mastered or
    /// review threshold or success band outside [0, 1] (or NaN) or a negative
    /// time budget.
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

    /// A plan for each goal of the learner's profile (learner-set and
    /// teacher-set, in the order they were set): the path, the learner's
    /// observed pace, the expected days to the goal and whether that meets
    /// its due date.
    ///
    /// # Errors
    /// [`Error::CurriculumMismatch`](crate::Error::CurriculumMismatch) for a
    /// learner of another curriculum.
    pub fn goal_plans(&self, learner: &LearnerState, now: i64) -> Result<Vec<GoalPlan>> {
        path::goal_plans(&self.model, learner, now)
    }

    /// Early warning: the chance that `learner` masters `goal` by `due` at
    /// the learner's observed pace ([`crate::learner::Engagement::per_day`]).
    /// A Monte Carlo over the learner's path (seeded): each draw takes a
    /// learning speed from what the learner's answers say of it (a
    /// posterior whose prior is [`ForecastOptions::ability_range`]), a
    /// hidden knowledge state from the current estimates (shifted, for
    /// unpracticed standards behind the last one mastered, by what the
    /// learner's answers there say they knew, as
    /// [`Recommender::path_to`] does), and a Poisson number of
    /// activities for the days left, and walks the simulated learner to the
    /// goal as [`Recommender::path_to`] does (the activities the recommender
    /// would pick, answered with their guess and slip, every answer updating
    /// the estimates as the model does, returns to a standard pulled back
    /// below the bar included) until the goal's estimate reaches the
    /// mastery bar; the goal is reached when that takes no more activities
    /// than the draw has. The main obstacle is the step that takes the most
    /// activities on average. O(draws x activities on the path x
    /// (activities per standard + propagation)).
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
    /// [`Error::CurriculumMismatch`](crate::Error::CurriculumMismatch),
    /// [`Error::UnknownStandard`](crate::Error::UnknownStandard), or
    /// [`Error::UnknownPace`](crate::Error::UnknownPace) when the learner's
    /// pace is not known (fewer than two active days) and no pace is assumed.
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
