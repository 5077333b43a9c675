//! An HTTP/1.1 keep-alive handler on streams (the logic of `examples/http_hello.rs`, which
//! an integration test cannot import): two requests on one connection, then
//! `Connection: close`. On a current-thread loop and a 2-worker loop.

#![cfg(feature = "scheduler")]

use spindle::streams::{open_connection, start_server, StreamReader, StreamWriter};
use spindle::EventLoop;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const BODY: &str = "Hello, world!\n";

async fn handle(mut reader: StreamReader, writer: StreamWriter) {
    while let Ok(head) = reader.readuntil(b"\r\n\r\n").await {
        let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
        let close = head.contains("\r\nconnection: close\r\n");
        let length: usize = head
            .split("\r\n")
            .find_map(|l| l.strip_prefix("content-length:"))
            .map_or(0, |v| v.trim().parse().unwrap());
        if length > 0 {
            reader.readexactly(length).await.unwrap();
        }
        let extra = if close { "Connection: close\r\n" } else { "" };
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n{extra}\r\n{BODY}",
            BODY.len()
        );
        writer.write(response.as_bytes()).unwrap();
        writer.drain().await.unwrap();
        if close {
            break;
        }
    }
    writer.close();
}

/// Reads one response: its head and a body of `Content-Length` bytes.
async fn response(reader: &mut StreamReader) -> (String, Vec<u8>) {
    let head = String::from_utf8(reader.readuntil(b"\r\n\r\n").await.unwrap()).unwrap();
    let length: usize = head
        .split("\r\n")
        .find_map(|l| l.strip_prefix("Content-Length:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let body = reader.readexactly(length).await.unwrap();
    (head, body)
}

async fn two_requests_on_one_connection() {
    let server = start_server(handle, "127.0.0.1:0").await.unwrap();
    let (mut reader, writer) = open_connection(server.local_addr().unwrap()).await.unwrap();
    writer
        .write(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let (head, body) = response(&mut reader).await;
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert_eq!(body, BODY.as_bytes());
    // The same connection, a request with a body this time, sent in two pieces.
    writer
        .write(b"POST /x HTTP/1.1\r\nHost: localhost\r\nContent-Le")
        .unwrap();
    writer.drain().await.unwrap();
    spindle::sleep(Duration::from_millis(2)).await;
    writer.write(b"ngth: 5\r\n\r\nhello").unwrap();
    let (_, body) = response(&mut reader).await;
    assert_eq!(body, BODY.as_bytes());
    // The last one: the server answers and closes.
    writer
        .write(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let (head, body) = response(&mut reader).await;
    assert!(head.contains("Connection: close\r\n"), "{head}");
    assert_eq!(body, BODY.as_bytes());
    assert!(reader.read_to_end().await.unwrap().is_empty());
    writer.close();
    server.close();
    server.wait_closed().await;
}

fn run_on(lp: EventLoop, what: &'static str) {
    let done = Arc::new(AtomicBool::new(false));
    let seen = done.clone();
    std::thread::spawn(move || {
        let start = Instant::now();
        while !seen.load(Ordering::SeqCst) {
            if start.elapsed() > Duration::from_secs(60) {
                eprintln!("HANG: {what}");
                std::process::exit(3);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    lp.run_until_complete(two_requests_on_one_connection());
    lp.close();
    done.store(true, Ordering::SeqCst);
}

#[test]
fn keep_alive_current_thread() {
    run_on(
        EventLoop::builder().current_thread().build().unwrap(),
        "http on current-thread",
    );
}

#[test]
fn keep_alive_two_workers() {
    run_on(
        EventLoop::builder().worker_threads(2).build().unwrap(),
        "http on 2 workers",
    );
}
