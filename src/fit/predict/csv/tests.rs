//! Streaming against `predict` on a `Dataset`, with blocks small enough to
//! cut lines anywhere.

use proptest::prelude::*;

use super::*;
use crate::fit::{BadRows, Dataset, predict};
use crate::model::{BktParams, SkillParams};

fn params() -> PredictParams {
    let mut skills = SkillParams::default();
    skills.params.insert(
        "Median".into(),
        BktParams::new(0.35, 0.12, 0.0, 0.22, 0.1).unwrap(),
    );
    skills.params.insert(
        "a skill with a long name".into(),
        BktParams::new(0.2, 0.3, 0.05, 0.25, 0.15).unwrap(),
    );
    PredictParams::from(&skills)
}

fn stream(
    log: &str,
    block: usize,
    options: &DatasetOptions,
    unknown: UnknownSkill,
) -> Result<(String, CsvPredictReport)> {
    let mut out = Vec::new();
    let report = predict_csv_in_blocks(
        "log.csv",
        (log.as_bytes(), &mut out, block),
        &params(),
        options,
        &PredictOptions::default().unknown_skill(unknown),
    )?;
    Ok((String::from_utf8(out).unwrap(), report))
}

/// The (p_correct, p_mastery) of every output line.
fn figures(out: &str) -> Vec<(f64, f64)> {
    out.lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            (f[4].parse().unwrap(), f[5].parse().unwrap())
        })
        .collect()
}

/// Streams `log` in blocks of every size in `blocks` and checks the
/// figures, bit for bit, and the report against `predict` on a `Dataset`.
fn check_equal(log: &str, blocks: &[usize], options: &DatasetOptions, unknown: UnknownSkill) {
    let (data, load) = Dataset::from_reader("log.csv", log.as_bytes(), options).unwrap();
    let expected = predict(
        &data,
        &params(),
        &PredictOptions::default().unknown_skill(unknown),
    )
    .unwrap();
    let expected: Vec<(f64, f64)> = expected
        .p_correct()
        .iter()
        .copied()
        .zip(expected.p_mastery().iter().copied())
        .collect();
    for &block in blocks {
        let (out, report) = stream(log, block, options, unknown).unwrap();
        assert_eq!(figures(&out), expected, "blocks of {block} bytes");
        assert_eq!(report.load, load, "blocks of {block} bytes");
    }
}

const BLOCKS: [usize; 5] = [1, 7, 40, 1000, BLOCK_BYTES];

#[test]
fn equals_predict_on_a_dataset_whatever_the_block_size() {
    let log = "order_id,user_id,skill_name,correct\n\
               1,u1,Median,1\n2,u2,Median,0\n3,u1,Median,0\n4,u1,a skill with a long name,1\n\
               5,a learner with a long id,Median,1\n6,a learner with a long id,Median,1\n\
               6,u2,Median,1\n7,u1,Median,1\n";
    check_equal(
        log,
        &BLOCKS,
        &DatasetOptions::default(),
        UnknownSkill::Reject,
    );
}

#[test]
fn line_ends_blank_lines_and_a_byte_order_mark_read_as_dataset_reads_them() {
    let log = "\u{feff}\r\n\norder_id,user_id,skill_name,correct\r\n1,u1,Median,1\r\n\r\n\
               2,u1,Median,0\r3,u2,Median,1\n4,u1,Median,1";
    check_equal(
        log,
        &BLOCKS,
        &DatasetOptions::default(),
        UnknownSkill::Reject,
    );
    let (out, _) = stream(log, 7, &DatasetOptions::default(), UnknownSkill::Reject).unwrap();
    assert_eq!(out.lines().count(), 5);
}

#[test]
fn other_columns_and_column_orders_are_read() {
    let log = "correct,extra,skill_name,order_id,user_id\n1,x,Median,1,u1\n0,y,Median,2,u1\n";
    check_equal(
        log,
        &BLOCKS,
        &DatasetOptions::default(),
        UnknownSkill::Reject,
    );
    let (out, _) = stream(log, 1000, &DatasetOptions::default(), UnknownSkill::Reject).unwrap();
    assert!(out.lines().nth(1).unwrap().starts_with("1,u1,Median,1,"));
}

#[test]
fn bad_rows_fail_at_their_line_or_are_reported_as_dataset_reports_them() {
    let log = "order_id,user_id,skill_name,correct\n1,u1,Median,1\n2,u1,Median,maybe\n\
               3,u1,Median\n4, u1 ,Median,1\nx,u1,Median,1\n5,u1,Median,0\n";
    let skip = DatasetOptions::default().bad_rows(BadRows::Skip);
    check_equal(log, &BLOCKS, &skip, UnknownSkill::Reject);
    for block in BLOCKS {
        let err = stream(log, block, &DatasetOptions::default(), UnknownSkill::Reject).unwrap_err();
        let expected = Dataset::from_reader("log.csv", log.as_bytes(), &DatasetOptions::default())
            .unwrap_err();
        assert_eq!(err.to_string(), expected.to_string());
        assert!(err.to_string().starts_with("log.csv:3: "), "{err}");
    }
}

#[test]
fn skills_without_parameters_are_an_error_at_their_line_or_a_half() {
    let log = "order_id,user_id,skill_name,correct\n1,u1,Median,1\n2,u1,Mode,0\n3,u1,Mode,1\n";
    check_equal(
        log,
        &BLOCKS,
        &DatasetOptions::default(),
        UnknownSkill::PredictHalf,
    );
    let (out, report) = stream(
        log,
        7,
        &DatasetOptions::default(),
        UnknownSkill::PredictHalf,
    )
    .unwrap();
    assert_eq!(report.unpredicted, 2);
    assert!(out.lines().nth(2).unwrap().ends_with(",0.5,0.5"));
    let err = stream(log, 7, &DatasetOptions::default(), UnknownSkill::Reject).unwrap_err();
    assert!(
        matches!(&err, Error::UnknownSkill { skill: id, at } if id == "Mode" && at.line == Some(3)),
        "{err:?}"
    );
}

#[test]
fn a_log_out_of_order_or_with_quotes_is_not_streamable_and_says_where() {
    for block in BLOCKS {
        let log = "order_id,user_id,skill_name,correct\n1,u1,Median,1\n5,u2,Median,0\n\
                   4,u1,Median,1\n";
        let err = stream(log, block, &DatasetOptions::default(), UnknownSkill::Reject).unwrap_err();
        assert!(
            matches!(&err, Error::NotStreamable { at, reason }
                if at.line == Some(4) && reason.contains("order_id 4 comes after 5")),
            "{err:?}"
        );
        let log = "order_id,user_id,skill_name,correct\n1,u1,Median,1\n2,\"u,2\",Median,0\n";
        let err = stream(log, block, &DatasetOptions::default(), UnknownSkill::Reject).unwrap_err();
        assert!(
            matches!(&err, Error::NotStreamable { at, .. } if at.line == Some(3)),
            "{err:?}"
        );
    }
}

#[test]
fn invalid_utf8_empty_input_and_missing_columns_are_typed_errors() {
    let mut bytes = b"order_id,user_id,skill_name,correct\n1,u1,Median,1\n2,u".to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe]);
    bytes.extend_from_slice(b",Median,1\n");
    for block in BLOCKS {
        let mut out = Vec::new();
        let err = predict_csv_in_blocks(
            "log.csv",
            (&bytes[..], &mut out, block),
            &params(),
            &DatasetOptions::default(),
            &PredictOptions::default(),
        )
        .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidUtf8 { at } if at.line == Some(3)),
            "{err:?}"
        );
    }
    let err = stream("\n\n", 1, &DatasetOptions::default(), UnknownSkill::Reject).unwrap_err();
    assert!(matches!(err, Error::EmptyFile { .. }), "{err:?}");
    let err = stream(
        "order_id,user_id,correct\n1,u1,1\n",
        1,
        &DatasetOptions::default(),
        UnknownSkill::Reject,
    )
    .unwrap_err();
    assert!(matches!(err, Error::MissingColumn { .. }), "{err:?}");
    // A header alone is an empty prediction, not an error: nothing to predict.
    let (out, report) = stream(
        "order_id,user_id,skill_name,correct\n",
        1,
        &DatasetOptions::default(),
        UnknownSkill::Reject,
    )
    .unwrap();
    assert_eq!(
        (out.as_str(), report.load.rows_used),
        (std::str::from_utf8(HEADER).unwrap(), 0)
    );
}

#[test]
fn per_item_guess_and_slip_are_used_with_the_item_column() {
    let mut skills = SkillParams::default();
    let p = BktParams::new(0.35, 0.12, 0.0, 0.22, 0.1).unwrap();
    skills.params.insert("Median".into(), p);
    skills.items.insert(
        "Median".into(),
        [
            (
                "easy".to_owned(),
                crate::model::GuessSlip::new(0.4, 0.05).unwrap(),
            ),
            (
                "hard".to_owned(),
                crate::model::GuessSlip::new(0.1, 0.3).unwrap(),
            ),
        ]
        .into_iter()
        .collect(),
    );
    let params = PredictParams::from(&skills);
    let log = "order_id,user_id,skill_name,correct,item\n1,u1,Median,1,easy\n\
               2,u1,Median,0,hard\n3,u1,Median,1,new\n";
    for options in [
        DatasetOptions::default().item_column("item"),
        DatasetOptions::default(),
    ] {
        let (data, _) = Dataset::from_reader("log.csv", log.as_bytes(), &options).unwrap();
        let expected = predict(&data, &params, &PredictOptions::default()).unwrap();
        let mut out = Vec::new();
        predict_csv_in_blocks(
            "log.csv",
            (log.as_bytes(), &mut out, 9),
            &params,
            &options,
            &PredictOptions::default(),
        )
        .unwrap();
        let got = figures(std::str::from_utf8(&out).unwrap());
        let want: Vec<f64> = expected.p_correct().to_vec();
        assert_eq!(got.iter().map(|g| g.0).collect::<Vec<_>>(), want);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any log in order_id order (ties included), in blocks of any size,
    /// on any number of threads: the figures of `predict`, bit for bit.
    #[test]
    fn streaming_equals_predicting_a_dataset(
        rows in prop::collection::vec((0u8..3, 0u8..6, 0u8..3, any::<bool>()), 1..120),
        block in 1usize..300,
        threads in 1usize..4,
    ) {
        let skills = ["Median", "a skill with a long name", "Mode"];
        let mut log = String::from("order_id,user_id,skill_name,correct\n");
        let mut order = 0;
        for (step, learner, skill, correct) in rows {
            order += u32::from(step);
            let learner = if learner == 5 { "a learner with a long id".to_owned() } else { format!("u{learner}") };
            log.push_str(&format!("{order},{learner},{},{}\n", skills[usize::from(skill)], u8::from(correct)));
        }
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| check_equal(&log, &[block], &DatasetOptions::default(), UnknownSkill::PredictHalf));
    }

    /// Any mix of line ends (`\n`, `\r\n`, a lone `\r`, blank lines between)
    /// splits rows and numbers lines as the dataset reader does.
    #[test]
    fn line_ends_of_any_mix_read_as_dataset_reads_them(
        rows in prop::collection::vec((0u8..5, any::<bool>(), any::<bool>()), 1..60),
        block in 1usize..200,
    ) {
        let ends = ["\n", "\r\n", "\r", "\n\n", "\r\r\n"];
        let mut log = String::from("order_id,user_id,skill_name,correct");
        for (order, (end, learner, correct)) in rows.into_iter().enumerate() {
            log.push_str(ends[usize::from(end)]);
            log.push_str(&format!("{order},u{},Median,{}", u8::from(learner), u8::from(correct)));
        }
        check_equal(&log, &[block], &DatasetOptions::default(), UnknownSkill::Reject);
        // A bad row after such line ends is reported at the dataset's line.
        let bad = format!("{log}\r\nx,u1,Median,1\n");
        let err = stream(&bad, block, &DatasetOptions::default(), UnknownSkill::Reject).unwrap_err();
        let expected = Dataset::from_reader("log.csv", bad.as_bytes(), &DatasetOptions::default()).unwrap_err();
        prop_assert_eq!(err.to_string(), expected.to_string());
    }
}
