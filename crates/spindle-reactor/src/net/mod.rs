//! Sockets on the loop's driver: TCP, UDP and Unix-domain streams, asyncio's socket layer.
//!
//! Each type wraps an [`Async`](crate::io::Async) over the std socket, so readiness,
//! edge-triggered registration and deregistration-before-close are `io`'s; what lives here is
//! what std cannot do without blocking:
//!
//! - `tcp_listener.rs`: [`TcpListener`]; `bind` (and `bind_with_backlog`, asyncio's
//!   `backlog`) is synchronous (asyncio binds inside `create_server` before it returns),
//!   `accept` waits. `accept` errors such as `EMFILE` go
//!   to the caller, never into a retry loop (the listener stays readable: a retry would spin).
//! - `tcp_stream.rs`: [`TcpStream`]; `connect` starts the handshake on a non-blocking socket
//!   and waits for writability, then reads `SO_ERROR` (std's `connect` blocks).
//! - `udp.rs`: [`UdpSocket`].
//! - `unix_listener.rs`, `unix_stream.rs`: [`UnixListener`], [`UnixStream`] (paths).
//! - `ops.rs`: `read_exact`, `write_all` and the connect wait, shared by the stream types.
//! - `sys.rs`: the `libc` calls std lacks (a non-blocking `socket` + `connect`, `listen` with
//!   a chosen backlog, `SO_LINGER`), the only `unsafe` here.
//!
//! Constructors that are not `async` (`bind`, `from_std`, `pair`) register with the driver of
//! the loop running on this thread, so they fail outside one; `async` ones register when first
//! polled. Name resolution (`ToSocketAddrs`) is synchronous: pass addresses, or resolve host
//! names off the loop.

mod ops;
mod stream_io;
mod sys;
mod tcp_listener;
mod tcp_stream;
mod udp;
mod unix_listener;
mod unix_stream;

/// The traits the stream types implement, re-exported so a caller needs no `futures-io`
/// dependency of its own to name them.
pub use futures_io::{AsyncRead, AsyncWrite};
pub use tcp_listener::TcpListener;
pub use tcp_stream::TcpStream;
pub use udp::UdpSocket;
pub use unix_listener::UnixListener;
pub use unix_stream::UnixStream;
