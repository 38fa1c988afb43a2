//! Tiered interventions: constructed learners placed by the documented rules.

use mastery::cohort::{Attempts, Cohort, Tier, TierEvidence, TierRules};
use mastery::learner::GoalSetter;
use mastery::recommend::Recommender;
use mastery::{Curriculum, LearnerState, Model, StandardIdx};
use ndarray::Array2;

/// a -> b -> c, and d on its own (out of scope for the focus {c}).
fn curriculum() -> Curriculum {
    Curriculum::builder()
        .standard_ids(["a", "b", "c", "d"])
        .unwrap()
        .prerequisites([("a", "b"), ("b", "c")])
        .build()
        .unwrap()
}

fn tried(standard: u32, attempts: u32, mastered_at_last_evidence: bool) -> Attempts {
    Attempts {
        standard: StandardIdx::new(standard as usize).unwrap(),
        attempts,
        correct: 0,
        mastered_at_last_evidence,
    }
}

/// (id, mastery of a..d, attempts)
type Learner = (&'static str, [f32; 4], Vec<Attempts>);

fn class(learners: Vec<Learner>) -> Cohort {
    let c = curriculum();
    let mut matrix = Array2::<f32>::zeros((learners.len(), 4));
    let mut ids = Vec::new();
    let mut attempts = Vec::new();
    for (i, (id, m, a)) in learners.into_iter().enumerate() {
        for (j, v) in m.into_iter().enumerate() {
            matrix[[i, j]] = v;
        }
        ids.push(id.to_owned());
        attempts.push(a);
    }
    Cohort::from_matrix(&c, ids, matrix, attempts, 0.95, 0).unwrap()
}

fn learners() -> Vec<Learner> {
    vec![
        ("fresh", [0.2; 4], vec![]),
        (
            "stuck-once",
            [0.96, 0.3, 0.2, 0.2],
            vec![tried(1, 12, false)],
        ),
        (
            "stuck-twice",
            [0.3, 0.3, 0.2, 0.2],
            vec![tried(0, 11, false), tried(1, 10, false)],
        ),
        ("low", [0.96, 0.4, 0.2, 0.2], vec![tried(1, 4, false)]),
        ("fine", [0.96, 0.7, 0.2, 0.2], vec![tried(1, 4, false)]),
        ("too-few", [0.96, 0.3, 0.2, 0.2], vec![tried(1, 2, false)]),
        (
            "out-of-scope",
            [0.96, 0.96, 0.96, 0.1],
            vec![tried(3, 20, false)],
        ),
        ("faded", [0.96, 0.9, 0.2, 0.2], vec![tried(1, 12, true)]),
        ("low-on-a", [0.3, 0.2, 0.2, 0.2], vec![tried(0, 5, false)]),
    ]
}

#[test]
fn tiers_follow_the_documented_rules() {
    let cohort = class(learners());
    let focus = curriculum().set_of(["c"]).unwrap();
    let tiers = cohort.tiers(&focus, &TierRules::default(), None).unwrap();
    let tier_of = |id: &str| tiers.placements.iter().find(|p| p.id == id).unwrap();
    let expected = [
        ("fresh", Tier::Core),
        ("stuck-once", Tier::Targeted),
        ("stuck-twice", Tier::Intensive),
        ("low", Tier::Targeted),
        ("fine", Tier::Core),
        ("too-few", Tier::Core),
        ("out-of-scope", Tier::Core),
        ("faded", Tier::Core),
        ("low-on-a", Tier::Targeted),
    ];
    for (id, tier) in expected {
        assert_eq!(tier_of(id).tier, tier, "{id}: {:?}", tier_of(id));
    }
    assert!(matches!(
        tier_of("stuck-once").evidence[0],
        TierEvidence::WheelSpinning { attempts: 12, .. }
    ));
    assert!(matches!(
        tier_of("low").evidence[0],
        TierEvidence::BelowBar { attempts: 4, .. }
    ));
    assert!(tier_of("fresh").evidence.is_empty());
    // Tier 2 groups by first gap, in the curriculum's order: a first, then b.
    let groups: Vec<(usize, Vec<usize>)> = tiers
        .groups
        .iter()
        .map(|g| (g.standard.index(), g.learners.clone()))
        .collect();
    assert_eq!(groups, vec![(0, vec![8]), (1, vec![1, 3])]);
    let md = tiers.to_markdown(cohort.curriculum());
    assert!(
        md.contains("Tier 1 (on track): 5. Tier 2 (targeted): 3. Tier 3 (intensive): 1."),
        "{md}"
    );
    assert!(md.contains("- stuck-twice: stuck on a: 11 attempts, mastery 30%; stuck on b: 10 attempts, mastery 30%."), "{md}");
    assert!(md.contains("- b: stuck-once, low."), "{md}");
    // The class report lists the same tiers.
    let report = cohort.class_report(&focus).unwrap();
    assert_eq!(report.tiers, tiers);
    assert!(
        report
            .to_markdown(cohort.curriculum(), "Class")
            .contains("### Tier 3")
    );
}

#[test]
fn thresholds_are_settings() {
    let cohort = class(learners());
    let focus = curriculum().set_of(["c"]).unwrap();
    let strict = TierRules::default()
        .intensive_spins(1)
        .unwrap()
        .targeted_below(0.8)
        .unwrap()
        .min_attempts(2)
        .unwrap();
    let tiers = cohort.tiers(&focus, &strict, None).unwrap();
    let tier_of = |id: &str| tiers.placements.iter().find(|p| p.id == id).unwrap().tier;
    assert_eq!(tier_of("stuck-once"), Tier::Intensive);
    assert_eq!(tier_of("fine"), Tier::Targeted);
    assert_eq!(tier_of("too-few"), Tier::Targeted);
    for bad in [
        TierRules::default().wheel_spin_attempts(0).err(),
        TierRules::default().min_attempts(0).err(),
        TierRules::default().targeted_below(-0.1).err(),
        TierRules::default().intensive_spins(0).err(),
        TierRules::default().intensive_pace_ratio(1.0).err(),
        TierRules::default().intensive_pace_ratio(f64::NAN).err(),
    ] {
        assert!(matches!(bad, Some(mastery::Error::InvalidValue { .. })));
    }
    let wrong = cohort.tiers(&focus, &TierRules::default(), Some(&[]));
    assert!(matches!(wrong, Err(mastery::Error::SizeMismatch { .. })));
}

#[test]
fn falling_behind_the_pace_to_a_goal_raises_the_tier() {
    let c = curriculum();
    let model = Model::builder(c.clone()).build().unwrap();
    let now = 1_700_000_000;
    let mut ada = LearnerState::new(&model, "ada").unwrap();
    ada.set_goal(
        &model,
        "c",
        GoalSetter::Teacher,
        Some(now + 10 * 86_400),
        now,
    )
    .unwrap();
    let plan = Recommender::new(&model)
        .goal_plans(&ada, now)
        .unwrap()
        .remove(0);
    let with = |expected: f64| {
        let mut p = plan.clone();
        p.expected_days = Some(expected);
        p.on_track = Some(expected <= 10.0);
        vec![p]
    };
    let cohort =
        Cohort::from_states(&model, &[ada.clone(), ada.clone(), ada.clone()], now).unwrap();
    let plans = vec![with(8.0), with(15.0), with(25.0)];
    let tiers = cohort
        .tiers(
            &c.set_of(["c"]).unwrap(),
            &TierRules::default(),
            Some(&plans),
        )
        .unwrap();
    let got: Vec<Tier> = tiers.placements.iter().map(|p| p.tier).collect();
    assert_eq!(got, vec![Tier::Core, Tier::Targeted, Tier::Intensive]);
    let text = tiers.placements[2].evidence[0].explain(&c);
    assert_eq!(
        text,
        "goal c needs about 25 days at the current pace, 10 are left"
    );
}
