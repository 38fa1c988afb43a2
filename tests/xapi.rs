//! xAPI ingestion of a hand-written set of 36 statements
//! (`tests/fixtures/xapi/statements.jsonl`): every supported verb and actor
//! form, scaled and raw scores, voided statements, duplicates, bad
//! timestamps and unknown objects; and the export of mastery changes.

use mastery::evidence::xapi::{Alignment, SkipReason, StatementId, XapiBatch, XapiReader};
use mastery::{Curriculum, Evidence, LearnerState, Model, Outcome, Target};

const LINES: &str = include_str!("fixtures/xapi/statements.jsonl");
const ALIGNMENT: &str = include_str!("fixtures/xapi/alignment.json");

/// 2026-09-01T10:00:00Z.
const T0: i64 = 1_788_256_800;

const ADA: &str = "mailto:ada@example.org";
const BO: &str = "https://lms.example.org|bo";
const CY: &str = "https://openid.example.org/cy";
const DI: &str = "sha1:ebd31e95054c018b10727ccffd2ef2ec3a016ee9";

fn alignment() -> Alignment {
    Alignment::from_json("alignment.json", ALIGNMENT).unwrap()
}

fn id(n: u32) -> StatementId {
    format!("5e0f0000-0000-4000-8000-{n:012x}").parse().unwrap()
}

fn std(learner: &str, standard: &str, outcome: Outcome, t: i64) -> Evidence {
    Evidence::on_standard(learner, standard, outcome, t).unwrap()
}

fn expected_evidence() -> Vec<(usize, Evidence)> {
    let partial = |x| Outcome::score(x).unwrap();
    vec![
        (0, std(ADA, "3.NF.A.1", Outcome::Correct, T0)),
        (1, std(ADA, "3.NF.A.1", Outcome::Incorrect, T0 + 60)),
        (2, std(BO, "3.NF.A.2", Outcome::Correct, T0 + 120)),
        (3, std(CY, "3.NF.A.2", partial(0.5), T0 + 180)),
        (4, std(DI, "3.NF.A.3", Outcome::Correct, T0 + 240)),
        (5, std(ADA, "3.NF.A.3", Outcome::Incorrect, T0 + 300)),
        (6, std(BO, "3.NF.A.3", partial(0.7), T0 + 360)),
        (7, std(CY, "3.NF.A.1", Outcome::Correct, T0 + 420)),
        // Through context.contextActivities.parent.
        (10, std(ADA, "3.NF.A.1", Outcome::Correct, T0 + 600)),
        (
            21,
            Evidence::on_activity(ADA, "video-halves", Outcome::Correct, T0 + 1260).unwrap(),
        ),
        // 12:22+02:00.
        (22, std(ADA, "3.NF.A.2", Outcome::Correct, T0 + 1320)),
        // `stored` when there is no timestamp.
        (25, std(BO, "3.NF.A.1", Outcome::Correct, T0 + 1530)),
        (29, std(DI, "3.NF.A.1", Outcome::Correct, T0 + 1740)),
        // `passed` with result.success false: the result wins.
        (30, std(DI, "3.NF.A.2", Outcome::Incorrect, T0 + 1800)),
        // No id; 10:33-05:00; the score wins over success.
        (
            33,
            std(ADA, "3.NF.A.3", partial(0.25), T0 + 5 * 3600 + 33 * 60),
        ),
    ]
}

fn check_first_read(batch: &XapiBatch) {
    assert_eq!(batch.statements, 36);
    let got: Vec<(usize, Evidence)> = batch
        .evidence
        .iter()
        .map(|e| (e.index, e.evidence.clone()))
        .collect();
    assert_eq!(got, expected_evidence());
    assert_eq!(batch.evidence[0].statement_id, Some(id(0)));
    assert_eq!(batch.evidence.last().unwrap().statement_id, None);

    let skipped: Vec<(usize, &SkipReason)> =
        batch.skipped.iter().map(|s| (s.index, &s.reason)).collect();
    let kinds: Vec<(usize, &str)> = skipped
        .iter()
        .map(|&(i, r)| {
            let kind = match r {
                SkipReason::Malformed(_) => "malformed",
                SkipReason::BadStatementId => "bad id",
                SkipReason::UnsupportedActor(_) => "actor",
                SkipReason::UnknownObject(_) => "object",
                SkipReason::NoOutcome => "no outcome",
                SkipReason::BadScore(_) => "score",
                SkipReason::BadTimestamp(_) => "timestamp",
                SkipReason::Duplicate => "duplicate",
                SkipReason::Voided { .. } => "voided",
                _ => "other",
            };
            (i, kind)
        })
        .collect();
    assert_eq!(
        kinds,
        [
            (9, "object"),
            (11, "timestamp"),
            (12, "timestamp"),
            (13, "duplicate"),
            (14, "actor"),
            (15, "actor"),
            (16, "score"),
            (17, "score"),
            (18, "no outcome"),
            (19, "bad id"),
            (20, "malformed"),
            (23, "voided"),
            (26, "timestamp"),
            (28, "voided"),
            (31, "actor"),
            (32, "object"),
            (35, "score"),
        ]
    );
    let reason = |index: usize| {
        batch
            .skipped
            .iter()
            .find(|s| s.index == index)
            .unwrap()
            .reason
            .to_string()
    };
    assert_eq!(
        reason(9),
        "no alignment for `https://content.example.org/items/not-aligned`"
    );
    assert!(reason(11).contains("no offset"), "{}", reason(11));
    assert!(reason(12).contains("no such date"), "{}", reason(12));
    assert_eq!(reason(14), "unsupported actor: a Group is not one learner");
    assert!(reason(16).contains("without min and max"));
    assert!(reason(17).contains("-0.5"));
    assert!(reason(35).contains("not within"));
    assert_eq!(reason(23), format!("voided by statement {}", id(0x18)));
    assert_eq!(reason(28), format!("voided by statement {}", id(0x1b)));
    assert_eq!(
        reason(32),
        "no alignment for `an object of type SubStatement`"
    );
    // Every skipped statement names its id where it had one.
    let named = |index: usize| {
        batch
            .skipped
            .iter()
            .find(|s| s.index == index)
            .unwrap()
            .statement_id
            .clone()
    };
    assert_eq!(named(19).as_deref(), Some("not-a-uuid"));
    assert_eq!(named(13), Some(id(0).to_string()));
    assert_eq!(named(23), Some(id(0x17).to_string()));

    let ignored: Vec<(&str, usize)> = batch
        .ignored_verbs
        .iter()
        .map(|(v, n)| (v.as_str(), *n))
        .collect();
    assert_eq!(
        ignored,
        [
            ("http://adlnet.gov/expapi/verbs/experienced", 1),
            ("http://adlnet.gov/expapi/verbs/progressed", 1)
        ]
    );
    assert_eq!(batch.voiding, 2);
    assert!(batch.voided_earlier.is_empty());
    // Nothing dropped silently.
    let ignored_total: usize = batch.ignored_verbs.values().sum();
    assert_eq!(
        batch.evidence.len() + batch.skipped.len() + ignored_total + batch.voiding,
        batch.statements
    );
}

#[test]
fn thirty_six_hand_written_statements_give_the_expected_evidence_in_order() {
    let alignment = alignment();
    let batch = XapiReader::new(&alignment).read_json_lines_str(LINES);
    check_first_read(&batch);
    // The malformed statement is named by its line.
    let malformed = batch.skipped.iter().find(|s| s.index == 20).unwrap();
    assert_eq!(malformed.line, Some(21));
    assert_eq!(
        malformed.statement_id, None,
        "a statement cut short has no id to read"
    );
    let from_file = XapiReader::new(&alignment)
        .read_path("tests/fixtures/xapi/statements.jsonl")
        .unwrap();
    assert_eq!(from_file, batch);
}

#[test]
fn the_same_statements_as_a_json_array_give_the_same_evidence() {
    let alignment = alignment();
    let members: Vec<&str> = LINES.lines().filter(|l| !l.trim().is_empty()).collect();
    let array = format!(
        "[{}]",
        members
            .iter()
            .filter(|l| !l.ends_with(":"))
            .cloned()
            .collect::<Vec<_>>()
            .join(",\n")
    );
    let batch = XapiReader::new(&alignment)
        .read_array_str("statements.json", &array)
        .unwrap();
    // One statement fewer (the malformed line cannot be part of an array):
    // indices after it shift by one.
    let expected: Vec<Evidence> = expected_evidence().into_iter().map(|(_, e)| e).collect();
    let got: Vec<Evidence> = batch.evidence.iter().map(|e| e.evidence.clone()).collect();
    assert_eq!(got, expected);
    assert_eq!(batch.statements, 35);
    assert!(
        XapiReader::new(&alignment)
            .read_array_str("bad.json", "[{]")
            .is_err()
    );
    let via_reader = XapiReader::new(&alignment)
        .read("statements.json", array.as_bytes())
        .unwrap();
    assert_eq!(via_reader, batch);
}

#[test]
fn statements_read_twice_are_applied_once_and_late_voids_are_reported() {
    let alignment = alignment();
    let mut reader = XapiReader::new(&alignment);
    let first = reader.read_json_lines_str(LINES);
    check_first_read(&first);
    let again = reader.read_json_lines_str(LINES);
    // Only the statement without an id cannot be recognized.
    let indices: Vec<usize> = again.evidence.iter().map(|e| e.index).collect();
    assert_eq!(indices, [33]);
    let duplicates = again
        .skipped
        .iter()
        .filter(|s| s.reason == SkipReason::Duplicate)
        .count();
    // 14 statements with ids gave evidence and kept it, statement 23 gave
    // evidence before statement 24 voided it; plus the two voiding
    // statements and the in-file duplicate of statement 0.
    assert_eq!(duplicates, 14 + 1 + 2 + 1);

    // A voiding statement arriving later: evidence already given out is
    // reported for the caller to undo.
    let void = format!(
        r#"{{"id":"{}","actor":{{"mbox":"mailto:teacher@example.org"}},"verb":{{"id":"http://adlnet.gov/expapi/verbs/voided"}},"object":{{"objectType":"StatementRef","id":"{}"}},"timestamp":"2026-09-02T08:00:00Z"}}"#,
        id(0x100),
        id(0)
    );
    let late = reader.read_json_lines_str(&void);
    assert_eq!(late.voided_earlier, [id(0)]);
    assert_eq!(late.voiding, 1);
}

#[test]
fn ingested_evidence_updates_learner_states() {
    let ccss = Curriculum::ccss_math();
    let model = Model::builder(ccss.clone()).build().unwrap();
    let alignment = alignment();
    let batch = XapiReader::new(&alignment).read_json_lines_str(LINES);
    let mut ada = LearnerState::new(&model, ADA).unwrap();
    let prior = ada.mastery(&model, "3.NF.A.1").unwrap();
    for e in batch
        .evidence
        .iter()
        .filter(|e| e.evidence.learner() == ADA)
    {
        if matches!(e.evidence.target(), Target::Standard(_)) {
            ada.apply(&model, &e.evidence).unwrap();
        }
    }
    assert!(ada.mastery(&model, "3.NF.A.1").unwrap() > prior);
}

#[test]
fn mastery_changes_exported_as_statements_read_back() {
    let ccss = Curriculum::ccss_math();
    let model = Model::builder(ccss.clone()).build().unwrap();
    let mut ada = LearnerState::new(&model, ADA).unwrap();
    let mut statements = Vec::new();
    for i in 0..8 {
        let t = T0 + 60 * i;
        let answer = std(ADA, "3.NF.A.1", Outcome::Correct, t);
        let report = ada.apply(&model, &answer).unwrap();
        statements.extend(report.to_xapi(&model, ADA, t));
    }
    let verbs: Vec<&str> = statements
        .iter()
        .map(|s| s["verb"]["id"].as_str().unwrap())
        .collect();
    assert!(verbs.contains(&"http://adlnet.gov/expapi/verbs/mastered"));
    assert!(verbs.contains(&"http://adlnet.gov/expapi/verbs/progressed"));
    let mastered = statements
        .iter()
        .filter(|s| s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/mastered")
        .count();
    assert_eq!(mastered, 1, "mastered once, when the bar is crossed");
    // Deterministic ids: the same change exported twice has the same id.
    let mut again = LearnerState::new(&model, ADA).unwrap();
    let report = again
        .apply(&model, &std(ADA, "3.NF.A.1", Outcome::Correct, T0))
        .unwrap();
    assert_eq!(
        report.to_xapi(&model, ADA, T0)[0]["id"],
        statements[0]["id"]
    );

    // Our own reader takes the mastered statements back as evidence.
    let lines: Vec<String> = statements.iter().map(|s| s.to_string()).collect();
    let iri = statements[0]["object"]["id"].as_str().unwrap().to_owned();
    let alignment = Alignment::new().standard(iri, "3.NF.A.1");
    let back = XapiReader::new(&alignment).read_json_lines_str(&lines.join("\n"));
    assert_eq!(back.evidence.len(), 1);
    assert_eq!(back.evidence[0].evidence.learner(), ADA);
    assert_eq!(
        back.ignored_verbs
            .get("http://adlnet.gov/expapi/verbs/progressed"),
        Some(&(statements.len() - 1))
    );
    assert!(back.skipped.is_empty());
}

#[test]
fn json_lines_stream_one_line_at_a_time() {
    let alignment = alignment();
    let from_str = XapiReader::new(&alignment).read_json_lines_str(LINES);
    let streamed = XapiReader::new(&alignment)
        .read_json_lines("statements.jsonl", LINES.as_bytes())
        .unwrap();
    assert_eq!(streamed, from_str);
    // Carriage returns, a byte order mark, and a line that is not UTF-8.
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(LINES.lines().next().unwrap().as_bytes());
    bytes.extend_from_slice(b"\r\n\xFF\xFE\r\n");
    let batch = XapiReader::new(&alignment)
        .read("crlf.jsonl", bytes.as_slice())
        .unwrap();
    assert_eq!(batch.evidence.len(), 1);
    assert_eq!(batch.skipped[0].line, Some(2));
    assert!(batch.skipped[0].reason.to_string().contains("UTF-8"));
    // One line past MAX_LINE_BYTES is an error, not a huge buffer.
    let long = format!(
        "{{\"id\":\"{}\"}}\n",
        "x".repeat(mastery::MAX_LINE_BYTES as usize)
    );
    let err = XapiReader::new(&alignment)
        .read_json_lines("long.jsonl", long.as_bytes())
        .unwrap_err();
    assert!(
        matches!(err, mastery::Error::InputTooLarge { .. }),
        "{err:?}"
    );
}
