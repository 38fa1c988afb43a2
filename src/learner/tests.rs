//! Fixed-point storage and the memory layout.

use super::*;

#[test]
fn memory_layout_is_as_documented() {
    assert_eq!(std::mem::size_of::<Fixed>(), 4);
    assert_eq!(std::mem::size_of::<PracticeRecord>(), 40);
}

#[test]
fn fixed_point_round_trips_through_f64() {
    for p in [0.0, 1.0, 0.1, 0.123_456_789, 0.999_999_999] {
        let f = Fixed::new(p);
        assert!((f.get() - p).abs() <= 0.5 / Fixed::SCALE + 1e-16);
        assert_eq!(Fixed::new(f.get()), f);
    }
    assert!(Fixed::new(0.3) < Fixed::new(0.300_000_01));
}

/// `Fixed::new` rounds as `f64::round` did (halves away from zero), on
/// halves, their neighbours, the ends and a sweep of the unit interval.
#[test]
fn fixed_point_rounds_as_round() {
    let old = |p: f64| Fixed((p.clamp(0.0, 1.0) * Fixed::SCALE).round() as u32);
    let mut cases = vec![0.0, 1.0, -0.0, -1.0, 2.0, f64::NAN, f64::INFINITY, 1e-300];
    for k in [0u32, 1, 2, 7, 1 << 20, u32::MAX - 2, u32::MAX - 1] {
        let half = (f64::from(k) + 0.5) / Fixed::SCALE;
        cases.extend([half, half.next_up(), half.next_down()]);
    }
    let mut x: u64 = 1;
    for _ in 0..100_000 {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        cases.push((x >> 11) as f64 / (1u64 << 53) as f64);
    }
    for p in cases {
        assert_eq!(Fixed::new(p), old(p), "{p:e}");
    }
}
