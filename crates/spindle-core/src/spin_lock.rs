//! `SpinLock<T>`: the lock for critical sections of a few dozen instructions, shared by the
//! task core (the task list's shards, the injector) and by `spindle-sync`'s primitives.
//!
//! Every user takes it for a handful of pointer or counter updates (link a task, splice a
//! queue, hand over a permit), never across an `await` or a call into user code, and wakes
//! wakers only after unlocking. A lock held that briefly never needs to sleep, and one that
//! never sleeps can release with a plain store:
//!
//! | step    | `std::sync::Mutex`                  | `SpinLock`                                    |
//! |---------|-------------------------------------|-----------------------------------------------|
//! | lock    | compare-and-swap                    | compare-and-swap                              |
//! | unlock  | swap (to learn whether one sleeps)  | release store                                 |
//! | held    | spin a little, then `futex` wait    | spin, then yield the CPU each round (`Backoff`) |
//!
//! A contended `Lock` hands over at every release, which takes the semaphore's state lock three
//! times (release, the releaser queueing again, the woken waiter taking its permit): three atomic
//! read-modify-writes saved per hand-off took `lock_contended` from ~85 to ~65 ns per lock on
//! two workers, and `queue_mpsc` from ~79 to ~50 ns per item (see docs/performance.md).
//!
//! The yields (after a few rounds of spinning, crossbeam's `Backoff`) let a holder that was
//! preempted run again. Code that may run under the lock besides the owner's own: a `Waker`'s
//! clone and drop (the executor's) and, in `spindle-sync`'s `PriorityQueue`, the items' `Ord`.
//! A panic there unwinds through the guard, which unlocks (there is no poisoning to ignore).
//!
//! Under loom, code that runs several threads against one lock takes loom's mutex instead
//! (a spinning thread makes loom's search unbounded once a model has three threads; see the
//! `loom.rs` shims); this lock, built on the shim's atomic, cell and backoff, has a two-thread
//! model of its own below.

use crate::loom::{AtomicBool, Backoff, UnsafeCell};
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};

/// A test-and-test-and-set lock around a `T`, for critical sections of a few instructions.
///
/// ```
/// use spindle_core::spin_lock::SpinLock;
///
/// let count = SpinLock::new(0);
/// *count.lock() += 1;
/// assert_eq!(*count.lock(), 1);
/// ```
pub struct SpinLock<T> {
    locked: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: `value` is reached only through a `SpinLockGuard`, and `locked` lets one guard exist
// at a time (taken with Acquire, released with Release), so sharing the lock gives one thread at
// a time access to the `T`, moving it between threads (hence `T: Send`), as `Mutex<T>` does.
unsafe impl<T: Send> Sync for SpinLock<T> {}

// Like `std::sync::Mutex`, whose place this takes, the lock stays usable after a panic under it
// (the guard unlocks on unwind), and its users keep their state consistent across the few
// foreign calls made under it (a waker's clone or drop, an item's `Ord`), so they stay unwind safe.
impl<T> RefUnwindSafe for SpinLock<T> {}
impl<T> UnwindSafe for SpinLock<T> {}

impl<T> SpinLock<T> {
    /// An unlocked lock around `value`.
    pub fn new(value: T) -> SpinLock<T> {
        SpinLock {
            locked: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }

    /// Takes the lock, waiting for the holder to release it.
    #[inline]
    pub fn lock(&self) -> SpinLockGuard<'_, T> {
        if !self.try_take() {
            self.lock_contended();
        }
        SpinLockGuard {
            lock: self,
            _value: PhantomData,
        }
    }

    #[inline]
    fn try_take(&self) -> bool {
        self.locked
            .compare_exchange(false, true, Acquire, Relaxed)
            .is_ok()
    }

    /// The held case, out of line so that `lock` inlines small: wait until the lock looks free,
    /// then try again.
    #[cold]
    #[inline(never)]
    fn lock_contended(&self) {
        let backoff = Backoff::new();
        loop {
            backoff.snooze();
            if self.looks_free() && self.try_take() {
                return;
            }
        }
    }

    /// Waiters look by reading, so they do not fight over the lock's cache line while it is
    /// held. Under loom they go straight to the compare-and-swap: a loom load may keep reading
    /// an older value for as long as it likes (a branch per look), a read-modify-write reads
    /// the latest one.
    #[inline]
    fn looks_free(&self) -> bool {
        cfg!(loom) || !self.locked.load(Relaxed)
    }
}

impl<T> fmt::Debug for SpinLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The value stays unread: showing it would mean taking the lock.
        f.debug_struct("SpinLock")
            .field("locked", &self.locked.load(Relaxed))
            .finish_non_exhaustive()
    }
}

/// Holds a [`SpinLock`]; dereferences to its value and unlocks when dropped.
pub struct SpinLockGuard<'a, T> {
    lock: &'a SpinLock<T>,
    /// Makes the guard `Sync` only when `T: Sync` (a `&SpinLockGuard` hands out `&T`), as
    /// `&mut T` is; `&SpinLock<T>` alone would make it `Sync` for any `T: Send`.
    _value: PhantomData<&'a mut T>,
}

impl<T> Deref for SpinLockGuard<'_, T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: this guard is the only one (see `SpinLock`'s `Sync`), and the `&T` borrows the
        // guard, so it ends before the guard unlocks.
        self.lock.value.with(|value| unsafe { &*value })
    }
}

impl<T> DerefMut for SpinLockGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`; `&mut self` makes this the only borrow through the guard.
        self.lock.value.with_mut(|value| unsafe { &mut *value })
    }
}

impl<T: fmt::Debug> fmt::Debug for SpinLockGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T> Drop for SpinLockGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        self.lock.locked.store(false, Release);
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn threads_incrementing_under_the_lock_lose_nothing() {
        const THREADS: usize = 4;
        const PER_THREAD: usize = 20_000;
        let counter = Arc::new(SpinLock::new(0usize));
        let threads: Vec<_> = (0..THREADS)
            .map(|_| {
                let counter = counter.clone();
                std::thread::spawn(move || {
                    for _ in 0..PER_THREAD {
                        // A read and a write apart: a second holder would lose increments.
                        let mut guard = counter.lock();
                        let seen = *guard;
                        std::hint::black_box(&seen);
                        *guard = seen + 1;
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        assert_eq!(*counter.lock(), THREADS * PER_THREAD);
    }

    #[test]
    fn a_panic_under_the_lock_unlocks_it() {
        let lock = SpinLock::new(1);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _guard = lock.lock();
            panic!("in the critical section");
        }));
        assert!(result.is_err());
        assert_eq!(*lock.lock(), 1, "the lock is free again after the unwind");
    }
}

#[cfg(all(test, loom))]
mod loom_model {
    use super::SpinLock;
    use loom::sync::Arc;

    /// Two threads each read, then write the value under the lock. loom's cell reports any
    /// access not ordered after the previous holder's (an Acquire or Release too weak), and a
    /// lost update fails the count.
    #[test]
    fn two_holders_never_overlap() {
        loom::model(|| {
            let lock = Arc::new(SpinLock::new(0));
            let increment = |lock: &SpinLock<i32>| {
                let mut guard = lock.lock();
                let seen = *guard;
                *guard = seen + 1;
            };
            let other = {
                let lock = lock.clone();
                loom::thread::spawn(move || increment(&lock))
            };
            increment(&lock);
            other.join().unwrap();
            assert_eq!(*lock.lock(), 2);
        });
    }
}
