//! Invariants of the mastery model and the learner state on random
//! curricula, parameters and evidence sequences.

// Per-standard comparisons of parallel vectors read best as index loops.
#![allow(clippy::needless_range_loop)]

use mastery::{
    Activity, ActivityKind, BktParams, Catalog, ChangeCause, Curriculum, Decay, Evidence,
    GuessSlip, LearnerState, Model, Outcome, Propagation, StandardIdx,
};
use proptest::prelude::*;

mod common;
use common::{N, curriculum, id};

/// Valid BKT parameters: guess + slip < 1, learn + forget <= 1.
fn params(with_transition: bool) -> impl Strategy<Value = BktParams> {
    (
        0.0..=1.0f64,
        0.0..=1.0f64,
        0.0..=1.0f64,
        0.0..0.5f64,
        0.0..0.5f64,
    )
        .prop_map(move |(prior, learn, forget, guess, slip)| {
            let (learn, forget) = if with_transition {
                (learn * 0.6, forget * 0.4)
            } else {
                (0.0, 0.0)
            };
            BktParams::new(prior, learn, forget, guess, slip).unwrap()
        })
}

fn outcome() -> impl Strategy<Value = Outcome> {
    prop_oneof![
        Just(Outcome::Correct),
        Just(Outcome::Incorrect),
        (0.0..=1.0f64).prop_map(|s| Outcome::score(s).unwrap()),
    ]
}

/// Activities: each standard alone (as a standard target) plus a few multi-standard ones.
fn catalog_for(curriculum: &Curriculum, groups: &[Vec<usize>]) -> Catalog {
    let activities = groups.iter().enumerate().map(|(a, members)| {
        members.iter().fold(
            Activity::new(format!("a{a}"), ActivityKind::Practice),
            |act, &m| act.aligned_to(id(m)),
        )
    });
    Catalog::new(curriculum, activities).unwrap()
}

fn groups() -> impl Strategy<Value = Vec<Vec<usize>>> {
    proptest::collection::vec(
        proptest::collection::btree_set(0..N, 1..=4).prop_map(|s| s.into_iter().collect()),
        1..4,
    )
}

#[derive(Debug, Clone)]
struct Step {
    target: Result<usize, usize>, // Ok(standard) or Err(activity)
    outcome: Outcome,
    dt: i64,
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    proptest::collection::vec(
        (
            prop_oneof![(0..N).prop_map(Ok), (0..3usize).prop_map(Err)],
            outcome(),
            -3_600i64..40 * 86_400,
        ),
        0..40,
    )
    .prop_map(|v| {
        v.into_iter()
            .map(|(target, outcome, dt)| Step {
                target,
                outcome,
                dt,
            })
            .collect()
    })
}

struct Setup {
    model: Model,
    groups: Vec<Vec<usize>>,
}

fn build_model(
    curriculum: Curriculum,
    groups: Vec<Vec<usize>>,
    per_standard: Vec<BktParams>,
    decay: Option<Decay>,
    propagation: Propagation,
) -> Setup {
    let catalog = catalog_for(&curriculum, &groups);
    let mut builder = Model::builder(curriculum)
        .catalog(catalog)
        .decay(decay)
        .propagation(propagation);
    for (i, p) in per_standard.into_iter().enumerate() {
        builder = builder.standard_params(id(i), p);
    }
    Setup {
        model: builder.build().unwrap(),
        groups,
    }
}

fn evidence(setup: &Setup, step: &Step, time: i64) -> Evidence {
    match step.target {
        Ok(s) => Evidence::on_standard("ada", id(s), step.outcome, time).unwrap(),
        Err(a) => Evidence::on_activity(
            "ada",
            format!("a{}", a % setup.groups.len()),
            step.outcome,
            time,
        )
        .unwrap(),
    }
}

fn all_at(state: &LearnerState, model: &Model, now: i64) -> Vec<f64> {
    state.all_mastery_at(model, now).unwrap()
}

fn propagation() -> impl Strategy<Value = Propagation> {
    (0.0..=1.0f64, 0.0..=1.0f64, 0u32..4).prop_map(|(s, w, d)| Propagation::new(s, w, d).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn probabilities_stay_in_the_unit_interval(
        curriculum in curriculum(),
        groups in groups(),
        per_standard in proptest::collection::vec(params(true), N),
        propagation in propagation(),
        steps in steps(),
    ) {
        let setup = build_model(curriculum, groups, per_standard, Some(Decay::default()), propagation);
        let mut state = LearnerState::new(&setup.model, "ada").unwrap();
        let mut time = 1_700_000_000i64;
        for step in &steps {
            time += step.dt;
            let e = evidence(&setup, step, time);
            let p = state.predict(&setup.model, e.target(), time).unwrap();
            prop_assert!(p.is_finite() && (0.0..=1.0).contains(&p));
            let report = state.apply(&setup.model, &e).unwrap();
            for c in &report.changes {
                prop_assert!(c.before.is_finite() && (0.0..=1.0).contains(&c.before));
                prop_assert!(c.after.is_finite() && (0.0..=1.0).contains(&c.after));
            }
            for m in all_at(&state, &setup.model, time + 86_400) {
                prop_assert!(m.is_finite() && (0.0..=1.0).contains(&m));
            }
        }
    }

    /// With learn = forget = 0 (evidence only), a correct answer never lowers
    /// any estimate and an incorrect one never raises the attempted standards'.
    #[test]
    fn correct_never_lowers_incorrect_never_raises(
        curriculum in curriculum(),
        groups in groups(),
        per_standard in proptest::collection::vec(params(false), N),
        propagation in propagation(),
        history in steps(),
        last in (prop_oneof![(0..N).prop_map(Ok), (0..3usize).prop_map(Err)]),
    ) {
        let setup = build_model(curriculum, groups, per_standard, Some(Decay::default()), propagation);
        let mut state = LearnerState::new(&setup.model, "ada").unwrap();
        let mut time = 1_700_000_000i64;
        for step in &history {
            time += step.dt.max(0);
            state.apply(&setup.model, &evidence(&setup, step, time)).unwrap();
        }
        time += 3_600;
        let before = all_at(&state, &setup.model, time);
        for outcome in [Outcome::Correct, Outcome::Incorrect] {
            let mut trial = state.clone();
            let e = evidence(&setup, &Step { target: last, outcome, dt: 0 }, time);
            let report = trial.apply(&setup.model, &e).unwrap();
            let after = all_at(&trial, &setup.model, time);
            for s in 0..N {
                let (b, a) = (before[s], after[s]);
                if outcome == Outcome::Correct {
                    prop_assert!(a >= b - 1e-9, "correct lowered s{}: {} -> {}", s, b, a);
                } else if report.changes.iter().any(|c| c.standard.index() == s && c.cause == ChangeCause::Attempted) {
                    prop_assert!(a <= b + 1e-9, "incorrect raised attempted s{}: {} -> {}", s, b, a);
                }
            }
        }
    }

    /// For any parameters (with learning and forgetting), every estimate after
    /// a correct answer is at least the one after a partial score, which is at
    /// least the one after an incorrect answer.
    #[test]
    fn better_outcomes_never_give_lower_estimates(
        curriculum in curriculum(),
        groups in groups(),
        per_standard in proptest::collection::vec(params(true), N),
        propagation in propagation(),
        history in steps(),
        last in (prop_oneof![(0..N).prop_map(Ok), (0..3usize).prop_map(Err)]),
        score in 0.0..=1.0f64,
    ) {
        let setup = build_model(curriculum, groups, per_standard, Some(Decay::default()), propagation);
        let mut state = LearnerState::new(&setup.model, "ada").unwrap();
        let mut time = 1_700_000_000i64;
        for step in &history {
            time += step.dt.max(0);
            state.apply(&setup.model, &evidence(&setup, step, time)).unwrap();
        }
        let results: Vec<Vec<f64>> = [Outcome::Correct, Outcome::score(score).unwrap(), Outcome::Incorrect]
            .into_iter()
            .map(|outcome| {
                let mut trial = state.clone();
                trial.apply(&setup.model, &evidence(&setup, &Step { target: last, outcome, dt: 0 }, time + 60)).unwrap();
                all_at(&trial, &setup.model, time + 60)
            })
            .collect();
        for s in 0..N {
            prop_assert!(results[0][s] >= results[1][s] - 1e-9, "s{}: correct {} < partial {}", s, results[0][s], results[1][s]);
            prop_assert!(results[1][s] >= results[2][s] - 1e-9, "s{}: partial {} < incorrect {}", s, results[1][s], results[2][s]);
        }
    }

    /// Propagation off is plain BKT: only the attempted standard changes, by BktParams::update.
    #[test]
    fn propagation_off_is_plain_bkt(
        curriculum in curriculum(),
        per_standard in proptest::collection::vec(params(true), N),
        steps in proptest::collection::vec((0..N, outcome()), 1..30),
    ) {
        let setup = build_model(curriculum, vec![vec![0]], per_standard.clone(), None, Propagation::off());
        let mut state = LearnerState::new(&setup.model, "ada").unwrap();
        let mut expected: Vec<f64> = per_standard.iter().map(BktParams::prior).collect();
        for (t, (s, outcome)) in steps.into_iter().enumerate() {
            let report = state.apply(&setup.model, &Evidence::on_standard("ada", id(s), outcome, t as i64).unwrap()).unwrap();
            prop_assert_eq!(report.changes.len(), 1);
            expected[s] = per_standard[s].update(expected[s], outcome);
            for (i, want) in expected.iter().enumerate() {
                let got = state.mastery(&setup.model, StandardIdx::new(i).unwrap()).unwrap();
                prop_assert!((got - want).abs() < 1e-8, "s{}: {} vs {}", i, got, want);
            }
        }
    }

    /// An activity aligned to k <= 4 standards updates each by the exact
    /// marginal of the joint posterior (enumeration of 2^k states), then its transition.
    #[test]
    fn conjunctive_activities_match_enumeration(
        members in proptest::collection::btree_set(0..N, 1..=4),
        per_standard in proptest::collection::vec(params(true), N),
        outcome in outcome(),
        guess in 0.0..0.5f64,
        slip in 0.0..0.5f64,
    ) {
        let members: Vec<usize> = members.into_iter().collect();
        let curriculum = Curriculum::builder().standard_ids((0..N).map(id)).unwrap().build().unwrap();
        let catalog = catalog_for(&curriculum, std::slice::from_ref(&members));
        let answer = GuessSlip::new(guess, slip).unwrap();
        let mut builder = Model::builder(curriculum).catalog(catalog).decay(None).propagation(Propagation::off())
            .activity_guess_slip("a0", answer);
        for (i, p) in per_standard.iter().enumerate() {
            builder = builder.standard_params(id(i), *p);
        }
        let model = builder.build().unwrap();
        let mut state = LearnerState::new(&model, "ada").unwrap();
        let priors: Vec<f64> = members.iter().map(|&m| per_standard[m].prior()).collect();
        let predicted = state.predict(&model, &mastery::Target::Activity("a0".into()), 0).unwrap();
        let all: f64 = priors.iter().product();
        prop_assert!((predicted - answer.p_correct(all)).abs() < 1e-8);
        state.apply(&model, &Evidence::on_activity("ada", "a0", outcome, 0).unwrap()).unwrap();

        let (known_all, otherwise) = answer.likelihoods(outcome);
        let k = members.len();
        let mut marginal = vec![0.0; k];
        let mut total = 0.0;
        for joint in 0u32..(1 << k) {
            let prior: f64 = (0..k).map(|i| if joint >> i & 1 == 1 { priors[i] } else { 1.0 - priors[i] }).product();
            let weight = prior * if joint == (1 << k) - 1 { known_all } else { otherwise };
            total += weight;
            for (i, m) in marginal.iter_mut().enumerate() {
                if joint >> i & 1 == 1 {
                    *m += weight;
                }
            }
        }
        for (i, &m) in members.iter().enumerate() {
            let posterior = if total > 0.0 { marginal[i] / total } else { priors[i] };
            let want = per_standard[m].transition(posterior);
            let got = state.mastery(&model, id(m).as_str()).unwrap();
            prop_assert!((got - want).abs() < 1e-8, "s{}: {} vs {}", m, got, want);
        }
    }

    #[test]
    fn serde_round_trip_is_lossless(
        curriculum in curriculum(),
        groups in groups(),
        per_standard in proptest::collection::vec(params(true), N),
        steps in steps(),
    ) {
        let setup = build_model(curriculum, groups, per_standard, Some(Decay::default()), Propagation::default());
        let mut state = LearnerState::new(&setup.model, "ada").unwrap();
        let mut time = 1_700_000_000i64;
        for step in &steps {
            time += step.dt;
            state.apply(&setup.model, &evidence(&setup, step, time)).unwrap();
        }
        let json = state.to_json();
        let back = LearnerState::from_json(&setup.model, &json).unwrap();
        prop_assert_eq!(&back, &state);
        prop_assert_eq!(back.to_json(), json);
    }

    #[test]
    fn decay_is_monotone_in_elapsed_time(
        per_standard in proptest::collection::vec(params(true), N),
        steps in proptest::collection::vec((0..N, outcome(), 0i64..10 * 86_400), 1..20),
        probes in proptest::collection::vec(0i64..400 * 86_400, 2..8),
    ) {
        let curriculum = Curriculum::builder().standard_ids((0..N).map(id)).unwrap().build().unwrap();
        let setup = build_model(curriculum, vec![vec![0]], per_standard, Some(Decay::default()), Propagation::off());
        let mut state = LearnerState::new(&setup.model, "ada").unwrap();
        let mut time = 1_700_000_000i64;
        for (s, outcome, dt) in steps {
            time += dt;
            state.apply(&setup.model, &Evidence::on_standard("ada", id(s), outcome, time).unwrap()).unwrap();
        }
        let mut probes = probes;
        probes.sort_unstable();
        let frozen = state.clone();
        let mut previous = all_at(&state, &setup.model, time);
        for p in probes {
            let now = all_at(&state, &setup.model, time + p);
            for s in 0..N {
                prop_assert!(now[s] <= previous[s] + 1e-12, "s{} rose from {} to {}", s, previous[s], now[s]);
            }
            previous = now;
        }
        prop_assert_eq!(state, frozen); // reading never mutates
    }
}

/// Issue 21.6: evidence that arrives out of order moved `practiced_at` (and
/// the time decay counts from) backwards, so the order of arrival changed
/// how stale a standard looked. The times are those of the latest evidence,
/// in any order.
#[test]
fn out_of_order_evidence_keeps_the_latest_times() {
    let c = Curriculum::ccss_math();
    let model = Model::builder(c.clone())
        .decay(Some(Decay::new(30.0, 1.0, 0.5, 1.0).unwrap()))
        .build()
        .unwrap();
    let day = 86_400;
    let t0 = 1_700_000_000;
    let times = [t0 + 40 * day, t0 + 5 * day, t0 + 20 * day];
    let apply = |order: &[usize]| {
        let mut state = LearnerState::new(&model, "ada").unwrap();
        for &i in order {
            let e = Evidence::on_standard("ada", "3.NF.A.1", Outcome::Correct, times[i]).unwrap();
            state.apply(&model, &e).unwrap();
        }
        state
    };
    let s = c.index_of("3.NF.A.1").unwrap();
    for order in [[0, 1, 2], [1, 2, 0], [2, 0, 1], [1, 0, 2]] {
        let state = apply(&order);
        let record = state
            .practice_records()
            .iter()
            .find(|r| r.standard() == s)
            .unwrap();
        assert_eq!(record.attempts(), 3);
        assert_eq!(record.practiced_at(), t0 + 40 * day, "order {order:?}");
        assert_eq!(record.updated_at(), t0 + 40 * day, "order {order:?}");
    }
}
