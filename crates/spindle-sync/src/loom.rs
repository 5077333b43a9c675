//! The one switch between `std` and `loom` primitives for the synchronisation types, so their
//! loom models (`RUSTFLAGS="--cfg loom"`) run the code that ships.

#[cfg(loom)]
pub(crate) use loom::sync::{Mutex, MutexGuard};
#[cfg(not(loom))]
pub(crate) use std::sync::{Mutex, MutexGuard};

/// Locks ignoring poison: no user code runs under these locks (wakers are woken after
/// unlocking), so a poisoned lock still holds consistent state.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poison) => poison.into_inner(),
    }
}
