//! `Conn` and `Listener`: the sockets a stream can run over (TCP or Unix), behind one type.
//!
//! Reader, writer and server are written once against these two enums; nothing else in the
//! streams module knows which kind of socket it holds. `StreamAddr` is the address of either.

use spindle_reactor::io::Async;
use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::task::{Context, Poll};

/// The address of either end of a stream: asyncio's `get_extra_info("peername")` /
/// `get_extra_info("sockname")`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamAddr {
    /// A TCP address.
    Inet(SocketAddr),
    /// A Unix socket's path, `None` for an unnamed socket (the client end, usually).
    Unix(Option<PathBuf>),
}

impl fmt::Display for StreamAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamAddr::Inet(addr) => addr.fmt(f),
            StreamAddr::Unix(Some(path)) => path.display().fmt(f),
            StreamAddr::Unix(None) => f.write_str("(unnamed)"),
        }
    }
}

fn unix_addr(addr: std::os::unix::net::SocketAddr) -> StreamAddr {
    StreamAddr::Unix(addr.as_pathname().map(PathBuf::from))
}

/// A connected stream socket, registered with the loop's driver.
#[derive(Debug)]
pub(crate) enum Conn {
    Tcp(Async<TcpStream>),
    Unix(Async<UnixStream>),
}

impl Conn {
    /// Reads into `buf`, waiting for readability.
    pub(crate) fn poll_read(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        match self {
            Conn::Tcp(s) => s.poll_read_stream(cx, buf, |mut io, buf| io.read(buf)),
            Conn::Unix(s) => s.poll_read_stream(cx, buf, |mut io, buf| io.read(buf)),
        }
    }

    /// One non-blocking read attempt (`WouldBlock` when nothing is there).
    pub(crate) fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Tcp(s) => Read::read(&mut s.get_ref(), buf),
            Conn::Unix(s) => Read::read(&mut s.get_ref(), buf),
        }
    }

    /// Writes from `buf`, waiting for writability.
    pub(crate) fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match self {
            Conn::Tcp(s) => s.poll_write_stream(cx, buf, |mut io, buf| io.write(buf)),
            Conn::Unix(s) => s.poll_write_stream(cx, buf, |mut io, buf| io.write(buf)),
        }
    }

    /// One non-blocking write attempt (`WouldBlock` when the kernel's buffer is full).
    pub(crate) fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Conn::Tcp(s) => Write::write(&mut s.get_ref(), buf),
            Conn::Unix(s) => Write::write(&mut s.get_ref(), buf),
        }
    }

    /// `shutdown(2)`; "not connected" (the peer is already gone) is not an error here.
    pub(crate) fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        let result = match self {
            Conn::Tcp(s) => s.get_ref().shutdown(how),
            Conn::Unix(s) => s.get_ref().shutdown(how),
        };
        match result {
            Err(e) if e.kind() == io::ErrorKind::NotConnected => Ok(()),
            other => other,
        }
    }

    pub(crate) fn peername(&self) -> io::Result<StreamAddr> {
        match self {
            Conn::Tcp(s) => s.get_ref().peer_addr().map(StreamAddr::Inet),
            Conn::Unix(s) => s.get_ref().peer_addr().map(unix_addr),
        }
    }

    pub(crate) fn sockname(&self) -> io::Result<StreamAddr> {
        match self {
            Conn::Tcp(s) => s.get_ref().local_addr().map(StreamAddr::Inet),
            Conn::Unix(s) => s.get_ref().local_addr().map(unix_addr),
        }
    }
}

/// A listening socket, registered with the loop's driver.
#[derive(Debug)]
pub(crate) enum Listener {
    Tcp(Async<TcpListener>),
    Unix(Async<UnixListener>),
}

impl Listener {
    /// Waits for and accepts one connection, registered with the current loop.
    pub(crate) async fn accept(&self) -> io::Result<Conn> {
        match self {
            Listener::Tcp(l) => {
                let (stream, _) = l.read_with(|io| io.accept()).await?;
                // Small messages are the common case of a stream (requests, replies): do not
                // let Nagle's algorithm hold them back, as asyncio does for TCP transports.
                stream.set_nodelay(true)?;
                Ok(Conn::Tcp(Async::new(stream)?))
            }
            Listener::Unix(l) => {
                let (stream, _) = l.read_with(|io| io.accept()).await?;
                Ok(Conn::Unix(Async::new(stream)?))
            }
        }
    }

    pub(crate) fn sockname(&self) -> io::Result<StreamAddr> {
        match self {
            Listener::Tcp(l) => l.get_ref().local_addr().map(StreamAddr::Inet),
            Listener::Unix(l) => l.get_ref().local_addr().map(unix_addr),
        }
    }
}
