//! A dataset's rows regrouped by learner, in the order the learner gave
//! them across skills: by `order_id` when the dataset kept its row keys
//! ([`DatasetOptions::keep_row_keys`](crate::fit::DatasetOptions::keep_row_keys)),
//! ties (and datasets without row keys) in file order, as pyBKT orders rows.

use rayon::prelude::*;

use crate::fit::Dataset;

/// Per row: learner, skill, item (an index into the skill's items) and outcome.
pub(crate) struct LearnerRows {
    /// Row indices, learner after learner, each learner's in order.
    pub(crate) order: Vec<u32>,
    /// Learner `l`'s rows are `order[starts[l]..starts[l + 1]]` (learners
    /// without rows have an empty stretch).
    pub(crate) starts: Vec<usize>,
    pub(crate) skill: Vec<u32>,
    pub(crate) item: Vec<u32>,
    pub(crate) correct: Vec<bool>,
}

impl LearnerRows {
    pub(crate) fn new(data: &Dataset) -> LearnerRows {
        let n = data.len();
        let mut learner = vec![0u32; n];
        let mut skill = vec![0u32; n];
        let mut item = vec![0u32; n];
        let mut correct = vec![false; n];
        for (k, s) in data.skills().iter().enumerate() {
            for q in 0..s.sequence_count() {
                let l = s.sequence_learner(q);
                for ((&r, &c), &i) in s
                    .sequence_rows(q)
                    .iter()
                    .zip(s.sequence(q))
                    .zip(s.sequence_items(q))
                {
                    if let Some(slot) = learner.get_mut(r as usize) {
                        *slot = l;
                        skill[r as usize] = k as u32;
                        item[r as usize] = i;
                        correct[r as usize] = c == 1;
                    }
                }
            }
        }
        let mut order: Vec<u32> = (0..n as u32).collect();
        match data.row_keys() {
            Some(keys) if keys.len() == n => order.par_sort_unstable_by_key(|&r| {
                (learner[r as usize], keys[r as usize].order_id(), r)
            }),
            _ => order.par_sort_unstable_by_key(|&r| (learner[r as usize], r)),
        }
        let learners = data.learners().len();
        let mut starts = vec![0usize; learners + 1];
        for &l in &learner {
            if let Some(s) = starts.get_mut(l as usize + 1) {
                *s += 1;
            }
        }
        for l in 0..learners {
            starts[l + 1] += starts[l];
        }
        LearnerRows {
            order,
            starts,
            skill,
            item,
            correct,
        }
    }

    /// The number of learners (some may have no rows).
    pub(crate) fn learners(&self) -> usize {
        self.starts.len() - 1
    }

    /// Learner `l`'s rows, in order.
    pub(crate) fn of(&self, l: usize) -> &[u32] {
        &self.order[self.starts[l]..self.starts[l + 1]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::DatasetOptions;

    #[test]
    fn rows_follow_order_id_across_skills_ties_in_file_order() {
        let csv =
            "order_id,user_id,skill_name,correct\n5,a,B,1\n2,a,A,0\n2,a,C,1\n1,b,A,1\n9,a,A,1\n";
        let keep = DatasetOptions::default().keep_row_keys(true);
        let (data, _) = Dataset::from_reader("r.csv", csv.as_bytes(), &keep).unwrap();
        let rows = LearnerRows::new(&data);
        let a = data.learners().iter().position(|l| l == "a").unwrap();
        assert_eq!(rows.of(a), [1, 2, 0, 4]);
        // Without row keys: file order.
        let (data, _) =
            Dataset::from_reader("r.csv", csv.as_bytes(), &DatasetOptions::default()).unwrap();
        let rows = LearnerRows::new(&data);
        assert_eq!(rows.of(a), [0, 1, 2, 4]);
        assert_eq!(rows.learners(), 2);
        assert_eq!(rows.correct, [true, false, true, true, true]);
    }
}
