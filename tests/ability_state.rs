//! Learner ability in the online model (issue 11.2): LearnerState keeps the
//! belief, saves and loads it (format version 4; older states load with the
//! population's), and with ability on the online replay of a log equals the
//! whole-log predictions of `fit::predict_with_ability`.

use mastery::evidence::{ResponseColumns, read_responses};
use mastery::fit::{Dataset, DatasetOptions, PredictParams, predict_with_ability};
use mastery::learner::{LEARNER_STATE_FORMAT_VERSION, predict_responses};
use mastery::model::SkillParams;
use mastery::{
    AbilityParams, BktParams, Curriculum, Evidence, LearnerState, Model, Outcome, Propagation,
};
use proptest::prelude::*;

const T0: i64 = 1_700_000_000;

fn skills() -> Curriculum {
    Curriculum::builder()
        .standard_ids(["A", "B", "C", "D"])
        .unwrap()
        .build()
        .unwrap()
}

fn params(i: usize) -> BktParams {
    BktParams::new(
        0.2 + 0.1 * i as f64,
        0.1 + 0.05 * i as f64,
        0.0,
        0.15 + 0.03 * i as f64,
        0.1,
    )
    .unwrap()
}

fn model(ability: Option<AbilityParams>) -> Model {
    let mut builder = Model::builder(skills())
        .decay(None)
        .propagation(Propagation::off())
        .ability(ability);
    for (i, id) in ["A", "B", "C", "D"].iter().enumerate() {
        builder = builder.standard_params(*id, params(i));
    }
    builder.build().unwrap()
}

#[test]
fn able_and_struggling_learners_part_ways() {
    let model = model(Some(AbilityParams::new(0.85, 1.0).unwrap()));
    let mut able = LearnerState::new(&model, "able").unwrap();
    let mut struggling = LearnerState::new(&model, "struggling").unwrap();
    for (i, id) in ["A", "B", "C"].iter().cycle().take(9).enumerate() {
        able.apply_outcome(&model, *id, Outcome::Correct, T0 + i as i64)
            .unwrap();
        struggling
            .apply_outcome(&model, *id, Outcome::Incorrect, T0 + i as i64)
            .unwrap();
    }
    let (a, s) = (
        able.ability(&model).unwrap(),
        struggling.ability(&model).unwrap(),
    );
    assert!(
        a.mean() > 0.3 && s.mean() < -0.3,
        "{} {}",
        a.mean(),
        s.mean()
    );
    assert!(a.sd() < 0.85 && s.sd() < 0.85);
    // D was never practiced: the able learner is expected to know more of it.
    assert!(able.mastery(&model, "D").unwrap() > params(3).prior());
    assert!(struggling.mastery(&model, "D").unwrap() < params(3).prior());
    let target = mastery::Target::Standard("D".into());
    assert!(
        able.predict(&model, &target, T0).unwrap()
            > struggling.predict(&model, &target, T0).unwrap()
    );
    // Without ability, the same learner has no ability and the plain prior.
    let plain = mastery::Model::plain_bkt(
        skills(),
        ["A", "B", "C", "D"]
            .iter()
            .enumerate()
            .map(|(i, id)| (id.to_string(), params(i))),
    )
    .unwrap();
    let fresh = LearnerState::new(&plain, "x").unwrap();
    assert!(fresh.ability(&plain).is_none());
    assert_eq!(fresh.mastery(&plain, "D").unwrap(), params(3).prior());
}

#[test]
fn ability_is_saved_and_old_states_load() {
    let model = model(Some(AbilityParams::default()));
    let mut ada = LearnerState::new(&model, "ada").unwrap();
    ada.apply(
        &model,
        &Evidence::on_standard("ada", "B", Outcome::Correct, T0).unwrap(),
    )
    .unwrap();
    let json = ada.to_json();
    assert!(json.contains(&format!(
        "\"format_version\":{LEARNER_STATE_FORMAT_VERSION}"
    )));
    assert_eq!(LEARNER_STATE_FORMAT_VERSION, 4);
    let back = LearnerState::from_json(&model, &json).unwrap();
    assert_eq!(back, ada);
    assert_eq!(back.ability(&model), ada.ability(&model));
    // A version-3 file (no ability) loads with the population's.
    let v3: serde_json::Value = {
        let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
        v["format_version"] = 3.into();
        v.as_object_mut().unwrap().remove("ability");
        v
    };
    let old = LearnerState::from_json(&model, &v3.to_string()).unwrap();
    assert_eq!(old.ability(&model), Some(AbilityParams::default().prior()));
    // Bad beliefs are refused, naming the problem.
    for bad in [
        r#"{"mean":9.0,"precision":1.0}"#,
        r#"{"mean":0.1,"precision":0.0}"#,
        r#"{"mean":0.1,"precision":-1.0}"#,
    ] {
        let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
        v["ability"] = serde_json::from_str(bad).unwrap();
        let err = LearnerState::from_json(&model, &v.to_string()).unwrap_err();
        assert!(err.to_string().contains("ability"), "{err}");
    }
}

#[test]
fn online_replay_equals_whole_log_predictions_with_ability() {
    let ability = AbilityParams::new(0.7, 1.25).unwrap();
    let model = model(Some(ability));
    let mut log = String::from("order_id,user_id,skill_name,correct\n");
    let mut order = 0;
    for learner in 0..12 {
        for step in 0..15 {
            order += 1;
            let skill = ["A", "B", "C", "D"][(step * 7 + learner) % 4];
            let correct = u8::from((step * 3 + learner * 5) % 7 < 3 + learner % 4);
            log += &format!("{order},u{learner},{skill},{correct}\n");
        }
    }
    let rows = read_responses("log.csv", log.as_bytes(), &ResponseColumns::default()).unwrap();
    let online = predict_responses(&model, &rows).unwrap();
    let mut skill_params = SkillParams::default();
    for (i, id) in ["A", "B", "C", "D"].iter().enumerate() {
        skill_params.params.insert(id.to_string(), params(i));
    }
    let options = DatasetOptions::default().keep_row_keys(true);
    let (data, _) = Dataset::from_reader("log.csv", log.as_bytes(), &options).unwrap();
    let batch =
        predict_with_ability(&data, &PredictParams::from(&skill_params), Some(&ability)).unwrap();
    assert_eq!(online.len(), batch.len());
    for (i, (o, b)) in online.iter().zip(&batch).enumerate() {
        // The state stores estimates in fixed point (2.3e-10 steps).
        assert!(
            (o.p_correct - b).abs() < 1e-7,
            "row {i}: {} vs {b}",
            o.p_correct
        );
    }
}

proptest! {
    #[test]
    fn with_ability_a_correct_answer_never_lowers_mastery(
        history in prop::collection::vec((0usize..4, any::<bool>()), 0..40),
        next in 0usize..4,
        sd in 0.3f64..2.0,
        weight in 0.0f64..2.0,
    ) {
        let model = model(Some(AbilityParams::new(sd, weight).unwrap()));
        let ids = ["A", "B", "C", "D"];
        let mut state = LearnerState::new(&model, "p").unwrap();
        for (i, (s, correct)) in history.iter().enumerate() {
            let outcome = if *correct { Outcome::Correct } else { Outcome::Incorrect };
            state.apply_outcome(&model, ids[*s], outcome, T0 + i as i64).unwrap();
        }
        let before = state.mastery(&model, ids[next]).unwrap();
        state.apply_outcome(&model, ids[next], Outcome::Correct, T0 + 1000).unwrap();
        let after = state.mastery(&model, ids[next]).unwrap();
        prop_assert!(after >= before - 1e-9, "{} -> {}", before, after);
        let ability = state.ability(&model).unwrap();
        prop_assert!(ability.mean().is_finite() && ability.mean().abs() <= mastery::model::MAX_ABILITY);
        for id in ids {
            let m = state.mastery(&model, id).unwrap();
            prop_assert!((0.0..=1.0).contains(&m));
        }
    }
}

#[test]
fn activities_added_later_carry_ability_too() {
    let mut model = model(Some(AbilityParams::default()));
    let idx = model
        .add_activity(
            mastery::Activity::new("quiz", mastery::ActivityKind::Practice)
                .aligned_to("A")
                .aligned_to("B")
                .with_guess_slip(0.25, 0.1),
        )
        .unwrap();
    let mut ada = LearnerState::new(&model, "ada").unwrap();
    let mut bob = LearnerState::new(&model, "bob").unwrap();
    for i in 0..4 {
        let at = T0 + i;
        ada.apply(
            &model,
            &Evidence::on_activity("ada", "quiz", Outcome::Correct, at).unwrap(),
        )
        .unwrap();
        bob.apply(
            &model,
            &Evidence::on_activity("bob", "quiz", Outcome::Incorrect, at).unwrap(),
        )
        .unwrap();
    }
    assert!(ada.ability(&model).unwrap().mean() > bob.ability(&model).unwrap().mean());
    let target = mastery::Target::Activity(model.catalog().get(idx).unwrap().id().to_owned());
    assert!(ada.predict(&model, &target, T0).unwrap() > bob.predict(&model, &target, T0).unwrap());
}
