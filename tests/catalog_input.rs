//! Catalogs read from JSON and CSV: every defect is a typed error naming the
//! activity and, for files, the file and line.

use mastery::{Catalog, Curriculum, Error};

fn small() -> Curriculum {
    Curriculum::builder()
        .standard_ids(["X", "Y"])
        .unwrap()
        .prerequisite("X", "Y")
        .build()
        .unwrap()
}

/// Issue 21.4: `"standards": ["X", "X"]` made one answer count twice.
#[test]
fn duplicate_alignment_in_json_is_rejected_with_the_activity_id() {
    let c = small();
    let json = r#"{"activities": [{"id": "ok", "standards": ["Y"]},
                                   {"id": "twice", "standards": ["X", "Y", "X"]}]}"#;
    let err = Catalog::from_json(&c, json).unwrap_err();
    match &err {
        Error::DuplicateAlignment {
            activity, standard, ..
        } => assert_eq!((activity.as_str(), standard.as_str()), ("twice", "X")),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "activity `twice` is aligned to standard `X` more than once"
    );
}

/// Issue 21.4, CSV form: `X;X` (with or without weights) was silently merged.
#[test]
fn duplicate_alignment_in_csv_is_rejected_with_file_and_line() {
    let c = small();
    for standards in ["X;X", "X:0.5;X", "Y;X;X:2"] {
        let csv = format!("id,standards\nok,Y\ntwice,{standards}\n");
        let err = Catalog::from_csv(&c, "catalog.csv", csv.as_bytes()).unwrap_err();
        assert!(
            matches!(&err, Error::DuplicateAlignment { activity, standard, .. }
                if activity == "twice" && standard == "X"),
            "{standards}: {err:?}"
        );
        assert_eq!(
            err.to_string(),
            "catalog.csv:3: activity `twice` is aligned to standard `X` more than once"
        );
    }
}
