//! `Semaphore` and `BoundedSemaphore`: asyncio's counters of permits, strictly FIFO.
//!
//! A permit goes to the oldest waiter; a new `acquire` never overtakes waiters (asyncio 3.11's
//! fairness), and a waiter whose future is dropped after it was handed a permit passes that
//! permit on to the next waiter instead of losing it.

use crate::loom::{lock, Mutex};
use crate::wait_list::{WaitList, WaiterKey};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// asyncio's `Semaphore`: at most `permits` holders at a time.
///
/// ```
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output { let mut f = std::pin::pin!(f); let mut cx = std::task::Context::from_waker(std::task::Waker::noop()); loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v } } }
/// use spindle_sync::Semaphore;
///
/// let sem = Semaphore::new(2);
/// block_on(async {
///     let a = sem.acquire().await; // `async with sem:`
///     let b = sem.acquire().await;
///     assert!(sem.locked());
///     drop(a);
///     assert_eq!(sem.available_permits(), 1);
///     drop(b);
/// });
/// ```
pub struct Semaphore {
    state: Mutex<State>,
}

struct State {
    permits: usize,
    waiters: WaitList<()>,
}

impl Semaphore {
    /// A semaphore with `permits` permits.
    pub fn new(permits: usize) -> Semaphore {
        Semaphore {
            state: Mutex::new(State {
                permits,
                waiters: WaitList::new(),
            }),
        }
    }

    /// Waits for a permit (FIFO). The permit is released when the returned guard drops.
    pub fn acquire(&self) -> Acquire<'_> {
        Acquire {
            semaphore: self,
            key: None,
        }
    }

    /// Takes a permit if one is free and nobody waits.
    pub fn try_acquire(&self) -> Option<SemaphorePermit<'_>> {
        let mut state = lock(&self.state);
        if state.waiters.is_empty() && state.permits > 0 {
            state.permits -= 1;
            Some(SemaphorePermit { semaphore: self })
        } else {
            None
        }
    }

    /// Adds a permit, waking the oldest waiter if any (asyncio's `release()`; pair it with
    /// [`SemaphorePermit::forget`]).
    pub fn release(&self) {
        let mut state = lock(&self.state);
        match state.waiters.notify_one(()) {
            Ok(waker) => {
                drop(state);
                waker.wake();
            }
            Err(()) => state.permits += 1,
        }
    }

    /// `true` when `acquire` would wait (asyncio's `locked()`).
    pub fn locked(&self) -> bool {
        let state = lock(&self.state);
        state.permits == 0 || !state.waiters.is_empty()
    }

    /// Free permits right now.
    pub fn available_permits(&self) -> usize {
        lock(&self.state).permits
    }

    /// Waiters queued right now.
    pub fn waiters(&self) -> usize {
        lock(&self.state).waiters.len()
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = lock(&self.state);
        f.debug_struct("Semaphore")
            .field("permits", &state.permits)
            .field("waiters", &state.waiters.len())
            .finish()
    }
}

/// The future of [`Semaphore::acquire`]. Dropping it gives up its place (or, if it was already
/// handed a permit, passes the permit on).
#[must_use = "futures do nothing unless awaited"]
pub struct Acquire<'a> {
    semaphore: &'a Semaphore,
    key: Option<WaiterKey>,
}

impl<'a> Future for Acquire<'a> {
    type Output = SemaphorePermit<'a>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<SemaphorePermit<'a>> {
        let semaphore = self.semaphore;
        let mut state = lock(&semaphore.state);
        match &self.key {
            None => {
                if state.waiters.is_empty() && state.permits > 0 {
                    state.permits -= 1;
                    return Poll::Ready(SemaphorePermit { semaphore });
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
                    Poll::Ready(SemaphorePermit { semaphore })
                }
                None => {
                    state.waiters.update_waker(key, cx.waker());
                    Poll::Pending
                }
            },
        }
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            let granted = lock(&self.semaphore.state).waiters.remove(key);
            if granted.is_some() {
                self.semaphore.release();
            }
        }
    }
}

impl fmt::Debug for Acquire<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire")
            .field("queued", &self.key.is_some())
            .finish()
    }
}

/// A held permit; dropping it releases the permit.
#[must_use = "dropping the permit releases it at once"]
pub struct SemaphorePermit<'a> {
    semaphore: &'a Semaphore,
}

impl SemaphorePermit<'_> {
    /// Keeps the permit taken without a guard; give it back later with
    /// [`Semaphore::release`] (asyncio's `await sem.acquire() ... sem.release()`).
    pub fn forget(self) {
        std::mem::forget(self);
    }
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        self.semaphore.release();
    }
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SemaphorePermit")
    }
}

/// asyncio's `BoundedSemaphore`: a [`Semaphore`] whose `release` refuses to exceed the initial
/// number of permits.
pub struct BoundedSemaphore {
    semaphore: Semaphore,
    bound: usize,
}

/// [`BoundedSemaphore::release`] was called more often than permits were taken (asyncio
/// raises `ValueError('BoundedSemaphore released too many times')`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManyReleases;

impl fmt::Display for TooManyReleases {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BoundedSemaphore released too many times")
    }
}

impl std::error::Error for TooManyReleases {}

impl BoundedSemaphore {
    /// A bounded semaphore with `permits` permits.
    pub fn new(permits: usize) -> BoundedSemaphore {
        BoundedSemaphore {
            semaphore: Semaphore::new(permits),
            bound: permits,
        }
    }

    /// See [`Semaphore::acquire`].
    pub fn acquire(&self) -> Acquire<'_> {
        self.semaphore.acquire()
    }

    /// See [`Semaphore::try_acquire`].
    pub fn try_acquire(&self) -> Option<SemaphorePermit<'_>> {
        self.semaphore.try_acquire()
    }

    /// Gives a forgotten permit back; `Err` if that would exceed the bound.
    pub fn release(&self) -> Result<(), TooManyReleases> {
        {
            let state = lock(&self.semaphore.state);
            // Permits out = bound - free; waiters hold none.
            if state.permits >= self.bound {
                return Err(TooManyReleases);
            }
        }
        self.semaphore.release();
        Ok(())
    }

    /// See [`Semaphore::locked`].
    pub fn locked(&self) -> bool {
        self.semaphore.locked()
    }

    /// See [`Semaphore::available_permits`].
    pub fn available_permits(&self) -> usize {
        self.semaphore.available_permits()
    }
}

impl fmt::Debug for BoundedSemaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoundedSemaphore")
            .field("bound", &self.bound)
            .field("semaphore", &self.semaphore)
            .finish()
    }
}
