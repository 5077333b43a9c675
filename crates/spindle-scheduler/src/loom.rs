//! The one switch between `std` and `loom` primitives for the scheduler.
//!
//! Atomics, locks, condition variables, `Arc`, threads and thread-locals of the scheduler all
//! come from here, so the loom models in `loom_tests.rs` run the shipping code
//! (`RUSTFLAGS="--cfg loom"`). The run queues have their own switch in `queue/`.

#[cfg(loom)]
pub(crate) use loom::{
    sync::atomic::{fence, AtomicBool, AtomicUsize, Ordering},
    sync::{Arc, Condvar, Mutex, MutexGuard},
    thread, thread_local,
};

#[cfg(not(loom))]
pub(crate) use std::{
    sync::atomic::{fence, AtomicBool, AtomicUsize, Ordering},
    sync::{Arc, Condvar, Mutex, MutexGuard},
    thread, thread_local,
};

/// Locks ignoring poison: user code never runs under a scheduler lock, so a poisoned lock
/// only means a panic elsewhere, and its data is consistent.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poison) => poison.into_inner(),
    }
}

/// Waits on `condvar`, ignoring poison as [`lock`] does.
pub(crate) fn wait<'a, T>(condvar: &Condvar, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
    match condvar.wait(guard) {
        Ok(guard) => guard,
        Err(poison) => poison.into_inner(),
    }
}
