//! Identifiable bounds (issue 11.1): the default constrains `guess + slip`
//! (and caps guess), not slip on its own, and the M-step maximizes under
//! the constraint exactly.

use mastery::fit::{
    Bounds, DEFAULT_GUESS_CAP, Dataset, DatasetOptions, ExpectedCounts, FitConfig,
    GUESS_PLUS_SLIP_MARGIN, HmmParams, fit, synthetic_log,
};
use proptest::prelude::*;

fn counts(items: Vec<[f64; 4]>) -> ExpectedCounts {
    ExpectedCounts {
        sequences: 10.0,
        initial_known: 3.0,
        unknown_with_next: 20.0,
        learned: 4.0,
        items,
        ..ExpectedCounts::default()
    }
}

fn previous(items: usize) -> HmmParams {
    HmmParams {
        prior: 0.3,
        learn: 0.2,
        forget: 0.0,
        guess: vec![0.2; items],
        slip: vec![0.1; items],
    }
}

/// The expected log-likelihood of one item's emissions.
fn objective(c: &[f64; 4], g: f64, s: f64) -> f64 {
    let term = |w: f64, p: f64| if w > 0.0 { w * p.ln() } else { 0.0 };
    term(c[1], g) + term(c[0] - c[1], 1.0 - g) + term(c[3], s) + term(c[2] - c[3], 1.0 - s)
}

#[test]
fn an_easy_item_keeps_a_guess_above_one_half() {
    // Free optimum: guess 0.7, slip 0.1 (sum 0.8): allowed now, capped at 0.49 before.
    let c = counts(vec![[100.0, 70.0, 100.0, 10.0]]);
    let next = c.maximize(&previous(1), false, &Bounds::identifiable());
    assert!((next.guess[0] - 0.7).abs() < 1e-12);
    assert!((next.slip[0] - 0.1).abs() < 1e-12);
    let boxed = c.maximize(&previous(1), false, &Bounds::boxed(0.49));
    assert!((boxed.guess[0] - 0.49).abs() < 1e-12);
    let default = c.maximize(&previous(1), false, &Bounds::default());
    assert!((default.guess[0] - DEFAULT_GUESS_CAP).abs() < 1e-12);
}

#[test]
fn the_default_frees_slip_and_caps_guess() {
    // Free optimum: guess 0.1, slip 0.7 (a hard item): the old box capped slip at 0.49.
    let c = counts(vec![[100.0, 10.0, 100.0, 70.0]]);
    let next = c.maximize(&previous(1), false, &Bounds::default());
    assert!((next.guess[0] - 0.1).abs() < 1e-12 && (next.slip[0] - 0.7).abs() < 1e-12);
    assert_eq!(Bounds::default().guess, (0.0, DEFAULT_GUESS_CAP));
}

#[test]
fn a_degenerate_optimum_lands_on_the_line_at_its_best_point() {
    // Free optimum guess 0.8, slip 0.6: degenerate.
    let c = [50.0, 40.0, 30.0, 18.0];
    let next = counts(vec![c]).maximize(&previous(1), false, &Bounds::identifiable());
    let max = 1.0 - GUESS_PLUS_SLIP_MARGIN;
    let (g, s) = (next.guess[0], next.slip[0]);
    assert!((g + s - max).abs() < 1e-12, "{g} + {s}");
    for k in 1..1000 {
        let other = max * f64::from(k) / 1000.0;
        assert!(objective(&c, g, s) >= objective(&c, other, max - other) - 1e-9);
    }
    // Unbounded, the M-step takes the free optimum.
    let free = counts(vec![c]).maximize(&previous(1), false, &Bounds::none());
    assert!((free.guess[0] - 0.8).abs() < 1e-12 && (free.slip[0] - 0.6).abs() < 1e-12);
}

#[test]
fn bad_couplings_are_refused() {
    for max in [0.0, -0.1, 1.5, f64::NAN] {
        let bounds = Bounds {
            max_guess_plus_slip: Some(max),
            ..Bounds::default()
        };
        assert!(
            FitConfig::default().bounds(bounds).validate().is_err(),
            "{max}"
        );
    }
    let lows_too_high = Bounds {
        guess: (0.6, 1.0),
        slip: (0.5, 1.0),
        ..Bounds::default()
    };
    assert!(
        FitConfig::default()
            .bounds(lows_too_high)
            .validate()
            .is_err()
    );
}

#[test]
fn identifiable_fits_on_a_log_with_easy_items_beat_the_old_box_and_stay_non_degenerate() {
    // Two skills whose items are easy (guess 0.65): the old 0.49 box cannot fit them.
    let truth = |g: f64| HmmParams {
        prior: 0.3,
        learn: 0.15,
        forget: 0.0,
        guess: vec![g],
        slip: vec![0.08],
    };
    let csv = synthetic_log(
        &[("easy".into(), truth(0.65)), ("usual".into(), truth(0.2))],
        600,
        8..=20,
        5,
    )
    .unwrap();
    let (data, _) =
        Dataset::from_reader("easy.csv", csv.as_bytes(), &DatasetOptions::default()).unwrap();
    let fit_with = |bounds: Bounds| {
        fit(
            &data,
            &FitConfig::default()
                .bounds(bounds)
                .seed(1)
                .validate()
                .unwrap(),
        )
        .unwrap()
    };
    let (default, boxed) = (
        fit_with(Bounds::identifiable()),
        fit_with(Bounds::boxed(0.49)),
    );
    let easy = default.skill("easy").unwrap();
    assert!(
        (easy.params.guess[0] - 0.65).abs() < 0.08,
        "{:?}",
        easy.params
    );
    assert!(easy.log_likelihood > boxed.skill("easy").unwrap().log_likelihood + 1.0);
    // Every identifiable fit converts to valid (non-degenerate) BKT parameters.
    default.skill_params().unwrap();
    for s in &default.skills {
        assert!(s.params.guess[0] + s.params.slip[0] <= 1.0 - GUESS_PLUS_SLIP_MARGIN + 1e-12);
    }
}

proptest! {
    #[test]
    fn the_m_step_maximizes_within_the_bounds(
        n_unknown in 0.0f64..500.0,
        guess_rate in 0.0f64..=1.0,
        n_known in 0.0f64..500.0,
        slip_rate in 0.0f64..=1.0,
        guess_cap in prop::option::of(0.05f64..=1.0),
    ) {
        let c = [n_unknown, n_unknown * guess_rate, n_known, n_known * slip_rate];
        let bounds = Bounds {
            guess: (0.0, guess_cap.unwrap_or(1.0)),
            ..Bounds::identifiable()
        };
        let next = counts(vec![c]).maximize(&previous(1), false, &bounds);
        let (g, s) = (next.guess[0], next.slip[0]);
        let max = 1.0 - GUESS_PLUS_SLIP_MARGIN;
        prop_assert!((0.0..=bounds.guess.1 + 1e-12).contains(&g), "guess {}", g);
        prop_assert!((0.0..=1.0).contains(&s), "slip {}", s);
        prop_assert!(g + s <= max + 1e-12, "{} + {}", g, s);
        if n_unknown > 1e-9 && n_known > 1e-9 {
            // No feasible point on a grid does better.
            let best = objective(&c, g, s);
            for i in 0..=40 {
                for j in 0..=40 {
                    let (gg, ss) = (f64::from(i) / 40.0, f64::from(j) / 40.0);
                    if gg <= bounds.guess.1 && gg + ss <= max && gg > 0.0 && ss > 0.0
                        && gg < 1.0 && ss < 1.0
                    {
                        prop_assert!(best >= objective(&c, gg, ss) - 1e-7,
                            "({}, {}) beats ({}, {})", gg, ss, g, s);
                    }
                }
            }
        }
    }
}
