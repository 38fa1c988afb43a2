//! Self-drawn SVG pictures: [`mastery_map_svg`] and [`heatmap_svg`].
//!
//! Both write a complete SVG 1.1 document (only `svg`, `g`, `rect`, `path`,
//! `text`, `title` and `defs`/`linearGradient` elements) with the layout
//! computed here, so no external program is needed at run time. Text sizes
//! are estimated from character counts with a generous width per character
//! (0.62 em, 1 em for East Asian wide characters), so labels fit their boxes
//! in common sans-serif fonts. All text is XML-escaped; characters that XML
//! does not allow (most control characters) become U+FFFD.

use std::fmt::{self, Write as _};

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use super::dot::color;
use crate::curriculum::{Curriculum, StandardSet};
use crate::error::{Error, Result};

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

/// The prerequisite graph of `curriculum` as an SVG mastery map: one rounded
/// box per standard, filled by its `status` and labeled with its id and its
/// `mastery` as a percentage, laid out left to right by
/// [`depth`](Curriculum::depth) (the longest prerequisite chain ending at the
/// standard), with curved arrows from each prerequisite to its dependents, a
/// legend of the statuses and `title` at the top (none if empty). Hovering
/// over a box shows the standard's description.
///
/// Within a column, standards are ordered and placed near the mean height of
/// their prerequisites (then of their dependents, in a few alternating
/// sweeps), which removes many edge crossings; boxes never overlap. Box width
/// follows the longest id; ids wider than 200 px are cut with an ellipsis.
/// O(V log V + E) per sweep.
///
/// ```
/// use mastery::{export::{self, MapStatus}, Curriculum};
///
/// let c = Curriculum::builder()
///     .standard_ids(["A", "B"])?
///     .prerequisite("A", "B")
///     .build()?;
/// let status = MapStatus::from_mastered(&c, &c.set_of(["A"])?)?;
/// let svg = export::mastery_map_svg(&c, &[0.95, 0.4], &status, "Ada's map")?;
/// assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
/// assert!(svg.contains("Ada&apos;s map"));
/// assert!(svg.contains(">95%<"));
///
/// let wrong = export::mastery_map_svg(&c, &[0.95], &status, "");
/// assert!(matches!(wrong, Err(mastery::Error::SizeMismatch { .. })));
/// # Ok::<(), mastery::Error>(())
/// ```
///
/// # Errors
/// [`Error::SizeMismatch`] if `mastery` or `status` does not have one entry
/// per standard; [`Error::InvalidValue`] for a mastery that is not a number
/// in [0, 1] (the error names the standard).
pub fn mastery_map_svg(
    curriculum: &Curriculum,
    mastery: &[f64],
    status: &[MapStatus],
    title: &str,
) -> Result<String> {
    let n = curriculum.len();
    if mastery.len() != n {
        return Err(Error::SizeMismatch {
            what: "mastery map values (one per standard)",
            expected: n,
            found: mastery.len(),
        });
    }
    if status.len() != n {
        return Err(Error::SizeMismatch {
            what: "mastery map statuses (one per standard)",
            expected: n,
            found: status.len(),
        });
    }
    for (v, s) in mastery.iter().zip(curriculum.standards()) {
        if !(0.0..=1.0).contains(v) {
            return Err(Error::InvalidValue {
                what: format!("mastery of `{}`", s.id()),
                expected: "a number in [0, 1]",
                value: *v,
            });
        }
    }

    let layout = MapLayout::new(curriculum)?;
    let labels: Vec<String> = curriculum
        .standards()
        .iter()
        .map(|s| fit_text(s.id(), ID_MAX_TEXT_W, ID_FONT))
        .collect();
    let widest = labels
        .iter()
        .map(|l| text_width(l, ID_FONT))
        .chain([text_width("100%", PERCENT_FONT)])
        .fold(0.0, f64::max);
    let node_w = (widest + 2.0 * NODE_PAD).max(NODE_MIN_W).ceil();

    // Vertical bands: title, legend, graph.
    let mut top = MARGIN;
    let title_y = top;
    if !title.is_empty() {
        top += TITLE_BLOCK;
    }
    let legend_y = top;
    let legend_w = status_legend_width();
    top += SWATCH + 18.0;
    let graph_top = top.ceil();

    let graph_w = if layout.layers == 0 {
        0.0
    } else {
        layout.layers as f64 * node_w + (layout.layers - 1) as f64 * LAYER_GAP
    };
    let width = (2.0 * MARGIN
        + graph_w
            .max(legend_w)
            .max(title_width(title))
            .max(NODE_MIN_W))
    .ceil();
    let height = (graph_top + layout.height + MARGIN).ceil();
    let x_of = |v: usize| MARGIN + layout.layer[v] as f64 * (node_w + LAYER_GAP);
    let y_of = |v: usize| graph_top + layout.y[v];

    let mut out = String::new();
    open_svg(&mut out, width, height, title);
    write_title(&mut out, title, title_y);
    write_status_legend(&mut out, legend_y);

    // Edges first, so that the boxes hide them.
    let mut arrows = String::new();
    let _ = writeln!(
        out,
        "<g class=\"edges\" fill=\"none\" stroke=\"{EDGE_COLOR}\" stroke-width=\"1.2\">"
    );
    for (from, to) in curriculum.prerequisite_edges() {
        let (x1, y1) = (
            x_of(from.index()) + node_w,
            y_of(from.index()) + NODE_H / 2.0,
        );
        let (x2, y2) = (x_of(to.index()), y_of(to.index()) + NODE_H / 2.0);
        let end = x2 - ARROW_LEN + 1.0;
        let bend = ((end - x1) / 2.0).min(LAYER_GAP);
        let _ = writeln!(
            out,
            "<path d=\"M{} {} C{} {} {} {} {} {}\"/>",
            Px(x1),
            Px(y1),
            Px(x1 + bend),
            Px(y1),
            Px(end - bend),
            Px(y2),
            Px(end),
            Px(y2)
        );
        let _ = writeln!(
            arrows,
            "<path d=\"M{} {} L{} {} L{} {} Z\"/>",
            Px(x2),
            Px(y2),
            Px(x2 - ARROW_LEN),
            Px(y2 - ARROW_LEN / 2.0),
            Px(x2 - ARROW_LEN),
            Px(y2 + ARROW_LEN / 2.0)
        );
    }
    out.push_str("</g>\n");
    let _ = write!(
        out,
        "<g class=\"arrowheads\" fill=\"{EDGE_COLOR}\">\n{arrows}</g>\n"
    );

    out.push_str("<g class=\"nodes\">\n");
    for v in curriculum.indices() {
        let i = v.index();
        let s = &curriculum[v];
        let (x, y) = (x_of(i), y_of(i));
        let percent = format!("{:.0}%", mastery[i] * 100.0);
        let mut tooltip = s.id().to_owned();
        if let Some(text) = s.description().or(s.title()) {
            tooltip.push_str(": ");
            tooltip.push_str(text);
        }
        let _ = write!(
            out,
            "<g class=\"node\"><title>{}\n{percent}, {}</title>",
            xml(&tooltip),
            status[i].label()
        );
        let _ = write!(
            out,
            "<rect class=\"node\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\" ry=\"6\" fill=\"{}\" stroke=\"{}\" stroke-width=\"1.2\"/>",
            Px(x),
            Px(y),
            Px(node_w),
            Px(NODE_H),
            status[i].fill(),
            status[i].stroke()
        );
        let cx = x + node_w / 2.0;
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"middle\" fill=\"#1a1a1a\">{}</text><text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"middle\" fill=\"#333333\">{percent}</text></g>",
            Px(cx),
            Px(y + 17.0),
            Px(ID_FONT),
            xml(&labels[i]),
            Px(cx),
            Px(y + 32.0),
            Px(PERCENT_FONT)
        );
    }
    out.push_str("</g>\n</svg>\n");
    Ok(out)
}

/// A learners × standards grid of mastery as SVG: one cell per value of
/// `values` (rows = learners, columns = standards), filled from red (0)
/// through yellow (0.5) to green (1) as in [`to_dot`](super::to_dot), row
/// labels on the left, column labels at the top rotated by -45 degrees, a
/// color scale with 0%, 25%, ..., 100% below the grid and `title` at the top
/// (none if empty). Hovering over a cell shows "learner, standard: 87%".
///
/// Labels wider than 200 px (rows) or 160 px (columns) are cut with an
/// ellipsis; the tooltips keep them whole. O(rows × columns).
///
/// ```
/// use mastery::export;
/// use ndarray::array;
///
/// let learners = vec!["ada".to_string(), "bo".to_string()];
/// let standards = vec!["3.NF.A.1".to_string(), "4.NF.A.1".to_string()];
/// let values = array![[0.9, 0.4], [0.2, 0.0]];
/// let svg = export::heatmap_svg(&learners, &standards, values.view(), "Class 4B")?;
/// assert!(svg.contains("<title>ada, 4.NF.A.1: 40%</title>"));
/// assert!(svg.contains("fill=\"#d73027\"")); // bo on 4.NF.A.1: 0%, red
///
/// let wrong = export::heatmap_svg(&learners[..1], &standards, values.view(), "");
/// assert!(matches!(wrong, Err(mastery::Error::SizeMismatch { .. })));
/// # Ok::<(), mastery::Error>(())
/// ```
///
/// # Errors
/// [`Error::SizeMismatch`] if `row_labels` does not have one entry per row
/// of `values` or `column_labels` one per column; [`Error::InvalidValue`] for
/// a value that is not a number in [0, 1] (the error names its row and
/// column).
pub fn heatmap_svg(
    row_labels: &[String],
    column_labels: &[String],
    values: ArrayView2<'_, f64>,
    title: &str,
) -> Result<String> {
    let (rows, columns) = values.dim();
    if row_labels.len() != rows {
        return Err(Error::SizeMismatch {
            what: "heatmap row labels (one per row of values)",
            expected: rows,
            found: row_labels.len(),
        });
    }
    if column_labels.len() != columns {
        return Err(Error::SizeMismatch {
            what: "heatmap column labels (one per column of values)",
            expected: columns,
            found: column_labels.len(),
        });
    }
    for ((i, j), v) in values.indexed_iter() {
        if !(0.0..=1.0).contains(v) {
            return Err(Error::InvalidValue {
                what: format!(
                    "heatmap value of `{}` for `{}`",
                    row_labels[i], column_labels[j]
                ),
                expected: "a number in [0, 1]",
                value: *v,
            });
        }
    }

    let rows_text: Vec<String> = row_labels
        .iter()
        .map(|l| fit_text(l, ROW_LABEL_MAX_W, LABEL_FONT))
        .collect();
    let columns_text: Vec<String> = column_labels
        .iter()
        .map(|l| fit_text(l, COLUMN_LABEL_MAX_W, LABEL_FONT))
        .collect();
    let row_label_w = rows_text
        .iter()
        .map(|l| text_width(l, LABEL_FONT))
        .fold(0.0, f64::max);
    let column_label_w = columns_text
        .iter()
        .map(|l| text_width(l, LABEL_FONT))
        .fold(0.0, f64::max);

    // Rotated column labels run up and to the right of their anchors; their
    // glyphs stand up to ~0.8 em above the baseline and ~0.25 em below it.
    let title_y = MARGIN;
    let header = if title.is_empty() {
        MARGIN
    } else {
        MARGIN + TITLE_BLOCK
    };
    let grid_left = (MARGIN + row_label_w + 8.0).ceil();
    let grid_top = if columns == 0 {
        header
    } else {
        (header + DIAGONAL * (column_label_w + 0.8 * LABEL_FONT) + 6.0).ceil()
    };
    let grid_w = columns as f64 * CELL_W;
    let grid_h = rows as f64 * CELL_H;
    // Anchor offset that centers a label's glyphs over its column.
    let anchor_dx = 0.35 * LABEL_FONT;
    let anchor_y = grid_top - 4.0;
    let labels_right = if columns == 0 {
        0.0
    } else {
        let last_anchor = grid_left + grid_w - CELL_W / 2.0 + anchor_dx;
        last_anchor + DIAGONAL * (column_label_w + 0.25 * LABEL_FONT)
    };
    let legend_top = grid_top + grid_h + 16.0;
    let legend_label = "Mastery";
    let legend_label_w = text_width(legend_label, LABEL_FONT);
    let bar_left = grid_left.max(MARGIN + legend_label_w + 8.0);
    let legend_right = bar_left + GRADIENT_W + text_width("100%", TICK_FONT) / 2.0;
    let width = (MARGIN
        + (grid_left + grid_w)
            .max(labels_right)
            .max(legend_right)
            .max(MARGIN + title_width(title)))
    .ceil();
    let height = (legend_top + GRADIENT_H + 4.0 + TICK_FONT + 4.0 + MARGIN).ceil();

    let mut out = String::new();
    open_svg(&mut out, width, height, title);
    let _ = writeln!(
        out,
        "<defs><linearGradient id=\"{GRADIENT_ID}\" x1=\"0\" y1=\"0\" x2=\"1\" y2=\"0\"><stop offset=\"0\" stop-color=\"{}\"/><stop offset=\"0.5\" stop-color=\"{}\"/><stop offset=\"1\" stop-color=\"{}\"/></linearGradient></defs>",
        color(0.0),
        color(0.5),
        color(1.0)
    );
    write_title(&mut out, title, title_y);

    out.push_str("<g class=\"row-labels\" fill=\"#1a1a1a\">\n");
    for (i, label) in rows_text.iter().enumerate() {
        let _ = writeln!(
            out,
            "<text class=\"row-label\" x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"end\">{}</text>",
            Px(grid_left - 6.0),
            Px(grid_top + (i as f64 + 0.5) * CELL_H + 0.35 * LABEL_FONT),
            Px(LABEL_FONT),
            xml(label)
        );
    }
    out.push_str("</g>\n<g class=\"column-labels\" fill=\"#1a1a1a\">\n");
    for (j, label) in columns_text.iter().enumerate() {
        let x = grid_left + (j as f64 + 0.5) * CELL_W + anchor_dx;
        let _ = writeln!(
            out,
            "<text class=\"column-label\" x=\"{x}\" y=\"{y}\" font-size=\"{}\" transform=\"rotate(-45 {x} {y})\">{}</text>",
            Px(LABEL_FONT),
            xml(label),
            x = Px(x),
            y = Px(anchor_y)
        );
    }
    out.push_str("</g>\n<g class=\"cells\" stroke=\"#ffffff\" stroke-width=\"1\">\n");
    for ((i, j), &v) in values.indexed_iter() {
        let _ = writeln!(
            out,
            "<rect class=\"cell\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}, {}: {:.0}%</title></rect>",
            Px(grid_left + j as f64 * CELL_W),
            Px(grid_top + i as f64 * CELL_H),
            Px(CELL_W),
            Px(CELL_H),
            color(v),
            xml(&row_labels[i]),
            xml(&column_labels[j]),
            v * 100.0
        );
    }
    out.push_str("</g>\n");

    // The color scale: a gradient bar with ticks at 0%, 25%, ..., 100%.
    let _ = writeln!(
        out,
        "<g class=\"legend\"><text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"end\" fill=\"#1a1a1a\">{legend_label}</text>",
        Px(bar_left - 6.0),
        Px(legend_top + GRADIENT_H / 2.0 + 0.35 * LABEL_FONT),
        Px(LABEL_FONT)
    );
    let _ = writeln!(
        out,
        "<rect class=\"scale\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"url(#{GRADIENT_ID})\" stroke=\"#666666\" stroke-width=\"0.5\"/>",
        Px(bar_left),
        Px(legend_top),
        Px(GRADIENT_W),
        Px(GRADIENT_H)
    );
    for k in 0..=4 {
        let x = bar_left + GRADIENT_W * k as f64 / 4.0;
        let _ = writeln!(
            out,
            "<path d=\"M{x} {} V{}\" stroke=\"#666666\" stroke-width=\"1\"/><text x=\"{x}\" y=\"{}\" font-size=\"{}\" text-anchor=\"middle\" fill=\"#1a1a1a\">{}%</text>",
            Px(legend_top + GRADIENT_H),
            Px(legend_top + GRADIENT_H + 3.0),
            Px(legend_top + GRADIENT_H + 4.0 + TICK_FONT),
            Px(TICK_FONT),
            k * 25,
            x = Px(x)
        );
    }
    out.push_str("</g>\n</svg>\n");
    Ok(out)
}

/// Where each standard of a mastery map goes: its layer (= depth, the
/// column) and the top of its box relative to the graph's top, in whole
/// pixels, so that boxes in one layer are at least one box height plus a gap
/// apart.
struct MapLayout {
    layer: Vec<usize>,
    y: Vec<f64>,
    layers: usize,
    /// From the top of the highest box to the bottom of the lowest (0 if empty).
    height: f64,
}

impl MapLayout {
    fn new(curriculum: &Curriculum) -> Result<Self> {
        let n = curriculum.len();
        let mut layer = Vec::with_capacity(n);
        let mut prerequisites: Vec<Vec<usize>> = Vec::with_capacity(n);
        for v in curriculum.indices() {
            layer.push(curriculum.depth(v)?);
            prerequisites.push(
                curriculum
                    .prerequisites(v)?
                    .iter()
                    .map(|p| p.index())
                    .collect(),
            );
        }
        let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (v, pre) in prerequisites.iter().enumerate() {
            for &p in pre {
                dependents[p].push(v);
            }
        }
        let layers = layer.iter().map(|&d| d + 1).max().unwrap_or(0);
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); layers];
        for (v, &d) in layer.iter().enumerate() {
            members[d].push(v);
        }

        let pitch = NODE_H + NODE_V_GAP;
        let mut y = vec![0.0; n];
        if let Some(first) = members.first() {
            for (rank, &v) in first.iter().enumerate() {
                y[v] = rank as f64 * pitch;
            }
        }
        // Barycenter sweeps: every standard of depth d > 0 has a
        // prerequisite in a layer before d, so a down sweep places all.
        sweep(&mut members, &mut y, &prerequisites, 1..layers, pitch);
        for _ in 0..SWEEPS {
            sweep(
                &mut members,
                &mut y,
                &dependents,
                (0..layers.saturating_sub(1)).rev(),
                pitch,
            );
            sweep(&mut members, &mut y, &prerequisites, 1..layers, pitch);
        }

        // Whole pixels, at least `pitch` apart within a layer (exact in f64),
        // then shifted so that the highest box is at 0.
        for layer_members in &members {
            let mut previous: Option<f64> = None;
            for &v in layer_members {
                let mut at = y[v].round();
                if let Some(p) = previous {
                    at = at.max(p + pitch);
                }
                y[v] = at;
                previous = Some(at);
            }
        }
        let top = y.iter().copied().fold(f64::INFINITY, f64::min);
        let mut height = 0.0_f64;
        if top.is_finite() {
            for value in &mut y {
                *value -= top;
                height = height.max(*value + NODE_H);
            }
        }
        Ok(MapLayout {
            layer,
            y,
            layers,
            height,
        })
    }
}

/// One sweep over `layers`: in each, orders the standards by the mean height
/// of their `neighbors` (those without neighbors keep their height; ties keep
/// the previous order) and places them as close to those heights as possible
/// while at least `pitch` apart.
fn sweep(
    members: &mut [Vec<usize>],
    y: &mut [f64],
    neighbors: &[Vec<usize>],
    layers: impl Iterator<Item = usize>,
    pitch: f64,
) {
    for d in layers {
        let layer = &mut members[d];
        let desired: Vec<(usize, f64)> = layer
            .iter()
            .map(|&v| {
                let near = &neighbors[v];
                if near.is_empty() {
                    (v, y[v])
                } else {
                    (
                        v,
                        near.iter().map(|&u| y[u]).sum::<f64>() / near.len() as f64,
                    )
                }
            })
            .collect();
        let mut order = desired;
        order.sort_by(|a, b| a.1.total_cmp(&b.1)); // stable: ties keep the previous order
        let placed = place(order.iter().map(|&(_, d)| d), pitch);
        for ((v, _), at) in order.iter().zip(placed) {
            y[*v] = at;
        }
        layer.clear();
        layer.extend(order.iter().map(|&(v, _)| v));
    }
}

/// Positions closest (least squares) to `desired`, which is sorted, under the
/// constraint that consecutive positions are at least `pitch` apart: with
/// z_i = y_i - i·pitch the constraint is z nondecreasing, an isotonic
/// regression solved by pooling adjacent violators. O(n).
fn place(desired: impl Iterator<Item = f64>, pitch: f64) -> Vec<f64> {
    // Blocks of (sum, count) whose means increase.
    let mut blocks: Vec<(f64, usize)> = Vec::new();
    for (i, d) in desired.enumerate() {
        blocks.push((d - i as f64 * pitch, 1));
        while blocks.len() >= 2 {
            let (s2, c2) = blocks[blocks.len() - 1];
            let (s1, c1) = blocks[blocks.len() - 2];
            if s1 / c1 as f64 <= s2 / c2 as f64 {
                break;
            }
            blocks.pop();
            let last = blocks.len() - 1;
            blocks[last] = (s1 + s2, c1 + c2);
        }
    }
    let mut out = Vec::new();
    for (sum, count) in blocks {
        let mean = sum / count as f64;
        for _ in 0..count {
            let i = out.len();
            out.push(mean + i as f64 * pitch);
        }
    }
    out
}

/// Writes the `<svg>` start tag, the document's `<title>` and a white background.
fn open_svg(out: &mut String, width: f64, height: f64, title: &str) {
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"{FONT_FAMILY}\">",
        w = Px(width),
        h = Px(height)
    );
    if !title.is_empty() {
        let _ = writeln!(out, "<title>{}</title>", xml(title));
    }
    let _ = writeln!(
        out,
        "<rect class=\"background\" x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>",
        Px(width),
        Px(height)
    );
}

/// The picture's title, its line box starting at `top`; nothing if empty.
fn write_title(out: &mut String, title: &str, top: f64) {
    if !title.is_empty() {
        let _ = writeln!(
            out,
            "<text class=\"title\" x=\"{}\" y=\"{}\" font-size=\"{}\" font-weight=\"bold\" fill=\"#1a1a1a\">{}</text>",
            Px(MARGIN),
            Px(top + TITLE_FONT),
            Px(TITLE_FONT),
            xml(title)
        );
    }
}

/// The estimated width of the (bold) title.
fn title_width(title: &str) -> f64 {
    1.05 * text_width(title, TITLE_FONT)
}

/// The width of the legend of statuses.
fn status_legend_width() -> f64 {
    MapStatus::ALL
        .iter()
        .map(|s| SWATCH + 6.0 + text_width(s.label(), LEGEND_FONT))
        .sum::<f64>()
        + 20.0 * (MapStatus::ALL.len() - 1) as f64
}

/// One swatch and label per status, in a row whose top is `top`.
fn write_status_legend(out: &mut String, top: f64) {
    out.push_str("<g class=\"legend\">\n");
    let mut x = MARGIN;
    for s in MapStatus::ALL {
        let _ = writeln!(
            out,
            "<rect class=\"swatch\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\" ry=\"3\" fill=\"{}\" stroke=\"{}\"/><text x=\"{}\" y=\"{}\" font-size=\"{}\" fill=\"#1a1a1a\">{}</text>",
            Px(x),
            Px(top),
            Px(SWATCH),
            Px(SWATCH),
            s.fill(),
            s.stroke(),
            Px(x + SWATCH + 6.0),
            Px(top + SWATCH / 2.0 + 0.35 * LEGEND_FONT),
            Px(LEGEND_FONT),
            s.label()
        );
        x += SWATCH + 6.0 + text_width(s.label(), LEGEND_FONT) + 20.0;
    }
    out.push_str("</g>\n");
}

/// A coordinate or length, written with at most one decimal.
struct Px(f64);

impl fmt::Display for Px {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rounded = (self.0 * 10.0).round() / 10.0;
        if rounded == 0.0 {
            f.write_str("0") // not "-0"
        } else {
            write!(f, "{rounded}")
        }
    }
}

/// The estimated width of a character, in em: generous for Latin text in
/// sans-serif fonts, a full em for East Asian wide characters.
fn char_em(c: char) -> f64 {
    let wide = matches!(
        u32::from(c),
        0x1100..=0x115F
            | 0x2E80..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x1F300..=0x1FAFF
            | 0x20000..=0x3FFFD
    );
    if wide { 1.0 } else { 0.62 }
}

/// The estimated width of `text` at `font_size`.
fn text_width(text: &str, font_size: f64) -> f64 {
    text.chars().map(char_em).sum::<f64>() * font_size
}

/// `text`, cut and ended with an ellipsis if wider than `max_width`.
fn fit_text(text: &str, max_width: f64, font_size: f64) -> String {
    if text_width(text, font_size) <= max_width {
        return text.to_owned();
    }
    let budget = max_width - char_em('…') * font_size;
    let mut used = 0.0;
    let mut out = String::new();
    for c in text.chars() {
        used += char_em(c) * font_size;
        if used > budget {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

pub(crate) use crate::xml::escape as xml;

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn chain_and_fork() -> Curriculum {
        // A and B have no prerequisites; C needs B, D needs A. In index order
        // the edges A->D and B->C cross; ordering by prerequisites does not.
        Curriculum::builder()
            .standard_ids(["A", "B", "C", "D"])
            .unwrap()
            .prerequisite("B", "C")
            .prerequisite("A", "D")
            .build()
            .unwrap()
    }

    #[test]
    fn escapes_markup_and_drops_invalid_characters() {
        assert_eq!(
            xml("a & b <c> \"d\" 'e'"),
            "a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;"
        );
        assert_eq!(xml("bell\u{7}\u{FFFE}"), "bell\u{FFFD}\u{FFFD}");
        assert_eq!(xml("line\nbreak"), "line\nbreak");
    }

    #[test]
    fn numbers_have_at_most_one_decimal() {
        assert_eq!(Px(12.0).to_string(), "12");
        assert_eq!(Px(12.345).to_string(), "12.3");
        assert_eq!(Px(-0.01).to_string(), "0");
    }

    #[test]
    fn long_text_is_cut_with_an_ellipsis() {
        let long = "x".repeat(100);
        let cut = fit_text(&long, 100.0, 10.0);
        assert!(cut.ends_with('…'));
        assert!(text_width(&cut, 10.0) <= 100.0);
        assert_eq!(fit_text("short", 100.0, 10.0), "short");
    }

    #[test]
    fn placement_keeps_order_and_spacing() {
        let y = place([0.0, 0.0, 0.0, 100.0].into_iter(), 10.0);
        assert_eq!(y, [-10.0, 0.0, 10.0, 100.0]);
        let y = place([5.0, 6.0, 7.0].into_iter(), 10.0);
        for pair in y.windows(2) {
            assert!(pair[1] - pair[0] >= 10.0 - 1e-9);
        }
        assert!((y.iter().sum::<f64>() - 18.0).abs() < 1e-9); // centered on the mean
        assert!(place(std::iter::empty(), 10.0).is_empty());
    }

    #[test]
    fn layout_orders_by_prerequisites() {
        let c = chain_and_fork();
        let layout = MapLayout::new(&c).unwrap();
        assert_eq!(layout.layer, [0, 0, 1, 1]);
        let idx = |id: &str| c.index_of(id).unwrap().index();
        // A above B, so D (after A) must be above C (after B): no crossing.
        assert!(layout.y[idx("A")] < layout.y[idx("B")]);
        assert!(layout.y[idx("D")] < layout.y[idx("C")]);
        assert_eq!(layout.height, 2.0 * NODE_H + NODE_V_GAP);
    }

    #[test]
    fn layout_is_deterministic() {
        let ccss = Curriculum::ccss_math();
        let a = MapLayout::new(&ccss).unwrap();
        let b = MapLayout::new(&ccss).unwrap();
        assert_eq!(a.y, b.y);
        assert_eq!(a.layers, ccss.longest_chain().len());
    }

    #[test]
    fn status_follows_the_fringe() {
        let c = chain_and_fork();
        let status = MapStatus::from_mastered(&c, &c.set_of(["A", "D"]).unwrap()).unwrap();
        use MapStatus::{Mastered, NotYet, Ready};
        assert_eq!(status, [Mastered, Ready, NotYet, Mastered]);
        let json = serde_json::to_string(&status).unwrap();
        assert_eq!(json, r#"["mastered","ready","not_yet","mastered"]"#);
    }

    #[test]
    fn invalid_mastery_names_the_standard() {
        let c = chain_and_fork();
        let status = vec![MapStatus::NotYet; 4];
        for bad in [f64::NAN, -0.1, 1.5, f64::INFINITY] {
            let err = mastery_map_svg(&c, &[0.0, 0.0, bad, 0.0], &status, "").unwrap_err();
            assert!(matches!(err, Error::InvalidValue { .. }), "{err}");
            assert!(err.to_string().contains("`C`"), "{err}");
        }
        let err = mastery_map_svg(&c, &[0.0; 4], &status[..3], "").unwrap_err();
        assert!(matches!(
            err,
            Error::SizeMismatch {
                expected: 4,
                found: 3,
                ..
            }
        ));
    }

    #[test]
    fn invalid_heatmap_value_names_row_and_column() {
        let rows = vec!["ada".to_owned(), "bo".to_owned()];
        let columns = vec!["X".to_owned()];
        let mut values = Array2::from_elem((2, 1), 0.5);
        values[[1, 0]] = f64::NAN;
        let err = heatmap_svg(&rows, &columns, values.view(), "").unwrap_err();
        assert!(matches!(err, Error::InvalidValue { .. }));
        let message = err.to_string();
        assert!(
            message.contains("`bo`") && message.contains("`X`"),
            "{message}"
        );
        let err = heatmap_svg(&rows, &[], values.view(), "").unwrap_err();
        assert!(matches!(
            err,
            Error::SizeMismatch {
                expected: 1,
                found: 0,
                ..
            }
        ));
    }

    #[test]
    fn gradient_matches_the_dot_scale() {
        let svg = heatmap_svg(&[], &[], Array2::zeros((0, 0)).view(), "").unwrap();
        for stop in ["#d73027", "#ffffbf", "#1a9850"] {
            assert!(svg.contains(&format!("stop-color=\"{stop}\"")));
        }
    }
}
