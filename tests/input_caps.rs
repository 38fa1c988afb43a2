//! Issue 21.6: inputs had no size cap, so `/dev/zero` ran every reader out
//! of memory. A line past `MAX_LINE_BYTES` (or a file past
//! `MAX_INPUT_BYTES`) is `Error::InputTooLarge` naming the file.

use std::io::Read;

use mastery::evidence::{ResponseColumns, read_responses};
use mastery::{Catalog, CsvLoader, Curriculum, Error, MAX_LINE_BYTES};

fn assert_too_large(err: Error, file: &str) {
    match &err {
        Error::InputTooLarge {
            file: f,
            limit,
            what,
            offset,
        } => {
            assert_eq!(&**f, file);
            assert_eq!((*limit, *what, *offset), (MAX_LINE_BYTES, "a line", 0));
        }
        other => panic!("expected InputTooLarge, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        format!("{file}: a line longer than 1048576 bytes, starting at byte 0")
    );
}

#[test]
fn endless_zeros_are_an_error_not_an_out_of_memory() {
    let zeros = || std::io::repeat(0);
    assert_too_large(
        CsvLoader::new()
            .standards_reader("zeros.csv", zeros())
            .load()
            .unwrap_err(),
        "zeros.csv",
    );
    assert_too_large(
        Catalog::from_csv_reader(&Curriculum::ccss_math(), "zeros.csv", zeros()).unwrap_err(),
        "zeros.csv",
    );
    assert_too_large(
        read_responses("zeros.csv", zeros(), &ResponseColumns::default()).unwrap_err(),
        "zeros.csv",
    );
    #[cfg(feature = "fit")]
    assert_too_large(
        mastery::fit::Dataset::from_reader("zeros.csv", zeros(), &Default::default()).unwrap_err(),
        "zeros.csv",
    );
}

#[test]
fn a_long_line_after_good_ones_says_where_it_starts() {
    let good = "id\nA\nB\n";
    let input = good.as_bytes().chain(std::io::repeat(b'x'));
    let err = CsvLoader::new()
        .standards_reader("s.csv", input)
        .load()
        .unwrap_err();
    assert!(
        matches!(err, Error::InputTooLarge { offset, .. } if offset == good.len() as u64),
        "{err:?}"
    );
    // Long lines below the cap still load (ids are capped on their own, at
    // MAX_ID_BYTES; a long description is fine).
    let long_text = "x".repeat(100_000);
    let c = CsvLoader::new()
        .standards_reader(
            "s.csv",
            format!("id,description\nA,{long_text}\n").as_bytes(),
        )
        .load()
        .unwrap();
    assert_eq!(c.standards()[0].description(), Some(&*long_text));
}

#[cfg(all(unix, feature = "fit"))]
#[test]
fn dev_zero_as_a_path() {
    assert_too_large(
        mastery::fit::Dataset::from_path("/dev/zero", &Default::default()).unwrap_err(),
        "/dev/zero",
    );
}

// Issue 14: ids are capped at MAX_ID_BYTES, so one hostile id cannot be
// copied into every index, report and saved state; errors show it shortened.

fn long_id() -> String {
    "x".repeat(mastery::MAX_ID_BYTES + 1)
}

#[test]
fn a_standard_id_beyond_max_id_bytes_is_invalid_at_its_line() {
    let csv = format!("id,grade\nA,K\n{},1\n", long_id());
    let err = CsvLoader::new()
        .standards_reader("standards.csv", csv.as_bytes())
        .load()
        .unwrap_err();
    match &err {
        Error::InvalidId { id, reason, at } => {
            assert_eq!(id, &format!("{}...", "x".repeat(64)));
            assert!(reason.contains("MAX_ID_BYTES"), "{reason}");
            assert_eq!(at.to_string(), "standards.csv:3: ");
        }
        other => panic!("expected InvalidId, got {other:?}"),
    }
    // Exactly MAX_ID_BYTES is still an id.
    let ok = format!("id,grade\n{},K\n", "y".repeat(mastery::MAX_ID_BYTES));
    let curriculum = CsvLoader::new()
        .standards_reader("standards.csv", ok.as_bytes())
        .load()
        .unwrap();
    assert_eq!(curriculum.len(), 1);
}

#[test]
fn evidence_with_an_over_long_learner_standard_or_activity_id_is_refused() {
    use mastery::{Evidence, Outcome, Target};
    let long = long_id();
    let learner = Evidence::new(
        &*long,
        Target::Standard("K.CC.A.1".into()),
        Outcome::Correct,
        0,
    );
    assert!(
        matches!(learner, Err(Error::InvalidId { .. })),
        "{learner:?}"
    );
    let standard = Evidence::new("ada", Target::Standard(long.clone()), Outcome::Correct, 0);
    assert!(
        matches!(standard, Err(Error::InvalidId { .. })),
        "{standard:?}"
    );
    let activity = Evidence::new("ada", Target::Activity(long), Outcome::Correct, 0);
    assert!(
        matches!(activity, Err(Error::InvalidActivityId { .. })),
        "{activity:?}"
    );
    assert!(
        Evidence::new(
            "ada",
            Target::Standard("K.CC.A.1".into()),
            Outcome::Correct,
            0
        )
        .is_ok()
    );
}

#[cfg(feature = "fit")]
#[test]
fn an_over_long_id_in_a_response_log_is_a_bad_row_with_its_line() {
    use mastery::fit::{BadRows, Dataset, DatasetOptions};
    let log = format!(
        "order_id,user_id,skill_name,correct\n1,ada,add,1\n2,{},add,0\n3,bob,add,1\n",
        long_id()
    );
    let err =
        Dataset::from_reader("log.csv", log.as_bytes(), &DatasetOptions::default()).unwrap_err();
    match &err {
        Error::Csv { at, message } => {
            assert_eq!(at.to_string(), "log.csv:3: ");
            assert!(message.contains("learner id is 1025 bytes"), "{message}");
        }
        other => panic!("expected Csv, got {other:?}"),
    }
    let (data, report) = Dataset::from_reader(
        "log.csv",
        log.as_bytes(),
        &DatasetOptions::default().bad_rows(BadRows::Skip),
    )
    .unwrap();
    assert_eq!(data.len(), 2);
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.skipped[0].line, 3);
}

#[test]
fn a_learner_state_with_an_empty_or_over_long_learner_id_is_refused() {
    use mastery::{LearnerState, Model};
    let model = Model::builder(Curriculum::ccss_math()).build().unwrap();
    assert!(matches!(
        LearnerState::new(&model, long_id()),
        Err(Error::InvalidId { .. })
    ));
    let json = LearnerState::new(&model, "ada").unwrap().to_json();
    assert!(LearnerState::from_json(&model, &json).is_ok());
    for bad in [String::new(), long_id()] {
        let edited = json.replacen("\"ada\"", &format!("{bad:?}"), 1);
        assert_ne!(edited, json);
        assert!(
            matches!(
                LearnerState::from_json(&model, &edited),
                Err(Error::Json { ref source, .. }) if source.to_string().contains("learner id")
            ),
            "learner id of {} bytes: {:?}",
            bad.len(),
            LearnerState::from_json(&model, &edited)
        );
    }
}
