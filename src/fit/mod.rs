//! Fitting model parameters from response logs: a columnar dataset, EM
//! (Baum-Welch) for BKT, metrics and cross-validation.

pub mod metrics;
