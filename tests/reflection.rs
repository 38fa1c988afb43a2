//! Reflection: self-assessments as weighted evidence, and the gaps between
//! how sure a learner feels and what the answers say.

use mastery::evidence::Confidence;
use mastery::learner::GapKind;
use mastery::model::SourceWeights;
use mastery::{BktParams, Curriculum, Evidence, LearnerState, Model, Outcome, Source};
use proptest::prelude::*;

const NOW: i64 = 1_700_000_000;

fn two_standards(params: BktParams, weights: SourceWeights) -> Model {
    let curriculum = Curriculum::builder()
        .standard_ids(["a", "b"])
        .unwrap()
        .prerequisite("a", "b")
        .build()
        .unwrap();
    Model::builder(curriculum)
        .default_params(params)
        .source_weights(weights)
        .decay(None)
        .build()
        .unwrap()
}

fn learner_after(model: &Model, answers: &[bool]) -> LearnerState {
    let mut learner = LearnerState::new(model, "ada").unwrap();
    for (i, &correct) in answers.iter().enumerate() {
        let e = Evidence::on_standard("ada", "b", Outcome::from_correct(correct), NOW + i as i64)
            .unwrap();
        learner.apply(model, &e).unwrap();
    }
    learner
}

fn params() -> impl Strategy<Value = (f64, f64, f64, f64)> {
    (0.01f64..0.99, 0.0f64..0.4, 0.01f64..0.45, 0.01f64..0.45)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// With no learning from one opportunity, a self-assessment moves the
    /// estimate in the same direction as the same outcome from an answer,
    /// and never further.
    #[test]
    fn a_self_assessment_moves_mastery_less_than_an_answer(
        (prior, _, guess, slip) in params(),
        history in proptest::collection::vec(any::<bool>(), 0..8),
        level in 1u8..=4,
    ) {
        let p = BktParams::new(prior, 0.0, 0.0, guess, slip).unwrap();
        let model = two_standards(p, SourceWeights::default());
        let start = learner_after(&model, &history);
        let before = start.mastery(&model, "b").unwrap();
        let confidence = Confidence::new(level).unwrap();
        let at = NOW + 100;
        let mut felt = start.clone();
        felt.apply(&model, &Evidence::self_assessment("ada", "b", confidence, at).unwrap()).unwrap();
        let mut answered = start.clone();
        answered.apply(&model, &Evidence::on_standard("ada", "b", confidence.outcome(), at).unwrap()).unwrap();
        let by_feeling = felt.mastery(&model, "b").unwrap() - before;
        let by_answer = answered.mastery(&model, "b").unwrap() - before;
        prop_assert!(by_feeling.abs() <= by_answer.abs() + 1e-12, "{by_feeling} vs {by_answer}");
        if by_answer.abs() > 1e-6 {
            prop_assert!(by_feeling.abs() < by_answer.abs(), "{by_feeling} vs {by_answer}");
        }
        prop_assert!(by_feeling * by_answer >= 0.0, "opposite directions: {by_feeling} vs {by_answer}");
        // Not an attempt: counters stay, and the prerequisite moves less too.
        let attempts = |l: &LearnerState| l.practice(&model, "b").unwrap().map_or(0, |r| r.attempts());
        prop_assert_eq!(attempts(&felt), attempts(&start));
        let a_moves = |l: &LearnerState| (l.mastery(&model, "a").unwrap() - start.mastery(&model, "a").unwrap()).abs();
        prop_assert!(a_moves(&felt) <= a_moves(&answered) + 1e-12);
        prop_assert_eq!(felt.profile().reflections()[0].confidence, confidence);
    }

    /// "I can do this" raises mastery less than a correct answer, whatever the learn rate.
    #[test]
    fn feeling_sure_raises_mastery_less_than_a_correct_answer(
        (prior, learn, guess, slip) in params(),
        history in proptest::collection::vec(any::<bool>(), 0..8),
    ) {
        let p = BktParams::new(prior, learn, 0.0, guess, slip).unwrap();
        let model = two_standards(p, SourceWeights::default());
        let start = learner_after(&model, &history);
        let before = start.mastery(&model, "b").unwrap();
        let mut felt = start.clone();
        felt.apply(&model, &Evidence::self_assessment("ada", "b", Confidence::SURE, NOW + 100).unwrap()).unwrap();
        let mut answered = start.clone();
        answered.apply(&model, &Evidence::on_standard("ada", "b", Outcome::Correct, NOW + 100).unwrap()).unwrap();
        let by_feeling = felt.mastery(&model, "b").unwrap() - before;
        prop_assert!(by_feeling >= -1e-12);
        prop_assert!(by_feeling <= answered.mastery(&model, "b").unwrap() - before + 1e-12);
    }
}

#[test]
fn weights_are_configurable_and_uniform_weights_count_feelings_as_answers() {
    let p = BktParams::new(0.3, 0.0, 0.0, 0.2, 0.1).unwrap();
    let uniform = two_standards(p, SourceWeights::uniform());
    let mut felt = LearnerState::new(&uniform, "ada").unwrap();
    felt.apply(
        &uniform,
        &Evidence::self_assessment("ada", "b", Confidence::SURE, NOW).unwrap(),
    )
    .unwrap();
    let mut answered = LearnerState::new(&uniform, "ada").unwrap();
    answered
        .apply(
            &uniform,
            &Evidence::on_standard("ada", "b", Outcome::Correct, NOW).unwrap(),
        )
        .unwrap();
    let (f, a) = (
        felt.mastery(&uniform, "b").unwrap(),
        answered.mastery(&uniform, "b").unwrap(),
    );
    assert!((f - a).abs() < 1e-9, "{f} vs {a}");
    // Any source can be down-weighted; weights outside (0, 1] are errors.
    let light = SourceWeights::default()
        .with_weight(Source::TeacherObservation, 0.5)
        .unwrap();
    assert_eq!(light.weight(Source::TeacherObservation), 0.5);
    for bad in [0.0, -0.1, 1.5, f64::NAN] {
        assert!(
            SourceWeights::default()
                .with_weight(Source::Assessment, bad)
                .is_err()
        );
    }
}

#[test]
fn the_report_says_it_was_a_self_assessment() {
    let ccss = Curriculum::ccss_math();
    let model = Model::builder(ccss.clone()).build().unwrap();
    let mut ada = LearnerState::new(&model, "ada").unwrap();
    let e = Evidence::self_assessment("ada", "3.NF.A.1", Confidence::new(3).unwrap(), NOW).unwrap();
    let text = ada.apply(&model, &e).unwrap().explain(&ccss);
    assert!(
        text.starts_with("Your self-assessment (3 of 4) on 3.NF.A.1 raised your mastery from"),
        "{text}"
    );
    assert!(
        text.ends_with("Self-assessments count less than answers."),
        "{text}"
    );
}

#[test]
fn gaps_between_feeling_and_answers_are_said_back() {
    let ccss = Curriculum::ccss_math();
    let model = Model::builder(ccss.clone()).build().unwrap();
    let mut ada = LearnerState::new(&model, "ada").unwrap();
    let mut t = NOW;
    let mut answer = |ada: &mut LearnerState, id: &str, correct: bool| {
        t += 60;
        let e = Evidence::on_standard("ada", id, Outcome::from_correct(correct), t).unwrap();
        ada.apply(&model, &e).unwrap();
    };
    // Sure about fractions, wrong three times.
    ada.apply(
        &model,
        &Evidence::self_assessment("ada", "3.NF.A.1", Confidence::SURE, NOW).unwrap(),
    )
    .unwrap();
    // Unsure about counting, right every time.
    ada.apply(
        &model,
        &Evidence::self_assessment("ada", "K.CC.A.1", Confidence::new(2).unwrap(), NOW).unwrap(),
    )
    .unwrap();
    // Sure about K.CC.A.2 and right: no gap. Unsure about K.CC.A.3, no answers: no gap.
    ada.apply(
        &model,
        &Evidence::self_assessment("ada", "K.CC.A.2", Confidence::SURE, NOW).unwrap(),
    )
    .unwrap();
    ada.apply(
        &model,
        &Evidence::self_assessment("ada", "K.CC.A.3", Confidence::new(1).unwrap(), NOW).unwrap(),
    )
    .unwrap();
    assert!(ada.confidence_gaps(&model, NOW + 1).unwrap().is_empty());
    for _ in 0..3 {
        answer(&mut ada, "3.NF.A.1", false);
    }
    for _ in 0..6 {
        answer(&mut ada, "K.CC.A.1", true);
        answer(&mut ada, "K.CC.A.2", true);
    }
    let gaps = ada.confidence_gaps(&model, t + 60).unwrap();
    let texts: Vec<String> = gaps.iter().map(|g| g.explain(&ccss)).collect();
    assert_eq!(gaps.len(), 2, "{texts:?}");
    let by_id = |id: &str| {
        let idx = ccss.index_of(id).unwrap();
        gaps.iter().find(|g| g.standard == idx).unwrap()
    };
    assert_eq!(by_id("3.NF.A.1").kind, GapKind::Overconfident);
    assert_eq!(by_id("K.CC.A.1").kind, GapKind::Underconfident);
    assert!(
        texts.contains(
            &"You felt sure about 3.NF.A.1, but your last answers say it needs more practice."
                .to_owned()
        )
    );
    assert!(texts.iter().any(|t| t.starts_with(
        "You felt unsure about K.CC.A.1, but your answers show you can do it: mastery"
    )));
    // A newer self-assessment replaces the older one, and survives a save.
    ada.apply(
        &model,
        &Evidence::self_assessment("ada", "3.NF.A.1", Confidence::new(1).unwrap(), t + 120)
            .unwrap(),
    )
    .unwrap();
    let ada = LearnerState::from_json(&model, &ada.to_json()).unwrap();
    assert_eq!(ada.profile().reflections().len(), 4);
    assert_eq!(ada.confidence_gaps(&model, t + 180).unwrap().len(), 1);
}
