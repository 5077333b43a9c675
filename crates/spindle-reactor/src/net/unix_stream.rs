//! [`UnixStream`]: a Unix-domain stream connection on the loop's driver.
//!
//! `connect` does not block the worker. A Unix connect to a listening socket completes inside
//! the `connect` call, except when the listener's backlog is full: then Linux says `EAGAIN`
//! and, unlike TCP, sends no readiness event when room appears. So that case is retried after a
//! timer with a growing back-off (at most [`MAX_BACKOFF`] apart), where a blocking connect
//! would hold the worker (and, on a current-thread loop, the very task meant to accept).

use super::{ops, sys};
use crate::io::Async;
use crate::Sleep;
use std::fmt;
use std::future::poll_fn;
use std::io::{self, Read, Write};
use std::net::Shutdown;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::os::unix::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

/// The longest wait between two tries of a connect that found the listener's backlog full:
/// short enough that a connect goes through soon after the listener accepts again, long enough
/// that a listener that never does costs a waiting client about 20 tries a second.
const MAX_BACKOFF: Duration = Duration::from_millis(50);

/// A Unix-domain stream connection, with `futures_io::AsyncRead` / `AsyncWrite`.
///
/// Like [`TcpStream`](super::TcpStream), all methods take `&self` and `&UnixStream` implements
/// `AsyncRead` and `AsyncWrite`. Dropping it closes the connection.
///
/// ```no_run
/// # async fn demo() -> std::io::Result<()> {
/// use spindle_reactor::net::UnixStream;
///
/// let (a, b) = UnixStream::pair()?;
/// a.write_all(b"hi").await?;
/// let mut buf = [0u8; 2];
/// b.read_exact(&mut buf).await?;
/// # Ok(()) }
/// ```
pub struct UnixStream {
    io: Async<std::os::unix::net::UnixStream>,
}

impl UnixStream {
    /// Connects to the socket listening at `path`, without blocking the worker (see the module
    /// docs for a full backlog).
    ///
    /// # Errors
    /// `NotFound` when nothing is at `path`; `ConnectionRefused` when the file is a socket
    /// nobody listens on; `InvalidInput` for a path too long for a socket address (108 bytes on
    /// Linux); an error saying so outside an event loop.
    pub async fn connect(path: impl AsRef<Path>) -> io::Result<UnixStream> {
        let target = sys::SockAddr::unix(path.as_ref())?;
        let fd = sys::stream_socket(target.family())?;
        let io = Async::new(std::os::unix::net::UnixStream::from(fd))?;
        let mut backoff = Duration::from_millis(1);
        loop {
            match sys::connect(io.as_fd(), &target)? {
                sys::Connect::Done => break,
                sys::Connect::InProgress => {
                    ops::finish_connect(&io, |s| s.take_error(), |s| s.peer_addr().map(drop))
                        .await?;
                    break;
                }
                sys::Connect::Again => {
                    Sleep::until(Instant::now() + backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
        }
        Ok(UnixStream { io })
    }

    /// Two connected streams (`socketpair`), on the driver of the loop running on this thread.
    ///
    /// # Errors
    /// Out of fds; outside an event loop.
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = std::os::unix::net::UnixStream::pair()?;
        Ok((UnixStream::from_std(a)?, UnixStream::from_std(b)?))
    }

    /// Takes a connected std stream onto the driver of the loop running on this thread (it is
    /// made non-blocking).
    ///
    /// # Errors
    /// Outside an event loop, or when the fd cannot be registered.
    pub fn from_std(stream: std::os::unix::net::UnixStream) -> io::Result<UnixStream> {
        Ok(UnixStream {
            io: Async::new(stream)?,
        })
    }

    /// Leaves the driver and gives the std stream back (still non-blocking).
    ///
    /// # Errors
    /// When the poller refuses to forget the fd (the stream is closed then).
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixStream> {
        self.io.into_inner()
    }

    /// The std stream inside. Reading or writing through it directly returns `WouldBlock`
    /// instead of waiting.
    pub fn get_ref(&self) -> &std::os::unix::net::UnixStream {
        self.io.get_ref()
    }

    /// The local address (unnamed for a client or a pair).
    ///
    /// # Errors
    /// As `getsockname`.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.get_ref().local_addr()
    }

    /// The address of the other end (the listener's path for a client).
    ///
    /// # Errors
    /// As `getpeername`.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.get_ref().peer_addr()
    }

    /// Shuts down the read half, the write half (the peer reads end of file), or both.
    ///
    /// # Errors
    /// As `shutdown(2)`.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.get_ref().shutdown(how)
    }

    /// Waits until a read may make progress.
    ///
    /// # Errors
    /// None today; kept for errors a future driver may report.
    pub async fn readable(&self) -> io::Result<()> {
        self.io.readable().await
    }

    /// Waits until a write may make progress.
    ///
    /// # Errors
    /// As [`readable`](UnixStream::readable).
    pub async fn writable(&self) -> io::Result<()> {
        self.io.writable().await
    }

    /// Reads some bytes into `buf`; `Ok(0)` is end of file (or an empty `buf`).
    ///
    /// # Errors
    /// As `read(2)`.
    pub async fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        poll_fn(|cx| self.io.poll_read_stream(cx, buf, |mut s, buf| s.read(buf))).await
    }

    /// Reads exactly `buf.len()` bytes.
    ///
    /// # Errors
    /// `UnexpectedEof` when the peer closes first; as [`read`](UnixStream::read).
    pub async fn read_exact(&self, buf: &mut [u8]) -> io::Result<()> {
        ops::read_exact(&self.io, buf).await
    }

    /// Writes some of `buf`, returning how many bytes the kernel took.
    ///
    /// # Errors
    /// `BrokenPipe` once the peer has gone away.
    pub async fn write(&self, buf: &[u8]) -> io::Result<usize> {
        poll_fn(|cx| {
            self.io
                .poll_write_stream(cx, buf, |mut s, buf| s.write(buf))
        })
        .await
    }

    /// Writes all of `buf`.
    ///
    /// # Errors
    /// As [`write`](UnixStream::write).
    pub async fn write_all(&self, buf: &[u8]) -> io::Result<()> {
        ops::write_all(&self.io, buf).await
    }
}

impl AsFd for UnixStream {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.as_fd()
    }
}

impl AsRawFd for UnixStream {
    fn as_raw_fd(&self) -> RawFd {
        self.io.as_fd().as_raw_fd()
    }
}

impl fmt::Debug for UnixStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixStream")
            .field("local", &self.local_addr().ok())
            .field("peer", &self.peer_addr().ok())
            .field("fd", &self.as_raw_fd())
            .finish()
    }
}

super::stream_io::stream_io!(UnixStream);
