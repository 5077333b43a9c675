//! asyncio's callback networking: [`Protocol`] and [`Transport`], servers
//! ([`LoopExt::create_server`] -> [`Server`]), clients ([`LoopExt::create_connection`]) and UDP
//! endpoints ([`LoopExt::create_datagram_endpoint`], [`DatagramProtocol`],
//! [`DatagramTransport`]).
//!
//! The loop methods come from the extension trait [`LoopExt`], implemented for
//! [`EventLoop`](crate::EventLoop):
//! with `use spindle::protocols::LoopExt`, asyncio's `await loop.create_server(factory, host,
//! port)` reads `lp.create_server(factory, addr).await`.
//!
//! ```
//! use spindle::protocols::{LoopExt, Protocol, Transport};
//! use spindle::EventLoop;
//! use std::io::{BufRead, BufReader, Write};
//!
//! /// asyncio's echo server protocol.
//! struct Echo(Option<Transport>);
//!
//! impl Protocol for Echo {
//!     fn connection_made(&mut self, transport: Transport) {
//!         self.0 = Some(transport);
//!     }
//!     fn data_received(&mut self, data: &[u8]) {
//!         self.0.as_ref().unwrap().write(data);
//!     }
//! }
//!
//! let lp = EventLoop::new().unwrap();
//! let server = lp
//!     .run_until_complete(lp.create_server(|| Echo(None), "127.0.0.1:0"))
//!     .unwrap();
//! // A blocking client, on the blocking pool while the loop runs.
//! let addr = server.local_addr();
//! let line = lp.run_until_complete(lp.run_in_executor(move || {
//!     let mut client = std::net::TcpStream::connect(addr).unwrap();
//!     client.write_all(b"hello\n").unwrap();
//!     let mut line = String::new();
//!     BufReader::new(&client).read_line(&mut line).unwrap();
//!     line
//! }));
//! assert_eq!(line.unwrap(), "hello\n");
//! server.close();
//! lp.run_until_complete(server.wait_closed());
//! ```
//!
//! # Design
//!
//! One task per connection owns the socket (an [`io::Async`](crate::io::Async)) and the
//! protocol, and is the only caller of the protocol: callbacks of one connection never overlap,
//! and they come in asyncio's order. The [`Transport`] is a handle to state shared with that
//! task: `write` appends to a buffer and wakes the task, which flushes it as the socket
//! accepts. Flow control is asyncio's: the protocol's `pause_writing` when the buffer grows
//! over the high-water mark (64 KiB), `resume_writing` when it drains to the low one (16 KiB);
//! [`Transport::pause_reading`] stops reading from the socket, so a protocol that pauses
//! reading in `pause_writing` keeps its buffer under the high-water mark plus one read
//! (64 KiB) whatever the peer sends.
//!
//! Differences from asyncio:
//!
//! - `create_connection` returns the [`Transport`] only: the protocol has moved into the
//!   connection's task. Share state with it through `Arc`s or channels.
//! - `write` only buffers (asyncio tries a `send` first); the bytes leave when the connection
//!   task runs, right after the callback that wrote them when written from one.
//! - Resolving and binding (`create_server`) and connecting (`create_connection`) run on the
//!   loop's blocking pool, as asyncio runs `getaddrinfo` in its executor.
//! - The socket is closed before `connection_lost` is called (asyncio closes it right after).
//! - Writes after `close`, `abort` or `write_eof` are dropped without an error.

mod connection;
mod datagram;
mod loop_ext;
mod protocol;
mod server;
mod transport;
mod wake;

pub use datagram::DatagramTransport;
pub use loop_ext::LoopExt;
pub use protocol::{DatagramProtocol, Protocol};
pub use server::{Server, ACCEPT_RETRY_DELAY};
pub use transport::{Transport, WriteBufferLimitsError, DEFAULT_HIGH_WATER, DEFAULT_LOW_WATER};
