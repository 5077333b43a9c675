//! `tcp_echo` on each runtime's own sockets: the protocol of [`crate::net::tcp_echo`], its
//! three versions written here again as futures over the runtime's spawner, so that the
//! current-thread flavours run them too (`crate::net::tcp_echo` takes the multi-thread
//! adapters by type).
//!
//! An echo server on loopback and `connections` client tasks that each connect and make
//! `round_trips` round trips of [`MESSAGE`] bytes (write, then read exactly as many back);
//! timed from the first client spawned to the last one done. spindle: `spindle::streams`;
//! tokio: `tokio::net`; smol: `smol::net` (`async-io`). Every socket has `TCP_NODELAY`.

use super::Peer;
use crate::{Runtime, Spawner};
use smol::Executor;
use spindle::EventLoop;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use crate::net::tcp_echo::MESSAGE;

/// The size of the server's reads.
const SERVER_READ: usize = 4096;

/// One iteration of `tcp_echo` on `rt`; thousands of round trips per second.
pub fn tcp_echo<R: Runtime>(rt: &R, connections: usize, round_trips: usize) -> f64
where
    R::Spawner: Peer,
{
    let spawner = rt.spawner();
    let elapsed = rt.block_on(spawner.tcp_echo(connections, round_trips));
    (connections * round_trips) as f64 / elapsed.as_secs_f64() / 1e3
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
