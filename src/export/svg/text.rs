//! SVG text: the document's opening, titles and legends, pixel values, and
//! text widths estimated from character classes.

use std::fmt::{self, Write as _};

use super::*;

/// Writes the `<svg>` start tag, the document's `<title>` and a white background.
pub(super) fn open_svg(out: &mut String, width: f64, height: f64, title: &str) {
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
pub(super) fn write_title(out: &mut String, title: &str, top: f64) {
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
pub(super) fn title_width(title: &str) -> f64 {
    1.05 * text_width(title, TITLE_FONT)
}

/// The width of the legend of statuses.
pub(super) fn status_legend_width() -> f64 {
    MapStatus::ALL
        .iter()
        .map(|s| SWATCH + 6.0 + text_width(s.label(), LEGEND_FONT))
        .sum::<f64>()
        + 20.0 * (MapStatus::ALL.len() - 1) as f64
}

/// One swatch and label per status, in a row whose top is `top`.
pub(super) fn write_status_legend(out: &mut String, top: f64) {
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
pub(super) struct Px(pub(super) f64);

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
pub(super) fn char_em(c: char) -> f64 {
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
pub(super) fn text_width(text: &str, font_size: f64) -> f64 {
    text.chars().map(char_em).sum::<f64>() * font_size
}

/// `text`, cut and ended with an ellipsis if wider than `max_width`.
pub(super) fn fit_text(text: &str, max_width: f64, font_size: f64) -> String {
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
