//! ISO 8601 timestamps as xAPI writes them (`2026-09-01T10:00:00.250+02:00`)
//! to Unix seconds.

use crate::time::{Date, UtcOffset};

/// Two ASCII digits at `bytes[at..at + 2]` as a number.
fn two(bytes: &[u8], at: usize) -> Option<u32> {
    match bytes.get(at..at + 2)? {
        [a @ b'0'..=b'9', b @ b'0'..=b'9'] => Some(u32::from(a - b'0') * 10 + u32::from(b - b'0')),
        _ => None,
    }
}

/// Seconds since the Unix epoch for an ISO 8601 date and time with an offset:
/// `YYYY-MM-DDTHH:MM:SS`, optional fractional seconds (truncated), then `Z`
/// or `+HH:MM`, `+HHMM`, `+HH` (or `-`). A lower-case `t`/`z` or a space
/// between date and time is accepted; a time without offset is not, because
/// its instant is unknown.
///
/// # Errors
/// A short reason for anything else.
pub(crate) fn parse_timestamp(text: &str) -> Result<i64, &'static str> {
    let b = text.as_bytes();
    if b.len() < 19 {
        return Err("expected YYYY-MM-DDTHH:MM:SS with an offset");
    }
    let year = match (two(b, 0), two(b, 2)) {
        (Some(hi), Some(lo)) => (hi * 100 + lo) as i32,
        _ => return Err("expected a four-digit year"),
    };
    let field = |at: usize, sep: u8| -> Result<u32, &'static str> {
        if b.get(at.wrapping_sub(1)) != Some(&sep) {
            return Err("expected YYYY-MM-DDTHH:MM:SS with an offset");
        }
        two(b, at).ok_or("expected YYYY-MM-DDTHH:MM:SS with an offset")
    };
    let month = field(5, b'-')?;
    let day = field(8, b'-')?;
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return Err("expected `T` between date and time");
    }
    let hour = two(b, 11).ok_or("expected YYYY-MM-DDTHH:MM:SS with an offset")?;
    let minute = field(14, b':')?;
    let second = field(17, b':')?;
    if hour > 23 || minute > 59 || second > 59 {
        return Err("hour, minute or second out of range");
    }
    let date = Date::new(year, month as u8, day as u8).map_err(|_| "no such date")?;
    let mut at = 19;
    if b.get(at) == Some(&b'.') || b.get(at) == Some(&b',') {
        at += 1;
        let digits = b
            .get(at..)
            .unwrap_or_default()
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if digits == 0 {
            return Err("expected digits after the decimal point");
        }
        at += digits;
    }
    let offset_seconds: i64 = match b.get(at..) {
        Some([b'Z' | b'z']) => 0,
        Some([sign @ (b'+' | b'-'), rest @ ..]) => {
            let hours = two(rest, 0).ok_or("expected an offset +HH:MM")?;
            let minutes = match rest.len() {
                2 => 0,
                4 => two(rest, 2).ok_or("expected an offset +HH:MM")?,
                5 if rest[2] == b':' => two(rest, 3).ok_or("expected an offset +HH:MM")?,
                _ => return Err("expected an offset +HH:MM"),
            };
            if hours > 23 || minutes > 59 {
                return Err("offset out of range");
            }
            let s = i64::from(hours * 3600 + minutes * 60);
            if *sign == b'-' { -s } else { s }
        }
        Some([]) => return Err("no offset (Z or +HH:MM): the instant is unknown"),
        _ => return Err("unexpected characters after the time"),
    };
    let seconds = i64::from(hour * 3600 + minute * 60 + second);
    Ok(date.to_unix(UtcOffset::UTC) + seconds - offset_seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_fractions() {
        let utc = parse_timestamp("2026-09-01T10:00:00Z").unwrap();
        assert_eq!(utc, 1_788_220_800 + 36_000);
        assert_eq!(parse_timestamp("2026-09-01T12:00:00+02:00"), Ok(utc));
        assert_eq!(parse_timestamp("2026-09-01T12:00:00.999+0200"), Ok(utc));
        assert_eq!(parse_timestamp("2026-09-01T05:00:00-05"), Ok(utc));
        assert_eq!(parse_timestamp("2026-09-01 10:00:00.5z"), Ok(utc));
    }

    #[test]
    fn bad_timestamps_say_why() {
        for bad in [
            "2026-09-01T10:00:00",
            "2026-02-30T10:00:00Z",
            "2026-09-01T24:00:00Z",
            "2026-09-01T10:00:00+2:00",
            "2026-09-01T10:00:00.Z",
            "2026-09-01T10:00:00Zjunk",
            "yesterday",
            "",
            "2026-09-01T10:00:00+25:00",
        ] {
            assert!(parse_timestamp(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_timestamp("2026-09-01T10:00:00"),
            Err("no offset (Z or +HH:MM): the instant is unknown")
        );
    }
}
