//! The embedded Common Core math curriculum has the published shape.

use mastery::{Curriculum, export};

#[test]
fn shape_matches_the_data_note() {
    let ccss = Curriculum::ccss_math();
    assert_eq!(ccss.len(), 480);
    assert_eq!(ccss.prerequisite_count(), 757);
    assert_eq!(ccss.longest_chain().len(), 31);
    assert_eq!(ccss.redundant_prerequisites().len(), 154);
    let isolated = ccss
        .indices()
        .filter(|&v| {
            ccss.prerequisites(v).unwrap().is_empty() && ccss.dependents(v).unwrap().is_empty()
        })
        .count();
    assert_eq!(isolated, 84);
    assert_eq!(ccss.sources().len(), 119);
    assert_eq!(ccss.sinks().len(), 175);
}

#[test]
fn grades_and_ids_are_the_ccss_codes() {
    let ccss = Curriculum::ccss_math();
    let mut per_grade = std::collections::BTreeMap::new();
    for s in ccss.standards() {
        *per_grade.entry(s.grade().unwrap()).or_insert(0) += 1;
        assert!(
            s.description().is_some_and(|d| !d.is_empty()),
            "{} has no text",
            s.id()
        );
        assert!(s.domain().is_some() && s.cluster().is_some(), "{}", s.id());
    }
    assert_eq!(per_grade["K"], 25);
    assert_eq!(per_grade["4"], 37);
    assert_eq!(per_grade["HS"], 163);
    for id in ["K.CC.A.1", "3.NF.A.3.a", "HSA-SSE.A.1"] {
        assert!(ccss.contains(id), "{id}");
    }
}

#[test]
fn grade_four_needs_earlier_grades_only() {
    let ccss = Curriculum::ccss_math();
    let grade4 = ccss
        .set_of(
            ccss.standards()
                .iter()
                .filter(|s| s.grade() == Some("4"))
                .map(|s| s.id()),
        )
        .unwrap();
    let needed = ccss.prerequisite_closure(&grade4).unwrap();
    for v in needed.iter() {
        let grade = ccss[v].grade().unwrap();
        assert!(
            ["K", "1", "2", "3", "4"].contains(&grade),
            "{} is grade {grade}",
            ccss[v].id()
        );
    }
}

#[test]
fn mastery_map_colors_every_standard() {
    let ccss = Curriculum::ccss_math();
    let values: Vec<f64> = ccss
        .indices()
        .map(|v| (v.index() % 11) as f64 / 10.0)
        .collect();
    let dot = export::to_dot(
        &ccss,
        &export::DotOptions::new().values(&values).title("map"),
    )
    .unwrap();
    assert_eq!(dot.matches("fillcolor=\"#").count(), 480 + 1); // + the default node style
}
