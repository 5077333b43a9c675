//! The one switch between `std` and `loom` synchronisation types.
//!
//! Every lock and atomic in this crate is imported from here, so that under
//! `--cfg loom` the real driver code runs inside loom's model checker instead
//! of a hand-written copy of it. Nothing else in the crate names `std::sync`
//! or `loom::sync` directly.
//!
//! The helpers [`lock`] and [`try_lock`] (on a [`TryMutex`]) ignore poisoning: the state behind
//! every mutex here stays consistent at each point a panic could unwind
//! through (wakers are never called while a lock is held), so a poisoned lock
//! carries no broken invariant and the driver keeps working.

#[cfg(loom)]
pub(crate) use loom::sync::{
    atomic::{fence, AtomicU64, AtomicUsize, Ordering},
    Arc, Condvar, Mutex, MutexGuard,
};
#[cfg(not(loom))]
pub(crate) use std::sync::{
    atomic::{fence, AtomicU64, AtomicUsize, Ordering},
    Arc, Mutex, MutexGuard,
};

// The timer shards' lock: `spindle_core`'s spin lock, and loom's mutex under loom (a thread
// spinning on a lock makes loom's search unbounded).
#[cfg(loom)]
pub(crate) use loom::sync::{Mutex as ShortLock, MutexGuard as ShortGuard};
#[cfg(not(loom))]
pub(crate) use spindle_core::spin_lock::{SpinLock as ShortLock, SpinLockGuard as ShortGuard};

/// Takes a [`ShortLock`] (under loom, recovering a poisoned one as [`lock`] does).
#[inline]
pub(crate) fn lock_short<T>(lock: &ShortLock<T>) -> ShortGuard<'_, T> {
    #[cfg(not(loom))]
    {
        lock.lock()
    }
    #[cfg(loom)]
    {
        lock.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(loom)]
pub(crate) use loom::thread_local;
#[cfg(not(loom))]
pub(crate) use std::thread_local;

use std::sync::PoisonError;
#[cfg(not(loom))]
use std::sync::TryLockError;

/// Locks `mutex`, recovering the guard if a previous holder panicked.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A lock that is only ever taken with [`try_lock`] (the driver's park state): `std`'s
/// `Mutex` in production.
#[cfg(not(loom))]
pub(crate) type TryMutex<T> = Mutex<T>;
/// What [`try_lock`] holds.
#[cfg(not(loom))]
pub(crate) type TryMutexGuard<'a, T> = MutexGuard<'a, T>;

/// Takes `mutex` if it is free, without blocking; `None` if someone holds it.
#[cfg(not(loom))]
pub(crate) fn try_lock<T>(mutex: &TryMutex<T>) -> Option<TryMutexGuard<'_, T>> {
    match mutex.try_lock() {
        Ok(guard) => Some(guard),
        Err(TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
        Err(TryLockError::WouldBlock) => None,
    }
}

#[cfg(loom)]
pub(crate) use try_mutex::{try_lock, TryMutex, TryMutexGuard};

/// Under loom, a try-only lock is a flag in front of loom's `Mutex`: loom 0.7 blocks a thread
/// whose pending `try_lock` meets a holder until the holder unlocks (loom issue 376), a false
/// deadlock when the holder parks with it (as the driver's parker does). Whoever wins the flag
/// is the only thread that touches the mutex, so loom never sees two threads meet there.
#[cfg(loom)]
mod try_mutex {
    use loom::sync::atomic::{AtomicBool, Ordering};
    use loom::sync::{Mutex, MutexGuard};

    pub(crate) struct TryMutex<T> {
        held: AtomicBool,
        mutex: Mutex<T>,
    }

    impl<T> TryMutex<T> {
        pub(crate) fn new(value: T) -> TryMutex<T> {
            TryMutex {
                held: AtomicBool::new(false),
                mutex: Mutex::new(value),
            }
        }
    }

    pub(crate) struct TryMutexGuard<'a, T> {
        /// `Some` until the drop releases it, before the flag.
        guard: Option<MutexGuard<'a, T>>,
        held: &'a AtomicBool,
    }

    pub(crate) fn try_lock<T>(mutex: &TryMutex<T>) -> Option<TryMutexGuard<'_, T>> {
        if mutex
            .held
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            return None;
        }
        let guard = mutex
            .mutex
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Some(TryMutexGuard {
            guard: Some(guard),
            held: &mutex.held,
        })
    }

    impl<T> std::ops::Deref for TryMutexGuard<'_, T> {
        type Target = T;
        fn deref(&self) -> &T {
            self.guard.as_ref().expect("held until dropped")
        }
    }

    impl<T> std::ops::DerefMut for TryMutexGuard<'_, T> {
        fn deref_mut(&mut self) -> &mut T {
            self.guard.as_mut().expect("held until dropped")
        }
    }

    impl<T> Drop for TryMutexGuard<'_, T> {
        fn drop(&mut self) {
            drop(self.guard.take());
            self.held.store(false, Ordering::Release);
        }
    }
}
