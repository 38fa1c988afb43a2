//! What works: per-activity learn rates recovered from simulated logs.

use mastery::fit::{Dataset, DatasetOptions, WhatWorksOptions, what_works};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

/// A log of `learners` learners x `length` opportunities on one skill, each
/// opportunity a random one of the activities, learning with each
/// activity's true rate after answering (prior 0.2, guess 0.2, slip 0.1).
fn simulated_log(truth: &[(&str, f64)], learners: usize, length: usize, seed: u64) -> String {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut log = String::from("order_id,user_id,skill_name,correct,activity\n");
    let mut order = 0;
    for l in 0..learners {
        let mut known = rng.random::<f64>() < 0.2;
        for _ in 0..length {
            let (activity, learn) = truth[rng.random_range(0..truth.len())];
            let correct = if known {
                rng.random::<f64>() >= 0.1
            } else {
                rng.random::<f64>() < 0.2
            };
            order += 1;
            log += &format!("{order},u{l},fractions,{},{activity}\n", u8::from(correct));
            if !known && rng.random::<f64>() < learn {
                known = true;
            }
        }
    }
    log
}

fn fit(log: &str) -> mastery::fit::WhatWorks {
    let options = DatasetOptions::default().item_column("activity");
    let (data, _) = Dataset::from_reader("log.csv", log.as_bytes(), &options).unwrap();
    what_works(&data, &WhatWorksOptions::default()).unwrap()
}

const TRUTH: [(&str, f64); 3] = [("drill", 0.08), ("video", 0.16), ("project", 0.3)];

/// The documented tolerance: within 0.05 of the truth (and within 3
/// standard errors) for 800 learners x 8 opportunities.
#[test]
fn true_learn_rates_are_recovered_within_the_tolerance() {
    let effects = fit(&simulated_log(&TRUTH, 800, 8, 1));
    let skill = &effects.skills[0];
    assert!((skill.prior - 0.2).abs() < 0.05, "prior {}", skill.prior);
    assert!((skill.guess - 0.2).abs() < 0.05, "guess {}", skill.guess);
    assert!((skill.slip - 0.1).abs() < 0.05, "slip {}", skill.slip);
    for (activity, learn) in TRUTH {
        let e = effects.effect("fractions", activity).unwrap();
        assert!(e.enough_data, "{e:?}");
        let error = (e.learn - learn).abs();
        assert!(
            error < 0.05 && error < 3.0 * e.std_error + 0.01,
            "{activity}: {} vs {learn} (± {})",
            e.learn,
            e.std_error
        );
    }
    assert_eq!(skill.effects[0].activity, "project");
    let md = effects.to_markdown();
    assert!(
        md.contains("## fractions") && md.contains("| project | 0."),
        "{md}"
    );
}

#[test]
fn a_truly_better_activity_ranks_first_in_nine_seeds_of_ten() {
    let seeds = 20;
    let first = (0..seeds)
        .filter(|&seed| {
            let effects = fit(&simulated_log(&TRUTH, 400, 8, 100 + seed));
            effects.skills[0].effects[0].activity == "project"
        })
        .count();
    assert!(
        first * 10 >= seeds as usize * 9,
        "best first in {first} of {seeds} seeds"
    );
}

#[test]
fn activities_with_too_little_data_say_so() {
    let mut log = simulated_log(&TRUTH, 300, 8, 7);
    // A rare activity: three responses.
    for (k, learner) in ["u1", "u2", "u3"].iter().enumerate() {
        log += &format!("{},{learner},fractions,1,rare\n", 1_000_000 + k);
    }
    let effects = fit(&log);
    let rare = effects.effect("fractions", "rare").unwrap();
    assert!(!rare.enough_data, "{rare:?}");
    assert_eq!(rare.responses, 3);
    // Ranked after every activity with enough data, and left out of the learn rates.
    assert_eq!(effects.skills[0].effects.last().unwrap().activity, "rare");
    assert!(effects.learn_rates().iter().all(|(a, _)| a != "rare"));
    assert!(effects.to_markdown().contains("too little data to tell"));
}

#[test]
fn a_log_without_activities_is_an_error() {
    let log = simulated_log(&TRUTH, 10, 3, 1);
    let (data, _) =
        Dataset::from_reader("log.csv", log.as_bytes(), &DatasetOptions::default()).unwrap();
    let err = what_works(&data, &WhatWorksOptions::default()).unwrap_err();
    assert!(err.to_string().contains("activity column"), "{err}");
}

mod recommending {
    use mastery::recommend::{Appeal, RecommendOptions, Recommender};
    use mastery::{
        Activity, ActivityKind, Catalog, Curriculum, Evidence, LearnerState, Model, Outcome,
    };

    fn model(rates: &[(&str, f64)]) -> Model {
        let c = Curriculum::builder()
            .standard_ids(["s"])
            .unwrap()
            .build()
            .unwrap();
        let catalog = Catalog::new(
            &c,
            ["drill", "project"]
                .map(|id| Activity::new(id, ActivityKind::Practice).aligned_to("s")),
        )
        .unwrap();
        Model::builder(c)
            .catalog(catalog)
            .activity_learn_rates(rates.iter().map(|(a, l)| ((*a).to_owned(), *l)))
            .build()
            .unwrap()
    }

    #[test]
    fn the_recommender_prefers_what_teaches_and_estimates_follow_it() {
        let plain = model(&[]);
        let fitted = model(&[("drill", 0.05), ("project", 0.4)]);
        let first = |m: &Model| {
            let l = LearnerState::new(m, "ada").unwrap();
            Recommender::new(m)
                .recommend(&l, &RecommendOptions::new(0).count(1))
                .unwrap()
                .items[0]
                .activity_id
                .clone()
        };
        assert_eq!(first(&plain), "drill");
        assert_eq!(first(&fitted), "project");
        let ada = LearnerState::new(&fitted, "ada").unwrap();
        let choices = Recommender::new(&fitted)
            .choices(&ada, &RecommendOptions::new(0).count(1))
            .unwrap();
        assert!(
            choices.choices[0].options[0]
                .appeals
                .contains(&Appeal::TeachesWell)
        );
        // An incorrect answer on the project still teaches more than one on the drill.
        let after = |activity: &str| {
            let mut l = LearnerState::new(&fitted, "ada").unwrap();
            l.apply(
                &fitted,
                &Evidence::on_activity("ada", activity, Outcome::Incorrect, 0).unwrap(),
            )
            .unwrap();
            l.mastery(&fitted, "s").unwrap()
        };
        assert!(after("project") > after("drill") + 0.2);
        let bad = Model::builder(
            Curriculum::builder()
                .standard_ids(["s"])
                .unwrap()
                .build()
                .unwrap(),
        )
        .activity_learn("nope", 0.5)
        .build();
        assert!(bad.is_err());
        let c = Curriculum::builder()
            .standard_ids(["s"])
            .unwrap()
            .build()
            .unwrap();
        let catalog = Catalog::new(
            &c,
            [Activity::new("a", ActivityKind::Video).aligned_to("s")],
        )
        .unwrap();
        let out_of_range = Model::builder(c)
            .catalog(catalog)
            .activity_learn("a", 1.5)
            .build();
        assert!(matches!(
            out_of_range,
            Err(mastery::Error::InvalidValue { .. })
        ));
    }
}
