//! Shortfalls: why a list of recommendations came back shorter than asked for.

use std::ops::Deref;

use serde::{Deserialize, Serialize};

use super::rank::Ranking;
use super::{RecommendOptions, Recommendation, Recommender};
use crate::catalog::ActivityIdx;
use crate::curriculum::{Curriculum, StandardIdx, StandardSet};
use crate::model::Model;

/// Why a list came back shorter than asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Shortfall {
    /// Activities asked for.
    pub requested: usize,
    /// Activities that came back.
    pub returned: usize,
    /// Standards that need work now (every candidate, any reason).
    pub needs: usize,
    /// Needs with no activity in the catalog.
    pub without_activities: Vec<StandardIdx>,
    /// Needs whose only fitting activities were excluded by the options.
    pub excluded: Vec<StandardIdx>,
    /// Needs whose activities did not fit the time budget left.
    pub over_budget: Vec<StandardIdx>,
}

impl Shortfall {
    /// In words, e.g. "3 asked for, 1 came back: only 2 standards need work
    /// now; 4.NF.A.1 has no activity in the catalog."
    #[must_use]
    pub fn explain(&self, curriculum: &Curriculum) -> String {
        let ids = |list: &[StandardIdx]| -> String {
            let names: Vec<&str> = list
                .iter()
                .take(3)
                .map(|&s| curriculum.standard(s).map_or("?", |x| x.id()))
                .collect();
            let more = list.len().saturating_sub(3);
            if more > 0 {
                format!("{} and {more} more", names.join(", "))
            } else {
                names.join(", ")
            }
        };
        let mut parts = Vec::new();
        if self.needs < self.requested {
            parts.push(match self.needs {
                0 => "no standard needs work now".to_owned(),
                1 => "only 1 standard needs work now".to_owned(),
                n => format!("only {n} standards need work now"),
            });
        }
        if !self.without_activities.is_empty() {
            parts.push(format!(
                "{} {} no activity in the catalog",
                ids(&self.without_activities),
                if self.without_activities.len() == 1 {
                    "has"
                } else {
                    "have"
                }
            ));
        }
        if !self.excluded.is_empty() {
            parts.push(format!(
                "the activities for {} were excluded",
                ids(&self.excluded)
            ));
        }
        if !self.over_budget.is_empty() {
            parts.push(format!(
                "the activities for {} do not fit the time left",
                ids(&self.over_budget)
            ));
        }
        if parts.is_empty() {
            parts.push("every activity that serves these needs is in the list".to_owned());
        }
        format!(
            "{} asked for, {} came back: {}.",
            self.requested,
            self.returned,
            parts.join("; ")
        )
    }
}

impl<M: Deref<Target = Model>> Recommender<M> {
    /// Why the list came back shorter than `options.count`: the needs
    /// without activities, with only excluded ones, or with none that fit
    /// the time left.
    pub(super) fn shortfall(
        &self,
        ranking: &Ranking<'_>,
        items: &[Recommendation],
        options: &RecommendOptions,
    ) -> Shortfall {
        let catalog = self.model.catalog();
        let needs: StandardSet = ranking.candidates.iter().map(|c| c.standard).collect();
        let taken: Vec<ActivityIdx> = items.iter().map(|r| r.activity).collect();
        let mut shortfall = Shortfall {
            requested: options.count,
            returned: items.len(),
            needs: needs.len(),
            without_activities: Vec::new(),
            excluded: Vec::new(),
            over_budget: Vec::new(),
        };
        // The standards already in one of the three lists.
        let mut listed = StandardSet::with_capacity(self.model.curriculum().len());
        for c in &ranking.candidates {
            let s = c.standard;
            if listed.contains(s) {
                continue;
            }
            let all = catalog.for_standard(s);
            if all.is_empty() {
                shortfall.without_activities.push(s);
                listed.insert(s);
            } else if self
                .scored_activities(c, ranking, &taken, options)
                .next()
                .is_some()
            {
                // Something could serve it, but it was not picked: only the budget stops that.
                shortfall.over_budget.push(s);
                listed.insert(s);
            } else if all.iter().any(|a| ranking.excluded.contains(a)) {
                shortfall.excluded.push(s);
                listed.insert(s);
            }
        }
        shortfall
    }
}
