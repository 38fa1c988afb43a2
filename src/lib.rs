//! # mastery: adaptive learning paths over a graph of standards
//!
//! `mastery` models learning standards (such as the Common Core math
//! standards) as a prerequisite graph, keeps a mastery estimate per learner
//! and standard that every piece of evidence updates, and tells what each
//! learner is ready to learn next, and why.
//!
//! ```
//! use mastery::{Curriculum, Evidence, LearnerState, Model, Outcome};
//!
//! // The embedded default: 480 Common Core math standards, 757 prerequisites.
//! let ccss = Curriculum::ccss_math();
//!
//! // Bayesian Knowledge Tracing per standard, with forgetting over time and
//! // evidence flowing along prerequisites (default parameters here; fit
//! // your own from response logs).
//! let model = Model::builder(ccss.clone()).build()?;
//! let mut ada = LearnerState::new(&model, "ada")?;
//! let now = 1_700_000_000; // seconds since the Unix epoch
//! for (i, correct) in [true, true, false, true, true, true].into_iter().enumerate() {
//!     let answer = Evidence::on_standard("ada", "K.CC.B.4.a", Outcome::from_correct(correct), now + 60 * i as i64)?;
//!     let report = ada.apply(&model, &answer)?;
//!     println!("{}", report.explain(&ccss)); // "Your correct answer on K.CC.B.4.a raised your mastery from 20% to 60%. ..."
//! }
//! let later = now + 3_600;
//! assert!(ada.mastery_at(&model, "K.CC.B.4.a", later)? > 0.9);
//!
//! // What is this learner ready to learn? The standards whose prerequisites
//! // are all mastered (Knowledge Space Theory's outer fringe).
//! let mastered = ada.mastered_at(&model, later)?;
//! let ready = ccss.ready_to_learn(&mastered)?;
//! assert!(ready.contains(ccss.index_of("K.CC.B.4.b")?));
//!
//! // Everything needed before comparing fractions in grade 4, in a valid order.
//! let goal = ccss.set_of(["4.NF.A.2"])?;
//! let path = ccss.induced(&ccss.prerequisite_closure(&goal)?)?;
//! let order: Vec<&str> = path.topological_order().iter().map(|&i| path[i].id()).collect();
//! assert_eq!(order.last(), Some(&"4.NF.A.2"));
//! # Ok::<(), mastery::Error>(())
//! ```
//!
//! ## Layout
//!
//! Dependencies point one way: a module uses only the modules listed above
//! it, and every module may use [`error`], the crate's one [`Error`] type
//! (listed last: its variants carry the types they report). A test
//! (`tests/layout.rs`) reads this list and checks every `crate::` path in
//! `src/` against it.
//!
//! - `io`, `stats` (private): bounded line reading, shared numerics;
//! - [`time`]: timestamps and their valid range;
//! - [`curriculum`]: [`Standard`], [`Curriculum`] and its builder, graph
//!   queries, CSV and JSON loading, IMS CASE packages ([`curriculum::case`]),
//!   crosswalks between frameworks, the embedded Common Core default;
//! - [`catalog`]: [`Activity`] and [`Catalog`], activities aligned to standards;
//! - [`evidence`]: [`Evidence`] and [`Outcome`]; response logs in pyBKT's columns
//!   (read, and written from [`evidence::ResponseRow`]s); xAPI statements
//!   ([`evidence::xapi`]);
//! - [`model`]: [`BktParams`], [`Decay`], [`Propagation`] and the [`Model`]
//!   that turns evidence into mastery (the science is in its docs);
//! - [`learner`]: [`LearnerState`], one learner's estimates, levels and
//!   explanations, and the learner's profile (preferences, goals, choices,
//!   self-assessments); replaying a log as pyBKT's `predict` does;
//! - [`fit`]: fitting parameters from response logs (EM), batch prediction
//!   (of a loaded dataset, or streamed from CSV to CSV for a log in time
//!   order), what works (a learn rate per activity), metrics,
//!   cross-validation; a performance model beside BKT (logistic knowledge
//!   tracing, [`fit::performance`]); the 3-line knowledge-tracing format;
//! - [`recommend`]: the next activities with reasons, choices among
//!   options, wheel-spinning flags, learning paths and goal plans, early
//!   warnings;
//! - `xml` (private): escaping text for SVG, HTML and XML;
//! - [`cohort`]: many learners: groupings by need or by profile, class
//!   reports with tiers of support, progress reports for learners and families;
//! - [`sim`]: simulated learners (settings checked before use, as
//!   [`fit::FitConfig`] is), policy evaluation, calibration of early
//!   warnings, pilot fits of simulated responses;
//! - [`store`]: learner states kept with a version and an evidence journal
//!   (evidence applied exactly once, refits by replay), in memory or in an
//!   embedded database file;
//! - [`export`]: pictures: SVG mastery maps and class heatmaps drawn by the
//!   crate, and Graphviz DOT;
//! - [`error`]: the crate's one [`Error`] type.
//!
//! ## Cargo features
//!
//! All on by default. An app that only tracks mastery and recommends
//! (curriculum, catalog, evidence, model, learner states, recommendations,
//! time helper) needs none of them: `mastery = { version = "0.1",
//! default-features = false }` leaves out rayon and ndarray and the code below.
//!
//! | feature | module | pulls in |
//! |---|---|---|
//! | `fit` | [`fit`]: EM fitting, metrics, cross-validation | rayon |
//! | `cohort` | [`cohort`]: groupings, class and progress reports | rayon, ndarray |
//! | `sim` | [`sim`]: simulated learners, policy evaluation | `fit` |
//! | `export` | [`export`]: DOT and SVG pictures | ndarray |
//! | `store` | `store::DiskStore`: learners in a database file | redb |
//!
//! ## Data license
//!
//! The embedded Common Core graph is Achieve the Core's Coherence Map (CC0);
//! the standards text is © 2010 NGA Center and CCSSO, used under their public
//! license. See [`curriculum::ccss`].

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod catalog;
#[cfg(feature = "cohort")]
pub mod cohort;
pub mod curriculum;
pub mod error;
pub mod evidence;
#[cfg(feature = "export")]
pub mod export;
#[cfg(feature = "fit")]
pub mod fit;
mod io;
pub mod learner;
pub mod model;
pub mod recommend;
#[cfg(feature = "sim")]
pub mod sim;
mod stats;
pub mod store;
pub mod time;
#[cfg(any(feature = "cohort", feature = "export"))]
mod xml;

pub use catalog::{Activity, ActivityIdx, ActivityKind, Catalog};
pub use curriculum::{
    CsvLoader, Curriculum, CurriculumBuilder, MAX_ID_BYTES, MAX_PREREQUISITES, MAX_STANDARDS,
    Standard, StandardIdx, StandardKey, StandardSet,
};
pub use error::{Error, Location, Result};
pub use evidence::{Evidence, Outcome, Score, Source, Target};
pub use io::{MAX_INPUT_BYTES, MAX_LINE_BYTES};
pub use learner::{LearnerState, MasteryChange, PracticeRecord, UpdateReport};
pub use model::{
    Ability, AbilityParams, BktParams, ChangeCause, Decay, GuessSlip, LevelThresholds,
    MasteryLevel, Model, ModelBuilder, Propagation,
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
        assert_send_sync::<crate::Model>();
        assert_send_sync::<crate::LearnerState>();
        assert_send_sync::<crate::Catalog>();
        assert_send_sync::<crate::Evidence>();
        assert_send_sync::<crate::curriculum::case::CaseFramework>();
        assert_send_sync::<crate::curriculum::Crosswalk>();
        assert_send_sync::<crate::evidence::xapi::Alignment>();
        assert_send_sync::<crate::evidence::xapi::XapiBatch>();
        assert_send_sync::<crate::evidence::xapi::XapiReader<'static>>();
        assert_send_sync::<crate::store::MemoryStore>();
        #[cfg(feature = "store")]
        assert_send_sync::<crate::store::DiskStore>();
    }
}
