//! `TaskWake`: how a transport handle wakes the one task that drives its connection.
//!
//! Handles (`Transport`, `DatagramTransport`) change the connection's state under its mutex
//! and then call [`TaskWake::notify`]. While the task is inside its own `poll` (`active`), a
//! notification only marks the state `dirty`, and the task looks at the state again before it
//! parks: a `write` from inside `data_received` costs no wake-up. Once the task parked, its
//! waker is taken and woken (outside the lock, by the caller). This file must not touch I/O.

use std::task::Waker;

/// The wake-up half of a connection's state; lives under the same mutex as the state.
#[derive(Debug, Default)]
pub(crate) struct TaskWake {
    /// The parked task's waker; `None` while it runs or before its first poll.
    waker: Option<Waker>,
    /// The task is inside `poll` and will look at the state again before parking.
    active: bool,
    /// The state changed since the task last looked at it.
    dirty: bool,
}

impl TaskWake {
    /// The state changed: the waker to wake (after unlocking), if the task is parked.
    pub(crate) fn notify(&mut self) -> Option<Waker> {
        self.dirty = true;
        if self.active {
            None
        } else {
            self.waker.take()
        }
    }

    /// The task starts looking at the state.
    pub(crate) fn begin(&mut self) {
        self.active = true;
        self.dirty = false;
    }

    /// The task found nothing to do: `true` if it may park (its waker is stored), `false` if
    /// the state changed meanwhile and it must look again.
    pub(crate) fn park(&mut self, waker: &Waker) -> bool {
        if std::mem::take(&mut self.dirty) {
            return false;
        }
        self.active = false;
        match &self.waker {
            Some(stored) if stored.will_wake(waker) => {}
            _ => self.waker = Some(waker.clone()),
        }
        true
    }

    /// The task leaves `poll` without parking on the state (it yields or it is done).
    pub(crate) fn leave(&mut self) {
        self.active = false;
    }
}
