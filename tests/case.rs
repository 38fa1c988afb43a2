//! IMS CASE import: the embedded Common Core graph written as a CFPackage
//! and read back, the hand-written fixtures (a Common Core slice and a
//! fictional state framework), crosswalks between them, and dirty input.

use mastery::curriculum::Crosswalk;
use mastery::curriculum::case::{CaseOptions, DanglingAssociations, LinkKind};
use mastery::{Curriculum, Error, Evidence, Outcome};

const CCSS_3NF: &str = include_str!("fixtures/case/ccss_3nf.json");
const STATE: &str = include_str!("fixtures/case/state_fractions.json");

fn ids(c: &Curriculum) -> Vec<&str> {
    c.standards().iter().map(|s| s.id()).collect()
}

fn edges(c: &Curriculum) -> Vec<(String, String)> {
    c.prerequisite_edges()
        .map(|(f, t)| (c[f].id().to_owned(), c[t].id().to_owned()))
        .collect()
}

#[test]
fn the_embedded_common_core_written_as_case_reads_back_equal() {
    let ccss = Curriculum::ccss_math();
    let json = ccss.to_case_json("Common Core State Standards for Mathematics");
    let package: serde_json::Value = serde_json::from_str(&json).unwrap();
    let items = package["CFItems"].as_array().unwrap();
    let associations = package["CFAssociations"].as_array().unwrap();
    let count = |kind: &str| {
        associations
            .iter()
            .filter(|a| a["associationType"] == kind)
            .count()
    };
    let standards = items.iter().filter(|i| i["CFItemType"] == "Standard");
    assert_eq!(standards.count(), 480, "every standard a CFItem");
    assert_eq!(count("precedes"), 757, "every prerequisite a precedes");
    assert_eq!(count("isChildOf"), items.len(), "every item has a parent");

    // With the mastery extension: equal in every field.
    let framework = CaseOptions::new().read_str("ccss.json", &json).unwrap();
    assert_eq!(framework.curriculum(), &ccss);
    assert_eq!(framework.curriculum().fingerprint(), ccss.fingerprint());

    // From the CASE fields alone: the same ids in the same order, the same
    // edges, the texts and grades.
    let plain = CaseOptions::new()
        .read_extensions(false)
        .read_str("ccss.json", &json)
        .unwrap();
    let plain = plain.curriculum();
    assert_eq!(ids(plain), ids(&ccss));
    assert_eq!(edges(plain), edges(&ccss));
    assert_eq!(plain.fingerprint(), ccss.fingerprint());
    for (a, b) in plain.standards().iter().zip(ccss.standards()) {
        assert_eq!(a.description(), b.description(), "{}", b.id());
        assert_eq!(a.grade(), b.grade(), "{}", b.id());
        assert_eq!(a.attribute("case_item_type"), Some("Standard"));
    }
    // Deterministic.
    assert_eq!(
        json,
        ccss.to_case_json("Common Core State Standards for Mathematics")
    );
}

#[test]
fn the_hierarchy_answers_the_standards_of_3_nf() {
    let ccss = Curriculum::ccss_math();
    let framework = CaseOptions::new()
        .read_str("ccss.json", &ccss.to_case_json("CCSS"))
        .unwrap();
    let hierarchy = framework.hierarchy();
    let under: Vec<&str> = hierarchy
        .standards_under("3.NF")
        .unwrap()
        .iter()
        .map(|&i| framework.curriculum()[i].id())
        .collect();
    let expected: Vec<&str> = ccss
        .standards()
        .iter()
        .filter(|s| s.grade() == Some("3") && s.domain() == Some("NF"))
        .map(|s| s.id())
        .collect();
    assert_eq!(under, expected);
    assert_eq!(under.len(), 9);

    let domain = hierarchy.node("3.NF").unwrap();
    assert_eq!(domain.item_type(), Some("Domain"));
    assert_eq!(domain.statement(), Some("Number And Operations-Fractions*"));
    let clusters: Vec<_> = hierarchy
        .children("3.NF")
        .unwrap()
        .iter()
        .map(|n| n.code().unwrap())
        .collect();
    assert_eq!(clusters, ["3.NF.A"]);
    let parent = |code| hierarchy.parent(code).unwrap().and_then(|p| p.code());
    assert_eq!(parent("3.NF.A.3.a"), Some("3.NF.A.3"));
    assert_eq!(parent("3.NF.A.3"), Some("3.NF.A"));
    assert_eq!(parent("3.NF.A"), Some("3.NF"));
    assert_eq!(parent("3.NF"), None);
    assert!(hierarchy.roots().any(|r| r.code() == Some("3.NF")));
    // High-school domains keep their codes.
    assert!(hierarchy.standards_under("HSA-APR").unwrap().len() >= 5);
    assert!(matches!(
        hierarchy.standards_under("9.ZZ"),
        Err(Error::UnknownCaseItem { .. })
    ));
    // Every standard sits under exactly one domain of its grade.
    let domains = hierarchy
        .nodes()
        .iter()
        .filter(|n| n.item_type() == Some("Domain"));
    let total: usize = domains
        .map(|d| hierarchy.standards_under(d.identifier()).unwrap().len())
        .sum();
    assert_eq!(total, 480);
}

#[test]
fn the_hand_written_common_core_slice_matches_the_embedded_graph() {
    let ccss = Curriculum::ccss_math();
    let framework = CaseOptions::new()
        .read_str("ccss_3nf.json", CCSS_3NF)
        .unwrap();
    let slice = framework.curriculum();
    let nf = ccss.set_of(ids(slice)).unwrap();
    let embedded = ccss.induced(&nf).unwrap();
    assert_eq!(ids(slice), ids(&embedded));
    let mut a = edges(slice);
    let mut b = edges(&embedded);
    a.sort();
    b.sort();
    assert_eq!(a, b);
    for s in slice.standards() {
        let e = ccss.standard(s.id()).unwrap();
        assert_eq!(s.description(), e.description(), "{}", s.id());
        assert_eq!(s.grade(), Some("03"));
        assert!(
            s.attribute("case_uri")
                .unwrap()
                .starts_with("https://case.example.org/")
        );
    }
    let under = framework.hierarchy().standards_under("3.NF").unwrap();
    assert_eq!(under.len(), 9);
    let children: Vec<_> = framework
        .hierarchy()
        .children("3.NF.A")
        .unwrap()
        .iter()
        .map(|n| n.code().unwrap())
        .collect();
    assert_eq!(children, ["3.NF.A.1", "3.NF.A.2", "3.NF.A.3"]);
}

#[test]
fn a_state_framework_keeps_its_hierarchy_links_and_ignored_associations() {
    let state = CaseOptions::new()
        .read_str("state_fractions.json", STATE)
        .unwrap();
    let c = state.curriculum();
    assert_eq!(ids(c), ["ST.3.F.1", "ST.3.F.2", "ST.3.F.3", "ST.3.F.4"]);
    assert_eq!(edges(c).len(), 2);
    assert_eq!(
        c.standard("ST.3.F.1").unwrap().title(),
        Some("Unit fractions")
    );
    assert_eq!(c.standard("ST.3.F.3").unwrap().grade(), Some("03,04"));
    assert_eq!(
        state.title(),
        Some("Example State Mathematics Standards: Grade 3 Fractions")
    );
    // Children in sequenceNumber order, not package order.
    let strand: Vec<_> = state
        .hierarchy()
        .children("ST.3.F")
        .unwrap()
        .iter()
        .map(|n| n.code().unwrap())
        .collect();
    assert_eq!(strand, ["ST.3.F.1", "ST.3.F.2", "ST.3.F.3", "ST.3.F.4"]);
    assert_eq!(state.hierarchy().standards_under("ST.3").unwrap().len(), 4);
    assert_eq!(
        state.hierarchy().node("ST.3").unwrap().item_type(),
        Some("Grade Level")
    );
    let kinds: Vec<LinkKind> = state.links().iter().map(|l| l.kind).collect();
    assert_eq!(
        kinds,
        [
            LinkKind::ExactMatch,
            LinkKind::ExactMatch,
            LinkKind::Related
        ]
    );
    assert_eq!(state.ignored_associations().get("exemplar"), Some(&1));
    assert!(state.skipped().is_empty());

    // Every item a standard: the grade level, the strand and the example too.
    let everything = CaseOptions::new()
        .standard_types(["Standard", "Grade Level", "Strand", "Example"])
        .read_str("state_fractions.json", STATE)
        .unwrap();
    assert_eq!(everything.curriculum().len(), 7);
    assert!(
        everything
            .curriculum()
            .contains("57a70000-0000-4000-8000-000000000015")
    );
}

#[test]
fn crosswalks_carry_evidence_and_mastery_and_report_the_unmatched() {
    let state = CaseOptions::new()
        .read_str("state_fractions.json", STATE)
        .unwrap();
    let ccss = CaseOptions::new()
        .read_str("ccss_3nf.json", CCSS_3NF)
        .unwrap();
    let walk = Crosswalk::from_case_links(&state, &ccss).unwrap();
    assert_eq!(walk.len(), 2);
    let to = |id: &str| {
        walk.matches(id)
            .unwrap()
            .iter()
            .map(|&i| ccss.curriculum()[i].id())
            .collect::<Vec<_>>()
    };
    assert_eq!(to("ST.3.F.1"), ["3.NF.A.1"]);
    assert_eq!(to("ST.3.F.2"), ["3.NF.A.2"]);
    // isRelatedTo is not a match: never guessed.
    let unmatched: Vec<&str> = walk
        .unmatched_from()
        .iter()
        .map(|&i| state.curriculum()[i].id())
        .collect();
    assert_eq!(unmatched, ["ST.3.F.3", "ST.3.F.4"]);
    // The same links read from the other side.
    let back = Crosswalk::from_case_links(&ccss, &state).unwrap();
    assert_eq!(back.len(), 2);
    assert_eq!(walk.reversed().unmatched_from().len(), 7);

    let log = [
        Evidence::on_standard("ada", "ST.3.F.1", Outcome::Correct, 1_788_256_800).unwrap(),
        Evidence::on_standard("ada", "ST.3.F.4", Outcome::Incorrect, 1_788_256_860).unwrap(),
        Evidence::on_activity("ada", "quiz-1", Outcome::Correct, 1_788_256_920).unwrap(),
        Evidence::on_standard("ada", "ST.9", Outcome::Correct, 1_788_256_980).unwrap(),
    ];
    let mapped = walk.map_evidence(&log);
    assert_eq!(mapped.evidence.len(), 1);
    assert_eq!(
        mapped.evidence[0].target(),
        &mastery::Target::Standard("3.NF.A.1".into())
    );
    assert_eq!(mapped.evidence[0].timestamp(), 1_788_256_800);
    let positions: Vec<usize> = mapped.unmatched.iter().map(|(i, _)| *i).collect();
    assert_eq!(positions, [1, 2, 3]);

    let carried = walk.map_mastery(&[0.9, 0.6, 0.3, 0.1]).unwrap();
    let at = |id: &str| carried[ccss.curriculum().index_of(id).unwrap().index()];
    assert_eq!(at("3.NF.A.1"), Some(0.9));
    assert_eq!(at("3.NF.A.2"), Some(0.6));
    assert_eq!(at("3.NF.A.3"), None);
    assert!(walk.map_mastery(&[0.5]).is_err());
    let mastered = state.curriculum().set_of(["ST.3.F.1"]).unwrap();
    let over = walk.map_set(&mastered).unwrap();
    assert!(over.contains(ccss.curriculum().index_of("3.NF.A.1").unwrap()));
    assert_eq!(over.len(), 1);

    // A CSV of pairs onto the embedded Common Core; one standard matching two.
    let embedded = Curriculum::ccss_math();
    let csv = include_str!("fixtures/case/state_to_ccss.csv");
    let walk = Crosswalk::from_reader(
        "state_to_ccss.csv",
        csv.as_bytes(),
        state.curriculum(),
        &embedded,
        "state",
        "ccss",
    )
    .unwrap();
    assert_eq!(walk.matches("ST.3.F.2").unwrap().len(), 2);
    let both = walk.map_evidence(&log[..1]);
    assert_eq!(both.evidence.len(), 1);
    let carried = walk.map_mastery(&[0.9, 0.6, 0.3, 0.1]).unwrap();
    assert_eq!(carried.iter().flatten().count(), 3);
}

/// A package with two standards `A` and `B` and the given extra items and associations.
fn package(items: &str, associations: &str) -> String {
    format!(
        r#"{{"CFDocument": {{"identifier": "doc", "title": "T"}},
            "CFItems": [
              {{"identifier": "i-a", "humanCodingScheme": "A", "fullStatement": "a", "CFItemType": "Standard"}},
              {{"identifier": "i-b", "humanCodingScheme": "B", "fullStatement": "b", "CFItemType": "Standard"}}{items}
            ],
            "CFAssociations": [{associations}]}}"#
    )
}

fn association(id: &str, kind: &str, from: &str, to: &str) -> String {
    format!(
        r#"{{"identifier": "{id}", "associationType": "{kind}", "originNodeURI": {{"identifier": "{from}"}}, "destinationNodeURI": {{"identifier": "{to}"}}}}"#
    )
}

fn case_error(json: &str) -> (String, String, String) {
    match CaseOptions::new().read_str("dirty.json", json) {
        Err(Error::Case {
            at,
            identifier,
            message,
        }) => (at.to_string(), identifier, message),
        other => panic!("expected Error::Case, got {other:?}"),
    }
}

#[test]
fn unknown_association_types_are_errors_naming_the_association() {
    let json = package("", &association("x-1", "isCousinOf", "i-a", "i-b"));
    let (at, id, message) = case_error(&json);
    assert_eq!(at, "dirty.json#/CFAssociations/0: ");
    assert_eq!(id, "x-1");
    assert!(message.contains("isCousinOf"), "{message}");
}

#[test]
fn dangling_associations_are_errors_or_skipped_and_reported() {
    let associations = [
        association("p-1", "precedes", "i-a", "i-b"),
        association("p-2", "precedes", "i-a", "https://elsewhere/i-z"),
        association("c-1", "isChildOf", "i-zz", "i-a"),
    ]
    .join(",");
    let json = package("", &associations);
    let (at, id, message) = case_error(&json);
    assert_eq!(
        (at.as_str(), id.as_str()),
        ("dirty.json#/CFAssociations/1: ", "p-2")
    );
    assert!(message.contains("https://elsewhere/i-z"), "{message}");

    let framework = CaseOptions::new()
        .dangling(DanglingAssociations::SkipAndReport)
        .read_str("dirty.json", &json)
        .unwrap();
    assert_eq!(framework.curriculum().prerequisite_count(), 1);
    let skipped: Vec<(&str, &str)> = framework
        .skipped()
        .iter()
        .map(|s| (s.identifier.as_str(), s.path.as_str()))
        .collect();
    assert_eq!(
        skipped,
        [("p-2", "#/CFAssociations/1"), ("c-1", "#/CFAssociations/2")]
    );
    // A crosswalk link may point outside: that is what it is for.
    let outward = package(
        "",
        &association("m-1", "exactMatchOf", "i-a", "https://other/i-1"),
    );
    let framework = CaseOptions::new().read_str("dirty.json", &outward).unwrap();
    assert_eq!(
        framework.links()[0].origin_standard,
        Some(framework.curriculum().index_of("A").unwrap())
    );
}

#[test]
fn duplicate_identifiers_and_codes_are_errors_with_their_paths() {
    let twice = package(
        r#", {"identifier": "i-a", "humanCodingScheme": "C", "fullStatement": "c"}"#,
        "",
    );
    let (at, id, message) = case_error(&twice);
    assert_eq!(
        (at.as_str(), id.as_str()),
        ("dirty.json#/CFItems/2: ", "i-a")
    );
    assert!(message.contains("duplicate identifier"), "{message}");

    let same_code = package(
        r#", {"identifier": "i-c", "humanCodingScheme": "A", "fullStatement": "c"}"#,
        "",
    );
    let err = CaseOptions::new()
        .read_str("dirty.json", &same_code)
        .unwrap_err();
    assert!(
        matches!(err, Error::DuplicateStandard { ref id, .. } if id == "A"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "dirty.json#/CFItems/2: duplicate standard id `A`"
    );
}

#[test]
fn a_precedes_cycle_is_rejected_with_the_cycle_named() {
    let associations = [
        association("p-1", "precedes", "i-a", "i-b"),
        association("p-2", "precedes", "i-b", "i-a"),
    ]
    .join(",");
    match CaseOptions::new().read_str("dirty.json", &package("", &associations)) {
        Err(err @ Error::Cycle { .. }) => {
            let Error::Cycle { cycle, .. } = &err else {
                unreachable!()
            };
            assert_eq!(cycle, &["A", "B", "A"]);
            assert!(
                err.to_string().contains("dirty.json#/CFAssociations/1"),
                "{err}"
            );
        }
        other => panic!("expected a cycle, got {other:?}"),
    }
}

#[test]
fn a_missing_human_coding_scheme_falls_back_or_is_an_error() {
    let json = package(
        r#", {"identifier": "i-c", "fullStatement": "no code", "CFItemType": "Standard"}"#,
        "",
    );
    let framework = CaseOptions::new().read_str("dirty.json", &json).unwrap();
    assert!(framework.curriculum().contains("i-c"));
    let err = CaseOptions::new()
        .require_human_coding_scheme(true)
        .read_str("dirty.json", &json)
        .unwrap_err();
    let Error::Case {
        at,
        identifier,
        message,
    } = err
    else {
        panic!("{err:?}")
    };
    assert_eq!(
        (at.to_string().as_str(), identifier.as_str()),
        ("dirty.json#/CFItems/2: ", "i-c")
    );
    assert!(message.contains("humanCodingScheme"));
}

#[test]
fn wrong_json_types_are_errors_naming_the_place() {
    let number_statement = package(
        r#", {"identifier": "i-c", "humanCodingScheme": "C", "fullStatement": 7}"#,
        "",
    );
    let (at, id, message) = case_error(&number_statement);
    assert_eq!(
        (at.as_str(), id.as_str()),
        ("dirty.json#/CFItems/2: ", "i-c")
    );
    assert!(message.contains("invalid type"), "{message}");

    let no_type = package(
        "",
        r#"{"identifier": "x-2", "originNodeURI": {"identifier": "i-a"}, "destinationNodeURI": {"identifier": "i-b"}}"#,
    );
    let (_, id, message) = case_error(&no_type);
    assert_eq!(id, "x-2");
    assert!(message.contains("associationType"), "{message}");

    let items_object = r#"{"CFDocument": {"identifier": "doc"}, "CFItems": {"a": 1}}"#;
    let (at, _, message) = case_error(items_object);
    assert_eq!(at, "dirty.json#/CFItems: ");
    assert!(message.contains("array"));

    let (_, _, message) = case_error(r#"{"CFItems": []}"#);
    assert!(message.contains("CFDocument"));
    assert!(matches!(
        CaseOptions::new().read_str("dirty.json", "{not json"),
        Err(Error::Json { .. })
    ));
    let err = CaseOptions::new()
        .read_path("tests/fixtures/case/missing.json")
        .unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    let from_file = CaseOptions::new()
        .read_path("tests/fixtures/case/state_fractions.json")
        .unwrap();
    assert_eq!(from_file.curriculum().len(), 4);
}
