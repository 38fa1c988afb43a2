//! Graphviz DOT export: [`to_dot`] and its [`DotOptions`].

use std::fmt::Write as _;

use crate::curriculum::Curriculum;
use crate::error::{Error, Result};

/// How [`to_dot`] draws the graph.
///
/// ```
/// use mastery::export::DotOptions;
///
/// let values = vec![0.5; 480];
/// let options = DotOptions::new().title("Grade 4 mastery").values(&values).group_by_grade(true);
/// # let _ = options;
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct DotOptions<'a> {
    title: Option<String>,
    values: Option<&'a [f64]>,
    group_by_grade: bool,
}

impl<'a> DotOptions<'a> {
    /// No title, no colors, no grouping.
    pub fn new() -> Self {
        DotOptions::default()
    }

    /// A title drawn above the graph.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// One value in [0, 1] per standard, in index order: fills each node from
    /// red (0) through yellow (0.5) to green (1) and shows the value as a
    /// percentage under the code.
    pub fn values(mut self, values: &'a [f64]) -> Self {
        self.values = Some(values);
        self
    }

    /// Draws the standards of each grade inside one box (a DOT cluster).
    pub fn group_by_grade(mut self, group: bool) -> Self {
        self.group_by_grade = group;
        self
    }
}

/// The curriculum in the Graphviz DOT language, left to right, with each
/// standard labeled by its code and its text as tooltip. O(V + E).
///
/// ```
/// use mastery::{export, Curriculum};
///
/// let c = Curriculum::builder()
///     .standard_ids(["A", "B"])?
///     .prerequisite("A", "B")
///     .build()?;
/// let dot = export::to_dot(&c, &export::DotOptions::new().values(&[1.0, 0.0]))?;
/// assert!(dot.starts_with("digraph curriculum {"));
/// assert!(dot.contains("n0 -> n1;"));
/// assert!(dot.contains("fillcolor=\"#1a9850\"")); // A: mastered, green
///
/// let wrong = export::to_dot(&c, &export::DotOptions::new().values(&[0.5]));
/// assert!(matches!(wrong, Err(mastery::Error::SizeMismatch { .. })));
/// # Ok::<(), mastery::Error>(())
/// ```
///
/// # Errors
/// [`Error::SizeMismatch`] if `values` does not have one entry per standard;
/// [`Error::InvalidValue`] for a value that is not a number in [0, 1].
pub fn to_dot(curriculum: &Curriculum, options: &DotOptions<'_>) -> Result<String> {
    if let Some(values) = options.values {
        if values.len() != curriculum.len() {
            return Err(Error::SizeMismatch {
                what: "DOT color values (one per standard)",
                expected: curriculum.len(),
                found: values.len(),
            });
        }
        for (v, s) in values.iter().zip(curriculum.standards()) {
            if !(0.0..=1.0).contains(v) {
                return Err(Error::InvalidValue {
                    what: format!("color value of `{}`", s.id()),
                    expected: "a number in [0, 1]",
                    value: *v,
                });
            }
        }
    }

    // Writing to a String cannot fail, so the fmt::Results below are ignored.
    let mut out = String::new();
    out.push_str("digraph curriculum {\n  rankdir=LR;\n");
    out.push_str("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", fontname=\"Helvetica\"];\n");
    if let Some(title) = &options.title {
        let _ = writeln!(out, "  labelloc=t;\n  label=\"{}\";", escape(title));
    }

    let mut grades: Vec<Option<&str>> = Vec::new();
    for s in curriculum.standards() {
        if !grades.contains(&s.grade()) {
            grades.push(s.grade());
        }
    }
    let groups: Vec<Option<&str>> = if options.group_by_grade {
        grades
    } else {
        vec![None]
    };
    for (g, grade) in groups.iter().enumerate() {
        let indent = if options.group_by_grade {
            let name = grade.map_or_else(|| "no grade".to_owned(), |g| format!("Grade {g}"));
            let _ = writeln!(
                out,
                "  subgraph cluster_{g} {{\n    label=\"{}\";",
                escape(&name)
            );
            "    "
        } else {
            "  "
        };
        for v in curriculum.indices() {
            let s = &curriculum[v];
            if options.group_by_grade && s.grade() != *grade {
                continue;
            }
            let mut label = escape(s.code());
            let mut attrs = String::new();
            if let Some(values) = options.values {
                let value = values[v.index()];
                let _ = write!(label, "\\n{:.0}%", value * 100.0);
                let _ = write!(attrs, ", fillcolor=\"{}\"", color(value));
            }
            if let Some(text) = s.description().or(s.title()) {
                let _ = write!(attrs, ", tooltip=\"{}\"", escape(text));
            }
            let _ = writeln!(out, "{indent}n{} [label=\"{label}\"{attrs}];", v.index());
        }
        if options.group_by_grade {
            out.push_str("  }\n");
        }
    }
    for (from, to) in curriculum.prerequisite_edges() {
        let _ = writeln!(out, "  n{} -> n{};", from.index(), to.index());
    }
    out.push_str("}\n");
    Ok(out)
}

/// Red (0) - yellow (0.5) - green (1), ColorBrewer's RdYlGn end points.
pub(super) fn color(value: f64) -> String {
    const RED: [f64; 3] = [215.0, 48.0, 39.0];
    const YELLOW: [f64; 3] = [255.0, 255.0, 191.0];
    const GREEN: [f64; 3] = [26.0, 152.0, 80.0];
    let (a, b, t) = if value < 0.5 {
        (RED, YELLOW, value * 2.0)
    } else {
        (YELLOW, GREEN, (value - 0.5) * 2.0)
    };
    let channel = |i: usize| (a[i] + (b[i] - a[i]) * t).round() as u8;
    format!("#{:02x}{:02x}{:02x}", channel(0), channel(1), channel(2))
}

/// Escapes a string for a double-quoted DOT id.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colors_span_the_scale() {
        assert_eq!(color(0.0), "#d73027");
        assert_eq!(color(0.5), "#ffffbf");
        assert_eq!(color(1.0), "#1a9850");
    }

    #[test]
    fn quotes_are_escaped() {
        assert_eq!(escape(r#"say "hi" \ bye"#), r#"say \"hi\" \\ bye"#);
    }

    #[test]
    fn nan_is_rejected() {
        let c = Curriculum::builder()
            .standard_ids(["A"])
            .unwrap()
            .build()
            .unwrap();
        let err = to_dot(&c, &DotOptions::new().values(&[f64::NAN])).unwrap_err();
        assert!(matches!(err, Error::InvalidValue { .. }));
        assert!(err.to_string().contains("`A`"));
    }

    #[test]
    fn every_standard_appears_once_when_grouped() {
        let ccss = Curriculum::ccss_math();
        let dot = to_dot(&ccss, &DotOptions::new().group_by_grade(true)).unwrap();
        for v in ccss.indices() {
            assert_eq!(dot.matches(&format!("  n{} [", v.index())).count(), 1);
        }
        assert_eq!(dot.matches(" -> ").count(), ccss.prerequisite_count());
        assert_eq!(dot.matches("subgraph cluster_").count(), 10);
    }
}
