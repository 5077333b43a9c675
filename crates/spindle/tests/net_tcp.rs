//! `net::TcpListener` / `net::TcpStream` on a current-thread loop and on two workers: round
//! trips with the inherent methods and through `AsyncRead`/`AsyncWrite`, the non-blocking
//! connect (refused, timed out), and the errors of `bind` and `read_exact`. Loopback only.

#![cfg(feature = "scheduler")]

mod net_common;

use net_common::{
    bounded, loops, poll_close, poll_read, poll_read_to_end, poll_write_all, spawn_echo_server,
};
use spindle::net::{TcpListener, TcpStream};
use std::io;
use std::net::Shutdown;
use std::time::Duration;

#[test]
fn a_round_trip_with_the_inherent_methods() {
    bounded(30, || {
        for (flavour, lp) in loops() {
            let addr = spawn_echo_server(&lp);
            let result = lp.run_until_complete(async move {
                let client = TcpStream::connect(addr).await?;
                assert_eq!(client.peer_addr()?, addr);
                assert_eq!(client.local_addr()?.ip(), addr.ip());
                client.set_nodelay(true)?;
                assert!(client.nodelay()?);
                client.write_all(b"hello spindle").await?;
                let mut back = [0u8; 13];
                client.read_exact(&mut back).await?;
                assert_eq!(&back, b"hello spindle");
                // A second exchange through `write` / `read`.
                let n = client.write(b"again").await?;
                assert_eq!(n, 5);
                let mut back = [0u8; 5];
                client.read_exact(&mut back).await?;
                assert_eq!(&back, b"again");
                io::Result::Ok(())
            });
            result.unwrap_or_else(|e| panic!("{flavour}: {e}"));
            lp.close();
        }
    });
}

/// The client speaks through `AsyncWrite` on `&TcpStream` and `AsyncRead` on the owned stream;
/// `poll_close` shuts the write half, so the server's read ends and it closes in turn.
#[test]
fn a_round_trip_through_async_read_and_async_write() {
    bounded(30, || {
        for (flavour, lp) in loops() {
            let listener = lp
                .run_until_complete(async { TcpListener::bind("127.0.0.1:0") })
                .unwrap();
            let addr = listener.local_addr().unwrap();
            let server = lp.spawn(async move {
                let (stream, peer) = listener.accept().await?;
                assert_eq!(peer, stream.peer_addr()?);
                // Read everything the client sends (to its close), then answer and close.
                let all = poll_read_to_end(&stream).await?;
                poll_write_all(&stream, &all).await?;
                poll_close(&stream).await?;
                io::Result::Ok(all.len())
            });
            let result = lp.run_until_complete(async move {
                let mut client = TcpStream::connect(addr).await?;
                let payload: Vec<u8> = (0..100_000u32).map(|i| i as u8).collect();
                poll_write_all(&client, &payload).await?;
                poll_close(&client).await?;
                let mut back = Vec::new();
                let mut buf = [0u8; 8192];
                loop {
                    let n = poll_read(&mut client, &mut buf).await?;
                    if n == 0 {
                        break;
                    }
                    back.extend_from_slice(&buf[..n]);
                }
                assert!(back == payload, "the echo differs");
                io::Result::Ok(())
            });
            result.unwrap_or_else(|e| panic!("{flavour}: {e}"));
            let served = lp.run_until_complete(server).unwrap().unwrap();
            assert_eq!(served, 100_000, "{flavour}");
            lp.close();
        }
    });
}

#[test]
fn read_exact_on_a_closed_peer_is_unexpected_eof() {
    bounded(30, || {
        for (flavour, lp) in loops() {
            let listener = lp
                .run_until_complete(async { TcpListener::bind("127.0.0.1:0") })
                .unwrap();
            let addr = listener.local_addr().unwrap();
            lp.spawn(async move {
                let (stream, _) = listener.accept().await.unwrap();
                stream.write_all(b"abc").await.unwrap();
                // Dropped: closed after three bytes.
            });
            let error = lp
                .run_until_complete(async move {
                    let client = TcpStream::connect(addr).await?;
                    let mut buf = [0u8; 10];
                    client.read_exact(&mut buf).await
                })
                .unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof, "{flavour}");
            assert!(
                error.to_string().contains("3 of the 10"),
                "{flavour}: {error}"
            );
            lp.close();
        }
    });
}

/// The three ways a server below reads a stream whose data and end of file are both waiting.
#[derive(Clone, Copy, Debug)]
enum ReadBy {
    Inherent,
    AsyncRead,
    ReadExact,
}

/// A connection whose client wrote `payload` and shut its write side down; the server side is
/// returned only once both have surely arrived and the poller's events for them were
/// dispatched (a pause on the loop), so no read has happened yet.
async fn data_and_end_of_file_waiting(payload: &[u8]) -> io::Result<(TcpStream, TcpStream)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let client = TcpStream::connect(listener.local_addr()?).await?;
    client.write_all(payload).await?;
    client.shutdown(Shutdown::Write)?;
    let (server, _) = listener.accept().await?;
    spindle::sleep(Duration::from_millis(20)).await;
    Ok((client, server))
}

/// Data and the end of file reach the socket together, before the first read. A read with a
/// larger buffer returns the data; being short, it clears the read readiness, and no new edge
/// will come for the end of file already there. The readiness keeps the closed read side
/// readable (sticky "read closed"), so the next read returns 0 instead of waiting forever.
#[test]
fn data_and_end_of_file_arriving_together_before_the_first_read_are_both_read() {
    bounded(30, || {
        for (flavour, lp) in loops() {
            for by in [ReadBy::Inherent, ReadBy::AsyncRead, ReadBy::ReadExact] {
                let result = lp.run_until_complete(async move {
                    let payload = b"twelve bytes";
                    let (_client, server) = data_and_end_of_file_waiting(payload).await?;
                    let mut buf = [0u8; 64];
                    match by {
                        ReadBy::Inherent => {
                            assert_eq!(server.read(&mut buf).await?, payload.len());
                            assert_eq!(&buf[..payload.len()], payload);
                            assert_eq!(server.read(&mut buf).await?, 0);
                            assert_eq!(server.read(&mut buf).await?, 0, "it stays at the end");
                        }
                        ReadBy::AsyncRead => {
                            assert_eq!(poll_read(&server, &mut buf).await?, payload.len());
                            assert_eq!(&buf[..payload.len()], payload);
                            assert_eq!(poll_read(&server, &mut buf).await?, 0);
                        }
                        ReadBy::ReadExact => {
                            // Asks for less than is there, then for more than is left.
                            server.read_exact(&mut buf[..5]).await?;
                            let error = server.read_exact(&mut buf[..20]).await.unwrap_err();
                            assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof);
                            assert!(error.to_string().contains("7 of the 20"), "{error}");
                        }
                    }
                    io::Result::Ok(())
                });
                result.unwrap_or_else(|e| panic!("{flavour}, {by:?}: {e}"));
            }
            lp.close();
        }
    });
}

/// The same with the server already waiting when the first bytes come: a short read clears the
/// readiness, then more data and the end of file arrive together while nobody reads.
#[test]
fn data_and_end_of_file_arriving_together_after_a_short_read_are_both_read() {
    bounded(30, || {
        for (flavour, lp) in loops() {
            let result = lp.run_until_complete(async move {
                let listener = TcpListener::bind("127.0.0.1:0")?;
                let client = TcpStream::connect(listener.local_addr()?).await?;
                let (server, _) = listener.accept().await?;
                let mut buf = [0u8; 64];
                client.write_all(b"first").await?;
                assert_eq!(server.read(&mut buf).await?, 5);
                client.write_all(b"second").await?;
                client.shutdown(Shutdown::Write)?;
                spindle::sleep(Duration::from_millis(20)).await;
                assert_eq!(poll_read(&server, &mut buf).await?, 6);
                assert_eq!(&buf[..6], b"second");
                assert_eq!(server.read(&mut buf).await?, 0);
                io::Result::Ok(())
            });
            result.unwrap_or_else(|e| panic!("{flavour}: {e}"));
            lp.close();
        }
    });
}

#[test]
fn connecting_to_a_port_nobody_listens_on_is_refused() {
    bounded(30, || {
        for (flavour, lp) in loops() {
            // A port that was free a moment ago and that nobody listens on now.
            let addr = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap();
            let before = lp.driver().io_source_count();
            let error = lp
                .run_until_complete(async move { TcpStream::connect(addr).await })
                .unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::ConnectionRefused, "{flavour}");
            assert_eq!(lp.driver().io_source_count(), before, "{flavour}");
            lp.close();
        }
    });
}

/// A listener with a backlog of 0 that never accepts: Linux queues one connection (the queue is
/// full once it holds more than the backlog) and then drops further SYNs without an answer, so
/// a later connect stays in progress and only the timeout ends it. Each attempt either
/// connects (while the queue has room) or times out; once one times out, the queue is full and
/// stays full, so the loop below ends with `TimedOut` whatever the timing.
#[cfg(target_os = "linux")]
#[test]
fn connect_timeout_ends_a_connect_the_listener_never_answers() {
    bounded(60, || {
        for (flavour, lp) in loops() {
            let before = lp.driver().io_source_count();
            let outcome = lp.run_until_complete(async {
                let listener = TcpListener::bind_with_backlog("127.0.0.1:0", 0)?;
                let addr = listener.local_addr()?;
                let mut queued = Vec::new();
                for _ in 0..16 {
                    match TcpStream::connect_timeout(addr, Duration::from_millis(50)).await {
                        Ok(stream) => queued.push(stream),
                        Err(error) => return Ok((error, queued.len())),
                    }
                }
                Err(io::Error::other(
                    "16 connects to a full backlog all went through",
                ))
            });
            let (error, queued) = outcome.unwrap_or_else(|e| panic!("{flavour}: {e}"));
            assert_eq!(error.kind(), io::ErrorKind::TimedOut, "{flavour}: {error}");
            assert!(
                queued >= 1,
                "{flavour}: the first connection fits the queue"
            );
            // The half-open socket left the driver with its future.
            assert_eq!(lp.driver().io_source_count(), before, "{flavour}");
            lp.close();
        }
    });
}

/// A timeout too long to matter changes nothing.
#[test]
fn connect_timeout_connects_when_the_listener_answers() {
    bounded(30, || {
        for (flavour, lp) in loops() {
            let addr = spawn_echo_server(&lp);
            let result = lp.run_until_complete(async move {
                let client = TcpStream::connect_timeout(addr, Duration::from_secs(3600)).await?;
                client.write_all(b"x").await?;
                let mut back = [0u8; 1];
                client.read_exact(&mut back).await?;
                let huge = TcpStream::connect_timeout(addr, Duration::MAX).await?;
                huge.shutdown(Shutdown::Both)?;
                io::Result::Ok(back)
            });
            assert_eq!(result.unwrap_or_else(|e| panic!("{flavour}: {e}")), *b"x");
            lp.close();
        }
    });
}

#[test]
fn binding_a_port_in_use_is_addr_in_use() {
    bounded(30, || {
        for (flavour, lp) in loops() {
            let result = lp.run_until_complete(async {
                let first = TcpListener::bind("127.0.0.1:0")?;
                let error = TcpListener::bind(first.local_addr()?).unwrap_err();
                let with_backlog =
                    TcpListener::bind_with_backlog(first.local_addr()?, 10).unwrap_err();
                io::Result::Ok((error, with_backlog))
            });
            let (error, with_backlog) = result.unwrap();
            assert_eq!(error.kind(), io::ErrorKind::AddrInUse, "{flavour}: {error}");
            assert_eq!(with_backlog.kind(), io::ErrorKind::AddrInUse, "{flavour}");
            lp.close();
        }
    });
}

/// Bad addresses are errors from parsing or resolution, not panics; the loop goes on.
#[test]
fn bad_addresses_are_errors() {
    bounded(60, || {
        for (flavour, lp) in loops() {
            let (connect, bind) = lp.run_until_complete(async {
                let connect = TcpStream::connect("not an address").await.unwrap_err();
                let bind = TcpListener::bind("not an address").unwrap_err();
                (connect, bind)
            });
            assert_eq!(connect.kind(), io::ErrorKind::InvalidInput, "{flavour}");
            assert_eq!(bind.kind(), io::ErrorKind::InvalidInput, "{flavour}");
            // Not an IPv4 literal: the name goes to the resolver, which fails (how depends on
            // the system), but it fails.
            let error = lp
                .run_until_complete(async { TcpStream::connect("256.0.0.1:80").await })
                .unwrap_err();
            assert_ne!(
                error.kind(),
                io::ErrorKind::WouldBlock,
                "{flavour}: {error}"
            );
            let addr = spawn_echo_server(&lp);
            lp.run_until_complete(async move { TcpStream::connect(addr).await })
                .unwrap_or_else(|e| panic!("{flavour}: the loop still works: {e}"));
            lp.close();
        }
    });
}

/// Outside a loop there is no driver to register with: an error, not a panic.
#[test]
fn binding_outside_a_loop_is_an_error() {
    let error = TcpListener::bind("127.0.0.1:0").unwrap_err();
    assert!(
        error.to_string().contains("outside an event loop"),
        "{error}"
    );
}

/// The futures can be spawned on the multi-threaded loop.
#[test]
fn the_futures_are_send() {
    fn send<T: Send>(_: T) {}
    let addr: std::net::SocketAddr = "127.0.0.1:1".parse().unwrap();
    send(TcpStream::connect(addr));
    send(TcpStream::connect("localhost:1"));
    send(TcpStream::connect_timeout(addr, Duration::from_secs(1)));
    send(spindle::net::UnixStream::connect("/nonexistent"));
    fn listener_accept(l: &TcpListener) {
        send(l.accept());
    }
    fn stream_ops(s: &TcpStream, buf: &mut [u8]) {
        send(s.read_exact(buf));
    }
    let _ = (listener_accept, stream_ops);
}
