//! The performance model end to end: online predictions equal batch ones,
//! the 3-line format reads into the same dataset as its CSV twin, invariants
//! under proptest, and the blend with BKT.

use mastery::fit::metrics::auc;
use mastery::fit::{
    Blend, Dataset, DatasetOptions, FitConfig, HmmParams, PerformanceConfig, PerformanceModel, fit,
    synthetic_log,
};
use proptest::prelude::*;

/// A log with interleaved skills, items, and `order_id`s out of file order
/// (with ties): learners of three abilities answering skills of three
/// difficulties, getting better with practice.
fn interleaved_log(learners: usize, per_learner: usize, seed: u64) -> String {
    let mut state = seed.wrapping_mul(2_862_933_555_777_941_757).wrapping_add(1);
    let mut next = move |n: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % n
    };
    let mut rows = Vec::new();
    for l in 0..learners {
        let ability = (l % 3) as f64 - 1.0;
        let mut practice = [0.0f64; 3];
        for t in 0..per_learner {
            let skill = next(3) as usize;
            let item = next(4);
            let z = ability + practice[skill] * 0.4 - skill as f64 * 0.5 + item as f64 * 0.1;
            let p = 1.0 / (1.0 + (-z).exp());
            let correct = (next(10_000) as f64) < p * 10_000.0;
            practice[skill] += 1.0;
            // order_id: the learner's position, with a tie every 5th row.
            let order = (l * per_learner + t - usize::from(t % 5 == 4)) as i64;
            rows.push(format!(
                "{order},u{l},S{skill},{},q{item}",
                u8::from(correct)
            ));
        }
    }
    // File order: reversed in blocks, so order_id is the only true order.
    let mut out = String::from("order_id,user_id,skill_name,correct,item\n");
    for chunk in rows.chunks(7).rev() {
        for row in chunk {
            out += row;
            out.push('\n');
        }
    }
    out
}

fn load(csv: &str) -> Dataset {
    let options = DatasetOptions::default()
        .keep_row_keys(true)
        .item_column("item");
    Dataset::from_reader("log.csv", csv.as_bytes(), &options)
        .unwrap()
        .0
}

#[test]
fn online_predictions_after_a_history_equal_the_batch_ones() {
    let data = load(&interleaved_log(40, 30, 3));
    let config = PerformanceConfig::default().validate().unwrap();
    let model = PerformanceModel::fit(&data, &config).unwrap();
    let batch = model.predict(&data).unwrap();
    let keys = data.row_keys().unwrap();
    let outcomes = data.outcomes();
    // Each row's item name, from the per-skill sequences.
    let mut items = vec![String::new(); data.len()];
    for skill in data.skills() {
        for s in 0..skill.sequence_count() {
            for (&r, &i) in skill.sequence_rows(s).iter().zip(skill.sequence_items(s)) {
                items[r as usize] = skill.items()[i as usize].clone();
            }
        }
    }
    for learner in 0..data.learners().len() as u32 {
        let mut rows: Vec<usize> = (0..data.len())
            .filter(|&r| keys[r].learner() == learner)
            .collect();
        rows.sort_by_key(|&r| (keys[r].order_id(), r));
        let mut state = model.new_state();
        for r in rows {
            let skill = model
                .skill(data.skills()[keys[r].skill() as usize].name())
                .unwrap();
            let item = model.item(skill, &items[r]);
            assert!(item.is_some());
            let online = state.p_correct(&model, skill, item).unwrap();
            assert_eq!(online.to_bits(), batch.p_correct()[r].to_bits(), "row {r}");
            state.observe(&model, skill, item, outcomes[r]).unwrap();
        }
    }
    // The state survives JSON.
    let mut state = model.new_state();
    let s1 = model.skill("S1").unwrap();
    state.observe(&model, s1, None, true).unwrap();
    let back: mastery::fit::PerformanceState =
        serde_json::from_str(&serde_json::to_string(&state).unwrap()).unwrap();
    assert_eq!(back, state);
}

#[test]
fn history_and_ability_features_predict_better_than_chance() {
    let train = load(&interleaved_log(150, 40, 5));
    let test = load(&interleaved_log(60, 40, 6));
    let config = PerformanceConfig::default().validate().unwrap();
    let model = PerformanceModel::fit(&train, &config).unwrap();
    let p = model.predict(&test).unwrap();
    let a = auc(p.p_correct(), &test.outcomes()).unwrap();
    assert!(a > 0.65, "AUC {a}");
    // Without items the model still fits and predicts.
    let no_items = PerformanceConfig::default()
        .items(false)
        .validate()
        .unwrap();
    let plain = PerformanceModel::fit(&train, &no_items).unwrap();
    assert!(plain.summary().weights < model.summary().weights);
}

#[test]
fn the_blend_with_bkt_is_no_worse_than_bkt_on_its_training_log() {
    let truth = |prior, learn| HmmParams {
        prior,
        learn,
        forget: 0.0,
        guess: vec![0.2],
        slip: vec![0.1],
    };
    let csv = synthetic_log(
        &[("A".into(), truth(0.2, 0.2)), ("B".into(), truth(0.5, 0.1))],
        120,
        5..=15,
        9,
    )
    .unwrap();
    let data = load_plain(&csv);
    let bkt = fit(&data, &FitConfig::default().restarts(2).validate().unwrap()).unwrap();
    let perf =
        PerformanceModel::fit(&data, &PerformanceConfig::default().validate().unwrap()).unwrap();
    let (pb, pp) = (bkt.predict(&data).unwrap(), perf.predict(&data).unwrap());
    let outcomes = data.outcomes();
    let blend = Blend::fit(&pb, pp.p_correct(), &outcomes).unwrap();
    let blended = blend.predict_all(&pb, pp.p_correct());
    let (a_blend, a_bkt) = (
        auc(&blended, &outcomes).unwrap(),
        auc(&pb, &outcomes).unwrap(),
    );
    assert!(a_blend >= a_bkt - 0.005, "blend {a_blend}, BKT {a_bkt}");
}

#[test]
fn the_kt3_fixture_reads_as_its_csv_twin() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/kt3");
    let kt3 = Dataset::from_kt3_path(format!("{dir}/small.txt")).unwrap();
    let csv = Dataset::from_path(
        format!("{dir}/small.csv"),
        &DatasetOptions::default().keep_row_keys(true),
    )
    .unwrap()
    .0;
    assert_eq!(kt3, csv);
    let model =
        PerformanceModel::fit(&kt3, &PerformanceConfig::default().validate().unwrap()).unwrap();
    assert_eq!(model.predict(&kt3).unwrap().p_correct().len(), kt3.len());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Any log: predictions are probabilities, weights finite, and the
    /// online state's predictions for every skill are probabilities too.
    #[test]
    fn predictions_are_probabilities_and_weights_finite(
        rows in prop::collection::vec((0u8..6, 0u8..4, any::<bool>(), 0i64..50), 1..120),
        l2 in 0.01f64..100.0,
    ) {
        let mut csv = String::from("order_id,user_id,skill_name,correct\n");
        for (learner, skill, correct, order) in &rows {
            csv += &format!("{order},u{learner},S{skill},{}\n", u8::from(*correct));
        }
        let data = load_plain(&csv);
        let config = PerformanceConfig::default().l2(l2).max_iterations(50).validate().unwrap();
        let model = PerformanceModel::fit(&data, &config).unwrap();
        prop_assert!(model.named_weights().iter().all(|(_, w)| w.is_finite()));
        let p = model.predict(&data).unwrap();
        prop_assert!(p.p_correct().iter().all(|p| (0.0..=1.0).contains(p)));
        let mut state = model.new_state();
        for (_, skill, correct, _) in &rows {
            let k = model.skill(&format!("S{skill}")).unwrap();
            state.observe(&model, k, None, *correct).unwrap();
            for name in model.skills() {
                let q = state.p_correct(&model, model.skill(name).unwrap(), None).unwrap();
                prop_assert!((0.0..=1.0).contains(&q));
            }
        }
    }
}

fn load_plain(csv: &str) -> Dataset {
    Dataset::from_reader(
        "log.csv",
        csv.as_bytes(),
        &DatasetOptions::default().keep_row_keys(true),
    )
    .unwrap()
    .0
}
