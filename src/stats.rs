//! Small order statistics shared by the forecasts, paths and simulator.

/// The `q` quantile of `sorted` (ascending) by the nearest rank, 0 when empty.
pub(crate) fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((sorted.len() as f64 - 1.0) * q.clamp(0.0, 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// A log-uniform draw between `range.0` and `range.1`. A bound that is not
/// a positive, finite number is taken as the nearest one (NaN as the
/// smallest), so the draw is never NaN.
pub(crate) fn log_uniform(rng: &mut impl rand::Rng, range: (f64, f64)) -> f64 {
    use rand::RngExt;
    let positive = |x: f64| {
        if x > 0.0 {
            x.min(f64::MAX)
        } else {
            f64::MIN_POSITIVE
        }
    };
    let (lo, hi) = (positive(range.0), positive(range.1));
    (lo.ln() + rng.random::<f64>() * (hi.ln() - lo.ln())).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_quantiles() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile(&v, 0.5), 3.0);
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert_eq!(quantile(&v, 1.0), 5.0);
        assert_eq!(quantile(&v, 0.9), 5.0);
        assert_eq!(quantile(&v, 0.1), 1.0);
        assert_eq!(quantile(&[], 0.5), 0.0);
    }

    #[test]
    fn log_uniform_draws_stay_in_range_and_are_never_nan() {
        use rand::SeedableRng;
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(7);
        for _ in 0..1000 {
            let x = log_uniform(&mut rng, (0.5, 2.0));
            assert!((0.5..=2.0).contains(&x), "{x}");
        }
        for range in [
            (0.0, 2.0),
            (-1.0, 1.0),
            (f64::NAN, 2.0),
            (1.0, f64::INFINITY),
        ] {
            let x = log_uniform(&mut rng, range);
            assert!(x.is_finite() && x > 0.0, "{range:?}: {x}");
        }
    }
}
