//! Prediction metrics.
