//! The one switch between `std` and `loom` primitives for the synchronisation types, so their
//! loom models (`RUSTFLAGS="--cfg loom"`) run the code that ships.
//!
//! Every primitive keeps its state behind [`Mutex`], taken with [`lock`]:
//!
//! | build  | `Mutex`                      | waiting for a held lock                      |
//! |--------|------------------------------|----------------------------------------------|
//! | normal | `spin_lock::SpinLock`        | spin, then yield the CPU (crossbeam `Backoff`) |
//! | loom   | `loom::sync::Mutex`          | blocked in loom's scheduler                   |
//!
//! The primitives' models run on loom's mutex because a thread spinning on a lock, even one
//! that yields at each look, makes loom's search unbounded once a model has three threads
//! (`Model exceeded maximum number of branches`). The spin lock itself is built on this
//! module's `AtomicBool`, `UnsafeCell` and `Backoff`, loom's under loom, and its own two-thread
//! model (`spin_lock.rs`) checks its acquire/release protocol.

#[cfg(loom)]
pub(crate) use loom::cell::UnsafeCell;
#[cfg(loom)]
pub(crate) use loom::sync::atomic::AtomicBool;
#[cfg(loom)]
pub(crate) use loom::sync::{Mutex, MutexGuard};

#[cfg(not(loom))]
pub(crate) use crate::spin_lock::{SpinLock as Mutex, SpinLockGuard as MutexGuard};
#[cfg(not(loom))]
pub(crate) use crossbeam_utils::Backoff;
#[cfg(not(loom))]
pub(crate) use std::sync::atomic::AtomicBool;

/// Takes a primitive's state lock.
#[cfg(not(loom))]
#[inline]
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock()
}

/// Takes a primitive's state lock, ignoring poison: no user code runs under these locks
/// (wakers are woken after unlocking), so a poisoned lock still holds consistent state.
#[cfg(loom)]
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poison) => poison.into_inner(),
    }
}

/// `std`'s `UnsafeCell` behind loom's closure-based API, so call sites read the same either way.
#[cfg(not(loom))]
pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

#[cfg(not(loom))]
impl<T> UnsafeCell<T> {
    pub(crate) fn new(value: T) -> Self {
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
