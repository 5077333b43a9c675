//! The one switch between `std` and `loom` synchronisation types.
//!
//! Every lock and atomic in this crate is imported from here, so that under
//! `--cfg loom` the real driver code runs inside loom's model checker instead
//! of a hand-written copy of it. Nothing else in the crate names `std::sync`
//! or `loom::sync` directly.
//!
//! The helpers [`lock`] and [`try_lock`] ignore poisoning: the state behind
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

#[cfg(loom)]
pub(crate) use loom::thread_local;
#[cfg(not(loom))]
pub(crate) use std::thread_local;

use std::sync::{PoisonError, TryLockError};

/// Locks `mutex`, recovering the guard if a previous holder panicked.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Takes `mutex` if it is free, without blocking; `None` if someone holds it.
pub(crate) fn try_lock<T>(mutex: &Mutex<T>) -> Option<MutexGuard<'_, T>> {
    match mutex.try_lock() {
        Ok(guard) => Some(guard),
        Err(TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
        Err(TryLockError::WouldBlock) => None,
    }
}
