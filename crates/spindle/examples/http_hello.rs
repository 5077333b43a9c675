//! A minimal HTTP/1.1 server on spindle's streams, for load tests with real clients (`wrk`).
//!
//! ```text
//! cargo run --release --example http_hello -- 8080 [workers]
//! wrk -t2 -c50 -d5s http://127.0.0.1:8080/
//! ```
//!
//! Every request gets `Hello, world!\n`. Connections are kept alive (HTTP/1.1) until the
//! client sends `Connection: close`, speaks HTTP/1.0 without `keep-alive`, or hangs up. A
//! request is its head, read with `readuntil(b"\r\n\r\n")`, and a body of `Content-Length`
//! bytes, which is skipped. `benches/src/bin/tokio_http_hello.rs` is the same server on tokio.

use spindle::streams::{start_server, StreamReader, StreamWriter};
use spindle::EventLoop;

const BODY: &str = "Hello, world!\n";

/// What the head of one request asks for.
struct Request {
    keep_alive: bool,
    content_length: usize,
}

fn parse(head: &[u8]) -> Option<Request> {
    let head = std::str::from_utf8(head).ok()?;
    let mut lines = head.split("\r\n");
    let request_line = lines.next()?;
    let version = request_line.rsplit(' ').next()?;
    let mut keep_alive = version == "HTTP/1.1";
    let mut content_length = 0;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("connection") {
            if value.eq_ignore_ascii_case("close") {
                keep_alive = false;
            } else if value.eq_ignore_ascii_case("keep-alive") {
                keep_alive = true;
            }
        } else if name.eq_ignore_ascii_case("content-length") {
            content_length = value.parse().ok()?;
        }
    }
    Some(Request {
        keep_alive,
        content_length,
    })
}

async fn handle(mut reader: StreamReader, writer: StreamWriter) {
    let keep = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{BODY}",
        BODY.len()
    );
    let last = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{BODY}",
        BODY.len()
    );
    // Ends at the client's end of stream, a bad request, a head over the reader's limit
    // (64 KiB), or a failed write.
    while let Ok(head) = reader.readuntil(b"\r\n\r\n").await {
        let Some(request) = parse(&head) else { break };
        if request.content_length > 0 && reader.readexactly(request.content_length).await.is_err() {
            break;
        }
        let response = if request.keep_alive { &keep } else { &last };
        if writer.write(response.as_bytes()).is_err() || writer.drain().await.is_err() {
            break;
        }
        if !request.keep_alive {
            break;
        }
    }
    writer.close();
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let port: u16 = args
        .next()
        .map_or(Ok(8080), |p| p.parse())
        .expect("usage: http_hello [PORT] [WORKERS]");
    let mut builder = EventLoop::builder();
    if let Some(workers) = args.next() {
        builder =
            builder.worker_threads(workers.parse().expect("usage: http_hello [PORT] [WORKERS]"));
    }
    let lp = builder.build()?;
    lp.run_until_complete(async move {
        let server = start_server(handle, ("127.0.0.1", port)).await?;
        println!("http_hello: serving on http://{}/", server.local_addr()?);
        server.serve_forever().await;
        Ok(())
    })
}
