//! The one switch between `std` and `loom` primitives for the synchronisation types, so their
//! loom models (`RUSTFLAGS="--cfg loom"`) run the code that ships.
//!
//! Every primitive keeps its state behind [`Mutex`], taken with [`lock`]:
//!
//! | build  | `Mutex`                             | waiting for a held lock                        |
//! |--------|-------------------------------------|------------------------------------------------|
//! | normal | `spindle_core::spin_lock::SpinLock` | spin, then yield the CPU (crossbeam `Backoff`) |
//! | loom   | `loom::sync::Mutex`                 | blocked in loom's scheduler                    |
//!
//! The primitives' models run on loom's mutex because a thread spinning on a lock, even one
//! that yields at each look, makes loom's search unbounded once a model has three threads
//! (`Model exceeded maximum number of branches`). The spin lock's own two-thread model lives
//! with it, in `spindle-core`.

#[cfg(loom)]
pub(crate) use loom::sync::{Mutex, MutexGuard};

#[cfg(not(loom))]
pub(crate) use spindle_core::spin_lock::{SpinLock as Mutex, SpinLockGuard as MutexGuard};

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
