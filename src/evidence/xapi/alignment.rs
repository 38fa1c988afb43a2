//! What an xAPI activity IRI stands for, and statement ids.

use std::fmt;

use foldhash::HashMap;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::evidence::Target;

/// Maps xAPI activity IRIs (a statement's `object.id`, or an id in its
/// `context.contextActivities`) to what the evidence is on: a standard or
/// an activity of the [`Catalog`](crate::Catalog).
///
/// ```
/// use mastery::evidence::xapi::Alignment;
/// use mastery::evidence::Target;
///
/// let alignment = Alignment::new()
///     .standard("https://example.org/items/fractions-1", "3.NF.A.1")
///     .activity("https://example.org/videos/halves", "video-halves");
/// assert_eq!(
///     alignment.get("https://example.org/items/fractions-1"),
///     Some(&Target::Standard("3.NF.A.1".into()))
/// );
///
/// // The same as JSON: {"standards": {IRI: id}, "activities": {IRI: id}}.
/// let json = r#"{"standards": {"https://example.org/items/fractions-1": "3.NF.A.1"},
///                "activities": {"https://example.org/videos/halves": "video-halves"}}"#;
/// assert_eq!(Alignment::from_json("alignment.json", json)?, alignment);
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Alignment {
    by_iri: HashMap<String, Target>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct AlignmentRepr {
    #[serde(default)]
    standards: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    activities: std::collections::BTreeMap<String, String>,
}

impl Alignment {
    /// An empty alignment.
    #[must_use]
    pub fn new() -> Self {
        Alignment::default()
    }

    /// Statements on `iri` become evidence on the standard `standard`.
    #[must_use]
    pub fn standard(mut self, iri: impl Into<String>, standard: impl Into<String>) -> Self {
        self.insert(iri, Target::Standard(standard.into()));
        self
    }

    /// Statements on `iri` become evidence on the catalog activity `activity`.
    #[must_use]
    pub fn activity(mut self, iri: impl Into<String>, activity: impl Into<String>) -> Self {
        self.insert(iri, Target::Activity(activity.into()));
        self
    }

    /// Maps `iri` to `target`, replacing an earlier mapping.
    pub fn insert(&mut self, iri: impl Into<String>, target: Target) {
        self.by_iri.insert(iri.into(), target);
    }

    /// What `iri` stands for, if it is aligned.
    #[must_use]
    pub fn get(&self, iri: &str) -> Option<&Target> {
        self.by_iri.get(iri)
    }

    /// The number of aligned IRIs.
    #[must_use]
    pub fn len(&self) -> usize {
        self.by_iri.len()
    }

    /// Whether no IRI is aligned.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.by_iri.is_empty()
    }

    /// Reads `{"standards": {IRI: standard id}, "activities": {IRI: activity id}}`
    /// (either member may be absent; an IRI in both is an error).
    ///
    /// # Errors
    /// [`Error::Json`] naming `name` for malformed JSON or unknown members,
    /// [`Error::InvalidState`] for an IRI aligned twice.
    pub fn from_json(name: &str, json: &str) -> Result<Self> {
        let repr: AlignmentRepr = serde_json::from_str(json).map_err(|source| Error::Json {
            what: format!("xAPI alignment {name}"),
            source,
        })?;
        let mut alignment = Alignment::new();
        for (iri, id) in repr.standards {
            alignment.insert(iri, Target::Standard(id));
        }
        for (iri, id) in repr.activities {
            if alignment.get(&iri).is_some() {
                return Err(Error::InvalidState {
                    what: "xAPI alignment",
                    reason: format!(
                        "{name}: IRI `{}` is aligned to a standard and an activity",
                        crate::curriculum::shown_id(&iri)
                    ),
                });
            }
            alignment.insert(iri, Target::Activity(id));
        }
        Ok(alignment)
    }
}

/// An xAPI statement id: a UUID, kept as 128 bits.
///
/// ```
/// use mastery::evidence::xapi::StatementId;
///
/// let id: StatementId = "5A1C7A3E-0B5E-4C1F-9D6A-0F3E2B1C4D5E".parse()?;
/// assert_eq!(id.to_string(), "5a1c7a3e-0b5e-4c1f-9d6a-0f3e2b1c4d5e");
/// assert!("not-a-uuid".parse::<StatementId>().is_err());
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StatementId {
    // Two halves rather than a `u128`, whose 16-byte alignment would
    // bloat every evidence record that holds an id.
    hi: u64,
    lo: u64,
}

impl StatementId {
    /// The id's 128 bits.
    #[must_use]
    pub fn as_u128(self) -> u128 {
        (u128::from(self.hi) << 64) | u128::from(self.lo)
    }

    /// The id with these 128 bits.
    #[must_use]
    pub fn from_u128(bits: u128) -> Self {
        StatementId {
            hi: (bits >> 64) as u64,
            lo: bits as u64,
        }
    }

    /// Parses `8-4-4-4-12` hexadecimal digits.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        /// The value of each hexadecimal digit, 16 for any other byte.
        const HEX: [u8; 256] = {
            let mut table = [16u8; 256];
            let mut i = 0;
            while i < 10 {
                table[b'0' as usize + i] = i as u8;
                i += 1;
            }
            let mut i = 0;
            while i < 6 {
                table[b'a' as usize + i] = 10 + i as u8;
                table[b'A' as usize + i] = 10 + i as u8;
                i += 1;
            }
            table
        };
        let b: &[u8; 36] = text.as_bytes().try_into().ok()?;
        if b[8] != b'-' || b[13] != b'-' || b[18] != b'-' || b[23] != b'-' {
            return None;
        }
        let mut bits: u128 = 0;
        let mut bad = 0u8;
        for (i, &c) in b.iter().enumerate() {
            if matches!(i, 8 | 13 | 18 | 23) {
                continue;
            }
            let digit = HEX[usize::from(c)];
            bad |= digit & 16;
            bits = (bits << 4) | u128::from(digit & 15);
        }
        (bad == 0).then(|| StatementId::from_u128(bits))
    }
}

impl std::str::FromStr for StatementId {
    type Err = Error;
    fn from_str(text: &str) -> Result<Self> {
        StatementId::parse(text).ok_or_else(|| Error::InvalidState {
            what: "xAPI statement id",
            reason: format!(
                "`{}` is not a UUID (8-4-4-4-12 hexadecimal digits)",
                crate::curriculum::shown_id(text)
            ),
        })
    }
}

impl fmt::Display for StatementId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let x = self.as_u128();
        write!(
            f,
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            (x >> 96) as u32,
            (x >> 80) as u16,
            (x >> 64) as u16,
            (x >> 48) as u16,
            x & 0xffff_ffff_ffff
        )
    }
}

impl Serialize for StatementId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parse before the digit table, for comparison.
    fn by_match(text: &str) -> Option<u128> {
        let b = text.as_bytes();
        if b.len() != 36 {
            return None;
        }
        let mut bits: u128 = 0;
        for (i, &c) in b.iter().enumerate() {
            if matches!(i, 8 | 13 | 18 | 23) {
                if c != b'-' {
                    return None;
                }
                continue;
            }
            let digit = match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                b'A'..=b'F' => c - b'A' + 10,
                _ => return None,
            };
            bits = (bits << 4) | u128::from(digit);
        }
        Some(bits)
    }

    #[test]
    fn statement_ids_parse_as_before() {
        let base = "5A1C7A3E-0b5e-4C1F-9d6A-0F3E2B1C4D5E";
        let mut cases = vec![base.to_owned(), String::new(), base[1..].to_owned()];
        for at in 0..base.len() {
            for c in [
                '0', '9', 'a', 'f', 'g', 'A', 'F', 'G', '-', '/', ':', '@', '`', ' ', 'é',
            ] {
                let mut s = base.to_owned();
                s.replace_range(at..at + 1, &c.to_string());
                cases.push(s);
            }
        }
        for case in cases {
            assert_eq!(
                StatementId::parse(&case).map(StatementId::as_u128),
                by_match(&case),
                "{case}"
            );
        }
    }
}
