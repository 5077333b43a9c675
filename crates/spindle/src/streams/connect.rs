//! `open_connection` and `open_unix_connection`: connect, then split the socket into a
//! reader and a writer.
//!
//! The connect itself runs on the loop's blocking pool (`to_thread`): `std` offers no
//! non-blocking connect, and this module may not add a dependency for one. The socket is
//! registered with the loop's driver as soon as it is connected. (Once `spindle::net` has
//! its non-blocking `TcpStream::connect`, this is the one place to switch.)

use super::socket::Conn;
use super::{current_loop, split, StreamReader, StreamWriter};
use crate::blocking_io::on_blocking_pool;
use spindle_reactor::io::Async;
use std::io;
use std::net::{TcpStream, ToSocketAddrs};
use std::os::unix::net::UnixStream;
use std::path::Path;

/// Connects to `addr` over TCP: asyncio's `open_connection(host, port)`.
///
/// `addr` is resolved and connected on the loop's blocking pool, so a host name or a slow
/// peer never blocks a worker. The socket gets `TCP_NODELAY`, as asyncio's.
///
/// # Errors
/// When the address cannot be resolved or no connection can be made, or outside an event loop.
pub async fn open_connection(
    addr: impl ToSocketAddrs + Send + 'static,
) -> io::Result<(StreamReader, StreamWriter)> {
    let lp = current_loop()?;
    let stream = on_blocking_pool(&lp, move || TcpStream::connect(addr)).await?;
    stream.set_nodelay(true)?;
    Ok(split(Conn::Tcp(Async::new(stream)?), lp))
}

/// Connects to the Unix socket at `path`: asyncio's `open_unix_connection(path)`.
///
/// # Errors
/// When no connection can be made, or outside an event loop.
pub async fn open_unix_connection(
    path: impl AsRef<Path>,
) -> io::Result<(StreamReader, StreamWriter)> {
    let lp = current_loop()?;
    let path = path.as_ref().to_path_buf();
    let stream = on_blocking_pool(&lp, move || UnixStream::connect(path)).await?;
    Ok(split(Conn::Unix(Async::new(stream)?), lp))
}
