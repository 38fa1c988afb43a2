//! Small order statistics shared by the forecasts, paths and simulator.

/// The `q` quantile of `sorted` (ascending) by the nearest rank, 0 when empty.
pub(crate) fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((sorted.len() as f64 - 1.0) * q.clamp(0.0, 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// A log-uniform draw between `range.0` and `range.1` (both positive).
pub(crate) fn log_uniform(rng: &mut impl rand::Rng, range: (f64, f64)) -> f64 {
    use rand::RngExt;
    let (lo, hi) = range;
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
}
