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
        let err = Catalog::from_csv_reader(&c, "catalog.csv", csv.as_bytes()).unwrap_err();
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

/// Issue 21.6: activity ids accepted control characters, and an empty one
/// was reported as an "invalid standard id".
#[test]
fn activity_ids_follow_the_rules_of_standard_ids() {
    let c = small();
    for (id, reason) in [
        ("", "it is empty"),
        ("a\u{0}b", "it contains a control character"),
        ("line\nbreak", "it contains a control character"),
        ("bell\u{7}", "it contains a control character"),
        (" padded", "it has leading or trailing whitespace"),
    ] {
        let json = serde_json::json!({"activities": [{"id": id, "standards": ["X"]}]}).to_string();
        let err = Catalog::from_json(&c, &json).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidActivityId { id: got, reason: r, .. } if got == id && *r == reason),
            "{id:?}: {err:?}"
        );
        let text = err.to_string();
        assert!(text.contains("invalid activity id"), "{text}");
        assert!(!text.contains("standard"), "{text}");
    }
    let err = mastery::Evidence::on_activity("ada", "", mastery::Outcome::Correct, 0).unwrap_err();
    assert!(matches!(err, Error::InvalidActivityId { .. }), "{err:?}");
}

/// Issue 21.6: `Catalog::from_csv_reader` lost the file and line of every error it
/// left to `Catalog::new`.
#[test]
fn csv_catalog_errors_name_file_and_line() {
    let c = small();
    for (rows, expected) in [
        ("a,X,\na,Y,\n", "catalog.csv:3: duplicate activity id `a`"),
        ("a,X,\nb,Z,\n", "catalog.csv:3: unknown standard `Z`"),
        (
            "a,X,\nb,,\n",
            "catalog.csv:3: activity `b` is aligned to no standard",
        ),
        (
            "a,X,\nb,Y,zz\nc,X,\n",
            "catalog.csv:3: activity `b` comes after unknown activity `zz`",
        ),
        (
            "a,X,\nb,Y,b\n",
            "catalog.csv:3: invalid activity id \"b\": an activity cannot come after itself",
        ),
        (
            "a,X,\n\"b\u{1}\",Y,\n",
            "catalog.csv:3: invalid activity id \"b\\u{1}\": it contains a control character",
        ),
    ] {
        let csv = format!("id,standards,prerequisites\n{rows}");
        let err = Catalog::from_csv_reader(&c, "catalog.csv", csv.as_bytes()).unwrap_err();
        assert_eq!(err.to_string(), expected, "{rows:?}");
    }
}
