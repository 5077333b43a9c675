//! Streams over loopback: echo, readline, readexactly, readuntil and its limit, at_eof,
//! write_eof, close / wait_closed, Unix sockets, the server's close. Every test runs on a
//! current-thread loop and on a 2-worker loop, under a watchdog.

#![cfg(all(feature = "scheduler", feature = "sync"))]

use spindle::streams::{
    open_connection, open_unix_connection, start_server, start_unix_server, LimitOverrunError,
    ReadExactlyError, ReadUntilError, StreamReader, StreamWriter,
};
use spindle::sync::Event;
use spindle::EventLoop;
use std::future::Future;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Ends the process if a test hangs, naming it.
struct Watchdog(Arc<AtomicBool>);

impl Watchdog {
    fn start(what: String) -> Watchdog {
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
        Watchdog(done)
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Runs `test` on a current-thread loop, then on a 2-worker loop.
fn on_each_loop<Fut: Future<Output = ()>>(name: &str, test: impl Fn() -> Fut) {
    let flavours = [
        (
            "current-thread",
            EventLoop::builder().current_thread().build(),
        ),
        ("2 workers", EventLoop::builder().worker_threads(2).build()),
    ];
    for (flavour, lp) in flavours {
        let lp = lp.unwrap();
        let _watchdog = Watchdog::start(format!("{name} on {flavour}"));
        lp.run_until_complete(test());
        lp.close();
    }
}

async fn echo(mut reader: StreamReader, writer: StreamWriter) {
    loop {
        match reader.read(4096).await {
            Ok(data) if !data.is_empty() => {
                if writer.write(&data).is_err() || writer.drain().await.is_err() {
                    break;
                }
            }
            _ => break,
        }
    }
    writer.close();
}

#[test]
fn echo_through_open_connection_and_start_server() {
    on_each_loop("echo", || async {
        let server = start_server(echo, "127.0.0.1:0").await.unwrap();
        let (mut reader, writer) = open_connection(server.local_addr().unwrap()).await.unwrap();
        for i in 0..100u32 {
            let message = format!("message {i:04}");
            writer.write(message.as_bytes()).unwrap();
            writer.drain().await.unwrap();
            let back = reader.readexactly(message.len()).await.unwrap();
            assert_eq!(back, message.as_bytes());
        }
        let peer = writer.peername().unwrap().to_string();
        assert_eq!(peer, server.local_addr().unwrap().to_string());
        writer.close();
        writer.wait_closed().await.unwrap();
        assert!(reader.read(10).await.unwrap().is_empty());
        server.close();
        server.wait_closed().await;
        assert!(!server.is_serving());
    });
}

#[test]
fn readline_across_packet_boundaries() {
    on_each_loop("readline", || async {
        let server = start_server(
            |_reader, writer| async move {
                // TCP_NODELAY and a pause between writes: separate segments.
                for piece in [&b"hel"[..], b"lo wor", b"ld\nsec", b"ond\n", b"\n", b"tail"] {
                    writer.write(piece).unwrap();
                    writer.drain().await.unwrap();
                    spindle::sleep(Duration::from_millis(2)).await;
                }
                writer.close();
            },
            "127.0.0.1:0",
        )
        .await
        .unwrap();
        let (mut reader, _writer) = open_connection(server.local_addr().unwrap()).await.unwrap();
        assert_eq!(reader.readline().await.unwrap(), b"hello world\n");
        assert_eq!(reader.readline().await.unwrap(), b"second\n");
        assert_eq!(reader.readline().await.unwrap(), b"\n");
        // At the end of the stream: the partial line, then nothing.
        assert_eq!(reader.readline().await.unwrap(), b"tail");
        assert_eq!(reader.readline().await.unwrap(), b"");
        assert!(reader.at_eof());
        server.close();
        server.wait_closed().await;
    });
}

#[test]
fn readexactly_reports_the_partial_bytes_at_eof() {
    on_each_loop("readexactly", || async {
        let server = start_server(
            |_reader, writer| async move {
                writer.write(b"0123456789abcde").unwrap();
                writer.close();
            },
            "127.0.0.1:0",
        )
        .await
        .unwrap();
        let (mut reader, _writer) = open_connection(server.local_addr().unwrap()).await.unwrap();
        assert_eq!(reader.readexactly(10).await.unwrap(), b"0123456789");
        match reader.readexactly(10).await {
            Err(ReadExactlyError::Incomplete(e)) => {
                assert_eq!(e.partial, b"abcde");
                assert_eq!(e.expected, Some(10));
                let as_io: io::Error = ReadExactlyError::Incomplete(e).into();
                assert_eq!(as_io.kind(), io::ErrorKind::UnexpectedEof);
            }
            other => panic!("expected IncompleteReadError, got {other:?}"),
        }
        assert!(reader.at_eof());
        assert_eq!(reader.readexactly(0).await.unwrap(), b"");
        assert!(reader.read(1).await.unwrap().is_empty());
        server.close();
        server.wait_closed().await;
    });
}

/// A server that writes `data`, then sets `sent` (the bytes are in the client's receive
/// buffer by then), then waits for the client to hang up.
async fn send_then_signal(data: &'static [u8]) -> (spindle::streams::StreamServer, Arc<Event>) {
    let sent = Arc::new(Event::new());
    let signal = sent.clone();
    let server = start_server(
        move |mut reader, writer| {
            let signal = signal.clone();
            async move {
                writer.write(data).unwrap();
                writer.drain().await.unwrap();
                signal.set();
                let _ = reader.read_to_end().await;
                writer.close();
            }
        },
        "127.0.0.1:0",
    )
    .await
    .unwrap();
    (server, sent)
}

#[test]
fn readuntil_past_the_limit_keeps_the_data_and_the_stream_usable() {
    on_each_loop("readuntil limit", || async {
        let long =
            b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nshort\nbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
        let (server, sent) = send_then_signal(long).await;
        let (reader, writer) = open_connection(server.local_addr().unwrap()).await.unwrap();
        let mut reader = reader.with_limit(16);
        sent.wait().await;

        // The separator is found, beyond the limit: nothing consumed.
        match reader.readuntil(b"\n").await {
            Err(ReadUntilError::LimitOverrun(LimitOverrunError {
                consumed,
                separator_found,
            })) => {
                assert_eq!((consumed, separator_found), (30, true));
            }
            other => panic!("expected LimitOverrunError, got {other:?}"),
        }
        assert_eq!(reader.buffered(), long.len());
        // Skip the long line (asyncio's recipe: read `consumed` bytes, and the separator).
        assert_eq!(reader.readexactly(31).await.unwrap().len(), 31);
        // The stream is usable: a shorter line reads as usual.
        assert_eq!(reader.readuntil(b"\n").await.unwrap(), b"short\n");

        // Not found within the limit: `consumed` says how far it searched.
        match reader.readuntil(b"\n").await {
            Err(ReadUntilError::LimitOverrun(e)) => {
                assert!(!e.separator_found);
                assert!(e.consumed > 16, "{e}");
            }
            other => panic!("expected LimitOverrunError, got {other:?}"),
        }
        assert_eq!(reader.buffered(), 40);
        // A multi-byte separator that is not there, then the end: everything, incomplete.
        writer.close();
        let mut reader = reader.with_limit(1024);
        match reader.readuntil(b"\r\n").await {
            Err(ReadUntilError::Incomplete(e)) => {
                assert_eq!(e.partial, [b'b'; 40]);
                assert_eq!(e.expected, None);
            }
            other => panic!("expected IncompleteReadError, got {other:?}"),
        }
        assert!(matches!(
            reader.readuntil(b"").await,
            Err(ReadUntilError::Io(e)) if e.kind() == io::ErrorKind::InvalidInput
        ));
        server.close();
        server.wait_closed().await;
    });
}

#[test]
fn readline_past_the_limit_discards_that_line() {
    on_each_loop("readline limit", || async {
        let (server, sent) = send_then_signal(b"this line is far too long\nok\n").await;
        let (reader, writer) = open_connection(server.local_addr().unwrap()).await.unwrap();
        let mut reader = reader.with_limit(8);
        sent.wait().await;
        let error = reader.readline().await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        assert!(error.get_ref().unwrap().is::<LimitOverrunError>());
        assert_eq!(reader.readline().await.unwrap(), b"ok\n");
        writer.close();
        server.close();
        server.wait_closed().await;
    });
}

#[test]
fn at_eof_only_after_the_end_and_the_buffer_are_consumed() {
    on_each_loop("at_eof", || async {
        let (server, sent) = send_then_signal(b"xy").await;
        let (mut reader, writer) = open_connection(server.local_addr().unwrap()).await.unwrap();
        sent.wait().await;
        assert!(!reader.at_eof());
        assert_eq!(reader.read(1).await.unwrap(), b"x");
        assert!(!reader.at_eof());
        // The server closes once we hang up our side.
        writer.write_eof().unwrap();
        assert_eq!(reader.read(10).await.unwrap(), b"y");
        assert_eq!(reader.read(10).await.unwrap(), b"");
        assert!(reader.at_eof());
        server.close();
        server.wait_closed().await;
    });
}

#[test]
fn write_eof_makes_the_peer_read_eof_and_keeps_the_read_side() {
    on_each_loop("write_eof", || async {
        let server = start_server(
            |mut reader, writer| async move {
                let all = reader.read_to_end().await.unwrap();
                writer
                    .write(format!("got {}", all.len()).as_bytes())
                    .unwrap();
                writer.close();
            },
            "127.0.0.1:0",
        )
        .await
        .unwrap();
        let (mut reader, writer) = open_connection(server.local_addr().unwrap()).await.unwrap();
        assert!(writer.can_write_eof());
        writer.write(b"abc").unwrap();
        writer.write_eof().unwrap();
        writer.write_eof().unwrap();
        assert_eq!(
            writer.write(b"late").unwrap_err().kind(),
            io::ErrorKind::BrokenPipe
        );
        assert_eq!(reader.read_to_end().await.unwrap(), b"got 3");
        server.close();
        server.wait_closed().await;
    });
}

/// Data and the end of file reach the server's socket together, before its first read (it
/// pauses first): a `read` with a larger limit returns the data, and the next one the end of
/// file, instead of waiting for an edge that never comes. Then the same through `read_to_end`.
#[test]
fn data_and_end_of_file_arriving_together_before_the_first_read_are_both_read() {
    on_each_loop("data and eof together", || async {
        for to_end in [false, true] {
            let server = start_server(
                move |mut reader, writer| async move {
                    spindle::sleep(Duration::from_millis(20)).await;
                    let reply = if to_end {
                        let all = reader.read_to_end().await.unwrap();
                        format!("to end {}", all.len())
                    } else {
                        let data = reader.read(4096).await.unwrap();
                        let end = reader.read(4096).await.unwrap();
                        format!("read {} then {}", data.len(), end.len())
                    };
                    writer.write(reply.as_bytes()).unwrap();
                    writer.close();
                },
                "127.0.0.1:0",
            )
            .await
            .unwrap();
            let (mut reader, writer) = open_connection(server.local_addr().unwrap()).await.unwrap();
            writer.write(b"twelve bytes").unwrap();
            writer.write_eof().unwrap();
            let expected: &[u8] = if to_end {
                b"to end 12"
            } else {
                b"read 12 then 0"
            };
            assert_eq!(reader.read_to_end().await.unwrap(), expected);
            server.close();
            server.wait_closed().await;
        }
    });
}

#[test]
fn close_and_wait_closed() {
    on_each_loop("close", || async {
        let (done_tx, done) = (
            Arc::new(Event::new()),
            Arc::new(std::sync::Mutex::new(Vec::new())),
        );
        let (signal, store) = (done_tx.clone(), done.clone());
        let server = start_server(
            move |mut reader, _writer| {
                let (signal, store) = (signal.clone(), store.clone());
                async move {
                    let all = reader.read_to_end().await.unwrap();
                    *store.lock().unwrap() = all;
                    signal.set();
                }
            },
            "127.0.0.1:0",
        )
        .await
        .unwrap();
        let (mut reader, writer) = open_connection(server.local_addr().unwrap()).await.unwrap();
        writer.write(&vec![7u8; 300_000]).unwrap();
        assert!(!writer.is_closing());
        writer.close();
        assert!(writer.is_closing());
        writer.wait_closed().await.unwrap();
        writer.wait_closed().await.unwrap();
        assert_eq!(writer.get_write_buffer_size(), 0);
        assert_eq!(
            writer.write(b"late").unwrap_err().kind(),
            io::ErrorKind::BrokenPipe
        );
        assert!(writer.drain().await.is_err());
        // close() shut both directions: our reader sees the end too.
        assert!(reader.read(10).await.unwrap().is_empty());
        done_tx.wait().await;
        assert_eq!(done.lock().unwrap().len(), 300_000);
        server.close();
        server.wait_closed().await;
    });
}

#[test]
fn server_wait_closed_waits_for_the_connections_and_serve_forever_returns() {
    on_each_loop("server close", || async {
        let server = Arc::new(start_server(echo, "127.0.0.1:0").await.unwrap());
        let forever = {
            let server = server.clone();
            spindle::spawn(async move { server.serve_forever().await })
        };
        let (mut reader, writer) = open_connection(server.local_addr().unwrap()).await.unwrap();
        writer.write(b"x").unwrap();
        assert_eq!(reader.read(1).await.unwrap(), b"x");
        assert_eq!(server.active_connections(), 1);
        server.close();
        forever.await.unwrap();
        // The connection still runs: wait_closed waits for it.
        let waiting = {
            let server = server.clone();
            spindle::spawn(async move { server.wait_closed().await })
        };
        writer.write(b"y").unwrap();
        assert_eq!(reader.read(1).await.unwrap(), b"y");
        assert!(!waiting.is_done());
        writer.close();
        waiting.await.unwrap();
        assert_eq!(server.active_connections(), 0);
        // A new connection is refused now.
        assert!(open_connection(server.local_addr().unwrap()).await.is_err());
    });
}

#[test]
fn server_closed_before_its_accept_task_ever_ran() {
    // `close` right after `start_server`, in the same poll: on a current-thread loop the
    // accept task is still queued, never polled, when it is cancelled. `wait_closed` must
    // still see the accept task end (it once waited forever: the task's "still accepting"
    // guard was created by its first poll, so a task cancelled before that never cleared it).
    on_each_loop("close before the first accept", || async {
        let server = start_server(echo, "127.0.0.1:0").await.unwrap();
        server.close();
        spindle::wait_for(Duration::from_secs(5), server.wait_closed())
            .await
            .expect("wait_closed hangs when the accept task is cancelled before it ran");
        assert!(!server.is_serving());
        assert_eq!(server.active_connections(), 0);
    });
}

#[test]
fn unix_sockets() {
    on_each_loop("unix", || async {
        let dir = std::env::temp_dir().join(format!("spindle-streams-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("echo-{:?}.sock", std::thread::current().id()));
        let server = start_unix_server(echo, &path).await.unwrap();
        let (mut reader, writer) = open_unix_connection(&path).await.unwrap();
        writer.writelines([&b"one\n"[..], b"two\n"]).unwrap();
        assert_eq!(reader.readline().await.unwrap(), b"one\n");
        assert_eq!(reader.readline().await.unwrap(), b"two\n");
        assert!(server.local_addr().is_err());
        assert_eq!(
            server.sockname().unwrap(),
            spindle::streams::StreamAddr::Unix(Some(path.clone()))
        );
        writer.close();
        writer.wait_closed().await.unwrap();
        server.close();
        server.wait_closed().await;
        assert!(!path.exists(), "close removes the socket file");
        let _ = std::fs::remove_dir(&dir);
    });
}

#[test]
fn outside_a_loop_is_an_error() {
    let error = poll_until_ready(open_connection("127.0.0.1:1")).unwrap_err();
    assert!(
        error.to_string().contains("outside an event loop"),
        "{error}"
    );
}

/// A minimal `block_on` (no dependency): polls with a no-op waker until ready.
fn poll_until_ready<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::yield_now();
    }
}

/// `StreamReader` is also a `futures_io::AsyncBufRead` / `AsyncRead` over the same buffer, so it
/// mixes with the asyncio methods and plugs into ecosystem code.
#[test]
fn the_reader_is_an_async_buf_read_sharing_its_buffer() {
    use spindle::net::AsyncRead;
    use std::future::poll_fn;
    use std::pin::Pin;

    on_each_loop("async_buf_read", || async {
        let (server, sent) = send_then_signal(b"hello\nworld").await;
        let (mut reader, writer) = open_connection(server.local_addr().unwrap()).await.unwrap();
        sent.wait().await;
        assert_eq!(reader.readline().await.unwrap(), b"hello\n");
        // The server closes once we hang up our side: the reads below end at its EOF.
        writer.write_eof().unwrap();
        let mut out = Vec::new();
        loop {
            let mut chunk = [0u8; 3];
            let n = poll_fn(|cx| Pin::new(&mut reader).poll_read(cx, &mut chunk))
                .await
                .unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&chunk[..n]);
        }
        assert_eq!(out, b"world");
        assert!(reader.at_eof());
        server.close();
        server.wait_closed().await;
    });
}
