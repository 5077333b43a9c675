//! What the `net_*` tests share: the loop flavours, the watchdog, an echo server, and
//! `AsyncRead`/`AsyncWrite` driven by hand (no futures-util here).

#![allow(dead_code)] // each test file uses its own part

use spindle::net::{AsyncRead, AsyncWrite, TcpListener, TcpStream};
use spindle::EventLoop;
use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::mpsc;
use std::time::Duration;

/// Every test runs on each of these.
pub fn loops() -> Vec<(&'static str, EventLoop)> {
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
pub fn bounded(secs: u64, f: impl FnOnce() + Send + 'static) {
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

/// Echoes one connection until its peer closes.
pub async fn echo(stream: TcpStream) -> io::Result<()> {
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        stream.write_all(&buf[..n]).await?;
    }
}

/// A listener on the loop (bound inside it: `bind` needs the loop's driver) whose task echoes
/// every connection it accepts, forever (until the loop closes).
pub fn spawn_echo_server(lp: &EventLoop) -> SocketAddr {
    let listener = lp
        .run_until_complete(async { TcpListener::bind("127.0.0.1:0") })
        .unwrap();
    let addr = listener.local_addr().unwrap();
    lp.spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            spindle::spawn(async move {
                let _ = echo(stream).await;
            });
        }
    });
    addr
}

/// `AsyncReadExt::read` by hand.
pub async fn poll_read(mut io: impl AsyncRead + Unpin, buf: &mut [u8]) -> io::Result<usize> {
    poll_fn(|cx| Pin::new(&mut io).poll_read(cx, buf)).await
}

/// `AsyncWriteExt::write_all` by hand.
pub async fn poll_write_all(mut io: impl AsyncWrite + Unpin, mut buf: &[u8]) -> io::Result<()> {
    while !buf.is_empty() {
        let n = poll_fn(|cx| Pin::new(&mut io).poll_write(cx, buf)).await?;
        buf = &buf[n..];
    }
    poll_fn(|cx| Pin::new(&mut io).poll_flush(cx)).await
}

/// `AsyncWriteExt::close` by hand.
pub async fn poll_close(mut io: impl AsyncWrite + Unpin) -> io::Result<()> {
    poll_fn(|cx| Pin::new(&mut io).poll_close(cx)).await
}

/// Reads until end of file through `AsyncRead`.
pub async fn poll_read_to_end(mut io: impl AsyncRead + Unpin) -> io::Result<Vec<u8>> {
    let mut all = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = poll_fn(|cx| Pin::new(&mut io).poll_read(cx, &mut buf)).await?;
        if n == 0 {
            return Ok(all);
        }
        all.extend_from_slice(&buf[..n]);
    }
}
