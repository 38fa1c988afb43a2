//! Issue 19 (Done when): every `LearnerState` the public API produces saves
//! and loads exactly, under random valid model settings including extreme
//! decay (huge growth, half-lives at the bounds) and timestamps at the ends
//! of the accepted range.

use mastery::evidence::Confidence;
use mastery::learner::GoalSetter;
use mastery::time::{MAX_TIMESTAMP, MIN_TIMESTAMP};
use mastery::{
    BktParams, Curriculum, Decay, Evidence, LearnerState, Model, Outcome, Propagation, StandardIdx,
};
use proptest::prelude::*;

fn curriculum() -> Curriculum {
    Curriculum::builder()
        .standard_ids(["A", "B", "C", "D", "E", "F"])
        .unwrap()
        .prerequisite("A", "B")
        .prerequisite("B", "C")
        .prerequisite("A", "D")
        .prerequisite("D", "E")
        .prerequisite("C", "F")
        .build()
        .unwrap()
}

fn params() -> impl Strategy<Value = BktParams> {
    (
        0.0..=1.0f64,
        0.0..=1.0f64,
        0.0..=1.0f64,
        0.0..0.5f64,
        0.0..0.5f64,
    )
        .prop_filter_map(
            "valid BKT parameters",
            |(prior, learn, forget, guess, slip)| {
                BktParams::new(prior, learn, forget, guess, slip).ok()
            },
        )
}

/// A half-life anywhere in the accepted range, log-uniform, or at a bound.
fn half_life() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(Decay::MIN_HALF_LIFE_DAYS),
        Just(Decay::MAX_HALF_LIFE_DAYS),
        (Decay::MIN_HALF_LIFE_DAYS.log10()..=Decay::MAX_HALF_LIFE_DAYS.log10()).prop_map(|e| 10f64
            .powf(e)
            .clamp(Decay::MIN_HALF_LIFE_DAYS, Decay::MAX_HALF_LIFE_DAYS)),
    ]
}

fn decay() -> impl Strategy<Value = Option<Decay>> {
    let growth = prop_oneof![Just(0.0), Just(1e300), Just(f64::MAX), 0.0..10.0f64];
    let lapse = prop_oneof![Just(1.0), Just(f64::MIN_POSITIVE), 1e-9..=1.0f64];
    prop_oneof![
        Just(None),
        (half_life(), half_life(), growth, lapse).prop_map(|(a, b, growth, lapse)| {
            let (min, initial) = if a <= b { (a, b) } else { (b, a) };
            Some(Decay::new(initial, growth, lapse, min).unwrap())
        }),
    ]
}

fn propagation() -> impl Strategy<Value = Propagation> {
    prop_oneof![
        Just(Propagation::off()),
        (0.0..=1.0f64, 0.0..=1.0f64, 0u32..4)
            .prop_map(|(s, w, d)| Propagation::new(s, w, d).unwrap()),
    ]
}

fn timestamp() -> impl Strategy<Value = i64> {
    prop_oneof![
        Just(MIN_TIMESTAMP),
        Just(MAX_TIMESTAMP),
        Just(0i64),
        MIN_TIMESTAMP..=MAX_TIMESTAMP,
        1_700_000_000i64..1_800_000_000,
    ]
}

#[derive(Debug, Clone)]
enum Step {
    Answer(usize, u8, i64),
    Fast(usize, bool, i64),
    SelfAssessment(usize, u8, i64),
    Goal(usize, bool, i64, Option<i64>),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..6usize, 0..=10u8, timestamp()).prop_map(|(s, o, t)| Step::Answer(s, o, t)),
        2 => (0..6usize, any::<bool>(), timestamp()).prop_map(|(s, c, t)| Step::Fast(s, c, t)),
        1 => (0..6usize, 1..=4u8, timestamp()).prop_map(|(s, c, t)| Step::SelfAssessment(s, c, t)),
        1 => (0..6usize, any::<bool>(), timestamp(), proptest::option::of(timestamp()))
            .prop_map(|(s, l, t, d)| Step::Goal(s, l, t, d)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn every_state_the_api_produces_round_trips_through_json(
        params in params(),
        decay in decay(),
        propagation in propagation(),
        steps in proptest::collection::vec(step(), 0..40),
    ) {
        let model = Model::builder(curriculum())
            .default_params(params)
            .decay(decay)
            .propagation(propagation)
            .build()
            .unwrap();
        let ids = ["A", "B", "C", "D", "E", "F"];
        let mut state = LearnerState::new(&model, "ada").unwrap();
        for step in steps {
            match step {
                Step::Answer(s, o, t) => {
                    let outcome = match o {
                        0 => Outcome::Incorrect,
                        10 => Outcome::Correct,
                        k => Outcome::score(f64::from(k) / 10.0).unwrap(),
                    };
                    let e = Evidence::on_standard("ada", ids[s], outcome, t).unwrap();
                    state.apply(&model, &e).unwrap();
                }
                Step::Fast(s, correct, t) => {
                    let idx = StandardIdx::new(s).unwrap();
                    state
                        .apply_outcome(&model, idx, Outcome::from_correct(correct), t)
                        .unwrap();
                }
                Step::SelfAssessment(s, c, t) => {
                    let confidence = Confidence::new(c).unwrap();
                    let e = Evidence::self_assessment("ada", ids[s], confidence, t).unwrap();
                    state.apply(&model, &e).unwrap();
                }
                Step::Goal(s, learner, t, due) => {
                    let setter = if learner { GoalSetter::Learner } else { GoalSetter::Teacher };
                    // A due date before `now` is an error; the state stays as it was.
                    let _ = state.set_goal(&model, ids[s], setter, due, t);
                }
            }
            let json = state.to_json();
            let back = LearnerState::from_json(&model, &json);
            prop_assert!(back.is_ok(), "{json}: {:?}", back.err());
            let back = back.unwrap();
            prop_assert_eq!(&back, &state);
            prop_assert_eq!(back.to_json(), json);
        }
    }
}
