//! [`TcpStream`]: a TCP connection on the loop's driver, connected without blocking a worker.
//!
//! `connect` creates the socket non-blocking (`net::sys`), starts the handshake, and waits for
//! the socket to turn writable; `SO_ERROR` then says whether it worked (`ops::finish_connect`).
//! Reads and writes are [`Async`] operations; nothing here blocks.

use super::{ops, sys};
use crate::io::Async;
use crate::Sleep;
use std::fmt;
use std::future::{poll_fn, Future};
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, ToSocketAddrs};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::pin::pin;
use std::task::Poll;
use std::time::{Duration, Instant};

/// A TCP connection: asyncio's stream socket, with `futures_io::AsyncRead` / `AsyncWrite`.
///
/// Made by [`TcpStream::connect`], [`TcpListener::accept`](super::TcpListener::accept), or
/// [`TcpStream::from_std`]. All methods take `&self`, so one task may read while another
/// writes (share it as `&TcpStream` or in an `Arc`); `&TcpStream` implements `AsyncRead` and
/// `AsyncWrite` too. Dropping it closes the connection.
///
/// ```no_run
/// # async fn demo() -> std::io::Result<()> {
/// use spindle_reactor::net::TcpStream;
///
/// let stream = TcpStream::connect("127.0.0.1:8080").await?;
/// stream.write_all(b"ping").await?;
/// let mut reply = [0u8; 4];
/// stream.read_exact(&mut reply).await?;
/// # Ok(()) }
/// ```
pub struct TcpStream {
    io: Async<std::net::TcpStream>,
}

impl TcpStream {
    /// Connects to `addr`, trying each address it resolves to in turn, without blocking the
    /// worker: the handshake is waited for on the loop's driver.
    ///
    /// Name resolution (`ToSocketAddrs`) is the platform's, synchronous: literal addresses
    /// (`"127.0.0.1:80"`, a `SocketAddr`) resolve without a lookup; a host name may query DNS
    /// and block this worker meanwhile. Resolve such names off the loop (asyncio runs
    /// `getaddrinfo` in its executor; `spindle::to_thread` does that) and pass the addresses.
    ///
    /// # Errors
    /// The error of the last address tried (`ConnectionRefused` when nobody listens,
    /// `InvalidInput` for an unparsable address, ...); outside an event loop, an error saying
    /// so.
    pub async fn connect(addr: impl ToSocketAddrs) -> io::Result<TcpStream> {
        let mut last = None;
        for addr in addr.to_socket_addrs()? {
            match TcpStream::connect_addr(addr).await {
                Ok(stream) => return Ok(stream),
                Err(error) => last = Some(error),
            }
        }
        Err(last.unwrap_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "spindle: the address resolved to no socket address to connect to",
            )
        }))
    }

    /// [`connect`](TcpStream::connect), given up after `timeout` (all addresses together).
    ///
    /// # Errors
    /// `TimedOut` when `timeout` passes first (the half-open socket is closed); otherwise as
    /// `connect`.
    pub async fn connect_timeout(
        addr: impl ToSocketAddrs,
        timeout: Duration,
    ) -> io::Result<TcpStream> {
        // A timeout too large for the clock never fires: wait for the connect alone.
        let Some(deadline) = Instant::now().checked_add(timeout) else {
            return TcpStream::connect(addr).await;
        };
        let mut connect = pin!(TcpStream::connect(addr));
        let mut sleep = pin!(Sleep::until(deadline));
        poll_fn(|cx| {
            if let Poll::Ready(result) = connect.as_mut().poll(cx) {
                return Poll::Ready(result);
            }
            match sleep.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("spindle: connect timed out after {timeout:?}"),
                ))),
                Poll::Pending => Poll::Pending,
            }
        })
        .await
    }

    async fn connect_addr(addr: SocketAddr) -> io::Result<TcpStream> {
        let target = sys::SockAddr::inet(&addr);
        let fd = sys::stream_socket(target.family())?;
        // Registered before anything can fail, so the fd is closed by one owner on every path.
        let io = Async::new(std::net::TcpStream::from(fd))?;
        match sys::connect(io.as_fd(), &target)? {
            sys::Connect::Done => {}
            // TCP never says EAGAIN for a connect in progress; treat it like the usual case.
            sys::Connect::InProgress | sys::Connect::Again => {
                ops::finish_connect(&io, |s| s.take_error(), |s| s.peer_addr().map(drop)).await?;
            }
        }
        Ok(TcpStream { io })
    }

    /// Takes a connected std stream onto the driver of the loop running on this thread (it is
    /// made non-blocking).
    ///
    /// # Errors
    /// Outside an event loop, or when the fd cannot be registered.
    pub fn from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        Ok(TcpStream {
            io: Async::new(stream)?,
        })
    }

    pub(super) fn from_async(io: Async<std::net::TcpStream>) -> TcpStream {
        TcpStream { io }
    }

    /// Leaves the driver and gives the std stream back (still non-blocking).
    ///
    /// # Errors
    /// When the poller refuses to forget the fd (the stream is closed then).
    pub fn into_std(self) -> io::Result<std::net::TcpStream> {
        self.io.into_inner()
    }

    /// The std stream inside, for socket options this type does not wrap. Reading or writing
    /// through it directly returns `WouldBlock` instead of waiting.
    pub fn get_ref(&self) -> &std::net::TcpStream {
        self.io.get_ref()
    }

    /// The address of the other end (asyncio's `peername`).
    ///
    /// # Errors
    /// `NotConnected` once the connection is gone.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.get_ref().peer_addr()
    }

    /// The local address (asyncio's `sockname`).
    ///
    /// # Errors
    /// As `getsockname`.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.get_ref().local_addr()
    }

    /// `TCP_NODELAY`: `true` sends small writes at once instead of coalescing them (Nagle's
    /// algorithm off). asyncio turns it on for every TCP transport; this type leaves the OS
    /// default.
    ///
    /// # Errors
    /// As `setsockopt`.
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.get_ref().set_nodelay(nodelay)
    }

    /// `TCP_NODELAY`, see [`set_nodelay`](TcpStream::set_nodelay).
    ///
    /// # Errors
    /// As `getsockopt`.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.get_ref().nodelay()
    }

    /// `SO_LINGER`. `Some(Duration::ZERO)` makes dropping the stream reset the connection
    /// (the peer sees `ConnectionReset`) instead of closing it in order: asyncio's
    /// `transport.abort()` on a socket. Other `Some(d)` values make the close wait in the
    /// kernel, which blocks the dropping worker: avoid them on a loop.
    ///
    /// # Errors
    /// As `setsockopt`.
    pub fn set_linger(&self, linger: Option<Duration>) -> io::Result<()> {
        sys::set_linger(self.as_fd(), linger)
    }

    /// `SO_LINGER`, see [`set_linger`](TcpStream::set_linger).
    ///
    /// # Errors
    /// As `getsockopt`.
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        sys::linger(self.as_fd())
    }

    /// Shuts down the read half, the write half (the peer reads end of file: asyncio's
    /// `write_eof`), or both. The fd stays open until the stream is dropped.
    ///
    /// # Errors
    /// As `shutdown(2)`: `NotConnected` when the connection is already gone.
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
    /// As [`readable`](TcpStream::readable).
    pub async fn writable(&self) -> io::Result<()> {
        self.io.writable().await
    }

    /// Reads some bytes into `buf`; `Ok(0)` is end of file (or an empty `buf`).
    ///
    /// # Errors
    /// `ConnectionReset` and the like when the connection failed.
    pub async fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        poll_fn(|cx| self.io.poll_read_stream(cx, buf, |mut s, buf| s.read(buf))).await
    }

    /// Reads exactly `buf.len()` bytes.
    ///
    /// # Errors
    /// `UnexpectedEof` when the peer closes first (what was read is lost); as
    /// [`read`](TcpStream::read).
    pub async fn read_exact(&self, buf: &mut [u8]) -> io::Result<()> {
        ops::read_exact(&self.io, buf).await
    }

    /// Peeks at incoming bytes without taking them.
    ///
    /// # Errors
    /// As [`read`](TcpStream::read).
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.read_with(|s| s.peek(buf)).await
    }

    /// Writes some of `buf`, returning how many bytes the kernel took.
    ///
    /// # Errors
    /// `BrokenPipe` or `ConnectionReset` once the peer has gone away.
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
    /// As [`write`](TcpStream::write); what was written before the error stays written.
    pub async fn write_all(&self, buf: &[u8]) -> io::Result<()> {
        ops::write_all(&self.io, buf).await
    }
}

impl AsFd for TcpStream {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.as_fd()
    }
}

impl AsRawFd for TcpStream {
    fn as_raw_fd(&self) -> RawFd {
        self.io.as_fd().as_raw_fd()
    }
}

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpStream")
            .field("local", &self.local_addr().ok())
            .field("peer", &self.peer_addr().ok())
            .field("fd", &self.as_raw_fd())
            .finish()
    }
}

super::stream_io::stream_io!(TcpStream);
