//! Fitting: recovery of known parameters from synthetic logs (plain, with
//! forgetting, with per-item guess and slip), determinism, sharding, and bad input.

use mastery::Error;
use mastery::fit::{
    Bounds, Dataset, DatasetOptions, ExpectedCounts, FitConfig, FitReport, Forgetting, HmmParams,
    fit, synthetic_log,
};

fn params(prior: f64, learn: f64, forget: f64, guess: &[f64], slip: &[f64]) -> HmmParams {
    HmmParams {
        prior,
        learn,
        forget,
        guess: guess.to_vec(),
        slip: slip.to_vec(),
    }
}

fn load(csv: &str, items: bool) -> Dataset {
    let mut options = DatasetOptions::default();
    if items {
        options = options.item_column("item");
    }
    Dataset::from_reader("synthetic.csv", csv.as_bytes(), &options)
        .unwrap()
        .0
}

/// The documented recovery tolerance: absolute error of each parameter, for
/// 1,500 learners with 10 to 30 responses per skill.
const TOLERANCE: f64 = 0.05;

fn assert_close(what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() <= TOLERANCE,
        "{what}: fitted {got:.4}, true {want:.4}"
    );
}

fn recover(truth: &[(String, HmmParams)], forgetting: Forgetting, items: bool) -> FitReport {
    let csv = synthetic_log(truth, 1_500, 10..=30, 11).unwrap();
    let data = load(&csv, items);
    let config = FitConfig::default()
        .forgetting(forgetting)
        .item_guess_slip(items)
        .seed(3)
        .validate()
        .unwrap();
    let report = fit(&data, &config).unwrap();
    for (name, want) in truth {
        let got = &report.skill(name).unwrap().params;
        assert_close(&format!("{name} prior"), got.prior, want.prior);
        assert_close(&format!("{name} learn"), got.learn, want.learn);
        assert_close(&format!("{name} forget"), got.forget, want.forget);
        for i in 0..want.guess.len() {
            // Items are named in order of first appearance; map by name.
            let fitted = report.skill(name).unwrap();
            let k = fitted
                .items
                .iter()
                .position(|n| *n == format!("item{i}"))
                .unwrap_or(0);
            assert_close(&format!("{name} guess {i}"), got.guess[k], want.guess[i]);
            assert_close(&format!("{name} slip {i}"), got.slip[k], want.slip[i]);
        }
        // The fit is at least as likely as the truth (EM finds a maximum near it).
        let truth_ll = ExpectedCounts::compute(
            data.skill(name).unwrap(),
            &reorder(want, &report.skill(name).unwrap().items),
            0..data.skill(name).unwrap().sequence_count(),
        )
        .unwrap()
        .log_likelihood;
        assert!(report.skill(name).unwrap().log_likelihood >= truth_ll - 1e-6);
    }
    report
}

/// The true parameters with items in the fitted order.
fn reorder(truth: &HmmParams, items: &[String]) -> HmmParams {
    if items.len() <= 1 {
        return params(
            truth.prior,
            truth.learn,
            truth.forget,
            &truth.guess[..1],
            &truth.slip[..1],
        );
    }
    let index = |name: &String| name.trim_start_matches("item").parse::<usize>().unwrap();
    HmmParams {
        guess: items.iter().map(|n| truth.guess[index(n)]).collect(),
        slip: items.iter().map(|n| truth.slip[index(n)]).collect(),
        ..truth.clone()
    }
}

#[test]
fn recovers_plain_bkt() {
    let truth = vec![
        (
            "counting".to_owned(),
            params(0.3, 0.15, 0.0, &[0.2], &[0.1]),
        ),
        (
            "fractions".to_owned(),
            params(0.1, 0.25, 0.0, &[0.25], &[0.08]),
        ),
    ];
    recover(&truth, Forgetting::None, false);
}

#[test]
fn recovers_forgetting() {
    let truth = vec![("ratios".to_owned(), params(0.4, 0.2, 0.08, &[0.2], &[0.1]))];
    recover(&truth, Forgetting::Fitted, false);
}

#[test]
fn recovers_per_item_guess_and_slip() {
    let truth = vec![(
        "area".to_owned(),
        params(0.25, 0.2, 0.0, &[0.1, 0.35, 0.2], &[0.05, 0.15, 0.1]),
    )];
    let report = recover(&truth, Forgetting::None, true);
    assert_eq!(report.skill("area").unwrap().items.len(), 3);
}

#[test]
fn same_seed_same_fit_whatever_the_threads() {
    let truth = vec![("s".to_owned(), params(0.3, 0.2, 0.05, &[0.2], &[0.1]))];
    let data = load(&synthetic_log(&truth, 300, 5..=15, 5).unwrap(), false);
    let config = FitConfig::default()
        .forgetting(Forgetting::Fitted)
        .seed(9)
        .validate()
        .unwrap();
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| fit(&data, &config).unwrap());
    let two = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap()
        .install(|| fit(&data, &config).unwrap());
    assert_eq!(one, two);
    let other = fit(
        &data,
        &FitConfig::default()
            .forgetting(Forgetting::Fitted)
            .seed(10)
            .validate()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(other.skills.len(), one.skills.len());
}

#[test]
fn sharded_e_steps_give_the_same_fit() {
    let truth = vec![("s".to_owned(), params(0.3, 0.2, 0.0, &[0.2], &[0.1]))];
    let data = load(&synthetic_log(&truth, 400, 5..=15, 8).unwrap(), false);
    let whole = fit(&data, &FitConfig::default().seed(1).validate().unwrap()).unwrap();
    let sharded = fit(
        &data,
        &FitConfig::default()
            .seed(1)
            .shard_responses(100)
            .validate()
            .unwrap(),
    )
    .unwrap();
    let (a, b) = (&whole.skills[0], &sharded.skills[0]);
    assert!(
        (a.log_likelihood - b.log_likelihood).abs() < 1e-6,
        "{} vs {}",
        a.log_likelihood,
        b.log_likelihood
    );
    assert!((a.params.learn - b.params.learn).abs() < 1e-6);
}

#[test]
fn degenerate_and_tiny_skills_fit_without_panicking() {
    let mut csv = String::from("order_id,user_id,skill_name,correct\n");
    // A skill with one response, a learner with one response, and an all-correct skill.
    csv += "1,solo,lonely,1\n";
    for l in 0..30 {
        for t in 0..6 {
            csv += &format!("{},{l},easy,1\n", 100 + l * 10 + t);
        }
    }
    csv += "900,once,easy,1\n";
    let data = load(&csv, false);
    for bounds in [Bounds::default(), Bounds::none()] {
        let report = fit(
            &data,
            &FitConfig::default().bounds(bounds).validate().unwrap(),
        )
        .unwrap();
        for s in &report.skills {
            assert!(s.log_likelihood.is_finite(), "{}", s.skill);
            for x in [
                s.params.prior,
                s.params.learn,
                s.params.forget,
                s.params.guess[0],
                s.params.slip[0],
            ] {
                assert!((0.0..=1.0).contains(&x), "{} {x}", s.skill);
            }
        }
        let predictions = report.predict(&data).unwrap();
        assert!(predictions.iter().all(|p| (0.0..=1.0).contains(p)));
        if bounds == Bounds::default() {
            // Bounded fits are never degenerate: they convert to valid BKT parameters.
            report.skill_params().unwrap();
        }
    }
}

#[test]
fn bad_settings_and_input() {
    assert!(matches!(
        FitConfig::default().tolerance(f64::NAN).validate(),
        Err(Error::InvalidValue { .. })
    ));
    assert!(matches!(
        FitConfig::default().restarts(0).validate(),
        Err(Error::InvalidValue { .. })
    ));
    assert!(matches!(
        FitConfig::default().max_iterations(0).validate(),
        Err(Error::InvalidValue { .. })
    ));
    let bad = Bounds {
        guess: (0.6, 0.2),
        ..Bounds::default()
    };
    assert!(matches!(
        FitConfig::default().bounds(bad).validate(),
        Err(Error::InvalidValue { .. })
    ));
    let options = DatasetOptions::default();
    assert!(matches!(
        Dataset::from_reader("e.csv", &b""[..], &options),
        Err(Error::EmptyFile { .. })
    ));
    assert!(matches!(
        Dataset::from_reader("m.csv", &b"order_id,user_id,correct\n1,a,1\n"[..], &options),
        Err(Error::MissingColumn { .. })
    ));
    let err = Dataset::from_reader(
        "c.csv",
        &b"order_id,user_id,skill_name,correct\n1,a,S,0.5\n"[..],
        &options,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "c.csv:2: column `correct`: expected 0 or 1, got \"0.5\""
    );
    let err = Dataset::from_reader(
        "u.csv",
        &b"order_id,user_id,skill_name,correct\n1,a,S\xff,1\n"[..],
        &options,
    )
    .unwrap_err();
    assert!(matches!(err, Error::InvalidUtf8 { .. }), "{err:?}");
    // A skill in the test data that training did not see.
    let train = load("order_id,user_id,skill_name,correct\n1,a,S,1\n", false);
    let test = load("order_id,user_id,skill_name,correct\n1,a,T,1\n", false);
    let report = fit(&train, &FitConfig::default().validate().unwrap()).unwrap();
    assert!(matches!(
        report.predict(&test),
        Err(Error::UnknownSkill { .. })
    ));
    let truth = params(0.3, 0.2, 0.0, &[0.2], &[0.1]);
    assert!(
        synthetic_log(
            &[(
                "s".into(),
                HmmParams {
                    prior: 1.5,
                    ..truth.clone()
                }
            )],
            1,
            1..=1,
            0
        )
        .is_err()
    );
}
