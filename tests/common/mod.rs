//! Strategies the property tests share: random curricula over `N` standards.

use mastery::Curriculum;
use proptest::prelude::*;

#[allow(dead_code)]
pub mod recommend;

/// Standards in a random curriculum.
pub const N: usize = 12;

/// The id of standard `i`: `s0`, `s1`, ...
pub fn id(i: usize) -> String {
    format!("s{i}")
}

/// A random DAG over `N` standards (edges from lower to higher index, each with probability 0.2).
pub fn curriculum() -> impl Strategy<Value = Curriculum> {
    proptest::collection::vec(proptest::bool::weighted(0.2), N * (N - 1) / 2).prop_map(|present| {
        let mut edges = Vec::new();
        let mut k = 0;
        for i in 0..N {
            for j in i + 1..N {
                if present[k] {
                    edges.push((id(i), id(j)));
                }
                k += 1;
            }
        }
        Curriculum::builder()
            .standard_ids((0..N).map(id))
            .unwrap()
            .prerequisites(edges)
            .build()
            .unwrap()
    })
}
