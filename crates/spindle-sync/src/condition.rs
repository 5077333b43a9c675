//! `Condition<T>`: asyncio's `Condition`, with its lock and the data that lock protects.
//!
//! The API follows `std::sync::Condvar` rather than asyncio's `acquire`/`release` calls:
//!
//! - [`Condition::lock`] is `async with cond:` and returns a [`CondGuard`].
//! - [`CondGuard::wait`] takes the guard by value, releases the lock while waiting and gives a
//!   new guard back once notified and re-locked. Taking the guard by value is what makes
//!   cancellation sound: asyncio re-acquires the lock even when `wait()` is cancelled, which a
//!   dropped Rust future cannot do; here a dropped `wait` simply no longer holds the lock, and
//!   the type system says so (the old guard is gone).
//! - [`CondGuard::notify`] / [`CondGuard::notify_all`] live on the guard, so "you must hold the
//!   lock to notify" (asyncio's `RuntimeError`) is checked by the compiler.
//!
//! Waiters queue in a [`WaitList`] of their own, under a mutex separate from the lock. A waiter
//! queues while it still holds the lock and notifiers hold it too, so no notification is lost
//! between "release the lock" and "start waiting". A `wait` that was notified but is dropped
//! before it returns (while still queued, or while re-acquiring the lock) hands its
//! notification to the next waiter, as CPython 3.13 does.

use crate::lock::{Lock, LockFuture, LockGuard};
use crate::loom::{lock, Mutex};
use crate::wait_list::{WaitList, WaiterKey};
use std::fmt;
use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::task::{Context, Poll};

/// asyncio's `Condition`: a [`Lock`] plus a queue of tasks waiting to be notified.
///
/// ```
/// use futures_lite::future::{block_on, zip};
/// use spindle_sync::Condition;
///
/// let cond = Condition::with_value(0); // the lock protects an integer
/// block_on(zip(
///     async {
///         let guard = cond.lock().await;
///         let guard = guard.wait_for(|n| *n == 3).await; // releases the lock while waiting
///         assert_eq!(*guard, 3);
///     },
///     async {
///         for _ in 0..3 {
///             let mut guard = cond.lock().await;
///             *guard += 1;
///             guard.notify_all();
///         }
///     },
/// ));
/// ```
pub struct Condition<T: ?Sized = ()> {
    waiters: Mutex<WaitList<()>>,
    lock: Lock<T>,
}

impl Condition<()> {
    /// A condition with its own plain lock (asyncio's `Condition()`).
    pub fn new() -> Condition<()> {
        Condition::with_value(())
    }
}

impl Default for Condition<()> {
    fn default() -> Condition<()> {
        Condition::new()
    }
}

impl<T> Condition<T> {
    /// A condition whose lock protects `value`, the state the waiters' predicates look at.
    pub fn with_value(value: T) -> Condition<T> {
        Condition {
            waiters: Mutex::new(WaitList::new()),
            lock: Lock::new(value),
        }
    }

    /// The protected value.
    pub fn into_inner(self) -> T {
        self.lock.into_inner()
    }
}

impl<T: ?Sized> Condition<T> {
    /// Acquires the lock (FIFO, like [`Lock::lock`]): `async with cond:`.
    pub fn lock(&self) -> CondLock<'_, T> {
        CondLock {
            condition: self,
            inner: self.lock.lock(),
        }
    }

    /// Takes the lock if it is free and nobody waits for it.
    pub fn try_lock(&self) -> Option<CondGuard<'_, T>> {
        self.lock.try_lock().map(|guard| CondGuard {
            condition: self,
            guard,
        })
    }

    /// Whether the lock is held (asyncio's `locked()`).
    pub fn locked(&self) -> bool {
        self.lock.locked()
    }

    /// Tasks waiting to be notified right now (not counting notified ones re-acquiring the
    /// lock).
    pub fn waiters(&self) -> usize {
        lock(&self.waiters).len()
    }

    /// The protected value, through an exclusive borrow.
    pub fn get_mut(&mut self) -> &mut T {
        self.lock.get_mut()
    }

    /// Notifies the oldest waiter, if any; returns whether there was one.
    fn notify_one(&self) -> bool {
        let notified = lock(&self.waiters).notify_one(());
        match notified {
            Ok(waker) => {
                waker.wake();
                true
            }
            Err(()) => false,
        }
    }
}

impl<T: ?Sized> fmt::Debug for Condition<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condition")
            .field("locked", &self.locked())
            .field("waiters", &self.waiters())
            .finish_non_exhaustive()
    }
}

/// The future of [`Condition::lock`].
#[must_use = "futures do nothing unless awaited"]
pub struct CondLock<'a, T: ?Sized> {
    condition: &'a Condition<T>,
    inner: LockFuture<'a, T>,
}

impl<'a, T: ?Sized> Future for CondLock<'a, T> {
    type Output = CondGuard<'a, T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<CondGuard<'a, T>> {
        let condition = self.condition;
        Pin::new(&mut self.inner)
            .poll(cx)
            .map(|guard| CondGuard { condition, guard })
    }
}

impl<T: ?Sized> fmt::Debug for CondLock<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CondLock").finish_non_exhaustive()
    }
}

/// Holds a [`Condition`]'s lock: dereferences to the protected value, waits and notifies.
/// Dropping it releases the lock.
#[must_use = "dropping the guard releases the lock at once"]
pub struct CondGuard<'a, T: ?Sized> {
    condition: &'a Condition<T>,
    guard: LockGuard<'a, T>,
}

impl<'a, T: ?Sized> CondGuard<'a, T> {
    /// Releases the lock, waits to be notified, re-acquires the lock and returns the new
    /// guard: `guard = guard.wait().await` is asyncio's `await cond.wait()`.
    ///
    /// Wake-ups may be spurious in the sense asyncio allows (another task may have changed the
    /// state between the notification and the re-lock): re-check the state, or use
    /// [`wait_for`](CondGuard::wait_for). Dropping the future while it waits leaves the queue
    /// (passing on a notification it had already received) and the lock is not held
    /// afterwards.
    pub fn wait(self) -> CondWait<'a, T> {
        CondWait {
            condition: self.condition,
            state: WaitState::Holding(self.guard),
        }
    }

    /// Waits until `predicate` returns `true`, checking it first and after every wake-up, each
    /// time with the lock held: asyncio's `wait_for`.
    pub async fn wait_for<F>(mut self, mut predicate: F) -> CondGuard<'a, T>
    where
        F: FnMut(&mut T) -> bool,
    {
        while !predicate(&mut *self) {
            self = self.wait().await;
        }
        self
    }

    /// Wakes up to `n` waiters, oldest first (asyncio's `notify(n)`); returns how many were
    /// woken. They run once they re-acquire the lock, so after this guard is dropped.
    pub fn notify(&self, n: usize) -> usize {
        // No waiter can queue while this guard holds the lock, so one waiter at a time (and
        // no allocation) notifies exactly the waiters queued now.
        (0..n).take_while(|_| self.condition.notify_one()).count()
    }

    /// Wakes every waiter (asyncio's `notify_all()`); returns how many were woken.
    pub fn notify_all(&self) -> usize {
        self.notify(usize::MAX)
    }

    /// The condition this guard locks.
    pub fn condition(&self) -> &'a Condition<T> {
        self.condition
    }
}

impl<T: ?Sized> Deref for CondGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T: ?Sized> DerefMut for CondGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.guard
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for CondGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// The future of [`CondGuard::wait`].
#[must_use = "futures do nothing unless awaited"]
pub struct CondWait<'a, T: ?Sized> {
    condition: &'a Condition<T>,
    state: WaitState<'a, T>,
}

enum WaitState<'a, T: ?Sized> {
    /// Not polled yet: still holds the lock.
    Holding(LockGuard<'a, T>),
    /// Queued for a notification, lock released.
    Waiting(WaiterKey),
    /// Notified; waiting for the lock again.
    Relocking(LockFuture<'a, T>),
    /// Returned its guard (or is being dropped).
    Done,
}

impl<'a, T: ?Sized> Future for CondWait<'a, T> {
    type Output = CondGuard<'a, T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<CondGuard<'a, T>> {
        let condition = self.condition;
        loop {
            match std::mem::replace(&mut self.state, WaitState::Done) {
                WaitState::Holding(guard) => {
                    // Queue before releasing: a notifier needs the lock, so it cannot slip in
                    // between and find nobody waiting.
                    let key = lock(&condition.waiters).push(cx.waker().clone());
                    self.state = WaitState::Waiting(key);
                    drop(guard);
                    return Poll::Pending;
                }
                WaitState::Waiting(key) => {
                    let mut waiters = lock(&condition.waiters);
                    match waiters.take(&key) {
                        Some(()) => {
                            drop(waiters);
                            self.state = WaitState::Relocking(condition.lock.lock());
                        }
                        None => {
                            waiters.update_waker(&key, cx.waker());
                            drop(waiters);
                            self.state = WaitState::Waiting(key);
                            return Poll::Pending;
                        }
                    }
                }
                WaitState::Relocking(mut relock) => match Pin::new(&mut relock).poll(cx) {
                    Poll::Ready(guard) => return Poll::Ready(CondGuard { condition, guard }),
                    Poll::Pending => {
                        self.state = WaitState::Relocking(relock);
                        return Poll::Pending;
                    }
                },
                WaitState::Done => panic!("CondWait polled after it returned its guard"),
            }
        }
    }
}

impl<T: ?Sized> Drop for CondWait<'_, T> {
    fn drop(&mut self) {
        match std::mem::replace(&mut self.state, WaitState::Done) {
            WaitState::Holding(_) | WaitState::Done => {}
            WaitState::Waiting(key) => {
                let notified = lock(&self.condition.waiters).remove(key);
                if notified.is_some() {
                    self.condition.notify_one();
                }
            }
            WaitState::Relocking(relock) => {
                // Notified, but the notification never reached the caller: pass it on. The
                // lock future's own drop passes the lock on if it had been granted.
                drop(relock);
                self.condition.notify_one();
            }
        }
    }
}

impl<T: ?Sized> fmt::Debug for CondWait<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            WaitState::Holding(_) => "holding",
            WaitState::Waiting(_) => "waiting",
            WaitState::Relocking(_) => "relocking",
            WaitState::Done => "done",
        };
        f.debug_struct("CondWait")
            .field("state", &state)
            .finish_non_exhaustive()
    }
}
