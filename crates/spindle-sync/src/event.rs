//! `Event`: asyncio's one-bit flag that tasks wait on.
//!
//! `set` hands every queued waiter a wake-up (a `Notified` node in the [`WaitList`]), so a
//! waiter woken by a `set` returns even when `clear` ran before it was polled again: what
//! decides is the node, never the flag at poll time. `wait` on a set event returns at once,
//! without queueing.
//!
//! Wakers are collected under the mutex and woken after it is released: one allocation per
//! `set` that finds waiters, none otherwise.

use crate::loom::{lock, Mutex};
use crate::wait_list::{WaitList, WaiterKey};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// asyncio's `Event`: `wait().await` returns once the flag is set.
///
/// ```
/// use futures_lite::future::{block_on, zip};
/// use spindle_sync::Event;
///
/// let event = Event::new();
/// block_on(zip(
///     async { event.wait().await; "woken" },
///     async { event.set() },
/// ));
/// assert!(event.is_set());
/// ```
pub struct Event {
    state: Mutex<State>,
}

struct State {
    set: bool,
    waiters: WaitList<()>,
}

impl Event {
    /// A new event, not set.
    pub fn new() -> Event {
        Event {
            state: Mutex::new(State {
                set: false,
                waiters: WaitList::new(),
            }),
        }
    }

    /// Sets the flag and wakes every waiter; later `wait`s return at once until [`clear`].
    ///
    /// [`clear`]: Event::clear
    pub fn set(&self) {
        let mut state = lock(&self.state);
        if state.set {
            return;
        }
        state.set = true;
        let mut wakers = Vec::with_capacity(state.waiters.len());
        while let Ok(waker) = state.waiters.notify_one(()) {
            wakers.push(waker);
        }
        drop(state);
        for waker in wakers {
            waker.wake();
        }
    }

    /// Clears the flag: later `wait`s block until the next [`set`]. Waiters already woken by
    /// a `set` still return.
    ///
    /// [`set`]: Event::set
    pub fn clear(&self) {
        lock(&self.state).set = false;
    }

    /// Whether the flag is set.
    pub fn is_set(&self) -> bool {
        lock(&self.state).set
    }

    /// Waits until the flag is set (returns at once if it is). Dropping the future leaves
    /// the queue.
    pub fn wait(&self) -> EventWait<'_> {
        EventWait {
            event: self,
            key: None,
        }
    }
}

impl Default for Event {
    fn default() -> Event {
        Event::new()
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = lock(&self.state);
        f.debug_struct("Event")
            .field("set", &state.set)
            .field("waiters", &state.waiters.len())
            .finish()
    }
}

/// The future of [`Event::wait`].
#[must_use = "futures do nothing unless awaited"]
pub struct EventWait<'a> {
    event: &'a Event,
    key: Option<WaiterKey>,
}

impl Future for EventWait<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = lock(&self.event.state);
        match &self.key {
            None => {
                if state.set {
                    return Poll::Ready(());
                }
                let key = state.waiters.push(cx.waker().clone());
                drop(state);
                self.key = Some(key);
                Poll::Pending
            }
            Some(key) => match state.waiters.take(key) {
                Some(()) => {
                    drop(state);
                    self.key = None;
                    Poll::Ready(())
                }
                None => {
                    state.waiters.update_waker(key, cx.waker());
                    Poll::Pending
                }
            },
        }
    }
}

impl Drop for EventWait<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            // A wake-up from `set` went to every waiter: nothing to pass on.
            let _ = lock(&self.event.state).waiters.remove(key);
        }
    }
}

impl fmt::Debug for EventWait<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventWait")
            .field("queued", &self.key.is_some())
            .finish()
    }
}
