//! The callback traits: [`Protocol`] for streams (TCP) and [`DatagramProtocol`] for UDP.
//!
//! Only the traits live here; who calls them, and in which order, is `connection.rs` and
//! `datagram.rs`.

use super::{DatagramTransport, Transport};
use std::io;
use std::net::SocketAddr;

/// asyncio's `Protocol`: the callbacks of one stream connection.
///
/// One task per connection owns the protocol and calls it, so the callbacks of one connection
/// never run concurrently and `&mut self` is all the synchronisation a protocol needs. They
/// come in asyncio's order:
///
/// 1. [`connection_made`](Protocol::connection_made), once;
/// 2. [`data_received`](Protocol::data_received), any number of times;
/// 3. [`eof_received`](Protocol::eof_received), at most once, when the peer shut its writing
///    side down;
/// 4. [`connection_lost`](Protocol::connection_lost), exactly once (unless the loop is closed
///    first, which drops the protocol without a call);
///
/// with [`pause_writing`](Protocol::pause_writing) / [`resume_writing`](Protocol::resume_writing)
/// in between, alternately, starting with `pause_writing`.
///
/// Every method has an empty default. A callback must not block: it runs on the loop. A
/// panicking callback ends the connection's task (the loop reports it) and the socket is
/// closed without `connection_lost`.
pub trait Protocol: Send + 'static {
    /// The connection is up; keep `transport` (a cheap handle) to write to it.
    fn connection_made(&mut self, transport: Transport) {
        let _ = transport;
    }

    /// Bytes arrived. TCP keeps no message boundaries: a "line" may come in pieces, or several
    /// at once.
    fn data_received(&mut self, data: &[u8]) {
        let _ = data;
    }

    /// The peer will send nothing more. Return `false` (the default) to close the transport
    /// (pending writes are flushed first), `true` to keep it open for writing: closing it is
    /// then up to the protocol.
    fn eof_received(&mut self) -> bool {
        false
    }

    /// The connection is closed: `None` after `close`/`abort`/EOF, the error when it broke
    /// (a reset peer, ...). The socket is already closed when this is called. Last call.
    fn connection_lost(&mut self, error: Option<io::Error>) {
        let _ = error;
    }

    /// The transport's write buffer went over its high-water mark: stop producing (for
    /// example [`Transport::pause_reading`]) until [`resume_writing`](Protocol::resume_writing).
    fn pause_writing(&mut self) {}

    /// The write buffer drained to its low-water mark: producing may go on.
    fn resume_writing(&mut self) {}
}

/// asyncio's `DatagramProtocol`: the callbacks of one UDP endpoint, called by its one task in
/// order: [`connection_made`](DatagramProtocol::connection_made), then datagrams and errors,
/// then [`connection_lost`](DatagramProtocol::connection_lost).
pub trait DatagramProtocol: Send + 'static {
    /// The endpoint is ready; keep `transport` to send with it.
    fn connection_made(&mut self, transport: DatagramTransport) {
        let _ = transport;
    }

    /// One datagram from `addr`.
    fn datagram_received(&mut self, data: &[u8], addr: SocketAddr) {
        let _ = (data, addr);
    }

    /// A send or receive failed (an ICMP "port unreachable" on a connected endpoint, ...). The
    /// endpoint stays open.
    fn error_received(&mut self, error: io::Error) {
        let _ = error;
    }

    /// The endpoint is closed (`close`/`abort`); last call.
    fn connection_lost(&mut self, error: Option<io::Error>) {
        let _ = error;
    }
}
