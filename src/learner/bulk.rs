//! Many learners' evidence applied in one call: the ingestion path for a
//! batch read from a log or a learning record store.

use std::collections::HashMap;
use std::hash::BuildHasher;

use foldhash::HashMapExt as _;

use super::LearnerState;
use crate::error::{Error, Result};
use crate::evidence::{Evidence, Outcome, Source};
use crate::model::{self, Model, TargetIdx};

/// What [`LearnerState::apply_all`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Applied {
    /// Pieces of evidence applied.
    pub evidence: usize,
    /// Learners with evidence in the batch.
    pub learners: usize,
    /// Of those, learners that had no state yet: a new state was added for each.
    pub new_learners: usize,
}

/// One checked piece of evidence, waiting for its learner's turn.
#[derive(Clone, Copy)]
struct Pending {
    /// The learner's position in the batch's list of learners.
    learner: u32,
    target: TargetIdx,
    outcome: Outcome,
    source: Source,
    timestamp: i64,
}

/// A learner of the batch: its id and, for a learner `states` does not
/// have yet, the state made for it.
struct BatchLearner<'e> {
    id: &'e str,
    new: Option<LearnerState>,
}

impl LearnerState {
    /// Applies many learners' evidence to their states in `states` (keyed by
    /// learner id), adding a [`LearnerState::new`] state for a learner it
    /// does not have. The states end exactly as if each piece of evidence
    /// were applied in turn, in input order, with [`LearnerState::apply`]
    /// (out-of-order timestamps and repeated evidence included): learners are
    /// independent, so each learner's evidence is applied together, in input
    /// order. It is faster: each learner is looked up once per batch, each
    /// target resolved once, no [`UpdateReport`](super::UpdateReport) is
    /// built and propagation reuses its buffers.
    ///
    /// All evidence is checked first: on error no state changes and none is
    /// added.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use mastery::{Curriculum, Evidence, LearnerState, Model, Outcome};
    ///
    /// let model = Model::builder(Curriculum::ccss_math()).build()?;
    /// let t = 1_788_256_800;
    /// let evidence = [
    ///     Evidence::on_standard("ada", "3.NF.A.1", Outcome::Correct, t)?,
    ///     Evidence::on_standard("bo", "3.NF.A.1", Outcome::Incorrect, t)?,
    ///     Evidence::on_standard("ada", "3.NF.A.2", Outcome::Correct, t + 60)?,
    /// ];
    /// let mut states: HashMap<String, LearnerState> = HashMap::new();
    /// let applied = LearnerState::apply_all(&model, &mut states, &evidence)?;
    /// assert_eq!((applied.evidence, applied.new_learners), (3, 2));
    ///
    /// // The same states as applying one piece at a time.
    /// let mut ada = LearnerState::new(&model, "ada")?;
    /// ada.apply(&model, &evidence[0])?;
    /// ada.apply(&model, &evidence[2])?;
    /// assert_eq!(states["ada"], ada);
    ///
    /// // An unknown standard: an error naming it and its position; nothing changes.
    /// let bad = [Evidence::on_standard("ada", "9.ZZ.Z.9", Outcome::Correct, t)?];
    /// let err = LearnerState::apply_all(&model, &mut states, &bad).unwrap_err();
    /// assert!(err.to_string().contains("9.ZZ.Z.9"), "{err}");
    /// assert_eq!(states["ada"], ada);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// For the first piece of evidence (in input order) that
    /// [`LearnerState::apply`] would refuse: [`Error::UnknownEvidenceTarget`]
    /// with its position in the batch for an unknown standard or activity;
    /// [`Error::LearnerMismatch`] for a state in `states` under another
    /// learner's id; [`Error::CurriculumMismatch`] or [`Error::InvalidState`]
    /// for a state of another curriculum; [`Error::InvalidId`] for a learner
    /// id no state can have.
    pub fn apply_all<'e, S: BuildHasher>(
        model: &Model,
        states: &mut HashMap<String, LearnerState, S>,
        evidence: impl IntoIterator<Item = &'e Evidence>,
    ) -> Result<Applied> {
        let evidence = evidence.into_iter();
        let mut pending: Vec<Pending> = Vec::with_capacity(evidence.size_hint().0);
        let mut learners: Vec<BatchLearner<'e>> = Vec::new();
        let mut slots: foldhash::HashMap<&'e str, u32> = foldhash::HashMap::new();
        // The previous piece's learner: logs often hold runs of one learner.
        let mut last: Option<(&'e str, u32)> = None;
        for (position, e) in evidence.enumerate() {
            let id = e.learner();
            let learner = match last {
                Some((last_id, slot)) if last_id == id => slot,
                _ => {
                    let slot = match slots.get(id) {
                        Some(&slot) => slot,
                        None => {
                            let slot =
                                u32::try_from(learners.len()).map_err(|_| Error::InvalidState {
                                    what: "evidence batch",
                                    reason: format!("more than {} learners in one batch", u32::MAX),
                                })?;
                            learners.push(BatchLearner {
                                id,
                                new: checked_learner(model, states, id)?,
                            });
                            slots.insert(id, slot);
                            slot
                        }
                    };
                    last = Some((id, slot));
                    slot
                }
            };
            let target =
                model
                    .target_index(e.target())
                    .map_err(|source| Error::UnknownEvidenceTarget {
                        learner: id.to_owned(),
                        target: e.target().clone(),
                        timestamp: e.timestamp(),
                        position: Some(position),
                        source: Box::new(source),
                    })?;
            pending.push(Pending {
                learner,
                target,
                outcome: e.outcome(),
                source: e.source(),
                timestamp: e.timestamp(),
            });
        }
        // Each learner's evidence together, in input order: a counting sort
        // that moves the pieces, so that each learner's run is read in order.
        let mut starts = vec![0usize; learners.len() + 1];
        for p in &pending {
            starts[p.learner as usize + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut next = starts.clone();
        let mut sorted = pending.clone();
        for p in pending {
            let at = &mut next[p.learner as usize];
            sorted[*at] = p;
            *at += 1;
        }
        let mut scratch = model::PropagationScratch::default();
        let mut applied = Applied {
            evidence: sorted.len(),
            learners: learners.len(),
            new_learners: 0,
        };
        for (slot, learner) in learners.iter_mut().enumerate() {
            let state = match learner.new.as_mut() {
                Some(state) => state,
                // Checked above, and `states` has not changed since.
                None => match states.get_mut(learner.id) {
                    Some(state) => state,
                    None => continue,
                },
            };
            for p in &sorted[starts[slot]..starts[slot + 1]] {
                state.update(
                    model,
                    model.resolve_index(p.target),
                    p.outcome,
                    p.source,
                    p.timestamp,
                    None,
                    &mut scratch,
                );
            }
        }
        for learner in learners {
            if let Some(state) = learner.new {
                applied.new_learners += 1;
                states.insert(learner.id.to_owned(), state);
            }
        }
        Ok(applied)
    }
}

/// Checks that `states`' state of learner `id` (if any) takes evidence of
/// `id` under `model`; for a learner without a state, the new state.
fn checked_learner<S: BuildHasher>(
    model: &Model,
    states: &HashMap<String, LearnerState, S>,
    id: &str,
) -> Result<Option<LearnerState>> {
    match states.get(id) {
        Some(state) => {
            if state.learner != id {
                return Err(Error::LearnerMismatch {
                    expected: state.learner.clone(),
                    found: id.to_owned(),
                });
            }
            state.check(model)?;
            Ok(None)
        }
        None => LearnerState::new(model, id).map(Some),
    }
}
