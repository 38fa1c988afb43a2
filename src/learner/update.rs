//! Updates from evidence: fixed-point storage, updates at a time, single, batched and by index.

use super::*;

/// A probability in 32-bit fixed point: uniform absolute resolution of
/// 2.3e-10 over [0, 1], where `f32` would lose 6e-8 near 1 and drift from
/// pyBKT's figures over long sequences. Rounding is monotone, so the update
/// invariants survive storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Fixed(pub(super) u32);

impl Fixed {
    pub(super) const SCALE: f64 = u32::MAX as f64;

    pub(super) fn new(p: f64) -> Self {
        // `x.round() as u32` (halves away from zero; NaN to 0) without a
        // call to libm's `round`: `x - trunc(x)` is exact for x >= 0.
        let x = p.clamp(0.0, 1.0) * Self::SCALE;
        let whole = x as u32;
        Fixed(whole + u32::from(x - f64::from(whole) >= 0.5))
    }

    pub(super) fn get(self) -> f64 {
        f64::from(self.0) / Self::SCALE
    }
}

/// The learner's estimates as seen at one moment, for propagation.
pub(super) struct AtTime<'a> {
    pub(super) state: &'a mut LearnerState,
    pub(super) model: &'a Model,
    pub(super) now: i64,
    pub(super) report: Option<&'a mut Vec<MasteryChange>>,
    /// The practice record position the last `get` found, for the `set`
    /// that follows it (records do not move in between).
    pub(super) last: std::cell::Cell<Option<(StandardIdx, Option<usize>)>>,
}

impl MasteryAccess for AtTime<'_> {
    fn get(&self, standard: StandardIdx) -> f64 {
        let position = self.state.record_of(standard);
        self.last.set(Some((standard, position)));
        self.state
            .current_at(self.model, standard, self.now, position)
    }

    fn set(&mut self, standard: StandardIdx, mastery: f64, before: f64, cause: ChangeCause) {
        self.state.mastery[standard.index()] = Fixed::new(mastery);
        self.state.evidenced.insert(standard.index());
        let position = match self.last.take() {
            Some((s, position)) if s == standard => position,
            _ => self.state.record_of(standard),
        };
        if let Some(i) = position {
            // The decayed value has been materialized: decay restarts from
            // now, or from later evidence already applied (never backwards).
            let record = &mut self.state.records[i];
            record.updated_at = record.updated_at.max(self.now);
        }
        if let Some(report) = self.report.as_deref_mut() {
            report.push(MasteryChange {
                standard,
                before,
                after: mastery,
                cause,
            });
        }
    }
}

thread_local! {
    /// Propagation's buffers for the one-at-a-time updates of this thread.
    static SCRATCH: std::cell::RefCell<model::PropagationScratch> =
        std::cell::RefCell::default();
}

/// Runs `f` with this thread's propagation buffers, borrowed in place (a
/// move of the buffers in and out cost more than a plain update); fresh
/// ones, which allocate only when used, in a nested call or while the thread
/// is being torn down.
pub(super) fn with_scratch<R>(f: impl FnOnce(&mut model::PropagationScratch) -> R) -> R {
    let mut f = Some(f);
    let borrowed = SCRATCH.try_with(|cell| {
        let mut scratch = cell.try_borrow_mut().ok()?;
        f.take().map(|f| f(&mut scratch))
    });
    match (borrowed, f) {
        (Ok(Some(result)), _) => result,
        (_, Some(f)) => f(&mut model::PropagationScratch::default()),
        // `f` ran, so `borrowed` holds its result: matched above.
        (_, None) => unreachable!("with_scratch: f ran without a result"),
    }
}

impl LearnerState {
    /// Applies an outcome on one standard at `timestamp`: the fast path for
    /// callers that resolved the standard's index once (no report, no
    /// [`Evidence`] to build). Same update as [`LearnerState::apply`].
    ///
    /// ```
    /// use mastery::{Curriculum, LearnerState, Model, Outcome};
    ///
    /// let model = Model::builder(Curriculum::ccss_math()).build()?;
    /// let fractions = model.curriculum().index_of("3.NF.A.1")?;
    /// let mut ada = LearnerState::new(&model, "ada")?;
    /// let before = ada.mastery(&model, fractions)?;
    /// ada.apply_outcome(&model, fractions, Outcome::Correct, 1_700_000_000)?;
    /// assert!(ada.mastery(&model, fractions)? > before);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::CurriculumMismatch`], as [`StandardKey::resolve`], or
    /// [`Error::TimestampOutOfRange`] (see [`crate::time::MIN_TIMESTAMP`]).
    pub fn apply_outcome(
        &mut self,
        model: &Model,
        standard: impl StandardKey,
        outcome: Outcome,
        timestamp: i64,
    ) -> Result<()> {
        self.check(model)?;
        let idx = standard.resolve(model.curriculum())?;
        // The message is formatted only for a bad timestamp (the hot path).
        if !(crate::time::MIN_TIMESTAMP..=crate::time::MAX_TIMESTAMP).contains(&timestamp) {
            crate::time::check_timestamp(
                &format!("time of the outcome of learner `{}`", self.learner),
                timestamp,
            )?;
        }
        with_scratch(|scratch| {
            self.update(
                model,
                model.resolve_standard(idx),
                outcome,
                Source::Practice,
                timestamp,
                None,
                scratch,
            );
        });
        Ok(())
    }

    /// Applies one piece of evidence and reports what changed.
    ///
    /// # Errors
    /// [`Error::LearnerMismatch`] for another learner's evidence,
    /// [`Error::CurriculumMismatch`], or [`Error::UnknownEvidenceTarget`]
    /// (naming the learner, the evidence's target and time) for an unknown
    /// standard or activity. On error the state is unchanged.
    pub fn apply(&mut self, model: &Model, evidence: &Evidence) -> Result<UpdateReport> {
        let resolved = self.validate(model, evidence, None)?;
        let mut changes = Vec::with_capacity(resolved.standards.len());
        with_scratch(|scratch| {
            self.update(
                model,
                resolved,
                evidence.outcome(),
                evidence.source(),
                evidence.timestamp(),
                Some(&mut changes),
                scratch,
            );
        });
        Ok(UpdateReport {
            target: evidence.target().clone(),
            outcome: evidence.outcome(),
            source: evidence.source(),
            changes,
        })
    }

    /// Applies evidence in order, without reports. All evidence is validated
    /// first: on error nothing is applied.
    ///
    /// # Errors
    /// As [`LearnerState::apply`], for the first invalid piece of evidence
    /// (with its position in the batch).
    pub fn apply_batch(&mut self, model: &Model, evidence: &[Evidence]) -> Result<()> {
        for (i, e) in evidence.iter().enumerate() {
            self.validate(model, e, Some(i))?;
        }
        with_scratch(|scratch| {
            for e in evidence {
                // Validated above, and resolving is a pure look-up: this cannot fail.
                if let Ok(resolved) = model.resolve(e.target()) {
                    self.update(
                        model,
                        resolved,
                        e.outcome(),
                        e.source(),
                        e.timestamp(),
                        None,
                        scratch,
                    );
                }
            }
        });
        Ok(())
    }

    pub(super) fn validate<'m>(
        &self,
        model: &'m Model,
        evidence: &Evidence,
        position: Option<usize>,
    ) -> Result<Resolved<'m>> {
        if evidence.learner() != self.learner {
            return Err(Error::LearnerMismatch {
                expected: self.learner.clone(),
                found: evidence.learner().to_owned(),
            });
        }
        self.check(model)?;
        model
            .resolve(evidence.target())
            .map_err(|source| Error::UnknownEvidenceTarget {
                learner: evidence.learner().to_owned(),
                target: evidence.target().clone(),
                timestamp: evidence.timestamp(),
                position,
                source: Box::new(source),
            })
    }

    // The evidence's parts, the optional report and the reusable buffers:
    // a private function whose callers each hold them differently.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn update(
        &mut self,
        model: &Model,
        target: Resolved<'_>,
        outcome: Outcome,
        source: Source,
        now: i64,
        mut report: Option<&mut Vec<MasteryChange>>,
        scratch: &mut model::PropagationScratch,
    ) {
        self.engagement.record(now);
        let weight = model.source_weights().weight(source);
        let opportunity = model::is_opportunity(source);
        if let (Source::SelfReport, [standard]) = (source, target.standards) {
            self.profile.record_reflection(Reflection {
                standard: *standard,
                confidence: Confidence::from_credit(outcome.credit()),
                at: now,
            });
        }
        let propagating = !model.propagation().is_off();
        let mut sources = Vec::new();
        // With ability on, this answer is read with the learner's own answer
        // model and learn rates (the ability before it), then moves the ability.
        // With ability on: its parameters, the belief before this answer and
        // the typical answer model's logits (kept by the model).
        let individual = self.individual(model).map(|(p, b)| {
            let typical = target
                .logits
                .unwrap_or_else(|| AnswerLogits::of(target.answer.guess(), target.answer.slip()));
            (*p, b, typical)
        });
        let target = match individual {
            Some((_, belief, typical)) => Resolved {
                answer: belief.answer_with(target.answer, typical),
                ..target
            },
            None => target,
        };
        // The learn rate of an opportunity on `s`: the activity's own or the
        // standard's, this learner's with ability on (`None`: the standard's).
        let learn_of =
            |s: StandardIdx| model.opportunity_learn(s, target.learn, individual.map(|i| i.1));
        // Moves the ability by this answer; `known`: the chance the learner
        // knew all it asked.
        let observed = |known: f64| {
            individual
                .filter(|_| opportunity)
                .map(|(_, mut belief, typical)| {
                    belief.observe_logits(known, typical, outcome.credit(), weight);
                    belief
                })
        };
        if let [standard] = *target.standards {
            let before = self.current(model, standard, now);
            if let Some(belief) = observed(before) {
                self.ability = Some(belief);
            }
            let (known, unknown) =
                model::temper(scratch.likelihoods(target.answer, outcome), weight);
            let after = self.practice_update(
                model,
                standard,
                model::posterior(before, known, unknown),
                outcome,
                opportunity.then(|| learn_of(standard)),
                now,
            );
            if let Some(r) = report.as_deref_mut() {
                r.push(MasteryChange {
                    standard,
                    before,
                    after,
                    cause: ChangeCause::Attempted,
                });
            }
            if !propagating {
                return;
            }
            sources.push(PropagationSource {
                standard,
                before,
                known,
                unknown,
            });
        } else {
            let befores: Vec<f64> = target
                .standards
                .iter()
                .map(|&s| self.current(model, s, now))
                .collect();
            if let Some(belief) = observed(befores.iter().product()) {
                self.ability = Some(belief);
            }
            let mut posteriors = Vec::with_capacity(befores.len());
            model::conjunctive_update(&befores, target.answer, outcome, weight, &mut posteriors);
            for ((&standard, &before), &(posterior, known, unknown)) in
                target.standards.iter().zip(&befores).zip(&posteriors)
            {
                let after = self.practice_update(
                    model,
                    standard,
                    posterior,
                    outcome,
                    opportunity.then(|| learn_of(standard)),
                    now,
                );
                if let Some(r) = report.as_deref_mut() {
                    r.push(MasteryChange {
                        standard,
                        before,
                        after,
                        cause: ChangeCause::Attempted,
                    });
                }
                sources.push(PropagationSource {
                    standard,
                    before,
                    known,
                    unknown,
                });
            }
            if !propagating {
                return;
            }
        }
        let mut access = AtTime {
            state: self,
            model,
            now,
            report,
            last: std::cell::Cell::new(None),
        };
        model::propagate(
            model.curriculum(),
            model.propagation(),
            &sources,
            &mut access,
            scratch,
        );
    }

    /// Stores the transition of `posterior` for a practiced standard and
    /// updates its record; returns the new estimate. `opportunity` is `None`
    /// for evidence that is not a practice opportunity (a self-report: the
    /// posterior itself is stored, the attempt counters and the half-life
    /// stay), else the learn rate of this opportunity if it is not the
    /// standard's (an activity's own, or this learner's with ability on).
    pub(super) fn practice_update(
        &mut self,
        model: &Model,
        standard: StandardIdx,
        posterior: f64,
        outcome: Outcome,
        opportunity: Option<Option<f64>>,
        now: i64,
    ) -> f64 {
        let params = &model.all_params()[standard.index()];
        let after = match opportunity {
            None => posterior,
            Some(None) => params.transition(posterior),
            Some(Some(learn)) => params.transition_at(posterior, learn),
        };
        let opportunity = opportunity.is_some();
        let after = Fixed::new(after);
        self.mastery[standard.index()] = after;
        self.evidenced.insert(standard.index());
        let credit = outcome.credit();
        let initial_half_life = model.decay().map_or(1.0, |d| d.half_life_days());
        let position = match self.record_position(standard) {
            Ok(i) => i,
            Err(i) => {
                self.recorded.insert(standard.index());
                self.records.insert(
                    i,
                    PracticeRecord {
                        standard,
                        attempts: 0,
                        correct: 0,
                        credit: 0.0,
                        practiced_at: now,
                        updated_at: now,
                        half_life_days: initial_half_life as f32,
                    },
                );
                i
            }
        };
        let record = &mut self.records[position];
        if !opportunity {
            // The decayed value has been materialized: decay restarts from
            // now, or from later evidence already applied (never backwards).
            record.updated_at = record.updated_at.max(now);
            return after.get();
        }
        if let Some(decay) = model.decay() {
            let since = (record.attempts > 0).then(|| now.saturating_sub(record.practiced_at));
            record.half_life_days =
                decay.next_half_life(f64::from(record.half_life_days), since, credit >= 0.5) as f32;
        }
        record.attempts = record.attempts.saturating_add(1);
        record.correct = record.correct.saturating_add(u32::from(credit == 1.0));
        record.credit += credit as f32;
        // Evidence may arrive out of order: the times stay those of the
        // latest evidence, whatever order it came in.
        record.practiced_at = record.practiced_at.max(now);
        record.updated_at = record.updated_at.max(now);
        after.get()
    }
}
