//! The HTTP side of the service, on std's sockets: a thread per connection
//! (at most `MAX_CONNECTIONS`), HTTP/1.1 with kept-alive connections,
//! request heads and bodies capped before they are read, until told to stop.
//!
//! Why not a crate: tiny_http 0.12 (its latest release) queues a new
//! connection behind busy kept-alive ones when its pool is in flux; in the
//! load run the first requests of 3 of 8 new connections waited for the
//! whole 3-second phase. An async stack (axum, tokio, hyper) would fix that
//! at several times the build time of everything else in the examples. What
//! the service needs of HTTP is small: one request at a time per
//! connection, a Content-Length body, JSON or HTML replies.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use super::api::{App, MAX_BODY_BYTES, Reply, Request};

/// The most connections served at once; more are answered 503 and closed.
pub const MAX_CONNECTIONS: usize = 256;
/// The longest request line or header line, in bytes (431 beyond).
const MAX_LINE: usize = 8 * 1024;
/// The most header lines of one request.
const MAX_HEADERS: usize = 100;
/// How long a connection may sit idle (or a client take to send a request).
const IDLE: Duration = Duration::from_secs(30);
/// How often idle threads look at the stop flag.
const TICK: Duration = Duration::from_millis(100);

/// Seconds since the Unix epoch, for requests without `now`.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

/// Writes a reply in one piece.
fn write_reply(stream: &mut TcpStream, reply: &Reply, keep_alive: bool) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: {}\r\n\r\n",
        reply.status,
        reason(reply.status),
        reply.content_type,
        reply.body.len(),
        if keep_alive { "keep-alive" } else { "close" }
    );
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(reply.body.as_bytes());
    stream.write_all(&bytes)
}

/// Reads on into `line` up to a line end (kept across timeouts, so a slow
/// client loses nothing). `Ok(None)` at the end of the stream, `Err(431)`
/// for a line longer than `MAX_LINE`, else the line without its end.
fn read_line(
    reader: &mut impl BufRead,
    line: &mut Vec<u8>,
) -> std::io::Result<Option<Result<String, u16>>> {
    let room = (MAX_LINE + 1).saturating_sub(line.len());
    let n = reader
        .take(u64::try_from(room).unwrap_or(u64::MAX))
        .read_until(b'\n', line)?;
    if n == 0 && !line.ends_with(b"\n") {
        return Ok(if line.len() > MAX_LINE {
            Some(Err(431))
        } else {
            None
        });
    }
    if !line.ends_with(b"\n") {
        return Ok(Some(Err(431)));
    }
    let text = String::from_utf8_lossy(line)
        .trim_end_matches(['\r', '\n'])
        .to_owned();
    line.clear();
    Ok(Some(Ok(text)))
}

/// What one request on a connection came to.
enum Next {
    /// A reply to write; keep the connection if `true`.
    Reply(Reply, bool),
    /// The client closed the connection (or went idle, or the server stops).
    Done,
}

/// Reads one request and answers it.
fn one_request(app: &App, reader: &mut BufReader<TcpStream>, stop: &AtomicBool) -> Next {
    // Wait for the request line, looking at the stop flag while idle.
    let _ = reader.get_ref().set_read_timeout(Some(TICK));
    let mut idle = Duration::ZERO;
    let mut buf = Vec::new();
    let request_line = loop {
        match read_line(reader, &mut buf) {
            Ok(Some(Ok(line))) if line.is_empty() => continue, // stray CRLF between requests
            Ok(Some(Ok(line))) => break line,
            Ok(Some(Err(status))) => {
                return Next::Reply(Reply::error(status, "the request line is too long"), false);
            }
            Ok(None) => return Next::Done,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                idle += TICK;
                if stop.load(Ordering::SeqCst) || idle >= IDLE {
                    return Next::Done;
                }
            }
            Err(_) => return Next::Done,
        }
    };
    // The rest of the request may take its time, up to the idle limit.
    let _ = reader.get_ref().set_read_timeout(Some(IDLE));
    let mut parts = request_line.split(' ');
    let (Some(method), Some(url), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Next::Reply(
            Reply::error(400, format!("malformed request line {request_line:?}")),
            false,
        );
    };
    let mut keep_alive = version == "HTTP/1.1";
    let (mut content_type, mut length, mut chunked) = (None, None, false);
    for i in 0.. {
        let line = match read_line(reader, &mut buf) {
            Ok(Some(Ok(line))) => line,
            Ok(Some(Err(status))) => {
                return Next::Reply(Reply::error(status, "a header line is too long"), false);
            }
            Ok(None) | Err(_) => return Next::Done,
        };
        if line.is_empty() {
            break;
        }
        if i >= MAX_HEADERS {
            return Next::Reply(
                Reply::error(431, format!("more than {MAX_HEADERS} header lines")),
                false,
            );
        }
        let Some((name, value)) = line.split_once(':') else {
            return Next::Reply(
                Reply::error(400, format!("malformed header {line:?}")),
                false,
            );
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "content-type" => content_type = Some(value.to_owned()),
            "content-length" => match value.parse::<usize>() {
                Ok(n) => length = Some(n),
                Err(_) => {
                    return Next::Reply(
                        Reply::error(400, format!("Content-Length {value:?} is not a number")),
                        false,
                    );
                }
            },
            "transfer-encoding" => chunked = true,
            "connection" => {
                if value.eq_ignore_ascii_case("close") {
                    keep_alive = false;
                } else if value.eq_ignore_ascii_case("keep-alive") {
                    keep_alive = true;
                }
            }
            _ => {}
        }
    }
    if chunked {
        return Next::Reply(
            Reply::error(411, "send the body with a Content-Length, not chunked"),
            false,
        );
    }
    let length = length.unwrap_or(0);
    if length > MAX_BODY_BYTES {
        // Refused before reading: the unread body ends the connection.
        return Next::Reply(
            Reply::error(
                413,
                format!("the body ({length} bytes) is larger than {MAX_BODY_BYTES} bytes"),
            ),
            false,
        );
    }
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return Next::Done;
    }
    let reply = app.handle(&Request {
        method,
        url,
        content_type: content_type.as_deref(),
        body: &body,
        now: now(),
    });
    Next::Reply(reply, keep_alive && !stop.load(Ordering::SeqCst))
}

/// Serves one connection until it closes, idles out or the server stops.
fn connection(app: &App, stream: TcpStream, stop: &AtomicBool) {
    // Small replies go out at once (no Nagle delay).
    let _ = stream.set_nodelay(true);
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    while let Next::Reply(reply, keep_alive) = one_request(app, &mut reader, stop) {
        if write_reply(&mut writer, &reply, keep_alive).is_err() || !keep_alive {
            break;
        }
    }
}

/// A listener on `addr` (e.g. `127.0.0.1:8080`; port 0 picks a free one).
pub fn listen(addr: &str) -> std::io::Result<TcpListener> {
    let addr: SocketAddr = addr.parse().map_err(|e| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{addr:?}: {e}"))
    })?;
    TcpListener::bind(addr)
}

/// Serves until `stop` is set, then waits for the connections' requests in
/// flight to finish (each looks at the flag at least every 100 ms).
pub fn serve(app: Arc<App>, listener: TcpListener, stop: Arc<AtomicBool>) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let open = Arc::new(AtomicUsize::new(0));
    let mut threads = Vec::new();
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                let _ = stream.set_nonblocking(false);
                if open.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
                    let mut stream = stream;
                    let busy = Reply::error(503, "too many connections; try again");
                    let _ = write_reply(&mut stream, &busy, false);
                    continue;
                }
                open.fetch_add(1, Ordering::SeqCst);
                let (app, stop, open) = (app.clone(), stop.clone(), open.clone());
                threads.push(std::thread::spawn(move || {
                    connection(&app, stream, &stop);
                    open.fetch_sub(1, Ordering::SeqCst);
                }));
                threads.retain(|t| !t.is_finished());
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => std::thread::sleep(TICK / 10),
            Err(e) => eprintln!("serve: accept: {e}"),
        }
    }
    for t in threads {
        let _ = t.join();
    }
    Ok(())
}
