//! [`UdpSocket`]: datagrams on the loop's driver.
//!
//! Every operation is one `sendto`/`recvfrom` retried on readiness ([`Async`]); a datagram is
//! sent whole or not at all, so there is no `send_all`. Destination names are resolved before
//! waiting, synchronously (see [`TcpStream::connect`](super::TcpStream::connect) on lookups).

use crate::io::Async;
use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};

/// A UDP socket: asyncio's datagram endpoint without the protocol callbacks.
///
/// ```no_run
/// # async fn demo() -> std::io::Result<()> {
/// use spindle_reactor::net::UdpSocket;
///
/// let socket = UdpSocket::bind("127.0.0.1:0")?;
/// socket.send_to(b"ping", "127.0.0.1:9999").await?;
/// let mut buf = [0u8; 1500];
/// let (len, from) = socket.recv_from(&mut buf).await?;
/// # let _ = (len, from);
/// # Ok(()) }
/// ```
pub struct UdpSocket {
    io: Async<std::net::UdpSocket>,
}

impl UdpSocket {
    /// Binds to `addr` on the driver of the loop running on this thread.
    ///
    /// # Errors
    /// `AddrInUse`, `InvalidInput` for an unparsable address; an error saying so outside an
    /// event loop.
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<UdpSocket> {
        UdpSocket::from_std(std::net::UdpSocket::bind(addr)?)
    }

    /// Takes a bound std socket onto the driver of the loop running on this thread (it is made
    /// non-blocking).
    ///
    /// # Errors
    /// Outside an event loop, or when the fd cannot be registered.
    pub fn from_std(socket: std::net::UdpSocket) -> io::Result<UdpSocket> {
        Ok(UdpSocket {
            io: Async::new(socket)?,
        })
    }

    /// Leaves the driver and gives the std socket back (still non-blocking).
    ///
    /// # Errors
    /// When the poller refuses to forget the fd (the socket is closed then).
    pub fn into_std(self) -> io::Result<std::net::UdpSocket> {
        self.io.into_inner()
    }

    /// The std socket inside, for options this type does not wrap (broadcast, multicast, TTL).
    pub fn get_ref(&self) -> &std::net::UdpSocket {
        self.io.get_ref()
    }

    /// The local address (with the port the OS picked for port 0).
    ///
    /// # Errors
    /// As `getsockname`.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.get_ref().local_addr()
    }

    /// The address given to [`connect`](UdpSocket::connect).
    ///
    /// # Errors
    /// `NotConnected` before `connect`.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.get_ref().peer_addr()
    }

    /// Sets the default destination for [`send`](UdpSocket::send) and keeps only datagrams
    /// from it for [`recv`](UdpSocket::recv). Synchronous: a UDP connect sends nothing.
    ///
    /// # Errors
    /// When `addr` does not resolve, or no route leads there.
    pub fn connect(&self, addr: impl ToSocketAddrs) -> io::Result<()> {
        self.get_ref().connect(addr)
    }

    /// Sends one datagram to `addr` (the first address it resolves to).
    ///
    /// # Errors
    /// When `addr` does not resolve; `EMSGSIZE` for a datagram too large; as `sendto`.
    pub async fn send_to(&self, buf: &[u8], addr: impl ToSocketAddrs) -> io::Result<usize> {
        let addr = addr.to_socket_addrs()?.next().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "spindle: the address resolved to no socket address to send to",
            )
        })?;
        self.io.write_with(|s| s.send_to(buf, addr)).await
    }

    /// Receives one datagram and its sender's address; bytes beyond `buf.len()` are dropped.
    ///
    /// # Errors
    /// As `recvfrom` (`ConnectionRefused` on a connected socket whose peer's port is closed).
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.read_with(|s| s.recv_from(buf)).await
    }

    /// Peeks at the next datagram without taking it.
    ///
    /// # Errors
    /// As [`recv_from`](UdpSocket::recv_from).
    pub async fn peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.read_with(|s| s.peek_from(buf)).await
    }

    /// Sends one datagram to the connected peer.
    ///
    /// # Errors
    /// `NotConnected` before [`connect`](UdpSocket::connect); as `send`.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.write_with(|s| s.send(buf)).await
    }

    /// Receives one datagram from the connected peer.
    ///
    /// # Errors
    /// As `recv` (`ConnectionRefused` when an earlier datagram met a closed port).
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.read_with(|s| s.recv(buf)).await
    }

    /// Waits until a datagram may be received.
    ///
    /// # Errors
    /// None today; kept for errors a future driver may report.
    pub async fn readable(&self) -> io::Result<()> {
        self.io.readable().await
    }

    /// Waits until a datagram may be sent.
    ///
    /// # Errors
    /// As [`readable`](UdpSocket::readable).
    pub async fn writable(&self) -> io::Result<()> {
        self.io.writable().await
    }
}

impl AsFd for UdpSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.as_fd()
    }
}

impl AsRawFd for UdpSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.io.as_fd().as_raw_fd()
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UdpSocket")
            .field("local", &self.local_addr().ok())
            .field("peer", &self.peer_addr().ok())
            .field("fd", &self.as_raw_fd())
            .finish()
    }
}
