//! Recommendations: invariants on random curricula, catalogs and evidence;
//! scenarios on the Common Core default; explanations.

use mastery::recommend::{Placement, Reason, RecommendOptions, Recommender};
use mastery::{
    Catalog, Curriculum, Evidence, LearnerState, Model, Outcome, Propagation, StandardIdx,
};
use proptest::prelude::*;

const NOW: i64 = 1_700_000_000;

mod common;
use common::recommend::{build_catalog, catalog_spec, check_pick, evidence, known_at};
use common::{N, graded_curriculum, id};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn recommendations_respect_prerequisites_budget_and_uniqueness(
        curriculum in graded_curriculum(3),
        spec in catalog_spec(),
        // A learner with no evidence in a fair share of the cases.
        history in prop_oneof![Just(Vec::new()), evidence()],
        count in 1usize..7,
        budget in proptest::option::of(5.0f64..120.0),
        goal in proptest::option::of(0..N),
    ) {
        let catalog = build_catalog(&curriculum, &spec);
        let model = Model::builder(curriculum.clone()).catalog(catalog).build().unwrap();
        let mut learner = LearnerState::new(&model, "ada").unwrap();
        let mut time = NOW - 30 * 86_400;
        for (s, correct, dt) in &history {
            time += dt / 20;
            learner.apply(&model, &Evidence::on_standard("ada", id(*s), Outcome::from_correct(*correct), time).unwrap()).unwrap();
        }
        let mut options = RecommendOptions::new(NOW).count(count);
        if let Some(b) = budget {
            options = options.time_budget_minutes(b);
        }
        if let Some(g) = goal {
            options = options.goal(id(g));
        }
        let recommender = Recommender::new(&model);
        let list = recommender.recommend(&learner, &options).unwrap();
        let known = known_at(&model, &learner, NOW);

        prop_assert!(list.items.len() <= count);
        // One place per standard while there are enough ready standards to go
        // round. Counted are ready standards with an activity of their own: an
        // activity aligned to two ready standards can serve only one of them
        // (each activity once), so it does not make a second standard available.
        let ready = curriculum.ready_to_learn(&known).unwrap();
        let catalog = model.catalog();
        let distinct_ready = ready
            .iter()
            .filter(|&s| list.wheel_spinning.iter().all(|w| w.standard != s))
            .filter(|&s| catalog.for_standard(s).iter().any(|&a| catalog.alignment(a) == [s]))
            .count();
        if budget.is_none() && count <= distinct_ready {
            let mut standards: Vec<_> = list.items.iter().map(|r| r.standard).collect();
            standards.sort();
            standards.dedup();
            prop_assert_eq!(standards.len(), list.items.len(), "a standard twice with {} ready", distinct_ready);
        }
        if let Some(b) = budget {
            prop_assert!(list.items.iter().map(|r| r.minutes).sum::<f64>() <= b + 1e-9);
        }
        // A learner with no evidence starts at the lowest grade among the
        // ready standards (the graph's sources): every pick is of that grade
        // while it has enough standards with activities of their own.
        if history.is_empty() && goal.is_none() && budget.is_none() {
            let grade = |s: StandardIdx| curriculum.standard(s).unwrap().grade().map(str::to_owned);
            let lowest = ready.iter().filter_map(grade).min_by_key(|g| common::GRADES.iter().position(|x| x == g));
            let of_lowest = ready
                .iter()
                .filter(|&s| grade(s) == lowest)
                .filter(|&s| catalog.for_standard(s).iter().any(|&a| catalog.alignment(a) == [s]))
                .count();
            if count <= of_lowest {
                for r in &list.items {
                    prop_assert_eq!(grade(r.standard), lowest.clone(), "{} of another grade", id(r.standard.index()));
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        for r in &list.items {
            prop_assert!(seen.insert(r.activity), "activity {} twice", r.activity_id);
            prop_assert!((0.0..=1.0).contains(&r.p_success));
            check_pick(&model, &learner, &list.wheel_spinning, &known, &goal.map(id).into_iter().collect::<Vec<_>>(), r.standard, &r.reason, NOW)?;
            let explanation = r.reason.explain(&curriculum);
            prop_assert!(explanation.contains(&id(r.standard.index())), "{}", explanation);
        }
        // Same input, same output.
        prop_assert_eq!(recommender.recommend(&learner, &options).unwrap(), list);
    }

    /// Desirable difficulty: with several practices of varied difficulty
    /// per standard and learners anywhere from new to nearly there, a
    /// practice pick's predicted success is in the band (70-85%) whenever a
    /// practice of its standard that no other pick took would be.
    #[test]
    fn practice_picks_are_in_the_band_when_the_catalog_allows(
        curriculum in graded_curriculum(3),
        difficulty in proptest::collection::vec((0.0f64..0.5, 0.0f64..0.3), 3 * N),
        history in proptest::collection::vec((0..N, proptest::bool::weighted(0.8)), 0..120),
        count in 1usize..7,
        goal in proptest::option::of(0..N),
    ) {
        let activities = difficulty.iter().enumerate().map(|(i, &(guess, slip))| {
            mastery::Activity::new(format!("p{i}"), mastery::ActivityKind::Practice)
                .aligned_to(id(i % N))
                .with_guess_slip(guess, slip)
        });
        let catalog = Catalog::new(&curriculum, activities).unwrap();
        let model = Model::builder(curriculum.clone()).catalog(catalog).build().unwrap();
        let mut learner = LearnerState::new(&model, "ada").unwrap();
        for (k, (s, correct)) in history.iter().enumerate() {
            let at = NOW - 3_600 + k as i64;
            learner.apply(&model, &Evidence::on_standard("ada", id(*s), Outcome::from_correct(*correct), at).unwrap()).unwrap();
        }
        let mut options = RecommendOptions::new(NOW).count(count);
        if let Some(g) = goal {
            options = options.goal(id(g));
        }
        let list = Recommender::new(&model).recommend(&learner, &options).unwrap();
        let catalog = model.catalog();
        let band = 0.7..=0.85;
        let mastery = learner.all_mastery_at(&model, NOW).unwrap();
        let taken: Vec<_> = list.items.iter().map(|r| r.activity).collect();
        for r in &list.items {
            let fits = catalog.for_standard(r.standard).iter().any(|&a| {
                let free = a == r.activity || !taken.contains(&a);
                let known: f64 = catalog.alignment(a).iter().map(|s| mastery[s.index()]).product();
                free && band.contains(&model.activity_answer(a).p_correct(known))
            });
            if fits {
                prop_assert!(band.contains(&r.p_success), "{} at {:.3} with a practice in the band", r.activity_id, r.p_success);
            }
        }
    }
}

fn ccss_model() -> Model {
    let ccss = Curriculum::ccss_math();
    Model::builder(ccss.clone())
        .catalog(Catalog::demo(&ccss, 3))
        .build()
        .unwrap()
}

fn master(model: &Model, learner: &mut LearnerState, standard: &str, time: &mut i64) {
    for _ in 0..8 {
        *time += 600;
        learner
            .apply(
                model,
                &Evidence::on_standard(
                    learner.learner().to_owned(),
                    standard,
                    Outcome::Correct,
                    *time,
                )
                .unwrap(),
            )
            .unwrap();
    }
    assert!(
        learner.mastery_at(model, standard, *time).unwrap() >= 0.95,
        "{standard} not mastered"
    );
}

#[test]
fn a_new_learner_starts_at_kindergarten_and_first_grade_sources() {
    let model = ccss_model();
    let ccss = model.curriculum();
    let learner = LearnerState::new(&model, "new").unwrap();
    let list = Recommender::new(&model)
        .recommend(&learner, &RecommendOptions::new(NOW).count(8))
        .unwrap();
    assert_eq!(list.items.len(), 8);
    for r in &list.items {
        let s = &ccss[r.standard];
        assert!(
            ccss.prerequisites(r.standard).unwrap().is_empty(),
            "{} has prerequisites",
            s.id()
        );
        assert!(
            matches!(s.grade(), Some("K" | "1")),
            "{} is grade {:?}",
            s.id(),
            s.grade()
        );
    }
    let kinds: std::collections::BTreeSet<_> = list.items.iter().map(|r| r.kind).collect();
    assert!(kinds.len() >= 2, "only {kinds:?}");
    let standards: std::collections::BTreeSet<_> = list.items.iter().map(|r| r.standard).collect();
    assert!(standards.len() > 1);
    // Issue 17.3: a learner with no evidence has mastered nothing, so no
    // reason may claim it has.
    for r in &list.items {
        let text = r.reason.explain(ccss);
        assert!(!text.contains("mastered"), "{text}");
    }
}

#[test]
fn evidence_of_a_later_grade_places_a_learner_without_a_goal() {
    // Issue 17.3: 6 of 6 right on 3.NF.A.2 and no goal still started the
    // learner on kindergarten standards.
    let model = ccss_model();
    let ccss = model.curriculum();
    let mut learner = LearnerState::new(&model, "ada").unwrap();
    let mut time = NOW;
    for _ in 0..6 {
        time += 600;
        let evidence = Evidence::on_standard("ada", "3.NF.A.2", Outcome::Correct, time).unwrap();
        learner.apply(&model, &evidence).unwrap();
    }
    let list = Recommender::new(&model)
        .recommend(&learner, &RecommendOptions::new(time + 60).count(5))
        .unwrap();
    let grades: Vec<_> = list
        .items
        .iter()
        .map(|r| ccss[r.standard].grade())
        .collect();
    assert!(
        grades.iter().all(|g| !matches!(g, Some("K"))),
        "kindergarten after grade-3 mastery: {grades:?}"
    );
    assert!(
        grades.iter().any(|g| matches!(g, Some("3"))),
        "no grade-3 standard among {grades:?}"
    );
    // A blank learner still starts at kindergarten and first grade.
    let blank = LearnerState::new(&model, "new").unwrap();
    let first = Recommender::new(&model)
        .recommend(&blank, &RecommendOptions::new(time).count(1))
        .unwrap();
    assert!(matches!(
        ccss[first.items[0].standard].grade(),
        Some("K" | "1")
    ));
}

#[test]
fn mastering_a_chain_brings_its_next_standard() {
    let model = ccss_model();
    let ccss = model.curriculum();
    let mut learner = LearnerState::new(&model, "ada").unwrap();
    let mut time = NOW;
    master(&model, &mut learner, "K.CC.B.4.a", &mut time);
    let next = ccss.index_of("K.CC.B.4.b").unwrap();
    // With the chain's end as goal, the next standard is the first step.
    let list = Recommender::new(&model)
        .recommend(
            &learner,
            &RecommendOptions::new(time).count(3).goal("K.CC.B.5"),
        )
        .unwrap();
    assert_eq!(list.items[0].standard, next, "{:?}", list.items[0]);
    assert!(matches!(
        list.items[0].reason,
        Reason::GoalStep {
            steps_remaining: 2,
            ..
        }
    ));
    // Without a goal it is among the ready standards recommended.
    let all = Recommender::new(&model)
        .recommend(&learner, &RecommendOptions::new(time).count(200))
        .unwrap();
    assert!(all.items.iter().any(|r| r.standard == next));
    assert!(
        all.items
            .iter()
            .all(|r| r.standard != ccss.index_of("K.CC.B.5").unwrap())
    );
    // And once it is mastered too, the chain moves on.
    master(&model, &mut learner, "K.CC.B.4.b", &mut time);
    let list = Recommender::new(&model)
        .recommend(
            &learner,
            &RecommendOptions::new(time).count(3).goal("K.CC.B.5"),
        )
        .unwrap();
    assert_eq!(ccss[list.items[0].standard].id(), "K.CC.B.5");
}

#[test]
fn a_grade_five_goal_gives_a_valid_path() {
    let model = ccss_model();
    let ccss = model.curriculum();
    let mut learner = LearnerState::new(&model, "ada").unwrap();
    let mut time = NOW;
    master(&model, &mut learner, "K.CC.A.1", &mut time);
    let goal = ccss.index_of("5.NF.B.4.a").unwrap();
    let path = Recommender::new(&model)
        .path_to(&learner, goal, time)
        .unwrap();
    let ancestors = ccss.ancestors(goal).unwrap();
    assert_eq!(path.steps.last().unwrap().standard, goal);
    let position: std::collections::HashMap<StandardIdx, usize> = path
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| (s.standard, i))
        .collect();
    for step in &path.steps {
        assert!(step.standard == goal || ancestors.contains(step.standard));
        for p in ccss.prerequisites(step.standard).unwrap() {
            if let Some(&before) = position.get(p) {
                assert!(
                    before < position[&step.standard],
                    "{} after {}",
                    ccss[*p].id(),
                    ccss[step.standard].id()
                );
            }
        }
        assert!(step.opportunities >= 1 && step.minutes > 0.0);
    }
    // Every unmastered ancestor is on the path; mastered ones are not.
    let unmastered = ancestors
        .iter()
        .filter(|&a| learner.mastery_at(&model, a, time).unwrap() < 0.95)
        .count();
    assert_eq!(path.steps.len(), unmastered + 1);
    assert_eq!(
        path.opportunities,
        path.steps.iter().map(|s| s.opportunities).sum::<u32>()
    );
}

#[test]
fn wheel_spinning_is_flagged_and_switches_to_a_prerequisite() {
    let ccss = Curriculum::ccss_math();
    let model = Model::builder(ccss.clone())
        .catalog(Catalog::demo(&ccss, 3))
        .propagation(Propagation::off())
        .build()
        .unwrap();
    let mut learner = LearnerState::new(&model, "bo").unwrap();
    let mut time = NOW;
    for _ in 0..12 {
        time += 300;
        learner
            .apply(
                &model,
                &Evidence::on_standard("bo", "K.CC.B.5", Outcome::Incorrect, time).unwrap(),
            )
            .unwrap();
    }
    let list = Recommender::new(&model)
        .recommend(&learner, &RecommendOptions::new(time).count(3))
        .unwrap();
    let stuck = ccss.index_of("K.CC.B.5").unwrap();
    assert_eq!(list.wheel_spinning.len(), 1);
    assert_eq!(list.wheel_spinning[0].standard, stuck);
    assert_eq!(list.wheel_spinning[0].attempts, 12);
    let first = &list.items[0];
    let Reason::Remediate {
        blocked,
        prerequisite: Some(p),
        attempts,
    } = &first.reason
    else {
        panic!("expected remediation first, got {:?}", first.reason)
    };
    assert_eq!((*blocked, *attempts), (stuck, 12));
    assert_eq!(ccss[*p].id(), "K.CC.B.4.a"); // the ready ancestor of the chain
    let text = first.reason.explain(&ccss);
    assert!(
        text.contains("K.CC.B.5") && text.contains("K.CC.B.4.a") && text.contains("12 tries"),
        "{text}"
    );
}

#[test]
fn faded_mastery_is_reviewed() {
    let model = ccss_model();
    let ccss = model.curriculum();
    let mut learner = LearnerState::new(&model, "cy").unwrap();
    let mut time = NOW;
    master(&model, &mut learner, "K.CC.A.1", &mut time);
    let months_later = time + 90 * 86_400;
    let list = Recommender::new(&model)
        .recommend(&learner, &RecommendOptions::new(months_later).count(20))
        .unwrap();
    let review = list
        .items
        .iter()
        .find(|r| matches!(r.reason, Reason::Review { .. }))
        .expect("a review");
    assert_eq!(ccss[review.standard].id(), "K.CC.A.1");
    let text = review.reason.explain(ccss);
    assert!(
        text.starts_with("Time to review K.CC.A.1") && text.contains("faded"),
        "{text}"
    );
    // Not yet faded: no review.
    let soon = Recommender::new(&model)
        .recommend(&learner, &RecommendOptions::new(time + 60).count(20))
        .unwrap();
    assert!(
        soon.items
            .iter()
            .all(|r| !matches!(r.reason, Reason::Review { .. }))
    );
}

#[test]
fn reached_goals_are_checked_oldest_first_before_stretching() {
    let model = ccss_model();
    let ccss = model.curriculum();
    let mut learner = LearnerState::new(&model, "di").unwrap();
    let mut time = NOW;
    // Two goals mastered an hour apart.
    master(&model, &mut learner, "K.CC.A.1", &mut time);
    let first = time;
    time += 3_600;
    master(&model, &mut learner, "K.CC.A.2", &mut time);
    let options = |now: i64| {
        RecommendOptions::new(now)
            .count(5)
            .goal("K.CC.A.2")
            .goal("K.CC.A.1")
    };
    // The same day: nothing is due, so stretch.
    let today = Recommender::new(&model)
        .recommend(&learner, &options(time + 60))
        .unwrap();
    assert!(
        today
            .items
            .iter()
            .all(|r| matches!(r.reason, Reason::Stretch { .. })),
        "{:?}",
        today.items
    );
    // Two days later: both goals are due, the one practiced longest ago first.
    let later = Recommender::new(&model)
        .recommend(&learner, &options(time + 2 * 86_400))
        .unwrap();
    let checks: Vec<&str> = later
        .items
        .iter()
        .filter(|r| matches!(r.reason, Reason::GoalCheck { .. }))
        .map(|r| ccss[r.standard].id())
        .collect();
    assert_eq!(checks.first(), Some(&"K.CC.A.1"), "{:#?}", later.items);
    assert!(checks.contains(&"K.CC.A.2"), "{:#?}", later.items);
    let last_check = later
        .items
        .iter()
        .rposition(|r| matches!(r.reason, Reason::GoalCheck { .. }));
    let first_stretch = later
        .items
        .iter()
        .position(|r| matches!(r.reason, Reason::Stretch { .. }));
    assert!(last_check < first_stretch.or(Some(usize::MAX)));
    assert!(matches!(
        later.items[0].reason,
        Reason::GoalCheck { last_practiced: Some(t), .. } if t < first + 1
    ));
    // Off: stretch only.
    let off = Recommender::new(&model)
        .recommend(
            &learner,
            &options(time + 2 * 86_400).goal_check_after_days(f64::INFINITY),
        )
        .unwrap();
    assert!(
        off.items
            .iter()
            .all(|r| !matches!(r.reason, Reason::GoalCheck { .. }))
    );
    // A failed check puts the goal back on the path.
    let mut failed = learner.clone();
    for _ in 0..3 {
        failed
            .apply(
                &model,
                &Evidence::on_standard("di", "K.CC.A.1", Outcome::Incorrect, time + 2 * 86_400)
                    .unwrap(),
            )
            .unwrap();
    }
    let after = Recommender::new(&model)
        .recommend(&failed, &options(time + 2 * 86_400 + 60))
        .unwrap();
    assert!(
        after
            .items
            .iter()
            .any(|r| ccss[r.standard].id() == "K.CC.A.1"
                && matches!(r.reason, Reason::GoalStep { .. } | Reason::Remediate { .. })),
        "{:?}",
        after.items
    );
}

#[test]
fn every_reason_explains_itself() {
    let ccss = Curriculum::ccss_math();
    let s = |id: &str| ccss.index_of(id).unwrap();
    let cases = [
        (
            Reason::ReadyToLearn {
                standard: s("3.NF.A.1"),
                unlocks: vec![s("3.NF.A.3")],
            },
            vec!["ready", "3.NF.A.1", "3.NF.A.3"],
        ),
        (
            Reason::ReadyToLearn {
                standard: s("3.NF.A.1"),
                unlocks: vec![],
            },
            vec!["ready", "3.NF.A.1", "mastered everything it builds on"],
        ),
        (
            Reason::ReadyToLearn {
                standard: s("K.CC.A.1"),
                unlocks: vec![],
            },
            vec!["ready", "K.CC.A.1", "a starting point"],
        ),
        (
            Reason::GoalStep {
                standard: s("3.NF.A.1"),
                goal: s("4.NF.A.1"),
                steps_remaining: 4,
            },
            vec!["3.NF.A.1", "goal 4.NF.A.1", "4 standards to go"],
        ),
        (
            Reason::GoalStep {
                standard: s("4.NF.A.1"),
                goal: s("4.NF.A.1"),
                steps_remaining: 1,
            },
            vec![
                "4.NF.A.1 (Explain why a fraction a/b is equivalent…) is your goal",
                "ready",
            ],
        ),
        (
            Reason::Review {
                standard: s("2.OA.A.1"),
                last_practiced: NOW,
                mastery_now: 0.81,
            },
            vec!["review 2.OA.A.1", "81%"],
        ),
        (
            Reason::Remediate {
                blocked: s("3.NF.A.3"),
                prerequisite: Some(s("3.NF.A.1")),
                attempts: 11,
            },
            vec!["3.NF.A.3", "11 tries", "3.NF.A.1"],
        ),
        (
            Reason::Remediate {
                blocked: s("3.NF.A.3"),
                prerequisite: None,
                attempts: 10,
            },
            vec!["3.NF.A.3", "different kind of activity"],
        ),
        (
            Reason::Stretch {
                standard: s("5.NF.A.1"),
            },
            vec!["5.NF.A.1", "challenge"],
        ),
        (
            Reason::GoalCheck {
                goal: s("4.NF.A.1"),
                last_practiced: Some(NOW),
            },
            vec!["reached your goals", "4.NF.A.1", "fresh"],
        ),
        (
            Reason::GoalCheck {
                goal: s("4.NF.A.1"),
                last_practiced: None,
            },
            vec!["4.NF.A.1", "only through what builds on it"],
        ),
    ];
    for (reason, words) in cases {
        let text = reason.explain(&ccss);
        for w in words {
            assert!(
                text.contains(w),
                "{:?}: {text:?} lacks {w:?}",
                reason.kind()
            );
        }
        assert!(!text.contains("P(L)") && text.ends_with('.'), "{text}");
    }
}

#[test]
fn bad_options_are_errors() {
    let model = ccss_model();
    let learner = LearnerState::new(&model, "ada").unwrap();
    let r = Recommender::new(&model);
    assert!(
        r.recommend(&learner, &RecommendOptions::new(NOW).goal("9.ZZ.Z.9"))
            .is_err()
    );
    assert!(
        r.recommend(&learner, &RecommendOptions::new(NOW).exclude("nope"))
            .is_err()
    );
    assert!(
        r.recommend(&learner, &RecommendOptions::new(NOW).success_band(0.9, 0.5))
            .is_err()
    );
    assert!(
        r.recommend(
            &learner,
            &RecommendOptions::new(NOW).time_budget_minutes(f64::NAN)
        )
        .is_err()
    );
    assert!(
        r.recommend(
            &learner,
            &RecommendOptions::new(NOW).mastered_threshold(1.5)
        )
        .is_err()
    );
    // Issue 21.6: a NaN review threshold was silently the mastered threshold.
    for threshold in [f64::NAN, -0.1, 1.5] {
        let err = r
            .recommend(
                &learner,
                &RecommendOptions::new(NOW).review_threshold(threshold),
            )
            .unwrap_err();
        assert!(
            matches!(&err, mastery::Error::InvalidValue { what, .. } if what == "review threshold"),
            "{err:?}"
        );
    }
    for days in [f64::NAN, -1.0] {
        assert!(matches!(
            r.recommend(
                &learner,
                &RecommendOptions::new(NOW).goal_check_after_days(days)
            ),
            Err(mastery::Error::InvalidValue { .. })
        ));
    }
    // A time budget too small for anything gives an empty list, not an error.
    assert!(
        r.recommend(
            &learner,
            &RecommendOptions::new(NOW).time_budget_minutes(0.5)
        )
        .unwrap()
        .items
        .is_empty()
    );
}

#[test]
fn placement_checks_come_first_and_mastery_implies_prerequisites() {
    let model = ccss_model();
    let ccss = model.curriculum();
    let grade4: Vec<&str> = ccss
        .standards()
        .iter()
        .filter(|s| s.grade() == Some("4"))
        .map(|s| s.id())
        .collect();
    let mut options = RecommendOptions::new(NOW).count(3);
    for g in &grade4 {
        options = options.goal(*g);
    }
    let learner = LearnerState::new(&model, "new").unwrap();
    let list = Recommender::new(&model)
        .recommend(&learner, &options)
        .unwrap();
    let Reason::Placement { standard: probe } = list.items[0].reason else {
        panic!(
            "expected a placement check first, got {:?}",
            list.items[0].reason
        )
    };
    // Showing mastery of the probe makes everything it builds on count as known.
    let mut learner = learner;
    let mut time = NOW;
    master(&model, &mut learner, ccss[probe].id(), &mut time);
    let ancestors = ccss.ancestors(probe).unwrap();
    assert!(!ancestors.is_empty());
    let list = Recommender::new(&model)
        .recommend(&learner, &options.clone().count(20))
        .unwrap();
    for r in &list.items {
        if matches!(
            r.reason,
            Reason::GoalStep { .. } | Reason::ReadyToLearn { .. }
        ) {
            assert!(
                !ancestors.contains(r.standard),
                "{} is implied by {}",
                ccss[r.standard].id(),
                ccss[probe].id()
            );
        }
    }
    // Placement can be turned off.
    let off = Recommender::new(&model)
        .recommend(
            &LearnerState::new(&model, "x").unwrap(),
            &options.placement(Placement::Skip),
        )
        .unwrap();
    assert!(
        off.items
            .iter()
            .all(|r| !matches!(r.reason, Reason::Placement { .. }))
    );
}

/// Three independent standards; activities given per standard.
fn three(activities: Vec<mastery::Activity>) -> Model {
    let c = Curriculum::builder()
        .standard_ids(["a", "b", "c"])
        .unwrap()
        .build()
        .unwrap();
    let catalog = Catalog::new(&c, activities).unwrap();
    Model::builder(c).catalog(catalog).build().unwrap()
}

#[test]
fn a_short_list_says_why() {
    use mastery::{Activity, ActivityKind};
    let model = three(vec![
        Activity::new("pa", ActivityKind::Practice)
            .aligned_to("a")
            .with_minutes(10.0),
        Activity::new("pb", ActivityKind::Practice)
            .aligned_to("b")
            .with_minutes(30.0),
    ]);
    let ada = LearnerState::new(&model, "ada").unwrap();
    let r = Recommender::new(&model);
    let list = r
        .recommend(
            &ada,
            &RecommendOptions::new(NOW)
                .count(3)
                .time_budget_minutes(20.0),
        )
        .unwrap();
    assert_eq!(list.items.len(), 1);
    let short = list.shortfall.as_ref().unwrap();
    assert_eq!((short.requested, short.returned, short.needs), (3, 1, 3));
    let id = |s: &str| model.curriculum().index_of(s).unwrap();
    assert_eq!(short.without_activities, vec![id("c")]);
    assert_eq!(short.over_budget, vec![id("b")]);
    assert_eq!(
        short.explain(model.curriculum()),
        "3 asked for, 1 came back: c has no activity in the catalog; the activities for b do not fit the time left."
    );
    let excluded = r
        .recommend(&ada, &RecommendOptions::new(NOW).count(3).exclude("pb"))
        .unwrap();
    assert_eq!(excluded.shortfall.unwrap().excluded, vec![id("b")]);
    // A full list has no shortfall.
    let full = r
        .recommend(&ada, &RecommendOptions::new(NOW).count(1))
        .unwrap();
    assert!(full.shortfall.is_none());
}

#[test]
fn a_far_off_activity_never_replaces_a_fitting_one_for_variety() {
    use mastery::{Activity, ActivityKind};
    let model = three(vec![
        Activity::new("pa", ActivityKind::Practice).aligned_to("a"),
        Activity::new("pb", ActivityKind::Practice).aligned_to("b"),
        // Hard: a 40% slip.
        Activity::new("quiz", ActivityKind::Assessment)
            .aligned_to("a")
            .aligned_to("b")
            .with_guess_slip(0.05, 0.4),
    ]);
    let mut ada = LearnerState::new(&model, "ada").unwrap();
    for (k, s) in ["a", "a", "b", "b"].iter().enumerate() {
        ada.apply(
            &model,
            &Evidence::on_standard("ada", *s, Outcome::Correct, NOW - 100 + k as i64).unwrap(),
        )
        .unwrap();
    }
    let list = Recommender::new(&model)
        .recommend(&ada, &RecommendOptions::new(NOW).count(2))
        .unwrap();
    let ids: Vec<&str> = list.items.iter().map(|r| r.activity_id.as_str()).collect();
    assert!(
        !ids.contains(&"quiz"),
        "{ids:?} ({:?})",
        list.items.iter().map(|r| r.p_success).collect::<Vec<_>>()
    );
    assert_eq!(ids.len(), 2);
}

#[test]
fn the_first_picks_are_distinct_standards_and_many_learners_are_one_call() {
    let model = ccss_model();
    let r = Recommender::new(std::sync::Arc::new(model.clone()));
    let learners: Vec<LearnerState> = ["ada", "bo"]
        .iter()
        .map(|n| LearnerState::new(&model, *n).unwrap())
        .collect();
    let options = RecommendOptions::new(NOW).count(5);
    let many = r.recommend_many(&learners, &options).unwrap();
    assert_eq!(many.len(), 2);
    for (l, list) in learners.iter().zip(&many) {
        assert_eq!(list, &r.recommend(l, &options).unwrap());
        let mut standards: Vec<_> = list.items.iter().map(|i| i.standard).collect();
        standards.sort();
        standards.dedup();
        assert_eq!(
            standards.len(),
            list.items.len(),
            "a standard twice: {:?}",
            list.items
        );
    }
}

#[test]
fn a_blank_learner_gets_ten_kindergarten_standards_counting_first() {
    let model = ccss_model();
    let ccss = model.curriculum();
    let learner = LearnerState::new(&model, "blank").unwrap();
    let list = Recommender::new(&model)
        .recommend(&learner, &RecommendOptions::new(NOW).count(10))
        .unwrap();
    assert_eq!(list.items.len(), 10);
    // The lowest grade among the graph's sources is kindergarten: a blank
    // learner gets nothing above it (no grade-1, let alone grade-4, standard).
    for r in &list.items {
        let s = &ccss[r.standard];
        assert_eq!(s.grade(), Some("K"), "{} is grade {:?}", s.id(), s.grade());
    }
    // Scope and sequence: counting (K.CC.A.1) comes first.
    assert_eq!(
        ccss[list.items[0].standard].id(),
        "K.CC.A.1",
        "{:?}",
        list.items[0]
    );
}
