//! A performance model beside BKT: logistic knowledge tracing over features
//! of each learner's history (the PFA / Best-LR / DAS3H family).
//!
//! BKT (the crate's [`Model`](crate::Model)) keeps one hidden mastery
//! state per standard and explains itself in those terms; the recommender
//! runs on it. A performance model does not estimate mastery: it predicts
//! the next answer from counts of the learner's earlier answers, on the
//! skill and across skills, and is usually the better predictor. Use it
//! for predictive analytics (who will struggle on what, early warnings),
//! and blend it with BKT ([`Blend`]) where a single P(correct) is wanted.
//!
//! # The model
//!
//! `P(correct) = sigmoid(w . x)`, with `x` the features of the learner's
//! history before the response:
//! skill (and item) intercepts; per-skill log(1 + wins) and log(1 + fails)
//! with shared and per-skill slopes (PFA, Pavlik, Cen & Koedinger 2009;
//! log-scaled as in DAS3H, Choffin et al. 2019); log(1 + wins) and
//! log(1 + fails) across all skills, a proxy of the learner's ability
//! (Best-LR, Gervet et al. 2020); attempts on the skill and a first-attempt
//! flag; the current run of equal answers and the number of answers on
//! other skills since the skill's last (spacing, counted in answers);
//! exponentially decayed counts of recent correct and incorrect answers on
//! the skill and across skills (recency, in place of DAS3H's time windows
//! when the log has no timestamps; rate 0 is the previous answer); and
//! whether the previous answer, on another skill, was right.
//!
//! On ASSISTments 2009 the last one matters most after the totals: the log
//! lists a problem tagged with several skills as consecutive rows with the
//! same answer, so the previous answer on another skill often *is* this
//! answer (77.7% of a learner's consecutive cross-skill pairs agree, 67.0%
//! of same-skill pairs). Deep models learn the same regularity; BKT, one
//! skill at a time, cannot. Expect a smaller lead on logs with one skill
//! per problem. A learner's responses are
//! ordered across skills by `order_id`, ties in file order, as pyBKT orders
//! them (load with [`DatasetOptions::keep_row_keys`](crate::fit::DatasetOptions::keep_row_keys);
//! without row keys, file order).
//!
//! For a response on skill `k` after `w_k` correct and `f_k` incorrect
//! earlier answers on `k`, and `W`, `F` in total across skills:
//!
//! | feature | value | weight |
//! |---|---|---|
//! | intercept | 1 | shared |
//! | wins on the skill | ln(1 + w_k) | shared (+ per skill) |
//! | fails on the skill | ln(1 + f_k) | shared (+ per skill) |
//! | wins in total | ln(1 + W) | shared |
//! | fails in total | ln(1 + F) | shared |
//! | attempts on the skill | ln(1 + w_k + f_k) | shared |
//! | first attempt | 1 if w_k + f_k = 0 | shared |
//! | run of wins / fails on the skill | ln(1 + length of the current streak of equal answers) | shared |
//! | responses since the skill's last | ln(1 + answers on other skills since) | shared |
//! | previous answer on another skill, correct / incorrect | 1 if the learner's previous answer was on another skill and right / wrong | shared |
//! | recent wins / fails on the skill, per rate r | sum of r^age over correct / incorrect answers | shared |
//! | recent wins / fails across skills, rate g | the same over all responses | shared |
//! | skill | 1 | per skill (an easiness) |
//! | item | 1 | per item (an easiness), with items |
//!
//! Fitted by L2-regularized logistic regression (a strictly convex problem,
//! one global optimum: deterministic, no restarts) with L-BFGS; see
//! [`PerformanceConfig`] for the settings.
//!
//! ## Assumptions
//!
//! - Each answer depends on the history only through the counts above: the
//!   order of older answers matters only through the decayed counts.
//! - Learning is a shared function of practice (the same slope for every
//!   learner); ability enters only through the learner's own totals, so a
//!   new learner starts at the population average.
//! - No prerequisite structure: skills interact only through the totals.
//! - Per-skill weights need enough responses per skill; the L2 penalty
//!   pulls rare skills toward the shared slopes.
//!
//! ## Cost
//!
//! Fit: building the features is one pass over the log (parallel over
//! learners); each L-BFGS iteration is one pass over about 15 nonzeros per
//! response (parallel over blocks of rows), typically 50-300 iterations.
//! Memory: about 15 x 12 bytes per training response. Prediction: one pass,
//! O(nonzeros) per response. Online: [`PerformanceState::observe`] is O(1),
//! [`PerformanceState::p_correct`] O(features); the state holds 64 bytes
//! per skill up to the highest one practiced.
//!
//! ## When to use which
//!
//! | model | when |
//! |---|---|
//! | BKT ([`fit`](crate::fit::fit)) | interpretable mastery per standard, recommendations, small logs |
//! | BKT + forgets | long sequences where performance drops between sessions |
//! | BKT + per-item guess/slip | logs with item ids and items of very different difficulty |
//! | performance model | the best P(correct) for analytics; learners with history on many skills |
//! | [`Blend`] | one P(correct) that keeps BKT's per-skill signal and the performance model's accuracy |
//!
//! `examples/evaluate.rs` fits them all on one log and prints their test
//! metrics side by side, so you can choose by evidence.
//!
//! ## References
//!
//! - Pavlik, Cen & Koedinger (2009). Performance Factors Analysis: a new
//!   alternative to knowledge tracing. AIED 2009.
//! - Choffin, Popineau, Bourda & Vie (2019). DAS3H: modeling student
//!   learning and forgetting for optimally scheduling distributed practice
//!   of skills. EDM 2019.
//! - Gervet, Koedinger, Schneider & Mitchell (2020). When is deep learning
//!   the best approach to knowledge tracing? JEDM 12(3).
//! - Liu & Nocedal (1989). On the limited memory BFGS method for large
//!   scale optimization. Mathematical Programming 45.

mod blend;
mod config;
pub(crate) mod features;
mod logistic;
mod model;
mod sequences;
mod state;

pub use blend::Blend;
pub use config::{MAX_GLOBAL_DECAYS, MAX_SKILL_DECAYS, PerformanceConfig, ValidPerformanceConfig};
pub use model::{
    PERFORMANCE_MODEL_FORMAT_VERSION, PerfItem, PerfSkill, PerformanceFitSummary, PerformanceModel,
    PerformancePredictions,
};
pub use state::{PERFORMANCE_STATE_FORMAT_VERSION, PerformanceState};
