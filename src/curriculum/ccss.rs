//! The embedded default: the Common Core State Standards for mathematics,
//! K to high school, wired by Achieve the Core's Coherence Map.
//!
//! 480 standards and 757 prerequisite edges. Standard ids are the CCSS codes
//! (`K.CC.A.1`, `3.NF.A.3.a`, `HSA-SSE.A.1`). Each standard carries its grade
//! (`K`, `1`..`8`, `HS`), domain, cluster, major-work flag and text, plus the
//! attributes `id` (the Coherence Map's numeric id), `domain_name`,
//! `cluster_name`, `modeling` (`1` for a modeling standard), `msa` (the
//! Coherence Map's cluster emphasis code) and, for grades K to 8, `emphasis`:
//! `major`, `supporting` or `additional` work of the grade. The Coherence Map
//! codes emphasis as `msa` 0 = major, 1 = supporting, 2 = additional (checked
//! against the published K-8 emphases, e.g. 3.NF major, 3.G supporting,
//! 3.NBT additional); high-school standards carry no emphasis.
//!
//! # License
//!
//! The graph is Achieve the Core's Coherence Map data (Student Achievement
//! Partners), CC0. The standards text is from the Common Core State Standards,
//! © 2010 National Governors Association Center for Best Practices and Council
//! of Chief State School Officers, used under their public license. See
//! [`NOTICE`].

use std::sync::OnceLock;

use super::{CsvLoader, Curriculum, StandardColumns};

/// The standards file as shipped: `id,code,grade,domain,domain_name,cluster,cluster_name,msa,modeling,desc`.
pub const STANDARDS_CSV: &str = include_str!("../../data/ccss-math/standards.csv");

/// The prerequisite edges as shipped: `from_id,to_id,from_code,to_code`.
pub const PREREQUISITES_CSV: &str = include_str!("../../data/ccss-math/edges_prerequisite.csv");

/// The source and license notice of the embedded data.
pub const NOTICE: &str = include_str!("../../data/ccss-math/NOTE.md");

/// Parses and validates the embedded files (about a millisecond; see the
/// `curriculum` bench). [`Curriculum::ccss_math`] does this once per process.
///
/// # Errors
/// None for the shipped data (a test checks it); the `Result` is there
/// because this runs the ordinary, validating loader.
pub fn load() -> crate::Result<Curriculum> {
    let columns = StandardColumns {
        id: "code".into(),
        description: "desc".into(),
        ..StandardColumns::default()
    };
    let mut curriculum = CsvLoader::new()
        .standards_reader("ccss-math/standards.csv", STANDARDS_CSV.as_bytes())
        .standard_columns(columns)
        .edges_reader(
            "ccss-math/edges_prerequisite.csv",
            PREREQUISITES_CSV.as_bytes(),
        )
        .edge_columns("from_code", "to_code")
        .load()?;
    curriculum.update_metadata(|s| {
        let emphasis = match (s.grade(), s.attribute("msa")) {
            (Some("HS"), _) | (_, None) => None,
            (_, Some("0")) => Some("major"),
            (_, Some("1")) => Some("supporting"),
            (_, Some("2")) => Some("additional"),
            (_, Some(_)) => None,
        };
        let mut s = s.with_major_work(emphasis == Some("major"));
        if s.title().is_none() {
            if let Some(title) = s.description().map(short_title) {
                s = s.with_title(title);
            }
        }
        match emphasis {
            Some(e) => s.with_attribute("emphasis", e),
            None => s,
        }
    });
    Ok(curriculum)
}

/// Titles at most this many characters long (plus the ellipsis).
const TITLE_CHARS: usize = 40;

/// A short title from a standard's text, for explanations a family can
/// read: its first sentence, cut at a word boundary to at most
/// [`TITLE_CHARS`] characters with an ellipsis ("Count to 100 by ones and by
/// tens", "Understand a fraction 1/b as the…").
fn short_title(text: &str) -> String {
    let first = text
        .split_inclusive(". ")
        .next()
        .unwrap_or(text)
        .trim()
        .trim_end_matches('.');
    if first.chars().count() <= TITLE_CHARS {
        return first.to_owned();
    }
    let cut: String = first.chars().take(TITLE_CHARS + 1).collect();
    let head: String = match cut.rfind(' ') {
        Some(space) if space > 0 => cut[..space].to_owned(),
        _ => cut.chars().take(TITLE_CHARS).collect(),
    };
    format!("{}…", head.trim_end_matches([',', ';', ':', ' ']))
}

impl Curriculum {
    /// The Common Core math standards and their prerequisites (Achieve the
    /// Core's Coherence Map), embedded in the crate: see [the module
    /// docs](crate::curriculum::ccss) for contents and license.
    ///
    /// Parsed once per process, then cloned.
    ///
    /// ```
    /// let ccss = mastery::Curriculum::ccss_math();
    /// assert_eq!(ccss.len(), 480);
    /// assert_eq!(ccss.prerequisite_count(), 757);
    /// let s = ccss.standard("3.NF.A.1")?;
    /// assert_eq!(s.grade(), Some("3"));
    /// assert!(s.is_major_work());
    /// assert!(s.description().unwrap().starts_with("Understand a fraction 1/b"));
    /// # Ok::<(), mastery::Error>(())
    /// ```
    #[must_use]
    pub fn ccss_math() -> Curriculum {
        static CCSS: OnceLock<Curriculum> = OnceLock::new();
        CCSS.get_or_init(|| {
            // The shipped files are fixed at compile time and checked by the
            // test `embedded_ccss_loads`, so this cannot fail at run time.
            load().expect("the embedded CCSS math data is valid")
        })
        .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_titles_end_at_a_word() {
        assert_eq!(
            short_title("Count to 100 by ones and by tens."),
            "Count to 100 by ones and by tens"
        );
        assert_eq!(
            short_title(
                "Understand a fraction 1/b as the quantity formed by 1 part when a whole is partitioned."
            ),
            "Understand a fraction 1/b as the…"
        );
        assert_eq!(short_title("Fluently add. Then subtract."), "Fluently add");
        let long_word = "x".repeat(60);
        assert_eq!(short_title(&long_word).chars().count(), TITLE_CHARS + 1);
        let ccss = Curriculum::ccss_math();
        for s in ccss.standards() {
            let title = s
                .title()
                .unwrap_or_else(|| panic!("{} has no title", s.id()));
            assert!(
                !title.is_empty() && title.chars().count() <= TITLE_CHARS + 1,
                "{title}"
            );
        }
    }

    #[test]
    fn embedded_ccss_loads() {
        let c = load().unwrap();
        assert_eq!(c.len(), 480);
        assert_eq!(c.prerequisite_count(), 757);
        let s = c.standard("HSA-SSE.A.1").unwrap();
        assert_eq!(s.grade(), Some("HS"));
        assert!(s.attribute("domain_name").is_some());
        assert!(s.attribute("id").is_some());
        assert!(c.contains("3.NF.A.3.a"));
        let emphasis = |id: &str| {
            c.standard(id)
                .unwrap()
                .attribute("emphasis")
                .map(str::to_owned)
        };
        assert_eq!(emphasis("3.NF.A.1").as_deref(), Some("major"));
        assert_eq!(emphasis("3.G.A.1").as_deref(), Some("supporting"));
        assert_eq!(emphasis("3.NBT.A.1").as_deref(), Some("additional"));
        assert_eq!(emphasis("HSA-SSE.A.1"), None);
        assert!(!s.is_major_work());
        let major = c.standards().iter().filter(|s| s.is_major_work()).count();
        assert_eq!(major, 221);
    }

    #[test]
    fn notice_names_the_licenses() {
        assert!(NOTICE.contains("CC0"));
        assert!(NOTICE.contains("Council of Chief State School Officers"));
    }
}
