//! The stable-toolchain runner of the fuzz targets in `tests/fuzz_targets`
//! (the same bodies cargo-fuzz runs from `fuzz/`): every target runs over its
//! seed corpus, then over deterministic (seeded) mutations of it for a
//! bounded time, and the test fails on the first panic, naming the target and
//! the input.
//!
//! `MASTERY_FUZZ_SEEDS=<dir>` also writes each target's seeds to
//! `<dir>/<target>/` (how `fuzz/RESULTS.md` seeds libFuzzer's corpora).

mod fuzz_targets;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::time::{Duration, Instant};

use fuzz_targets::{TARGETS, small_curriculum};
use mastery::evidence::{Evidence, Outcome};
use mastery::{Catalog, Curriculum, LearnerState, Model};

/// The whole runner's time budget, shared equally by the targets (debug
/// profile, 2 cores: the test takes about this long).
const TIME_BUDGET: Duration = Duration::from_secs(54);

/// Mutated inputs are cut at this length.
const MAX_INPUT: usize = 64 * 1024;

/// The first `lines` lines of a repository file.
fn head(path: &str, lines: usize) -> Vec<u8> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut out: String = text.lines().take(lines).collect::<Vec<_>>().join("\n");
    out.push('\n');
    out.into_bytes()
}

fn joined(parts: &[&[u8]]) -> Vec<u8> {
    parts.join(&0u8)
}

/// The seeds of one target, from the shipped data and fixtures.
fn seeds(target: &str) -> Vec<Vec<u8>> {
    let standards = head("data/ccss-math/standards.csv", 40);
    let edges = head("data/ccss-math/edges_prerequisite.csv", 40);
    let responses = head("tests/fixtures/pybkt/responses.csv", 60);
    let small = small_curriculum();
    match target {
        "curriculum_csv" => vec![
            standards.clone(),
            joined(&[&standards, &edges]),
            joined(&[b"", &edges]),
            b"id,prerequisites\nA,\nB,A\nC,\"A;B\"\n".to_vec(),
            b"id,title\r\n\"A\",\"x, y\"\r\nB,z\r\n\0from_id,to_id\nA,B\n".to_vec(),
        ],
        "curriculum_json" => vec![
            small.to_json().into_bytes(),
            Curriculum::ccss_math().to_json().into_bytes()[..4000].to_vec(),
        ],
        "catalog_json" => vec![Catalog::demo(small, 7).to_json().into_bytes()],
        "catalog_csv" => vec![
            b"id,kind,standards,minutes,tags,guess,slip,prerequisites\nv1,video,A,5,x;y,,,\np1,practice,A;B:0.5,12,,0.2,0.1,v1\n".to_vec(),
            b"id,standards,title\n\"q\",\"C;D\",\"a \"\"quoted\"\" title\"\n".to_vec(),
        ],
        "responses_csv" => vec![
            responses,
            b"\xEF\xBB\xBForder_id,user_id,skill_name,correct\r1,a,S,1\r2,\"b\",S,0\r".to_vec(),
        ],
        "dataset_csv" => {
            let mut item = b"order_id,user_id,skill_name,correct,item\n".to_vec();
            for i in 0..30 {
                item.extend_from_slice(
                    format!("{i},u{},S{},{},q{}\n", i % 4, i % 3, i % 2, i % 5).as_bytes(),
                );
            }
            vec![
                [&[0u8][..], &responses].concat(),
                [&[3u8][..], &responses].concat(),
                [&[5u8][..], &item].concat(),
                [&[1u8][..], b"order_id,user_id,skill_name,correct\n\"2\",u,S,1\n1,u,S,x\n"].concat(),
            ]
        }
        "learner_state_json" => {
            let model = Model::builder(small.clone()).build().expect("model");
            let mut ada = LearnerState::new(&model, "ada").expect("state");
            let evidence = Evidence::on_standard("ada", "B", Outcome::Correct, 1_700_000_000)
                .expect("evidence");
            ada.apply(&model, &evidence).expect("apply");
            vec![
                head("tests/fixtures/learner_state/v1.json", 1),
                ada.to_json().into_bytes(),
            ]
        }
        "params_json" => vec![head("tests/fixtures/pybkt/params.json", 10_000)],
        "small_formats" => vec![
            b"2024-02-29".to_vec(),
            b"[0,2,3]".to_vec(),
            b"[]".to_vec(),
        ],
        "case_json" => vec![
            head("tests/fixtures/case/state_fractions.json", 10_000),
            small.to_case_json("small").into_bytes(),
        ],
        "xapi_statements" => vec![
            head("tests/fixtures/xapi/statements.jsonl", 12),
            b"[{\"id\":\"00000000-0000-4000-8000-000000000001\",\"actor\":{\"mbox\":\"mailto:a@x.org\"},\"verb\":{\"id\":\"http://adlnet.gov/expapi/verbs/answered\"},\"object\":{\"id\":\"https://x.org/1\"},\"result\":{\"success\":true},\"timestamp\":\"2026-09-01T10:00:00Z\"}]".to_vec(),
        ],
        other => panic!("no seeds for target {other}"),
    }
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Bytes and tokens the readers treat specially.
const TOKENS: &[&[u8]] = &[
    b"\"",
    b",",
    b"\n",
    b"\r",
    b"\r\n",
    b";",
    b":",
    b"\0",
    b"{",
    b"}",
    b"[",
    b"]",
    b"null",
    b"-1",
    b"1e308",
    b"4294967295",
    b"18446744073709551616",
    b"NaN",
    b"\xEF\xBB\xBF",
    b"\xFF",
    b"0",
    b"1",
    b" ",
    b"\"\"",
    b"true",
];

/// One to four mutations of `input`, splicing from `other`.
fn mutate(rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(7) {
            0 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] ^= 1 << rng.below(8);
            }
            1 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                out.splice(at..at, token.iter().copied());
            }
            2 if at < out.len() => {
                let end = (at + 1 + rng.below(16)).min(out.len());
                out.drain(at..end);
            }
            3 if !other.is_empty() => {
                let from = rng.below(other.len());
                let end = (from + 1 + rng.below(64)).min(other.len());
                out.splice(at..at, other[from..end].iter().copied());
            }
            4 if at < out.len() => {
                let end = (at + 1 + rng.below(32)).min(out.len());
                let piece = out[at..end].to_vec();
                out.splice(at..at, piece);
            }
            5 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] = b"0123456789-.e,\"\n"[rng.below(16)];
            }
            _ => out.truncate(at),
        }
    }
    out.truncate(MAX_INPUT);
    out
}

fn run_one(name: &str, body: fn(&[u8]), input: &[u8]) {
    if let Err(panic) = catch_unwind(AssertUnwindSafe(|| body(input))) {
        let message = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("(no message)");
        panic!(
            "fuzz target {name} panicked: {message}\ninput ({} bytes): {:?}",
            input.len(),
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn every_fuzz_target_survives_its_seeds_and_their_mutations() {
    if let Some(dir) = std::env::var_os("MASTERY_FUZZ_SEEDS") {
        for (name, _) in TARGETS {
            let dir = Path::new(&dir).join(name);
            std::fs::create_dir_all(&dir).expect("seed directory");
            for (i, seed) in seeds(name).iter().enumerate() {
                std::fs::write(dir.join(format!("seed-{i}")), seed).expect("seed file");
            }
        }
    }
    let per_target = TIME_BUDGET / u32::try_from(TARGETS.len()).expect("few targets");
    for (t, &(name, body)) in TARGETS.iter().enumerate() {
        let corpus = seeds(name);
        let start = Instant::now();
        for seed in &corpus {
            run_one(name, body, seed);
        }
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (t as u64 + 1));
        let mut runs = corpus.len();
        let mut slowest = Duration::ZERO;
        while start.elapsed() < per_target {
            let input = &corpus[rng.below(corpus.len())];
            let other = &corpus[rng.below(corpus.len())];
            let mutated = mutate(&mut rng, input, other);
            let one = Instant::now();
            run_one(name, body, &mutated);
            slowest = slowest.max(one.elapsed());
            runs += 1;
        }
        eprintln!(
            "{name}: {runs} inputs in {:?}, slowest {slowest:?}",
            start.elapsed()
        );
    }
}

/// The longest one input may take, replayed from a libFuzzer corpus in the
/// release profile (issue 14).
const SLOWEST_ALLOWED: Duration = Duration::from_millis(100);

/// Replays every file of `$MASTERY_FUZZ_REPLAY/<target>/` (the corpora
/// libFuzzer kept, see `fuzz/RESULTS.md`) through its target, timing each
/// input, and fails on a panic or on an input slower than
/// [`SLOWEST_ALLOWED`]. Meaningful in the release profile:
/// `MASTERY_FUZZ_REPLAY=fuzz/corpus cargo test --release --test fuzz -- --ignored`.
#[test]
#[ignore = "needs MASTERY_FUZZ_REPLAY=<corpus dir>, in --release"]
fn every_input_of_the_fuzz_corpora_runs_in_under_100_ms() {
    let Some(dir) = std::env::var_os("MASTERY_FUZZ_REPLAY") else {
        panic!("set MASTERY_FUZZ_REPLAY to the corpus directory (fuzz/corpus)");
    };
    let mut too_slow = Vec::new();
    for &(name, body) in TARGETS {
        let Ok(entries) = std::fs::read_dir(Path::new(&dir).join(name)) else {
            eprintln!("{name}: no corpus");
            continue;
        };
        let (mut inputs, mut slowest, mut slowest_file) = (0, Duration::ZERO, String::new());
        for entry in entries {
            let path = entry.expect("corpus entry").path();
            let input = std::fs::read(&path).expect("corpus file");
            if input.len() > MAX_INPUT {
                continue;
            }
            let start = Instant::now();
            run_one(name, body, &input);
            let took = start.elapsed();
            inputs += 1;
            if took > slowest {
                slowest = took;
                slowest_file = path.display().to_string();
            }
            if took > SLOWEST_ALLOWED {
                too_slow.push(format!("{name}: {} took {took:?}", path.display()));
            }
        }
        eprintln!("{name}: {inputs} inputs, slowest {slowest:?} ({slowest_file})");
    }
    assert!(
        too_slow.is_empty(),
        "inputs over 100 ms:\n{}",
        too_slow.join("\n")
    );
}
