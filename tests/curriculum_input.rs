//! Curriculum input for an app: a `prerequisites` column in the standards
//! CSV (merged with an edge file), builders from an existing curriculum, and
//! merging two curricula with cross edges.

use mastery::{CsvLoader, Curriculum, Error, Standard};
use proptest::prelude::*;

const LOCAL: &str = "id,title,prerequisites\n\
FR.7,Fractions on a ruler,\n\
FR.8,Fractions in recipes,FR.7\n\
FR.9,Fractions of money, FR.7 ; FR.8 \n";

fn ids(c: &Curriculum, list: &[mastery::StandardIdx]) -> Vec<String> {
    list.iter().map(|&s| c[s].id().to_owned()).collect()
}

#[test]
fn prerequisites_column_becomes_edges_not_an_attribute() {
    let c = CsvLoader::new()
        .standards_reader("units.csv", LOCAL.as_bytes())
        .load()
        .unwrap();
    assert_eq!(c.prerequisite_count(), 3);
    assert_eq!(ids(&c, c.prerequisites("FR.9").unwrap()), ["FR.7", "FR.8"]);
    assert_eq!(c.standard("FR.9").unwrap().attribute("prerequisites"), None);
    assert_eq!(c.depth("FR.9").unwrap(), 2);
}

#[test]
fn prerequisites_column_merges_with_an_edge_file() {
    let standards = format!("{LOCAL}FR.10,Fractions of time,\n");
    let edges = "from,to\nFR.8,FR.9\nFR.9,FR.10\n"; // FR.8 -> FR.9 is in both: counted once
    let c = CsvLoader::new()
        .standards_reader("units.csv", standards.as_bytes())
        .edges_reader("edges.csv", edges.as_bytes())
        .load()
        .unwrap();
    assert_eq!(c.prerequisite_count(), 4);
    assert_eq!(ids(&c, c.prerequisites("FR.10").unwrap()), ["FR.9"]);
}

#[test]
fn unknown_and_repeated_ids_in_the_prerequisites_column_name_file_and_line() {
    let bad = "id,prerequisites\nFR.7,\nFR.8,FR.7;FR.6\n";
    let err = CsvLoader::new()
        .standards_reader("units.csv", bad.as_bytes())
        .load()
        .unwrap_err();
    assert!(matches!(err, Error::UnknownEndpoint { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "units.csv:3: prerequisite `FR.6` -> `FR.8` names unknown standard `FR.6`"
    );
    let twice = "id,prerequisites\nFR.7,\nFR.8,FR.7;FR.7\n";
    let err = CsvLoader::new()
        .standards_reader("units.csv", twice.as_bytes())
        .load()
        .unwrap_err();
    assert!(
        matches!(err, Error::DuplicatePrerequisite { .. })
            && err.to_string().starts_with("units.csv:3:"),
        "{err}"
    );
    let own = "id,prerequisites\nFR.7,FR.7\n";
    let err = CsvLoader::new()
        .standards_reader("units.csv", own.as_bytes())
        .load()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "units.csv:2: standard `FR.7` is listed as its own prerequisite"
    );
}

#[test]
fn a_local_unit_links_to_common_core_without_rebuilding_it() {
    let ccss = Curriculum::ccss_math();
    let local = CsvLoader::new()
        .standards_reader("units.csv", LOCAL.as_bytes())
        .load()
        .unwrap();
    let merged = ccss
        .merge(&local, [("3.NF.A.1", "FR.7"), ("FR.9", "4.NF.B.3")])
        .unwrap();
    assert_eq!(merged.len(), ccss.len() + 3);
    assert_eq!(
        merged.prerequisite_count(),
        ccss.prerequisite_count() + 3 + 2
    );
    // Common Core keeps its indices and everything about its standards.
    for s in ccss.indices() {
        assert_eq!(merged[s].id(), ccss[s].id());
        assert_eq!(merged[s].title(), ccss[s].title());
        if ccss[s].id() == "4.NF.B.3" {
            continue; // gains FR.9, checked below
        }
        assert_eq!(
            merged.prerequisites(s).unwrap(),
            ccss.prerequisites(s).unwrap(),
            "{}",
            ccss[s].id()
        );
    }
    assert!(
        merged
            .ancestors("4.NF.B.3")
            .unwrap()
            .contains(merged.index_of("FR.8").unwrap())
    );
    assert_eq!(
        merged.standard("FR.8").unwrap().title(),
        Some("Fractions in recipes")
    );

    // The same through the builder, adding a standard by hand.
    let extended = Curriculum::builder()
        .curriculum(&ccss)
        .standard(Standard::new("FR.1").unwrap())
        .prerequisite("K.CC.A.1", "FR.1")
        .build()
        .unwrap();
    assert_eq!(extended.len(), ccss.len() + 1);

    // Shared ids and cycles through the cross edges are typed errors.
    assert!(matches!(
        ccss.merge(&ccss, [] as [(&str, &str); 0]),
        Err(Error::DuplicateStandard { .. })
    ));
    assert!(matches!(
        local.merge(
            &Curriculum::builder()
                .standard_ids(["X"])
                .unwrap()
                .build()
                .unwrap(),
            [("FR.9", "X"), ("X", "FR.7")]
        ),
        Err(Error::Cycle { .. })
    ));
}

#[test]
fn a_rebuilt_curriculum_keeps_its_fingerprint() {
    let ccss = Curriculum::ccss_math();
    let again = ccss.to_builder().build().unwrap();
    assert_eq!(again.fingerprint(), ccss.fingerprint());
    assert_eq!(again.to_json(), ccss.to_json());
    let from: mastery::CurriculumBuilder = (&ccss).into();
    assert_eq!(from.build().unwrap().fingerprint(), ccss.fingerprint());
}

proptest! {
    /// Any DAG round-trips through `to_builder`, and merging with a disjoint
    /// copy doubles standards and edges without changing the first's indices.
    #[test]
    fn to_builder_and_merge_preserve_the_graph(
        n in 1usize..12,
        pairs in proptest::collection::vec((0usize..12, 0usize..12), 0..30),
    ) {
        let mut edges: Vec<(String, String)> = pairs
            .into_iter()
            .filter(|&(a, b)| a < b && b < n)
            .map(|(a, b)| (format!("s{a}"), format!("s{b}")))
            .collect();
        edges.sort();
        edges.dedup();
        let c = Curriculum::builder()
            .standard_ids((0..n).map(|i| format!("s{i}")))
            .unwrap()
            .prerequisites(edges.clone())
            .build()
            .unwrap();
        let again = c.to_builder().build().unwrap();
        prop_assert_eq!(again.fingerprint(), c.fingerprint());
        let copy = Curriculum::builder()
            .standard_ids((0..n).map(|i| format!("t{i}")))
            .unwrap()
            .prerequisites(edges.iter().map(|(a, b)| (a.replace('s', "t"), b.replace('s', "t"))))
            .build()
            .unwrap();
        let merged = c.merge(&copy, [("s0", "t0")]).unwrap();
        prop_assert_eq!(merged.len(), 2 * n);
        prop_assert_eq!(merged.prerequisite_count(), 2 * edges.len() + 1);
        for s in c.indices() {
            prop_assert_eq!(merged[s].id(), c[s].id());
            prop_assert_eq!(merged.depth(s).unwrap(), c.depth(s).unwrap());
        }
    }
}
