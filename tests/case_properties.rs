//! Property: a random curriculum written as a CASE package
//! ([`Curriculum::to_case_json`]) reads back equal, metadata included; and
//! from the CASE fields alone, with the same ids and edges.

// Standards are built by index from parallel vectors of their parts.
#![allow(clippy::needless_range_loop)]

use mastery::curriculum::case::CaseOptions;
use mastery::{Curriculum, Standard};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Spec {
    /// For each standard: the earlier standard it refines (its id gets a
    /// `.n` suffix, like `3.NF.A.3.a`), if any.
    parents: Vec<Option<usize>>,
    grades: Vec<Option<&'static str>>,
    domains: Vec<Option<&'static str>>,
    clusters: Vec<Option<&'static str>>,
    texts: Vec<Option<String>>,
    edges: Vec<bool>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (1usize..24).prop_flat_map(|n| {
        let pick = |options: &'static [&'static str]| {
            proptest::collection::vec(proptest::option::of(proptest::sample::select(options)), n)
        };
        (
            proptest::collection::vec(proptest::option::of(any::<prop::sample::Index>()), n),
            pick(&["K", "3", "HS", "03,04"]),
            pick(&["NF", "OA", "A-APR"]),
            pick(&["A", "B"]),
            proptest::collection::vec(proptest::option::of("\\PC{0,24}"), n),
            proptest::collection::vec(proptest::bool::weighted(0.2), n * (n - 1) / 2),
        )
            .prop_map(
                move |(parents, grades, domains, clusters, texts, edges)| Spec {
                    parents: parents
                        .into_iter()
                        .enumerate()
                        .map(|(i, p)| p.filter(|_| i > 0).map(|p| p.index(i)))
                        .collect(),
                    grades,
                    domains,
                    clusters,
                    texts,
                    edges,
                },
            )
    })
}

fn build(spec: &Spec) -> Curriculum {
    let n = spec.parents.len();
    let mut ids: Vec<String> = Vec::with_capacity(n);
    for i in 0..n {
        let id = match spec.parents[i] {
            Some(p) => format!("{}.{i}", ids[p]),
            None => match (spec.grades[i], spec.domains[i], spec.clusters[i]) {
                (Some(g), Some(d), Some(c)) => format!("{g}.{d}.{c}.{i}"),
                _ => format!("S{i}"),
            },
        };
        ids.push(id);
    }
    let mut builder = Curriculum::builder();
    for i in 0..n {
        let mut s = Standard::new(ids[i].clone()).unwrap();
        if let Some(g) = spec.grades[i] {
            s = s.with_grade(g);
        }
        if let Some(d) = spec.domains[i] {
            s = s
                .with_domain(d)
                .with_attribute("domain_name", format!("Domain {d}"));
        }
        if let Some(c) = spec.clusters[i] {
            s = s.with_cluster(c);
        }
        if let Some(t) = &spec.texts[i] {
            s = s.with_description(t.clone()).with_tag("t");
        }
        builder = builder.standard(s.with_major_work(i % 3 == 0));
    }
    let mut k = 0;
    for i in 0..n {
        for j in i + 1..n {
            if spec.edges[k] {
                builder = builder.prerequisite(ids[i].clone(), ids[j].clone());
            }
            k += 1;
        }
    }
    builder.build().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn case_json_of_a_random_curriculum_reads_back_equal(spec in spec()) {
        let curriculum = build(&spec);
        let json = curriculum.to_case_json("Random framework");
        let back = CaseOptions::new().read_str("random.json", &json).unwrap();
        prop_assert_eq!(back.curriculum(), &curriculum);

        let plain = CaseOptions::new().read_extensions(false).read_str("random.json", &json).unwrap();
        let plain = plain.curriculum();
        prop_assert_eq!(plain.fingerprint(), curriculum.fingerprint());
        for (a, b) in plain.standards().iter().zip(curriculum.standards()) {
            prop_assert_eq!(a.id(), b.id());
            prop_assert_eq!(a.grade(), b.grade());
            prop_assert_eq!(a.description().unwrap_or(a.id()), b.description().unwrap_or(b.id()));
        }
        // Every standard is under the document, once.
        let roots: usize = back
            .hierarchy()
            .roots()
            .map(|r| back.hierarchy().standards_under(r.identifier()).unwrap().len() + usize::from(r.standard().is_some()))
            .sum();
        prop_assert_eq!(roots, curriculum.len());
    }
}
