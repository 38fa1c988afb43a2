//! Voice and choice: preferences, choices among options, learner-set goals
//! with their path and pace; invariants on random curricula and catalogs,
//! scenarios on the Common Core default.

use mastery::learner::{GoalSetter, Preferences};
use mastery::recommend::{Appeal, Placement, Reason, RecommendOptions, Recommender};
use mastery::{ActivityKind, Catalog, Curriculum, Error, Evidence, LearnerState, Model, Outcome};
use proptest::prelude::*;

const NOW: i64 = 1_700_000_000;
const DAY: i64 = 86_400;

mod common;
use common::recommend::{TAGS, build_catalog, catalog_spec, check_pick, evidence, known_at};
use common::{N, curriculum, id};

fn preferences() -> impl Strategy<Value = Preferences> {
    (
        proptest::collection::vec(0..6usize, 0..3),
        proptest::collection::vec(0..TAGS.len(), 0..3),
    )
        .prop_map(|(kinds, tags)| {
            let p = kinds.into_iter().fold(Preferences::new(), |p, k| {
                p.with_preferred_kind(ActivityKind::ALL[k])
            });
            tags.into_iter().fold(p, |p, t| p.with_interest(TAGS[t]))
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    /// Every option of every choice serves its need, needs respect
    /// prerequisites as recommendations do, choices fit the budget whatever
    /// is picked, no activity is offered twice, and preferences and past
    /// choices change which activities are offered but never which needs.
    #[test]
    fn choices_respect_prerequisites_and_preferences_never_change_the_needs(
        curriculum in curriculum(),
        spec in catalog_spec(),
        history in evidence(),
        prefs in preferences(),
        picks in proptest::collection::vec(0..3usize, 0..6),
        count in 1usize..6,
        budget in proptest::option::of(10.0f64..120.0),
        learner_goal in proptest::option::of(0..N),
    ) {
        let catalog = build_catalog(&curriculum, &spec);
        let model = Model::builder(curriculum.clone()).catalog(catalog).build().unwrap();
        let mut learner = LearnerState::new(&model, "ada").unwrap();
        let mut time = NOW - 30 * DAY;
        for (s, correct, dt) in &history {
            time += dt / 20;
            learner.apply(&model, &Evidence::on_standard("ada", id(*s), Outcome::from_correct(*correct), time).unwrap()).unwrap();
        }
        if let Some(g) = learner_goal {
            learner.set_goal(&model, id(g), GoalSetter::Learner, None, time).unwrap();
        }
        let recommender = Recommender::new(&model);
        let mut options = RecommendOptions::new(NOW).count(count);
        if let Some(b) = budget {
            options = options.time_budget_minutes(b);
        }
        // The learner states preferences and picks among earlier choices.
        let plain = recommender.choices(&learner, &options).unwrap();
        learner.set_preferences(prefs);
        for (choice, &pick) in plain.choices.iter().zip(&picks) {
            let option = &choice.options[pick % choice.options.len()];
            choice.take(&model, &mut learner, &option.activity_id, NOW - DAY).unwrap();
        }
        let listened = recommender.choices(&learner, &options).unwrap();
        let standards = |c: &mastery::recommend::Choices| c.choices.iter().map(|c| c.standard).collect::<Vec<_>>();
        // Which activity serves an earlier need can use up a later need's only
        // activity (one aligned to both) or its share of the time budget;
        // otherwise the needs are the same.
        if budget.is_none() && spec.iter().all(|(standards, ..)| standards.len() == 1) {
            prop_assert_eq!(standards(&plain), standards(&listened), "preferences changed the needs");
        }
        let goals: Vec<String> = learner_goal.map(id).into_iter().collect();
        let known = known_at(&model, &learner, NOW);
        let mut seen = std::collections::HashSet::new();
        let mut charged = 0.0;
        for choice in &listened.choices {
            check_pick(&model, &learner, &listened.wheel_spinning, &known, &goals, choice.standard, &choice.reason, NOW)?;
            prop_assert!(!choice.options.is_empty() && choice.options.len() <= 3);
            for o in &choice.options {
                prop_assert!(seen.insert(o.activity), "activity {} offered twice", o.activity_id);
                prop_assert!(model.catalog().alignment(o.activity).contains(&choice.standard));
                prop_assert!((0.0..=1.0).contains(&o.p_success));
            }
            charged += choice.options.iter().map(|o| o.minutes).fold(0.0, f64::max);
            // Two options whenever two unoffered activities could serve the need.
            let available = model.catalog().for_standard(choice.standard).iter()
                .filter(|&&a| !matches!(choice.reason, Reason::Remediate { prerequisite: None, .. })
                    || model.catalog().get(a).unwrap().kind() != ActivityKind::Practice)
                // Checks take only activities with answers.
                .filter(|&&a| !matches!(choice.reason, Reason::Placement { .. } | Reason::GoalCheck { .. })
                    || !matches!(model.catalog().get(a).unwrap().kind(), ActivityKind::Video | ActivityKind::Reading))
                .filter(|&&a| listened.choices.iter().take_while(|c| c.standard != choice.standard)
                    .all(|c| c.options.iter().all(|o| o.activity != a)))
                .count();
            if budget.is_none() {
                prop_assert!(choice.options.len() >= available.min(2), "{} options of {} available", choice.options.len(), available);
            }
        }
        if let Some(b) = budget {
            prop_assert!(charged <= b + 1e-9, "choices need {charged} minutes of {b}");
        }
        // Same input, same output; the saved state keeps the profile.
        prop_assert_eq!(&recommender.choices(&learner, &options).unwrap(), &listened);
        let reloaded = LearnerState::from_json(&model, &learner.to_json()).unwrap();
        prop_assert_eq!(&reloaded, &learner);
    }
}

fn demo_model() -> Model {
    let ccss = Curriculum::ccss_math();
    Model::builder(ccss.clone())
        .catalog(Catalog::demo(&ccss, 1))
        .build()
        .unwrap()
}

#[test]
fn a_choice_offers_different_kinds_each_with_what_speaks_for_it() {
    let model = demo_model();
    let ada = LearnerState::new(&model, "ada").unwrap();
    let choices = Recommender::new(&model)
        .choices(&ada, &RecommendOptions::new(NOW).count(3))
        .unwrap();
    assert_eq!(choices.choices.len(), 3);
    for choice in &choices.choices {
        assert!(choice.options.len() >= 2, "{choice:?}");
        let kinds: std::collections::BTreeSet<_> = choice.options.iter().map(|o| o.kind).collect();
        assert!(kinds.len() >= 2, "one kind only: {choice:?}");
        assert!(
            choice.options[1..]
                .iter()
                .any(|o| o.appeals.contains(&Appeal::Different))
        );
        let text = choice.explain(model.curriculum());
        assert!(text.contains("Pick one: a "), "{text}");
        assert!(
            text.contains(model.curriculum()[choice.standard].id()),
            "{text}"
        );
    }
    // The top choice's needs are the recommendation's standards, in order.
    let list = Recommender::new(&model)
        .recommend(&ada, &RecommendOptions::new(NOW).count(3))
        .unwrap();
    let mut needs: Vec<_> = list.items.iter().map(|r| r.standard).collect();
    needs.dedup();
    assert_eq!(needs[0], choices.choices[0].standard);
}

#[test]
fn stated_interests_and_kinds_lead_the_options() {
    let model = demo_model();
    let mut ada = LearnerState::new(&model, "ada").unwrap();
    ada.set_preferences(Preferences::new().with_preferred_kind(ActivityKind::Video));
    let choices = Recommender::new(&model)
        .choices(&ada, &RecommendOptions::new(NOW).count(4))
        .unwrap();
    for choice in &choices.choices {
        let video = choice
            .options
            .iter()
            .find(|o| o.kind == ActivityKind::Video)
            .unwrap();
        assert!(video.appeals.contains(&Appeal::PreferredKind));
    }
    // With the profile ignored, no appeal to a preferred kind.
    let plain = Recommender::new(&model)
        .choices(
            &ada,
            &RecommendOptions::new(NOW).count(4).use_profile(false),
        )
        .unwrap();
    assert!(
        plain
            .choices
            .iter()
            .flat_map(|c| &c.options)
            .all(|o| !o.appeals.contains(&Appeal::PreferredKind))
    );
}

#[test]
fn the_recommender_listens_to_what_the_learner_picks() {
    let model = demo_model();
    let recommender = Recommender::new(&model);
    let mut ada = LearnerState::new(&model, "ada").unwrap();
    let options = RecommendOptions::new(NOW).count(3);
    let before = recommender.choices(&ada, &options).unwrap();
    assert_ne!(before.choices[0].options[0].kind, ActivityKind::Video);
    // Ada picks the video every time for a few days.
    for day in 0..4 {
        let offered = recommender.choices(&ada, &options).unwrap();
        for choice in &offered.choices {
            let video = choice
                .options
                .iter()
                .find(|o| o.kind == ActivityKind::Video)
                .unwrap();
            choice
                .take(&model, &mut ada, &video.activity_id.clone(), NOW + day)
                .unwrap();
        }
    }
    let tally = ada.profile().choices().kind(ActivityKind::Video);
    assert_eq!(tally.taken, 12);
    assert!(tally.affinity() > 0.3, "{tally:?}");
    let after = recommender.choices(&ada, &options).unwrap();
    assert_eq!(after.choices[0].options[0].kind, ActivityKind::Video);
    assert!(
        after.choices[0].options[0]
            .appeals
            .contains(&Appeal::ChosenBefore)
    );
    // The same needs, in the same order.
    let needs =
        |c: &mastery::recommend::Choices| c.choices.iter().map(|c| c.standard).collect::<Vec<_>>();
    assert_eq!(needs(&before), needs(&after));
    // And the plain recommendation list now leads with the video too.
    let list = recommender.recommend(&ada, &options).unwrap();
    assert_eq!(list.items[0].kind, ActivityKind::Video);
}

#[test]
fn taking_an_activity_that_was_not_offered_is_an_error_and_changes_nothing() {
    let model = demo_model();
    let mut ada = LearnerState::new(&model, "ada").unwrap();
    let choices = Recommender::new(&model)
        .choices(&ada, &RecommendOptions::new(NOW).count(1))
        .unwrap();
    let before = ada.clone();
    let err = choices.choices[0]
        .take(&model, &mut ada, "video:8.EE.A.1", NOW)
        .unwrap_err();
    assert!(matches!(err, Error::NotOffered { .. }), "{err}");
    assert!(err.to_string().contains("video:8.EE.A.1"), "{err}");
    assert_eq!(ada, before);
}

#[test]
fn a_session_length_is_the_time_budget() {
    let model = demo_model();
    let mut ada = LearnerState::new(&model, "ada").unwrap();
    ada.set_preferences(Preferences::new().with_session_minutes(15.0).unwrap());
    let recommender = Recommender::new(&model);
    let list = recommender
        .recommend(&ada, &RecommendOptions::new(NOW).count(10))
        .unwrap();
    let minutes: f64 = list.items.iter().map(|r| r.minutes).sum();
    assert!(!list.items.is_empty() && minutes <= 15.0, "{minutes}");
    let choices = recommender
        .choices(&ada, &RecommendOptions::new(NOW).count(10))
        .unwrap();
    let charged: f64 = choices
        .choices
        .iter()
        .map(|c| c.options.iter().map(|o| o.minutes).fold(0.0, f64::max))
        .sum();
    assert!(charged <= 15.0, "{charged}");
    // The caller's budget wins.
    let longer = recommender
        .recommend(
            &ada,
            &RecommendOptions::new(NOW)
                .count(10)
                .time_budget_minutes(60.0),
        )
        .unwrap();
    assert!(longer.items.iter().map(|r| r.minutes).sum::<f64>() > 15.0);
}

#[test]
fn learner_and_teacher_goals_steer_recommendations_with_a_plan_each() {
    let model = demo_model();
    let ccss = model.curriculum();
    let recommender = Recommender::new(&model);
    let mut ada = LearnerState::new(&model, "ada").unwrap();
    ada.set_goal(&model, "K.CC.A.3", GoalSetter::Learner, None, NOW)
        .unwrap();
    ada.set_goal(
        &model,
        "1.OA.A.1",
        GoalSetter::Teacher,
        Some(NOW + 5 * DAY),
        NOW,
    )
    .unwrap();
    // The goals of the profile steer recommendations without being passed in.
    let list = recommender
        .recommend(
            &ada,
            &RecommendOptions::new(NOW)
                .count(3)
                .placement(Placement::Skip),
        )
        .unwrap();
    let k_cc_a_3 = ccss.closure_of_goal("K.CC.A.3");
    let one_oa = ccss.closure_of_goal("1.OA.A.1");
    // Goal steps first (off-path standards only fill the places left).
    assert!(
        matches!(list.items[0].reason, Reason::GoalStep { .. }),
        "{:?}",
        list.items
    );
    for r in &list.items {
        if matches!(r.reason, Reason::GoalStep { .. }) {
            assert!(k_cc_a_3.contains(r.standard) || one_oa.contains(r.standard));
        }
    }
    let ignored = recommender
        .recommend(
            &ada,
            &RecommendOptions::new(NOW).count(3).use_profile(false),
        )
        .unwrap();
    assert!(
        ignored
            .items
            .iter()
            .all(|r| matches!(r.reason, Reason::ReadyToLearn { .. }))
    );

    // Plans: one per goal, no pace before two active days.
    let plans = recommender.goal_plans(&ada, NOW).unwrap();
    assert_eq!(plans.len(), 2);
    assert_eq!(plans[0].goal.set_by(), GoalSetter::Learner);
    assert_eq!(plans[1].goal.due(), Some(NOW + 5 * DAY));
    assert!(
        plans
            .iter()
            .all(|p| p.per_day.is_none() && p.on_track.is_none())
    );
    assert!(
        plans[0].explain(ccss).starts_with("Your goal K.CC.A.3:"),
        "{}",
        plans[0].explain(ccss)
    );
    assert!(
        plans[1]
            .explain(ccss)
            .starts_with("Your teacher's goal 1.OA.A.1:")
    );

    // Two active days with 14 answers over a week: 2 a day.
    for (i, day) in [0, 6].iter().enumerate() {
        for k in 0..7 {
            let e = Evidence::on_standard(
                "ada",
                "K.CC.A.1",
                Outcome::from_correct(k % 3 != 0),
                NOW + day * DAY + i as i64 + k * 60,
            )
            .unwrap();
            ada.apply(&model, &e).unwrap();
        }
    }
    let now = NOW + 7 * DAY;
    let plans = recommender.goal_plans(&ada, now).unwrap();
    let pace = plans[0].per_day.unwrap();
    assert!((pace - 2.0).abs() < 1e-9, "{pace}");
    let teacher = &plans[1];
    let expected = f64::from(teacher.path.opportunities) / 2.0;
    assert!((teacher.expected_days.unwrap() - expected).abs() < 1e-9);
    // Due 2 days after `now`: not on track at 2 a day.
    assert_eq!(teacher.on_track, Some(false));
    assert!(
        teacher.explain(ccss).contains("due in"),
        "{}",
        teacher.explain(ccss)
    );
    // Removing a goal.
    assert!(
        ada.remove_goal(&model, "1.OA.A.1", GoalSetter::Teacher)
            .unwrap()
    );
    assert!(
        !ada.remove_goal(&model, "1.OA.A.1", GoalSetter::Teacher)
            .unwrap()
    );
    assert_eq!(recommender.goal_plans(&ada, now).unwrap().len(), 1);
}

trait GoalClosure {
    fn closure_of_goal(&self, goal: &str) -> mastery::StandardSet;
}

impl GoalClosure for Curriculum {
    fn closure_of_goal(&self, goal: &str) -> mastery::StandardSet {
        let set = self.set_of([goal]).unwrap();
        let mut closure = self.prerequisite_closure(&set).unwrap();
        closure.union_with(&set);
        closure
    }
}

#[test]
fn old_states_without_a_profile_load_and_bad_profiles_are_rejected() {
    let model = demo_model();
    let mut ada = LearnerState::new(&model, "ada").unwrap();
    ada.apply(
        &model,
        &Evidence::on_standard("ada", "K.CC.A.1", Outcome::Correct, NOW).unwrap(),
    )
    .unwrap();
    let json: serde_json::Value = serde_json::from_str(&ada.to_json()).unwrap();
    let mut old = json.clone();
    old.as_object_mut().unwrap().remove("profile");
    old.as_object_mut().unwrap().remove("engagement");
    let loaded = LearnerState::from_json(&model, &old.to_string()).unwrap();
    assert_eq!(loaded.profile(), &mastery::learner::Profile::default());
    assert_eq!(
        loaded.all_mastery_at(&model, NOW).unwrap(),
        ada.all_mastery_at(&model, NOW).unwrap()
    );
    assert_eq!(ada.engagement().evidence, 1);

    let with_goal = |goal: serde_json::Value| {
        let mut v = json.clone();
        v["profile"] = serde_json::json!({ "goals": [goal] });
        LearnerState::from_json(&model, &v.to_string())
    };
    let ok = with_goal(serde_json::json!({"standard": 3, "set_by": "learner", "set_at": NOW}));
    assert!(ok.is_ok(), "{ok:?}");
    for bad in [
        serde_json::json!({"standard": 4_000_000, "set_by": "learner", "set_at": NOW}),
        serde_json::json!({"standard": 3, "set_by": "learner", "set_at": NOW, "due": NOW - 1}),
        serde_json::json!({"standard": 3, "set_by": "robot", "set_at": NOW}),
    ] {
        let err = with_goal(bad.clone()).unwrap_err();
        assert!(matches!(err, Error::Json { .. }), "{bad}: {err}");
    }
    let mut v = json.clone();
    v["profile"] = serde_json::json!({ "preferences": { "session_minutes": -3.0 } });
    assert!(LearnerState::from_json(&model, &v.to_string()).is_err());
}
