//! # mastery: adaptive learning paths over a graph of standards
//!
//! `mastery` models learning standards (such as the Common Core math
//! standards) as a prerequisite graph, so that software can tell what each
//! learner is ready to learn next, and why.
//!
//! ```
//! use mastery::{Curriculum, Standard};
//!
//! // The embedded default: 480 Common Core math standards, 757 prerequisites.
//! let ccss = Curriculum::ccss_math();
//!
//! // A learner who can count objects (K.CC.B.4.a and .b)...
//! let mastered = ccss.set_of(["K.CC.B.4.a", "K.CC.B.4.b"])?;
//! // ...is ready for the standards whose prerequisites are all mastered,
//! // such as counting to answer "how many?" (K.CC.B.5).
//! let ready = ccss.ready_to_learn(&mastered)?;
//! assert!(ready.contains(ccss.index_of("K.CC.B.5")?));
//! for idx in ready.iter().take(3) {
//!     let s = &ccss[idx];
//!     println!("{} (grade {}): {}", s.id(), s.grade().unwrap_or("?"), s.description().unwrap_or(""));
//! }
//!
//! // Everything needed before comparing fractions in grade 4, in a valid order.
//! let goal = ccss.set_of(["4.NF.A.2"])?;
//! let path = ccss.induced(&ccss.prerequisite_closure(&goal)?)?;
//! let order: Vec<&str> = path.topological_order().iter().map(|&i| path[i].id()).collect();
//! assert_eq!(order.last(), Some(&"4.NF.A.2"));
//!
//! // Your own curriculum, validated when built: cycles, unknown standards and
//! // duplicate ids are errors that name the standards involved.
//! let mine = Curriculum::builder()
//!     .standard(Standard::new("fractions-1")?.with_title("Unit fractions"))
//!     .standard(Standard::new("fractions-2")?.with_title("Equivalent fractions"))
//!     .prerequisite("fractions-1", "fractions-2")
//!     .build()?;
//! assert_eq!(mine.depth("fractions-2")?, 1);
//! # Ok::<(), mastery::Error>(())
//! ```
//!
//! ## Layout
//!
//! - [`curriculum`]: [`Standard`], [`Curriculum`] and its builder, graph
//!   queries, CSV and JSON loading, the embedded Common Core default;
//! - [`export`]: Graphviz DOT pictures, optionally colored by mastery;
//! - [`error`]: the crate's one [`Error`] type.
//!
//! ## Data license
//!
//! The embedded Common Core graph is Achieve the Core's Coherence Map (CC0);
//! the standards text is © 2010 NGA Center and CCSSO, used under their public
//! license. See [`curriculum::ccss`].

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod catalog;
pub mod curriculum;
pub mod error;
pub mod evidence;
pub mod export;
mod io;
pub mod learner;
pub mod model;

pub use catalog::{Activity, ActivityIdx, ActivityKind, Catalog};
pub use curriculum::{
    CsvLoader, Curriculum, CurriculumBuilder, Standard, StandardIdx, StandardKey, StandardSet,
};
pub use error::{Error, Location, Result};
pub use evidence::{Evidence, Outcome, Score, Source, Target};
pub use learner::{LearnerState, MasteryChange, PracticeRecord, UpdateReport};
pub use model::{
    BktParams, ChangeCause, Decay, GuessSlip, LevelThresholds, MasteryLevel, Model, ModelBuilder,
    Propagation,
};

/// The README's code blocks, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

#[cfg(test)]
mod tests {
    /// Data types are shared across threads (a curriculum behind an `Arc` in a web service).
    #[test]
    fn public_types_are_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<crate::Curriculum>();
        assert_send_sync::<crate::Standard>();
        assert_send_sync::<crate::StandardSet>();
        assert_send_sync::<crate::Error>();
    }
}
