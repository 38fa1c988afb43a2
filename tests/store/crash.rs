//! Crash test of the on-disk store: a child process records evidence and
//! acknowledges each piece on stdout after its commit returns; the parent
//! kills it with SIGKILL at random (seeded) moments. After each kill the
//! database opens, every acknowledged evidence is there exactly once, and
//! every learner's state equals a replay of its journal. The next child
//! re-sends the last few ids (a client retrying requests it saw no answer
//! to): they must not apply twice.
//!
//! `cargo test` runs 5 kills. The long run:
//! `MASTERY_CRASH_KILLS=60 cargo test --release --test store crash -- --nocapture`.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write as _};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::support::{TempDir, check_replays, evidence, model};
use mastery::store::{self, DiskStore, LearnerStore};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

const LEARNERS: u64 = 20;
const CHILD_DB: &str = "MASTERY_CRASH_CHILD_DB";
const CHILD_START: &str = "MASTERY_CRASH_CHILD_START";

/// The child's body: does nothing unless the parent set its variables.
/// Records evidence `start`, `start + 1`, ... one by one, with every fourth
/// step a batch of three; prints `ack N` for each after its commit returns.
#[test]
fn crash_child() {
    let (Ok(db), Ok(start)) = (std::env::var(CHILD_DB), std::env::var(CHILD_START)) else {
        return;
    };
    let start: u64 = start.parse().unwrap();
    let model = model();
    let db = DiskStore::open(db).unwrap();
    let stdout = std::io::stdout();
    let mut n = start;
    for step in 0u64.. {
        let mut out = stdout.lock();
        if step % 4 == 3 {
            let items: Vec<_> = (n..n + 3).map(|k| evidence(k, LEARNERS)).collect();
            store::record_batch(&db, &model, &items).unwrap();
            for k in n..n + 3 {
                writeln!(out, "ack {k}").unwrap();
            }
            n += 3;
        } else {
            let (id, e) = evidence(n, LEARNERS);
            store::record(&db, &model, &id, &e).unwrap();
            writeln!(out, "ack {n}").unwrap();
            n += 1;
        }
        out.flush().unwrap();
    }
}

#[test]
fn sigkilled_writers_lose_no_acknowledged_evidence() {
    let kills: usize = std::env::var("MASTERY_CRASH_KILLS")
        .ok()
        .and_then(|k| k.parse().ok())
        .unwrap_or(5);
    let dir = TempDir::new("crash");
    let path = dir.join("learners.redb");
    let model = model();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(12);
    let mut acked: HashSet<u64> = HashSet::new();
    let mut next = 0u64;
    let started = Instant::now();
    let mut acked_at_kill = Vec::new();
    for kill in 0..kills {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "crash::crash_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_DB, &path)
            .env(CHILD_START, next.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                // libtest may print "test crash_child ... " before the first one.
                if let Some(n) = line.split("ack ").nth(1) {
                    if tx.send(n.parse::<u64>().unwrap()).is_err() {
                        break;
                    }
                }
            }
        });
        if kill % 5 == 4 {
            // Every fifth child dies young: while it opens (and repairs)
            // the database, or in its first commits.
            std::thread::sleep(Duration::from_micros(rng.random_range(0..20_000)));
        } else {
            // Wait for the first acknowledgement (the child is up), then kill
            // it after a random delay: mid-commit, mid-batch or between commits.
            let first = rx
                .recv_timeout(Duration::from_secs(60))
                .expect("child acknowledges");
            acked.insert(first);
            std::thread::sleep(Duration::from_micros(rng.random_range(0..40_000)));
        }
        child.kill().unwrap();
        child.wait().unwrap();
        reader.join().unwrap();
        let before = acked.len();
        acked.extend(rx.try_iter());
        acked_at_kill.push(acked.len() - before);

        let db = DiskStore::open(&path).unwrap();
        let journaled = check_replays(&db, &model);
        for n in &acked {
            assert!(
                journaled.contains(&format!("e{n}")),
                "kill {kill}: acknowledged evidence e{n} is missing"
            );
        }
        // Every journaled id is one the children were asked to record.
        let highest = journaled
            .iter()
            .filter_map(|id| id.strip_prefix('e')?.parse::<u64>().ok())
            .max()
            .unwrap_or(0);
        assert!(journaled.len() as u64 <= highest + 1);
        drop(db);
        // The next child re-sends the last 3 acknowledged ids first.
        next = acked.iter().max().map_or(0, |m| m + 1).saturating_sub(3);
    }
    eprintln!(
        "{kills} kills in {:.1} s: {} acknowledged evidence all present once; acknowledged per run {:?}",
        started.elapsed().as_secs_f64(),
        acked.len(),
        acked_at_kill
    );
    assert!(acked.len() >= kills / 2);
    let db = DiskStore::open(&path).unwrap();
    assert!(db.list().unwrap().len() as u64 <= LEARNERS);
}
