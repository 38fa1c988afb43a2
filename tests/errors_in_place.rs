//! Issue 20: errors that keep their place. Each precise variant, triggered
//! through the public API, says what went wrong and where.
#![cfg(feature = "sim")]

use mastery::fit::{
    Bounds, Dataset, DatasetOptions, FitConfig, PerformanceConfig, PerformanceModel,
    PredictOptions, PredictParams, WhatWorksOptions, fit, predict_csv, what_works,
};
use mastery::recommend::{ForecastOptions, Recommender};
use mastery::sim::{Adaptive, LearnerModel, Population, Simulation, evaluate_against};
use mastery::{Activity, ActivityKind, Catalog, Curriculum, Error, LearnerState, Location, Model};

const HEAD: &str = "order_id,user_id,skill_name,correct\n";

fn data(csv: &str) -> Dataset {
    Dataset::from_reader("log.csv", csv.as_bytes(), &DatasetOptions::default())
        .unwrap()
        .0
}

#[test]
fn a_skill_without_fitted_parameters_is_an_unknown_skill_not_an_unknown_standard() {
    let train = data(&format!("{HEAD}1,a,S,1\n2,a,S,0\n3,b,S,1\n"));
    let report = fit(&train, &FitConfig::default().validate().unwrap()).unwrap();
    let test = format!("{HEAD}1,a,S,1\n2,a,T,1\n");
    let err = report.predict(&data(&test)).unwrap_err();
    assert!(
        matches!(&err, Error::UnknownSkill { skill, at } if skill == "T" && *at == Location::NONE),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "no fitted parameters for skill `T`");
    // Streamed, the error names the file and the skill's first row.
    let params = PredictParams::from(&report.skill_params().unwrap());
    let mut out = Vec::new();
    let err = predict_csv(
        "test.csv",
        test.as_bytes(),
        &mut out,
        &params,
        &DatasetOptions::default(),
        &PredictOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::UnknownSkill { skill, at } if skill == "T" && at.line == Some(3)),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "test.csv:3: no fitted parameters for skill `T`"
    );
}

#[test]
fn a_degenerate_fit_names_the_skill_and_the_check_that_failed() {
    // Right at first and wrong ever after: without bounds, EM explains it
    // with a known state that answers wrong (guess + slip above 1).
    let mut log = HEAD.to_owned();
    let mut order = 0;
    for learner in 0..60 {
        for step in 0..12 {
            order += 1;
            let correct = u8::from(step < 2 + learner % 4);
            log += &format!("{order},u{learner},S,{correct}\n");
        }
    }
    let config = FitConfig::default()
        .bounds(Bounds::none())
        .validate()
        .unwrap();
    let report = fit(&data(&log), &config).unwrap();
    let err = report.skill_params().unwrap_err();
    assert!(
        matches!(&err, Error::DegenerateFit { skill, item: None, .. } if skill == "S"),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.starts_with("fitted parameters of skill `S`: "),
        "{text}"
    );
    assert!(
        text.ends_with("fit with bounds, the default, to rule out degenerate fits"),
        "{text}"
    );
    assert!(matches!(
        report.skills[0].bkt_params(),
        Err(Error::DegenerateFit { .. })
    ));
}

#[test]
fn a_forecast_without_a_pace_is_an_unknown_pace() {
    let ccss = Curriculum::ccss_math();
    let model = Model::builder(ccss.clone())
        .catalog(Catalog::demo(&ccss, 1))
        .build()
        .unwrap();
    let new = LearnerState::new(&model, "new").unwrap();
    let day = 86_400;
    let err = Recommender::new(&model)
        .forecast(
            &new,
            "1.OA.A.1",
            1_700_000_000 + 10 * day,
            1_700_000_000,
            &ForecastOptions::new(1),
        )
        .unwrap_err();
    assert!(
        matches!(&err, Error::UnknownPace { learner, active_days: 0 } if learner == "new"),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("pace of learner `new` is unknown"),
        "{err}"
    );
    // The ability range names the end that is wrong, with its value.
    let err = ForecastOptions::new(1)
        .ability_range(0.5, f64::INFINITY)
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidValue { what, value, .. }
            if what == "high end of the ability range" && value.is_infinite()),
        "{err:?}"
    );
}

#[test]
fn what_works_without_an_item_column_is_no_item_column() {
    let log = format!("{HEAD}1,a,S,1\n2,a,S,0\n3,b,S,1\n");
    let err = what_works(&data(&log), &WhatWorksOptions::default()).unwrap_err();
    assert!(
        matches!(err, Error::NoItemColumn { what: "what_works" }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("DatasetOptions::item_column"),
        "{err}"
    );
}

#[test]
fn a_truth_model_with_another_catalog_is_a_catalog_mismatch() {
    let ccss = Curriculum::ccss_math();
    let model = |catalog: Catalog| {
        Model::builder(ccss.clone())
            .catalog(catalog)
            .decay(None)
            .build()
            .unwrap()
    };
    let catalog = |ids: [&str; 2]| {
        let activities =
            ids.map(|id| Activity::new(id, ActivityKind::Practice).aligned_to("3.NF.A.1"));
        Catalog::new(&ccss, activities).unwrap()
    };
    let (truth, estimate) = (model(catalog(["a", "b"])), model(catalog(["a", "c"])));
    let targets = ccss.set_of(["3.NF.A.1"]).unwrap();
    let sim = Simulation {
        population: Population::new(LearnerModel::Bkt),
        budget: 10,
        per_day: 2,
        learners: 1,
        seed: 1,
    };
    let err = evaluate_against(&truth, &estimate, &Adaptive, &targets, &sim).unwrap_err();
    assert!(
        matches!(&err, Error::CatalogMismatch { index: 1, expected: Some(e), found: Some(f), .. }
            if e == "c" && f == "b"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "the truth model's catalog differs from the model's at activity #1: `b` where the model has `c`"
    );
}

#[test]
fn an_unknown_activity_says_where_it_was_read() {
    let ccss = Curriculum::ccss_math();
    let catalog = Catalog::demo(&ccss, 1);
    let err = catalog.index_of("nope").unwrap_err();
    assert!(
        matches!(&err, Error::UnknownActivity { id, at } if id == "nope" && *at == Location::NONE),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "unknown activity `nope`");
}

#[test]
fn catalog_csv_errors_keep_their_line() {
    let c = Curriculum::builder()
        .standard_ids(["X", "Y"])
        .unwrap()
        .build()
        .unwrap();
    let csv = "id,standards,minutes,guess,slip\na,X,5,,\nb,Y,-1,,\n";
    let err = Catalog::from_csv_reader(&c, "catalog.csv", csv.as_bytes()).unwrap_err();
    assert!(
        matches!(&err, Error::Csv { at, .. } if at.line == Some(3)),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("catalog.csv:3: minutes of activity `b`"),
        "{err}"
    );
    let csv = "id,standards,minutes,guess,slip\na,X,5,,\nb,Y,,0.7,0.4\n";
    let err = Catalog::from_csv_reader(&c, "catalog.csv", csv.as_bytes()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("catalog.csv:3: guess + slip of activity `b`"),
        "{err}"
    );
}

#[test]
fn a_saved_performance_model_that_does_not_match_its_layout_is_invalid_state() {
    let log = "order_id,user_id,skill_name,correct\n1,a,A,0\n2,a,B,1\n3,a,A,1\n4,b,A,1\n5,b,B,0\n";
    let config = PerformanceConfig::default().validate().unwrap();
    let model = PerformanceModel::fit(&data(log), &config).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&model.to_json()).unwrap();
    value["weights"].as_array_mut().unwrap().pop();
    let err = PerformanceModel::from_json(&value.to_string()).unwrap_err();
    assert!(
        matches!(
            &err,
            Error::InvalidState {
                what: "performance model JSON",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("do not match its layout"), "{err}");
}
