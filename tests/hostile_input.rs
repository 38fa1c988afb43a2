//! Regression tests for the fuzzing findings of issues 19 and 21: each input
//! below once allocated without bound, panicked, lost data or was read
//! differently by two readers.

use mastery::{Curriculum, Error, StandardSet};

fn six_standards() -> Curriculum {
    Curriculum::builder()
        .standard_ids(["A", "B", "C", "D", "E", "F"])
        .unwrap()
        .prerequisite("A", "B")
        .build()
        .unwrap()
}

/// Issue 19.1: `[4294967295]` (13 bytes) allocated a 512 MiB bit set.
#[test]
fn a_huge_standard_index_is_rejected_before_allocating() {
    let err = serde_json::from_str::<StandardSet>("[4294967295]").unwrap_err();
    assert!(err.to_string().contains("limit"), "{err}");
    // Below the cap it loads, and a curriculum query rejects it with a typed error.
    let set: StandardSet = serde_json::from_str("[9]").unwrap();
    let err = six_standards().ready_to_learn(&set).unwrap_err();
    assert!(
        matches!(err, Error::IndexOutOfRange { index: 9, len: 6 }),
        "{err}"
    );
}

/// Issue 19.2: attempts deserialized for a 6-standard curriculum naming
/// standard 9 panicked in the class report (ndarray index out of bounds).
#[cfg(feature = "cohort")]
#[test]
fn deserialized_attempts_are_checked_where_they_meet_the_curriculum() {
    use mastery::cohort::{Attempts, Cohort};
    let curriculum = six_standards();
    let attempts: Vec<Attempts> = serde_json::from_str(
        r#"[{"attempts":12,"correct":0,"mastered_at_last_evidence":false,"standard":9}]"#,
    )
    .unwrap();
    let matrix = ndarray::Array2::<f32>::zeros((1, 6));
    let err = Cohort::from_matrix(
        &curriculum,
        vec!["ada".into()],
        matrix.clone(),
        vec![attempts],
        0.95,
        0,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid cohort attempts: attempts of learner `ada` name standard #9, but the curriculum has 6 standards"
    );
    let inconsistent: Vec<Attempts> = serde_json::from_str(
        r#"[{"attempts":1,"correct":2,"mastered_at_last_evidence":false,"standard":3}]"#,
    )
    .unwrap();
    let err = Cohort::from_matrix(
        &curriculum,
        vec!["ada".into()],
        matrix,
        vec![inconsistent],
        0.95,
        0,
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("2 correct of 1 attempts on `D`"),
        "{err}"
    );
}

/// Issue 19.2, the same for a deserialized progress report rendered with a
/// smaller curriculum: unknown standards show as `?` instead of panicking.
#[cfg(feature = "cohort")]
#[test]
fn a_deserialized_progress_report_renders_unknown_standards_as_unknown() {
    use mastery::cohort::ProgressReport;
    let curriculum = six_standards();
    let report: ProgressReport = serde_json::from_value(serde_json::json!({
        "learner": "ada", "from": 0, "to": 10, "newly_mastered": [9],
        "mastered_total": 1, "evidence_count": 1, "active_days": 1,
        "goals": [{"goal": 7, "steps": [{"standard": 8, "mastery": 0.1, "opportunities": 3, "minutes": 20.0}], "opportunities": 3, "minutes": 20.0}],
        "plans": [], "choices_made": 0, "favorite_kind": null, "summary": "s"
    }))
    .unwrap();
    assert!(report.to_markdown(&curriculum).contains("**?**"));
    assert!(report.to_html(&curriculum).contains("<strong>?</strong>"));
}

/// Issue 19.3: a decay with huge growth was accepted, a half-life grew to
/// infinity, saved as `null` and the state no longer loaded.
#[test]
fn a_state_with_extreme_decay_saves_and_loads() {
    use mastery::{Decay, Evidence, LearnerState, Model, Outcome};
    let decay: Decay = serde_json::from_str(
        r#"{"growth":1e300, "half_life_days":496729.0, "lapse":1e0, "min_half_life_days":9}"#,
    )
    .unwrap();
    let model = Model::builder(six_standards())
        .decay(Some(decay))
        .build()
        .unwrap();
    let mut ada = LearnerState::new(&model, "ada").unwrap();
    for k in 0..4i64 {
        let t = 1_700_000_000 + k * 400_000 * 86_400;
        let e = Evidence::on_standard("ada", "B", Outcome::Correct, t).unwrap();
        ada.apply(&model, &e).unwrap();
    }
    let half_life = ada.practice(&model, "B").unwrap().unwrap().half_life_days();
    assert_eq!(half_life, Decay::MAX_HALF_LIFE_DAYS);
    let json = ada.to_json();
    let back = LearnerState::from_json(&model, &json).unwrap();
    assert_eq!(back, ada);
    assert_eq!(back.to_json(), json);
    // Half-lives beyond the documented range are refused up front.
    for bad in [1e7, f64::INFINITY, 1e-9] {
        assert!(
            Decay::new(bad, 1.0, 0.5, Decay::MIN_HALF_LIFE_DAYS).is_err(),
            "{bad}"
        );
    }
}

/// Issue 21.1: `now - updated_at` overflowed (a panic in debug builds; in
/// release an old answer counted as freshly mastered), and saved states
/// accepted timestamps of `i64::MIN`/`i64::MAX`.
#[test]
fn timestamps_are_bounded_and_time_arithmetic_saturates() {
    use mastery::time::{MAX_TIMESTAMP, MIN_TIMESTAMP};
    use mastery::{Decay, Evidence, LearnerState, Model, Outcome};
    let model = Model::builder(six_standards())
        .decay(Some(Decay::default()))
        .build()
        .unwrap();
    let mut ada = LearnerState::new(&model, "ada").unwrap();
    for bad in [i64::MIN, i64::MAX, MIN_TIMESTAMP - 1, MAX_TIMESTAMP + 1] {
        let err = Evidence::on_standard("ada", "A", Outcome::Correct, bad).unwrap_err();
        assert!(
            matches!(err, Error::TimestampOutOfRange { value, .. } if value == bad),
            "{err}"
        );
        let err = ada
            .apply_outcome(&model, "A", Outcome::Correct, bad)
            .unwrap_err();
        assert!(matches!(err, Error::TimestampOutOfRange { .. }), "{err}");
    }
    let ok = Evidence::on_standard("ada", "A", Outcome::Correct, 5).unwrap();
    let mut json = serde_json::to_value(&ok).unwrap();
    assert_eq!(
        serde_json::from_value::<Evidence>(json.clone()).unwrap(),
        ok
    );
    json["timestamp"] = serde_json::json!(i64::MAX);
    let err = serde_json::from_value::<Evidence>(json).unwrap_err();
    assert!(
        err.to_string().contains("outside the accepted timestamps"),
        "{err}"
    );

    // Evidence at both ends of the range, queried at the ends of i64.
    ada.apply_outcome(&model, "A", Outcome::Correct, MIN_TIMESTAMP)
        .unwrap();
    ada.apply_outcome(&model, "B", Outcome::Correct, MAX_TIMESTAMP)
        .unwrap();
    let prior = model.all_params()[0].prior();
    let far_future = ada.mastery_at(&model, "A", i64::MAX).unwrap();
    assert!((far_future - prior).abs() < 1e-9, "{far_future}");
    assert_eq!(
        ada.mastery_at(&model, "B", i64::MIN).unwrap(),
        ada.mastery(&model, "B").unwrap()
    );
    let all = ada.all_mastery_at(&model, i64::MAX).unwrap();
    assert!((all[0] - prior).abs() < 1e-9);
    let back = LearnerState::from_json(&model, &ada.to_json()).unwrap();
    assert_eq!(back, ada);

    // A saved state with a timestamp beyond the range is refused.
    let mut v: serde_json::Value = serde_json::from_str(&ada.to_json()).unwrap();
    v["practice"][1]["updated_at"] = serde_json::json!(i64::MAX);
    let err = LearnerState::from_json(&model, &v.to_string()).unwrap_err();
    assert!(
        err.to_string().contains("outside the accepted timestamps"),
        "{err}"
    );
    let mut v: serde_json::Value = serde_json::from_str(&ada.to_json()).unwrap();
    v["engagement"]["last_at"] = serde_json::json!(i64::MAX);
    assert!(LearnerState::from_json(&model, &v.to_string()).is_err());
}

fn read_log(csv: &str) -> mastery::Result<Vec<mastery::evidence::Response>> {
    use mastery::evidence::{ResponseColumns, read_responses};
    read_responses("log.csv", csv.as_bytes(), &ResponseColumns::default())
}

/// Issue 19.4: a byte order mark and old-Mac line ends (`\r` only) were two
/// rows to the evidence log reader and one header line ("missing column
/// `correct`") to the fit dataset. Both now split lines the same way.
#[test]
fn both_response_readers_agree_on_a_bom_and_lone_carriage_returns() {
    let log = "\u{feff}extra,order_id,user_id,skill_name,correct\r\rz,5,u1,A,1\r\rz,6,u2,B,0\r";
    let rows = read_log(log).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0].line, rows[1].line), (3, 5));
    assert_eq!((rows[0].order, rows[1].learner.as_str()), (5, "u2"));
    // A bad row is reported at the same line (5) by both.
    let bad = log.replace("z,6,u2,B,0", "z,6,u2,B,7");
    assert_eq!(
        read_log(&bad).unwrap_err().to_string(),
        "log.csv:5: column `correct`: expected 0, 1 or a score between 0 and 1, got \"7\""
    );
    #[cfg(feature = "fit")]
    {
        use mastery::fit::{Dataset, DatasetOptions};
        let options = DatasetOptions::default();
        for text in [log.to_owned(), log.replace("z,5", "\"z\",5")] {
            let (data, _) = Dataset::from_reader("log.csv", text.as_bytes(), &options).unwrap();
            assert_eq!(data.len(), 2, "{text:?}");
            assert_eq!(data.learners().len(), 2);
            let bad = text.replace("z,6,u2,B,0", "z,6,u2,B,7");
            let err = Dataset::from_reader("log.csv", bad.as_bytes(), &options).unwrap_err();
            assert_eq!(
                err.to_string(),
                "log.csv:5: column `correct`: expected 0 or 1, got \"7\""
            );
        }
    }
}

/// Issue 21.2: an unterminated quote in the last column swallowed the rest
/// of the file (3 standards loaded as 1, a 3-row log fitted on 1 row). Every
/// CSV reader now says where the quote opened.
#[test]
fn an_unterminated_quote_is_an_error_at_the_line_where_it_opened() {
    use mastery::{Catalog, CsvLoader};
    let check = |err: Error, file: &str, line: u64| match &err {
        Error::UnterminatedQuote { at } => {
            assert_eq!(at.file.as_deref(), Some(file), "{err}");
            assert_eq!(at.line, Some(line), "{err}");
        }
        _ => panic!("expected an unterminated quote, got {err}"),
    };
    let err = CsvLoader::new()
        .standards_reader("s.csv", "id,title\nA,x\nB,\"never closed\nC,z\n".as_bytes())
        .load()
        .unwrap_err();
    check(err, "s.csv", 3);
    let err = CsvLoader::new()
        .edges_reader("e.csv", "from,to\nA,B\r\nB,\"C\r\nC,D\r\n".as_bytes())
        .load()
        .unwrap_err();
    check(err, "e.csv", 3);
    let log = "order_id,user_id,skill_name,correct\n1,u1,A,1\n2,u1,A,\"1\n3,u1,A,0\n";
    check(read_log(log).unwrap_err(), "log.csv", 3);
    let err = Catalog::from_csv_reader(
        &six_standards(),
        "c.csv",
        "id,standards\na1,A\na2,\"A\na3,B\n".as_bytes(),
    )
    .unwrap_err();
    check(err, "c.csv", 3);
    #[cfg(feature = "fit")]
    {
        use mastery::fit::{BadRows, Dataset, DatasetOptions};
        for skip in [false, true] {
            let options = DatasetOptions::default().bad_rows(if skip {
                BadRows::Skip
            } else {
                BadRows::Fail
            });
            let err = Dataset::from_reader("log.csv", log.as_bytes(), &options).unwrap_err();
            check(err, "log.csv", 3);
        }
    }
    // Quoted fields that do close, also across lines, still read.
    let ok = "id,title\nA,\"x, \"\"y\"\"\"\nB,\"two\nlines\"\nC,z\n";
    let c = CsvLoader::new()
        .standards_reader("s.csv", ok.as_bytes())
        .load()
        .unwrap();
    assert_eq!(c.len(), 3);
    assert_eq!(c[c.index_of("A").unwrap()].title(), Some("x, \"y\""));
    assert_eq!(c[c.index_of("B").unwrap()].title(), Some("two\nlines"));
}

/// Issue 21.1 in the recommender: query times at the ends of `i64` neither
/// panic (debug builds checked the subtraction) nor wrap around.
#[test]
fn recommending_at_the_ends_of_time_does_not_overflow() {
    use mastery::learner::GoalSetter;
    use mastery::recommend::{ForecastOptions, RecommendOptions, Recommender};
    use mastery::time::MAX_TIMESTAMP;
    use mastery::{Catalog, Decay, Evidence, LearnerState, Model, Outcome};
    let ccss = Curriculum::ccss_math();
    let model = Model::builder(ccss.clone())
        .catalog(Catalog::demo(&ccss, 1))
        .decay(Some(Decay::default()))
        .build()
        .unwrap();
    let mut ada = LearnerState::new(&model, "ada").unwrap();
    for (k, t) in [0, 86_400, 5 * 86_400].into_iter().enumerate() {
        let e = Evidence::on_standard("ada", "K.CC.A.1", Outcome::from_correct(k != 1), t).unwrap();
        ada.apply(&model, &e).unwrap();
    }
    ada.set_goal(
        &model,
        "K.CC.A.3",
        GoalSetter::Teacher,
        Some(MAX_TIMESTAMP),
        10,
    )
    .unwrap();
    let recommender = Recommender::new(&model);
    for now in [i64::MIN, i64::MAX] {
        recommender
            .recommend(&ada, &RecommendOptions::new(now))
            .unwrap();
        recommender.goal_plans(&ada, now).unwrap();
        let _ = recommender.forecast(
            &ada,
            "K.CC.A.3",
            MAX_TIMESTAMP,
            now,
            &ForecastOptions::new(1),
        );
    }
    // Mastered long ago is not mastered at the end of time.
    let k = ccss.index_of("K.CC.A.1").unwrap();
    let later = ada.mastery_at(&model, k, i64::MAX).unwrap();
    assert!(later < ada.mastery(&model, k).unwrap());
}

/// Issue 14 (stable fuzz runner, `catalog_csv`): fields whose bytes are
/// invalid UTF-8 on their own but join to valid UTF-8 (`\xEF,\xBB\xBF` is a
/// byte order mark split over two fields) panicked slicing the record.
#[test]
fn a_character_split_over_two_fields_is_invalid_utf8_not_a_panic() {
    let curriculum = six_standards();
    let csv = b"id,kind,standards\np1,\xEF,\xBB\xBFpractice,A\n";
    let err = mastery::Catalog::from_csv_reader(&curriculum, "catalog.csv", &csv[..]).unwrap_err();
    assert!(matches!(err, Error::InvalidUtf8 { .. }), "{err}");
    assert_eq!(
        err.to_string().split(':').take(2).collect::<Vec<_>>(),
        ["catalog.csv", "2"]
    );
    let log = b"order_id,user_id,skill_name,correct\n1,\"u\xEF\",\xBB\xBF,1\n";
    let err = mastery::evidence::read_responses(
        "log.csv",
        &log[..],
        &mastery::evidence::ResponseColumns::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::InvalidUtf8 { .. }), "{err}");
    let standards = b"id,title,grade\nA,\xEF,\xBB\xBF\n";
    let err = mastery::CsvLoader::new()
        .standards_reader("s.csv", &standards[..])
        .load()
        .unwrap_err();
    assert!(matches!(err, Error::InvalidUtf8 { .. }), "{err}");
}

/// Issue 14 (libFuzzer, `dataset_csv`): a vertical tab at the end of a field
/// was kept by the fit dataset's fast path and trimmed by the general path
/// (and the evidence log reader), so a file with a quote elsewhere read
/// different ids.
#[cfg(feature = "fit")]
#[test]
fn a_vertical_tab_is_trimmed_by_both_dataset_paths() {
    use mastery::fit::{Dataset, DatasetOptions};
    let plain = "order_id,user_id,skill_name,correct\n1,u1\x0b,S,1\n2,u1,S,0\n";
    let quoted = plain.replacen("order_id", "\"order_id\"", 1);
    let options = DatasetOptions::default();
    let (a, _) = Dataset::from_reader("log.csv", plain.as_bytes(), &options).unwrap();
    let (b, _) = Dataset::from_reader("log.csv", quoted.as_bytes(), &options).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.learners(), ["u1"]);
}

/// Issue 14 (libFuzzer, `dataset_csv`): a first line of whitespace (here a
/// vertical tab) was skipped by the fit dataset's fast path and was an empty
/// header to the general path.
#[cfg(feature = "fit")]
#[test]
fn a_whitespace_first_line_is_no_header_on_both_dataset_paths() {
    use mastery::fit::{Dataset, DatasetOptions};
    let options = DatasetOptions::default();
    for text in [
        "\x0b\norder_id,user_id,skill_name,correct\n1,u,S,1\n",
        " \n1,u,S,1\n",
    ] {
        let quoted = format!("{text}\"x\"\n");
        let plain = Dataset::from_reader("log.csv", text.as_bytes(), &options).unwrap_err();
        let general = Dataset::from_reader("log.csv", quoted.as_bytes(), &options).unwrap_err();
        assert_eq!(plain.to_string(), "log.csv: no header line");
        assert_eq!(general.to_string(), plain.to_string());
    }
}
