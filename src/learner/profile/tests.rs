//! Preferences, goals and choice history.

use super::*;

fn option<'a>(id: &'a str, kind: ActivityKind, tags: &'a [String]) -> OfferedOption<'a> {
    OfferedOption { id, kind, tags }
}

#[test]
fn affinity_is_zero_at_chance_and_grows_with_choices() {
    let sports = vec!["sports".to_owned()];
    let mut history = ChoiceHistory::default();
    let s = StandardIdx(0);
    for _ in 0..6 {
        let options = [
            option("p", ActivityKind::Practice, &[]),
            option("v", ActivityKind::Video, &sports),
        ];
        history.record(0, s, &options, 1);
    }
    let video = history.kind(ActivityKind::Video);
    assert_eq!((video.offered, video.taken), (6, 6));
    assert!((video.expected - 3.0).abs() < 1e-12);
    assert!((video.affinity() - 3.0 / 8.0).abs() < 1e-12);
    assert!(history.kind(ActivityKind::Practice).affinity() < 0.0);
    assert!(history.pull(ActivityKind::Video, &sports) > history.pull(ActivityKind::Practice, &[]));
    assert_eq!(history.recent().len(), 6);
    assert!(history.validate(1).is_ok());
}

#[test]
fn recent_choices_are_bounded() {
    let mut history = ChoiceHistory::default();
    for i in 0..(RECENT_CHOICES as i64 + 5) {
        history.record(
            i,
            StandardIdx(0),
            &[option("a", ActivityKind::Practice, &[])],
            0,
        );
    }
    assert_eq!(history.recent().len(), RECENT_CHOICES);
    assert_eq!(history.recent().next().map(|r| r.at), Some(5));
    assert_eq!(history.kind(ActivityKind::Practice).affinity(), 0.0);
}

#[test]
fn session_length_must_be_positive_and_finite() {
    for bad in [0.0, -5.0, f64::NAN, f64::INFINITY] {
        assert!(
            Preferences::new().with_session_minutes(bad).is_err(),
            "{bad}"
        );
    }
    let p = Preferences::new()
        .with_interest(" ")
        .with_interest("art")
        .with_interest("art");
    assert_eq!(p.interests(), ["art"]);
}
