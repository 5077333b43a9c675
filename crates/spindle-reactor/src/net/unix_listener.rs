//! [`UnixListener`]: a listening Unix-domain stream socket whose `accept` waits on the loop's
//! driver.
//!
//! The same design as [`TcpListener`](super::TcpListener): a synchronous `bind`, `accept` as
//! an [`Async`] read operation, and `accept` errors (`EMFILE`, ...) handed to the caller rather
//! than retried here.

use super::{sys, UnixStream};
use crate::io::Async;
use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::os::unix::net::SocketAddr;
use std::path::Path;

/// A Unix-domain stream socket listening at a path.
///
/// Dropping the listener closes it but leaves the socket file in place, as std does: remove
/// it yourself (a later `bind` to the same path fails with `AddrInUse` until then).
///
/// ```no_run
/// # async fn demo() -> std::io::Result<()> {
/// use spindle_reactor::net::UnixListener;
///
/// let listener = UnixListener::bind("/tmp/spindle-demo.sock")?;
/// let (stream, _peer) = listener.accept().await?;
/// # let _ = stream;
/// # Ok(()) }
/// ```
pub struct UnixListener {
    io: Async<std::os::unix::net::UnixListener>,
}

impl UnixListener {
    /// Creates the socket file at `path` and listens there, on the driver of the loop running
    /// on this thread.
    ///
    /// # Errors
    /// `AddrInUse` when the path exists (even a stale socket file); `NotFound` / permission
    /// errors for its directory; an error saying so outside an event loop.
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixListener> {
        UnixListener::from_std(std::os::unix::net::UnixListener::bind(path)?)
    }

    /// [`bind`](UnixListener::bind) with asyncio's `backlog` argument: how many connections
    /// the kernel queues before `accept` takes them (Linux caps it at `net.core.somaxconn`).
    /// A client that finds the queue full waits in [`UnixStream::connect`] until room appears.
    ///
    /// # Errors
    /// As [`bind`](UnixListener::bind); `InvalidInput` for a path too long for a socket
    /// address.
    pub fn bind_with_backlog(path: impl AsRef<Path>, backlog: u32) -> io::Result<UnixListener> {
        let local = sys::SockAddr::unix(path.as_ref())?;
        let backlog = libc::c_int::try_from(backlog).unwrap_or(libc::c_int::MAX);
        let fd = sys::listen(&local, backlog)?;
        UnixListener::from_std(std::os::unix::net::UnixListener::from(fd))
    }

    /// Takes a listening std listener onto the driver of the loop running on this thread (it is
    /// made non-blocking).
    ///
    /// # Errors
    /// Outside an event loop, or when the fd cannot be registered.
    pub fn from_std(listener: std::os::unix::net::UnixListener) -> io::Result<UnixListener> {
        Ok(UnixListener {
            io: Async::new(listener)?,
        })
    }

    /// Leaves the driver and gives the std listener back (still non-blocking).
    ///
    /// # Errors
    /// When the poller refuses to forget the fd (the listener is closed then).
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixListener> {
        self.io.into_inner()
    }

    /// The std listener inside.
    pub fn get_ref(&self) -> &std::os::unix::net::UnixListener {
        self.io.get_ref()
    }

    /// The path the listener is bound to.
    ///
    /// # Errors
    /// As `getsockname`.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.get_ref().local_addr()
    }

    /// Waits for a connection and returns it with the peer's address (usually unnamed). The
    /// stream is registered with the driver of the loop polling this future.
    ///
    /// # Errors
    /// As [`TcpListener::accept`](super::TcpListener::accept): `EMFILE` and the other errors of
    /// `accept(2)` are returned, the connection stays queued, and retrying at once spins: back
    /// off first.
    pub async fn accept(&self) -> io::Result<(UnixStream, SocketAddr)> {
        loop {
            match self.io.read_with(|listener| listener.accept()).await {
                Ok((stream, peer)) => return Ok((UnixStream::from_std(stream)?, peer)),
                Err(error) if error.kind() == io::ErrorKind::ConnectionAborted => continue,
                Err(error) => return Err(error),
            }
        }
    }
}

impl AsFd for UnixListener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.as_fd()
    }
}

impl AsRawFd for UnixListener {
    fn as_raw_fd(&self) -> RawFd {
        self.io.as_fd().as_raw_fd()
    }
}

impl fmt::Debug for UnixListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixListener")
            .field("local", &self.local_addr().ok())
            .field("fd", &self.as_raw_fd())
            .finish()
    }
}
