//! The HTTP side of the service: tiny_http worker threads that read each
//! request (bodies capped at `api::MAX_BODY_BYTES`), call `App::handle`
//! and write the reply, until told to stop.

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::api::{App, MAX_BODY_BYTES, Reply, Request};

/// Seconds since the Unix epoch, for requests without `now`.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Answers one request.
fn answer(app: &App, mut request: tiny_http::Request) {
    let content_type = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Content-Type"))
        .map(|h| h.value.as_str().to_owned());
    let declared = request.body_length().unwrap_or(0);
    let reply = if declared > MAX_BODY_BYTES {
        Reply::error(
            413,
            format!("the body ({declared} bytes) is larger than {MAX_BODY_BYTES} bytes"),
        )
    } else {
        // Read at most one byte more than allowed: a body without a length
        // that goes on is cut there and refused, not read into memory.
        let mut body = Vec::new();
        let limit = u64::try_from(MAX_BODY_BYTES).unwrap_or(u64::MAX) + 1;
        match request.as_reader().take(limit).read_to_end(&mut body) {
            Err(e) => Reply::error(400, format!("could not read the body: {e}")),
            Ok(_) if body.len() > MAX_BODY_BYTES => Reply::error(
                413,
                format!("the body is larger than {MAX_BODY_BYTES} bytes"),
            ),
            Ok(_) => {
                let method = request.method().as_str().to_owned();
                let url = request.url().to_owned();
                app.handle(&Request {
                    method: &method,
                    url: &url,
                    content_type: content_type.as_deref(),
                    body: &body,
                    now: now(),
                })
            }
        }
    };
    let mut response = tiny_http::Response::from_string(reply.body).with_status_code(reply.status);
    if let Ok(header) = tiny_http::Header::from_bytes("Content-Type", reply.content_type) {
        response = response.with_header(header);
    }
    // The client may have gone away: nothing to do about it.
    let _ = request.respond(response);
}

/// Serves with `threads` workers until `stop` is set (each worker looks at
/// it at least every 100 ms), then returns once every worker has finished
/// its request in flight.
pub fn serve(app: Arc<App>, server: Arc<tiny_http::Server>, threads: usize, stop: Arc<AtomicBool>) {
    let workers: Vec<_> = (0..threads.max(1))
        .map(|_| {
            let (app, server, stop) = (app.clone(), server.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match server.recv_timeout(Duration::from_millis(100)) {
                        Ok(Some(request)) => answer(&app, request),
                        Ok(None) => {}
                        Err(e) => {
                            eprintln!("serve: {e}");
                            break;
                        }
                    }
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.join();
    }
}
