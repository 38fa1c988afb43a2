//! The service's routes as a pure function from a request to a reply, over
//! a shared model and a learner store: no sockets here (`http.rs` has them),
//! so `tests/serve.rs` calls it directly.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use mastery::cohort::Cohort;
use mastery::evidence::xapi::{Alignment, XapiReader};
use mastery::export::heatmap_svg;
use mastery::recommend::{RecommendOptions, Recommender};
use mastery::store::{self, EvidenceId, LearnerStore, Recorded};
use mastery::{Error, Evidence, LearnerState, Model};
use ndarray::Array2;
use serde::Deserialize;
use serde_json::{Value, json};

/// The largest request body accepted, in bytes (413 beyond).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// The most pieces of evidence one POST may carry.
pub const MAX_BATCH: usize = 1_000;
/// Learner locks: a learner's writes take the lock its id hashes to, so two
/// requests for one learner never race; other learners rarely share one.
const LOCKS: usize = 256;

/// A request as the routes see it.
pub struct Request<'a> {
    /// `GET`, `POST`, ...
    pub method: &'a str,
    /// The path and query, e.g. `/learners/ada/next?count=3`.
    pub url: &'a str,
    /// The `Content-Type` header, if any.
    pub content_type: Option<&'a str>,
    /// The body (at most [`MAX_BODY_BYTES`]; the HTTP layer answers 413 beyond).
    pub body: &'a [u8],
    /// Seconds since the Unix epoch when no `now` parameter is given.
    pub now: i64,
}

/// A reply: status, content type and body.
#[derive(Debug)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// `application/json` or `text/html; charset=utf-8`.
    pub content_type: &'static str,
    /// The body.
    pub body: String,
}

impl Reply {
    fn json(status: u16, value: &Value) -> Self {
        Reply {
            status,
            content_type: "application/json",
            body: value.to_string(),
        }
    }

    /// An error reply: `{"error": message}`.
    pub fn error(status: u16, message: impl Into<String>) -> Self {
        Reply::json(status, &json!({ "error": message.into() }))
    }
}

/// The service's shared state: one model, one store, the learner locks.
pub struct App {
    model: Arc<Model>,
    recommender: Recommender<Arc<Model>>,
    store: Box<dyn LearnerStore>,
    locks: Vec<Mutex<()>>,
    /// Activity IRIs to standards and activities, for xAPI statements.
    alignment: Alignment,
}

/// One piece of evidence as posted: the client's unique id and the
/// evidence in the crate's JSON form.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Posted {
    id: EvidenceId,
    evidence: Evidence,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(Posted),
    Many(Vec<Posted>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewLearner {
    learner: String,
}

/// The status for a library error: 404 for unknown learners, 409 for
/// conflicts, 422 for well-formed requests the model cannot use, 503 when
/// the store fails.
fn status_of(e: &Error) -> u16 {
    match e {
        Error::UnknownLearner { .. } => 404,
        Error::VersionConflict { .. } | Error::DuplicateEvidence { .. } => 409,
        Error::Store { .. } | Error::Io { .. } => 503,
        _ => 422,
    }
}

fn fail(e: &Error) -> Reply {
    Reply::error(status_of(e), e.to_string())
}

/// The value of query parameter `key`, percent-decoded.
fn param(query: &str, key: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == key).then(|| decode(v))
    })
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |j: usize| {
            bytes
                .get(j)
                .and_then(|&c| char::from(c).to_digit(16))
                .map(|d| d as u8)
        };
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push(h * 16 + l);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn number<T: std::str::FromStr>(query: &str, key: &str, default: T) -> Result<T, Reply> {
    match param(query, key) {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| {
            Reply::error(
                400,
                format!("query parameter `{key}` is {v:?}, not a number"),
            )
        }),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

impl App {
    /// The service over `store` with `model`.
    pub fn new(model: Arc<Model>, store: Box<dyn LearnerStore>) -> Self {
        App {
            recommender: Recommender::new(model.clone()),
            model,
            store,
            locks: (0..LOCKS).map(|_| Mutex::new(())).collect(),
            alignment: Alignment::new(),
        }
    }

    /// The service that also takes xAPI statements (`POST /xapi/statements`)
    /// on the activities `alignment` maps.
    pub fn with_alignment(mut self, alignment: Alignment) -> Self {
        self.alignment = alignment;
        self
    }

    /// The store (tests look inside).
    pub fn store(&self) -> &dyn LearnerStore {
        &*self.store
    }

    fn lock(&self, learner: &str) -> std::sync::MutexGuard<'_, ()> {
        let mut h = DefaultHasher::new();
        learner.hash(&mut h);
        let i = (h.finish() % LOCKS as u64) as usize;
        // `i < LOCKS == locks.len()`; a poisoned lock guards no data.
        self.locks[i]
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Routes one request.
    pub fn handle(&self, req: &Request<'_>) -> Reply {
        let (path, query) = req.url.split_once('?').unwrap_or((req.url, ""));
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        match (req.method, parts.as_slice()) {
            ("GET", ["health"]) => Reply::json(200, &json!({ "ok": true })),
            ("POST", ["learners"]) => self.create(req),
            ("POST", ["evidence"]) => self.evidence(req),
            ("POST", ["xapi", "statements"]) => self.xapi(req),
            ("GET", ["learners", learner, "next"]) => self.next(&decode(learner), query, req.now),
            ("GET", ["learners", learner, "path"]) => self.path(&decode(learner), query, req.now),
            ("GET", ["report"]) => self.report(query, req.now),
            (_, ["health" | "learners" | "evidence" | "report"])
            | (_, ["learners", _, "next" | "path"]) => {
                Reply::error(405, format!("{} is not allowed on {path}", req.method))
            }
            _ => Reply::error(404, format!("no such route: {} {path}", req.method)),
        }
    }

    /// Parses a JSON body, with 415 for another content type and 400 for
    /// malformed JSON (serde's message has the line and column).
    fn body<T: for<'de> Deserialize<'de>>(req: &Request<'_>) -> Result<T, Reply> {
        let json = req
            .content_type
            .and_then(|c| c.split(';').next())
            .is_some_and(|c| c.trim().eq_ignore_ascii_case("application/json"));
        if !json {
            return Err(Reply::error(
                415,
                format!(
                    "the body must be JSON (Content-Type: application/json), not {}",
                    req.content_type.unwrap_or("a body without a Content-Type")
                ),
            ));
        }
        if req.body.len() > MAX_BODY_BYTES {
            return Err(Reply::error(
                413,
                format!("the body is larger than {MAX_BODY_BYTES} bytes"),
            ));
        }
        serde_json::from_slice(req.body)
            .map_err(|e| Reply::error(400, format!("malformed request JSON: {e}")))
    }

    fn create(&self, req: &Request<'_>) -> Reply {
        let body: NewLearner = match Self::body(req) {
            Ok(b) => b,
            Err(reply) => return reply,
        };
        let state = match LearnerState::new(&self.model, body.learner.as_str()) {
            Ok(s) => s,
            Err(e) => return Reply::error(422, e.to_string()),
        };
        let _guard = self.lock(&body.learner);
        match self.store.put(&state, None) {
            Ok(v) => Reply::json(201, &json!({ "learner": body.learner, "version": v.get() })),
            Err(Error::VersionConflict { .. }) => {
                Reply::error(409, format!("learner `{}` exists already", body.learner))
            }
            Err(e) => fail(&e),
        }
    }

    fn evidence(&self, req: &Request<'_>) -> Reply {
        let posted = match Self::body::<OneOrMany>(req) {
            Ok(OneOrMany::One(p)) => vec![p],
            Ok(OneOrMany::Many(many)) if many.is_empty() || many.len() > MAX_BATCH => {
                return Reply::error(
                    400,
                    format!(
                        "a batch holds 1 to {MAX_BATCH} pieces of evidence, not {}",
                        many.len()
                    ),
                );
            }
            Ok(OneOrMany::Many(many)) => many,
            Err(reply) => return reply,
        };
        // Every learner must exist; nothing is written otherwise.
        if let Err(reply) = self.all_exist(posted.iter().map(|p| p.evidence.learner())) {
            return reply;
        }
        if let [one] = posted.as_slice() {
            let _guard = self.lock(one.evidence.learner());
            return match store::record_existing(&*self.store, &self.model, &one.id, &one.evidence) {
                Ok(Recorded::Applied { version, report }) => Reply::json(
                    201,
                    &json!({
                        "id": one.id.as_str(), "recorded": "applied", "version": version.get(),
                        "explain": report.explain(self.model.curriculum()),
                    }),
                ),
                Ok(Recorded::Duplicate { learner }) => Reply::json(
                    200,
                    &json!({ "id": one.id.as_str(), "recorded": "duplicate", "learner": learner }),
                ),
                Ok(_) => Reply::error(500, "unexpected outcome"),
                Err(e) => fail(&e),
            };
        }
        let items: Vec<(EvidenceId, Evidence)> =
            posted.into_iter().map(|p| (p.id, p.evidence)).collect();
        match self.record_batch(&items) {
            Ok(results) => Reply::json(201, &json!({ "results": results })),
            Err(reply) => reply,
        }
    }

    /// xAPI statements (one, or an array): each usable one becomes evidence
    /// recorded under its statement id (so a statement sent twice counts
    /// once); the reply lists what was recorded and every statement skipped,
    /// with its index and why. Unknown learners are 404, as for `/evidence`.
    fn xapi(&self, req: &Request<'_>) -> Reply {
        let statements: Value = match Self::body(req) {
            Ok(v) => v,
            Err(reply) => return reply,
        };
        let array = match statements {
            Value::Array(items) if items.is_empty() || items.len() > MAX_BATCH => {
                return Reply::error(
                    400,
                    format!(
                        "a batch holds 1 to {MAX_BATCH} statements, not {}",
                        items.len()
                    ),
                );
            }
            Value::Array(items) => Value::Array(items),
            one @ Value::Object(_) => Value::Array(vec![one]),
            _ => return Reply::error(400, "the body must be a statement or an array of them"),
        };
        let text = array.to_string();
        let batch = match XapiReader::new(&self.alignment).read("statements", text.as_bytes()) {
            Ok(b) => b,
            Err(e) => return Reply::error(400, e.to_string()),
        };
        let mut skipped: Vec<Value> = batch
            .skipped
            .iter()
            .map(|s| {
                json!({ "index": s.index, "id": s.statement_id, "reason": s.reason.to_string() })
            })
            .collect();
        let mut items: Vec<(EvidenceId, Evidence)> = Vec::new();
        for e in batch.evidence {
            match e.statement_id.map(|id| EvidenceId::new(id.to_string())) {
                Some(Ok(id)) => items.push((id, e.evidence)),
                _ => skipped.push(json!({
                    "index": e.index, "id": null,
                    "reason": "a statement without an id cannot be recorded exactly once"
                })),
            }
        }
        if let Err(reply) = self.all_exist(items.iter().map(|(_, e)| e.learner())) {
            return reply;
        }
        if items.is_empty() {
            return Reply::json(200, &json!({ "recorded": [], "skipped": skipped }));
        }
        match self.record_batch(&items) {
            Ok(recorded) => Reply::json(201, &json!({ "recorded": recorded, "skipped": skipped })),
            Err(reply) => reply,
        }
    }

    /// `Ok` when every learner has a state; else 404 naming the first that
    /// has none (so a request about unknown learners writes nothing).
    fn all_exist<'l>(&self, learners: impl Iterator<Item = &'l str>) -> Result<(), Reply> {
        let mut learners: Vec<&str> = learners.collect();
        learners.sort_unstable();
        learners.dedup();
        for learner in learners {
            match self.store.get(&self.model, learner) {
                Ok(Some(_)) => {}
                Ok(None) => {
                    return Err(Reply::error(
                        404,
                        format!("unknown learner `{learner}`: create it with POST /learners"),
                    ));
                }
                Err(e) => return Err(fail(&e)),
            }
        }
        Ok(())
    }

    /// Records `items` in one commit; per item, applied (with the learner's
    /// new version) or a duplicate.
    fn record_batch(&self, items: &[(EvidenceId, Evidence)]) -> Result<Vec<Value>, Reply> {
        let done = store::record_batch(&*self.store, &self.model, items).map_err(|e| fail(&e))?;
        Ok(items
            .iter()
            .zip(done)
            .map(|((id, _), r)| match r {
                Recorded::Applied { version, .. } => {
                    json!({ "id": id.as_str(), "recorded": "applied", "version": version.get() })
                }
                _ => json!({ "id": id.as_str(), "recorded": "duplicate" }),
            })
            .collect())
    }

    fn learner(&self, learner: &str) -> Result<LearnerState, Reply> {
        match self.store.get(&self.model, learner) {
            Ok(Some(stored)) => Ok(stored.state),
            Ok(None) => Err(Reply::error(404, format!("unknown learner `{learner}`"))),
            Err(e) => Err(fail(&e)),
        }
    }

    fn next(&self, learner: &str, query: &str, now: i64) -> Reply {
        let (count, now) = match (number(query, "count", 5usize), number(query, "now", now)) {
            (Ok(c), Ok(n)) => (c.clamp(1, 50), n),
            (Err(r), _) | (_, Err(r)) => return r,
        };
        let state = match self.learner(learner) {
            Ok(s) => s,
            Err(r) => return r,
        };
        let mut options = RecommendOptions::new(now).count(count);
        if let Some(goal) = param(query, "goal") {
            options = options.goal(goal);
        }
        let curriculum = self.model.curriculum();
        match self.recommender.recommend(&state, &options) {
            Ok(recs) => {
                let items: Vec<Value> = recs
                    .items
                    .iter()
                    .map(|r| {
                        json!({
                            "activity": r.activity_id,
                            "kind": r.kind,
                            "standard": curriculum.standard(r.standard).map_or("?", |s| s.id()),
                            "reason": r.reason.explain(curriculum),
                            "p_success": r.p_success,
                            "minutes": r.minutes,
                        })
                    })
                    .collect();
                let stuck: Vec<&str> = recs
                    .wheel_spinning
                    .iter()
                    .map(|w| curriculum.standard(w.standard).map_or("?", |s| s.id()))
                    .collect();
                Reply::json(
                    200,
                    &json!({ "learner": learner, "next": items, "wheel_spinning": stuck }),
                )
            }
            Err(e) => fail(&e),
        }
    }

    fn path(&self, learner: &str, query: &str, now: i64) -> Reply {
        let Some(goal) = param(query, "goal") else {
            return Reply::error(400, "query parameter `goal` (a standard id) is missing");
        };
        let now = match number(query, "now", now) {
            Ok(n) => n,
            Err(r) => return r,
        };
        let state = match self.learner(learner) {
            Ok(s) => s,
            Err(r) => return r,
        };
        let curriculum = self.model.curriculum();
        match self.recommender.path_to(&state, goal.as_str(), now) {
            Ok(path) => {
                let steps: Vec<&str> = path
                    .steps
                    .iter()
                    .map(|s| curriculum.standard(s.standard).map_or("?", |x| x.id()))
                    .collect();
                Reply::json(
                    200,
                    &json!({
                        "learner": learner, "goal": goal, "steps": steps,
                        "opportunities": path.opportunities, "minutes": path.minutes,
                        "likely_minutes": path.likely_minutes,
                    }),
                )
            }
            Err(e) => fail(&e),
        }
    }

    fn report(&self, query: &str, now: i64) -> Reply {
        let grade = param(query, "grade").unwrap_or_else(|| "4".to_owned());
        let now = match number(query, "now", now) {
            Ok(n) => n,
            Err(r) => return r,
        };
        let learners = match param(query, "learners") {
            Some(list) => list.split(',').map(str::to_owned).collect(),
            None => match self.store.list() {
                Ok(all) => all,
                Err(e) => return fail(&e),
            },
        };
        let mut states = Vec::with_capacity(learners.len());
        for learner in &learners {
            match self.learner(learner) {
                Ok(s) => states.push(s),
                Err(r) => return r,
            }
        }
        let curriculum = self.model.curriculum();
        let class = match Cohort::from_states(&self.model, &states, now) {
            Ok(c) => c,
            Err(e) => return fail(&e),
        };
        let focus = class.grade(&grade);
        if focus.is_empty() {
            return Reply::error(
                422,
                format!("the curriculum has no standards of grade {grade:?}"),
            );
        }
        let report = match class.class_report(&focus) {
            Ok(r) => r,
            Err(e) => return fail(&e),
        };
        let columns = curriculum.in_order(&focus);
        let mastery = class.mastery();
        let values = Array2::from_shape_fn((class.len(), columns.len()), |(l, j)| {
            columns
                .get(j)
                .and_then(|s| mastery.get([l, s.index()]))
                .copied()
                .unwrap_or(0.0)
        });
        let labels: Vec<String> = columns
            .iter()
            .map(|&s| curriculum.standard(s).map_or("?", |x| x.id()).to_owned())
            .collect();
        let title = format!("Grade {grade} mastery by learner");
        let svg = match heatmap_svg(class.learners(), &labels, values.view(), &title) {
            Ok(svg) => svg,
            Err(e) => return fail(&e),
        };
        let markdown = report.to_markdown(curriculum, &format!("Class report: grade {grade}"));
        Reply {
            status: 200,
            content_type: "text/html; charset=utf-8",
            body: format!(
                "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{}</title></head><body>\n<h1>{}</h1>\n{svg}\n<pre>{}</pre>\n</body></html>\n",
                escape(&title),
                escape(&title),
                escape(&markdown)
            ),
        }
    }
}
