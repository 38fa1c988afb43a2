//! `LearnerState::apply_all` (many learners' evidence at once) ends with
//! exactly the states of applying each piece in turn with
//! `LearnerState::apply`, on random curricula, models and batches: several
//! learners interleaved, out-of-order timestamps, repeated evidence,
//! activities, every source, states that already exist, and unknown
//! standards (an error that changes nothing).

use std::collections::HashMap;

use mastery::{
    AbilityParams, Activity, ActivityKind, Catalog, Curriculum, Decay, Evidence, LearnerState,
    Model, Outcome, Propagation, Source,
};
use proptest::prelude::*;

mod common;
use common::{N, curriculum, id};

const LEARNERS: [&str; 4] = [
    "ada",
    "bo",
    "mailto:cy@example.org",
    "https://lms.example.org|dee",
];

#[derive(Debug, Clone)]
enum On {
    Standard(usize),
    Activity(usize),
    /// A standard the curriculum does not have.
    Unknown,
}

#[derive(Debug, Clone)]
struct Piece {
    learner: usize,
    on: On,
    outcome: Outcome,
    source: Source,
    /// Seconds after the start; negative and repeated times come out of order.
    at: i64,
    /// Sent twice in a row (a resend).
    twice: bool,
}

fn outcome() -> impl Strategy<Value = Outcome> {
    prop_oneof![
        Just(Outcome::Correct),
        Just(Outcome::Incorrect),
        (0.0..=1.0f64).prop_map(|s| Outcome::score(s).unwrap()),
    ]
}

fn source() -> impl Strategy<Value = Source> {
    prop_oneof![
        4 => Just(Source::Practice),
        1 => Just(Source::Assessment),
        1 => Just(Source::TeacherObservation),
        1 => Just(Source::SelfReport),
    ]
}

fn pieces(unknown: bool) -> impl Strategy<Value = Vec<Piece>> {
    let on = if unknown {
        prop_oneof![
            8 => (0..N).prop_map(On::Standard),
            2 => (0..3usize).prop_map(On::Activity),
            1 => Just(On::Unknown),
        ]
        .boxed()
    } else {
        prop_oneof![
            4 => (0..N).prop_map(On::Standard),
            1 => (0..3usize).prop_map(On::Activity),
        ]
        .boxed()
    };
    proptest::collection::vec(
        (
            0..LEARNERS.len(),
            on,
            outcome(),
            source(),
            -86_400i64..60 * 86_400,
            proptest::bool::weighted(0.1),
        )
            .prop_map(|(learner, on, outcome, source, at, twice)| Piece {
                learner,
                on,
                outcome,
                source,
                at,
                twice,
            }),
        0..60,
    )
}

fn model(
    curriculum: Curriculum,
    decay: bool,
    propagation: (f64, f64, u32),
    ability: bool,
) -> Model {
    let activities = [vec![0, 1], vec![2], vec![3, 4, 5]]
        .into_iter()
        .enumerate()
        .map(|(a, members)| {
            members.iter().fold(
                Activity::new(format!("a{a}"), ActivityKind::Practice),
                |act, &m| act.aligned_to(id(m)),
            )
        });
    let catalog = Catalog::new(&curriculum, activities).unwrap();
    let (strength, weight, depth) = propagation;
    Model::builder(curriculum)
        .catalog(catalog)
        .decay(decay.then(Decay::default))
        .propagation(Propagation::new(strength, weight, depth).unwrap())
        .ability(ability.then(AbilityParams::default))
        .build()
        .unwrap()
}

fn evidence(pieces: &[Piece]) -> Vec<Evidence> {
    let t0 = 1_788_256_800;
    let mut all = Vec::new();
    for p in pieces {
        let learner = LEARNERS[p.learner];
        let e = match p.on {
            On::Standard(s) => Evidence::on_standard(learner, id(s), p.outcome, t0 + p.at),
            On::Activity(a) => {
                Evidence::on_activity(learner, format!("a{a}"), p.outcome, t0 + p.at)
            }
            On::Unknown => Evidence::on_standard(learner, "nowhere", p.outcome, t0 + p.at),
        }
        .unwrap()
        .with_source(p.source);
        if p.twice {
            all.push(e.clone());
        }
        all.push(e);
    }
    all
}

/// States to start from: some learners already have evidence.
fn existing(model: &Model, warm: &[Evidence]) -> HashMap<String, LearnerState> {
    let mut states = HashMap::new();
    one_by_one(model, &mut states, warm).unwrap();
    states
}

/// The reference: `apply` per piece, in input order, adding new learners.
fn one_by_one(
    model: &Model,
    states: &mut HashMap<String, LearnerState>,
    evidence: &[Evidence],
) -> mastery::Result<()> {
    for e in evidence {
        let state = match states.get_mut(e.learner()) {
            Some(state) => state,
            None => states
                .entry(e.learner().to_owned())
                .or_insert(LearnerState::new(model, e.learner())?),
        };
        state.apply(model, e)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Same states as one piece at a time, whatever the order of times.
    #[test]
    fn apply_all_matches_one_by_one(
        curriculum in curriculum(),
        decay in any::<bool>(),
        propagation in (0.0..=1.0f64, 0.0..=1.0f64, 0u32..4),
        ability in any::<bool>(),
        warm in pieces(false),
        batch in pieces(false),
    ) {
        let model = model(curriculum, decay, propagation, ability);
        let warm = evidence(&warm);
        let batch = evidence(&batch);
        let mut expected = existing(&model, &warm);
        let mut bulk = expected.clone();
        one_by_one(&model, &mut expected, &batch).unwrap();
        let applied = LearnerState::apply_all(&model, &mut bulk, &batch).unwrap();
        prop_assert_eq!(applied.evidence, batch.len());
        prop_assert_eq!(&bulk, &expected);
        // Bit for bit, through the saved form too.
        for (learner, state) in &expected {
            prop_assert_eq!(state.to_json(), bulk[learner].to_json());
        }
    }

    /// An unknown standard anywhere in the batch: the error names the first
    /// one and its position, as one by one would stop there; no state
    /// changes and none is added.
    #[test]
    fn unknown_targets_change_nothing(
        curriculum in curriculum(),
        warm in pieces(false),
        batch in pieces(true),
    ) {
        let model = model(curriculum, true, (0.5, 0.2, 2), false);
        let warm = evidence(&warm);
        let batch = evidence(&batch);
        let before = existing(&model, &warm);
        let mut bulk = before.clone();
        let mut reference = before.clone();
        let first_bad = batch.iter().position(|e| {
            matches!(e.target(), mastery::Target::Standard(s) if s == "nowhere")
        });
        let result = LearnerState::apply_all(&model, &mut bulk, &batch);
        let reference_result = one_by_one(&model, &mut reference, &batch);
        match first_bad {
            None => {
                prop_assert!(result.is_ok() && reference_result.is_ok());
                prop_assert_eq!(&bulk, &reference);
            }
            Some(position) => {
                let err = result.unwrap_err();
                prop_assert!(
                    matches!(err, mastery::Error::UnknownEvidenceTarget { position: Some(p), .. } if p == position),
                    "{err}"
                );
                prop_assert!(err.to_string().contains("nowhere"), "{err}");
                prop_assert!(reference_result.is_err());
                prop_assert_eq!(&bulk, &before);
            }
        }
    }
}

/// A state filed under another learner's id is refused, as `apply` refuses it.
#[test]
fn a_state_under_another_id_is_refused() {
    let model = Model::builder(Curriculum::ccss_math()).build().unwrap();
    let mut states = HashMap::new();
    states.insert("ada".to_owned(), LearnerState::new(&model, "bo").unwrap());
    let e = Evidence::on_standard("ada", "3.NF.A.1", Outcome::Correct, 1_788_256_800).unwrap();
    let err = LearnerState::apply_all(&model, &mut states, [&e]).unwrap_err();
    assert!(
        matches!(err, mastery::Error::LearnerMismatch { .. }),
        "{err}"
    );
    assert_eq!(states["ada"], LearnerState::new(&model, "bo").unwrap());
}

/// A state made for another curriculum is refused before anything changes.
#[test]
fn a_state_of_another_curriculum_is_refused() {
    let model = Model::builder(Curriculum::ccss_math()).build().unwrap();
    let other = Model::builder(
        Curriculum::builder()
            .standard_ids(["A"])
            .unwrap()
            .build()
            .unwrap(),
    )
    .build()
    .unwrap();
    let mut states = HashMap::new();
    states.insert("ada".to_owned(), LearnerState::new(&other, "ada").unwrap());
    let t = 1_788_256_800;
    let batch = [
        Evidence::on_standard("bo", "3.NF.A.1", Outcome::Correct, t).unwrap(),
        Evidence::on_standard("ada", "3.NF.A.1", Outcome::Correct, t).unwrap(),
    ];
    let err = LearnerState::apply_all(&model, &mut states, &batch).unwrap_err();
    assert!(
        matches!(err, mastery::Error::CurriculumMismatch { .. }),
        "{err}"
    );
    assert_eq!(states.len(), 1, "bo was not added");
}
