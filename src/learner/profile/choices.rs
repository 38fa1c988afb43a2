//! Choices a learner made among offered options, and their tallies.

use super::*;

/// How often something was offered and taken, against what picking at
/// random among the options would give.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Tally {
    /// Choices in which it was among the options.
    pub offered: u32,
    /// Choices in which the learner took it.
    pub taken: u32,
    /// Takes expected by chance: the sum of `1 / options` over the choices offering it.
    pub expected: f64,
}

impl Tally {
    /// How much more (positive) or less (negative) often the learner took it
    /// than chance, in (-1, 1): `(taken - expected) / (offered + 2)`. The
    /// `+ 2` keeps a single choice from counting as a strong preference.
    #[must_use]
    pub fn affinity(&self) -> f64 {
        (f64::from(self.taken) - self.expected) / (f64::from(self.offered) + 2.0)
    }

    pub(super) fn add(&mut self, share: f64, taken: bool) {
        self.offered = self.offered.saturating_add(1);
        self.taken = self.taken.saturating_add(u32::from(taken));
        self.expected += share;
    }

    pub(super) fn is_valid(&self) -> bool {
        self.taken <= self.offered
            && self.expected.is_finite()
            && (0.0..=f64::from(self.offered) + 1e-9).contains(&self.expected)
    }
}

/// One choice the learner made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ChoiceRecord {
    /// When (seconds since the Unix epoch).
    pub at: i64,
    /// The standard the options served.
    pub standard: StandardIdx,
    /// The ids of the activities offered.
    pub offered: Vec<String>,
    /// The id of the activity taken.
    pub taken: String,
}

/// The learner's choices: tallies by kind and by tag (what the recommender
/// listens to), and the most recent choices.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChoiceHistory {
    #[serde(default)]
    pub(super) kinds: BTreeMap<ActivityKind, Tally>,
    #[serde(default)]
    pub(super) tags: BTreeMap<String, Tally>,
    #[serde(default)]
    pub(super) recent: VecDeque<ChoiceRecord>,
}

/// One option as the choice history sees it.
pub(crate) struct OfferedOption<'a> {
    pub id: &'a str,
    pub kind: ActivityKind,
    pub tags: &'a [String],
}

impl ChoiceHistory {
    /// No choices yet.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty() && self.recent.is_empty()
    }

    /// How the learner chose between kinds of activity.
    #[must_use]
    pub fn kind(&self, kind: ActivityKind) -> Tally {
        self.kinds.get(&kind).copied().unwrap_or_default()
    }

    /// How the learner chose between activities tagged `tag`.
    #[must_use]
    pub fn tag(&self, tag: &str) -> Tally {
        self.tags.get(tag).copied().unwrap_or_default()
    }

    /// The most recent choices, oldest first (at most [`RECENT_CHOICES`]).
    pub fn recent(&self) -> impl ExactSizeIterator<Item = &ChoiceRecord> {
        self.recent.iter()
    }

    /// The learned pull of an activity of `kind` tagged `tags`: the kind's
    /// affinity plus the strongest tag affinity, in (-2, 2).
    pub(crate) fn pull(&self, kind: ActivityKind, tags: &[String]) -> f64 {
        let tag = tags
            .iter()
            .filter_map(|t| self.tags.get(t))
            .map(Tally::affinity)
            .fold(0.0, f64::max);
        self.kind(kind).affinity() + tag
    }

    pub(crate) fn record(
        &mut self,
        at: i64,
        standard: StandardIdx,
        options: &[OfferedOption<'_>],
        taken: usize,
    ) {
        // Chance takes a kind (or tag) in proportion to the options carrying it.
        let share = 1.0 / options.len().max(1) as f64;
        let mut kinds: BTreeMap<ActivityKind, (f64, bool)> = BTreeMap::new();
        let mut tags: BTreeMap<&str, (f64, bool)> = BTreeMap::new();
        for (i, o) in options.iter().enumerate() {
            let k = kinds.entry(o.kind).or_default();
            k.0 += share;
            k.1 |= i == taken;
            for t in o.tags {
                let e = tags.entry(t.as_str()).or_default();
                e.0 += share;
                e.1 |= i == taken;
            }
        }
        for (kind, (share, was_taken)) in kinds {
            self.kinds.entry(kind).or_default().add(share, was_taken);
        }
        for (tag, (share, was_taken)) in tags {
            self.tags
                .entry(tag.to_owned())
                .or_default()
                .add(share, was_taken);
        }
        if self.recent.len() == RECENT_CHOICES {
            self.recent.pop_front();
        }
        self.recent.push_back(ChoiceRecord {
            at,
            standard,
            offered: options.iter().map(|o| o.id.to_owned()).collect(),
            taken: options
                .get(taken)
                .map_or_else(String::new, |o| o.id.to_owned()),
        });
    }

    pub(super) fn validate(&self, standards: usize) -> std::result::Result<(), String> {
        if let Some(bad) = self
            .kinds
            .values()
            .chain(self.tags.values())
            .find(|t| !t.is_valid())
        {
            return Err(format!("inconsistent choice tally {bad:?}"));
        }
        if self.recent.len() > RECENT_CHOICES {
            return Err(format!("more than {RECENT_CHOICES} recent choices"));
        }
        for r in &self.recent {
            if r.standard.index() >= standards {
                return Err(format!(
                    "choice on standard #{} beyond the {standards} standards",
                    r.standard.index()
                ));
            }
            if out_of_range(r.at) {
                return Err(format!(
                    "choice on standard #{} has time {}, outside the accepted timestamps",
                    r.standard.index(),
                    r.at
                ));
            }
            if !r.offered.contains(&r.taken) {
                return Err(format!("choice of `{}` that was not offered", r.taken));
            }
        }
        Ok(())
    }
}
