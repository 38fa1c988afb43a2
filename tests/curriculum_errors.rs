//! Every kind of bad curriculum input gives its own error variant, with a
//! message that says what and where, and never a panic.

use std::io::Write;

use mastery::{CsvLoader, Curriculum, Error, Standard, StandardIdx};

fn load(standards: Option<&[u8]>, edges: Option<&[u8]>) -> Result<Curriculum, Error> {
    let mut loader = CsvLoader::new();
    if let Some(s) = standards {
        loader = loader.standards_reader("standards.csv", s);
    }
    if let Some(e) = edges {
        loader = loader.edges_reader("edges.csv", e);
    }
    loader.load()
}

const STANDARDS: &[u8] = b"id,grade\nA,1\nB,1\nC,2\n";

#[test]
fn cycle_names_the_standards_on_it_in_order() {
    let err = load(Some(STANDARDS), Some(b"from,to\nA,B\nB,C\nC,A\n")).unwrap_err();
    let Error::Cycle { cycle, .. } = &err else {
        panic!("expected Cycle, got {err:?}")
    };
    assert_eq!(cycle, &["A", "B", "C", "A"]);
    // Issue 21.6: the message said neither file nor line.
    assert_eq!(
        err.to_string(),
        "edges.csv:2: prerequisites form a cycle: A -> B -> C -> A \
         (edges read at edges.csv:2, edges.csv:3, edges.csv:4)"
    );
    // An edge from the standards file's prerequisites column names that file.
    let err = load(
        Some(b"id,prerequisites\nA,\nB,A\nC,B\n"),
        Some(b"from,to\nC,A\n"),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "standards.csv:3: prerequisites form a cycle: A -> B -> C -> A \
         (edges read at standards.csv:3, standards.csv:4, edges.csv:2)"
    );
    // Edges added in code have no location.
    let err = Curriculum::builder()
        .standard_ids(["A", "B"])
        .unwrap()
        .prerequisites([("A", "B"), ("B", "A")])
        .build()
        .unwrap_err();
    assert_eq!(err.to_string(), "prerequisites form a cycle: A -> B -> A");
}

#[test]
fn cycle_behind_an_acyclic_part_is_found() {
    // X feeds a two-cycle; the report must hold only the cycle.
    let err = Curriculum::builder()
        .standard_ids(["X", "P", "Q", "Z"])
        .unwrap()
        .prerequisites([("X", "P"), ("P", "Q"), ("Q", "P"), ("Q", "Z")])
        .build()
        .unwrap_err();
    let Error::Cycle { cycle, .. } = err else {
        panic!("expected Cycle")
    };
    assert_eq!(cycle, ["P", "Q", "P"]);
}

#[test]
fn self_loop() {
    let err = load(Some(STANDARDS), Some(b"from,to\nA,B\nB,B\n")).unwrap_err();
    assert!(
        matches!(err, Error::SelfLoop { ref id, .. } if id == "B"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "edges.csv:3: standard `B` is listed as its own prerequisite"
    );
}

#[test]
fn duplicate_id() {
    let err = load(Some(b"id\nA\nB\nA\n"), None).unwrap_err();
    assert!(
        matches!(err, Error::DuplicateStandard { ref id, .. } if id == "A"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "standards.csv:4: duplicate standard id `A`"
    );
}

#[test]
fn unknown_endpoint() {
    let err = load(Some(STANDARDS), Some(b"from,to\nA,B\nQ,C\n")).unwrap_err();
    assert!(
        matches!(err, Error::UnknownEndpoint { ref missing, .. } if missing == "Q"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "edges.csv:3: prerequisite `Q` -> `C` names unknown standard `Q`"
    );
}

#[test]
fn duplicate_edge() {
    let err = load(Some(STANDARDS), Some(b"from,to\nA,B\nA,B\n")).unwrap_err();
    assert!(
        matches!(err, Error::DuplicatePrerequisite { .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "edges.csv:3: prerequisite `A` -> `B` is listed more than once"
    );
}

#[test]
fn empty_files() {
    for (standards, edges) in [
        (Some(&b""[..]), None),
        (Some(&b"\n\n"[..]), None),
        (Some(STANDARDS), Some(&b""[..])),
        (None, Some(&b""[..])),
    ] {
        let err = load(standards, edges).unwrap_err();
        assert!(matches!(err, Error::EmptyFile { .. }), "{err:?}");
        assert!(err.to_string().contains("no header line"), "{err}");
    }
    let err = load(Some(b"id,grade\n"), None).unwrap_err();
    assert!(matches!(err, Error::EmptyFile { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "standards.csv: no standards below the header"
    );
    let err = load(None, Some(b"from,to\n")).unwrap_err();
    assert!(matches!(err, Error::EmptyFile { .. }), "{err:?}");
    let err = CsvLoader::new().load().unwrap_err();
    assert!(matches!(err, Error::EmptyFile { .. }), "{err:?}");
}

#[test]
fn header_only_edge_file_is_a_curriculum_without_prerequisites() {
    let c = load(Some(STANDARDS), Some(b"from,to\n")).unwrap();
    assert_eq!(c.len(), 3);
    assert_eq!(c.prerequisite_count(), 0);
}

#[test]
fn missing_columns() {
    let err = load(Some(b"code,grade\nA,1\n"), None).unwrap_err();
    let Error::MissingColumn { column, found, .. } = &err else {
        panic!("expected MissingColumn, got {err:?}")
    };
    assert_eq!(column, "id");
    assert_eq!(found, &["code", "grade"]);
    assert_eq!(
        err.to_string(),
        "standards.csv:1: missing column `id` (the header has: code, grade)"
    );

    let err = load(Some(STANDARDS), Some(b"from,target\nA,B\n")).unwrap_err();
    assert!(
        matches!(err, Error::MissingColumn { ref column, .. } if column == "to"),
        "{err:?}"
    );
}

#[test]
fn non_utf8_bytes() {
    let err = load(Some(b"id,grade\nA,1\nB\xff\xfe,1\n"), None).unwrap_err();
    assert!(matches!(err, Error::InvalidUtf8 { .. }), "{err:?}");
    assert_eq!(err.to_string(), "standards.csv:3: invalid UTF-8");

    let err = load(Some(STANDARDS), Some(b"fr\xc3om,to\nA,B\n")).unwrap_err();
    assert!(matches!(err, Error::InvalidUtf8 { .. }), "{err:?}");
    assert!(err.to_string().starts_with("edges.csv:1:"), "{err}");
}

#[test]
fn ragged_row() {
    let err = load(Some(b"id,grade\nA,1\nB,1,extra\n"), None).unwrap_err();
    assert!(matches!(err, Error::Csv { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "standards.csv:3: row has 3 fields but the header has 2"
    );
}

#[test]
fn empty_ids() {
    let err = load(Some(b"id,grade\n,1\n"), None).unwrap_err();
    assert!(matches!(err, Error::InvalidId { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("standards.csv:2: invalid standard id"),
        "{err}"
    );
    let err = load(Some(STANDARDS), Some(b"from,to\nA,\n")).unwrap_err();
    assert!(matches!(err, Error::InvalidId { .. }), "{err:?}");
}

#[test]
fn files_that_do_not_exist() {
    let err = CsvLoader::new()
        .standards_path("/definitely/not/here.csv")
        .load()
        .unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    assert!(
        err.to_string().starts_with("/definitely/not/here.csv: "),
        "{err}"
    );
}

#[test]
fn files_on_disk_report_their_path() {
    let dir = std::env::temp_dir().join(format!("mastery-errors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let standards = dir.join("standards.csv");
    let edges = dir.join("edges.csv");
    std::fs::File::create(&standards)
        .unwrap()
        .write_all(STANDARDS)
        .unwrap();
    std::fs::File::create(&edges)
        .unwrap()
        .write_all(b"from,to\nA,B\nB,A\n")
        .unwrap();
    let ok = CsvLoader::new().standards_path(&standards).load().unwrap();
    assert_eq!(ok.len(), 3);
    let err = CsvLoader::new()
        .standards_path(&standards)
        .edges_path(&edges)
        .load()
        .unwrap_err();
    assert!(matches!(err, Error::Cycle { .. }), "{err:?}");
    std::fs::File::create(&edges)
        .unwrap()
        .write_all(b"from,to\nA,Nope\n")
        .unwrap();
    let err = CsvLoader::new()
        .standards_path(&standards)
        .edges_path(&edges)
        .load()
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with(&format!("{}:2: ", edges.display())),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_json() {
    let err = Curriculum::from_json("{ not json").unwrap_err();
    assert!(matches!(err, Error::Json { .. }), "{err:?}");
    let err = Curriculum::from_json(r#"{"format_version": 99, "standards": []}"#).unwrap_err();
    assert!(
        matches!(err, Error::UnsupportedFormat { found: 99, .. }),
        "{err:?}"
    );
    let cyclic = r#"{"format_version": 1, "standards": [{"id": "A"}, {"id": "B"}],
        "prerequisites": [["A", "B"], ["B", "A"]]}"#;
    let err = Curriculum::from_json(cyclic).unwrap_err();
    assert!(matches!(err, Error::Cycle { .. }), "{err:?}");
    let bad_id = r#"{"format_version": 1, "standards": [{"id": " A"}]}"#;
    let err = Curriculum::from_json(bad_id).unwrap_err();
    assert!(matches!(err, Error::InvalidId { .. }), "{err:?}");
    // serde's own entry point validates too.
    assert!(serde_json::from_str::<Curriculum>(cyclic).is_err());
}

#[test]
fn queries_reject_unknown_standards_and_foreign_indices() {
    let c = load(Some(STANDARDS), Some(b"from,to\nA,B\n")).unwrap();
    let err = c.prerequisites("Nope").unwrap_err();
    assert!(matches!(err, Error::UnknownStandard { .. }), "{err:?}");
    assert_eq!(err.to_string(), "unknown standard `Nope`");

    let foreign = StandardIdx::new(400).unwrap();
    let err = c.depth(foreign).unwrap_err();
    assert!(
        matches!(err, Error::IndexOutOfRange { index: 400, len: 3 }),
        "{err:?}"
    );
    let set = [foreign].into_iter().collect();
    assert!(matches!(
        c.ready_to_learn(&set),
        Err(Error::IndexOutOfRange { .. })
    ));
    assert!(matches!(
        c.inner_fringe(&set),
        Err(Error::IndexOutOfRange { .. })
    ));
    assert!(matches!(
        c.induced(&set),
        Err(Error::IndexOutOfRange { .. })
    ));
    assert!(matches!(
        c.prerequisite_closure(&set),
        Err(Error::IndexOutOfRange { .. })
    ));
    assert!(c.get("Nope").is_none());
    assert!(Standard::new("").is_err());
}
