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
#[allow(dead_code)]
pub fn curriculum() -> impl Strategy<Value = Curriculum> {
    graded_curriculum(0)
}

/// The grades a [`graded_curriculum`] draws from.
#[allow(dead_code)]
pub const GRADES: [&str; 4] = ["K", "1", "2", "3"];

/// A random DAG as [`curriculum`]; with `grades` above 0, each standard has
/// one of the first `grades` of [`GRADES`], drawn independently of the graph
/// (a prerequisite may be of a later grade, as in real graphs' odd corners).
pub fn graded_curriculum(grades: usize) -> impl Strategy<Value = Curriculum> {
    let grades = grades.min(GRADES.len());
    (
        proptest::collection::vec(proptest::bool::weighted(0.2), N * (N - 1) / 2),
        proptest::collection::vec(0..grades.max(1), N),
    )
        .prop_map(move |(present, grade)| {
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
            let standards = (0..N).map(|i| {
                let standard = mastery::Standard::new(id(i)).unwrap();
                if grades > 0 {
                    standard.with_grade(GRADES[grade[i]])
                } else {
                    standard
                }
            });
            Curriculum::builder()
                .standards(standards)
                .prerequisites(edges)
                .build()
                .unwrap()
        })
}
