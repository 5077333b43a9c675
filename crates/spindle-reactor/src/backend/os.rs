//! The backend outside Linux: a thin wrapper over [`polling::Poller`].
//!
//! It exists so the driver never names `polling` directly and so an EINTR can
//! never escape as an error (`polling` already retries it; we map any that
//! slips through to a spurious wake-up, which the driver tolerates).
//!
//! `polling` cannot report a closed read side (no `EV_EOF` / `EPOLLRDHUP` in its
//! events), so [`READ_CLOSED_REPORTED`] is `false` here and a short read does not
//! clear the read readiness (see `Async::poll_read_stream`).

use std::io;
use std::os::fd::{BorrowedFd, RawFd};
use std::time::Duration;

use super::Event;

/// `polling` never reports a closed read side: every [`Event::read_closed`] is `false`.
pub(crate) const READ_CLOSED_REPORTED: bool = false;

/// Readiness events filled in by [`Backend::wait`]; owned by the park state so
/// its buffer is allocated once per driver, not once per park.
pub(crate) struct Events(polling::Events);

impl Events {
    /// An empty event buffer with `polling`'s default capacity.
    pub(crate) fn new() -> Events {
        Events(polling::Events::new())
    }
}

/// The OS poller (epoll, kqueue, IOCP, ...) plus its built-in notifier.
pub(crate) struct Backend {
    poller: polling::Poller,
}

impl Backend {
    /// Opens a poller.
    pub(crate) fn new() -> io::Result<Backend> {
        Ok(Backend {
            poller: polling::Poller::new()?,
        })
    }

    /// Blocks until I/O readiness, a [`notify`](Backend::notify), or `timeout`
    /// (`None`: no timeout). Readiness events are left in `events`.
    pub(crate) fn wait(&self, events: &mut Events, timeout: Option<Duration>) -> io::Result<()> {
        events.0.clear();
        match self.poller.wait(&mut events.0, timeout) {
            Ok(_) => Ok(()),
            Err(err) if err.kind() == io::ErrorKind::Interrupted => Ok(()),
            Err(err) => Err(err),
        }
    }

    /// Wakes the current or the next [`wait`](Backend::wait).
    pub(crate) fn notify(&self) -> io::Result<()> {
        self.poller.notify()
    }

    /// Registers `fd` for read and write readiness under `key`, edge-triggered: an event is
    /// reported when readiness *changes*, so interest never needs re-arming (see `io/`).
    ///
    /// # Safety
    /// `fd` must be [`deregister`](Backend::deregister)ed before it is closed.
    pub(crate) unsafe fn register(&self, fd: RawFd, key: usize) -> io::Result<()> {
        // SAFETY: forwarded to the caller.
        unsafe {
            self.poller
                .add_with_mode(fd, polling::Event::all(key), polling::PollMode::Edge)
        }
    }

    /// Removes `fd` from the poller.
    pub(crate) fn deregister(&self, fd: BorrowedFd<'_>) -> io::Result<()> {
        self.poller.delete(fd)
    }
}

impl Events {
    /// The readiness reported by the last wait.
    pub(crate) fn iter(&self) -> impl Iterator<Item = Event> + '_ {
        self.0.iter().map(|event| Event {
            key: event.key,
            readable: event.readable,
            writable: event.writable,
            read_closed: false,
        })
    }
}
