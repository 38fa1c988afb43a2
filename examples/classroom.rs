//! The main example: a simulated class on the embedded Common Core math curriculum.
//!
//! ```text
//! cargo run --release --example classroom [-- --out DIR --weeks N --seed S]
//! ```
//!
//! Thirty simulated learners with different starting points and paces work
//! toward the grade-4 standards for a few weeks, six activities a school day,
//! each activity chosen by the crate's recommender from the demo catalog and
//! each answer updating the learner's mastery estimates. Then the example
//! prints what a teacher would look at: the next recommendations with reasons
//! for three learners, today's groupings, the class report, and how the
//! adaptive policy compares with a fixed sequence and with random ready
//! standards on simulated learners. It writes pictures and reports into a
//! folder (default `classroom-output/`): the class heatmap, a mastery map and
//! a progress report per featured learner, and the groupings as JSON.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use mastery::cohort::{Cohort, ProgressReport, Tier, TierRules};
use mastery::evidence::{Confidence, Target};
use mastery::export::heatmap_svg;
use mastery::fit::{Dataset, DatasetOptions, WhatWorksOptions, what_works};
use mastery::learner::{GoalSetter, Preferences};
use mastery::recommend::ForecastOptions;
use mastery::recommend::{RecommendOptions, Recommender};
use mastery::sim::{
    Adaptive, Context, FixedSequence, LearnerModel, Policy, Population, RandomReady, START,
    SimLearner, Simulation, evaluate_against, pilot_params,
};
use mastery::{
    ActivityKind, Catalog, Curriculum, Evidence, LearnerState, Model, Outcome, StandardSet,
};
use ndarray::Array2;
use rand::SeedableRng;

mod common;
use common::write;

const DAY: i64 = 86_400;

#[derive(Parser)]
#[command(about = "A simulated class on the Common Core math curriculum")]
struct Args {
    /// Folder for pictures and reports.
    #[arg(long, default_value = "classroom-output")]
    out: PathBuf,
    /// School weeks of practice (5 days, 6 activities a day).
    #[arg(long, default_value_t = 4)]
    weeks: usize,
    /// Seed of the simulated class.
    #[arg(long, default_value_t = 2024)]
    seed: u64,
}

fn main() -> ExitCode {
    common::main(|| run(Args::parse()))
}

const LEARNERS: usize = 30;
const PER_DAY: usize = 6;
const SIM_LEARNERS: usize = 30;
const SIM_BUDGET: usize = 3000;
const PILOT_LEARNERS: usize = 200;

/// The truth model with parameters fitted to a pilot cohort of `population`
/// (another seed than the class's), as a district would calibrate.
fn calibrated(
    truth: &Model,
    population: &Population,
    targets: &StandardSet,
    seed: u64,
) -> Result<Model, mastery::Error> {
    let pilot = Simulation {
        population: population.clone(),
        budget: 1000,
        per_day: PER_DAY,
        learners: PILOT_LEARNERS,
        seed: seed.wrapping_add(1_000_003),
    };
    let ccss = truth.curriculum().clone();
    Model::builder(ccss.clone())
        .catalog(Catalog::demo(&ccss, 1))
        .decay(truth.decay().copied())
        .skill_params(&pilot_params(truth, targets, &pilot)?)
        .build()
}

fn percent(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let ccss = Curriculum::ccss_math();
    let grade4: StandardSet = ccss
        .indices()
        .filter(|&s| ccss[s].grade() == Some("4"))
        .collect();
    let goal_ids: Vec<&str> = grade4.iter().map(|s| ccss[s].id()).collect();
    let population = Population::new(LearnerModel::Bkt);
    // The simulated learners' truth: untrained parameters, a one-year half-life.
    let truth = Model::builder(ccss.clone())
        .catalog(Catalog::demo(&ccss, 1))
        .decay(Some(population.decay()?))
        .build()?;
    // The recommender's model: fitted to a pilot cohort of the same population.
    let model = calibrated(&truth, &population, &grade4, args.seed)?;

    // The class practices: the recommender picks, the simulated learner answers.
    let days = args.weeks * 5;
    let mut hidden: Vec<SimLearner> = (0..LEARNERS)
        .map(|i| SimLearner::draw(&truth, &population, &grade4, args.seed, i))
        .collect();
    let names: Vec<String> = (1..=LEARNERS).map(|i| format!("Learner {i:02}")).collect();
    let mut states: Vec<LearnerState> = names
        .iter()
        .map(|n| LearnerState::new(&model, n.clone()))
        .collect::<Result<_, _>>()?;
    let mut evidence: Vec<Vec<Evidence>> = vec![Vec::new(); LEARNERS];
    let mut halfway: Vec<LearnerState> = states.clone();
    let mut now = START;
    let policy = Adaptive;
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(args.seed);
    for day in 0..days {
        if day == days / 2 {
            halfway = states.clone();
        }
        for (l, (learner, state)) in hidden.iter_mut().zip(states.iter_mut()).enumerate() {
            for slot in 0..PER_DAY {
                let time = now + 8 * 3600 + slot as i64 * 900;
                let history = [];
                let context = Context {
                    model: &model,
                    estimate: state,
                    targets: &grade4,
                    now: time,
                    history: &history,
                };
                let Some(activity) = policy.next(&context, &mut rng) else {
                    break;
                };
                let correct = learner.practice(&truth, &population, activity);
                let id = model.catalog().get(activity).map_or("", |a| a.id());
                let e = Evidence::on_activity(
                    state.learner().to_owned(),
                    id,
                    Outcome::from_correct(correct),
                    time,
                )?;
                state.apply(&model, &e)?;
                evidence[l].push(e);
            }
        }
        now += 86_400;
        for learner in &mut hidden {
            learner.forget(&population, 1.0);
        }
    }
    let today = now;
    let class = Cohort::from_states(&model, &states, today)?;

    println!(
        "A class of {LEARNERS} simulated learners, {} weeks of practice toward the {} grade-4 standards.",
        args.weeks,
        grade4.len()
    );
    println!(
        "The recommender's model was first fitted to the answers of a pilot cohort of {PILOT_LEARNERS}\nsimulated learners (per standard: how many already know it, how fast they learn).\n"
    );

    // Three learners: furthest behind, in the middle, furthest ahead (by standards mastered).
    let mut by_progress: Vec<(usize, usize)> = (0..LEARNERS)
        .map(|l| (class.mastered(l).len(), l))
        .collect();
    by_progress.sort();
    let featured = [
        by_progress[0].1,
        by_progress[LEARNERS / 2].1,
        by_progress[LEARNERS - 1].1,
    ];
    let recommender = Recommender::new(&model);
    println!("== Next steps for three learners");
    for (&l, label) in featured.iter().zip([
        "needs the most support",
        "in the middle of the class",
        "furthest ahead",
    ]) {
        let mut options = RecommendOptions::new(today).count(3);
        for g in &goal_ids {
            options = options.goal(*g);
        }
        let list = recommender.recommend(&states[l], &options)?;
        let mastered = class.mastered(l).len();
        let plural = if mastered == 1 { "" } else { "s" };
        println!(
            "\n{} ({label}; {mastered} standard{plural} mastered):",
            names[l]
        );
        for r in &list.items {
            // Videos and readings have no answers: no chance of success to show.
            let chance = match r.kind {
                ActivityKind::Video | ActivityKind::Reading => String::new(),
                _ => format!(", {} chance of success", percent(r.p_success)),
            };
            println!(
                "  - {} [{}], {} min{chance}\n    {}",
                model
                    .catalog()
                    .get(r.activity)
                    .and_then(|a| a.title())
                    .unwrap_or(&r.activity_id),
                r.kind.label(),
                r.minutes,
                r.reason.explain(&ccss)
            );
        }
        for w in &list.wheel_spinning {
            println!(
                "  ! stuck on {} after {} tries: a teacher should check in",
                ccss[w.standard].id(),
                w.attempts
            );
        }
    }

    println!("\n== Today's groups (3 to 6 learners, by next need)");
    let grouping = class.group_by_need(&grade4, 3, 6)?;
    for (i, g) in grouping.groups.iter().enumerate() {
        let who: Vec<&str> = g.learners.iter().map(|&l| names[l].as_str()).collect();
        println!("  Group {}: {}\n    {}", i + 1, who.join(", "), g.why);
    }

    println!("\n== Class report, grade 4");
    let report = class.class_report(&grade4)?;
    println!(
        "  On average {} of the grade-4 standards mastered.",
        percent(report.mean_mastered_share)
    );
    let mut best: Vec<_> = report.standards.iter().collect();
    best.sort_by(|a, b| {
        b.mastered
            .total_cmp(&a.mastered)
            .then(a.standard.cmp(&b.standard))
    });
    println!("  The five most mastered (most learners are still working on the rest):");
    for s in best.iter().take(5) {
        println!(
            "  {:<11} mastered {:>4}, in progress {:>4}, not started {:>4}, blocked {:>4}",
            ccss[s.standard].id(),
            percent(s.mastered),
            percent(s.in_progress),
            percent(s.not_started),
            percent(s.blocked)
        );
    }
    println!(
        "  ... {} standards in all (see class-report.md).",
        report.standards.len()
    );
    let blocked: Vec<String> = report
        .most_blocked
        .iter()
        .take(5)
        .map(|&s| ccss[s].id().to_owned())
        .collect();
    println!(
        "  Most blocked: {}",
        if blocked.is_empty() {
            "none".to_owned()
        } else {
            blocked.join(", ")
        }
    );
    println!(
        "  Stuck: {}; far behind: {}; far ahead: {}",
        report.wheel_spinning.len(),
        report.behind.len(),
        report.ahead.len()
    );

    std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    voice_choice_and_support(
        &model,
        &mut states,
        &evidence,
        &class,
        &grade4,
        featured[1],
        today,
        args.seed,
        &args.out,
    )?;

    println!(
        "\n== Does it help? Policies on simulated learners ({SIM_LEARNERS} learners each, at most {SIM_BUDGET} activities, seed {})",
        args.seed
    );
    println!(
        "  {:<6} {:<9} {:>22} {:>9} {:>15} {:>12}",
        "model", "policy", "activities to master", "finished", "over-practice", "calibration"
    );
    println!("  {:<6} {:<9} {:>22}", "", "", "(mean / median)");
    let fixed = FixedSequence { per_standard: 8 };
    let policies: [&dyn Policy; 3] = [&Adaptive, &fixed, &RandomReady];
    let mut table = Vec::new();
    for learner_model in [LearnerModel::Bkt, LearnerModel::Gated] {
        let population = Population::new(learner_model);
        let model = calibrated(&truth, &population, &grade4, args.seed)?;
        for policy in policies {
            let simulation = Simulation {
                population: population.clone(),
                budget: SIM_BUDGET,
                per_day: PER_DAY,
                learners: SIM_LEARNERS,
                seed: args.seed,
            };
            let (e, _) = evaluate_against(&truth, &model, policy, &grade4, &simulation)?;
            println!(
                "  {:<6} {:<9} {:>14.0} / {:>5.0} {:>9} {:>15} {:>12.3}",
                e.model,
                e.policy,
                e.mean_activities_to_mastery,
                e.median_activities_to_mastery,
                percent(e.finished_within_budget),
                percent(e.over_practice_share),
                e.calibration_brier
            );
            table.push(e);
        }
    }
    println!(
        "  (activities until every grade-4 standard is truly known at once, learners who never get there\n   counted at the budget; finished: share who got there; over-practice: share of activities on\n   standards already known; calibration: Brier score of the estimates, lower is better)"
    );

    // Pictures and reports.
    std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    let columns: Vec<_> = ccss.in_order(&grade4);
    let values = Array2::from_shape_fn((LEARNERS, columns.len()), |(l, j)| {
        class.mastery()[[l, columns[j].index()]]
    });
    let labels: Vec<String> = columns.iter().map(|&s| ccss[s].id().to_owned()).collect();
    write(
        &args.out,
        "class-heatmap.svg",
        &heatmap_svg(
            &names,
            &labels,
            values.view(),
            "Grade 4: mastery by learner",
        )?,
    )?;
    write(
        &args.out,
        "class-report.md",
        &report.to_markdown(&ccss, "Class report: grade 4"),
    )?;
    write(
        &args.out,
        "evaluation.json",
        &serde_json::to_string_pretty(&table)?,
    )?;
    let groups: Vec<_> = grouping
        .groups
        .iter()
        .map(|g| {
            serde_json::json!({
                "learners": g.learners.iter().map(|&l| names[l].as_str()).collect::<Vec<_>>(),
                "focus": g.focus.iter().map(|&s| ccss[s].id()).collect::<Vec<_>>(),
                "why": g.why,
            })
        })
        .collect();
    write(
        &args.out,
        "groups.json",
        &serde_json::to_string_pretty(&serde_json::json!({ "groups": groups }))?,
    )?;
    let map_curriculum = ccss.induced(&ccss.prerequisite_closure(&grade4)?)?;
    for &l in &featured {
        let slug = names[l].replace(' ', "-").to_lowercase();
        let title = format!("{}: grade 4 and what it builds on", names[l]);
        write(
            &args.out,
            &format!("map-{slug}.svg"),
            &common::learner_map(&model, &states[l], &map_curriculum, today, &title)?,
        )?;
        let progress = ProgressReport::new(
            &model,
            &halfway[l],
            &states[l],
            &evidence[l],
            START + (days / 2) as i64 * 86_400,
            today,
            &["4.NF.A.1"],
        )?;
        write(
            &args.out,
            &format!("progress-{slug}.html"),
            &progress.to_html(&ccss),
        )?;
    }
    println!(
        "\nPictures and reports written to {}/ (class-heatmap.svg, map-*.svg, progress-*.html, class-report.md, what-works.md, groups.json, evaluation.json) in {:.1} s.",
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Voice and choice, reflection, tiers, early warning and what works, a few
/// lines each, on the simulated class.
#[allow(clippy::too_many_arguments)]
fn voice_choice_and_support(
    model: &Model,
    states: &mut [LearnerState],
    evidence: &[Vec<Evidence>],
    class: &Cohort,
    grade4: &StandardSet,
    featured: usize,
    today: i64,
    seed: u64,
    out: &std::path::Path,
) -> Result<(), Box<dyn std::error::Error>> {
    let ccss = model.curriculum();
    let recommender = Recommender::new(model);
    let name = states[featured].learner().to_owned();
    println!("\n== {name}'s voice: interests, a goal of their own, choices, reflection");
    // The learner likes space and videos and sets a goal for the next three weeks.
    let learner = &mut states[featured];
    learner.set_preferences(
        Preferences::new()
            .with_interest("space")
            .with_preferred_kind(ActivityKind::Video),
    );
    let path = recommender.path_to(learner, "4.NF.A.1", today)?;
    let own_goal = path
        .steps
        .first()
        .map_or("4.NF.A.1", |s| ccss[s.standard].id());
    learner.set_goal(
        model,
        own_goal,
        GoalSetter::Learner,
        Some(today + 21 * DAY),
        today,
    )?;
    learner.set_goal(
        model,
        "4.NF.A.1",
        GoalSetter::Teacher,
        Some(today + 40 * DAY),
        today,
    )?;
    for plan in recommender.goal_plans(learner, today)? {
        println!("  {}", plan.explain(ccss));
    }
    let choices = recommender.choices(learner, &RecommendOptions::new(today).count(2))?;
    for choice in &choices.choices {
        println!("  {}", choice.explain(ccss));
    }
    if let Some(choice) = choices.choices.first() {
        let pick = choice
            .options
            .last()
            .map(|o| o.activity_id.clone())
            .unwrap_or_default();
        choice.take(model, learner, &pick, today)?;
        println!("  {name} picks {pick}; the recommender remembers.");
    }
    // Reflection: how sure does the learner feel about what they practiced most?
    if let Some(record) = learner
        .practice_records()
        .iter()
        .max_by_key(|r| r.attempts())
    {
        let standard = ccss[record.standard()].id().to_owned();
        let feeling = Evidence::self_assessment(name.clone(), standard, Confidence::SURE, today)?;
        println!("  {}", learner.apply(model, &feeling)?.explain(ccss));
        for gap in learner.confidence_gaps(model, today)? {
            println!("  {}", gap.explain(ccss));
        }
    }

    println!("\n== Tiers of support (grade 4, the documented default rules)");
    let tiers = class.tiers(grade4, &TierRules::default(), None)?;
    for tier in [Tier::Intensive, Tier::Targeted] {
        let members: Vec<&str> = tiers.in_tier(tier).map(|p| p.id.as_str()).collect();
        println!("  Tier {}: {} learners", tier.number(), members.len());
        for p in tiers.in_tier(tier).take(2) {
            let evidence: Vec<String> =
                p.evidence.iter().take(2).map(|e| e.explain(ccss)).collect();
            println!("    {}: {}", p.id, evidence.join("; "));
        }
    }
    println!(
        "  Tier 1: {} learners on track",
        tiers.in_tier(Tier::Core).count()
    );

    println!("\n== Early warning: the teacher's goal 4.NF.A.1 in 40 days, most at risk first");
    for state in states.iter_mut() {
        state.set_goal(
            model,
            "4.NF.A.1",
            GoalSetter::Teacher,
            Some(today + 40 * DAY),
            today,
        )?;
    }
    let warnings = recommender.early_warnings(states, today, &ForecastOptions::new(seed))?;
    for w in warnings.warnings.iter().take(3) {
        println!("  {}: {}", w.learner, w.forecast.explain(ccss));
    }
    let on_track = warnings
        .warnings
        .iter()
        .filter(|w| w.forecast.probability >= 0.8)
        .count();
    println!(
        "  {on_track} of {} dated goals have an 80% chance or better.",
        warnings.warnings.len()
    );

    println!("\n== What works: each activity's learning effect, from the class's own log");
    let mut log = String::from("order_id,user_id,skill_name,correct,activity\n");
    let mut order = 0;
    for e in evidence.iter().flatten() {
        let Target::Activity(activity) = e.target() else {
            continue;
        };
        let standards = model
            .catalog()
            .alignment(model.catalog().index_of(activity)?);
        for &s in standards {
            order += 1;
            log += &format!(
                "{order},{},{},{},{activity}\n",
                e.learner(),
                ccss[s].id(),
                u8::from(e.outcome().credit() >= 1.0)
            );
        }
    }
    let options = DatasetOptions::default().item_column("activity");
    let (data, _) = Dataset::from_reader("class.csv", log.as_bytes(), &options)?;
    let effects = what_works(&data, &WhatWorksOptions::default())?;
    let measured: usize = effects
        .skills
        .iter()
        .map(|s| s.effects.iter().filter(|e| e.enough_data).count())
        .sum();
    let all: usize = effects.skills.iter().map(|s| s.effects.len()).sum();
    println!("  {measured} of {all} activity-standard pairs have enough data to tell.");
    let mut best: Vec<(&str, &mastery::fit::ActivityEffect)> = effects
        .skills
        .iter()
        .flat_map(|s| {
            s.effects
                .iter()
                .filter(|e| e.enough_data)
                .map(move |e| (s.skill.as_str(), e))
        })
        .collect();
    best.sort_by(|a, b| {
        b.1.learn
            .total_cmp(&a.1.learn)
            .then(a.1.activity.cmp(&b.1.activity))
    });
    for (skill, e) in best.iter().take(3) {
        println!(
            "    {:<22} on {:<9} learn rate {:.2} ± {:.2} ({} answers)",
            e.activity, skill, e.learn, e.std_error, e.responses
        );
    }
    println!("  The rest need more answers before anyone should rank them (what-works.md).");
    write(out, "what-works.md", &effects.to_markdown())?;
    Ok(())
}
