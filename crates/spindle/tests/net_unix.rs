//! `net::UnixListener` / `net::UnixStream` on a current-thread loop and on two workers: a
//! round trip over a path, `pair`, `AsyncRead`/`AsyncWrite`, a connect to a full backlog, and
//! the errors of `connect` and `bind`.

#![cfg(feature = "scheduler")]

mod net_common;

use net_common::{bounded, loops, poll_close, poll_read_to_end, poll_write_all};
use spindle::net::{UnixListener, UnixStream};
use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A socket path of its own for each use, removed before and after.
struct SocketPath(PathBuf);

impl SocketPath {
    fn new() -> SocketPath {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "spindle-net-unix-{}-{}.sock",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_file(&path);
        SocketPath(path)
    }
}

impl Drop for SocketPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn a_round_trip_over_a_path() {
    bounded(30, || {
        for (flavour, lp) in loops() {
            let path = SocketPath::new();
            let listener = {
                let path = path.0.clone();
                lp.run_until_complete(async move { UnixListener::bind(path) })
                    .unwrap()
            };
            assert_eq!(
                listener.local_addr().unwrap().as_pathname(),
                Some(path.0.as_path())
            );
            let server = lp.spawn(async move {
                let (stream, _) = listener.accept().await?;
                let mut buf = [0u8; 5];
                stream.read_exact(&mut buf).await?;
                stream.write_all(&buf).await?;
                io::Result::Ok(())
            });
            let connect_to = path.0.clone();
            let result = lp.run_until_complete(async move {
                let client = UnixStream::connect(&connect_to).await?;
                assert_eq!(
                    client.peer_addr()?.as_pathname(),
                    Some(connect_to.as_path())
                );
                client.write_all(b"hello").await?;
                let mut back = [0u8; 5];
                client.read_exact(&mut back).await?;
                assert_eq!(&back, b"hello");
                // The server is done and gone: the next read ends.
                let mut more = [0u8; 1];
                let eof = client.read_exact(&mut more).await.unwrap_err();
                assert_eq!(eof.kind(), io::ErrorKind::UnexpectedEof);
                io::Result::Ok(())
            });
            result.unwrap_or_else(|e| panic!("{flavour}: {e}"));
            lp.run_until_complete(server).unwrap().unwrap();
            lp.close();
        }
    });
}

#[test]
fn a_pair_through_async_read_and_async_write() {
    bounded(30, || {
        for (flavour, lp) in loops() {
            let result = lp.run_until_complete(async {
                let (a, b) = UnixStream::pair()?;
                let payload: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
                let expected = payload.clone();
                let writer = spindle::spawn(async move {
                    poll_write_all(&a, &payload).await?;
                    poll_close(&a).await
                });
                let all = poll_read_to_end(b).await?;
                writer.await.unwrap()?;
                assert!(all == expected, "the bytes differ");
                io::Result::Ok(())
            });
            result.unwrap_or_else(|e| panic!("{flavour}: {e}"));
            lp.close();
        }
    });
}

/// A listener with a backlog of 4 that is not accepting yet, and 50 clients: the later
/// connects find the backlog full (`EAGAIN`), wait and retry without blocking the loop (on the
/// current-thread loop, a blocking connect would hang the test), and all go through once the
/// listener accepts.
#[test]
fn connects_to_a_full_backlog_wait_without_blocking_the_loop() {
    bounded(120, || {
        for (flavour, lp) in loops() {
            let path = SocketPath::new();
            let target = path.0.clone();
            let result = lp.run_until_complete(async move {
                let listener = UnixListener::bind_with_backlog(&target, 4)?;
                let clients: Vec<_> = (0..50)
                    .map(|_| {
                        let target = target.clone();
                        spindle::spawn(async move { UnixStream::connect(&target).await })
                    })
                    .collect();
                // Let every client try once before anything is accepted.
                for _ in 0..10 {
                    spindle::yield_now().await;
                }
                let mut accepted = Vec::new();
                for _ in 0..clients.len() {
                    accepted.push(listener.accept().await?.0);
                }
                for client in clients {
                    client.await.unwrap()?;
                }
                io::Result::Ok(accepted.len())
            });
            assert_eq!(
                result.unwrap_or_else(|e| panic!("{flavour}: {e}")),
                50,
                "{flavour}"
            );
            lp.close();
        }
    });
}

#[test]
fn connect_and_bind_errors() {
    bounded(30, || {
        for (flavour, lp) in loops() {
            let path = SocketPath::new();
            let target = path.0.clone();
            let result = lp.run_until_complete(async move {
                let missing = UnixStream::connect(&target).await.unwrap_err();
                let too_long = UnixStream::connect("/tmp/".to_string() + &"x".repeat(200))
                    .await
                    .unwrap_err();
                let listener = UnixListener::bind(&target)?;
                let in_use = UnixListener::bind(&target).unwrap_err();
                drop(listener);
                // The file stays: nobody listens there now.
                let refused = UnixStream::connect(&target).await.unwrap_err();
                io::Result::Ok((missing, too_long, in_use, refused))
            });
            let (missing, too_long, in_use, refused) = result.unwrap();
            assert_eq!(missing.kind(), io::ErrorKind::NotFound, "{flavour}");
            assert_eq!(too_long.kind(), io::ErrorKind::InvalidInput, "{flavour}");
            assert_eq!(in_use.kind(), io::ErrorKind::AddrInUse, "{flavour}");
            assert_eq!(
                refused.kind(),
                io::ErrorKind::ConnectionRefused,
                "{flavour}"
            );
            lp.close();
        }
    });
}
