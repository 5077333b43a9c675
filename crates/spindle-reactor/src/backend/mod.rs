//! The poller abstraction: the one place the driver blocks.
//!
//! A backend offers `new`, `wait(events, timeout)` and `notify()`, and (outside loom)
//! `register`/`deregister` of an fd under a key, and [`Event`]s to read back. `notify` is
//! *sticky*: a notification that arrives while nobody waits makes the next `wait` return at
//! once. Spurious returns from `wait` are allowed; callers re-check their own state.
//!
//! Three backends with the same interface:
//!
//! - `epoll.rs` on Linux: epoll through `libc`, with `EPOLLRDHUP` (a read side closed is
//!   reported, so a short read may clear the read readiness: see `io/readiness.rs`), a
//!   millisecond timeout of epoll's own, and an eventfd notifier.
//! - `os.rs` elsewhere: a thin wrapper over `polling::Poller` (kqueue, ...), which cannot
//!   report a closed read side ([`READ_CLOSED_REPORTED`] is `false` there).
//! - `model.rs` under `--cfg loom`: a modelled parker, so loom can explore notify racing park.
//!   It has no I/O and no registry.

#[cfg(all(not(loom), target_os = "linux"))]
mod epoll;
#[cfg(loom)]
mod model;
#[cfg(all(not(loom), not(target_os = "linux")))]
mod os;

#[cfg(all(not(loom), target_os = "linux"))]
pub(crate) use epoll::{Backend, Events, READ_CLOSED_REPORTED};
#[cfg(loom)]
pub(crate) use model::{Backend, Events};
#[cfg(all(not(loom), not(target_os = "linux")))]
pub(crate) use os::{Backend, Events, READ_CLOSED_REPORTED};

/// One readiness event of the last wait, as every I/O backend reports it. An error or hang-up
/// on the fd counts as readable and writable (the next operation returns the error).
#[cfg(not(loom))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Event {
    /// The key the fd was registered under.
    pub(crate) key: usize,
    /// A read may make progress.
    pub(crate) readable: bool,
    /// A write may make progress.
    pub(crate) writable: bool,
    /// The read side is closed (the peer shut its write side, a hang-up, or an error): reads
    /// will not block again. Only reported where [`READ_CLOSED_REPORTED`].
    pub(crate) read_closed: bool,
}
