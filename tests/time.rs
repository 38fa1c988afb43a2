//! The time helper: dates to Unix seconds and back, local days in a fixed
//! UTC offset, and progress reports counting active days in that offset.

use mastery::cohort::ProgressReport;
use mastery::time::{DAY, Date, Period, UtcOffset, days};
use mastery::{Curriculum, Error, Evidence, LearnerState, Model, Outcome};
use proptest::prelude::*;

/// Days since 1970-01-01 by counting whole years and months: slow, obviously right.
fn naive_day_number(year: i32, month: u8, day: u8) -> i64 {
    let leap = |y: i32| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let year_len = |y: i32| if leap(y) { 366 } else { 365 };
    let mut n: i64 = 0;
    if year >= 1970 {
        for y in 1970..year {
            n += year_len(y);
        }
    } else {
        for y in year..1970 {
            n -= year_len(y);
        }
    }
    let lengths = [
        31,
        if leap(year) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    n + lengths[..usize::from(month - 1)].iter().sum::<i64>() + i64::from(day) - 1
}

#[test]
fn known_dates() {
    assert_eq!(Date::parse("1970-01-01").unwrap().day_number(), 0);
    assert_eq!(
        Date::parse("2000-02-29").unwrap().to_unix(UtcOffset::UTC),
        951_782_400
    );
    assert_eq!(
        Date::parse("2026-12-02").unwrap().to_unix(UtcOffset::UTC),
        1_796_169_600
    );
    assert_eq!(
        Date::from_unix(1_700_000_000, UtcOffset::UTC).to_string(),
        "2023-11-14"
    );
    assert_eq!(
        Date::parse("0001-01-01").unwrap().add_days(-5).to_string(),
        "0001-01-01"
    );
    assert_eq!(days(7), 7 * DAY);
}

#[test]
fn bad_dates_and_offsets_are_typed_errors() {
    for bad in [
        "2026-02-29",
        "2026-13-01",
        "2026-00-10",
        "2026-1-1",
        "26-01-01",
        "",
        "2026-01-01x",
        "0000-01-01",
        "２０２６-01-01",
    ] {
        let err = Date::parse(bad).unwrap_err();
        assert!(matches!(err, Error::InvalidDate { .. }), "{bad:?}: {err:?}");
        assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
    }
    assert!(Date::new(2024, 2, 29).is_ok());
    assert!(matches!(
        Date::new(2023, 2, 29),
        Err(Error::InvalidDate { .. })
    ));
    assert!(matches!(
        UtcOffset::from_hours(19),
        Err(Error::InvalidValue { .. })
    ));
    assert!(UtcOffset::from_minutes(-18 * 60).is_ok());
    let d = Date::parse("2026-09-01").unwrap();
    assert!(Period::dates(d, d.add_days(-1), UtcOffset::UTC).is_err());
    assert!(Period::new(10, 9).is_err());
    // Serde form is the ISO date.
    assert_eq!(serde_json::to_string(&d).unwrap(), "\"2026-09-01\"");
    assert!(serde_json::from_str::<Date>("\"2026-02-30\"").is_err());
}

#[test]
fn progress_report_counts_active_days_in_the_learners_offset() {
    let model = Model::builder(Curriculum::ccss_math()).build().unwrap();
    let tokyo = UtcOffset::from_hours(9).unwrap();
    let first = Date::parse("2026-03-02").unwrap();
    let before = LearnerState::new(&model, "kai").unwrap();
    let mut after = before.clone();
    let mut log = Vec::new();
    // 07:00 and 10:00 in Tokyo on two days: in UTC, 22:00 and 01:00, so
    // each local morning straddles two UTC days.
    for day in 0..2 {
        for hour in [7, 10] {
            let t = first.add_days(day).to_unix(tokyo) + hour * 3600;
            let e = Evidence::on_standard("kai", "K.CC.A.1", Outcome::Correct, t).unwrap();
            after.apply(&model, &e).unwrap();
            log.push(e);
        }
    }
    let week = Period::dates(first, first.add_days(6), tokyo).unwrap();
    let local = ProgressReport::for_period(&model, &before, &after, &log, &week, &[]).unwrap();
    assert_eq!((local.evidence_count, local.active_days), (4, 2));
    let utc = ProgressReport::for_period(
        &model,
        &before,
        &after,
        &log,
        &week.with_offset(UtcOffset::UTC),
        &[],
    )
    .unwrap();
    assert_eq!((utc.evidence_count, utc.active_days), (4, 3));
    // The period is the local week: evidence a second before it is out.
    let early =
        Evidence::on_standard("kai", "K.CC.A.1", Outcome::Correct, week.from() - 1).unwrap();
    log.push(early);
    let again = ProgressReport::for_period(&model, &before, &after, &log, &week, &[]).unwrap();
    assert_eq!(again.evidence_count, 4);
}

proptest! {
    #[test]
    fn dates_round_trip(year in 1i32..=9999, month in 1u8..=12, day in 1u8..=31) {
        let Ok(date) = Date::new(year, month, day) else {
            // Only days the month lacks are rejected.
            prop_assert!(day > 28);
            return Ok(());
        };
        prop_assert_eq!(date.day_number(), naive_day_number(year, month, day));
        prop_assert_eq!(Date::from_day_number(date.day_number()), date);
        prop_assert_eq!(Date::parse(&date.to_string()).unwrap(), date);
        prop_assert_eq!(date.add_days(1).day_number(), date.day_number() + 1);
    }

    #[test]
    fn a_timestamp_falls_in_its_local_day(t in -10_000_000_000i64..10_000_000_000, minutes in -1080i32..=1080) {
        let offset = UtcOffset::from_minutes(minutes).unwrap();
        let date = Date::from_unix(t, offset);
        let start = date.to_unix(offset);
        prop_assert!(start <= t && t < start + DAY);
        prop_assert_eq!(offset.day_number(t), date.day_number());
    }
}
