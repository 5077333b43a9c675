//! The loom backend: a modelled parker with the same interface as `os`.
//!
//! A `Mutex<bool>` ("notified") and a `Condvar`. Loom does not model time, so
//! a wait with *any* timeout only consumes a pending notification and returns
//! (a spurious wake-up, which callers tolerate); a wait with no timeout
//! blocks on the condvar until notified. A notification is sticky, exactly
//! like the OS notifier: one that arrives before the wait makes it return at
//! once. If a wake-up could be lost, loom reports the blocked wait as a
//! deadlock.

use std::io;
use std::time::Duration;

use crate::loom::{lock, Condvar, Mutex};

/// Loom has no I/O: the event buffer is empty and carries nothing.
pub(crate) struct Events;

impl Events {
    /// An empty event buffer.
    pub(crate) fn new() -> Events {
        Events
    }
}

/// The modelled parker.
pub(crate) struct Backend {
    notified: Mutex<bool>,
    condvar: Condvar,
}

impl Backend {
    /// A parker with no pending notification.
    pub(crate) fn new() -> io::Result<Backend> {
        Ok(Backend {
            notified: Mutex::new(false),
            condvar: Condvar::new(),
        })
    }

    /// `Some(_)`: consume a pending notification, never block. `None`: block
    /// until notified, then consume the notification.
    pub(crate) fn wait(&self, _events: &mut Events, timeout: Option<Duration>) -> io::Result<()> {
        let mut notified = lock(&self.notified);
        if timeout.is_none() {
            while !*notified {
                notified = self
                    .condvar
                    .wait(notified)
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
            }
        }
        *notified = false;
        Ok(())
    }

    /// Wakes the current or the next [`wait`](Backend::wait).
    pub(crate) fn notify(&self) -> io::Result<()> {
        *lock(&self.notified) = true;
        self.condvar.notify_one();
        Ok(())
    }
}
