//! Building the dataset from read rows: skills by name, learners by id,
//! each learner's responses in order.

use std::sync::Arc;

use rayon::prelude::*;

use super::*;
use crate::error::{Error, Location, Result};

pub(super) fn build(
    file: Arc<str>,
    rows: Rows,
    keep_row_keys: bool,
) -> Result<(Dataset, LoadReport)> {
    let Rows {
        learners,
        skills,
        mut skill_items,
        rows,
        mut report,
        ..
    } = rows;
    let (learners, skill_names) = (learners.names, skills.names);
    let item_col = skill_items.iter().any(|items| !items.is_empty());
    report.rows_used = rows.len();
    if rows.is_empty() {
        return Err(Error::EmptyFile {
            file,
            detail: "no usable response rows",
        });
    }
    if rows.len() > u32::MAX as usize {
        return Err(Error::Csv {
            at: Location::new(Some(file), None),
            message: format!("{} rows; at most {} are supported", rows.len(), u32::MAX),
        });
    }

    // Skills by name, and within a skill learners by id as a string, as pyBKT orders them.
    let mut skill_order: Vec<u32> = (0..skill_names.len() as u32).collect();
    skill_order.sort_by(|&a, &b| skill_names[a as usize].cmp(&skill_names[b as usize]));
    let mut learner_rank = vec![0u32; learners.len()];
    let mut by_name: Vec<u32> = (0..learners.len() as u32).collect();
    by_name.sort_by(|&a, &b| learners[a as usize].cmp(&learners[b as usize]));
    for (rank, &l) in by_name.iter().enumerate() {
        learner_rank[l as usize] = rank as u32;
    }
    let mut skill_rank = vec![0u32; skill_names.len()];
    for (rank, &s) in skill_order.iter().enumerate() {
        skill_rank[s as usize] = rank as u32;
    }
    let index = group_rows(&rows, &skill_rank, &learner_rank);

    // Each skill's rows are one contiguous stretch of `index`: build them in parallel.
    let mut bounds = vec![0usize; skill_order.len() + 1];
    for row in &rows {
        bounds[skill_rank[row.skill as usize] as usize + 1] += 1;
    }
    for k in 0..skill_order.len() {
        bounds[k + 1] += bounds[k];
    }
    let items: Vec<Vec<String>> = skill_order
        .iter()
        .map(|&s| {
            if item_col {
                std::mem::take(&mut skill_items[s as usize])
            } else {
                vec![String::new()]
            }
        })
        .collect();
    let skills: Vec<SkillData> = skill_order
        .par_iter()
        .zip(items)
        .enumerate()
        .map(|(k, (&s, items))| {
            let stretch = &index[bounds[k]..bounds[k + 1]];
            let mut data = SkillData {
                name: skill_names[s as usize].clone(),
                items,
                starts: Vec::new(),
                learners: Vec::new(),
                correct: Vec::with_capacity(stretch.len()),
                item: Vec::with_capacity(stretch.len()),
                rows: Vec::with_capacity(stretch.len()),
            };
            let mut previous = None;
            for &r in stretch {
                let row = &rows[r as usize];
                if previous != Some(row.learner) {
                    data.starts.push(data.correct.len() as u32);
                    data.learners.push(row.learner);
                    previous = Some(row.learner);
                }
                data.correct.push(row.correct);
                data.item.push(row.item);
                data.rows.push(r);
            }
            data.starts.push(data.correct.len() as u32);
            data
        })
        .collect();
    let row_keys = keep_row_keys.then(|| {
        rows.par_iter()
            .map(|row| RowKey {
                order_id: row.order,
                learner: row.learner,
                skill: skill_rank[row.skill as usize],
            })
            .collect()
    });
    Ok((
        Dataset {
            skills,
            learners,
            rows: rows.len(),
            row_keys,
        },
        report,
    ))
}

/// Row indices grouped by (skill rank, learner rank), by `order_id` within a
/// group and file order among equal `order_id`s: a stable counting sort by
/// skill, then, per skill in parallel, a stable counting sort by learner
/// (a comparison sort when the skill has few rows for the number of
/// learners), then a sort by `order_id` of only those groups the file did
/// not already list in order. O(n) for the usual log.
fn group_rows(rows: &[Row], skill_rank: &[u32], learner_rank: &[u32]) -> Vec<u32> {
    let skills = skill_rank.len();
    let mut starts = vec![0usize; skills + 1];
    for row in rows {
        starts[skill_rank[row.skill as usize] as usize + 1] += 1;
    }
    for k in 0..skills {
        starts[k + 1] += starts[k];
    }
    let bounds = starts.clone();
    // (learner rank, row, order_id), read from the rows once, in file order per skill.
    let mut keys = vec![(0u32, 0u32, 0i64); rows.len()];
    for (r, row) in rows.iter().enumerate() {
        let slot = &mut starts[skill_rank[row.skill as usize] as usize];
        keys[*slot] = (learner_rank[row.learner as usize], r as u32, row.order);
        *slot += 1;
    }
    let mut parts: Vec<&mut [(u32, u32, i64)]> = Vec::with_capacity(skills);
    let mut rest = keys.as_mut_slice();
    for k in 0..skills {
        let (part, tail) = rest.split_at_mut(bounds[k + 1] - bounds[k]);
        parts.push(part);
        rest = tail;
    }
    let learners = learner_rank.len();
    parts.par_iter_mut().for_each(|part| {
        if learners <= 4 * part.len() {
            let mut counts = vec![0u32; learners + 1];
            for key in part.iter() {
                counts[key.0 as usize + 1] += 1;
            }
            for l in 0..learners {
                counts[l + 1] += counts[l];
            }
            let mut sorted = vec![(0u32, 0u32, 0i64); part.len()];
            for key in part.iter() {
                let slot = &mut counts[key.0 as usize];
                sorted[*slot as usize] = *key;
                *slot += 1;
            }
            part.copy_from_slice(&sorted);
        } else {
            part.sort_unstable_by_key(|key| (key.0, key.1));
        }
        // Each learner's rows, now in file order: sorted by order_id unless already so.
        for group in part.chunk_by_mut(|a, b| a.0 == b.0) {
            if group.windows(2).any(|w| w[0].2 > w[1].2) {
                group.sort_by_key(|key| key.2);
            }
        }
    });
    keys.into_iter().map(|(_, r, _)| r).collect()
}
