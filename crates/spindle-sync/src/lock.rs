//! `Lock<T>`: asyncio's `Lock`, holding the data it protects (like `std::sync::Mutex`).
//!
//! The lock is a [`Semaphore`] with one permit, so it inherits the semaphore's guarantees:
//! strictly FIFO (a new `lock()` never overtakes a waiter, asyncio 3.11's fairness), and a
//! waiter dropped at any moment, even right after it was handed the lock, passes the lock on to
//! the next waiter instead of stranding it. What this file adds is the data: an `UnsafeCell<T>`
//! that only the holder of the one permit may touch, through a [`LockGuard`].
//!
//! Nothing here may hand out a `&T` or `&mut T` except through a guard that holds the permit.

use crate::semaphore::{Acquire, Semaphore};
use std::cell::UnsafeCell;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::task::{Context, Poll};

/// asyncio's `Lock`, protecting a value of type `T` (`Lock<()>` is the plain asyncio lock).
///
/// `lock().await` is Python's `async with lock:`; the returned [`LockGuard`] releases the lock
/// when dropped, handing it to the oldest waiter. Waiters are served strictly in arrival order,
/// and a dropped (cancelled) `lock()` future never blocks the ones behind it.
///
/// ```
/// use futures_lite::future::block_on;
/// use spindle_sync::Lock;
///
/// let lock = Lock::new(Vec::new());
/// block_on(async {
///     lock.lock().await.push(1); // the guard is dropped at the end of the statement
///     let mut guard = lock.lock().await;
///     guard.push(2);
///     assert!(lock.locked());
///     assert!(lock.try_lock().is_none());
/// });
/// assert_eq!(lock.into_inner(), [1, 2]);
/// ```
pub struct Lock<T: ?Sized = ()> {
    /// One permit: whoever holds it may touch `value`.
    semaphore: Semaphore,
    value: UnsafeCell<T>,
}

// SAFETY: `value` is reached only through a `LockGuard`, and the semaphore's single permit
// lets at most one guard exist at a time, so sharing `&Lock<T>` between threads gives at most
// one thread at a time access to the `T` (moving it between threads, hence `T: Send`).
unsafe impl<T: ?Sized + Send> Sync for Lock<T> {}

impl<T> Lock<T> {
    /// An unlocked lock holding `value`.
    pub fn new(value: T) -> Lock<T> {
        Lock {
            semaphore: Semaphore::new(1),
            value: UnsafeCell::new(value),
        }
    }

    /// The protected value (no guard can exist: `self` is owned).
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }
}

impl<T: Default> Default for Lock<T> {
    fn default() -> Lock<T> {
        Lock::new(T::default())
    }
}

impl<T: ?Sized> Lock<T> {
    /// Waits for the lock (FIFO) and returns a guard that releases it when dropped.
    ///
    /// Dropping the returned future gives up its place in the queue; if the lock had already
    /// been handed to it, the lock goes on to the next waiter.
    pub fn lock(&self) -> LockFuture<'_, T> {
        LockFuture {
            lock: self,
            acquire: self.semaphore.acquire(),
        }
    }

    /// Takes the lock if it is free and nobody waits for it (never overtakes a waiter).
    pub fn try_lock(&self) -> Option<LockGuard<'_, T>> {
        self.semaphore.try_acquire().map(|permit| {
            permit.forget();
            LockGuard::new(self)
        })
    }

    /// `true` while the lock is held, or handed to a waiter that has not run yet (asyncio's
    /// `locked()`).
    pub fn locked(&self) -> bool {
        self.semaphore.locked()
    }

    /// The protected value, through an exclusive borrow (no guard can exist).
    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }
}

impl<T: ?Sized> fmt::Debug for Lock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lock")
            .field("locked", &self.locked())
            .field("waiters", &self.semaphore.waiters())
            .finish_non_exhaustive()
    }
}

/// The future of [`Lock::lock`].
#[must_use = "futures do nothing unless awaited"]
pub struct LockFuture<'a, T: ?Sized> {
    lock: &'a Lock<T>,
    acquire: Acquire<'a>,
}

impl<'a, T: ?Sized> Future for LockFuture<'a, T> {
    type Output = LockGuard<'a, T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<LockGuard<'a, T>> {
        let lock = self.lock;
        Pin::new(&mut self.acquire).poll(cx).map(|permit| {
            // The guard now owns the permit; its `Drop` gives it back.
            permit.forget();
            LockGuard::new(lock)
        })
    }
}

impl<T: ?Sized> fmt::Debug for LockFuture<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LockFuture")
            .field("acquire", &self.acquire)
            .finish_non_exhaustive()
    }
}

/// Holds a [`Lock`]: dereferences to the protected value and releases the lock when dropped,
/// handing it to the oldest waiter.
#[must_use = "dropping the guard releases the lock at once"]
pub struct LockGuard<'a, T: ?Sized> {
    lock: &'a Lock<T>,
    /// Makes the guard `Sync` only when `T: Sync` (a `&LockGuard` hands out `&T`), and `Send`
    /// only when `T: Send`, as `&mut T` is.
    _value: PhantomData<&'a mut T>,
}

impl<'a, T: ?Sized> LockGuard<'a, T> {
    /// Only called with the lock's one permit taken and forgotten: the guard owns it.
    fn new(lock: &'a Lock<T>) -> LockGuard<'a, T> {
        LockGuard {
            lock,
            _value: PhantomData,
        }
    }
}

impl<T: ?Sized> Deref for LockGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: this guard owns the lock's only permit, so no other guard exists and nobody
        // else reaches `value`; the `&T` borrows `self`, so it ends before the guard releases.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T: ?Sized> DerefMut for LockGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`; `&mut self` makes this the only borrow through this guard.
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T: ?Sized> Drop for LockGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.semaphore.release();
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for LockGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
