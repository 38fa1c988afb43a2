//! Issue 14: inputs whose size or shape is hostile. Each is a typed error or
//! finishes in bounded time and memory (the bounds are the README's
//! "Untrusted input" section).

use std::time::{Duration, Instant};

use mastery::model::SkillParams;
use mastery::{Catalog, CsvLoader, Curriculum, Error, LearnerState, Model};

/// Generous for a debug build on a loaded 2-core machine.
const SLOW: Duration = Duration::from_secs(60);

/// A 100,000-standard chain: building, ordering, depth, closure, JSON and
/// CSV loading are iterative (no stack overflow on the test thread's 2 MiB
/// stack).
#[test]
fn a_100_000_standard_chain_has_no_stack_overflow() {
    const N: usize = 100_000;
    let start = Instant::now();
    let ids: Vec<String> = (0..N).map(|i| format!("s{i}")).collect();
    let curriculum = Curriculum::builder()
        .standard_ids(ids.iter().cloned())
        .unwrap()
        .prerequisites(ids.windows(2).map(|w| (w[0].clone(), w[1].clone())))
        .build()
        .unwrap();
    let last = ids.last().unwrap().as_str();
    assert_eq!(curriculum.depth(last).unwrap(), N - 1);
    assert_eq!(curriculum.ancestors(last).unwrap().len(), N - 1);
    assert_eq!(curriculum.longest_chain().len(), N);
    let goal = curriculum.set_of([last]).unwrap();
    assert_eq!(curriculum.prerequisite_closure(&goal).unwrap().len(), N);
    let ready = curriculum.ready_to_learn(&curriculum.empty_set()).unwrap();
    assert_eq!(ready.len(), 1);
    let again = Curriculum::from_json(&curriculum.to_json()).unwrap();
    assert_eq!(again, curriculum);
    let mut csv = String::from("id,prerequisites\ns0,\n");
    for w in ids.windows(2) {
        csv += &format!("{},{}\n", w[1], w[0]);
    }
    let loaded = CsvLoader::new()
        .standards_reader("chain.csv", csv.as_bytes())
        .load()
        .unwrap();
    assert_eq!(loaded.prerequisite_count(), N - 1);
    assert!(start.elapsed() < SLOW, "{:?}", start.elapsed());
}

/// A complete DAG of 2,000 standards (1,999,000 prerequisites) builds and
/// answers the everyday queries in bounded time. (Quadratic-in-edges
/// analyses such as `redundant_prerequisites` are not for graphs this dense.)
#[test]
fn a_complete_dag_of_2000_standards_builds_in_bounded_time() {
    const N: usize = 2_000;
    let start = Instant::now();
    let ids: Vec<String> = (0..N).map(|i| format!("s{i}")).collect();
    let edges = (0..N).flat_map(|i| (i + 1..N).map(move |j| (i, j)));
    let curriculum = Curriculum::builder()
        .standard_ids(ids.iter().cloned())
        .unwrap()
        .prerequisites(edges.map(|(i, j)| (ids[i].clone(), ids[j].clone())))
        .build()
        .unwrap();
    assert_eq!(curriculum.prerequisite_count(), N * (N - 1) / 2);
    let last = ids.last().unwrap().as_str();
    assert_eq!(curriculum.depth(last).unwrap(), N - 1);
    assert_eq!(curriculum.ancestors(last).unwrap().len(), N - 1);
    assert_eq!(curriculum.topological_order().len(), N);
    let ready = curriculum.ready_to_learn(&curriculum.empty_set()).unwrap();
    assert_eq!(ready.len(), 1);
    assert!(start.elapsed() < SLOW, "{:?}", start.elapsed());
}

fn nested(depth: usize) -> String {
    "[".repeat(depth) + &"]".repeat(depth)
}

fn nested_object(depth: usize) -> String {
    r#"{"a":"#.repeat(depth) + "1" + &"}".repeat(depth)
}

/// JSON nested 100,000 deep is an `Error::Json` from serde_json's recursion
/// limit (128), for every JSON reader, without a stack overflow.
#[test]
fn deeply_nested_json_is_a_json_error() {
    let curriculum = Curriculum::builder()
        .standard_ids(["A", "B"])
        .unwrap()
        .build()
        .unwrap();
    let model = Model::builder(curriculum.clone()).build().unwrap();
    for json in [nested(100_000), nested_object(100_000)] {
        let errors = [
            Curriculum::from_json(&json).map(|_| ()).unwrap_err(),
            Catalog::from_json(&curriculum, &json)
                .map(|_| ())
                .unwrap_err(),
            LearnerState::from_json(&model, &json)
                .map(|_| ())
                .unwrap_err(),
            SkillParams::from_json(&json).map(|_| ()).unwrap_err(),
        ];
        for err in errors {
            assert!(matches!(err, Error::Json { .. }), "{err}");
        }
    }
    // Where nesting is read at all, serde_json stops at depth 128.
    let err = serde_json::from_str::<serde_json::Value>(&nested(100_000)).unwrap_err();
    assert!(err.to_string().contains("recursion limit"), "{err}");
}

/// A CSV field whose quote never closes "claims" the rest of the input: 64
/// MiB of it is one typed error, found in one pass (nothing is allocated
/// for the claimed field beyond the input itself).
#[test]
fn a_field_claiming_the_rest_of_the_input_is_a_typed_error() {
    let mut csv = b"id,title\nA,\"".to_vec();
    csv.resize(csv.len() + (64 << 20), b'x');
    let start = Instant::now();
    let err = CsvLoader::new()
        .standards_reader("s.csv", &csv[..])
        .load()
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::UnterminatedQuote { .. } | Error::InputTooLarge { .. }
        ),
        "{err}"
    );
    let mut log = b"order_id,user_id,skill_name,correct\n1,\"".to_vec();
    log.resize(log.len() + (64 << 20), b'\n');
    let err = mastery::evidence::read_responses(
        "log.csv",
        &log[..],
        &mastery::evidence::ResponseColumns::default(),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::UnterminatedQuote { .. } | Error::InputTooLarge { .. }
        ),
        "{err}"
    );
    assert!(start.elapsed() < SLOW, "{:?}", start.elapsed());
}
