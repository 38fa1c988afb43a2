//! A bounded-time load run of the reference service on 127.0.0.1: the
//! service (`examples/serve`, same code) runs in this process over a fresh
//! database file, 8 clients (kept-alive connections) send requests for a
//! fixed time, and the latencies come out as JSON.
//!
//! ```sh
//! cargo run --release --example serve_load -- --seconds 10 --clients 8
//! ```
//!
//! Phases: `next` (GET /learners/{id}/next?count=5 for random learners)
//! and `evidence` (POST /evidence, one piece a request, each its own
//! commit synced to disk).

#[allow(dead_code)]
#[path = "serve/api.rs"]
mod api;
#[allow(dead_code)]
#[path = "serve/client.rs"]
mod client;
#[allow(dead_code)]
#[path = "serve/http.rs"]
mod http;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use mastery::store::DiskStore;
use mastery::{Catalog, Curriculum, Model};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use serde_json::json;

#[derive(Parser)]
struct Args {
    /// Seconds per phase.
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// Concurrent clients.
    #[arg(long, default_value_t = 8)]
    clients: usize,
    /// Learners in the store.
    #[arg(long, default_value_t = 200)]
    learners: usize,
    /// Evidence per learner before the run.
    #[arg(long, default_value_t = 40)]
    evidence: usize,
    /// Seed of the clients' choices.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

const NOW: i64 = 1_700_000_000;

fn evidence(id: &str, learner: &str, standard: &str, correct: bool, at: i64) -> String {
    let outcome = if correct { "correct" } else { "incorrect" };
    format!(
        r#"{{"id":"{id}","evidence":{{"learner":"{learner}","target":{{"standard":"{standard}"}},"outcome":"{outcome}","timestamp":{at}}}}}"#
    )
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).map_or(0.0, |d| d.as_secs_f64() * 1e3)
}

fn main() {
    if let Err(e) = run(Args::parse()) {
        eprintln!("serve_load: {e}");
        std::process::exit(1);
    }
}

fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("mastery-serve-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let ccss = Curriculum::ccss_math();
    let standards: Vec<String> = ccss
        .topological_order()
        .iter()
        .take(150)
        .map(|&s| ccss[s].id().to_owned())
        .collect();
    let model = Arc::new(
        Model::builder(ccss.clone())
            .catalog(Catalog::demo(&ccss, 1))
            .build()?,
    );
    let app = Arc::new(api::App::new(
        model,
        Box::new(DiskStore::open(dir.join("load.redb"))?),
    ));
    let listener = http::listen("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let stop = Arc::new(AtomicBool::new(false));
    let serving = {
        let (app, stop) = (app.clone(), stop.clone());
        std::thread::spawn(move || http::serve(app, listener, stop))
    };

    // Learners with some history, in batches of one commit each.
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(args.seed);
    let mut setup = client::Client::connect(addr)?;
    let mut n = 0u64;
    for l in 0..args.learners {
        let learner = format!("learner-{l}");
        setup.post_json("/learners", &json!({ "learner": learner }).to_string())?;
        let items: Vec<String> = (0..args.evidence)
            .map(|k| {
                n += 1;
                let s = &standards[rng.random_range(0..standards.len())];
                evidence(
                    &format!("s{n}"),
                    &learner,
                    s,
                    rng.random_bool(0.7),
                    NOW + k as i64 * 60,
                )
            })
            .collect();
        let (status, body) = setup.post_json("/evidence", &format!("[{}]", items.join(",")))?;
        if status != 201 {
            return Err(format!("seeding: {status} {body}").into());
        }
    }

    let next_id = Arc::new(AtomicU64::new(0));
    let mut phases = Vec::new();
    for phase in ["next", "evidence"] {
        let started = Instant::now();
        let deadline = started + Duration::from_secs_f64(args.seconds);
        let clients: Vec<_> = (0..args.clients)
            .map(|c| {
                let (standards, next_id) = (standards.clone(), next_id.clone());
                let (learners, seed) = (args.learners, args.seed);
                std::thread::spawn(move || -> Result<(Vec<Duration>, usize), String> {
                    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed * 1000 + c as u64);
                    let mut conn = client::Client::connect(addr).map_err(|e| e.to_string())?;
                    let (mut latencies, mut errors) = (Vec::new(), 0);
                    while Instant::now() < deadline {
                        let learner = format!("learner-{}", rng.random_range(0..learners));
                        let t = Instant::now();
                        let (status, _) = if phase == "next" {
                            conn.get(&format!(
                                "/learners/{learner}/next?count=5&now={}",
                                NOW + 86_400
                            ))
                        } else {
                            let k = next_id.fetch_add(1, Ordering::Relaxed);
                            let s = &standards[rng.random_range(0..standards.len())];
                            let body = evidence(
                                &format!("load{k}"),
                                &learner,
                                s,
                                rng.random_bool(0.7),
                                NOW + 90_000,
                            );
                            conn.post_json("/evidence", &body)
                        }
                        .map_err(|e| e.to_string())?;
                        latencies.push(t.elapsed());
                        errors += usize::from(status >= 400);
                    }
                    Ok((latencies, errors))
                })
            })
            .collect();
        let mut all = Vec::new();
        let mut errors = 0;
        for c in clients {
            let (latencies, e) = c.join().map_err(|_| "a client panicked")??;
            all.extend(latencies);
            errors += e;
        }
        let elapsed = started.elapsed().as_secs_f64();
        all.sort_unstable();
        phases.push(json!({
            "phase": phase,
            "requests": all.len(),
            "errors": errors,
            "per_second": all.len() as f64 / elapsed,
            "p50_ms": percentile(&all, 0.50),
            "p99_ms": percentile(&all, 0.99),
            "max_ms": percentile(&all, 1.0),
        }));
    }
    stop.store(true, Ordering::SeqCst);
    let _ = serving.join();
    println!(
        "{}",
        json!({
            "clients": args.clients, "learners": args.learners,
            "seconds_per_phase": args.seconds, "phases": phases,
        })
    );
    drop(app);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
