//! Groupings for targeted instruction.

use std::collections::BTreeMap;

use rand::{RngExt, SeedableRng};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::Cohort;
use crate::curriculum::{StandardIdx, StandardSet};
use crate::error::{Error, Result};

/// Learners to teach together, what to teach them, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Group {
    /// Learner rows of the cohort.
    pub learners: Vec<usize>,
    /// The standards to teach the group.
    pub focus: Vec<StandardIdx>,
    /// Why these learners are together, in words.
    pub why: String,
}

/// A partition of a cohort's learners into groups: every learner is in exactly one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Grouping {
    /// The groups.
    pub groups: Vec<Group>,
}

impl Cohort {
    /// Groups learners by their next need toward `focus` (e.g. the grade-4
    /// standards): the first standard, in the curriculum's order, among
    /// `focus` and its prerequisites that the learner has not mastered (all
    /// its prerequisites are mastered, so the learner is ready for it; if it
    /// lies outside `focus`, the learner is blocked on it). Learners with
    /// everything mastered form extension groups.
    ///
    /// Groups larger than `max_size` are split evenly; groups smaller than
    /// `min_size` join the group whose need is nearest in the curriculum's
    /// order and still has room (or the nearest one, when none has room).
    /// O(learners x standards), parallel over learners.
    ///
    /// ```
    /// use mastery::{Curriculum, LearnerState, Model};
    /// use mastery::cohort::Cohort;
    ///
    /// let model = Model::builder(Curriculum::ccss_math()).build()?;
    /// let states: Vec<_> = (0..10).map(|i| LearnerState::new(&model, format!("l{i}"))).collect::<Result<_, _>>()?;
    /// let class = Cohort::from_states(&model, &states, 0)?;
    /// let grouping = class.group_by_need(&class.grade("4"), 3, 6)?;
    /// let sizes: Vec<usize> = grouping.groups.iter().map(|g| g.learners.len()).collect();
    /// assert_eq!(sizes.iter().sum::<usize>(), 10);
    /// assert!(sizes.iter().all(|&n| (3..=6).contains(&n)));
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for `min_size` 0 or above `max_size`;
    /// [`Error::IndexOutOfRange`] for a focus of another curriculum.
    pub fn group_by_need(
        &self,
        focus: &StandardSet,
        min_size: usize,
        max_size: usize,
    ) -> Result<Grouping> {
        if min_size == 0 || min_size > max_size {
            return Err(Error::InvalidValue {
                what: format!("group sizes {min_size} to {max_size}"),
                expected: "1 <= min_size <= max_size",
                value: min_size as f64,
            });
        }
        let curriculum = &self.curriculum;
        let closure = curriculum.prerequisite_closure(focus)?;
        let order: Vec<StandardIdx> = curriculum.in_order(&closure);
        let mut position = vec![usize::MAX; curriculum.len()];
        for (p, s) in order.iter().enumerate() {
            position[s.index()] = p;
        }
        let bar = self.mastered_threshold as f32;
        let needs: Vec<Option<StandardIdx>> = (0..self.len())
            .into_par_iter()
            .map(|l| {
                let row = self.mastery.row(l);
                order.iter().copied().find(|s| row[s.index()] < bar)
            })
            .collect();
        // Buckets in the curriculum's order; everything mastered last.
        let mut buckets: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (l, need) in needs.iter().enumerate() {
            buckets
                .entry(need.map_or(usize::MAX, |s| position[s.index()]))
                .or_default()
                .push(l);
        }
        // What the learners of bucket `key` are to learn, in words.
        let need_text = |key: usize| -> String {
            if key == usize::MAX {
                return "have mastered every focus standard".to_owned();
            }
            let s = order[key];
            let id = curriculum[s].id();
            if !focus.contains(s) {
                format!(
                    "are ready for {id}, which the focus standards build on and they have not mastered yet"
                )
            } else if curriculum
                .prerequisites(s)
                .is_ok_and(<[StandardIdx]>::is_empty)
            {
                format!("are ready for {id}, a starting point that needs nothing learned before it")
            } else {
                format!("are ready for {id}: they have mastered everything it builds on")
            }
        };
        let mastery_of = |l: usize, key: usize| {
            if key == usize::MAX {
                1.0
            } else {
                self.mastery.row(l)[order[key].index()]
            }
        };
        // (position key for nearness, learners, focus)
        let mut groups: Vec<(usize, Vec<usize>, Vec<StandardIdx>)> = Vec::new();
        for (key, mut learners) in buckets {
            // A bucket too large for one group is split by how far along its
            // learners are on their need, so each part can be taught at its level.
            learners.sort_by(|&a, &b| {
                mastery_of(b, key)
                    .total_cmp(&mastery_of(a, key))
                    .then(a.cmp(&b))
            });
            let focus_standards = if key == usize::MAX {
                Vec::new()
            } else {
                vec![order[key]]
            };
            let parts = learners.len().div_ceil(max_size).max(1);
            let base = learners.len() / parts;
            let extra = learners.len() % parts;
            let mut start = 0;
            for p in 0..parts {
                let size = base + usize::from(p < extra);
                let mut part = learners[start..start + size].to_vec();
                part.sort_unstable();
                groups.push((key, part, focus_standards.clone()));
                start += size;
            }
        }
        // Leftovers: the smallest undersized group joins the nearest group with room.
        // Each round removes an undersized group; when the bounds are infeasible
        // (e.g. sizes 3 to 4 for 5 learners) re-splitting could go around in
        // circles, so the rounds are capped.
        let mut rounds = 4 * groups.len() + 8;
        while groups.len() > 1 && rounds > 0 {
            rounds -= 1;
            let Some(small) = (0..groups.len())
                .filter(|&g| groups[g].1.len() < min_size)
                .min_by_key(|&g| (groups[g].1.len(), groups[g].0))
            else {
                break;
            };
            let distance = |g: usize| groups[g].0.abs_diff(groups[small].0);
            let fits = |g: usize| groups[g].1.len() + groups[small].1.len() <= max_size;
            let target = (0..groups.len())
                .filter(|&g| g != small)
                .min_by_key(|&g| (!fits(g), distance(g), groups[g].1.len(), g));
            let Some(target) = target else { break };
            let room = fits(target);
            let (_, learners, focus_standards) = groups.remove(small);
            let target = if target > small { target - 1 } else { target };
            let into = &mut groups[target];
            into.1.extend(learners);
            into.1.sort_unstable();
            let added: Vec<StandardIdx> = focus_standards
                .into_iter()
                .filter(|s| !into.2.contains(s))
                .collect();
            into.2.extend(added);
            if !room {
                // No group had room: split the merged group evenly instead of overfilling it.
                let merged = groups.remove(target);
                let parts = merged.1.len().div_ceil(max_size);
                let (base, extra) = (merged.1.len() / parts, merged.1.len() % parts);
                let mut start = 0;
                for p in 0..parts {
                    let size = base + usize::from(p < extra);
                    groups.insert(
                        target + p,
                        (
                            merged.0,
                            merged.1[start..start + size].to_vec(),
                            merged.2.clone(),
                        ),
                    );
                    start += size;
                }
                if groups.iter().all(|g| g.1.len() >= min_size) {
                    break;
                }
                if parts == 1 {
                    break; // nothing more can be done: fewer learners than the minimum size
                }
            }
        }
        let key_of = |l: usize| needs[l].map_or(usize::MAX, |s| position[s.index()]);
        // The lowest and highest mastery of a group's need among the group's
        // learners who have that need.
        let bounds = |learners: &[usize], key: usize| {
            learners.iter().filter(|&&l| key_of(l) == key).fold(
                (f64::INFINITY, f64::NEG_INFINITY),
                |(lo, hi), &l| {
                    let m = f64::from(mastery_of(l, key));
                    (lo.min(m), hi.max(m))
                },
            )
        };
        let whys: Vec<String> = groups
            .iter()
            .enumerate()
            .map(|(g, (key, learners, _))| {
                let mut why = format!("They {}.", need_text(*key));
                let (lo, hi) = bounds(learners, *key);
                let siblings: Vec<usize> = (0..groups.len())
                    .filter(|&h| groups[h].0 == *key)
                    .collect();
                // Groups split from one need can lie within a point of each
                // other: a decimal keeps "at 94%" and "at 94%" apart.
                let decimals = usize::from(siblings.len() > 1 && (hi - lo) * 100.0 < 2.0);
                let range = {
                    let scale = 10f64.powi(decimals as i32);
                    let (lo, hi) = (
                        (lo * 100.0 * scale).round() / scale,
                        (hi * 100.0 * scale).round() / scale,
                    );
                    if lo == hi {
                        format!("{lo:.decimals$}%")
                    } else {
                        format!("{lo:.decimals$}-{hi:.decimals$}%")
                    }
                };
                if siblings.len() > 1 {
                    let total = (0..self.len()).filter(|&l| key_of(l) == *key).count();
                    let n = siblings.len();
                    let i = siblings.iter().position(|&h| h == g).unwrap_or(0) + 1;
                    if *key == usize::MAX {
                        why += &format!(
                            " The {total} learners who have mastered them all are split into {n} groups of at most {max_size}; this is group {i} of {n}."
                        );
                    } else {
                        why += &format!(
                            " The {total} learners with this need are split into {n} groups of at most {max_size} by how far along they are on {}; this is group {i} of {n}, at {range}",
                            curriculum[order[*key]].id(),
                        );
                        let level_with: Vec<String> = siblings
                            .iter()
                            .enumerate()
                            .filter(|&(_, &h)| h != g && bounds(&groups[h].1, *key) == (lo, hi))
                            .map(|(j, _)| (j + 1).to_string())
                            .collect();
                        if level_with.is_empty() {
                            why += ".";
                        } else {
                            why += &format!(
                                ", like group {}: they are apart only to keep groups small.",
                                level_with.join(" and ")
                            );
                        }
                    }
                }
                if *key != usize::MAX && lo >= f64::from(bar) - crate::learner::ALMOST_BELOW_BAR {
                    why += &format!(
                        " They are almost there ({range}; mastered is {:.0}%): a short check may be all they need.",
                        f64::from(bar) * 100.0
                    );
                }
                let mut joined: BTreeMap<usize, usize> = BTreeMap::new();
                for &l in learners.iter().filter(|&&l| key_of(l) != *key) {
                    *joined.entry(key_of(l)).or_default() += 1;
                }
                if !joined.is_empty() {
                    let needs: Vec<String> = joined
                        .iter()
                        .map(|(&other, &count)| {
                            let need = if other == usize::MAX {
                                "nothing more among the focus standards"
                            } else {
                                curriculum[order[other]].id()
                            };
                            let who = if count == 1 { "learner" } else { "learners" };
                            format!("{need} ({count} {who})")
                        })
                        .collect();
                    why += &format!(
                        " Also here, with another need: {}; too few for a group of their own (at least {min_size}), they joined the group whose need is nearest.",
                        needs.join(", ")
                    );
                }
                why
            })
            .collect();
        Ok(Grouping {
            groups: groups
                .into_iter()
                .zip(whys)
                .map(|((_, learners, focus), why)| Group {
                    learners,
                    focus,
                    why,
                })
                .collect(),
        })
    }

    /// Groups learners into `k` clusters of similar mastery on `standards`
    /// (k-means with k-means++ seeding, Arthur & Vassilvitskii 2007; seeded,
    /// deterministic). A cluster that empties is given the point farthest from
    /// its center, so no group is empty. Each group's focus is its shared
    /// gaps: up to three standards where the group's mean mastery is below the
    /// bar, weakest first. O(iterations x learners x k x standards), at most
    /// 100 iterations.
    ///
    /// ```
    /// use mastery::{Curriculum, Evidence, LearnerState, Model, Outcome};
    /// use mastery::cohort::Cohort;
    ///
    /// let model = Model::builder(Curriculum::ccss_math()).build()?;
    /// let mut states = Vec::new();
    /// for i in 0..8 {
    ///     let mut s = LearnerState::new(&model, format!("l{i}"))?;
    ///     if i % 2 == 0 {
    ///         for t in 0..6 {
    ///             s.apply(&model, &Evidence::on_standard(format!("l{i}"), "4.NF.A.1", Outcome::Correct, t)?)?;
    ///         }
    ///     }
    ///     states.push(s);
    /// }
    /// let class = Cohort::from_states(&model, &states, 10)?;
    /// let grouping = class.group_by_profile(&class.grade("4"), 2, 7)?;
    /// assert_eq!(grouping.groups.len(), 2);
    /// assert!(grouping.groups.iter().all(|g| g.learners.len() == 4));
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for `k` of 0 or more than the learners, or an
    /// empty set of standards; [`Error::IndexOutOfRange`] for standards of
    /// another curriculum.
    pub fn group_by_profile(
        &self,
        standards: &StandardSet,
        k: usize,
        seed: u64,
    ) -> Result<Grouping> {
        if let Some(max) = standards.max() {
            self.curriculum.standard(max)?;
        }
        let columns: Vec<usize> = standards.iter().map(|s| s.index()).collect();
        if k == 0 || k > self.len() || columns.is_empty() {
            return Err(Error::InvalidValue {
                what: format!(
                    "k-means with k = {k} over {} learners and {} standards",
                    self.len(),
                    columns.len()
                ),
                expected: "1 <= k <= learners, and at least one standard",
                value: k as f64,
            });
        }
        let d = columns.len();
        let points: Vec<f32> = (0..self.len())
            .flat_map(|l| columns.iter().map(move |&c| (l, c)))
            .map(|(l, c)| self.mastery[[l, c]])
            .collect();
        let point = |i: usize| &points[i * d..(i + 1) * d];
        let distance = |a: &[f32], b: &[f32]| {
            a.iter()
                .zip(b)
                .map(|(x, y)| (f64::from(*x) - f64::from(*y)).powi(2))
                .sum::<f64>()
        };

        // k-means++ seeding.
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut centers: Vec<f32> = point(rng.random_range(0..self.len())).to_vec();
        let mut nearest: Vec<f64> = (0..self.len())
            .map(|i| distance(point(i), &centers[0..d]))
            .collect();
        while centers.len() < k * d {
            let total: f64 = nearest.iter().sum();
            let chosen = if total > 0.0 {
                let mut target = rng.random::<f64>() * total;
                nearest
                    .iter()
                    .position(|&w| {
                        target -= w;
                        target <= 0.0
                    })
                    .unwrap_or(self.len() - 1)
            } else {
                centers.len() / d // all points equal: any distinct row
            };
            let c = point(chosen).to_vec();
            for (i, n) in nearest.iter_mut().enumerate() {
                *n = n.min(distance(point(i), &c));
            }
            centers.extend(c);
        }

        // Lloyd's iterations.
        let mut assignment = vec![usize::MAX; self.len()];
        for _ in 0..100 {
            let next: Vec<usize> = (0..self.len())
                .into_par_iter()
                .map(|i| {
                    (0..k)
                        .min_by(|&a, &b| {
                            distance(point(i), &centers[a * d..(a + 1) * d])
                                .total_cmp(&distance(point(i), &centers[b * d..(b + 1) * d]))
                                .then(a.cmp(&b))
                        })
                        .unwrap_or(0)
                })
                .collect();
            let changed = next != assignment;
            assignment = next;
            // Refill empty clusters with the point farthest from its center
            // (taken from a cluster that keeps at least one point).
            let mut sizes = vec![0usize; k];
            for &a in &assignment {
                sizes[a] += 1;
            }
            for cluster in 0..k {
                if sizes[cluster] > 0 {
                    continue;
                }
                let farthest = (0..self.len())
                    .filter(|&i| sizes[assignment[i]] > 1)
                    .max_by(|&a, &b| {
                        let da = distance(
                            point(a),
                            &centers[assignment[a] * d..(assignment[a] + 1) * d],
                        );
                        let db = distance(
                            point(b),
                            &centers[assignment[b] * d..(assignment[b] + 1) * d],
                        );
                        da.total_cmp(&db).then(b.cmp(&a))
                    });
                if let Some(i) = farthest {
                    sizes[assignment[i]] -= 1;
                    sizes[cluster] += 1;
                    assignment[i] = cluster;
                }
            }
            let mut sums = vec![0.0f64; k * d];
            let mut counts = vec![0usize; k];
            for (i, &a) in assignment.iter().enumerate() {
                counts[a] += 1;
                for (s, x) in sums[a * d..(a + 1) * d].iter_mut().zip(point(i)) {
                    *s += f64::from(*x);
                }
            }
            for c in 0..k {
                if counts[c] > 0 {
                    for j in 0..d {
                        centers[c * d + j] = (sums[c * d + j] / counts[c] as f64) as f32;
                    }
                }
            }
            if !changed {
                break;
            }
        }

        let bar = self.mastered_threshold as f32;
        let groups = (0..k)
            .map(|c| {
                let learners: Vec<usize> =
                    (0..self.len()).filter(|&i| assignment[i] == c).collect();
                let mut gaps: Vec<(f32, StandardIdx)> = columns
                    .iter()
                    .enumerate()
                    .map(|(j, &col)| (centers[c * d + j], StandardIdx(col as u32)))
                    .filter(|&(m, _)| m < bar)
                    .collect();
                gaps.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                gaps.truncate(3);
                let focus: Vec<StandardIdx> = gaps.iter().map(|&(_, s)| s).collect();
                let names: Vec<String> = gaps
                    .iter()
                    .map(|&(m, s)| {
                        format!("{} ({:.0}% on average)", self.curriculum[s].id(), m * 100.0)
                    })
                    .collect();
                let why = if names.is_empty() {
                    "They have mastered these standards: time for extension work.".to_owned()
                } else {
                    format!("They share gaps in {}.", names.join(", "))
                };
                Group {
                    learners,
                    focus,
                    why,
                }
            })
            .collect();
        Ok(Grouping { groups })
    }
}
