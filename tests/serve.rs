//! The reference service (`examples/serve`): bad input gets a 4xx with a
//! precise message and changes nothing; good input is recorded once; the
//! HTTP layer caps bodies and stops when told to.

#[allow(dead_code)]
#[path = "../examples/serve/api.rs"]
mod api;
#[allow(dead_code)]
#[path = "../examples/serve/client.rs"]
mod client;
#[allow(dead_code)]
#[path = "../examples/serve/http.rs"]
mod http;

use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use api::{App, Reply, Request};
use mastery::store::{DiskStore, LearnerStore, MemoryStore};
use mastery::{Catalog, Curriculum, Model};

const NOW: i64 = 1_700_000_000;

fn model() -> Arc<Model> {
    let ccss = Curriculum::ccss_math();
    Arc::new(
        Model::builder(ccss.clone())
            .catalog(Catalog::demo(&ccss, 1))
            .build()
            .unwrap(),
    )
}

fn call(app: &App, method: &str, url: &str, content_type: Option<&str>, body: &str) -> Reply {
    app.handle(&Request {
        method,
        url,
        content_type,
        body: body.as_bytes(),
        now: NOW,
    })
}

fn post(app: &App, url: &str, body: &str) -> Reply {
    call(app, "POST", url, Some("application/json"), body)
}

fn evidence(id: &str, learner: &str, standard: &str) -> String {
    format!(
        r#"{{"id":"{id}","evidence":{{"learner":"{learner}","target":{{"standard":"{standard}"}},"outcome":"correct","timestamp":{NOW}}}}}"#
    )
}

/// Everything the store holds: learners with versions and journals.
fn snapshot(app: &App, model: &Model) -> Vec<(String, u64, usize)> {
    let store = app.store();
    store
        .list()
        .unwrap()
        .into_iter()
        .map(|l| {
            let v = store.get(model, &l).unwrap().unwrap().version.get();
            let n = store.history(&l).unwrap().entries.len();
            (l, v, n)
        })
        .collect()
}

#[test]
fn bad_input_gets_a_precise_4xx_and_changes_nothing() {
    let model = model();
    let app = App::new(model.clone(), Box::new(MemoryStore::new()));
    assert_eq!(post(&app, "/learners", r#"{"learner":"ada"}"#).status, 201);
    assert_eq!(
        post(&app, "/evidence", &evidence("e1", "ada", "3.NF.A.1")).status,
        201
    );
    let before = snapshot(&app, &model);
    let huge = format!(
        "[{}]",
        vec![evidence("x", "ada", "3.NF.A.1"); 1000].join(",")
    );
    let cases: Vec<(Reply, u16, &str)> = vec![
        (
            post(&app, "/evidence", r#"{"id":"e2","#),
            400,
            "malformed request JSON: EOF while parsing",
        ),
        (
            post(&app, "/evidence", "[1, 2"),
            400,
            "malformed request JSON",
        ),
        (
            post(
                &app,
                "/evidence",
                r#"{"id":"e2","evidence":{"learner":"ada"},"extra":1}"#,
            ),
            400,
            "malformed request JSON",
        ),
        (
            post(&app, "/evidence", &evidence("", "ada", "3.NF.A.1")),
            400,
            "malformed request JSON",
        ),
        (
            post(&app, "/evidence", &evidence("e2", "nobody", "3.NF.A.1")),
            404,
            "unknown learner `nobody`: create it with POST /learners",
        ),
        (
            post(&app, "/evidence", &evidence("e2", "ada", "9.XX.Z.1")),
            422,
            "evidence of learner `ada` on standard 9.XX.Z.1 at 1700000000: unknown standard `9.XX.Z.1`",
        ),
        (
            post(
                &app,
                "/evidence",
                &format!(
                    "[{},{}]",
                    evidence("e3", "ada", "3.NF.A.1"),
                    evidence("e4", "ada", "9.XX")
                ),
            ),
            422,
            "(item 1 of the batch): unknown standard `9.XX`",
        ),
        (
            post(&app, "/evidence", "[]"),
            400,
            "a batch holds 1 to 1000 pieces of evidence, not 0",
        ),
        (
            post(&app, "/evidence", &huge),
            413,
            "the body is larger than 65536 bytes",
        ),
        (
            call(
                &app,
                "POST",
                "/evidence",
                Some("text/plain"),
                &evidence("e2", "ada", "3.NF.A.1"),
            ),
            415,
            "the body must be JSON (Content-Type: application/json), not text/plain",
        ),
        (
            call(&app, "POST", "/evidence", None, "{}"),
            415,
            "not a body without a Content-Type",
        ),
        (
            post(&app, "/learners", r#"{"learner":"ada"}"#),
            409,
            "learner `ada` exists already",
        ),
        (
            post(&app, "/learners", r#"{"learner":""}"#),
            422,
            "it is empty",
        ),
        (
            post(&app, "/learners", r#"{"name":"x"}"#),
            400,
            "unknown field `name`",
        ),
        (
            call(&app, "GET", "/learners/nobody/next", None, ""),
            404,
            "unknown learner `nobody`",
        ),
        (
            call(&app, "GET", "/learners/ada/next?count=many", None, ""),
            400,
            "query parameter `count` is \"many\", not a number",
        ),
        (
            call(&app, "GET", "/learners/ada/next?goal=9.XX", None, ""),
            422,
            "unknown standard `9.XX`",
        ),
        (
            call(&app, "GET", "/learners/ada/path", None, ""),
            400,
            "query parameter `goal` (a standard id) is missing",
        ),
        (
            call(&app, "GET", "/learners/ada/path?goal=9.XX", None, ""),
            422,
            "unknown standard `9.XX`",
        ),
        (
            call(&app, "GET", "/report?learners=ada,nobody", None, ""),
            404,
            "unknown learner `nobody`",
        ),
        (
            call(&app, "GET", "/report?grade=13", None, ""),
            422,
            "no standards of grade \"13\"",
        ),
        (
            call(&app, "DELETE", "/evidence", None, ""),
            405,
            "DELETE is not allowed on /evidence",
        ),
        (
            call(&app, "GET", "/nowhere", None, ""),
            404,
            "no such route: GET /nowhere",
        ),
    ];
    for (i, (reply, status, message)) in cases.iter().enumerate() {
        assert_eq!(reply.status, *status, "case {i}: {}", reply.body);
        assert_eq!(reply.content_type, "application/json");
        let body: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
        let error = body["error"].as_str().unwrap();
        assert!(
            error.contains(message),
            "case {i}: {error:?} lacks {message:?}"
        );
    }
    assert_eq!(
        snapshot(&app, &model),
        before,
        "bad input changed the store"
    );
}

#[test]
fn evidence_is_recorded_once_and_read_back() {
    let model = model();
    let app = App::new(model.clone(), Box::new(MemoryStore::new()));
    assert_eq!(post(&app, "/learners", r#"{"learner":"ada"}"#).status, 201);
    let first = post(&app, "/evidence", &evidence("e1", "ada", "3.NF.A.1"));
    assert_eq!(first.status, 201, "{}", first.body);
    assert!(first.body.contains("raised your mastery"));
    let again = post(&app, "/evidence", &evidence("e1", "ada", "3.NF.A.1"));
    assert_eq!(again.status, 200);
    assert!(again.body.contains(r#""recorded":"duplicate""#));
    let batch = format!(
        "[{},{},{}]",
        evidence("e2", "ada", "3.NF.A.2"),
        evidence("e1", "ada", "3.NF.A.1"),
        evidence("e3", "ada", "3.NF.A.3")
    );
    let reply = post(&app, "/evidence", &batch);
    assert_eq!(reply.status, 201);
    let body: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    let recorded: Vec<&str> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["recorded"].as_str().unwrap())
        .collect();
    assert_eq!(recorded, ["applied", "duplicate", "applied"]);
    assert_eq!(app.store().history("ada").unwrap().entries.len(), 3);

    let next = call(
        &app,
        "GET",
        "/learners/ada/next?count=3&now=1700000100",
        None,
        "",
    );
    assert_eq!(next.status, 200);
    let body: serde_json::Value = serde_json::from_str(&next.body).unwrap();
    assert_eq!(body["next"].as_array().unwrap().len(), 3);
    assert!(body["next"][0]["reason"].as_str().unwrap().len() > 10);
    let path = call(&app, "GET", "/learners/ada/path?goal=4.NF.A.2", None, "");
    assert_eq!(path.status, 200);
    assert!(path.body.contains(r#""goal":"4.NF.A.2""#));
    let report = call(&app, "GET", "/report?grade=3", None, "");
    assert_eq!(report.status, 200);
    assert_eq!(report.content_type, "text/html; charset=utf-8");
    assert!(report.body.contains("<svg") && report.body.contains("Class report: grade 3"));
}

#[test]
fn the_http_layer_caps_bodies_and_stops_cleanly() {
    let dir = std::env::temp_dir().join(format!("mastery-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("learners.redb");
    let model = model();
    let app = Arc::new(App::new(
        model.clone(),
        Box::new(DiskStore::open(&path).unwrap()),
    ));
    let listener = http::listen("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let serving = {
        let (app, stop) = (app.clone(), stop.clone());
        std::thread::spawn(move || http::serve(app, listener, stop))
    };
    let mut c = client::Client::connect(addr).unwrap();
    assert_eq!(
        c.post_json("/learners", r#"{"learner":"ada"}"#).unwrap().0,
        201
    );
    assert_eq!(
        c.post_json("/evidence", &evidence("h1", "ada", "3.NF.A.1"))
            .unwrap()
            .0,
        201
    );
    let (status, body) = c.get("/learners/ada/next?count=2").unwrap();
    assert_eq!(status, 200, "{body}");
    // Malformed HTTP: each gets its status and the connection is closed.
    for (raw, status) in [
        ("NONSENSE\r\n\r\n", "400"),
        // A declared length over the cap is refused before the body is sent.
        (
            "POST /evidence HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n",
            "413",
        ),
        (
            "POST /evidence HTTP/1.1\r\nContent-Length: ten\r\n\r\n",
            "400",
        ),
        (
            "POST /evidence HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
            "411",
        ),
        (
            &format!(
                "GET /health HTTP/1.1\r\nX-Big: {}\r\n\r\n",
                "x".repeat(9000)
            ),
            "431",
        ),
    ] {
        let mut raw_stream = std::net::TcpStream::connect(addr).unwrap();
        raw_stream.write_all(raw.as_bytes()).unwrap();
        let mut reply = String::new();
        raw_stream.read_to_string(&mut reply).unwrap();
        assert!(
            reply.starts_with(&format!("HTTP/1.1 {status} ")),
            "{raw:.40}: {reply}"
        );
        assert!(reply.contains("Connection: close"));
    }
    // An idle kept-alive connection does not hold up the stop.
    let _idle = client::Client::connect(addr).unwrap();
    let stopping = std::time::Instant::now();
    stop.store(true, Ordering::SeqCst);
    serving.join().unwrap().unwrap();
    assert!(stopping.elapsed() < std::time::Duration::from_secs(2));
    drop(app);
    // Everything acknowledged is on disk after the stop.
    let db = DiskStore::open(&path).unwrap();
    assert_eq!(db.history("ada").unwrap().entries.len(), 1);
    drop(db);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn xapi_statements_are_recorded_once_and_bad_ones_reported() {
    let model = model();
    let alignment = mastery::evidence::xapi::Alignment::new()
        .standard("https://example.org/items/7", "3.NF.A.1");
    let app = App::new(model.clone(), Box::new(MemoryStore::new())).with_alignment(alignment);
    let actor = "mailto:ada@example.org";
    let statement = |id: &str, object: &str| {
        format!(
            r#"{{"id":"{id}","actor":{{"mbox":"{actor}"}},"verb":{{"id":"http://adlnet.gov/expapi/verbs/answered"}},"object":{{"id":"{object}"}},"result":{{"success":true}},"timestamp":"2026-09-01T10:00:00+02:00"}}"#
        )
    };
    let good = statement(
        "00000000-0000-4000-8000-000000000001",
        "https://example.org/items/7",
    );
    let unknown = statement(
        "00000000-0000-4000-8000-000000000002",
        "https://example.org/items/99",
    );
    // The learner must exist first, as for /evidence; nothing is written otherwise.
    let before = snapshot(&app, &model);
    assert_eq!(post(&app, "/xapi/statements", &good).status, 404);
    assert_eq!(snapshot(&app, &model), before);
    assert_eq!(
        post(&app, "/learners", &format!(r#"{{"learner":"{actor}"}}"#)).status,
        201
    );
    let reply = post(&app, "/xapi/statements", &format!("[{good},{unknown}]"));
    assert_eq!(reply.status, 201, "{}", reply.body);
    let body: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(body["recorded"][0]["recorded"], "applied");
    assert_eq!(body["skipped"][0]["index"], 1);
    assert!(
        body["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("items/99")
    );
    // Sent again: recognized, not applied twice.
    let again = post(&app, "/xapi/statements", &good);
    let body: serde_json::Value = serde_json::from_str(&again.body).unwrap();
    assert_eq!(
        body["recorded"][0]["recorded"], "duplicate",
        "{}",
        again.body
    );
    assert_eq!(app.store().history(actor).unwrap().entries.len(), 1);
    // Not a statement at all: 400 and nothing changes.
    let before = snapshot(&app, &model);
    assert_eq!(post(&app, "/xapi/statements", "42").status, 400);
    assert_eq!(post(&app, "/xapi/statements", "[]").status, 400);
    assert_eq!(
        call(&app, "POST", "/xapi/statements", Some("text/plain"), &good).status,
        415
    );
    assert_eq!(snapshot(&app, &model), before);
}
