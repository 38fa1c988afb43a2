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

use super::config::{MAX_SKILL_DECAYS, PerformanceConfig};

/// The most nonzero features of one response.
pub(crate) const MAX_NNZ: usize = 1 + 6 + 2 * MAX_SKILL_DECAYS + 2 + 1 + 2 + 1;

/// Where each feature lives in the weight vector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Layout {
    /// The model's skills.
    pub(crate) skills: u32,
    pub(crate) skill_decays: Vec<f64>,
    pub(crate) global_decay: Option<f64>,
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
            global_decay: config.global_decay,
            per_skill_slopes: config.per_skill_slopes,
            item_starts,
        }
    }

    /// The number of shared history features (after the global intercept).
    fn shared(&self) -> usize {
        6 + 2 * self.skill_decays.len() + if self.global_decay.is_some() { 2 } else { 0 }
    }

    fn skill_base(&self) -> usize {
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
        const SHARED: [&str; 6] = [
            "wins on the skill",
            "fails on the skill",
            "wins in total",
            "fails in total",
            "attempts on the skill",
            "first attempt",
        ];
        let decays = 2 * self.skill_decays.len();
        match j {
            0 => "intercept".into(),
            j if j <= 6 => SHARED[j - 1].into(),
            j if j <= 6 + decays => {
                let d = (j - 7) / 2;
                let what = if (j - 7) % 2 == 0 { "wins" } else { "fails" };
                format!("recent {what} on the skill (rate {})", self.skill_decays[d])
            }
            j if j < self.skill_base() => {
                let what = if j == 7 + decays { "wins" } else { "fails" };
                format!("recent {what} across skills")
            }
            j if j < self.slope_base() => format!("skill {}", j - self.skill_base()),
            j if j < self.item_base() => {
                let k = (j - self.slope_base()) / 2;
                let what = if (j - self.slope_base()) % 2 == 0 {
                    "wins"
                } else {
                    "fails"
                };
                format!("{what} on skill {k}")
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
    /// (decayed wins, decayed fails) per skill decay rate.
    pub(crate) recent: [[f64; 2]; MAX_SKILL_DECAYS],
}

impl SkillHistory {
    /// Counts one more answer, decaying the older ones at each rate.
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
    }
}

/// A learner's history across skills.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Totals {
    pub(crate) wins: u32,
    pub(crate) fails: u32,
    /// Decayed wins and fails across skills.
    pub(crate) recent: [f64; 2],
}

impl Totals {
    #[inline]
    pub(crate) fn observe(&mut self, rate: Option<f64>, correct: bool) {
        if correct {
            self.wins = self.wins.saturating_add(1);
        } else {
            self.fails = self.fails.saturating_add(1);
        }
        let r = rate.unwrap_or(0.0);
        let (w, f) = if correct { (1.0, 0.0) } else { (0.0, 1.0) };
        self.recent = [r * self.recent[0] + w, r * self.recent[1] + f];
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
    let (w, f) = (f64::from(history.wins), f64::from(history.fails));
    let ln_w = w.ln_1p();
    let ln_f = f.ln_1p();
    out.push(0, 1.0);
    out.push(1, ln_w);
    out.push(2, ln_f);
    out.push(3, f64::from(totals.wins).ln_1p());
    out.push(4, f64::from(totals.fails).ln_1p());
    out.push(5, (w + f).ln_1p());
    out.push(6, if w + f == 0.0 { 1.0 } else { 0.0 });
    let mut j = 7;
    for recent in history.recent.iter().take(layout.skill_decays.len()) {
        out.push(j, recent[0]);
        out.push(j + 1, recent[1]);
        j += 2;
    }
    if layout.global_decay.is_some() {
        out.push(j, totals.recent[0]);
        out.push(j + 1, totals.recent[1]);
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
            h.observe(&l.skill_decays, step % 2 == 0);
            t.observe(l.global_decay, step % 2 == 0);
        }
        assert_eq!(f.len, MAX_NNZ - 1 - 2); // 2 skill decays of 3
        assert_eq!(l.dim(), 1 + 6 + 4 + 2 + 2 + 4 + 5);
        for j in 0..l.dim() {
            assert!(!l.name(j).is_empty());
        }
        assert_eq!(l.name(l.dim() - 1), "item 4");
        // Unknown skill: shared features only; unknown item: no item feature.
        emit(&l, None, None, &h, &t, &mut f);
        assert_eq!(f.len, 1 + 6 + 4 + 2);
        emit(&l, Some(0), Some(9), &h, &t, &mut f);
        assert_eq!(f.len, 1 + 6 + 4 + 2 + 3);
    }

    #[test]
    fn decayed_counts_follow_the_rates() {
        let mut h = SkillHistory::default();
        for c in [true, false, true] {
            h.observe(&[0.5], c);
        }
        assert!((h.recent[0][0] - (1.0 + 0.25)).abs() < 1e-12);
        assert!((h.recent[0][1] - 0.5).abs() < 1e-12);
        assert_eq!((h.wins, h.fails), (2, 1));
    }
}
