//! The main example: a class on the embedded Common Core math curriculum.
//!
//! ```text
//! cargo run --release --example classroom [-- --out DIR]
//! ```
//!
//! Three learners with different starting points work toward the grade-4
//! standards. For each, the example prints what they are ready to learn next
//! (the standards whose prerequisites they have all mastered) and what still
//! stands between them and the goal, in a valid order, and writes a mastery
//! map per learner as Graphviz DOT into the output folder (default
//! `classroom-output/`; render with `dot -Tsvg FILE.dot > FILE.svg`).
//!
//! This version covers the curriculum graph. Mastery estimated from answers,
//! recommendations with activities, class groupings and the simulator come
//! with the crate's next modules.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use mastery::export::{DotOptions, to_dot};
use mastery::{Curriculum, StandardSet};

#[derive(Parser)]
#[command(about = "A class on the embedded Common Core math curriculum")]
struct Args {
    /// Folder for the pictures.
    #[arg(long, default_value = "classroom-output")]
    out: PathBuf,
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

/// A learner and the grades (and share of the next grade) they have mastered.
struct Learner {
    name: &'static str,
    mastered: StandardSet,
}

fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let ccss = Curriculum::ccss_math();
    let grade = |g: &'static str| move |s: &mastery::Standard| s.grade() == Some(g);
    let goals = ccss.set_of(
        ccss.standards()
            .iter()
            .filter(|s| grade("4")(s))
            .map(|s| s.id()),
    )?;
    let needed = ccss.prerequisite_closure(&goals)?;
    let goal_map = ccss.induced(&needed)?;

    let mastered_through = |grades: &[&str], extra: &dyn Fn(&mastery::Standard) -> bool| {
        ccss.indices()
            .filter(|&v| {
                let s = &ccss[v];
                s.grade().is_some_and(|g| grades.contains(&g)) || extra(s)
            })
            .collect::<StandardSet>()
    };
    let learners = [
        Learner {
            name: "Ava (catching up: knows K-2)",
            mastered: mastered_through(&["K", "1", "2"], &|_| false),
        },
        Learner {
            name: "Ben (on grade: knows K-3 except fractions)",
            mastered: mastered_through(&["K", "1", "2"], &|s| {
                s.grade() == Some("3") && s.domain() != Some("NF")
            }),
        },
        Learner {
            name: "Cam (ahead: knows K-3 and grade-4 operations)",
            mastered: mastered_through(&["K", "1", "2", "3"], &|s| {
                s.grade() == Some("4") && s.domain() == Some("OA")
            }),
        },
    ];

    println!(
        "Goal: the {} grade-4 standards, which need {} standards in all (K to grade 4).\n",
        goals.len(),
        needed.len()
    );
    std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    for (n, learner) in learners.iter().enumerate() {
        let mut remaining = needed.clone();
        remaining.difference_with(&learner.mastered);
        let mut ready = ccss.ready_to_learn(&learner.mastered)?;
        ready.intersect_with(&needed);
        println!("{}", learner.name);
        println!(
            "  mastered {} of the {} standards on the way; {} to go",
            needed.len() - remaining.len(),
            needed.len(),
            remaining.len()
        );
        println!(
            "  ready to learn now ({}), most unlocking first:",
            ready.len()
        );
        let unlocks = |v| {
            ccss.dependents(v)
                .map_or(0, |d| d.iter().filter(|d| needed.contains(**d)).count())
        };
        let mut by_impact: Vec<_> = ready.iter().map(|v| (unlocks(v), v)).collect();
        by_impact.sort_by_key(|&(u, v)| (std::cmp::Reverse(u), v));
        for &(unlocks, v) in by_impact.iter().take(5) {
            let s = &ccss[v];
            println!(
                "    {:<11} {} (unlocks {unlocks})",
                s.id(),
                shorten(s.description().unwrap_or(""), 70)
            );
        }
        if ready.len() > 5 {
            println!("    ... and {} more", ready.len() - 5);
        }
        let path: Vec<&str> = ccss
            .topological_order()
            .iter()
            .filter(|v| remaining.contains(**v))
            .map(|&v| ccss[v].id())
            .collect();
        println!(
            "  a valid order for the rest: {} ...\n",
            path.iter().take(8).copied().collect::<Vec<_>>().join(", ")
        );

        let values: Vec<f64> = goal_map
            .standards()
            .iter()
            .map(|s| {
                let v = ccss
                    .index_of(s.id())
                    .expect("a subgraph's ids come from the curriculum");
                if learner.mastered.contains(v) {
                    1.0
                } else if ready.contains(v) {
                    0.5
                } else {
                    0.0
                }
            })
            .collect();
        let dot = to_dot(
            &goal_map,
            &DotOptions::new()
                .title(format!(
                    "{}: green mastered, yellow ready, red not yet",
                    learner.name
                ))
                .values(&values)
                .group_by_grade(true),
        )?;
        let file = args.out.join(format!("learner-{}.dot", n + 1));
        std::fs::write(&file, dot).map_err(|e| format!("{}: {e}", file.display()))?;
    }
    println!(
        "Mastery maps written to {}/ (render with: dot -Tsvg FILE.dot > FILE.svg)",
        args.out.display()
    );
    Ok(())
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max - 3).collect();
    format!("{}...", cut.trim_end())
}
