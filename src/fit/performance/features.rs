//! The features of the performance model: what a learner's history before
//! a response says about it, laid out as one sparse row of a logistic
//! regression. One code path computes them for the batch fit, batch
//! prediction and the online state, so all three agree to the last bit.
//!
//! For a response on skill `k` (item `i`) after `w_k` correct and `f_k`
//! incorrect earlier answers on `k`, and `W`, `F` in total across skills:
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
//! The counts are those of PFA (Pavlik, Cen & Koedinger 2009) with the
//! log scaling of DAS3H (Choffin et al. 2019) and Best-LR's totals
//! (Gervet et al. 2020); the decayed counts stand in for DAS3H's time
//! windows when a log has no timestamps.

use serde::{Deserialize, Serialize};

use super::config::{MAX_GLOBAL_DECAYS, MAX_SKILL_DECAYS, PerformanceConfig};

/// The most nonzero features of one response.
pub(crate) const MAX_NNZ: usize =
    1 + SHARED.len() + 2 * MAX_SKILL_DECAYS + 2 * MAX_GLOBAL_DECAYS + 1 + 2 + 1;

/// The shared history features after the intercept, in weight order.
const SHARED: [&str; 11] = [
    "wins on the skill",
    "fails on the skill",
    "wins in total",
    "fails in total",
    "attempts on the skill",
    "first attempt",
    "run of wins on the skill",
    "run of fails on the skill",
    "responses since the skill's last",
    "previous answer, on another skill, correct",
    "previous answer, on another skill, incorrect",
];

/// ln(1 + n) for the counts below this, looked up rather than computed
/// (the online update's largest cost).
const LN1P_TABLE: usize = 1024;

static LN1P: std::sync::LazyLock<Vec<f64>> =
    std::sync::LazyLock::new(|| (0..LN1P_TABLE).map(|n| (n as f64).ln_1p()).collect());

/// ln(1 + n), the same value whether looked up or computed.
#[inline]
fn ln1p_count(n: u32) -> f64 {
    LN1P.get(n as usize)
        .copied()
        .unwrap_or_else(|| f64::from(n).ln_1p())
}

/// Where each feature lives in the weight vector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Layout {
    /// The model's skills.
    pub(crate) skills: u32,
    pub(crate) skill_decays: Vec<f64>,
    pub(crate) global_decays: Vec<f64>,
    pub(crate) per_skill_slopes: bool,
    /// The first item weight of each skill (`skills + 1` entries), or empty
    /// without item features.
    pub(crate) item_starts: Vec<u32>,
}

impl Layout {
    /// A layout for `skills` skills with `items[k]` items each (empty: no item features).
    pub(crate) fn new(config: &PerformanceConfig, skills: u32, items: &[u32]) -> Layout {
        let mut item_starts = Vec::new();
        if config.items && !items.is_empty() {
            item_starts.push(0);
            let mut total = 0u32;
            for &n in items {
                total = total.saturating_add(n);
                item_starts.push(total);
            }
        }
        Layout {
            skills,
            skill_decays: config.skill_decays.clone(),
            global_decays: config.global_decays.clone(),
            per_skill_slopes: config.per_skill_slopes,
            item_starts,
        }
    }

    /// The number of shared history features (after the global intercept).
    fn shared(&self) -> usize {
        SHARED.len() + 2 * self.skill_decays.len() + 2 * self.global_decays.len()
    }

    /// The first per-skill weight: weights before it are shared.
    pub(crate) fn skill_base(&self) -> usize {
        1 + self.shared()
    }

    fn slope_base(&self) -> usize {
        self.skill_base() + self.skills as usize
    }

    fn item_base(&self) -> usize {
        self.slope_base()
            + if self.per_skill_slopes {
                2 * self.skills as usize
            } else {
                0
            }
    }

    /// The number of weights.
    pub(crate) fn dim(&self) -> usize {
        self.item_base() + self.item_starts.last().copied().unwrap_or(0) as usize
    }

    /// Whether the layout has item features.
    pub(crate) fn has_items(&self) -> bool {
        !self.item_starts.is_empty()
    }

    /// A readable name of weight `j` (for reports and debugging).
    pub(crate) fn name(&self, j: usize) -> String {
        let first_decay = 1 + SHARED.len();
        let first_global = first_decay + 2 * self.skill_decays.len();
        let what = |j: usize| if j % 2 == 0 { "wins" } else { "fails" };
        match j {
            0 => "intercept".into(),
            j if j < first_decay => SHARED[j - 1].into(),
            j if j < first_global => {
                let d = (j - first_decay) / 2;
                format!(
                    "recent {} on the skill (rate {})",
                    what(j - first_decay),
                    self.skill_decays[d]
                )
            }
            j if j < self.skill_base() => {
                let d = (j - first_global) / 2;
                format!(
                    "recent {} across skills (rate {})",
                    what(j - first_global),
                    self.global_decays[d]
                )
            }
            j if j < self.slope_base() => format!("skill {}", j - self.skill_base()),
            j if j < self.item_base() => {
                let k = (j - self.slope_base()) / 2;
                format!("{} on skill {k}", what(j - self.slope_base()))
            }
            j => format!("item {}", j - self.item_base()),
        }
    }
}

/// A learner's history on one skill: counts and decayed counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct SkillHistory {
    pub(crate) wins: u32,
    pub(crate) fails: u32,
    /// The current run of equal answers: positive for wins, negative for fails.
    pub(crate) run: i32,
    /// The learner's total answers when this skill was last answered.
    pub(crate) seen_at: u32,
    /// (decayed wins, decayed fails) per skill decay rate.
    pub(crate) recent: [[f64; 2]; MAX_SKILL_DECAYS],
}

impl SkillHistory {
    /// Counts one more answer, decaying the older ones at each rate.
    #[inline]
    pub(crate) fn observe(&mut self, rates: &[f64], totals: &Totals, correct: bool) {
        if correct {
            self.wins = self.wins.saturating_add(1);
            self.run = self.run.max(0).saturating_add(1);
        } else {
            self.fails = self.fails.saturating_add(1);
            self.run = self.run.min(0).saturating_sub(1);
        }
        // Counted before the totals take this answer.
        self.seen_at = totals.wins.saturating_add(totals.fails).saturating_add(1);
        let (w, f) = if correct { (1.0, 0.0) } else { (0.0, 1.0) };
        for (recent, &r) in self.recent.iter_mut().zip(rates) {
            recent[0] = r * recent[0] + w;
            recent[1] = r * recent[1] + f;
        }
    }
}

/// A learner's history across skills.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Totals {
    pub(crate) wins: u32,
    pub(crate) fails: u32,
    /// (decayed wins, decayed fails) across skills per global decay rate.
    pub(crate) recent: [[f64; 2]; MAX_GLOBAL_DECAYS],
    /// Whether the latest answer (on any skill) was correct.
    pub(crate) last_correct: bool,
}

impl Totals {
    #[inline]
    pub(crate) fn observe(&mut self, rates: &[f64], correct: bool) {
        if correct {
            self.wins = self.wins.saturating_add(1);
        } else {
            self.fails = self.fails.saturating_add(1);
        }
        let (w, f) = if correct { (1.0, 0.0) } else { (0.0, 1.0) };
        for (recent, &r) in self.recent.iter_mut().zip(rates) {
            recent[0] = r * recent[0] + w;
            recent[1] = r * recent[1] + f;
        }
        self.last_correct = correct;
    }
}

/// One response's nonzero features.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Features {
    pub(crate) len: usize,
    pub(crate) idx: [u32; MAX_NNZ],
    pub(crate) val: [f64; MAX_NNZ],
}

impl Default for Features {
    fn default() -> Self {
        Features {
            len: 0,
            idx: [0; MAX_NNZ],
            val: [0.0; MAX_NNZ],
        }
    }
}

impl Features {
    #[inline]
    fn push(&mut self, idx: usize, val: f64) {
        // `MAX_NNZ` bounds what `emit` pushes; a full buffer drops the rest
        // rather than panic.
        if self.len < MAX_NNZ {
            self.idx[self.len] = idx as u32;
            self.val[self.len] = val;
            self.len += 1;
        }
    }

    /// The nonzero features as (index, value) pairs.
    pub(crate) fn pairs(&self) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.idx[..self.len]
            .iter()
            .zip(&self.val[..self.len])
            .map(|(&i, &v)| (i as usize, v))
    }

    /// The linear predictor: the weights times the features, in order.
    #[inline]
    pub(crate) fn dot(&self, weights: &[f64]) -> f64 {
        self.pairs()
            .map(|(i, v)| weights.get(i).copied().unwrap_or(0.0) * v)
            .sum()
    }
}

/// The features of a response on `skill` (a model skill, or `None` for a
/// skill the model was not fitted on: shared features only) and `item` (an
/// index into the skill's items, `None` when unknown), from the learner's
/// history on the skill and in total before it.
#[inline]
pub(crate) fn emit(
    layout: &Layout,
    skill: Option<u32>,
    item: Option<u32>,
    history: &SkillHistory,
    totals: &Totals,
    out: &mut Features,
) {
    out.len = 0;
    let ln_w = ln1p_count(history.wins);
    let ln_f = ln1p_count(history.fails);
    let attempts = history.wins.saturating_add(history.fails);
    out.push(0, 1.0);
    out.push(1, ln_w);
    out.push(2, ln_f);
    out.push(3, ln1p_count(totals.wins));
    out.push(4, ln1p_count(totals.fails));
    out.push(5, ln1p_count(attempts));
    out.push(6, if attempts == 0 { 1.0 } else { 0.0 });
    out.push(7, ln1p_count(history.run.max(0).unsigned_abs()));
    out.push(8, ln1p_count(history.run.min(0).unsigned_abs()));
    let answered = totals.wins.saturating_add(totals.fails);
    let gap = if history.seen_at == 0 {
        0
    } else {
        answered.saturating_sub(history.seen_at)
    };
    out.push(9, ln1p_count(gap));
    // The previous answer was on another skill when this skill was not the
    // last one answered (multi-skill problems appear as consecutive rows
    // with the same answer on different skills).
    let switched = answered > 0 && history.seen_at != answered;
    out.push(
        10,
        if switched && totals.last_correct {
            1.0
        } else {
            0.0
        },
    );
    out.push(
        11,
        if switched && !totals.last_correct {
            1.0
        } else {
            0.0
        },
    );
    let mut j = 1 + SHARED.len();
    for recent in history.recent.iter().take(layout.skill_decays.len()) {
        out.push(j, recent[0]);
        out.push(j + 1, recent[1]);
        j += 2;
    }
    for recent in totals.recent.iter().take(layout.global_decays.len()) {
        out.push(j, recent[0]);
        out.push(j + 1, recent[1]);
        j += 2;
    }
    let Some(k) = skill.filter(|&k| k < layout.skills) else {
        return;
    };
    let k = k as usize;
    out.push(layout.skill_base() + k, 1.0);
    if layout.per_skill_slopes {
        out.push(layout.slope_base() + 2 * k, ln_w);
        out.push(layout.slope_base() + 2 * k + 1, ln_f);
    }
    if let (Some(i), Some(&start), Some(&end)) = (
        item,
        layout.item_starts.get(k),
        layout.item_starts.get(k + 1),
    ) {
        if start + i < end {
            out.push(layout.item_base() + (start + i) as usize, 1.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(items: &[u32]) -> Layout {
        Layout::new(&PerformanceConfig::default(), items.len() as u32, items)
    }

    #[test]
    fn features_stay_inside_the_layout_and_names_cover_it() {
        let l = layout(&[2, 3]);
        let mut h = SkillHistory::default();
        let mut t = Totals::default();
        let mut f = Features::default();
        for step in 0..5 {
            emit(&l, Some(1), Some(2), &h, &t, &mut f);
            assert!(f.pairs().all(|(i, v)| i < l.dim() && v.is_finite()));
            h.observe(&l.skill_decays, &t, step % 2 == 0);
            t.observe(&l.global_decays, step % 2 == 0);
        }
        let shared = 1 + SHARED.len() + 4 + 4; // 2 skill decays, 2 global
        assert_eq!(f.len, shared + 4);
        assert_eq!(l.dim(), shared + 2 + 4 + 5);
        for j in 0..l.dim() {
            assert!(!l.name(j).is_empty());
        }
        assert_eq!(l.name(l.dim() - 1), "item 4");
        // Unknown skill: shared features only; unknown item: no item feature.
        emit(&l, None, None, &h, &t, &mut f);
        assert_eq!(f.len, shared);
        emit(&l, Some(0), Some(9), &h, &t, &mut f);
        assert_eq!(f.len, shared + 3);
    }

    #[test]
    fn looked_up_logs_equal_computed_ones() {
        for n in [0u32, 1, 7, 1023, 1024, 5000, u32::MAX] {
            assert_eq!(ln1p_count(n).to_bits(), f64::from(n).ln_1p().to_bits());
        }
    }

    #[test]
    fn decayed_counts_follow_the_rates() {
        let mut h = SkillHistory::default();
        let mut t = Totals::default();
        for c in [true, false, true, true] {
            h.observe(&[0.5], &t, c);
            t.observe(&[], c);
        }
        assert!((h.recent[0][0] - (1.0 + 0.5 + 0.125)).abs() < 1e-12);
        assert!((h.recent[0][1] - 0.25).abs() < 1e-12);
        assert_eq!((h.wins, h.fails, h.run, h.seen_at), (3, 1, 2, 4));
        assert!(t.last_correct);
    }
}
