//! How much and how often a learner works: the pace that goal plans and
//! early warnings build on.

use serde::{Deserialize, Serialize};

/// Seconds in a day; active days are counted in UTC.
const DAY: i64 = 86_400;

/// The learner's evidence over time: how many pieces, on how many days, from
/// when to when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Engagement {
    /// Pieces of evidence applied.
    pub evidence: u64,
    /// Distinct UTC days with evidence (days counted in time order: evidence
    /// dated before the latest active day does not add a day).
    pub active_days: u32,
    /// The first evidence's time (seconds since the Unix epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_at: Option<i64>,
    /// The latest evidence's time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_at: Option<i64>,
}

/// A span of at least this many days is assumed when measuring pace: one
/// busy first day is not a pace.
pub const MIN_PACE_SPAN_DAYS: f64 = 7.0;

impl Engagement {
    pub(crate) fn record(&mut self, at: i64) {
        self.evidence = self.evidence.saturating_add(1);
        let day = at.div_euclid(DAY);
        match self.last_at {
            Some(last) if day <= last.div_euclid(DAY) => {}
            _ => self.active_days = self.active_days.saturating_add(1),
        }
        self.first_at = Some(self.first_at.map_or(at, |f| f.min(at)));
        self.last_at = Some(self.last_at.map_or(at, |l| l.max(at)));
    }

    /// Evidence per calendar day from the first evidence to `now`, over a
    /// span of at least [`MIN_PACE_SPAN_DAYS`]; `None` before two active days.
    #[must_use]
    pub fn per_day(&self, now: i64) -> Option<f64> {
        let first = self.first_at?;
        if self.active_days < 2 {
            return None;
        }
        let span = crate::time::days_between(first, now.max(self.last_at.unwrap_or(first)))
            .max(MIN_PACE_SPAN_DAYS);
        Some(self.evidence as f64 / span)
    }

    pub(crate) fn is_valid(&self) -> bool {
        let ordered = match (self.first_at, self.last_at) {
            (Some(f), Some(l)) => f <= l,
            (None, None) => true,
            _ => false,
        };
        let in_range = [self.first_at, self.last_at]
            .into_iter()
            .flatten()
            .all(|t| (crate::time::MIN_TIMESTAMP..=crate::time::MAX_TIMESTAMP).contains(&t));
        ordered
            && in_range
            && u64::from(self.active_days) <= self.evidence
            && (self.evidence == 0) == self.first_at.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pace_counts_days_and_needs_two_of_them() {
        let mut e = Engagement::default();
        let t0 = 1_700_000_000 - 1_700_000_000 % DAY;
        for i in 0..5 {
            e.record(t0 + i * 60);
        }
        assert_eq!((e.evidence, e.active_days), (5, 1));
        assert_eq!(e.per_day(t0 + DAY), None);
        for i in 0..5 {
            e.record(t0 + 13 * DAY + i * 60);
        }
        assert_eq!(e.active_days, 2);
        // 10 pieces over 14 days.
        let pace = e.per_day(t0 + 14 * DAY).unwrap();
        assert!((pace - 10.0 / 14.0).abs() < 1e-9, "{pace}");
        assert!(e.is_valid());
        // A short span counts as a week.
        let mut quick = Engagement::default();
        quick.record(t0);
        quick.record(t0 + DAY);
        assert!((quick.per_day(t0 + DAY).unwrap() - 2.0 / 7.0).abs() < 1e-9);
    }
}
