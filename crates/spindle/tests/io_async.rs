//! `io::Async`: TCP over `Async<std::net::...>` on the real loop, on a current-thread loop and
//! on two workers: readiness reaches whichever worker waits, no event is lost under many
//! concurrent connections, and dropped sources leave the poller.

#![cfg(feature = "scheduler")]

use spindle::io::Async;
use spindle::EventLoop;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

fn loops() -> Vec<(&'static str, EventLoop)> {
    vec![
        (
            "current-thread",
            EventLoop::builder().current_thread().build().unwrap(),
        ),
        (
            "2 workers",
            EventLoop::builder().worker_threads(2).build().unwrap(),
        ),
    ]
}

/// Runs `f` on another thread and fails if it takes longer than `secs` (a hang is a failure).
fn bounded(secs: u64, f: impl FnOnce() + Send + 'static) {
    let (tx, rx) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        f();
        let _ = tx.send(());
    });
    match rx.recv_timeout(Duration::from_secs(secs)) {
        Ok(()) => worker.join().unwrap(),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            if let Err(panic) = worker.join() {
                std::panic::resume_unwind(panic)
            }
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("did not finish within {secs} s"),
    }
}

async fn write_all(stream: &Async<TcpStream>, mut buf: &[u8]) -> io::Result<()> {
    while !buf.is_empty() {
        let n = stream.write_with(|mut s| s.write(buf)).await?;
        buf = &buf[n..];
    }
    Ok(())
}

async fn read_exact(stream: &Async<TcpStream>, buf: &mut [u8]) -> io::Result<()> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = stream.read_with(|mut s| s.read(&mut buf[filled..])).await?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        filled += n;
    }
    Ok(())
}

/// An echo server task: accepts `connections` clients and echoes each until it closes.
fn spawn_echo_server(lp: &EventLoop, connections: usize) -> std::net::SocketAddr {
    let listener =
        Async::with_driver(TcpListener::bind("127.0.0.1:0").unwrap(), lp.driver()).unwrap();
    let addr = listener.get_ref().local_addr().unwrap();
    lp.spawn(async move {
        for _ in 0..connections {
            let (stream, _) = listener.read_with(|l| l.accept()).await.unwrap();
            let stream = Async::new(stream).unwrap();
            spindle::spawn(async move {
                let mut buf = [0u8; 1024];
                loop {
                    let n = stream.read_with(|mut s| s.read(&mut buf)).await.unwrap();
                    if n == 0 {
                        break;
                    }
                    write_all(&stream, &buf[..n]).await.unwrap();
                }
            });
        }
    });
    addr
}

#[test]
fn a_tcp_echo_round_trip() {
    bounded(20, || {
        for (flavour, lp) in loops() {
            let addr = spawn_echo_server(&lp, 1);
            let echoed = lp.run_until_complete(async move {
                let client = Async::new(TcpStream::connect(addr)?)?;
                write_all(&client, b"hello spindle").await?;
                let mut back = [0u8; 13];
                read_exact(&client, &mut back).await?;
                io::Result::Ok(back)
            });
            assert_eq!(&echoed.unwrap(), b"hello spindle", "{flavour}");
            lp.close();
        }
    });
}

/// 50 clients x 200 round trips at once: every readiness event reaches a waiter (a lost one
/// hangs a client, and the watchdog fails the test).
#[test]
fn many_concurrent_connections_lose_no_readiness() {
    bounded(60, || {
        for (flavour, lp) in loops() {
            let addr = spawn_echo_server(&lp, 50);
            let total = lp.run_until_complete(async move {
                let clients: Vec<_> = (0..50u32)
                    .map(|c| {
                        spindle::spawn(async move {
                            let client = Async::new(TcpStream::connect(addr)?)?;
                            for i in 0..200u32 {
                                let msg = (c * 1000 + i).to_be_bytes();
                                write_all(&client, &msg).await?;
                                let mut back = [0u8; 4];
                                read_exact(&client, &mut back).await?;
                                assert_eq!(back, msg);
                            }
                            io::Result::Ok(200)
                        })
                    })
                    .collect();
                let mut total = 0;
                for client in clients {
                    total += client.await.unwrap().unwrap();
                }
                total
            });
            assert_eq!(total, 50 * 200, "{flavour}");
            lp.close();
        }
    });
}

/// A source dropped (its fd closed) leaves the poller: the driver's count goes back to what it
/// was, after 1,000 sockets registered and dropped, some from another thread.
#[test]
fn dropped_sources_leave_the_poller() {
    bounded(20, || {
        let lp = EventLoop::builder().worker_threads(2).build().unwrap();
        let driver = lp.driver().clone();
        let before = driver.io_source_count();
        let sockets: Vec<_> = (0..1000)
            .map(|_| {
                Async::with_driver(std::net::UdpSocket::bind("127.0.0.1:0").unwrap(), &driver)
                    .unwrap()
            })
            .collect();
        assert_eq!(driver.io_source_count(), before + 1000);
        let (half, rest): (Vec<_>, Vec<_>) = sockets
            .into_iter()
            .enumerate()
            .partition(|(i, _)| i % 2 == 0);
        std::thread::spawn(move || drop(half)).join().unwrap();
        drop(rest);
        assert_eq!(driver.io_source_count(), before);
        lp.close();
    });
}

/// Outside a loop there is no driver to register with: a clear error, not a panic.
#[test]
fn async_new_outside_a_loop_is_an_error() {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let error = Async::new(socket).unwrap_err();
    assert!(
        error.to_string().contains("outside an event loop"),
        "{error}"
    );
}
