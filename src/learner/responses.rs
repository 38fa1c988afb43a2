//! One-step-ahead predictions for a learner's responses in order (the per-row path).

use super::*;

/// The prediction for one response of a log: the chance of a correct answer
/// made before seeing it, and the mastery estimate after it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Prediction {
    /// P(correct) from the evidence before this response (pyBKT's `correct_predictions`).
    pub p_correct: f64,
    /// The estimate for the next opportunity after this response: posterior,
    /// then the learn/forget transition (pyBKT's `state_predictions` of the
    /// learner's next response on the skill).
    pub p_mastery: f64,
}

/// Replays a response log in order, one [`LearnerState`] per learner, and
/// predicts each response before applying it: pyBKT's `predict`. Skills are
/// the model's standard ids; the log's order is the time order (no decay
/// between rows). With [`Model::plain_bkt`] the figures match pyBKT's.
///
/// ```
/// use mastery::{BktParams, Curriculum, Model, learner::predict_responses};
/// use mastery::evidence::{ResponseColumns, read_responses};
///
/// let skills = Curriculum::builder().standard_ids(["Median"])?.build()?;
/// let params = BktParams::new(0.35, 0.12, 0.0, 0.22, 0.1)?;
/// let model = Model::plain_bkt(skills, [("Median".to_owned(), params)])?;
/// let log = "order_id,user_id,skill_name,correct\n1,u1,Median,1\n2,u1,Median,0\n";
/// let rows = read_responses("log.csv", log.as_bytes(), &ResponseColumns::default())?;
/// let predictions = predict_responses(&model, &rows)?;
/// assert!((predictions[0].p_correct - params.p_correct(0.35)).abs() < 1e-7);
/// assert!((predictions[1].p_correct - params.p_correct(predictions[0].p_mastery)).abs() < 1e-7);
/// # Ok::<(), mastery::Error>(())
/// ```
///
/// # Errors
/// [`Error::UnknownStandard`], with the row's line, for a skill the model
/// does not have; [`Error::InvalidId`], with the line, for an empty learner
/// id. [`predict_responses_in`] also names the file.
pub fn predict_responses(
    model: &Model,
    responses: &[crate::evidence::Response],
) -> Result<Vec<Prediction>> {
    predict(model, None, responses)
}

/// As [`predict_responses`], for responses read from `file` (the name given
/// to [`read_responses`](crate::evidence::read_responses) or the path): every
/// error names the file and the row's line.
///
/// ```
/// use mastery::{BktParams, Curriculum, Model, learner::predict_responses_in};
/// use mastery::evidence::{ResponseColumns, read_responses};
///
/// let skills = Curriculum::builder().standard_ids(["Median"])?.build()?;
/// let model = Model::plain_bkt(skills, [("Median".to_owned(), BktParams::default())])?;
/// let log = "order_id,user_id,skill_name,correct\n1,u1,Median,1\n2,u1,Mode,0\n";
/// let rows = read_responses("log.csv", log.as_bytes(), &ResponseColumns::default())?;
/// let err = predict_responses_in(&model, "log.csv", &rows).unwrap_err();
/// assert_eq!(err.to_string(), "log.csv:3: unknown standard `Mode`");
/// # Ok::<(), mastery::Error>(())
/// ```
///
/// # Errors
/// As [`predict_responses`].
pub fn predict_responses_in(
    model: &Model,
    file: &str,
    responses: &[crate::evidence::Response],
) -> Result<Vec<Prediction>> {
    predict(model, Some(file.into()), responses)
}

pub(super) fn predict(
    model: &Model,
    file: Option<std::sync::Arc<str>>,
    responses: &[crate::evidence::Response],
) -> Result<Vec<Prediction>> {
    let mut states: std::collections::HashMap<&str, LearnerState> =
        std::collections::HashMap::new();
    let mut predictions = Vec::with_capacity(responses.len());
    let mut scratch = model::PropagationScratch::default();
    for row in responses {
        let at = || crate::Location::new(file.clone(), Some(row.line));
        let standard =
            model
                .curriculum()
                .index_of(&row.skill)
                .map_err(|_| Error::UnknownStandard {
                    id: row.skill.clone(),
                    at: at(),
                })?;
        let state = match states.entry(row.learner.as_str()) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let state = LearnerState::new(model, row.learner.clone()).map_err(|e| match e {
                    Error::InvalidId { id, reason, .. } => Error::InvalidId {
                        id,
                        reason,
                        at: at(),
                    },
                    other => other,
                })?;
                e.insert(state)
            }
        };
        let resolved = model.resolve_standard(standard);
        let p_correct = state
            .answer(model, resolved.answer)
            .p_correct(state.current(model, standard, 0));
        state.update(
            model,
            resolved,
            row.outcome,
            Source::Practice,
            0,
            None,
            &mut scratch,
        );
        predictions.push(Prediction {
            p_correct,
            p_mastery: state.mastery[standard.index()].get(),
        });
    }
    Ok(predictions)
}
