//! Batch prediction (`fit::predict`) against the per-row path
//! (`learner::predict_responses`) and an exact f64 replay, on a generated log
//! with forgetting, rows out of file order, bad rows, a skill without
//! parameters, and per-item guess and slip.

use std::collections::HashMap;

use mastery::evidence::{ResponseColumns, read_responses};
use mastery::fit::{
    BadRows, Dataset, DatasetOptions, FitReport, HmmParams, PredictOptions, PredictParams,
    SkillFit, UnknownSkill, predict, predict_csv, synthetic_log,
};
use mastery::learner::predict_responses;
use mastery::model::SkillParams;
use mastery::{BktParams, Curriculum, Error, Model, Outcome};

const HEAD: &str = "order_id,user_id,skill_name,correct\n";

fn hmm(prior: f64, learn: f64, forget: f64, guess: &[f64], slip: &[f64]) -> HmmParams {
    HmmParams {
        prior,
        learn,
        forget,
        guess: guess.to_vec(),
        slip: slip.to_vec(),
    }
}

/// Three skills with parameters (two with forgetting), one without; the
/// good rows' text in file order, and the whole file with bad rows.
fn generated_log() -> (SkillParams, Vec<String>, String) {
    let truth = [
        ("algebra", hmm(0.2, 0.15, 0.0, &[0.2], &[0.1])),
        ("fractions", hmm(0.4, 0.1, 0.08, &[0.25], &[0.12])),
        ("geometry", hmm(0.05, 0.3, 0.2, &[0.1], &[0.3])),
        ("no_params", hmm(0.5, 0.2, 0.0, &[0.2], &[0.2])),
    ];
    let skills: Vec<(String, HmmParams)> = truth
        .iter()
        .map(|(n, p)| ((*n).to_owned(), p.clone()))
        .collect();
    let csv = synthetic_log(&skills, 80, 1..=25, 11).unwrap();
    let mut lines: Vec<String> = csv.lines().skip(1).map(str::to_owned).collect();
    // File order is not order_id order everywhere: swap some neighbours.
    for i in (0..lines.len() - 1).step_by(7) {
        lines.swap(i, i + 1);
    }
    let mut params = SkillParams::default();
    // Fitted-looking parameters, not the truth.
    params.params.insert(
        "algebra".into(),
        BktParams::new(0.25, 0.12, 0.0, 0.18, 0.11).unwrap(),
    );
    params.params.insert(
        "fractions".into(),
        BktParams::new(0.35, 0.09, 0.07, 0.27, 0.1).unwrap(),
    );
    params.params.insert(
        "geometry".into(),
        BktParams::new(0.07, 0.28, 0.18, 0.12, 0.29).unwrap(),
    );
    let mut file = String::from(HEAD);
    let bad = [
        "x,learner1,algebra,1",
        "17,learner2,algebra,2",
        "18,learner3,fractions",
        "19,,geometry,0",
    ];
    for (i, line) in lines.iter().enumerate() {
        if i % 97 == 5 {
            file += bad[(i / 97) % bad.len()];
            file.push('\n');
        }
        file += line;
        file.push('\n');
    }
    (params, lines, file)
}

/// (order_id, learner, skill, correct) of good rows.
fn parse(line: &str) -> (i64, String, String, bool) {
    let f: Vec<&str> = line.split(',').collect();
    (f[0].parse().unwrap(), f[1].into(), f[2].into(), f[3] == "1")
}

/// The exact replay: rows in order_id order per (learner, skill), each
/// predicted with `BktParams::p_correct` and updated with `BktParams::update`.
fn replay(params: &SkillParams, lines: &[String]) -> HashMap<i64, (f64, f64)> {
    let mut rows: Vec<(i64, String, String, bool)> = lines.iter().map(|l| parse(l)).collect();
    rows.sort_by_key(|r| r.0);
    let mut state: HashMap<(String, String), f64> = HashMap::new();
    let mut out = HashMap::new();
    for (order, learner, skill, correct) in rows {
        let Some(p) = params.params.get(&skill) else {
            out.insert(order, (0.5, 0.5));
            continue;
        };
        let known = state.entry((learner, skill)).or_insert(p.prior());
        let p_correct = p.p_correct(*known);
        *known = p.update(*known, Outcome::from_correct(correct));
        out.insert(order, (p_correct, *known));
    }
    out
}

#[test]
fn batch_equals_the_exact_replay_and_the_per_row_path() {
    let (params, lines, file) = generated_log();
    let options = DatasetOptions::default()
        .bad_rows(BadRows::Skip)
        .keep_row_keys(true);
    let (data, report) = Dataset::from_reader("log.csv", file.as_bytes(), &options).unwrap();
    assert!(report.skipped.len() >= 8, "{}", report.skipped.len());
    assert_eq!(data.len(), lines.len());
    let batch = predict(
        &data,
        &PredictParams::from(&params),
        &PredictOptions::default().unknown_skill(UnknownSkill::PredictHalf),
    )
    .unwrap();
    let no_params = lines.iter().filter(|l| l.contains(",no_params,")).count();
    assert!(no_params > 100);
    assert_eq!(batch.unpredicted(), no_params);

    // Against the exact f64 replay: the same operations, so equal to 1e-12.
    let exact = replay(&params, &lines);
    let keys = data.row_keys().unwrap();
    let mut worst = 0.0f64;
    for (r, key) in keys.iter().enumerate() {
        let (pc, pm) = exact[&key.order_id()];
        worst = worst
            .max((batch.p_correct()[r] - pc).abs())
            .max((batch.p_mastery()[r] - pm).abs());
    }
    assert!(worst <= 1e-12, "batch vs exact replay: {worst:e}");

    // Against learner::predict_responses on the same good rows of known
    // skills, in order_id order. LearnerState stores mastery in 32-bit fixed
    // point (resolution 2.3e-10), and long runs of wrong answers amplify
    // that rounding by up to (1 - G) / S per step, so the per-row path is
    // only within about 5e-9 of exact f64 here (the README's 1e-8 claim).
    let mut known: Vec<(i64, &String)> = lines
        .iter()
        .filter(|l| !l.contains(",no_params,"))
        .map(|l| (parse(l).0, l))
        .collect();
    known.sort_by_key(|k| k.0);
    let text: String = std::iter::once(HEAD.to_owned())
        .chain(known.iter().map(|(_, l)| format!("{l}\n")))
        .collect();
    let rows = read_responses("known.csv", text.as_bytes(), &ResponseColumns::default()).unwrap();
    let curriculum = Curriculum::builder()
        .standard_ids(params.params.keys().cloned())
        .unwrap()
        .build()
        .unwrap();
    let model = Model::plain_bkt(curriculum, params.params.clone()).unwrap();
    let per_row = predict_responses(&model, &rows).unwrap();
    let row_of: HashMap<i64, usize> = keys
        .iter()
        .enumerate()
        .map(|(r, k)| (k.order_id(), r))
        .collect();
    let mut worst_per_row = 0.0f64;
    for (row, p) in rows.iter().zip(&per_row) {
        let r = row_of[&row.order];
        worst_per_row = worst_per_row
            .max((batch.p_correct()[r] - p.p_correct).abs())
            .max((batch.p_mastery()[r] - p.p_mastery).abs());
    }
    eprintln!("batch vs exact replay {worst:e}, vs predict_responses {worst_per_row:e}");
    assert!(worst_per_row <= 1e-8, "batch vs per-row: {worst_per_row:e}");
    assert!(worst_per_row > 0.0 || worst == 0.0);
}

#[test]
fn results_do_not_depend_on_the_number_of_threads() {
    let (params, _, file) = generated_log();
    let options = DatasetOptions::default().bad_rows(BadRows::Skip);
    let (data, _) = Dataset::from_reader("log.csv", file.as_bytes(), &options).unwrap();
    let params = PredictParams::from(&params);
    let options = PredictOptions::default().unknown_skill(UnknownSkill::PredictHalf);
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| predict(&data, &params, &options).unwrap())
    };
    assert_eq!(run(1), run(3));
}

#[test]
fn unknown_skills_and_bad_rows_are_errors_by_default() {
    let (params, _, file) = generated_log();
    let err =
        Dataset::from_reader("log.csv", file.as_bytes(), &DatasetOptions::default()).unwrap_err();
    let per_row =
        read_responses("log.csv", file.as_bytes(), &ResponseColumns::default()).unwrap_err();
    assert_eq!(err.to_string(), per_row.to_string());

    let options = DatasetOptions::default().bad_rows(BadRows::Skip);
    let (data, _) = Dataset::from_reader("log.csv", file.as_bytes(), &options).unwrap();
    let err = predict(
        &data,
        &PredictParams::from(&params),
        &PredictOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::UnknownSkill { skill: id, .. } if id == "no_params"),
        "{err}"
    );
}

#[test]
fn per_item_guess_and_slip_with_unseen_items() {
    let truth = hmm(0.3, 0.15, 0.05, &[0.1, 0.25, 0.35], &[0.05, 0.15, 0.2]);
    let csv = synthetic_log(&[("s".into(), truth)], 50, 3..=15, 5).unwrap();
    // Items the fit has not seen get the skill's response-weighted average.
    let csv = csv.replace(",item2\n", ",item9\n");
    let options = DatasetOptions::default()
        .item_column("item")
        .keep_row_keys(true);
    let (data, _) = Dataset::from_reader("items.csv", csv.as_bytes(), &options).unwrap();
    let fit = SkillFit {
        skill: "s".into(),
        params: hmm(0.28, 0.14, 0.06, &[0.12, 0.22, 0.33], &[0.06, 0.14, 0.21]),
        items: vec!["item0".into(), "item1".into(), "item2".into()],
        item_responses: vec![100.0, 300.0, 600.0],
        log_likelihood: 0.0,
        iterations: 1,
        converged: true,
        restart: 0,
        responses: 1000,
        sequences: 50,
    };
    let report = FitReport {
        skills: vec![fit.clone()],
        log_likelihood: 0.0,
    };
    let batch = predict(
        &data,
        &PredictParams::from_fit(&report),
        &PredictOptions::default(),
    )
    .unwrap();
    assert_eq!(batch.p_correct(), report.predict(&data).unwrap());

    let mean = |v: &[f64]| {
        v.iter()
            .zip(&fit.item_responses)
            .map(|(x, w)| x * w)
            .sum::<f64>()
            / 1000.0
    };
    let (mean_guess, mean_slip) = (mean(&fit.params.guess), mean(&fit.params.slip));
    let p = &fit.params;
    let mut state: HashMap<String, f64> = HashMap::new();
    let mut worst = 0.0f64;
    let mut unseen = 0;
    let by_order: HashMap<i64, usize> = data
        .row_keys()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(r, k)| (k.order_id(), r))
        .collect();
    for line in csv.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (order, learner, correct, item) =
            (f[0].parse::<i64>().unwrap(), f[1], f[3] == "1", f[4]);
        let (g, s) = match item {
            "item0" => (p.guess[0], p.slip[0]),
            "item1" => (p.guess[1], p.slip[1]),
            _ => {
                unseen += 1;
                (mean_guess, mean_slip)
            }
        };
        let known = state.entry(learner.to_owned()).or_insert(p.prior);
        let p_correct = *known * (1.0 - s) + (1.0 - *known) * g;
        let (k, u) = if correct { (1.0 - s, g) } else { (s, 1.0 - g) };
        let post = *known * k / (*known * k + (1.0 - *known) * u);
        *known = post * (1.0 - p.forget) + (1.0 - post) * p.learn;
        let r = by_order[&order];
        worst = worst
            .max((batch.p_correct()[r] - p_correct).abs())
            .max((batch.p_mastery()[r] - *known).abs());
    }
    assert!(unseen > 50);
    assert!(worst <= 1e-12, "per-item batch vs replay: {worst:e}");
}

/// A KT-IDEM fit saved with `skill_params` and read back predicts exactly
/// what the fit predicts (issue 17.9: the items used to be averaged away).
#[test]
fn saved_per_item_parameters_predict_as_the_fit() {
    use mastery::fit::{FitConfig, fit};
    let truth = vec![(
        "Fractions".to_owned(),
        hmm(0.3, 0.15, 0.0, &[0.05, 0.25, 0.4], &[0.1, 0.05, 0.2]),
    )];
    let csv = synthetic_log(&truth, 300, 5..=15, 4).unwrap();
    let options = DatasetOptions::default().item_column("item");
    let (data, _) = Dataset::from_reader("items.csv", csv.as_bytes(), &options).unwrap();
    let config = FitConfig::default()
        .item_guess_slip(true)
        .restarts(2)
        .validate()
        .unwrap();
    let report = fit(&data, &config).unwrap();
    let want = report.predict(&data).unwrap();

    let saved = SkillParams::from_json(&report.skill_params().unwrap().to_json()).unwrap();
    assert_eq!(saved.items["Fractions"].len(), 3);
    let fitted = report.skill("Fractions").unwrap();
    for (k, item) in fitted.items.iter().enumerate() {
        let answer = saved.item_guess_slip("Fractions", item).unwrap();
        assert_eq!(answer.guess(), fitted.params.guess[k]);
        assert_eq!(answer.slip(), fitted.params.slip[k]);
    }
    let from_file = |params: &SkillParams| {
        predict(
            &data,
            &PredictParams::from(params),
            &PredictOptions::default(),
        )
        .unwrap()
        .into_p_correct()
    };
    let largest_gap = |other: &[f64]| {
        want.iter()
            .zip(other)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max)
    };
    let worst = largest_gap(&from_file(&saved));
    assert!(
        worst <= 1e-12,
        "saved vs fitted per-item predictions: {worst:e}"
    );

    // Without the items, the file's skill-level averages predict differently.
    let mut averaged = saved.clone();
    averaged.items.clear();
    let apart = largest_gap(&from_file(&averaged));
    assert!(apart > 0.05, "items must matter on this log: {apart}");
}

/// Fitted per-item guess and slip reach the model's activities of the same id.
#[test]
fn fitted_items_become_activity_answers() {
    use mastery::model::GuessSlip;
    use mastery::{Activity, ActivityKind, Catalog};
    let curriculum = Curriculum::builder()
        .standard_ids(["A"])
        .unwrap()
        .build()
        .unwrap();
    let activities = ["q1", "q2", "q3"]
        .map(|id| Activity::new(id, ActivityKind::Practice).aligned_to("A"))
        .to_vec();
    let catalog = Catalog::new(&curriculum, activities).unwrap();
    let json = r#"{"params": {"A": {"prior": 0.3, "learn": 0.1, "guess": 0.2, "slip": 0.1}},
        "items": {"A": {"q1": {"guess": 0.05, "slip": 0.1}, "q2": {"guess": 0.4, "slip": 0.1},
                        "p999": {"guess": 0.3, "slip": 0.3}}}}"#;
    let params = SkillParams::from_json(json).unwrap();
    let model = Model::builder(curriculum)
        .catalog(catalog)
        .skill_params(&params)
        .activity_guess_slip("q2", GuessSlip::new(0.3, 0.2).unwrap())
        .build()
        .unwrap();
    assert_eq!(model.fitted_activities(), 2);
    let answer = |id: &str| model.activity_answer(model.catalog().index_of(id).unwrap());
    assert_eq!(answer("q1"), GuessSlip::new(0.05, 0.1).unwrap());
    // An explicit override wins; an activity without a fitted item keeps the standard's.
    assert_eq!(answer("q2"), GuessSlip::new(0.3, 0.2).unwrap());
    assert_eq!(answer("q3"), GuessSlip::new(0.2, 0.1).unwrap());
}

/// `fit::predict_csv` streams the same log sorted by order_id: every good row
/// once, in file order, equal to the exact replay; bad rows reported as the
/// loader reports them; the unsorted file is refused at its first step back.
#[test]
fn a_sorted_log_streams_to_the_exact_replay() {
    let (params, mut lines, file) = generated_log();
    let options = DatasetOptions::default().bad_rows(BadRows::Skip);
    let predict_options = PredictOptions::default().unknown_skill(UnknownSkill::PredictHalf);
    let predict_params = PredictParams::from(&params);

    let mut out = Vec::new();
    let err = predict_csv(
        "log.csv",
        file.as_bytes(),
        &mut out,
        &predict_params,
        &options,
        &predict_options,
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::NotStreamable { at, reason }
            if at.line.is_some() && reason.contains("not in order_id order")),
        "{err}"
    );

    lines.sort_by_key(|l| parse(l).0);
    let mut sorted = String::from(HEAD);
    for (i, line) in lines.iter().enumerate() {
        if i % 50 == 3 {
            sorted += "20,learner9,algebra,maybe\n";
        }
        sorted += line;
        sorted.push('\n');
    }
    let (_, loaded) = Dataset::from_reader("log.csv", sorted.as_bytes(), &options).unwrap();
    let mut out = Vec::new();
    let report = predict_csv(
        "log.csv",
        sorted.as_bytes(),
        &mut out,
        &predict_params,
        &options,
        &predict_options,
    )
    .unwrap();
    assert_eq!(report.load, loaded);
    assert!(report.load.skipped.len() > 10);
    let no_params = lines.iter().filter(|l| l.contains(",no_params,")).count();
    assert_eq!(report.unpredicted, no_params);

    let exact = replay(&params, &lines);
    let text = String::from_utf8(out).unwrap();
    let mut rows = text.lines();
    assert_eq!(
        rows.next(),
        Some("order_id,user_id,skill_name,correct,p_correct,p_mastery")
    );
    let mut count = 0;
    for (row, line) in rows.zip(&lines) {
        let f: Vec<&str> = row.split(',').collect();
        assert_eq!(f[..4].join(","), *line);
        let (pc, pm) = exact[&f[0].parse::<i64>().unwrap()];
        assert!((f[4].parse::<f64>().unwrap() - pc).abs() < 1e-12, "{row}");
        assert!((f[5].parse::<f64>().unwrap() - pm).abs() < 1e-12, "{row}");
        count += 1;
    }
    assert_eq!(count, lines.len());
}
