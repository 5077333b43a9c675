//! [`LoopExt`]: `create_server`, `create_connection` and `create_datagram_endpoint` as methods
//! of [`EventLoop`], which lives in another crate.
//!
//! The methods resolve, bind and connect (blocking calls) on the loop's blocking pool, then
//! register the socket with the loop's driver and hand it to the task of `server.rs`,
//! `connection.rs` or `datagram.rs`.

use super::connection::Connection;
use super::{datagram, DatagramProtocol, DatagramTransport, Protocol, Server, Transport};
use crate::blocking_io::on_blocking_pool;
use crate::io::Async;
use crate::EventLoop;
use std::future::Future;
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs, UdpSocket};

mod sealed {
    pub trait Sealed {}
    impl Sealed for crate::EventLoop {}
}

/// asyncio's networking methods of the loop, for [`EventLoop`]:
/// `use spindle::protocols::LoopExt` and call `lp.create_server(..).await`.
///
/// The futures may be awaited in any task of the loop, or driven by
/// `lp.run_until_complete(..)`.
pub trait LoopExt: sealed::Sealed {
    /// Listens on `addr` (port 0: the OS picks one, see [`Server::local_addr`]) and serves
    /// each client with a new protocol from `factory`, asyncio's `create_server`. The server
    /// serves as soon as this returns.
    ///
    /// # Errors
    /// When `addr` does not resolve or cannot be bound (in use, no permission, ...).
    fn create_server<P, F, A>(
        &self,
        factory: F,
        addr: A,
    ) -> impl Future<Output = io::Result<Server>> + Send + 'static
    where
        P: Protocol,
        F: Fn() -> P + Send + Sync + 'static,
        A: ToSocketAddrs + Send + 'static;

    /// Connects to `addr`, asyncio's `create_connection`, and returns once the protocol's
    /// `connection_made` has been called. asyncio returns `(transport, protocol)`; here the
    /// protocol has moved into the connection's task, so only the [`Transport`] comes back.
    ///
    /// # Errors
    /// When `addr` does not resolve or no address accepts the connection.
    fn create_connection<P, F, A>(
        &self,
        factory: F,
        addr: A,
    ) -> impl Future<Output = io::Result<Transport>> + Send + 'static
    where
        P: Protocol,
        F: FnOnce() -> P + Send + 'static,
        A: ToSocketAddrs + Send + 'static;

    /// A UDP endpoint, asyncio's `create_datagram_endpoint`: bound to `local_addr` (or to an
    /// ephemeral port of `remote_addr`'s family), connected to `remote_addr` if given. Returns
    /// once the protocol's `connection_made` has been called.
    ///
    /// # Errors
    /// When neither address is given, or binding or connecting fails.
    fn create_datagram_endpoint<P, F>(
        &self,
        factory: F,
        local_addr: Option<SocketAddr>,
        remote_addr: Option<SocketAddr>,
    ) -> impl Future<Output = io::Result<DatagramTransport>> + Send + 'static
    where
        P: DatagramProtocol,
        F: FnOnce() -> P + Send + 'static;
}

impl LoopExt for EventLoop {
    fn create_server<P, F, A>(
        &self,
        factory: F,
        addr: A,
    ) -> impl Future<Output = io::Result<Server>> + Send + 'static
    where
        P: Protocol,
        F: Fn() -> P + Send + Sync + 'static,
        A: ToSocketAddrs + Send + 'static,
    {
        let lp = self.clone();
        async move {
            let listener = on_blocking_pool(&lp, move || TcpListener::bind(addr)).await?;
            let listener = Async::with_driver(listener, lp.driver())?;
            Server::start(&lp, listener, factory)
        }
    }

    fn create_connection<P, F, A>(
        &self,
        factory: F,
        addr: A,
    ) -> impl Future<Output = io::Result<Transport>> + Send + 'static
    where
        P: Protocol,
        F: FnOnce() -> P + Send + 'static,
        A: ToSocketAddrs + Send + 'static,
    {
        let lp = self.clone();
        async move {
            let stream = on_blocking_pool(&lp, move || TcpStream::connect(addr)).await?;
            let transport = Transport::new(stream.peer_addr().ok(), stream.local_addr().ok());
            let io = Async::with_driver(stream, lp.driver())?;
            let mut protocol = factory();
            protocol.connection_made(transport.clone());
            lp.spawn(Connection::new(io, protocol, transport.clone(), true, None));
            Ok(transport)
        }
    }

    fn create_datagram_endpoint<P, F>(
        &self,
        factory: F,
        local_addr: Option<SocketAddr>,
        remote_addr: Option<SocketAddr>,
    ) -> impl Future<Output = io::Result<DatagramTransport>> + Send + 'static
    where
        P: DatagramProtocol,
        F: FnOnce() -> P + Send + 'static,
    {
        let lp = self.clone();
        async move {
            let local = match (local_addr, remote_addr) {
                (Some(local), _) => local,
                (None, Some(SocketAddr::V4(_))) => (std::net::Ipv4Addr::UNSPECIFIED, 0).into(),
                (None, Some(SocketAddr::V6(_))) => (std::net::Ipv6Addr::UNSPECIFIED, 0).into(),
                (None, None) => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidInput,
                        "create_datagram_endpoint: give a local_addr, a remote_addr, or both",
                    ))
                }
            };
            let socket = UdpSocket::bind(local)?;
            if let Some(remote) = remote_addr {
                socket.connect(remote)?;
            }
            let socket = Async::with_driver(socket, lp.driver())?;
            Ok(datagram::start(&lp, socket, factory()))
        }
    }
}
