//! Pictures of a curriculum: Graphviz DOT and self-drawn SVG.
//!
//! [`to_dot`] writes the prerequisite graph in the DOT language; render it
//! with `dot -Tsvg curriculum.dot > curriculum.svg`. Given one value in
//! [0, 1] per standard (a learner's mastery, the share of a class that
//! mastered it), nodes are filled on a red-yellow-green scale: a mastery map.
//!
//! The SVG pictures need no external program; they are complete SVG 1.1
//! documents, ready to save as `.svg` or to inline in HTML:
//!
//! - [`mastery_map_svg`]: the prerequisite graph laid out left to right by
//!   depth, one box per standard colored by its [`MapStatus`] and labeled with
//!   the mastery, the standard's text as hover tooltip;
//! - [`heatmap_svg`]: a learners × standards grid of mastery on the same
//!   red-yellow-green scale as the DOT export, with a tooltip per cell.
//!
//! All output is deterministic: the same input gives the same bytes.

mod dot;
mod svg;

pub use dot::{DotOptions, to_dot};
pub use svg::{ALMOST_BELOW_BAR, MapStatus, heatmap_svg, mastery_map_svg};
