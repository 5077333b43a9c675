//! The one switch between `std` and `loom` primitives.
//!
//! Every atomic, mutex and `UnsafeCell` of the task core comes from here, so the very code that
//! ships is what the loom models in `task/loom_tests.rs` explore (`RUSTFLAGS="--cfg loom"`). Nothing
//! else in the crate may name `std::sync::atomic` or `std::cell::UnsafeCell` directly.

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicUsize};
#[cfg(loom)]
pub(crate) use loom::sync::{Mutex, MutexGuard};

#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicBool, AtomicUsize};
#[cfg(not(loom))]
pub(crate) use std::sync::{Mutex, MutexGuard};

// The short lock of the task list's shards and the injector: a few pointer updates under it,
// never user code.
//
// | build  | `ShortLock`           | waiting for a held lock                        |
// |--------|-----------------------|------------------------------------------------|
// | normal | `spin_lock::SpinLock` | spin, then yield the CPU (crossbeam `Backoff`) |
// | loom   | `loom::sync::Mutex`   | blocked in loom's scheduler                    |
//
// Under loom a thread spinning on a lock makes the search unbounded once a model has three
// threads; the spin lock has its own two-thread model (`spin_lock.rs`).
#[cfg(not(loom))]
pub(crate) use crate::spin_lock::{SpinLock as ShortLock, SpinLockGuard as ShortGuard};
#[cfg(loom)]
pub(crate) use loom::sync::{Mutex as ShortLock, MutexGuard as ShortGuard};

/// Takes a short lock (see [`ShortLock`]).
#[inline]
pub(crate) fn lock_short<T>(lock: &ShortLock<T>) -> ShortGuard<'_, T> {
    #[cfg(loom)]
    {
        lock.lock().unwrap()
    }
    #[cfg(not(loom))]
    {
        lock.lock()
    }
}

#[cfg(not(loom))]
pub(crate) use crossbeam_utils::Backoff;

/// Under loom, waiting for the spin lock is one yield to loom's scheduler per look.
#[cfg(loom)]
pub(crate) struct Backoff;

#[cfg(loom)]
impl Backoff {
    pub(crate) fn new() -> Backoff {
        Backoff
    }

    pub(crate) fn snooze(&self) {
        loom::thread::yield_now();
    }
}

#[cfg(loom)]
pub(crate) use loom::cell::UnsafeCell;

/// `std`'s `UnsafeCell` behind loom's closure-based API, so call sites read the same either way.
#[cfg(not(loom))]
#[derive(Debug)]
pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

#[cfg(not(loom))]
impl<T> UnsafeCell<T> {
    pub(crate) const fn new(value: T) -> Self {
        Self(std::cell::UnsafeCell::new(value))
    }

    #[inline]
    pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }

    #[inline]
    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}

/// Locks a mutex, ignoring poison: the task core never panics while holding one of its locks
/// (user code that runs under a lock is wrapped in `catch_unwind`), so poison carries no meaning.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    #[cfg(loom)]
    {
        mutex.lock().unwrap()
    }
    #[cfg(not(loom))]
    {
        mutex
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(loom)]
pub(crate) use loom::thread_local;
#[cfg(not(loom))]
pub(crate) use std::thread_local;
