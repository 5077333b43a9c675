//! The one switch between `std` and `loom` primitives for the synchronisation types, so their
//! loom models (`RUSTFLAGS="--cfg loom"`) run the code that ships.
//!
//! Two ways to take a lock: [`lock`] parks at once when the mutex is held (std's own short spin
//! aside), [`lock_spinning`] first spins and yields a while. Under loom both are loom's `lock`:
//! the spinning is a timing choice, not a step loom could reorder.

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

/// [`lock`] for a mutex that two threads take and release at a high rate around critical
/// sections of a few dozen instructions (the queues' state): when it is held, retry with
/// crossbeam's [`Backoff`](crossbeam_utils::Backoff) (spinning, then yielding the CPU) before
/// parking in [`lock`].
///
/// Why: std's mutex spins only while nobody sleeps on it; once one thread has parked, every
/// later contender parks too and every unlock pays a `futex` wake, so two busy threads fall
/// into sleeping on each other for locks held a few nanoseconds. Spinning first keeps them
/// awake; the yields let a holder that was preempted run (a pure spin measured slower on a
/// loaded 2-core machine, see `queue/mod.rs`), and parking after the backoff keeps a long wait
/// from burning a core. The uncontended path is the same single compare-and-swap as `lock`.
#[cfg(not(loom))]
#[inline]
pub(crate) fn lock_spinning<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    match mutex.try_lock() {
        Ok(guard) => guard,
        Err(std::sync::TryLockError::Poisoned(poison)) => poison.into_inner(),
        Err(std::sync::TryLockError::WouldBlock) => lock_contended(mutex),
    }
}

/// The contended half of [`lock_spinning`], out of line so the uncontended path inlines small.
#[cfg(not(loom))]
#[cold]
#[inline(never)]
fn lock_contended<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    let backoff = crossbeam_utils::Backoff::new();
    loop {
        backoff.snooze();
        match mutex.try_lock() {
            Ok(guard) => return guard,
            Err(std::sync::TryLockError::Poisoned(poison)) => return poison.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) if backoff.is_completed() => {
                return lock(mutex)
            }
            Err(std::sync::TryLockError::WouldBlock) => {}
        }
    }
}

/// Under loom, [`lock_spinning`] is [`lock`]: a spin loop would only multiply the
/// interleavings to explore without adding a state.
#[cfg(loom)]
pub(crate) fn lock_spinning<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    lock(mutex)
}
