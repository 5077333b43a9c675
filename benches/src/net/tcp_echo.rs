//! `tcp_echo`: clients send 64-byte messages to an echo server and wait for each one back.
//!
//! One iteration: bind a listener on loopback, accept in a task (one task per connection
//! echoing what it reads), spawn `connections` client tasks that each connect, then make
//! `round_trips` round trips of [`MESSAGE`] bytes (write it, read exactly as many back); then
//! await the clients and stop the server. Timed from the first client spawned to the last one
//! done (connects included; they are 50 of 100 000 operations).
//!
//! - spindle: `spindle::streams` on both sides (`start_server`, `open_connection`,
//!   `StreamReader::read` / `readexactly`, `StreamWriter::write` + `drain`), so each message
//!   is also copied into a fresh `Vec`, as asyncio's streams would.
//! - tokio: `tokio::net::{TcpListener, TcpStream}` with `read` / `write_all` / `read_exact`
//!   into stack buffers.
//! - smol: `smol::net` (async-io's `Async<TcpStream>`), the same calls as tokio's.
//!
//! All sockets have `TCP_NODELAY` (spindle's streams set it, as asyncio).
//!
//! [`spindle_split`] runs the spindle version on one current-thread loop per thread, each
//! with its share of the connections: the bound for any multi-thread scheduler.

use crate::runtimes::{SmolRuntime, SpindleRuntime, TokioRuntime};
use crate::{Runtime, Spawner};
use smol::Executor;
use spindle::EventLoop;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The size of one message: a small request, as in tokio's and smol's own echo benchmarks.
pub const MESSAGE: usize = 64;

/// The size of the server's reads: what one wake-up may bring for 64-byte messages.
const SERVER_READ: usize = 4096;

/// One iteration on spindle's multi-thread adapter; returns its time.
pub fn spindle(rt: &SpindleRuntime, connections: usize, round_trips: usize) -> Duration {
    rt.block_on(spindle_echo(rt.spawner(), connections, round_trips))
}

/// One iteration on tokio's multi-thread adapter; returns its time.
pub fn tokio(rt: &TokioRuntime, connections: usize, round_trips: usize) -> Duration {
    rt.block_on(tokio_echo(rt.spawner(), connections, round_trips))
}

/// One iteration on smol's adapter; returns its time.
pub fn smol(rt: &SmolRuntime, connections: usize, round_trips: usize) -> Duration {
    rt.block_on(smol_echo(rt.spawner(), connections, round_trips))
}

/// The no-sharing bound: `loops` current-thread spindle loops, each on a thread of its own
/// with its own poller, each serving its share of the `connections` (both ends of a
/// connection on one thread); returns the slowest loop's time.
///
/// Nothing is shared between threads: no run queue, no poller, no socket. A scheduler that
/// spreads one set of connections over `loops` workers cannot do much better than this, so
/// it bounds what `tcp_echo` can gain on a given machine (see docs/performance.md).
///
/// # Panics
/// If `loops` is zero or a loop cannot be built.
pub fn spindle_split(loops: usize, connections: usize, round_trips: usize) -> Duration {
    assert!(loops > 0, "tcp_echo: the bound needs at least one loop");
    let start = Arc::new(std::sync::Barrier::new(loops));
    let threads: Vec<_> = (0..loops)
        .map(|k| {
            // Shares as equal as can be: the first `connections % loops` loops take one more.
            let share = connections / loops + usize::from(k < connections % loops);
            let start = start.clone();
            std::thread::spawn(move || {
                let lp = EventLoop::builder()
                    .current_thread()
                    .build()
                    .expect("tcp_echo: could not build a current-thread loop");
                start.wait();
                let elapsed = lp.run_until_complete(spindle_echo(lp.clone(), share, round_trips));
                lp.close();
                elapsed
            })
        })
        .collect();
    threads
        .into_iter()
        .map(|thread| thread.join().expect("tcp_echo: a split loop panicked"))
        .max()
        .unwrap_or_default()
}

/// spindle: `spindle::streams` on both sides (each message copied into a fresh `Vec`, as
/// asyncio's streams do).
pub async fn spindle_echo(spawner: EventLoop, connections: usize, round_trips: usize) -> Duration {
    use spindle::streams::{open_connection, start_server, StreamReader, StreamWriter};

    async fn echo(mut reader: StreamReader, writer: StreamWriter) {
        while let Ok(data) = reader.read(SERVER_READ).await {
            if data.is_empty() || writer.write(&data).is_err() || writer.drain().await.is_err() {
                break;
            }
        }
        writer.close();
    }

    let server = start_server(echo, "127.0.0.1:0")
        .await
        .expect("tcp_echo: spindle bind");
    let addr = server.local_addr().expect("tcp_echo: spindle local_addr");
    let start = Instant::now();
    let clients: Vec<_> = (0..connections)
        .map(|_| {
            Spawner::spawn(&spawner, async move {
                let (mut reader, writer) = open_connection(addr).await.expect("connect");
                let message = [7u8; MESSAGE];
                for _ in 0..round_trips {
                    writer.write(&message).expect("write");
                    writer.drain().await.expect("drain");
                    let back = reader.readexactly(MESSAGE).await.expect("read");
                    debug_assert_eq!(back, message);
                }
                writer.close();
            })
        })
        .collect();
    for client in clients {
        client.await;
    }
    let elapsed = start.elapsed();
    server.close();
    server.wait_closed().await;
    elapsed
}

/// tokio: `tokio::net::{TcpListener, TcpStream}`, `read` / `read_exact` into stack buffers,
/// `write_all`.
pub async fn tokio_echo(
    spawner: tokio::runtime::Handle,
    connections: usize,
    round_trips: usize,
) -> Duration {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("tcp_echo: tokio bind");
    let addr = listener.local_addr().expect("tcp_echo: tokio local_addr");
    let inner = spawner.clone();
    let server = spawner.spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                continue;
            };
            stream.set_nodelay(true).expect("nodelay");
            inner.spawn(async move {
                let mut buf = [0u8; SERVER_READ];
                while let Ok(n) = stream.read(&mut buf).await {
                    if n == 0 || stream.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    let start = Instant::now();
    let clients: Vec<_> = (0..connections)
        .map(|_| {
            Spawner::spawn(&spawner, async move {
                let mut stream = TcpStream::connect(addr).await.expect("connect");
                stream.set_nodelay(true).expect("nodelay");
                let message = [7u8; MESSAGE];
                let mut back = [0u8; MESSAGE];
                for _ in 0..round_trips {
                    stream.write_all(&message).await.expect("write");
                    stream.read_exact(&mut back).await.expect("read");
                    debug_assert_eq!(back, message);
                }
            })
        })
        .collect();
    for client in clients {
        client.await;
    }
    let elapsed = start.elapsed();
    server.abort();
    elapsed
}

/// smol: `smol::net` (`async-io`'s `Async<TcpStream>`), the same calls as tokio's.
pub async fn smol_echo(
    spawner: Arc<Executor<'static>>,
    connections: usize,
    round_trips: usize,
) -> Duration {
    use smol::io::{AsyncReadExt, AsyncWriteExt};
    use smol::net::{TcpListener, TcpStream};

    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("tcp_echo: smol bind");
    let addr = listener.local_addr().expect("tcp_echo: smol local_addr");
    let inner = spawner.clone();
    // Dropping a smol task cancels it: `server` stops the accept loop when dropped.
    let server = Spawner::spawn(&spawner, async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                continue;
            };
            stream.set_nodelay(true).expect("nodelay");
            inner.spawn_detached(async move {
                let mut buf = [0u8; SERVER_READ];
                while let Ok(n) = stream.read(&mut buf).await {
                    if n == 0 || stream.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    let start = Instant::now();
    let clients: Vec<_> = (0..connections)
        .map(|_| {
            Spawner::spawn(&spawner, async move {
                let mut stream = TcpStream::connect(addr).await.expect("connect");
                stream.set_nodelay(true).expect("nodelay");
                let message = [7u8; MESSAGE];
                let mut back = [0u8; MESSAGE];
                for _ in 0..round_trips {
                    stream.write_all(&message).await.expect("write");
                    stream.read_exact(&mut back).await.expect("read");
                    debug_assert_eq!(back, message);
                }
            })
        })
        .collect();
    for client in clients {
        client.await;
    }
    let elapsed = start.elapsed();
    drop(server);
    elapsed
}
