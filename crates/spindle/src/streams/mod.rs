//! asyncio's streams: [`open_connection`] and [`start_server`] hand out a [`StreamReader`]
//! and a [`StreamWriter`] over a TCP or Unix socket.
//!
//! ```
//! # spindle::run(async {
//! use spindle::streams::{open_connection, start_server};
//!
//! // An echo server: each connection runs the callback in its own task.
//! let server = start_server(
//!     |mut reader, writer| async move {
//!         while let Ok(data) = reader.read(4096).await {
//!             if data.is_empty() || writer.write(&data).is_err() || writer.drain().await.is_err() {
//!                 break;
//!             }
//!         }
//!         writer.close();
//!     },
//!     "127.0.0.1:0",
//! )
//! .await
//! .unwrap();
//!
//! let (mut reader, writer) = open_connection(server.local_addr().unwrap()).await.unwrap();
//! writer.write(b"ping\n").unwrap();
//! writer.drain().await.unwrap();
//! assert_eq!(reader.readline().await.unwrap(), b"ping\n");
//! writer.close();
//! writer.wait_closed().await.unwrap();
//! server.close();
//! server.wait_closed().await;
//! # });
//! ```
//!
//! # Design
//!
//! Both halves share the socket (`Arc<Conn>`, an [`Async`](crate::io::Async) TCP or Unix
//! stream); the reader owns the read direction, the writer the write direction, so they never
//! wait on each other.
//!
//! - `reader.rs`: the reader **pulls**: it reads from the socket only when a call needs bytes,
//!   into its own buffer. No background task, no read-side flow control (asyncio pauses its
//!   transport at twice the limit; here the kernel's buffer holds what is not asked for).
//! - `writer.rs`: `write` sends at once when nothing is queued; the rest is queued and a
//!   flusher task, alive only while the queue is not empty, writes it out. `drain` is
//!   asyncio's flow control (pause above the high mark, resume at the low mark).
//! - `server.rs`: one accept task per server; one task per connection; back-off on `EMFILE`.
//! - `connect.rs`: the connect runs on the blocking pool (no non-blocking connect in `std`).
//! - `error.rs`: [`IncompleteReadError`], [`LimitOverrunError`] and the enums around them.
//! - `socket.rs`: the TCP-or-Unix socket behind one type, and [`StreamAddr`].
//!
//! Differences from asyncio are listed in `docs/asyncio-mapping.md` ("Networking: streams").

mod connect;
mod error;
mod reader;
mod server;
mod socket;
mod writer;

pub use connect::{open_connection, open_unix_connection};
pub use error::{IncompleteReadError, LimitOverrunError, ReadExactlyError, ReadUntilError};
pub use reader::StreamReader;
pub use server::{start_server, start_unix_server, StreamServer, ACCEPT_RETRY_DELAY};
pub use socket::StreamAddr;
pub use writer::StreamWriter;

use socket::Conn;
use spindle_scheduler::EventLoop;
use std::io;
use std::sync::Arc;

/// The reader's default limit for `readuntil` / `readline`: asyncio's `_DEFAULT_LIMIT`
/// (64 KiB), long enough for any sane line of a text protocol, short enough to refuse a
/// peer that never sends a newline.
pub const DEFAULT_LIMIT: usize = 64 * 1024;

/// The writer's default high mark: asyncio's transports pause their protocol above 64 KiB.
pub const DEFAULT_HIGH_WATER: usize = 64 * 1024;

/// The writer's default low mark: a quarter of the high mark, as asyncio.
pub const DEFAULT_LOW_WATER: usize = DEFAULT_HIGH_WATER / 4;

/// One connected socket as a reader and a writer sharing it.
fn split(conn: Conn, lp: EventLoop) -> (StreamReader, StreamWriter) {
    let conn = Arc::new(conn);
    (StreamReader::new(conn.clone()), StreamWriter::new(conn, lp))
}

/// The loop this thread runs in, or an error a user can act on.
fn current_loop() -> io::Result<EventLoop> {
    EventLoop::try_current().ok_or_else(|| {
        io::Error::other("spindle::streams: called outside an event loop (run it in a task)")
    })
}
