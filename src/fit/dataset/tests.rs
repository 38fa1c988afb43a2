//! Reading, grouping and merging, against sorting and one-pass reads.

use super::*;
use crate::error::Error;

const HEAD: &str = "order_id,user_id,skill_name,correct\n";

fn load(body: &str, skip: bool) -> Result<(Dataset, LoadReport)> {
    Dataset::from_reader(
        "r.csv",
        format!("{HEAD}{body}").as_bytes(),
        &DatasetOptions::default().bad_rows(if skip { BadRows::Skip } else { BadRows::Fail }),
    )
}

#[test]
fn groups_by_skill_then_learner_in_order() {
    let (d, _) = load("5,u2,B,1\n1,u1,A,0\n9,u1,B,0\n2,u1,A,1\n3,u10,A,1\n", false).unwrap();
    let names: Vec<&str> = d.skills().iter().map(SkillData::name).collect();
    assert_eq!(names, ["A", "B"]);
    let a = d.skill("A").unwrap();
    // Learners sorted as strings, as pyBKT does: u1 < u10.
    assert_eq!(a.sequence_count(), 2);
    assert_eq!(a.sequence(0), [0, 1]);
    assert_eq!(d.learners()[a.sequence_learner(1) as usize], "u10");
    assert_eq!(a.sequence_rows(0), [1, 3]);
    let b = d.skill("B").unwrap();
    assert_eq!(d.learners()[b.sequence_learner(0) as usize], "u1");
    assert_eq!(b.sequence(1), [1]);
}

#[test]
fn grouping_equals_sorting_by_skill_learner_order_and_line() {
    // A big skill (counting sort by learner) and small ones with many
    // learners (comparison sort); order_ids out of order and tied.
    let mut state = 12_345u64;
    let mut next = |n: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % n
    };
    let mut body = String::new();
    let mut rows = Vec::new();
    for line in 0..600u32 {
        let skill = if next(4) == 0 {
            format!("S{}", next(8))
        } else {
            "Big".to_owned()
        };
        let learner = format!("u{}", next(150));
        let order = next(40) as i64;
        let correct = u8::from(next(2) == 1);
        body += &format!("{order},{learner},{skill},{correct}\n");
        rows.push((skill, learner, order, line, correct));
    }
    let (d, _) = load(&body, false).unwrap();
    let mut expected = rows.clone();
    expected.sort_by(|a, b| (&a.0, &a.1, a.2, a.3).cmp(&(&b.0, &b.1, b.2, b.3)));
    let mut got = Vec::new();
    for skill in d.skills() {
        for s in 0..skill.sequence_count() {
            let learner = &d.learners()[skill.sequence_learner(s) as usize];
            for (&row, &correct) in skill.sequence_rows(s).iter().zip(skill.sequence(s)) {
                let (_, _, order, line, _) = &rows[row as usize];
                got.push((
                    skill.name().to_owned(),
                    learner.clone(),
                    *order,
                    *line,
                    correct,
                ));
            }
        }
    }
    assert_eq!(got, expected);
}

#[test]
fn bad_rows_fail_or_are_reported() {
    let body = "1,u1,A,1\n2,u1,A,2\nx,u1,A,1\n4,,A,1\n5,u1,A\n6,u1,A,0\n";
    let err = load(body, false).unwrap_err();
    assert_eq!(
        err.to_string(),
        "r.csv:3: column `correct`: expected 0 or 1, got \"2\""
    );
    let (d, report) = load(body, true).unwrap();
    assert_eq!(d.len(), 2);
    assert_eq!(report.rows_read, 6);
    assert_eq!(report.rows_used, 2);
    let lines: Vec<u64> = report.skipped.iter().map(|s| s.line).collect();
    assert_eq!(lines, [3, 4, 5, 6]);
    assert!(
        report.skipped[3].reason.contains("fields"),
        "{:?}",
        report.skipped[3]
    );
}

#[test]
fn nothing_usable_is_an_error() {
    assert!(matches!(load("", false), Err(Error::EmptyFile { .. })));
    assert!(matches!(
        load("1,u1,A,7\n", true),
        Err(Error::EmptyFile { .. })
    ));
    let no_correct = Dataset::from_reader(
        "r.csv",
        "order_id,user_id,skill_name\n1,a,A\n".as_bytes(),
        &DatasetOptions::default(),
    );
    assert!(matches!(no_correct, Err(Error::MissingColumn { .. })));
}

#[test]
fn errors_in_later_chunks_name_the_right_line() {
    let mut csv = String::from("order_id,user_id,skill_name,correct\n");
    for i in 0..200 {
        csv += &format!("{i},u{},S,1\n", i % 7);
    }
    let mut bytes = csv.clone().into_bytes();
    let at = csv.match_indices('\n').nth(150).unwrap().0 + 3; // inside data line 151, file line 152
    bytes[at] = 0xff;
    let err = Dataset::from_reader("r.csv", &bytes[..], &DatasetOptions::default()).unwrap_err();
    assert_eq!(err.to_string(), "r.csv:152: invalid UTF-8");
    let bad = csv.replacen("170,u2,S,1", "170,u2,S,7", 1);
    let err =
        Dataset::from_reader("r.csv", bad.as_bytes(), &DatasetOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "r.csv:172: column `correct`: expected 0 or 1, got \"7\""
    );
}

#[test]
fn chunks_merge_as_one_pass_reads() {
    // Learners, skills and items first seen in different chunks; bad rows throughout.
    let mut plain = String::from("order_id,user_id,skill_name,correct,item\n");
    for i in 0..400 {
        let correct = if i % 97 == 13 {
            "x"
        } else if i % 3 == 0 {
            "0"
        } else {
            "1"
        };
        plain += &format!(
            "{i},u{},S{},{correct},q{}\n",
            (i * 7 + i / 50) % (5 + i / 20),
            (i / 30) % 6,
            i % (2 + i / 100)
        );
    }
    // A quoted field sends the file through the csv crate in one pass.
    let quoted = plain.replacen("0,u0,S0", "\"0\",u0,S0", 1);
    let options = DatasetOptions::default()
        .item_column("item")
        .bad_rows(BadRows::Skip);
    let (a, report_a) = Dataset::from_reader("r.csv", plain.as_bytes(), &options).unwrap();
    let (b, report_b) = Dataset::from_reader("r.csv", quoted.as_bytes(), &options).unwrap();
    assert_eq!(a, b);
    assert_eq!(report_a, report_b);
    assert_eq!(report_a.skipped.len(), 4);
    assert_eq!(report_a.rows_read, 400);
}

#[test]
fn quoted_files_read_the_same_as_plain_ones() {
    let plain = "order_id,user_id,skill_name,correct\n2,u1,A,1\n1,u1,A,0\n3,u2,B,1\n";
    let quoted = "order_id,user_id,skill_name,correct\r\n\"2\",\"u1\",\"A\",1\r\n1,u1,A,0\r\n3,u2,\"B\",1\r\n";
    let options = DatasetOptions::default();
    let (a, _) = Dataset::from_reader("p.csv", plain.as_bytes(), &options).unwrap();
    let (b, _) = Dataset::from_reader("q.csv", quoted.as_bytes(), &options).unwrap();
    assert_eq!(a, b);
    let bad_plain = Dataset::from_reader(
        "p.csv",
        "order_id,user_id,skill_name,correct\n1,u,A,1\n2,u,A,x\n".as_bytes(),
        &options,
    );
    let bad_quoted = Dataset::from_reader(
        "p.csv",
        "order_id,user_id,skill_name,correct\n1,u,A,1\n2,\"u\",A,x\n".as_bytes(),
        &options,
    );
    assert_eq!(
        bad_plain.unwrap_err().to_string(),
        bad_quoted.unwrap_err().to_string()
    );
}

#[test]
fn items_are_per_skill() {
    let csv = "order_id,user_id,skill_name,correct,template\n1,a,A,1,t1\n2,a,A,0,t2\n3,a,B,1,t1\n4,b,A,1,t2\n";
    let (d, _) = Dataset::from_reader(
        "r.csv",
        csv.as_bytes(),
        &DatasetOptions::default().item_column("template"),
    )
    .unwrap();
    let a = d.skill("A").unwrap();
    assert_eq!(a.items(), ["t1", "t2"]);
    assert_eq!(a.sequence_items(0), [0, 1]);
    assert_eq!(a.sequence_items(1), [1]);
    assert_eq!(d.skill("B").unwrap().items(), ["t1"]);
}

#[test]
fn short_keys_pack_bytes_little_endian_with_the_length_on_top() {
    let bytes: Vec<u8> = (0u8..16)
        .map(|i| i.wrapping_mul(37).wrapping_add(200))
        .collect();
    for n in 0..16 {
        let id = &bytes[..n];
        let mut expected = (n as u128) << 120;
        for (i, &b) in id.iter().enumerate() {
            expected |= u128::from(b) << (8 * i);
        }
        assert_eq!(super::read::short_key(id), expected, "length {n}");
    }
    assert_ne!(super::read::short_key(b"a"), super::read::short_key(b"a\0"));
}

#[test]
fn rows_given_as_values_read_the_same_as_their_csv_text() {
    use crate::evidence::responses_csv;
    use crate::fit::{HmmParams, synthetic_responses};
    let skill = |items: usize| HmmParams {
        prior: 0.3,
        learn: 0.2,
        forget: 0.05,
        guess: vec![0.2; items],
        slip: vec![0.1; items],
    };
    // Enough rows for the plain reader's parallel chunks.
    let skills = [("b".to_owned(), skill(1)), ("a".to_owned(), skill(3))];
    let rows = synthetic_responses(&skills, 3_000, 5..=30, 3).unwrap();
    let csv = responses_csv(&rows, Some("item"));
    assert!(csv.len() > 1 << 20, "{} bytes", csv.len());
    for options in [
        DatasetOptions::default(),
        DatasetOptions::default().keep_row_keys(true),
        DatasetOptions::default().item_column("item"),
    ] {
        let text = Dataset::from_reader("r.csv", csv.as_bytes(), &options).unwrap();
        let values = Dataset::from_responses("r", &rows, &options).unwrap();
        assert_eq!(values.0, text.0);
        assert_eq!(values.1.rows_read, text.1.rows_read);
        assert_eq!(values.1.rows_used, text.1.rows_used);
    }
    assert!(matches!(
        Dataset::from_responses("r", &[], &DatasetOptions::default()),
        Err(Error::EmptyFile { .. })
    ));
}
