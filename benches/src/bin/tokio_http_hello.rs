//! The tokio twin of `crates/spindle/examples/http_hello.rs`, for `benches/wrk.sh`: the same
//! parsing (the head up to the blank line, a `Content-Length` body skipped, keep-alive until
//! `Connection: close` or HTTP/1.0) and the same response, on tokio only (no hyper).
//!
//! ```text
//! cargo run --release -p spindle-benches --bin tokio_http_hello -- 8081 [workers]
//! ```
//!
//! tokio has no `readuntil`: a `BufReader` and a search for `\r\n\r\n` in what it holds do
//! the same job, with the same 64 KiB limit on a head.

use std::io;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

const BODY: &str = "Hello, world!\n";
/// The longest head accepted: spindle's reader limit (asyncio's default).
const LIMIT: usize = 64 * 1024;

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

/// Reads up to and including `\r\n\r\n` into `head` (cleared first); `false` at the end of
/// the stream or past the limit.
async fn read_head(reader: &mut BufReader<TcpStream>, head: &mut Vec<u8>) -> io::Result<bool> {
    head.clear();
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(false);
        }
        // Search from where a separator could start that was not complete before.
        let from = head.len().saturating_sub(3);
        head.extend_from_slice(available);
        let taken = available.len();
        if let Some(at) = head[from..].windows(4).position(|w| w == b"\r\n\r\n") {
            let end = from + at + 4;
            // Give back what follows the head: consume only up to it.
            let extra = head.len() - end;
            reader.consume(taken - extra);
            head.truncate(end);
            return Ok(true);
        }
        reader.consume(taken);
        if head.len() > LIMIT {
            return Ok(false);
        }
    }
}

async fn handle(stream: TcpStream) -> io::Result<()> {
    let keep = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{BODY}",
        BODY.len()
    );
    let last = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{BODY}",
        BODY.len()
    );
    let mut reader = BufReader::with_capacity(LIMIT, stream);
    let mut head = Vec::new();
    while read_head(&mut reader, &mut head).await? {
        let Some(request) = parse(&head) else { break };
        if request.content_length > 0 {
            let mut body = vec![0; request.content_length];
            reader.read_exact(&mut body).await?;
        }
        let response = if request.keep_alive { &keep } else { &last };
        reader.get_mut().write_all(response.as_bytes()).await?;
        if !request.keep_alive {
            break;
        }
    }
    reader.get_mut().shutdown().await
}

fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: tokio_http_hello [PORT] [WORKERS]";
    let port: u16 = args.next().map_or(Ok(8081), |p| p.parse()).expect(usage);
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(workers) = args.next() {
        builder.worker_threads(workers.parse().expect(usage));
    }
    builder.enable_all().build()?.block_on(async move {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        println!(
            "tokio_http_hello: serving on http://{}/",
            listener.local_addr()?
        );
        loop {
            let (stream, _) = match listener.accept().await {
                Ok(accepted) => accepted,
                Err(e) => {
                    eprintln!("tokio_http_hello: accept: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            };
            stream.set_nodelay(true)?;
            tokio::spawn(async move {
                let _ = handle(stream).await;
            });
        }
    })
}
