//! xAPI ingestion speed (`evidence::xapi`): statements per second read from
//! JSON lines into evidence, and read and applied to learner states, on one
//! thread. Two statement shapes: `compact` (the properties the reader uses,
//! about 300 bytes) and `lrs` (as a learning record store exports them, with
//! display names, activity definitions, context, `stored`, `authority` and
//! `version`, about 900 bytes). Applied with the default model (forgetting
//! over time and propagation along prerequisites) and with plain BKT
//! (`read_and_apply_plain_bkt`): one piece of evidence at a time with
//! `LearnerState::apply` (a report each, a map look-up each), and the whole
//! batch at once with `LearnerState::apply_all` (`read_and_apply_all`).
//!
//! The `xapi` group measures wall time; `xapi_cpu` measures the thread's own
//! CPU time (Linux `/proc/thread-self/schedstat`, nanoseconds on a CPU), which
//! is what "statements per second per core" means on a machine shared with
//! other work.

use std::collections::HashMap;
use std::fmt::Write;
use std::hint::black_box;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mastery::evidence::xapi::{Alignment, XapiReader};
use mastery::{Curriculum, LearnerState, Model};

/// mimalloc, as the examples use (`examples/common`): glibc's malloc unmaps
/// the large evidence buffer after every iteration and faults its pages in
/// again, a fifth of the read time. An app picks its own allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const STATEMENTS: usize = 100_000;
const LEARNERS: usize = 1_000;
const ITEMS: usize = 400;

const VERBS: [&str; 4] = ["answered", "answered", "scored", "passed"];

/// `STATEMENTS` statements by `LEARNERS` learners on `ITEMS` items, aligned
/// to the first `ITEMS` Common Core standards, one minute apart.
fn statements(lrs: bool) -> String {
    let mut text = String::with_capacity(STATEMENTS * if lrs { 1000 } else { 320 });
    let mut state: u64 = 7;
    for i in 0..STATEMENTS {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let learner = (state >> 33) as usize % LEARNERS;
        let item = (state >> 13) as usize % ITEMS;
        let verb = VERBS[i % VERBS.len()];
        let result = match verb {
            "scored" => format!(
                r#"{{"score":{{"raw":{},"min":0,"max":10}}}}"#,
                (state >> 40) % 11
            ),
            "passed" => r#"{"success":true,"score":{"scaled":0.9}}"#.to_owned(),
            _ => format!(r#"{{"success":{}}}"#, (state >> 50) % 3 != 0),
        };
        let (minute, second) = ((i / 60) % 60, i % 60);
        let hour = 8 + (i / 3600) % 10;
        let id = format!("{:08x}-0000-4000-8000-{:012x}", i as u32, i);
        if lrs {
            let _ = writeln!(
                text,
                r#"{{"id":"{id}","actor":{{"objectType":"Agent","name":"Learner {learner}","account":{{"homePage":"https://lms.example.org","name":"learner-{learner:05}"}}}},"verb":{{"id":"http://adlnet.gov/expapi/verbs/{verb}","display":{{"en-US":"{verb}"}}}},"object":{{"objectType":"Activity","id":"https://content.example.org/items/{item}","definition":{{"name":{{"en-US":"Item {item}"}},"description":{{"en-US":"Practice item {item} of the fractions unit"}},"type":"http://adlnet.gov/expapi/activities/cmi.interaction","interactionType":"choice"}}}},"result":{result},"context":{{"registration":"ec531277-b57b-4c15-8d91-d292c5b2b8f7","platform":"Example LMS","language":"en-US","contextActivities":{{"parent":[{{"id":"https://content.example.org/units/fractions"}}]}}}},"timestamp":"2026-09-01T{hour:02}:{minute:02}:{second:02}.250+02:00","stored":"2026-09-01T{hour:02}:{minute:02}:{second:02}.400Z","authority":{{"objectType":"Agent","account":{{"homePage":"https://lrs.example.org","name":"client"}}}},"version":"1.0.3"}}"#
            );
        } else {
            let _ = writeln!(
                text,
                r#"{{"id":"{id}","actor":{{"mbox":"mailto:learner{learner}@example.org"}},"verb":{{"id":"http://adlnet.gov/expapi/verbs/{verb}"}},"object":{{"id":"https://content.example.org/items/{item}"}},"result":{result},"timestamp":"2026-09-01T{hour:02}:{minute:02}:{second:02}Z"}}"#
            );
        }
    }
    text
}

fn alignment(ccss: &Curriculum) -> Alignment {
    let mut alignment = Alignment::new();
    for (item, s) in ccss.standards().iter().take(ITEMS).enumerate() {
        alignment = alignment.standard(format!("https://content.example.org/items/{item}"), s.id());
    }
    alignment
}

/// The calling thread's CPU time in nanoseconds, where Linux reports it;
/// wall time elsewhere.
struct CpuTime;

fn thread_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

impl Measurement for CpuTime {
    type Intermediate = (Option<u64>, std::time::Instant);
    type Value = u64;

    fn start(&self) -> Self::Intermediate {
        (thread_cpu_ns(), std::time::Instant::now())
    }

    fn end(&self, (cpu, wall): Self::Intermediate) -> u64 {
        match (cpu, thread_cpu_ns()) {
            (Some(a), Some(b)) => b.saturating_sub(a),
            _ => wall.elapsed().as_nanos() as u64,
        }
    }

    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }

    fn zero(&self) -> u64 {
        0
    }

    fn to_f64(&self, value: &u64) -> f64 {
        *value as f64
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        // Nanoseconds, as wall time's.
        static WALL: WallTime = WallTime;
        WALL.formatter()
    }
}

fn ingest(c: &mut Criterion) {
    run(c, "xapi");
}

fn ingest_cpu(c: &mut Criterion<CpuTime>) {
    run(c, "xapi_cpu");
}

fn run<M: Measurement>(c: &mut Criterion<M>, name: &str) {
    let ccss = Curriculum::ccss_math();
    let alignment = alignment(&ccss);
    let model = Model::builder(ccss.clone()).build().unwrap();
    // Plain BKT: no forgetting over time, no propagation along prerequisites.
    let plain = Model::builder(ccss.clone())
        .decay(None)
        .propagation(mastery::Propagation::off())
        .build()
        .unwrap();
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(STATEMENTS as u64));
    for (shape, lrs) in [("compact", false), ("lrs", true)] {
        let text = statements(lrs);
        let check = XapiReader::new(&alignment).read_json_lines_str(&text);
        assert_eq!(
            check.evidence.len(),
            STATEMENTS,
            "{:?}",
            check.skipped.first()
        );
        group.bench_function(format!("read_json_lines/{shape}"), |b| {
            b.iter(|| black_box(XapiReader::new(&alignment).read_json_lines_str(black_box(&text))))
        });
        group.bench_function(format!("read_json_lines_streamed/{shape}"), |b| {
            b.iter(|| {
                let mut reader = XapiReader::new(&alignment);
                black_box(reader.read_json_lines("bench.jsonl", black_box(text.as_bytes())))
            })
        });
        for (model_name, model) in [("", &model), ("_plain_bkt", &plain)] {
            group.bench_function(format!("read_and_apply{model_name}/{shape}"), |b| {
                b.iter(|| {
                    let batch = XapiReader::new(&alignment).read_json_lines_str(black_box(&text));
                    let mut states: HashMap<String, LearnerState> = HashMap::new();
                    for e in &batch.evidence {
                        let learner = e.evidence.learner();
                        if !states.contains_key(learner) {
                            let state = LearnerState::new(model, learner).unwrap();
                            states.insert(learner.to_owned(), state);
                        }
                        if let Some(state) = states.get_mut(learner) {
                            state.apply(model, &e.evidence).unwrap();
                        }
                    }
                    black_box(states)
                })
            });
            // The bulk path: each learner looked up once, no reports.
            group.bench_function(format!("read_and_apply_all{model_name}/{shape}"), |b| {
                b.iter(|| {
                    let batch = XapiReader::new(&alignment).read_json_lines_str(black_box(&text));
                    let mut states: HashMap<String, LearnerState> = HashMap::new();
                    LearnerState::apply_all(
                        model,
                        &mut states,
                        batch.evidence.iter().map(|e| &e.evidence),
                    )
                    .unwrap();
                    black_box(states)
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, ingest);
criterion_group! {
    name = cpu;
    config = Criterion::default().with_measurement(CpuTime);
    targets = ingest_cpu
}
criterion_main!(benches, cpu);
