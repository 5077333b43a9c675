//! Parking a worker: on the I/O driver if it is free, on a cheap condition variable if not.
//!
//! `polling` lets one thread at a time wait on the poller. The first idle worker to try-lock
//! the driver parks there (so I/O and timers wake it); the others sleep on their own condvar.
//! [`Unparker::unpark`] reaches a worker wherever it sleeps:
//!
//! | state            | `park` did                  | `unpark` does                              |
//! |------------------|-----------------------------|--------------------------------------------|
//! | `EMPTY`          | nothing yet                 | set `NOTIFIED`: the next `park` returns at once |
//! | `PARKED_CONDVAR` | waits on the condvar        | set `NOTIFIED`, lock/unlock the mutex, signal   |
//! | `PARKED_DRIVER`  | waits on the poller         | set `NOTIFIED`, `Driver::notify`                |
//! | `NOTIFIED`       | (consumes it and returns)   | nothing more                                    |
//!
//! The notification is a token, so an `unpark` racing a `park` is never lost: whichever side
//! comes second sees the other's state.

use crate::loom::{lock, wait, Arc, AtomicUsize, Condvar, Mutex, Ordering::SeqCst};
use spindle_reactor::Driver;
use std::time::Duration;

const EMPTY: usize = 0;
const PARKED_CONDVAR: usize = 1;
const PARKED_DRIVER: usize = 2;
const NOTIFIED: usize = 3;

struct Inner {
    state: AtomicUsize,
    mutex: Mutex<()>,
    condvar: Condvar,
    driver: Driver,
}

/// A worker's side: only its own thread parks.
pub(crate) struct Parker {
    inner: Arc<Inner>,
}

/// Everyone else's side.
#[derive(Clone)]
pub(crate) struct Unparker {
    inner: Arc<Inner>,
}

/// Where the last park happened, so the worker knows whether it must hand the driver on.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Parked {
    /// On the driver (timers and I/O were served by this worker).
    Driver,
    /// On the condvar, or not at all (a pending notification).
    Elsewhere,
}

impl Parker {
    pub(crate) fn new(driver: Driver) -> Parker {
        Parker {
            inner: Arc::new(Inner {
                state: AtomicUsize::new(EMPTY),
                mutex: Mutex::new(()),
                condvar: Condvar::new(),
                driver,
            }),
        }
    }

    pub(crate) fn unparker(&self) -> Unparker {
        Unparker {
            inner: self.inner.clone(),
        }
    }

    /// Sleeps until unparked (or, on the driver, until I/O or a due timer; `timeout` bounds
    /// the driver wait and `Some(ZERO)` only polls). Spurious returns are allowed.
    pub(crate) fn park(&self, timeout: Option<Duration>) -> Parked {
        let inner = &*self.inner;
        if inner
            .state
            .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
            .is_ok()
        {
            return Parked::Elsewhere;
        }
        if let Some(mut guard) = inner.driver.try_lock() {
            if inner
                .state
                .compare_exchange(EMPTY, PARKED_DRIVER, SeqCst, SeqCst)
                .is_err()
            {
                inner.state.swap(EMPTY, SeqCst);
                return Parked::Elsewhere;
            }
            // An I/O error of the poller is not the worker's to handle: it parks again later.
            let _ = guard.park(timeout);
            // A swap, not a store: reading the token synchronises with every unparker that
            // got here first, so what they published (shutdown, queued work) is visible.
            inner.state.swap(EMPTY, SeqCst);
            return Parked::Driver;
        }
        if timeout == Some(Duration::ZERO) {
            return Parked::Elsewhere;
        }
        let mut guard = lock(&inner.mutex);
        if inner
            .state
            .compare_exchange(EMPTY, PARKED_CONDVAR, SeqCst, SeqCst)
            .is_err()
        {
            inner.state.swap(EMPTY, SeqCst);
            return Parked::Elsewhere;
        }
        loop {
            guard = wait(&inner.condvar, guard);
            if inner
                .state
                .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
                .is_ok()
            {
                return Parked::Elsewhere;
            }
        }
    }
}

impl Unparker {
    pub(crate) fn unpark(&self) {
        let inner = &*self.inner;
        match inner.state.swap(NOTIFIED, SeqCst) {
            PARKED_CONDVAR => {
                // Taking the lock orders this signal after the parker's wait began.
                drop(lock(&inner.mutex));
                inner.condvar.notify_one();
            }
            PARKED_DRIVER => inner.driver.notify(),
            _ => {}
        }
    }
}
