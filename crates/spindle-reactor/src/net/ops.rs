//! The loops every byte stream shares: `read_exact` and `write_all` over an [`Async`] source,
//! and the wait for a non-blocking `connect` to finish.
//!
//! Kept here so `TcpStream` and `UnixStream` say the same thing in the same words (the
//! `UnexpectedEof` message, the `WriteZero` one). No OS calls beyond the source's own.

use crate::io::Async;
use std::future::poll_fn;
use std::io::{self, Read, Write};
use std::os::fd::AsFd;

/// Reads until `buf` is full.
///
/// # Errors
/// `UnexpectedEof` when the peer closes first (how many bytes came is in the message); any
/// error of the underlying reads.
pub(super) async fn read_exact<T: AsFd>(io: &Async<T>, buf: &mut [u8]) -> io::Result<()>
where
    for<'a> &'a T: Read,
{
    let mut filled = 0;
    while filled < buf.len() {
        let rest = &mut buf[filled..];
        match poll_fn(|cx| io.poll_read_stream(cx, rest, |mut s, rest| s.read(rest))).await {
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!(
                        "spindle: the peer closed the stream after {filled} of the {} bytes \
                         read_exact waited for",
                        buf.len()
                    ),
                ))
            }
            Ok(n) => filled += n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

/// Writes all of `buf`.
///
/// # Errors
/// `WriteZero` when the socket accepts no more bytes; any error of the underlying writes
/// (`BrokenPipe`, `ConnectionReset` when the peer went away).
pub(super) async fn write_all<T: AsFd>(io: &Async<T>, mut buf: &[u8]) -> io::Result<()>
where
    for<'a> &'a T: Write,
{
    while !buf.is_empty() {
        match poll_fn(|cx| io.poll_write_stream(cx, buf, |mut s, buf| s.write(buf))).await {
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::WriteZero,
                    "spindle: the socket accepted no more bytes in write_all",
                ))
            }
            Ok(n) => buf = &buf[n..],
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

/// Waits until a connect started without waiting has ended, and says how.
///
/// The socket turns writable when the handshake ends, either way; `SO_ERROR` (`take_error`)
/// holds the failure. A source is registered as "maybe ready", so the first check usually runs
/// before the handshake ends: then the socket has no peer yet (`NotConnected`), which is turned
/// into `WouldBlock` so that `write_with` waits for the next writable edge. An edge that lands
/// between the check and the wait is kept by the readiness tick, so none is lost.
pub(super) async fn finish_connect<T: AsFd>(
    io: &Async<T>,
    take_error: impl Fn(&T) -> io::Result<Option<io::Error>>,
    has_peer: impl Fn(&T) -> io::Result<()>,
) -> io::Result<()> {
    io.write_with(|s| {
        if let Some(error) = take_error(s)? {
            return Err(error);
        }
        match has_peer(s) {
            Err(error) if error.kind() == io::ErrorKind::NotConnected => {
                Err(io::ErrorKind::WouldBlock.into())
            }
            other => other,
        }
    })
    .await
}
