//! Self-drawn SVG pictures: [`mastery_map_svg`] and [`heatmap_svg`].
//!
//! Both write a complete SVG 1.1 document (only `svg`, `g`, `rect`, `path`,
//! `text`, `title` and `defs`/`linearGradient` elements) with the layout
//! computed here, so no external program is needed at run time. Text sizes
//! are estimated from character counts with a generous width per character
//! (0.62 em, 1 em for East Asian wide characters), so labels fit their boxes
//! in common sans-serif fonts. All text is XML-escaped; characters that XML
//! does not allow (most control characters) become U+FFFD.

use std::fmt;

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use super::dot::color;
use crate::curriculum::{Curriculum, StandardSet};
use crate::error::{Error, Result};

mod heatmap;
mod map;
#[cfg(test)]
mod tests;
mod text;

pub use heatmap::heatmap_svg;
pub use map::mastery_map_svg;
use text::*;

pub use crate::learner::ALMOST_BELOW_BAR;

/// Where a learner stands on a standard, as a [`mastery_map_svg`] shows it.
///
/// Serializes as `"mastered"`, `"almost"`, `"ready"` or `"not_yet"`.
///
/// ```
/// use mastery::export::MapStatus;
///
/// assert_eq!(MapStatus::Ready.label(), "ready to learn");
/// assert_eq!(MapStatus::NotYet.to_string(), "not yet");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MapStatus {
    /// The standard is mastered.
    Mastered,
    /// Not mastered, but the estimate is within [`ALMOST_BELOW_BAR`] of the
    /// mastery bar (90% or more with the default bar of 95%): a little more
    /// practice should get it there.
    Almost,
    /// Not mastered, but all its prerequisites are: ready to learn next.
    Ready,
    /// Not mastered, and some prerequisite is not mastered either.
    NotYet,
}

impl MapStatus {
    /// The statuses in legend order.
    const ALL: [MapStatus; 4] = [
        MapStatus::Mastered,
        MapStatus::Almost,
        MapStatus::Ready,
        MapStatus::NotYet,
    ];

    /// A plain label for legends: "mastered", "almost there", "ready to
    /// learn" or "not yet".
    ///
    /// ```
    /// assert_eq!(mastery::export::MapStatus::Mastered.label(), "mastered");
    /// ```
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            MapStatus::Mastered => "mastered",
            MapStatus::Almost => "almost there",
            MapStatus::Ready => "ready to learn",
            MapStatus::NotYet => "not yet",
        }
    }

    /// One status per standard of `curriculum`, in index order, from the set
    /// of mastered standards: [`Mastered`](MapStatus::Mastered) for those in
    /// the set, [`Ready`](MapStatus::Ready) for the standards
    /// [`Curriculum::ready_to_learn`] returns, [`NotYet`](MapStatus::NotYet)
    /// for the rest. O(V + E).
    ///
    /// ```
    /// use mastery::{export::MapStatus, Curriculum};
    ///
    /// let c = Curriculum::builder()
    ///     .standard_ids(["A", "B", "C"])?
    ///     .prerequisite("A", "B")
    ///     .prerequisite("B", "C")
    ///     .build()?;
    /// let status = MapStatus::from_mastered(&c, &c.set_of(["A"])?)?;
    /// assert_eq!(status, [MapStatus::Mastered, MapStatus::Ready, MapStatus::NotYet]);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] if the set holds an index from a larger
    /// curriculum.
    pub fn from_mastered(curriculum: &Curriculum, mastered: &StandardSet) -> Result<Vec<Self>> {
        let ready = curriculum.ready_to_learn(mastered)?;
        Ok(curriculum
            .indices()
            .map(|v| {
                if mastered.contains(v) {
                    MapStatus::Mastered
                } else if ready.contains(v) {
                    MapStatus::Ready
                } else {
                    MapStatus::NotYet
                }
            })
            .collect())
    }

    /// One status per standard of `curriculum`, in index order, from the
    /// learner's estimates (one per standard) and the mastery bar:
    /// [`Mastered`](MapStatus::Mastered) at or above `bar`,
    /// [`Almost`](MapStatus::Almost) within [`ALMOST_BELOW_BAR`] below it,
    /// otherwise [`Ready`](MapStatus::Ready) or [`NotYet`](MapStatus::NotYet)
    /// as in [`from_mastered`](MapStatus::from_mastered). O(V + E).
    ///
    /// ```
    /// use mastery::{export::MapStatus, Curriculum};
    ///
    /// let c = Curriculum::builder()
    ///     .standard_ids(["A", "B", "C"])?
    ///     .prerequisite("A", "B")
    ///     .prerequisite("B", "C")
    ///     .build()?;
    /// let status = MapStatus::from_estimates(&c, &[0.97, 0.93, 0.2], 0.95)?;
    /// assert_eq!(status, [MapStatus::Mastered, MapStatus::Almost, MapStatus::NotYet]);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::SizeMismatch`] if `mastery` does not have one entry per
    /// standard; [`Error::InvalidValue`] if `bar` is not in (0, 1].
    pub fn from_estimates(curriculum: &Curriculum, mastery: &[f64], bar: f64) -> Result<Vec<Self>> {
        if mastery.len() != curriculum.len() {
            return Err(Error::SizeMismatch {
                what: "mastery estimates for the map (one per standard)",
                expected: curriculum.len(),
                found: mastery.len(),
            });
        }
        if !(bar > 0.0 && bar <= 1.0) {
            return Err(Error::InvalidValue {
                what: "mastery bar of the map".into(),
                expected: "in (0, 1]",
                value: bar,
            });
        }
        let mastered: StandardSet = curriculum
            .indices()
            .filter(|s| mastery[s.index()] >= bar)
            .collect();
        let mut status = Self::from_mastered(curriculum, &mastered)?;
        for (st, &m) in status.iter_mut().zip(mastery) {
            if *st != MapStatus::Mastered && m >= bar - ALMOST_BELOW_BAR {
                *st = MapStatus::Almost;
            }
        }
        Ok(status)
    }

    /// Box fill color.
    fn fill(self) -> &'static str {
        match self {
            MapStatus::Mastered => "#91cf60",
            MapStatus::Almost => "#d9ef8b",
            MapStatus::Ready => "#fed976",
            MapStatus::NotYet => "#f3d3d0",
        }
    }

    /// Box outline color, a darker shade of the fill.
    fn stroke(self) -> &'static str {
        match self {
            MapStatus::Mastered => "#1a9850",
            MapStatus::Almost => "#66bd63",
            MapStatus::Ready => "#d9a21b",
            MapStatus::NotYet => "#c4928d",
        }
    }
}

impl fmt::Display for MapStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

const FONT_FAMILY: &str = "Helvetica, Arial, sans-serif";
/// Space around the whole picture.
const MARGIN: f64 = 20.0;
const TITLE_FONT: f64 = 18.0;
/// From the top of the title's line box to the next element.
const TITLE_BLOCK: f64 = 32.0;
const LEGEND_FONT: f64 = 12.0;
const SWATCH: f64 = 14.0;

// Mastery map.
const ID_FONT: f64 = 12.0;
const PERCENT_FONT: f64 = 11.0;
const NODE_H: f64 = 40.0;
const NODE_PAD: f64 = 8.0;
const NODE_MIN_W: f64 = 64.0;
/// Longer ids are cut with an ellipsis (the tooltip has the whole id).
const ID_MAX_TEXT_W: f64 = 200.0;
const NODE_V_GAP: f64 = 12.0;
const LAYER_GAP: f64 = 56.0;
/// Alternating up and down sweeps after the first down sweep.
const SWEEPS: usize = 3;
const EDGE_COLOR: &str = "#8f8f8f";
const ARROW_LEN: f64 = 7.0;

// Heatmap.
const LABEL_FONT: f64 = 11.0;
const CELL_W: f64 = 22.0;
const CELL_H: f64 = 18.0;
const ROW_LABEL_MAX_W: f64 = 200.0;
const COLUMN_LABEL_MAX_W: f64 = 160.0;
/// Column labels are rotated by -45 degrees; sin 45° = cos 45°.
const DIAGONAL: f64 = std::f64::consts::FRAC_1_SQRT_2;
const GRADIENT_W: f64 = 200.0;
const GRADIENT_H: f64 = 12.0;
const TICK_FONT: f64 = 10.0;
const GRADIENT_ID: &str = "mastery-scale";
