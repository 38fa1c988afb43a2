//! Parity with pyBKT 1.4.3's forward pass (`Model.predict`) for fixed
//! parameters, on 2,600 ASSISTments rows over 5 skills (two with forget > 0).
//! The fixture and the script that made it are in `tests/fixtures/pybkt/`.

use mastery::evidence::{ResponseColumns, read_responses_path};
use mastery::learner::predict_responses;
use mastery::model::SkillParams;
use mastery::{Curriculum, Model};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/pybkt");

#[derive(Debug, serde::Deserialize)]
struct Expected {
    order_id: i64,
    user_id: String,
    skill_name: String,
    correct: u8,
    p_correct: f64,
    state_prediction: f64,
    reference_posterior: f64,
    reference_next: f64,
}

fn fixture() -> (Model, Vec<mastery::evidence::Response>, Vec<Expected>) {
    let params = SkillParams::from_path(format!("{FIXTURE}/params.json")).unwrap();
    assert!(params.params.values().filter(|p| p.forget() > 0.0).count() >= 2);
    let skills = Curriculum::builder()
        .standard_ids(params.params.keys().cloned())
        .unwrap()
        .build()
        .unwrap();
    let model = Model::plain_bkt(skills, params.params).unwrap();
    let rows = read_responses_path(
        format!("{FIXTURE}/responses.csv"),
        &ResponseColumns::default(),
    )
    .unwrap();
    let expected: Vec<Expected> = csv::Reader::from_path(format!("{FIXTURE}/expected.csv"))
        .unwrap()
        .deserialize()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), expected.len());
    assert!(rows.len() >= 2000);
    (model, rows, expected)
}

#[test]
fn p_correct_matches_pybkt_predict() {
    let (model, rows, expected) = fixture();
    let predictions = predict_responses(&model, &rows).unwrap();
    let mut worst = 0.0f64;
    for ((row, want), got) in rows.iter().zip(&expected).zip(&predictions) {
        assert_eq!(
            (row.order, row.learner.as_str(), row.skill.as_str()),
            (
                want.order_id,
                want.user_id.as_str(),
                want.skill_name.as_str()
            )
        );
        assert_eq!(u8::from(row.correct), want.correct);
        worst = worst.max((got.p_correct - want.p_correct).abs());
    }
    eprintln!("largest |p_correct - pyBKT| = {worst:e}");
    assert!(worst <= 1e-6, "largest |p_correct - pyBKT| = {worst:e}");
    // The fixture is not degenerate: predictions vary.
    let spread = expected
        .iter()
        .map(|e| e.p_correct)
        .fold(f64::NEG_INFINITY, f64::max)
        - expected
            .iter()
            .map(|e| e.p_correct)
            .fold(f64::INFINITY, f64::min);
    assert!(spread > 0.3);
}

#[test]
fn mastery_after_each_row_is_pybkts_next_state() {
    let (model, rows, expected) = fixture();
    let predictions = predict_responses(&model, &rows).unwrap();
    let worst = predictions
        .iter()
        .zip(&expected)
        .map(|(got, want)| (got.p_mastery - want.reference_next).abs())
        .fold(0.0, f64::max);
    assert!(
        worst <= 1e-6,
        "largest |p_mastery - next state| = {worst:e}"
    );
    // pyBKT's state prediction for a row is the state after the learner's previous row on the skill.
    let mut last: std::collections::HashMap<(&str, &str), f64> = std::collections::HashMap::new();
    for (row, (got, want)) in rows.iter().zip(predictions.iter().zip(&expected)) {
        let key = (row.learner.as_str(), row.skill.as_str());
        if let Some(previous) = last.get(&key) {
            assert!((previous - want.state_prediction).abs() <= 1e-6);
        }
        assert!(want.reference_posterior >= 0.0 && want.reference_posterior <= 1.0);
        last.insert(key, got.p_mastery);
    }
}

#[test]
fn batch_predict_matches_pybkt_predict() {
    use mastery::fit::{Dataset, DatasetOptions, PredictOptions, PredictParams, predict};
    let (_, rows, expected) = fixture();
    let params = SkillParams::from_path(format!("{FIXTURE}/params.json")).unwrap();
    let options = DatasetOptions::default().keep_row_keys(true);
    let (data, _) = Dataset::from_path(format!("{FIXTURE}/responses.csv"), &options).unwrap();
    assert_eq!(data.len(), rows.len());
    let batch = predict(
        &data,
        &PredictParams::from(&params),
        &PredictOptions::default(),
    )
    .unwrap();
    // Dataset rows are the file's rows in file order, as the fixture's.
    let mut worst = 0.0f64;
    for (r, (key, want)) in data.row_keys().unwrap().iter().zip(&expected).enumerate() {
        assert_eq!(key.order_id(), want.order_id);
        assert_eq!(data.learners()[key.learner() as usize], want.user_id);
        assert_eq!(data.skills()[key.skill() as usize].name(), want.skill_name);
        worst = worst
            .max((batch.p_correct()[r] - want.p_correct).abs())
            .max((batch.p_mastery()[r] - want.reference_next).abs());
    }
    eprintln!("largest |batch - pyBKT| = {worst:e}");
    assert!(worst <= 1e-8, "largest |batch - pyBKT| = {worst:e}");
}
