//! An app developer's first week in one file: an own unit linked to the embedded
//! Common Core, a catalog, evidence, states saved and reloaded, a refit mapped to
//! standards, next steps, and a family report: `cargo run --release --example app`.

use mastery::cohort::ProgressReport;
use mastery::fit::{Dataset, DatasetOptions, FitConfig, fit};
use mastery::model::SkillMap;
use mastery::recommend::{RecommendOptions, Recommender};
use mastery::time::{Date, Period, UtcOffset};
use mastery::{Activity, ActivityKind, Catalog, CsvLoader, Curriculum, Evidence, LearnerState};
use mastery::{Model, Outcome};
use std::collections::BTreeMap;

mod common;

/// The school's own unit, with its prerequisites in a column.
const UNIT: &str = "id,title,prerequisites\n\
    FR.7,Fractions on a ruler,\n\
    FR.8,Fractions in recipes,FR.7\n";

fn main() -> std::process::ExitCode {
    common::main(|| {
        let unit = CsvLoader::new()
            .standards_reader("unit.csv", UNIT.as_bytes())
            .load()?;
        let cross = [("3.NF.A.2", "FR.7"), ("FR.8", "4.NF.B.3")];
        let curriculum = Curriculum::ccss_math().merge(&unit, cross)?;
        let catalog = Catalog::new(
            &curriculum,
            [
                Activity::new("ruler-practice", ActivityKind::Practice).aligned_to("FR.7"),
                Activity::new("recipe-practice", ActivityKind::Practice).aligned_to("FR.8"),
                Activity::new("number-line", ActivityKind::Practice).aligned_to("3.NF.A.2"),
                Activity::new("measure-lines", ActivityKind::Practice).aligned_to("2.MD.B.6"),
            ],
        )?;
        let video = Activity::new("recipe-video", ActivityKind::Video).aligned_to("FR.8");
        let model = Model::builder(curriculum.clone())
            .catalog(catalog)
            .build()?
            .with_activity(video)?;

        // A week of answers from three children in New York, saved after every update.
        let new_york = UtcOffset::from_hours(-5)?;
        let monday = Date::parse("2026-09-14")?;
        let mut saved: BTreeMap<&str, String> = BTreeMap::new();
        let mut log = Vec::new();
        let mut responses = String::from("order_id,user_id,skill_name,correct\n");
        for day in 0..5 {
            for (k, child) in ["ada", "bo", "cy"].into_iter().enumerate() {
                let mut state = match saved.get(child) {
                    Some(json) => LearnerState::from_json(&model, json)?,
                    None => LearnerState::new(&model, child)?,
                };
                let activities = ["number-line", "ruler-practice", "recipe-practice"];
                for (i, activity) in activities.iter().enumerate() {
                    let correct = (day + k + i) % 3 != 0;
                    let t = monday.add_days(day as i64).to_unix(new_york) + 19 * 3600;
                    let outcome = Outcome::from_correct(correct);
                    let e = Evidence::on_activity(child, *activity, outcome, t)?;
                    state.apply(&model, &e)?;
                    let skill = ["Number line", "Ruler", "Recipes"][i];
                    responses += &format!("{},{child},{skill},{}\n", log.len(), u8::from(correct));
                    log.push(e);
                }
                saved.insert(child, state.to_json());
            }
        }

        // Refit on the platform's log; its skills are not standard ids.
        let (data, _) =
            Dataset::from_reader("log.csv", responses.as_bytes(), &DatasetOptions::default())?;
        let fitted = fit(&data, &FitConfig::default().validate()?)?.skill_params()?;
        let map = SkillMap::new()
            .skill("Number line", ["3.NF.A.2", "3.NF.A.2.a"])
            .skill("Ruler", ["FR.7"])
            .skill("Recipes", ["FR.8"]);
        let refit = Model::builder(curriculum.clone())
            .catalog(model.catalog().clone())
            .mapped_skill_params(&fitted, &map)
            .build()?;

        // Next steps and a family report, from the saved states under the refit model.
        let friday = monday.add_days(4).to_unix(new_york) + 20 * 3600;
        let ada = LearnerState::from_json(&refit, &saved["ada"])?;
        let options = RecommendOptions::new(friday).goal("4.NF.B.3").count(3);
        let next = Recommender::new(&refit).recommend(&ada, &options)?;
        for r in &next.items {
            println!("next: {}: {}", r.activity_id, r.reason.explain(&curriculum));
        }
        let why = next.shortfall.as_ref().map(|s| s.explain(&curriculum));
        println!("({})", why.unwrap_or_else(|| "as many as asked for".into()));
        let week = Period::dates(monday, monday.add_days(6), new_york)?;
        let before = LearnerState::new(&refit, "ada")?;
        let report = ProgressReport::for_period(&refit, &before, &ada, &log, &week, &["4.NF.B.3"])?;
        println!("\n{}", report.to_markdown(&curriculum));
        Ok(())
    })
}
