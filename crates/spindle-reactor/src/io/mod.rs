//! I/O sources: any non-blocking file descriptor registered with the driver's poller.
//!
//! - [`Async<T>`] (`async_io.rs`): the public wrapper, `readable`/`writable`, `read_with`/
//!   `write_with`, `futures_io::AsyncRead`/`AsyncWrite`.
//! - `readiness.rs`: what the driver knows about one source, per direction, and why no event is
//!   ever lost (the tick).
//! - `registry.rs`: the driver's table of sources by poller key, and why a source dropped while
//!   another worker dispatches events is safe.
//!
//! Sources are registered **edge-triggered** for both directions once, at creation: the poller
//! reports a direction when it becomes ready, so interest is never re-armed (no syscall per
//! wait), and readiness is remembered until an operation returns `WouldBlock`, or until a byte
//! stream's short read or write shows the kernel's buffer emptied or filled
//! (`Async::poll_read_stream`, `Async::poll_write_stream`; a closed read side stays readable).
//! The source is deleted from the poller before its fd is closed (`Async`'s `Drop`,
//! `into_inner`).

mod async_io;
mod readiness;
mod registry;

pub use async_io::Async;
pub(crate) use readiness::Readiness;
pub(crate) use registry::Registry;
