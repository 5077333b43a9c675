//! [`TcpListener`]: a listening TCP socket whose `accept` waits on the loop's driver.
//!
//! `bind` is synchronous, as asyncio's `create_server` binds before it returns; `accept` is an
//! [`Async`] read operation. What this type must not do is retry a failing `accept` by itself:
//! when the process is out of fds (`EMFILE`) the pending connection stays queued and the
//! listener stays readable, so a retry loop here would spin. The error goes to the caller.

use super::{sys, TcpStream};
use crate::io::Async;
use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};

/// A TCP socket listening for connections.
///
/// ```no_run
/// # async fn demo() -> std::io::Result<()> {
/// use spindle_reactor::net::TcpListener;
///
/// let listener = TcpListener::bind("127.0.0.1:0")?;
/// println!("listening on {}", listener.local_addr()?);
/// loop {
///     let (stream, peer) = listener.accept().await?;
///     // hand `stream` to a task
/// #   let _ = (stream, peer);
/// }
/// # }
/// ```
pub struct TcpListener {
    io: Async<std::net::TcpListener>,
}

impl TcpListener {
    /// Binds to `addr` (the first address it resolves to that binds) and listens, with std's
    /// options (`SO_REUSEADDR` on Unix, the OS's default backlog), on the driver of the loop
    /// running on this thread. Port 0 picks a free port: see
    /// [`local_addr`](TcpListener::local_addr).
    ///
    /// # Errors
    /// `AddrInUse` when another socket holds the port; `InvalidInput` for an unparsable address;
    /// an error saying so outside an event loop.
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<TcpListener> {
        TcpListener::from_std(std::net::TcpListener::bind(addr)?)
    }

    /// [`bind`](TcpListener::bind) with asyncio's `backlog` argument of `create_server`: how
    /// many connections the kernel completes and queues before `accept` takes them (Linux caps
    /// it at `net.core.somaxconn`). When the queue is full, new connection attempts are not
    /// refused but left unanswered, so their `connect` waits (and retries) until room appears.
    ///
    /// # Errors
    /// As [`bind`](TcpListener::bind); the last address's error when none binds.
    pub fn bind_with_backlog(addr: impl ToSocketAddrs, backlog: u32) -> io::Result<TcpListener> {
        let backlog = libc::c_int::try_from(backlog).unwrap_or(libc::c_int::MAX);
        let mut last = None;
        for addr in addr.to_socket_addrs()? {
            match sys::listen(&sys::SockAddr::inet(&addr), backlog) {
                Ok(fd) => return TcpListener::from_std(std::net::TcpListener::from(fd)),
                Err(error) => last = Some(error),
            }
        }
        Err(last.unwrap_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "spindle: the address resolved to no socket address to bind to",
            )
        }))
    }

    /// Takes a bound, listening std listener onto the driver of the loop running on this
    /// thread (it is made non-blocking).
    ///
    /// # Errors
    /// Outside an event loop, or when the fd cannot be registered.
    pub fn from_std(listener: std::net::TcpListener) -> io::Result<TcpListener> {
        Ok(TcpListener {
            io: Async::new(listener)?,
        })
    }

    /// Leaves the driver and gives the std listener back (still non-blocking).
    ///
    /// # Errors
    /// When the poller refuses to forget the fd (the listener is closed then).
    pub fn into_std(self) -> io::Result<std::net::TcpListener> {
        self.io.into_inner()
    }

    /// The std listener inside, for socket options this type does not wrap.
    pub fn get_ref(&self) -> &std::net::TcpListener {
        self.io.get_ref()
    }

    /// The address the listener is bound to (with the port the OS picked for port 0).
    ///
    /// # Errors
    /// As `getsockname`.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.get_ref().local_addr()
    }

    /// Waits for a connection and returns it with the peer's address. The stream is registered
    /// with the driver of the loop polling this future.
    ///
    /// A connection the peer reset before it was taken (`ECONNABORTED`) is skipped, as
    /// asyncio's accept loop does.
    ///
    /// # Errors
    /// Every other error of `accept(2)` is returned as it is, and the next call tries again at
    /// once. Most are about the process, not the listener: `EMFILE` / `ENFILE` (out of file
    /// descriptors; `raw_os_error()` 24 / 23 on Linux), `ENOBUFS` / `ENOMEM`. The connection
    /// stays queued and the listener readable, so **retrying at once spins**: back off first
    /// (asyncio's server waits one second), close something, or stop accepting. Accepting
    /// works again as soon as fds are free; no readiness event is needed.
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        loop {
            match self.io.read_with(|listener| listener.accept()).await {
                Ok((stream, peer)) => {
                    return Ok((TcpStream::from_async(Async::new(stream)?), peer));
                }
                Err(error) if error.kind() == io::ErrorKind::ConnectionAborted => continue,
                Err(error) => return Err(error),
            }
        }
    }
}

impl AsFd for TcpListener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.as_fd()
    }
}

impl AsRawFd for TcpListener {
    fn as_raw_fd(&self) -> RawFd {
        self.io.as_fd().as_raw_fd()
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpListener")
            .field("local", &self.local_addr().ok())
            .field("fd", &self.as_raw_fd())
            .finish()
    }
}
