//! A learner's mastery changes as xAPI statements, so a learning record
//! store can hold what the crate concluded.

use serde_json::{Value, json};

use crate::curriculum::{Curriculum, Standard};
use crate::evidence::xapi::{ADL_VERBS, Actor, StatementId};
use crate::learner::{MasteryChange, UpdateReport};
use crate::model::Model;
use crate::time::{DAY, Date, UtcOffset};

/// The result extension holding the estimate before the change.
pub const BEFORE_EXTENSION: &str = "urn:mastery:xapi:mastery-before";
/// The context extension naming why the estimate changed.
pub const CAUSE_EXTENSION: &str = "urn:mastery:xapi:cause";
/// The activity IRI prefix of a standard without a `case_uri` attribute.
pub const STANDARD_IRI_PREFIX: &str = "urn:mastery:standard:";

/// The activity IRI of a standard: its CASE `uri` when it came from a CASE
/// package, else [`STANDARD_IRI_PREFIX`] and the percent-encoded id.
#[must_use]
pub fn standard_iri(standard: &Standard) -> String {
    if let Some(uri) = standard.attribute("case_uri") {
        return uri.to_owned();
    }
    let mut iri = String::from(STANDARD_IRI_PREFIX);
    for b in standard.id().bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            iri.push(char::from(b));
        } else {
            iri.push_str(&format!("%{b:02X}"));
        }
    }
    iri
}

/// `2026-09-01T10:00:00Z`.
fn iso8601(timestamp: i64) -> String {
    let date = Date::from_unix(timestamp, UtcOffset::UTC);
    let s = timestamp.rem_euclid(DAY);
    format!("{date}T{:02}:{:02}:{:02}Z", s / 3600, s / 60 % 60, s % 60)
}

/// A statement id from what the statement says, so that exporting the same
/// change twice gives the same id (an LRS then keeps one).
fn statement_id(parts: &[&[u8]]) -> StatementId {
    let hash = |mut h: u64| {
        for part in parts {
            for &b in part.iter().chain(&[0xff]) {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        h
    };
    let bits =
        (u128::from(hash(0xcbf2_9ce4_8422_2325)) << 64) | u128::from(hash(0x8422_2325_cbf2_9ce4));
    // UUID version 8, RFC variant.
    let bits = (bits & !(0xf << 76) & !(0b11 << 62)) | (0x8 << 76) | (0b10 << 62);
    StatementId::from_u128(bits)
}

impl UpdateReport {
    /// The report's changes as xAPI 1.0.3 statements by `learner` at
    /// `timestamp`: verb `mastered` when an estimate crosses the model's
    /// mastered bar upwards, else `progressed`; `result.score.scaled` is the
    /// new estimate, the old one is in the [`BEFORE_EXTENSION`] result
    /// extension and the cause in the [`CAUSE_EXTENSION`] context extension.
    /// The object is the standard ([`standard_iri`]); the actor is
    /// [`Actor::from_learner_id`]. Ids are deterministic.
    ///
    /// ```
    /// use mastery::{Curriculum, Evidence, LearnerState, Model, Outcome};
    ///
    /// let model = Model::builder(Curriculum::ccss_math()).build()?;
    /// let mut ada = LearnerState::new(&model, "mailto:ada@example.org")?;
    /// let now = 1_788_256_800; // 2026-09-01T10:00:00Z
    /// let answer = Evidence::on_standard(ada.learner(), "K.CC.A.1", Outcome::Correct, now)?;
    /// let report = ada.apply(&model, &answer)?;
    /// let statements = report.to_xapi(&model, ada.learner(), now);
    /// assert_eq!(statements[0]["verb"]["id"], "http://adlnet.gov/expapi/verbs/progressed");
    /// assert_eq!(statements[0]["actor"]["mbox"], "mailto:ada@example.org");
    /// assert_eq!(statements[0]["object"]["id"], "urn:mastery:standard:K.CC.A.1");
    /// assert_eq!(statements[0]["timestamp"], "2026-09-01T10:00:00Z");
    /// # Ok::<(), mastery::Error>(())
    /// ```
    #[must_use]
    pub fn to_xapi(&self, model: &Model, learner: &str, timestamp: i64) -> Vec<Value> {
        let curriculum = model.curriculum();
        let actor = Actor::from_learner_id(learner).to_json();
        let bar = model.levels().mastered();
        self.changes
            .iter()
            .filter_map(|change| {
                change_statement(curriculum, &actor, learner, timestamp, bar, change)
            })
            .collect()
    }
}

fn change_statement(
    curriculum: &Curriculum,
    actor: &Value,
    learner: &str,
    timestamp: i64,
    bar: f64,
    change: &MasteryChange,
) -> Option<Value> {
    let standard = curriculum.standard(change.standard).ok()?;
    let mastered = change.before < bar && change.after >= bar;
    let verb = if mastered { "mastered" } else { "progressed" };
    let id = statement_id(&[
        learner.as_bytes(),
        standard.id().as_bytes(),
        &timestamp.to_le_bytes(),
        &change.after.to_bits().to_le_bytes(),
        verb.as_bytes(),
    ]);
    let mut result = json!({
        "score": {"scaled": change.after.clamp(0.0, 1.0)},
        "extensions": {BEFORE_EXTENSION: change.before},
    });
    if mastered {
        if let Some(r) = result.as_object_mut() {
            r.insert("success".into(), Value::Bool(true));
        }
    }
    Some(json!({
        "id": id.to_string(),
        "actor": actor,
        "verb": {"id": format!("{ADL_VERBS}{verb}"), "display": {"en-US": verb}},
        "object": {
            "objectType": "Activity",
            "id": standard_iri(standard),
            "definition": {
                "name": {"en-US": standard.label()},
                "type": "http://adlnet.gov/expapi/activities/objective",
            },
        },
        "result": result,
        "context": {"extensions": {CAUSE_EXTENSION: serde_json::to_value(change.cause).unwrap_or(Value::Null)}},
        "timestamp": iso8601(timestamp),
        "version": "1.0.3",
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_iris() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_788_256_800 + 61), "2026-09-01T10:01:01Z");
        assert_eq!(iso8601(-1), "1969-12-31T23:59:59Z");
        let s = Standard::new("HSA-SSE.A.1 b").unwrap();
        assert_eq!(standard_iri(&s), "urn:mastery:standard:HSA-SSE.A.1%20b");
        let id = statement_id(&[b"a"]).to_string();
        assert_eq!(&id[14..15], "8");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
    }
}
