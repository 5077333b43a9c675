//! `Handle` and `TimerHandle`: what `call_soon` and `call_later` return.
//!
//! A callback is a tiny task whose future calls the closure once. The handle can only stop it
//! before it starts: [`Handle::cancel`] returns `true` exactly when the callback will never run.

use crate::task::{Cancelling, Header, Task};
use std::fmt;
use std::ptr::NonNull;
use std::time::Instant;

/// A scheduled callback, asyncio's `Handle`. Dropping it does not cancel the callback.
pub struct Handle {
    task: Task<()>,
}

impl Handle {
    /// Wraps the task of a callback. For executors; users get handles from `call_soon`.
    pub fn new(task: Task<()>) -> Handle {
        Handle { task }
    }

    fn ptr(&self) -> NonNull<Header> {
        self.task.raw()
    }

    /// Cancels the callback if it has not started. `true` means it will never run (also on a
    /// second call); `false` means it already ran or is running, and nothing changed.
    pub fn cancel(&self) -> bool {
        crate::task::cancel(self.ptr(), Cancelling::Callback)
    }

    /// `true` when the callback was cancelled before it ran.
    pub fn is_cancelled(&self) -> bool {
        // SAFETY: as in `cancel`.
        let s = unsafe { self.ptr().as_ref() }.state.load();
        s.has(crate::task::CANCELLED_BIT)
    }

    /// `true` once the callback ran or was dropped by a cancel.
    pub fn is_done(&self) -> bool {
        self.task.is_done()
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("cancelled", &self.is_cancelled())
            .field("done", &self.is_done())
            .finish()
    }
}

/// A callback scheduled for a time, asyncio's `TimerHandle`.
pub struct TimerHandle {
    handle: Handle,
    when: Instant,
}

impl TimerHandle {
    /// Wraps the task of a timed callback. For executors.
    pub fn new(task: Task<()>, when: Instant) -> TimerHandle {
        TimerHandle {
            handle: Handle::new(task),
            when,
        }
    }

    /// When the callback is due.
    pub fn when(&self) -> Instant {
        self.when
    }

    /// See [`Handle::cancel`]. Cancelling is O(1): the timer entry is discarded when it comes due.
    pub fn cancel(&self) -> bool {
        self.handle.cancel()
    }

    /// See [`Handle::is_cancelled`].
    pub fn is_cancelled(&self) -> bool {
        self.handle.is_cancelled()
    }

    /// See [`Handle::is_done`].
    pub fn is_done(&self) -> bool {
        self.handle.is_done()
    }
}

impl fmt::Debug for TimerHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimerHandle")
            .field("when", &self.when)
            .field("cancelled", &self.is_cancelled())
            .field("done", &self.is_done())
            .finish()
    }
}
