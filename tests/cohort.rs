//! Cohorts: groupings partition the class and respect sizes, k-means is
//! deterministic and never empty, report numbers equal direct counts,
//! HTML is well-formed.

use mastery::cohort::{Attempts, Cohort, ProgressReport};
use mastery::{Curriculum, Evidence, LearnerState, Model, Outcome, StandardIdx, StandardSet};
use ndarray::Array2;
use proptest::prelude::*;

fn cohort(values: &[f32], learners: usize, ccss: &Curriculum) -> Cohort {
    let n = ccss.len();
    let matrix = Array2::from_shape_fn((learners, n), |(l, s)| {
        values[(l * 31 + s * 7) % values.len()]
    });
    let attempts = (0..learners)
        .map(|l| {
            if l % 5 == 0 {
                vec![Attempts {
                    standard: StandardIdx::new(l % n).unwrap(),
                    attempts: 12,
                    correct: 2,
                    mastered_at_last_evidence: false,
                }]
            } else {
                vec![]
            }
        })
        .collect();
    Cohort::from_matrix(
        ccss,
        (0..learners).map(|l| format!("learner{l}")).collect(),
        matrix,
        attempts,
        0.95,
        0,
    )
    .unwrap()
}

/// A class without attempts over `curriculum`, learners `l0`, `l1`, ...
fn class_of(curriculum: &Curriculum, matrix: Array2<f32>) -> Cohort {
    let n = matrix.nrows();
    Cohort::from_matrix(
        curriculum,
        (0..n).map(|l| format!("l{l}")).collect(),
        matrix,
        vec![vec![]; n],
        0.95,
        0,
    )
    .unwrap()
}

/// A -> B.
fn a_before_b() -> Curriculum {
    Curriculum::builder()
        .standard_ids(["A", "B"])
        .unwrap()
        .prerequisite("A", "B")
        .build()
        .unwrap()
}

fn partition_ok(groups: &[mastery::cohort::Group], learners: usize) -> Result<(), TestCaseError> {
    let mut seen = vec![0; learners];
    for g in groups {
        prop_assert!(!g.learners.is_empty(), "empty group");
        for &l in &g.learners {
            seen[l] += 1;
        }
    }
    prop_assert!(seen.iter().all(|&c| c == 1), "every learner exactly once");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn need_groups_partition_the_class_within_bounds(
        values in proptest::collection::vec(prop_oneof![Just(0.99f32), Just(0.2f32), 0.0f32..=1.0], 5..40),
        learners in 1usize..80,
        min in 1usize..6,
        extra in 0usize..6,
    ) {
        let ccss = Curriculum::ccss_math();
        let class = cohort(&values, learners, &ccss);
        let max = 2 * min - 1 + extra; // with max >= 2 min - 1 the bounds are always feasible
        let grouping = class.group_by_need(&class.grade("4"), min, max).unwrap();
        partition_ok(&grouping.groups, learners)?;
        if learners >= min {
            for g in &grouping.groups {
                prop_assert!((min..=max).contains(&g.learners.len()), "size {} outside {}..={}", g.learners.len(), min, max);
            }
        }
        for g in &grouping.groups {
            prop_assert!(!g.why.is_empty());
        }
    }

    #[test]
    fn kmeans_is_deterministic_and_never_empty(
        values in proptest::collection::vec(0.0f32..=1.0, 5..40),
        learners in 1usize..60,
        k in 1usize..6,
        seed in any::<u64>(),
    ) {
        prop_assume!(k <= learners);
        let ccss = Curriculum::ccss_math();
        let class = cohort(&values, learners, &ccss);
        let a = class.group_by_profile(&class.grade("4"), k, seed).unwrap();
        let b = class.group_by_profile(&class.grade("4"), k, seed).unwrap();
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(a.groups.len(), k);
        partition_ok(&a.groups, learners)?;
    }
}

#[test]
fn infeasible_bounds_still_partition_and_terminate() {
    let ccss = Curriculum::ccss_math();
    let class = cohort(&[0.1, 0.99, 0.5, 0.97, 0.3], 5, &ccss);
    let grouping = class.group_by_need(&class.grade("3"), 3, 4).unwrap();
    let total: usize = grouping.groups.iter().map(|g| g.learners.len()).sum();
    assert_eq!(total, 5);
    assert!(class.group_by_need(&class.grade("3"), 0, 4).is_err());
    assert!(class.group_by_need(&class.grade("3"), 5, 4).is_err());
    assert!(class.group_by_profile(&class.grade("3"), 6, 1).is_err());
    assert!(class.group_by_profile(&StandardSet::new(), 2, 1).is_err());
}

#[test]
fn report_numbers_agree_with_direct_counts() {
    let ccss = Curriculum::ccss_math();
    let values = [0.99f32, 0.2, 0.6, 0.97, 0.1, 0.4, 0.96];
    let class = cohort(&values, 57, &ccss);
    let grade4 = class.grade("4");
    let report = class.class_report(&grade4).unwrap();
    assert_eq!(report.standards.len(), grade4.len());
    let m = class.mastery();
    for s in &report.standards {
        let j = s.standard.index();
        let mastered = (0..57).filter(|&l| m[[l, j]] >= 0.95).count() as f64 / 57.0;
        let started = (0..57)
            .filter(|&l| {
                m[[l, j]] < 0.95
                    && (m[[l, j]] >= 0.5
                        || class.attempts(l).iter().any(|a| a.standard == s.standard))
            })
            .count() as f64
            / 57.0;
        let blocked = (0..57)
            .filter(|&l| {
                m[[l, j]] < 0.5
                    && !class.attempts(l).iter().any(|a| a.standard == s.standard)
                    && ccss
                        .prerequisites(s.standard)
                        .unwrap()
                        .iter()
                        .any(|p| m[[l, p.index()]] < 0.95)
            })
            .count() as f64
            / 57.0;
        assert!((s.mastered - mastered).abs() < 1e-12);
        assert!((s.in_progress - started).abs() < 1e-12);
        assert!((s.blocked - blocked).abs() < 1e-12);
        assert!((s.mastered + s.in_progress + s.not_started + s.blocked - 1.0).abs() < 1e-12);
    }
    let spinning: Vec<usize> = (0..57)
        .filter(|&l| {
            class.attempts(l).iter().any(|a| {
                a.attempts >= 10
                    && !a.mastered_at_last_evidence
                    && m[[l, a.standard.index()]] < 0.95
            })
        })
        .collect();
    assert_eq!(
        report
            .wheel_spinning
            .iter()
            .map(|f| f.learner)
            .collect::<Vec<_>>(),
        spinning
    );
    let md = report.to_markdown(&ccss, "Grade 4");
    assert!(md.starts_with("# Grade 4") && md.contains("| 4.NF.A.1 |"));
}

#[test]
fn progress_report_speaks_plainly_and_html_is_well_formed() {
    let ccss = Curriculum::ccss_math();
    let model = Model::builder(ccss.clone()).build().unwrap();
    let before = LearnerState::new(&model, "Ada <A&B>").unwrap();
    let mut after = before.clone();
    let mut evidence = Vec::new();
    for (i, standard) in ["K.CC.B.4.a", "K.CC.B.4.b"].iter().enumerate() {
        for t in 0..8 {
            let e = Evidence::on_standard(
                "Ada <A&B>",
                *standard,
                Outcome::Correct,
                86_400 * (i as i64 + 1) + t * 60,
            )
            .unwrap();
            after.apply(&model, &e).unwrap();
            evidence.push(e);
        }
    }
    let report = ProgressReport::new(
        &model,
        &before,
        &after,
        &evidence,
        0,
        3 * 86_400,
        &["K.CC.B.5"],
    )
    .unwrap();
    assert_eq!(report.evidence_count, 16);
    assert_eq!(report.active_days, 2);
    let names: Vec<&str> = report
        .newly_mastered
        .iter()
        .map(|&s| ccss[s].id())
        .collect();
    assert!(
        names.contains(&"K.CC.B.4.a") && names.contains(&"K.CC.B.4.b"),
        "{names:?}"
    );
    assert!(
        report.summary.contains("mastered") && report.summary.contains("K.CC.B.5"),
        "{}",
        report.summary
    );
    assert!(!report.summary.contains("P(L)") && !report.summary.contains("0.95"));
    let html = report.to_html(&ccss);
    let doc = roxmltree::Document::parse_with_options(
        &html,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .expect("well-formed HTML");
    assert_eq!(doc.root_element().tag_name().name(), "html");
    assert!(html.contains("Ada &lt;A&amp;B&gt;"));
    assert!(
        report
            .to_markdown(&ccss)
            .contains("## Next steps toward K.CC.B.5")
    );
}

#[test]
fn from_matrix_rejects_bad_shapes_and_values() {
    let ccss = Curriculum::ccss_math();
    let bad_shape = Cohort::from_matrix(
        &ccss,
        vec!["a".into()],
        Array2::zeros((1, 3)),
        vec![vec![]],
        0.95,
        0,
    );
    assert!(bad_shape.is_err());
    let mut m = Array2::zeros((1, ccss.len()));
    m[[0, 3]] = f32::NAN;
    assert!(Cohort::from_matrix(&ccss, vec!["a".into()], m, vec![vec![]], 0.95, 0).is_err());
}

/// Issue 18, point 1: a shared class log must not leak other learners'
/// answers into one learner's progress report.
#[test]
fn progress_report_counts_only_its_own_learners_evidence() {
    let ccss = Curriculum::ccss_math();
    let model = Model::builder(ccss.clone()).build().unwrap();
    let names = ["ada", "bo", "cy"];
    let mut states: Vec<LearnerState> = names
        .iter()
        .map(|n| LearnerState::new(&model, *n).unwrap())
        .collect();
    let before = states.clone();
    let mut log = Vec::new();
    // ada answers 3 times on day 1; bo 5 times on days 2 and 3; cy 7 times on day 4.
    let plan: [(usize, &[i64]); 3] = [(0, &[1]), (1, &[2, 3]), (2, &[4])];
    let counts = [3usize, 5, 7];
    for (l, days) in plan {
        for k in 0..counts[l] {
            let day = days[k % days.len()];
            let e = Evidence::on_standard(
                names[l],
                "K.CC.A.1",
                Outcome::Correct,
                day * 86_400 + k as i64 * 60,
            )
            .unwrap();
            states[l].apply(&model, &e).unwrap();
            log.push(e);
        }
    }
    let expected_days = [1usize, 2, 1];
    for l in 0..3 {
        let report =
            ProgressReport::new(&model, &before[l], &states[l], &log, 0, 10 * 86_400, &[]).unwrap();
        assert_eq!(report.evidence_count, counts[l], "{}", names[l]);
        assert_eq!(report.active_days, expected_days[l], "{}", names[l]);
    }
    // States of two different learners are a caller's mistake, not a report.
    assert!(matches!(
        ProgressReport::new(&model, &before[0], &states[1], &log, 0, 10 * 86_400, &[]),
        Err(mastery::Error::LearnerMismatch { .. })
    ));
}

#[test]
fn a_family_report_tells_the_learners_goals_and_choices_in_plain_words() {
    use mastery::learner::{GoalSetter, Preferences};
    use mastery::recommend::{RecommendOptions, Recommender};
    use mastery::{ActivityKind, Catalog};
    let ccss = Curriculum::ccss_math();
    let model = Model::builder(ccss.clone())
        .catalog(Catalog::demo(&ccss, 1))
        .build()
        .unwrap();
    let t0 = 1_700_000_000;
    let before = LearnerState::new(&model, "ada").unwrap();
    let mut ada = before.clone();
    ada.set_preferences(Preferences::new().with_preferred_kind(ActivityKind::Video));
    ada.set_goal(&model, "K.CC.A.3", GoalSetter::Learner, None, t0)
        .unwrap();
    ada.set_goal(&model, "1.OA.A.1", GoalSetter::Teacher, None, t0)
        .unwrap();
    let recommender = Recommender::new(&model);
    for k in 0..2 {
        let choices = recommender
            .choices(&ada, &RecommendOptions::new(t0 + k))
            .unwrap();
        let choice = &choices.choices[0];
        let video = choice
            .options
            .iter()
            .find(|o| o.kind == ActivityKind::Video)
            .unwrap()
            .activity_id
            .clone();
        choice.take(&model, &mut ada, &video, t0 + k).unwrap();
    }
    let report = ProgressReport::new(&model, &before, &ada, &[], t0 - 1, t0 + 86_400, &[]).unwrap();
    assert_eq!(report.plans.len(), 2);
    assert_eq!(
        (report.choices_made, report.favorite_kind),
        (2, Some(ActivityKind::Video))
    );
    let s = &report.summary;
    assert!(s.contains("ada's own goal K.CC.A.3: "), "{s}");
    assert!(s.contains("The teacher's goal 1.OA.A.1: "), "{s}");
    assert!(
        s.contains("ada picked 2 activities from the options offered, most often videos."),
        "{s}"
    );
    // Short: codes, no standard texts.
    let text = ccss[ccss.index_of("K.CC.A.3").unwrap()]
        .description()
        .unwrap();
    assert!(!s.contains(text));
    let md = report.to_markdown(&ccss);
    assert!(md.contains("## Goals") && md.contains("## Choices"), "{md}");
}

#[test]
fn counts_read_as_words() {
    let ccss = Curriculum::ccss_math();
    let model = Model::builder(ccss.clone()).build().unwrap();
    let before = LearnerState::new(&model, "ada").unwrap();
    let mut after = before.clone();
    let mut log = Vec::new();
    for k in 0..14 {
        let e = Evidence::on_standard("ada", "K.CC.A.1", Outcome::Correct, 1_000 + k).unwrap();
        after.apply(&model, &e).unwrap();
        log.push(e);
    }
    let report = ProgressReport::new(&model, &before, &after, &log, 0, 86_000, &[]).unwrap();
    assert!(
        report
            .to_markdown(&ccss)
            .contains("- Practice: 14 answers on 1 day\n")
    );
    assert!(report.to_html(&ccss).contains("14 answers on 1 day;"));
    let partial =
        Evidence::on_standard("ada", "K.CC.A.2", Outcome::score(0.5).unwrap(), 2_000).unwrap();
    let text = after.apply(&model, &partial).unwrap().explain(&ccss);
    assert!(
        text.starts_with("Your answer (scored 50%) on K.CC.A.2 "),
        "{text}"
    );
}

#[test]
fn blank_learners_are_blocked_or_not_started_never_both_and_few_standards_are_named() {
    let ccss = Curriculum::ccss_math();
    let model = Model::builder(ccss.clone()).build().unwrap();
    let blank = [
        LearnerState::new(&model, "a").unwrap(),
        LearnerState::new(&model, "b").unwrap(),
    ];
    let class = Cohort::from_states(&model, &blank, 10).unwrap();
    let grade4 = class.grade("4");
    let report = class.class_report(&grade4).unwrap();
    let mut any_blocked = false;
    for s in &report.standards {
        let sum = s.mastered + s.in_progress + s.not_started + s.blocked;
        assert!(
            (sum - 1.0).abs() < 1e-12,
            "{}: shares sum to {sum}",
            ccss[s.standard].id()
        );
        let has_prerequisite = !ccss.prerequisites(s.standard).unwrap().is_empty();
        // Nothing is mastered: a standard with a prerequisite is blocked for
        // both, one without is not started for both.
        assert_eq!(s.blocked, if has_prerequisite { 1.0 } else { 0.0 });
        any_blocked |= has_prerequisite;
    }
    assert!(any_blocked);
    assert!(
        report.most_blocked.len() <= mastery::cohort::MOST_BLOCKED,
        "{} standards named",
        report.most_blocked.len()
    );
    assert!(!report.most_blocked.is_empty());
    // All are blocked for everyone: the ones more standards build on come first.
    let builds_on: Vec<usize> = report
        .most_blocked
        .iter()
        .map(|&s| ccss.dependents(s).unwrap().len())
        .collect();
    assert!(builds_on.windows(2).all(|w| w[0] >= w[1]), "{builds_on:?}");
    let most = grade4
        .iter()
        .filter(|&s| !ccss.prerequisites(s).unwrap().is_empty())
        .map(|s| ccss.dependents(s).unwrap().len())
        .max()
        .unwrap();
    assert_eq!(builds_on[0], most);
}

/// Issue 17.6: groups that share a need say why they are apart, and learners
/// who joined a group with another need are named as such (the old text said
/// "Some of them need X first" of a standard the group's need does not build on).
#[test]
fn groups_with_the_same_need_say_why_they_are_apart() {
    // A -> C <- B, focus {C}: every learner's need is A (first in order) or B.
    let c = Curriculum::builder()
        .standard_ids(["A", "B", "C"])
        .unwrap()
        .prerequisites([("A", "C"), ("B", "C")])
        .build()
        .unwrap();
    // Eight learners need A at 10%..80%; one has A and needs B.
    let mut rows: Vec<[f32; 3]> = (0..8).map(|l| [0.1 * (l + 1) as f32, 0.0, 0.0]).collect();
    rows.push([0.99, 0.3, 0.0]);
    let n = rows.len();
    let matrix = Array2::from_shape_fn((n, 3), |(l, s)| rows[l][s]);
    let class = class_of(&c, matrix);
    let focus: StandardSet = [c.index_of("C").unwrap()].into_iter().collect();
    let grouping = class.group_by_need(&focus, 2, 5).unwrap();
    partition_ok(&grouping.groups, n).unwrap();
    let whys: Vec<&str> = grouping.groups.iter().map(|g| g.why.as_str()).collect();
    assert_eq!(grouping.groups.len(), 2, "{whys:#?}");
    // The 8 on A are split by how far along they are: top half first.
    assert!(whys[0].contains("group 1 of 2"), "{}", whys[0]);
    assert!(whys[0].contains("50-80%"), "{}", whys[0]);
    assert_eq!(grouping.groups[1].learners, vec![0, 1, 2, 3]);
    assert!(whys[1].contains("group 2 of 2"), "{}", whys[1]);
    assert!(whys[1].contains("10-40%"), "{}", whys[1]);
    assert_ne!(whys[0], whys[1]);
    // The one on B is alone, below the minimum of 2: it joins a group and is named.
    let joined = grouping
        .groups
        .iter()
        .position(|g| g.learners.contains(&8))
        .unwrap();
    assert!(
        whys[joined].contains("Also here, with another need: B (1 learner)"),
        "{}",
        whys[joined]
    );
    assert!(!whys.iter().any(|w| w.contains("first.")), "{whys:#?}");
}

/// Learners within the almost band of their need hear that a check may do.
#[test]
fn a_group_almost_at_the_bar_is_told_so() {
    let c = a_before_b();
    let matrix = Array2::from_shape_fn(
        (3, 2),
        |(l, s)| if s == 0 { 0.92 + 0.01 * l as f32 } else { 0.0 },
    );
    let class = class_of(&c, matrix);
    let focus: StandardSet = [c.index_of("B").unwrap()].into_iter().collect();
    let grouping = class.group_by_need(&focus, 1, 6).unwrap();
    assert_eq!(grouping.groups.len(), 1);
    let why = &grouping.groups[0].why;
    assert!(
        why.contains("almost there (92-94%; mastered is 95%)"),
        "{why}"
    );
    // 80% is not almost.
    let matrix = Array2::from_shape_fn((3, 2), |(_, s)| if s == 0 { 0.8 } else { 0.0 });
    let class = class_of(&c, matrix);
    let why = &class.group_by_need(&focus, 1, 6).unwrap().groups[0].why;
    assert!(!why.contains("almost"), "{why}");
}

/// Learners level on their need and split only for size are told so, not
/// given two equal ranges as if those explained the split.
#[test]
fn groups_split_only_for_size_say_so() {
    let c = a_before_b();
    let n = 10;
    let matrix = Array2::from_shape_fn((n, 2), |(_, s)| if s == 0 { 0.5 } else { 0.0 });
    let class = class_of(&c, matrix);
    let focus: StandardSet = [c.index_of("B").unwrap()].into_iter().collect();
    let grouping = class.group_by_need(&focus, 2, 5).unwrap();
    partition_ok(&grouping.groups, n).unwrap();
    assert_eq!(grouping.groups.len(), 2);
    for (i, g) in grouping.groups.iter().enumerate() {
        let other = 2 - i;
        assert!(
            g.why.contains(&format!(
                "at 50.0%, like group {other}: they are apart only to keep groups small."
            )),
            "{}",
            g.why
        );
    }
}
