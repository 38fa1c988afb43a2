//! Escaping text for XML, shared by the SVG pictures and the HTML reports.

/// `text` escaped for XML character data and attribute values; characters
/// XML 1.0 does not allow become U+FFFD.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' => out.push(c),
            c if c >= '\u{10000}' => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}
