//! The heat map: learners by standards, mastery as colour.

use std::fmt::Write as _;

use super::*;

/// A learners × standards grid of mastery as SVG: one cell per value of
/// `values` (rows = learners, columns = standards), filled from red (0)
/// through yellow (0.5) to green (1) as in [`to_dot`](crate::export::to_dot), row
/// labels on the left, column labels at the top rotated by -45 degrees, a
/// color scale with 0%, 25%, ..., 100% below the grid and `title` at the top
/// (none if empty). Hovering over a cell shows "learner, standard: 87%".
///
/// Labels wider than 200 px (rows) or 160 px (columns) are cut with an
/// ellipsis; the tooltips keep them whole. O(rows × columns).
///
/// Values are `f32`, the element type of the crate's matrices (a cohort's
/// mastery matrix, `Cohort::mastery`, goes in as it is).
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
    values: ArrayView2<'_, f32>,
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
    for ((i, j), &v) in values.indexed_iter() {
        let v = f64::from(v);
        if !(0.0..=1.0).contains(&v) {
            return Err(Error::InvalidValue {
                what: format!(
                    "heatmap value of `{}` for `{}`",
                    row_labels[i], column_labels[j]
                ),
                expected: "a number in [0, 1]",
                value: v,
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
        let v = f64::from(v);
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
