//! Timestamps for apps: calendar dates to Unix seconds and back, days, and a
//! fixed UTC offset for counting "active days" where the learner lives.
//!
//! Evidence carries seconds since the Unix epoch (UTC). This module converts
//! with the proleptic Gregorian calendar (Howard Hinnant's `days_from_civil`
//! algorithm), with no dependency and no time-zone database: an offset is a
//! fixed number of minutes (for daylight saving time, pick the offset of the
//! period, or convert with a time-zone crate).
//!
//! ```
//! use mastery::time::{Date, UtcOffset, DAY};
//!
//! let start = Date::parse("2026-09-01")?;
//! assert_eq!(start.to_unix(UtcOffset::UTC), 1_788_220_800);
//! assert_eq!(Date::from_unix(1_788_220_800 + DAY - 1, UtcOffset::UTC), start);
//! // 23:30 UTC on 1 September is already 2 September in Berlin (UTC+2 in summer).
//! let berlin = UtcOffset::from_minutes(120)?;
//! assert_eq!(Date::from_unix(1_788_220_800 + 23 * 3600 + 1800, berlin).to_string(), "2026-09-02");
//! assert_eq!(start.add_days(30).to_string(), "2026-10-01");
//! # Ok::<(), mastery::Error>(())
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// The earliest timestamp the crate accepts: 0001-01-01T00:00:00Z.
///
/// Timestamps that are stored (evidence, goals, saved learner states) must lie
/// in [`MIN_TIMESTAMP`, `MAX_TIMESTAMP`], the years 1 to 9999 of [`Date`]; the
/// difference of any two then fits in an `i64`. Query times (`now`) outside the
/// range are not rejected: time arithmetic saturates.
pub const MIN_TIMESTAMP: i64 = -62_135_596_800;

/// The latest timestamp the crate accepts: 9999-12-31T23:59:59Z (see [`MIN_TIMESTAMP`]).
pub const MAX_TIMESTAMP: i64 = 253_402_300_799;

/// `timestamp` if it is in [`MIN_TIMESTAMP`, `MAX_TIMESTAMP`].
///
/// ```
/// use mastery::time::{MAX_TIMESTAMP, check_timestamp};
///
/// assert_eq!(check_timestamp("evidence time", 1_700_000_000)?, 1_700_000_000);
/// assert!(check_timestamp("evidence time", i64::MAX).is_err());
/// assert!(check_timestamp("evidence time", MAX_TIMESTAMP + 1).is_err());
/// # Ok::<(), mastery::Error>(())
/// ```
///
/// # Errors
/// [`Error::TimestampOutOfRange`] naming `what`.
pub fn check_timestamp(what: &str, timestamp: i64) -> Result<i64> {
    if (MIN_TIMESTAMP..=MAX_TIMESTAMP).contains(&timestamp) {
        Ok(timestamp)
    } else {
        Err(Error::TimestampOutOfRange {
            what: what.to_owned(),
            value: timestamp,
        })
    }
}

/// Seconds in `n` days (saturating at the ends of `i64`).
///
/// ```
/// assert_eq!(mastery::time::days(2), 172_800);
/// assert_eq!(mastery::time::days(i64::MAX), i64::MAX);
/// ```
#[must_use]
pub const fn days(n: i64) -> i64 {
    n.saturating_mul(DAY)
}

/// Whole days from `earlier` to `later` as a float, saturating instead of
/// overflowing for times far apart.
pub(crate) fn days_between(earlier: i64, later: i64) -> f64 {
    later.saturating_sub(earlier) as f64 / DAY as f64
}

/// A fixed offset from UTC, e.g. `-05:00` for New York in winter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct UtcOffset {
    minutes: i32,
}

impl UtcOffset {
    /// UTC itself.
    pub const UTC: UtcOffset = UtcOffset { minutes: 0 };

    /// An offset of `minutes` east of UTC (negative west), within ±18 hours.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] beyond ±18 hours.
    pub fn from_minutes(minutes: i32) -> Result<Self> {
        if minutes.abs() > 18 * 60 {
            return Err(Error::InvalidValue {
                what: "UTC offset in minutes".into(),
                expected: "within ±18 hours (±1080 minutes)",
                value: f64::from(minutes),
            });
        }
        Ok(UtcOffset { minutes })
    }

    /// An offset of whole `hours` east of UTC (negative west).
    ///
    /// # Errors
    /// As [`UtcOffset::from_minutes`].
    pub fn from_hours(hours: i32) -> Result<Self> {
        UtcOffset::from_minutes(hours.saturating_mul(60))
    }

    /// Minutes east of UTC.
    #[must_use]
    pub fn minutes(self) -> i32 {
        self.minutes
    }

    /// Seconds east of UTC.
    #[must_use]
    pub fn seconds(self) -> i64 {
        i64::from(self.minutes) * 60
    }

    /// The local day of a timestamp, as days since 1970-01-01 in this offset:
    /// two timestamps are on the same local day if and only if their
    /// `day_number`s are equal.
    ///
    /// ```
    /// use mastery::time::UtcOffset;
    ///
    /// let new_york = UtcOffset::from_hours(-5)?;
    /// assert_eq!(UtcOffset::UTC.day_number(3 * 3600), 0);
    /// assert_eq!(new_york.day_number(3 * 3600), -1); // 22:00 on 31 December 1969
    /// # Ok::<(), mastery::Error>(())
    /// ```
    #[must_use]
    pub fn day_number(self, timestamp: i64) -> i64 {
        timestamp.saturating_add(self.seconds()).div_euclid(DAY)
    }
}

/// A calendar date (proleptic Gregorian), years 1 to 9999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Date {
    /// The date `year-month-day`.
    ///
    /// # Errors
    /// [`Error::InvalidDate`] for a year outside 1 to 9999, a month outside 1
    /// to 12 or a day the month does not have.
    pub fn new(year: i32, month: u8, day: u8) -> Result<Self> {
        let invalid = |reason: &'static str| Error::InvalidDate {
            value: format!("{year:04}-{month:02}-{day:02}"),
            reason,
        };
        if !(1..=9999).contains(&year) {
            return Err(invalid("the year must be between 1 and 9999"));
        }
        if !(1..=12).contains(&month) {
            return Err(invalid("the month must be between 1 and 12"));
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(invalid("the month has no such day"));
        }
        Ok(Date { year, month, day })
    }

    /// Parses `YYYY-MM-DD`.
    ///
    /// # Errors
    /// [`Error::InvalidDate`] for any other form or an impossible date.
    pub fn parse(text: &str) -> Result<Self> {
        let invalid = |reason: &'static str| Error::InvalidDate {
            value: text.to_owned(),
            reason,
        };
        let parts: Vec<&str> = text.split('-').collect();
        let [y, m, d] = parts.as_slice() else {
            return Err(invalid("expected YYYY-MM-DD"));
        };
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
            return Err(invalid("expected YYYY-MM-DD"));
        }
        // All ASCII digits of bounded length: these parse.
        let (Ok(y), Ok(m), Ok(d)) = (y.parse(), m.parse(), d.parse()) else {
            return Err(invalid("expected YYYY-MM-DD"));
        };
        Date::new(y, m, d).map_err(|_| invalid("no such date"))
    }

    /// The year.
    #[must_use]
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1 to 12.
    #[must_use]
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, from 1.
    #[must_use]
    pub fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before).
    #[must_use]
    pub fn day_number(self) -> i64 {
        // Hinnant's days_from_civil: years start in March, so the leap day is last.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `day_number` days after 1970-01-01, clamped to years 1 to 9999.
    #[must_use]
    pub fn from_day_number(day_number: i64) -> Self {
        const FIRST: i64 = -719_162; // 0001-01-01
        const LAST: i64 = 2_932_896; // 9999-12-31
        let z = day_number.clamp(FIRST, LAST) + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = (if mp < 10 { mp + 3 } else { mp - 9 }) as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// The local date of a timestamp in `offset`.
    #[must_use]
    pub fn from_unix(timestamp: i64, offset: UtcOffset) -> Self {
        Date::from_day_number(offset.day_number(timestamp))
    }

    /// The timestamp of local midnight at the start of this date in `offset`.
    #[must_use]
    pub fn to_unix(self, offset: UtcOffset) -> i64 {
        self.day_number() * DAY - offset.seconds()
    }

    /// The date `n` days later (earlier for negative `n`), clamped to years 1 to 9999.
    #[must_use]
    pub fn add_days(self, n: i64) -> Self {
        Date::from_day_number(self.day_number().saturating_add(n))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl std::str::FromStr for Date {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Date::parse(s)
    }
}

impl TryFrom<String> for Date {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        Date::parse(&s)
    }
}

impl From<Date> for String {
    fn from(d: Date) -> Self {
        d.to_string()
    }
}

/// A reporting period: from local midnight of the first date to the last
/// second of the last date, in one UTC offset, which is also the offset in
/// which "active days" are counted.
///
/// ```
/// use mastery::time::{Date, Period, UtcOffset};
///
/// let offset = UtcOffset::from_hours(-5)?;
/// let september = Period::dates(Date::parse("2026-09-01")?, Date::parse("2026-09-30")?, offset)?;
/// assert_eq!(september.to() - september.from() + 1, 30 * 86_400);
/// assert_eq!(september.from(), Date::parse("2026-09-01")?.to_unix(offset));
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    from: i64,
    to: i64,
    offset: UtcOffset,
}

impl Period {
    /// From `from` to `to` inclusive (Unix seconds), days counted in UTC.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] when `to` is before `from`.
    pub fn new(from: i64, to: i64) -> Result<Self> {
        if to < from {
            return Err(Error::InvalidValue {
                what: format!("end of the period starting at {from}"),
                expected: "at or after its start",
                value: to as f64,
            });
        }
        Ok(Period {
            from,
            to,
            offset: UtcOffset::UTC,
        })
    }

    /// A period that may be empty (`to < from`), days counted in UTC.
    #[cfg_attr(not(feature = "cohort"), allow(dead_code))] // for ProgressReport::new
    pub(crate) fn unchecked(from: i64, to: i64) -> Self {
        Period {
            from,
            to,
            offset: UtcOffset::UTC,
        }
    }

    /// The whole local days `first` to `last` in `offset`.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] when `last` is before `first`.
    pub fn dates(first: Date, last: Date, offset: UtcOffset) -> Result<Self> {
        Ok(
            Period::new(first.to_unix(offset), last.add_days(1).to_unix(offset) - 1)?
                .with_offset(offset),
        )
    }

    /// Counts days in `offset` instead.
    #[must_use]
    pub fn with_offset(mut self, offset: UtcOffset) -> Self {
        self.offset = offset;
        self
    }

    /// The first second of the period.
    #[must_use]
    pub fn from(&self) -> i64 {
        self.from
    }

    /// The last second of the period.
    #[must_use]
    pub fn to(&self) -> i64 {
        self.to
    }

    /// The offset days are counted in.
    #[must_use]
    pub fn offset(&self) -> UtcOffset {
        self.offset
    }

    /// Whether `timestamp` is in the period.
    #[must_use]
    pub fn contains(&self, timestamp: i64) -> bool {
        (self.from..=self.to).contains(&timestamp)
    }
}
