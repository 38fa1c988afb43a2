//! Property tests of the curriculum graph against brute-force definitions on
//! random DAGs.

// Brute-force reachability reads best as index loops over a matrix.
#![allow(clippy::needless_range_loop)]

use mastery::{Curriculum, Error, Standard, StandardIdx, StandardSet};
use proptest::prelude::*;

/// A random DAG: `n` standards named `s0..`, edges `(from, to)` by index,
/// added in a random order that is not a topological one.
#[derive(Debug, Clone)]
struct Dag {
    n: usize,
    edges: Vec<(usize, usize)>,
}

fn dag() -> impl Strategy<Value = Dag> {
    (1usize..28).prop_flat_map(|n| {
        let pairs = n * (n - 1) / 2;
        (
            proptest::collection::vec(proptest::bool::weighted(0.15), pairs),
            Just((0..n).collect::<Vec<usize>>()).prop_shuffle(),
            any::<u64>(),
        )
            .prop_map(move |(present, rank, order_seed)| {
                // An edge between ranks i < j goes from the standard with rank i to rank j,
                // so the graph is acyclic whatever `rank` is.
                let mut edges = Vec::new();
                let mut k = 0;
                for i in 0..n {
                    for j in i + 1..n {
                        if present[k] {
                            edges.push((rank[i], rank[j]));
                        }
                        k += 1;
                    }
                }
                // Shuffle insertion order deterministically from the drawn seed.
                let mut state = order_seed | 1;
                for i in (1..edges.len()).rev() {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    edges.swap(i, (state % (i as u64 + 1)) as usize);
                }
                Dag { n, edges }
            })
    })
}

fn id(i: usize) -> String {
    format!("s{i}")
}

fn build(dag: &Dag) -> Result<Curriculum, Error> {
    Curriculum::builder()
        .standard_ids((0..dag.n).map(id))?
        .prerequisites(dag.edges.iter().map(|&(f, t)| (id(f), id(t))))
        .build()
}

/// reach[a][b]: b can be reached from a by one or more edges.
fn reachability(n: usize, edges: &[(usize, usize)]) -> Vec<Vec<bool>> {
    let mut reach = vec![vec![false; n]; n];
    for &(f, t) in edges {
        reach[f][t] = true;
    }
    for k in 0..n {
        for a in 0..n {
            if reach[a][k] {
                for b in 0..n {
                    if reach[k][b] {
                        reach[a][b] = true;
                    }
                }
            }
        }
    }
    reach
}

fn idx(i: usize) -> StandardIdx {
    StandardIdx::new(i).unwrap()
}

fn set(members: impl IntoIterator<Item = usize>) -> StandardSet {
    members.into_iter().map(idx).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn topological_order_respects_every_edge(dag in dag()) {
        let c = build(&dag).unwrap();
        let order = c.topological_order();
        prop_assert_eq!(order.len(), dag.n);
        let mut position = vec![usize::MAX; dag.n];
        for (p, v) in order.iter().enumerate() {
            prop_assert_eq!(position[v.index()], usize::MAX, "standard listed twice");
            position[v.index()] = p;
        }
        for &(f, t) in &dag.edges {
            prop_assert!(position[f] < position[t], "edge {} -> {} out of order", f, t);
        }
    }

    #[test]
    fn ancestors_and_descendants_match_brute_force(dag in dag()) {
        let c = build(&dag).unwrap();
        let reach = reachability(dag.n, &dag.edges);
        for v in 0..dag.n {
            let ancestors = set((0..dag.n).filter(|&a| reach[a][v]));
            let descendants = set((0..dag.n).filter(|&d| reach[v][d]));
            prop_assert_eq!(c.ancestors(idx(v)).unwrap(), ancestors);
            prop_assert_eq!(c.descendants(id(v).as_str()).unwrap(), descendants);
        }
    }

    #[test]
    fn depth_and_longest_chain_match_brute_force(dag in dag()) {
        let c = build(&dag).unwrap();
        // Longest path ending at v by relaxing n times (Bellman-Ford on a DAG).
        let mut depth = vec![0usize; dag.n];
        for _ in 0..dag.n {
            for &(f, t) in &dag.edges {
                depth[t] = depth[t].max(depth[f] + 1);
            }
        }
        for (v, &expected) in depth.iter().enumerate() {
            prop_assert_eq!(c.depth(idx(v)).unwrap(), expected);
        }
        let chain = c.longest_chain();
        prop_assert_eq!(chain.len(), depth.iter().max().unwrap() + 1);
        for pair in chain.windows(2) {
            prop_assert!(dag.edges.contains(&(pair[0].index(), pair[1].index())));
        }
    }

    #[test]
    fn redundant_edges_are_exactly_those_implied_by_longer_paths(dag in dag()) {
        let c = build(&dag).unwrap();
        let reach = reachability(dag.n, &dag.edges);
        let expected: Vec<(usize, usize)> = dag
            .edges
            .iter()
            .copied()
            .filter(|&(f, t)| dag.edges.iter().any(|&(f2, w)| f2 == f && w != t && reach[w][t]))
            .collect();
        let found: Vec<(usize, usize)> = c
            .redundant_prerequisites()
            .into_iter()
            .map(|(f, t)| (f.index(), t.index()))
            .collect();
        prop_assert_eq!(&found, &expected);
        let reduced = c.transitive_reduction();
        prop_assert_eq!(reduced.prerequisite_count(), dag.edges.len() - expected.len());
        for v in 0..dag.n {
            prop_assert_eq!(reduced.ancestors(idx(v)).unwrap(), c.ancestors(idx(v)).unwrap());
        }
    }

    #[test]
    fn a_back_edge_is_rejected_with_a_real_cycle(dag in dag(), pick in any::<prop::sample::Index>()) {
        let reach = reachability(dag.n, &dag.edges);
        let reachable: Vec<(usize, usize)> = (0..dag.n)
            .flat_map(|a| (0..dag.n).map(move |b| (a, b)))
            .filter(|&(a, b)| reach[a][b])
            .collect();
        prop_assume!(!reachable.is_empty());
        let (a, b) = *pick.get(&reachable);
        let mut cyclic = dag.clone();
        cyclic.edges.push((b, a));
        let err = build(&cyclic).unwrap_err();
        let Error::Cycle { cycle, .. } = err else {
            return Err(TestCaseError::fail(format!("expected a cycle, got {err:?}")));
        };
        prop_assert!(cycle.len() >= 3);
        prop_assert_eq!(cycle.first(), cycle.last());
        let inner = &cycle[..cycle.len() - 1];
        let mut distinct = inner.to_vec();
        distinct.sort();
        distinct.dedup();
        prop_assert_eq!(distinct.len(), inner.len(), "a standard repeats inside {:?}", cycle);
        for pair in cycle.windows(2) {
            let f: usize = pair[0][1..].parse().unwrap();
            let t: usize = pair[1][1..].parse().unwrap();
            prop_assert!(cyclic.edges.contains(&(f, t)), "{} -> {} is not an edge", pair[0], pair[1]);
        }
    }

    #[test]
    fn fringes_match_their_definitions(dag in dag(), mastered in proptest::collection::vec(any::<bool>(), 28)) {
        let c = build(&dag).unwrap();
        let is_mastered = |v: usize| mastered[v];
        let mastered_set = set((0..dag.n).filter(|&v| is_mastered(v)));
        let ready = set((0..dag.n).filter(|&v| {
            !is_mastered(v) && dag.edges.iter().all(|&(f, t)| t != v || is_mastered(f))
        }));
        let inner = set((0..dag.n).filter(|&v| {
            is_mastered(v) && !dag.edges.iter().any(|&(f, t)| f == v && is_mastered(t))
        }));
        prop_assert_eq!(c.ready_to_learn(&mastered_set).unwrap(), ready);
        prop_assert_eq!(c.inner_fringe(&mastered_set).unwrap(), inner);
    }

    #[test]
    fn induced_subgraph_keeps_exactly_the_edges_among_kept(dag in dag(), keep in proptest::collection::vec(any::<bool>(), 28)) {
        let c = build(&dag).unwrap();
        let kept = set((0..dag.n).filter(|&v| keep[v]));
        let sub = c.induced(&kept).unwrap();
        prop_assert_eq!(sub.len(), kept.len());
        let mut expected: Vec<(String, String)> = dag
            .edges
            .iter()
            .filter(|&&(f, t)| keep[f] && keep[t])
            .map(|&(f, t)| (id(f), id(t)))
            .collect();
        let mut found: Vec<(String, String)> = sub
            .prerequisite_edges()
            .map(|(f, t)| (sub[f].id().to_owned(), sub[t].id().to_owned()))
            .collect();
        expected.sort();
        found.sort();
        prop_assert_eq!(found, expected);
        let by_predicate = c.subgraph(|s| keep[s.id()[1..].parse::<usize>().unwrap()]);
        prop_assert_eq!(by_predicate, sub);
    }

    #[test]
    fn json_round_trip_is_lossless(
        dag in dag(),
        grades in proptest::collection::vec(proptest::option::of("[K1-8]|HS"), 28),
        texts in proptest::collection::vec(proptest::option::of("\\PC{0,12}"), 28),
        tags in proptest::collection::vec(proptest::collection::vec("[a-z]{1,6}", 0..3), 28),
    ) {
        let standards = (0..dag.n).map(|i| {
            let mut s = Standard::new(id(i)).unwrap().with_major_work(i % 3 == 0);
            if let Some(g) = &grades[i] { s = s.with_grade(g.clone()); }
            if let Some(t) = &texts[i] {
                s = s.with_description(t.clone()).with_attribute("note", t.clone());
            }
            for tag in &tags[i] { s = s.with_tag(tag.clone()); }
            s
        });
        let c = Curriculum::builder()
            .standards(standards)
            .prerequisites(dag.edges.iter().map(|&(f, t)| (id(f), id(t))))
            .build()
            .unwrap();
        let json = c.to_json();
        let back = Curriculum::from_json(&json).unwrap();
        prop_assert_eq!(&back, &c);
        prop_assert_eq!(back.to_json(), json);
        prop_assert_eq!(back.topological_order(), c.topological_order());
    }
}

#[test]
fn embedded_ccss_round_trips_through_json() {
    let ccss = Curriculum::ccss_math();
    let back = Curriculum::from_json(&ccss.to_json()).unwrap();
    assert_eq!(back, ccss);
    assert_eq!(
        back.standard("3.NF.A.1").unwrap(),
        ccss.standard("3.NF.A.1").unwrap()
    );
}
