//! The mastery map: standards laid out in layers along their prerequisites,
//! coloured by status.

use std::fmt::Write as _;

use super::*;

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

/// Where each standard of a mastery map goes: its layer (= depth, the
/// column) and the top of its box relative to the graph's top, in whole
/// pixels, so that boxes in one layer are at least one box height plus a gap
/// apart.
pub(super) struct MapLayout {
    pub(super) layer: Vec<usize>,
    pub(super) y: Vec<f64>,
    pub(super) layers: usize,
    /// From the top of the highest box to the bottom of the lowest (0 if empty).
    pub(super) height: f64,
}

impl MapLayout {
    pub(super) fn new(curriculum: &Curriculum) -> Result<Self> {
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
pub(super) fn sweep(
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
pub(super) fn place(desired: impl Iterator<Item = f64>, pitch: f64) -> Vec<f64> {
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
