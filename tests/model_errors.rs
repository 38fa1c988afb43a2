//! Bad input to the model and the learner state gives typed errors, never a
//! panic, and leaves the state unchanged.

use mastery::{
    Activity, ActivityKind, BktParams, Catalog, Curriculum, Decay, Error, Evidence, GuessSlip,
    LearnerState, Model, Outcome, Propagation, Target,
};

fn small() -> Curriculum {
    Curriculum::builder()
        .standard_ids(["A", "B", "C"])
        .unwrap()
        .prerequisites([("A", "B"), ("B", "C")])
        .build()
        .unwrap()
}

fn model() -> Model {
    let c = small();
    let catalog = Catalog::new(
        &c,
        [Activity::new("quiz", ActivityKind::Assessment)
            .aligned_to("B")
            .aligned_to("C")],
    )
    .unwrap();
    Model::builder(c).catalog(catalog).build().unwrap()
}

#[test]
fn unknown_standard_or_activity() {
    let model = model();
    let mut state = LearnerState::new(&model, "ada").unwrap();
    let err = state
        .apply(
            &model,
            &Evidence::on_standard("ada", "Z", Outcome::Correct, 0).unwrap(),
        )
        .unwrap_err();
    assert!(
        matches!(&err, Error::UnknownEvidenceTarget { source, .. }
            if matches!(source.as_ref(), Error::UnknownStandard { id, .. } if id == "Z")),
        "{err:?}"
    );
    let err = state
        .apply(
            &model,
            &Evidence::on_activity("ada", "nope", Outcome::Correct, 0).unwrap(),
        )
        .unwrap_err();
    assert!(
        matches!(&err, Error::UnknownEvidenceTarget { source, .. }
            if matches!(source.as_ref(), Error::UnknownActivity { id, .. } if id == "nope")),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "evidence of learner `ada` on activity nope at 0: unknown activity `nope`"
    );
    assert!(matches!(
        state.predict(&model, &Target::Standard("Z".into()), 0),
        Err(Error::UnknownStandard { .. })
    ));
    assert!(matches!(
        state.mastery(&model, "Z"),
        Err(Error::UnknownStandard { .. })
    ));
}

#[test]
fn bad_scores_and_ids() {
    for bad in [1.5, -0.5, f64::NAN, f64::NEG_INFINITY] {
        let err = Outcome::score(bad).unwrap_err();
        assert!(matches!(err, Error::InvalidValue { .. }), "{err:?}");
    }
    assert!(matches!(
        Evidence::on_standard("", "A", Outcome::Correct, 0),
        Err(Error::InvalidId { .. })
    ));
    assert!(matches!(
        Evidence::on_standard("ada", "", Outcome::Correct, 0),
        Err(Error::InvalidId { .. })
    ));
    assert!(matches!(
        LearnerState::new(&model(), ""),
        Err(Error::InvalidId { .. })
    ));
}

#[test]
fn bad_params() {
    let cases = [
        (0.5, 0.1, 0.0, 0.6, 0.4),      // guess + slip = 1
        (f64::NAN, 0.1, 0.0, 0.2, 0.1), // NaN prior
        (0.5, 1.2, 0.0, 0.2, 0.1),      // learn > 1
        (0.5, 0.7, 0.5, 0.2, 0.1),      // learn + forget > 1
        (0.5, 0.1, -0.1, 0.2, 0.1),     // negative forget
    ];
    for (prior, learn, forget, guess, slip) in cases {
        let err = BktParams::new(prior, learn, forget, guess, slip).unwrap_err();
        assert!(matches!(err, Error::InvalidValue { .. }), "{err:?}");
    }
    let err = BktParams::new(0.5, 0.1, 0.0, 0.6, 0.4).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("guess + slip (guess 0.6, slip 0.4) must be below 1"),
        "{err}"
    );
    assert!(GuessSlip::new(0.5, 0.5).is_err());
    assert!(Decay::new(0.0, 1.0, 0.5, 0.0).is_err());
    assert!(Decay::new(30.0, -1.0, 0.5, 1.0).is_err());
    assert!(Decay::new(30.0, 1.0, 0.0, 1.0).is_err());
    assert!(Decay::new(30.0, 1.0, 0.5, 31.0).is_err());
    assert!(Propagation::new(0.5, f64::NAN, 2).is_err());
    let json = r#"{"params": {"A": {"prior": 0.5, "learn": 0.1, "guess": 0.7, "slip": 0.4}}}"#;
    let err = mastery::model::SkillParams::from_json(json).unwrap_err();
    // Issue 21.6: the error did not name the skill.
    assert!(matches!(err, Error::InvalidValue { .. }), "{err:?}");
    assert!(err.to_string().contains("guess + slip"), "{err}");
    assert!(err.to_string().contains("of skill `A`"), "{err}");
    let json = r#"{"params": {"Median": {"prior": 1.5, "learn": 0.1, "guess": 0.2, "slip": 0.1}}}"#;
    let err = mastery::model::SkillParams::from_json(json).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("prior of skill `Median` must be"),
        "{err}"
    );
    // Through serde (e.g. inside a larger document) the message names it too.
    let err = serde_json::from_str::<mastery::model::SkillParams>(json).unwrap_err();
    assert!(err.to_string().contains("skill `Median`"), "{err}");
}

#[test]
fn model_builder_rejects_unknown_names_and_foreign_catalogs() {
    let err = Model::builder(small())
        .standard_params("Z", BktParams::default())
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::UnknownStandard { .. }), "{err:?}");
    let err = Model::builder(small())
        .activity_guess_slip("nope", GuessSlip::new(0.1, 0.1).unwrap())
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::UnknownActivity { .. }), "{err:?}");
    let other = Curriculum::builder()
        .standard_ids(["A", "B", "C"])
        .unwrap()
        .build()
        .unwrap();
    let foreign = Catalog::new(
        &other,
        [Activity::new("x", ActivityKind::Video).aligned_to("A")],
    )
    .unwrap();
    let err = Model::builder(small())
        .catalog(foreign)
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::CurriculumMismatch { .. }), "{err:?}");
    let err = Catalog::new(&small(), [Activity::new("x", ActivityKind::Video)]).unwrap_err();
    assert!(matches!(err, Error::UnalignedActivity { .. }), "{err:?}");
    let twice = [
        Activity::new("x", ActivityKind::Video).aligned_to("A"),
        Activity::new("x", ActivityKind::Video).aligned_to("B"),
    ];
    assert!(matches!(
        Catalog::new(&small(), twice),
        Err(Error::DuplicateActivity { .. })
    ));
}

#[test]
fn another_learners_evidence() {
    let model = model();
    let mut state = LearnerState::new(&model, "ada").unwrap();
    let err = state
        .apply(
            &model,
            &Evidence::on_standard("bob", "A", Outcome::Correct, 0).unwrap(),
        )
        .unwrap_err();
    assert!(matches!(err, Error::LearnerMismatch { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "evidence for learner `bob` applied to the state of learner `ada`"
    );
}

#[test]
fn state_of_another_curriculum() {
    let model = model();
    let mut state = LearnerState::new(&model, "ada").unwrap();
    state
        .apply(
            &model,
            &Evidence::on_standard("ada", "A", Outcome::Correct, 0).unwrap(),
        )
        .unwrap();
    let json = state.to_json();

    let other = Model::builder(
        Curriculum::builder()
            .standard_ids(["X", "B", "C"])
            .unwrap()
            .prerequisite("X", "C")
            .build()
            .unwrap(),
    )
    .build()
    .unwrap();
    // The state moves by standard id (tests/learner_growth.rs), but `other`
    // has no A, which the learner answered on.
    let err = LearnerState::from_json(&other, &json).unwrap_err();
    assert!(matches!(err, Error::InvalidState { .. }), "{err:?}");
    assert!(err.to_string().contains(r#"standard "A" has"#), "{err}");
    // Without the ids (a version-2 file) it is another curriculum's state.
    let mut v2: serde_json::Value = serde_json::from_str(&json).unwrap();
    v2["format_version"] = 2.into();
    v2.as_object_mut().unwrap().remove("standards");
    let err = LearnerState::from_json(&other, &v2.to_string()).unwrap_err();
    assert!(matches!(err, Error::CurriculumMismatch { .. }), "{err:?}");
    let err = state
        .apply(
            &other,
            &Evidence::on_standard("ada", "A", Outcome::Correct, 0).unwrap(),
        )
        .unwrap_err();
    assert!(matches!(err, Error::CurriculumMismatch { .. }), "{err:?}");
    assert!(matches!(
        state.mastery(&other, "A"),
        Err(Error::CurriculumMismatch { .. })
    ));
    // The same curriculum built again restores fine.
    assert_eq!(LearnerState::from_json(&model, &json).unwrap(), state);
}

#[test]
fn corrupted_state_json() {
    let model = model();
    let mut state = LearnerState::new(&model, "ada").unwrap();
    state
        .apply(
            &model,
            &Evidence::on_standard("ada", "A", Outcome::Correct, 0).unwrap(),
        )
        .unwrap();
    state
        .apply(
            &model,
            &Evidence::on_standard("ada", "C", Outcome::Correct, 0).unwrap(),
        )
        .unwrap();
    let json = state.to_json();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let corrupt = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut v = value.clone();
        edit(&mut v);
        LearnerState::from_json(&model, &v.to_string()).unwrap_err()
    };
    let errors = [
        corrupt(&|v| v["format_version"] = 7.into()),
        corrupt(&|v| v["mastery"][0] = 1.5.into()),
        corrupt(&|v| v["mastery"][0] = serde_json::Value::Null),
        corrupt(&|v| v["curriculum"] = "not hex".into()),
        corrupt(&|v| v["learner"] = "".into()),
        corrupt(&|v| v["practice"][0]["standard"] = 99.into()),
        corrupt(&|v| v["practice"][0]["correct"] = 5.into()),
        corrupt(&|v| v["practice"][0]["half_life_days"] = (-1.0).into()),
        corrupt(&|v| {
            let records = v["practice"].as_array().unwrap().clone();
            v["practice"] = serde_json::Value::Array(records.into_iter().rev().collect());
        }),
    ];
    for err in errors {
        assert!(matches!(err, Error::Json { .. }), "{err:?}");
    }
    // Issue 21.6: the right fingerprint with the wrong number of estimates
    // said "made for curriculum X, not this one (X)".
    let err = corrupt(&|v| {
        v["mastery"].as_array_mut().unwrap().push(0.5.into());
        v["standards"].as_array_mut().unwrap().push("X".into());
    });
    assert!(matches!(err, Error::InvalidState { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("holds 4 mastery estimates for its 3 standards"),
        "{text}"
    );
    assert!(!text.contains("not this one"), "{text}");
    assert!(matches!(
        LearnerState::from_json(&model, "{"),
        Err(Error::Json { .. })
    ));
}

#[test]
fn a_failing_batch_changes_nothing() {
    let model = model();
    let mut state = LearnerState::new(&model, "ada").unwrap();
    let before = state.clone();
    let batch = [
        Evidence::on_standard("ada", "A", Outcome::Correct, 0).unwrap(),
        Evidence::on_activity("ada", "quiz", Outcome::Incorrect, 1).unwrap(),
        Evidence::on_standard("ada", "Z", Outcome::Correct, 2).unwrap(),
    ];
    assert!(matches!(
        state.apply_batch(&model, &batch),
        Err(Error::UnknownEvidenceTarget {
            position: Some(2),
            ..
        })
    ));
    assert_eq!(state, before);
    state.apply_batch(&model, &batch[..2]).unwrap();
    assert_ne!(state, before);
    assert_eq!(state.practice(&model, "B").unwrap().unwrap().attempts(), 1);
}

#[test]
fn explanations_speak_plainly() {
    let c = small();
    let model = Model::builder(c)
        .default_params(BktParams::new(0.62, 0.0, 0.0, 0.2, 0.1).unwrap())
        .decay(None)
        .propagation(Propagation::default())
        .build()
        .unwrap();
    let mut state = LearnerState::new(&model, "ada").unwrap();
    let report = state
        .apply(
            &model,
            &Evidence::on_standard("ada", "B", Outcome::Correct, 0).unwrap(),
        )
        .unwrap();
    let text = report.explain(model.curriculum());
    // P(L | correct) = 0.62 * 0.9 / (0.62 * 0.9 + 0.38 * 0.2) = 0.880
    assert!(
        text.starts_with("Your correct answer on B raised your mastery from 62% to 88%."),
        "{text}"
    );
    assert!(
        text.ends_with("It also raised your mastery of the related standards A and C."),
        "{text}"
    );
    let report = state
        .apply(
            &model,
            &Evidence::on_standard("ada", "B", Outcome::Incorrect, 10).unwrap(),
        )
        .unwrap();
    assert!(
        report
            .explain(model.curriculum())
            .starts_with("Your incorrect answer on B lowered your mastery from 88%")
    );
}

/// Issue 18, point 6: an unknown standard in evidence names the learner and
/// the evidence (and its position in a batch), not just the id.
#[test]
fn unknown_standard_in_evidence_names_learner_and_evidence() {
    let model = model();
    let mut state = LearnerState::new(&model, "ada").unwrap();
    let bad = Evidence::on_standard("ada", "Z", Outcome::Correct, 1_700_000_000).unwrap();
    let err = state.apply(&model, &bad).unwrap_err();
    assert_eq!(
        err.to_string(),
        "evidence of learner `ada` on standard Z at 1700000000: unknown standard `Z`"
    );
    let good = Evidence::on_standard("ada", "A", Outcome::Correct, 1_700_000_000).unwrap();
    let before = state.clone();
    let err = state
        .apply_batch(&model, &[good.clone(), good, bad])
        .unwrap_err();
    match &err {
        Error::UnknownEvidenceTarget {
            learner,
            target,
            timestamp,
            position,
            ..
        } => {
            assert_eq!(learner, "ada");
            assert_eq!(target, &Target::Standard("Z".into()));
            assert_eq!((*timestamp, *position), (1_700_000_000, Some(2)));
        }
        other => panic!("expected UnknownEvidenceTarget, got {other:?}"),
    }
    assert!(err.to_string().contains("(item 2 of the batch)"), "{err}");
    assert!(std::error::Error::source(&err).is_some());
    assert_eq!(state, before, "nothing applied");
}

/// Issue 21.6: `predict_responses` errors gave the line but not the file.
#[test]
fn predict_responses_errors_name_the_file() {
    use mastery::evidence::{ResponseColumns, read_responses};
    use mastery::learner::{predict_responses, predict_responses_in};
    let skills = Curriculum::builder()
        .standard_ids(["Median"])
        .unwrap()
        .build()
        .unwrap();
    let model = Model::plain_bkt(skills, [("Median".to_owned(), BktParams::default())]).unwrap();
    let log = "order_id,user_id,skill_name,correct\n1,u1,Median,1\n2,u1,Mode,0\n";
    let rows = read_responses("log.csv", log.as_bytes(), &ResponseColumns::default()).unwrap();
    let err = predict_responses_in(&model, "log.csv", &rows).unwrap_err();
    assert!(matches!(err, Error::UnknownStandard { .. }), "{err:?}");
    assert_eq!(err.to_string(), "log.csv:3: unknown standard `Mode`");
    // Without a name, the line alone.
    let err = predict_responses(&model, &rows).unwrap_err();
    assert_eq!(err.to_string(), "line 3: unknown standard `Mode`");
}
