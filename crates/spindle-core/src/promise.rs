//! `Promise<T>`: asyncio's `Future`, a result slot that any thread can fill and any number of
//! tasks can await.
//!
//! State machine (under one mutex; a promise is a rendezvous, not a hot path):
//!
//! | state     | `set_result` / `cancel`          | await                         |
//! |-----------|----------------------------------|-------------------------------|
//! | pending   | -> done, wake awaiters, schedule callbacks | register the waker  |
//! | done      | `Err(InvalidStateError)` / `false` | a clone of the outcome      |

use crate::error::{CancelledError, InvalidStateError};
use crate::loop_hook::{current_loop, LoopHook};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

type Callback<T> = Box<dyn FnOnce(&Result<T, CancelledError>) + Send + 'static>;

/// A settable, awaitable result: asyncio's `Future`. Clones share the slot.
///
/// ```
/// use spindle_core::Promise;
///
/// let promise = Promise::new();
/// let producer = promise.clone();
/// std::thread::spawn(move || producer.set_result(42).unwrap()).join().unwrap();
/// assert!(promise.is_done());
/// assert_eq!(promise.result(), Some(Ok(42)));
/// assert!(promise.set_result(7).is_err()); // InvalidStateError: already done
/// ```
pub struct Promise<T> {
    inner: Arc<Inner<T>>,
}

struct Inner<T> {
    slot: Mutex<Slot<T>>,
    /// The loop current where the promise was created: callbacks are scheduled there.
    hook: Option<Arc<dyn LoopHook>>,
}

struct Slot<T> {
    outcome: Option<Result<T, CancelledError>>,
    waiters: Vec<Waker>,
    callbacks: Vec<Callback<T>>,
}

impl<T: Send + 'static> Promise<T> {
    /// A pending promise, bound to the loop running on this thread (if any) for its callbacks.
    pub fn new() -> Promise<T> {
        Promise {
            inner: Arc::new(Inner {
                slot: Mutex::new(Slot {
                    outcome: None,
                    waiters: Vec::new(),
                    callbacks: Vec::new(),
                }),
                hook: current_loop(),
            }),
        }
    }

    fn slot(&self) -> MutexGuard<'_, Slot<T>> {
        // Callbacks and wakers run outside the lock, so a poisoned lock holds a consistent slot.
        self.inner
            .slot
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Completes the promise with `value`; `Err` if it was already done (value or cancelled).
    pub fn set_result(&self, value: T) -> Result<(), InvalidStateError> {
        self.finish(Ok(value))
            .map_err(|_| InvalidStateError::ALREADY_DONE)
    }

    /// Cancels the promise: awaiters get `Err(CancelledError)`. `false` if it was already done.
    pub fn cancel(&self) -> bool {
        self.finish(Err(CancelledError)).is_ok()
    }

    fn finish(&self, outcome: Result<T, CancelledError>) -> Result<(), Result<T, CancelledError>> {
        let mut slot = self.slot();
        if slot.outcome.is_some() {
            return Err(outcome);
        }
        slot.outcome = Some(outcome);
        let waiters = std::mem::take(&mut slot.waiters);
        let callbacks = std::mem::take(&mut slot.callbacks);
        drop(slot);
        for waker in waiters {
            waker.wake();
        }
        for callback in callbacks {
            self.dispatch(callback);
        }
        Ok(())
    }

    /// Runs one callback on the promise's loop (inline when it was created outside a loop).
    fn dispatch(&self, callback: Callback<T>) {
        let inner = Arc::clone(&self.inner);
        let run = move || {
            let promise = Promise { inner };
            let slot = promise.slot();
            let outcome = slot
                .outcome
                .as_ref()
                .expect("callbacks run after the promise is done");
            // The callback sees the outcome under the lock; it must not touch this promise.
            callback(outcome);
        };
        match &self.inner.hook {
            Some(hook) => hook.call_soon(Box::new(run)),
            None => run(),
        }
    }

    /// `true` once a result was set or the promise was cancelled.
    pub fn is_done(&self) -> bool {
        self.slot().outcome.is_some()
    }

    /// `true` once the promise was cancelled.
    pub fn is_cancelled(&self) -> bool {
        matches!(self.slot().outcome, Some(Err(CancelledError)))
    }

    /// Runs `callback` with the outcome once the promise is done, on the loop the promise was
    /// created on (`call_soon`), never inside this call when such a loop exists. The callback
    /// must not call methods of this same promise (it runs under the promise's lock).
    pub fn add_done_callback(
        &self,
        callback: impl FnOnce(&Result<T, CancelledError>) + Send + 'static,
    ) {
        let mut slot = self.slot();
        if slot.outcome.is_none() {
            slot.callbacks.push(Box::new(callback));
            return;
        }
        drop(slot);
        self.dispatch(Box::new(callback));
    }

    /// The outcome, asyncio's `result()`: `None` while pending (asyncio raises
    /// `InvalidStateError` there), `Some(Err(CancelledError))` once cancelled.
    pub fn result(&self) -> Option<Result<T, CancelledError>>
    where
        T: Clone,
    {
        self.slot().outcome.clone()
    }

    /// Like [`result`](Promise::result), as asyncio spells the "not ready" case.
    pub fn try_result(&self) -> Result<Result<T, CancelledError>, InvalidStateError>
    where
        T: Clone,
    {
        self.result().ok_or(InvalidStateError::NOT_DONE)
    }
}

impl<T: Send + 'static> Default for Promise<T> {
    fn default() -> Self {
        Promise::new()
    }
}

impl<T> Clone for Promise<T> {
    fn clone(&self) -> Self {
        Promise {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<T: Clone + Send + 'static> Future for Promise<T> {
    type Output = Result<T, CancelledError>;

    /// Every awaiting clone gets a clone of the outcome.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut slot = self.slot();
        if let Some(outcome) = &slot.outcome {
            return Poll::Ready(outcome.clone());
        }
        if !slot.waiters.iter().any(|w| w.will_wake(cx.waker())) {
            slot.waiters.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

impl<T: Send + 'static> fmt::Debug for Promise<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Promise")
            .field("done", &self.is_done())
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}
