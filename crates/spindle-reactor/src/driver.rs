//! [`Driver`] and [`DriverGuard`]: parking on the poller and firing timers.
//!
//! # Who touches what
//!
//! - `park` (a `Mutex<ParkState>`): only the thread holding the
//!   [`DriverGuard`]; taken with a try-lock, so it is never waited on. It owns
//!   the poller's event buffer and the buffer of due wakers, both reused from
//!   park to park (no allocation per park in steady state).
//! - `timers` (`Timers`, see `timer/shards.rs`): shards of timers, each
//!   under its own lock, taken briefly by any thread (a thread arms its
//!   timers in its own shard). Never held while a waker is woken or dropped,
//!   nor while waiting on the poller.
//! - `backend`: `wait` only by the guard holder; `notify` by anyone.
//!
//! # One park
//!
//! 1. Compute the wait (the caller's timeout bounded by the next timer, from
//!    the minima the shards publish) and record the instant the thread will
//!    sleep until.
//! 2. Wait on the backend, unless the wait is zero and no I/O source is
//!    registered (then the syscall could only report a notification, which
//!    stays pending for the next blocking park anyway).
//! 3. Mark the thread awake; collect the due wakers of each shard that has
//!    any, under that shard's lock; wake them after unlocking.
//!
//! A thread registering a timer that is earlier than the recorded instant
//! notifies the backend after unlocking; the notification is sticky, so it
//! works even if the parker has not reached the wait yet. `timer/shards.rs`
//! says why no such timer is missed without a lock shared by both.

use std::fmt;
use std::io;
use std::task::Waker;
use std::time::{Duration, Instant};

use crate::backend::{Backend, Events};
#[cfg(not(loom))]
use crate::loom::lock;
#[cfg(not(loom))]
use crate::loom::Mutex;
use crate::loom::{try_lock, Arc, AtomicUsize, Ordering, TryMutex, TryMutexGuard};
use crate::timer::queue::{Polled, Target};
use crate::timer::shards::{TimerId, Timers};

/// Handle to the I/O driver: the poller and the timers. Cheap to clone
/// (an `Arc` inside), `Send` and `Sync`.
#[derive(Clone)]
pub struct Driver {
    inner: Arc<Inner>,
}

struct Inner {
    backend: Backend,
    park: TryMutex<ParkState>,
    timers: Timers,
    /// I/O sources registered with the backend besides its notifier. While
    /// zero, a zero-timeout park skips the poller entirely.
    io_sources: AtomicUsize,
    /// The registered sources, by poller key (see `io/registry.rs`).
    #[cfg(not(loom))]
    registry: Mutex<crate::io::Registry>,
}

/// Buffers owned by whoever holds the driver guard.
struct ParkState {
    events: Events,
    due: Vec<Waker>,
}

/// The exclusive right to wait on the driver's poller; obtained from
/// [`Driver::try_lock`] and released when dropped.
pub struct DriverGuard<'a> {
    driver: &'a Driver,
    park: TryMutexGuard<'a, ParkState>,
}

impl Driver {
    /// Opens a poller and an empty timer queue.
    ///
    /// # Errors
    ///
    /// Fails if the OS refuses a poller (for example, out of file
    /// descriptors).
    pub fn new() -> io::Result<Driver> {
        Ok(Driver {
            inner: Arc::new(Inner {
                backend: Backend::new()?,
                park: TryMutex::new(ParkState {
                    events: Events::new(),
                    due: Vec::new(),
                }),
                timers: Timers::new(),
                io_sources: AtomicUsize::new(0),
                #[cfg(not(loom))]
                registry: Mutex::new(crate::io::Registry::default()),
            }),
        })
    }

    /// The exclusive right to wait on the poller. At most one thread holds it
    /// at a time; this is a try-lock and never blocks: `None` means another
    /// thread holds it. The guard is not `Send`: it is released on the thread
    /// that took it.
    pub fn try_lock(&self) -> Option<DriverGuard<'_>> {
        try_lock(&self.inner.park).map(|park| DriverGuard { driver: self, park })
    }

    /// Wakes the thread parked in [`DriverGuard::park`], from any thread. If
    /// none is parked, the next park returns at once (the notification is
    /// sticky). Several notifications before a park count as one.
    pub fn notify(&self) {
        // A failing notify means the notifier's write failed; the only
        // realistic cause is that it is already signalled (a full eventfd
        // counter or pipe), in which case the parker wakes anyway.
        let _ = self.inner.backend.notify();
    }

    /// Wakes `waker` once, at `deadline` or later (never earlier). Timers
    /// with equal deadlines fire in the order they were registered.
    ///
    /// There is no way to cancel this timer: it suits `call_later`/`call_at`,
    /// whose woken handle checks its own cancelled state. Use [`Sleep`] for a
    /// cancellable timer.
    ///
    /// If the thread parked on the driver intends to sleep past `deadline`,
    /// it is notified so it recomputes its timeout.
    ///
    /// [`Sleep`]: crate::Sleep
    pub fn wake_at(&self, deadline: Instant, waker: Waker) {
        self.insert(deadline, Target::Waker(waker));
    }

    /// The earliest pending timer deadline, if any. Cancelled timers are
    /// ignored.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.inner.timers.next_deadline()
    }

    /// Fires every timer whose deadline is at or before now, in
    /// (deadline, registration) order, without touching the poller; returns
    /// how many fired. The wakers are called after the timers lock is
    /// released, so a wake may register new timers. Safe from any thread.
    pub fn fire_due(&self) -> usize {
        let mut due = Vec::new();
        self.fire(&mut due, false)
    }

    /// Registers `fd` with the poller (edge-triggered, read and write) and returns its
    /// readiness state and key. For `io::Async`.
    ///
    /// # Safety
    /// `fd` must be [`deregister`](Driver::deregister)ed before it is closed.
    #[cfg(not(loom))]
    pub(crate) unsafe fn register(
        &self,
        fd: std::os::fd::RawFd,
    ) -> io::Result<(usize, std::sync::Arc<crate::io::Readiness>)> {
        let (key, readiness) = lock(&self.inner.registry).insert();
        // SAFETY: forwarded to the caller.
        match unsafe { self.inner.backend.register(fd, key) } {
            Ok(()) => {
                self.inner.io_sources.fetch_add(1, Ordering::AcqRel);
                Ok((key, readiness))
            }
            Err(error) => {
                lock(&self.inner.registry).remove(key);
                Err(error)
            }
        }
    }

    /// Takes `fd` out of the poller and the registry, and releases its waiters. The poller
    /// forgets the fd before its key can be reused.
    #[cfg(not(loom))]
    pub(crate) fn deregister(
        &self,
        fd: std::os::fd::BorrowedFd<'_>,
        key: usize,
        readiness: &crate::io::Readiness,
    ) -> io::Result<()> {
        let deleted = self.inner.backend.deregister(fd);
        lock(&self.inner.registry).remove(key);
        self.inner.io_sources.fetch_sub(1, Ordering::AcqRel);
        readiness.close().into_iter().for_each(Waker::wake);
        deleted
    }

    /// I/O sources registered right now (lets tests check that dropped sources leave the
    /// poller). Not part of the API.
    #[doc(hidden)]
    pub fn io_source_count(&self) -> usize {
        self.inner.io_sources.load(Ordering::Acquire)
    }

    /// Number of pending timers: registered, not fired, not cancelled.
    pub fn pending_timers(&self) -> usize {
        self.inner.timers.len()
    }

    /// Drops every pending timer and its waker (for the loop's `close()`).
    /// A pending [`Sleep`](crate::Sleep) whose timer is dropped registers a
    /// new one if it is polled again.
    ///
    /// Timers hold wakers, wakers may own tasks, and tasks may own `Sleep`s,
    /// which hold the driver: until this is called, such a chain is a
    /// reference cycle that keeps the driver alive.
    pub fn clear_timers(&self) {
        let dropped = self.inner.timers.clear();
        // Dropped here, after the lock: a waker's drop may drop a task that
        // owns a `Sleep`, whose drop takes the timers lock.
        drop(dropped);
    }

    /// Timer slots in use: armed timers, and fired sleeps that have not
    /// seen it yet. Lets tests check that nothing is left behind. Not part of
    /// the API.
    #[doc(hidden)]
    pub fn timer_storage_len(&self) -> usize {
        self.inner.timers.storage_len()
    }

    /// Arms a cancellable sleep timer waking `waker` at `deadline`.
    pub(crate) fn register_sleep(&self, deadline: Instant, waker: Waker) -> TimerId {
        self.insert(deadline, Target::Sleep(waker))
    }

    /// Polls the sleep timer `key`: fired (its slot released), still armed
    /// (`waker` is now the one to wake), or gone.
    pub(crate) fn poll_sleep(&self, id: TimerId, waker: &Waker) -> Polled {
        let (polled, replaced) = self.inner.timers.poll_sleep(id, waker);
        // Dropped after the lock: dropping a waker may drop a task that owns a `Sleep`.
        drop(replaced);
        polled
    }

    /// Cancels the sleep timer `key` (or releases it, if it fired); returns
    /// its waker if it was still armed, for the caller to drop or reuse (this
    /// runs outside the lock).
    pub(crate) fn cancel_sleep(&self, id: TimerId) -> Option<Waker> {
        self.inner.timers.cancel(id)
    }

    /// Moves the sleep timer `key` to `deadline`, under one lock: if it was
    /// armed it is re-armed with its waker and the new key is returned; if it
    /// had fired (or is gone) it is released and `None` is returned.
    pub(crate) fn reset_sleep(&self, id: TimerId, deadline: Instant) -> Option<TimerId> {
        let (id, must_notify) = self.inner.timers.reset(id, deadline)?;
        if must_notify {
            self.notify();
        }
        Some(id)
    }

    fn insert(&self, deadline: Instant, target: Target) -> TimerId {
        let (id, must_notify) = self.inner.timers.insert(deadline, target);
        if must_notify {
            self.notify();
        }
        id
    }

    /// Collects due timers into `due` under the shards' locks, then wakes them
    /// after. `end_park`: first mark the parked thread awake (guard holder only).
    fn fire(&self, due: &mut Vec<Waker>, end_park: bool) -> usize {
        let now = Instant::now();
        if end_park {
            self.inner.timers.end_park();
        }
        let fired = self.inner.timers.collect_due(now, due);
        due.drain(..).for_each(Waker::wake);
        fired
    }
}

impl DriverGuard<'_> {
    /// Waits for I/O readiness, a [`Driver::notify`], or until the earlier of
    /// `timeout` and the next timer deadline; then fires the due timers (as
    /// [`Driver::fire_due`] does).
    ///
    /// `Some(Duration::ZERO)` polls without blocking; `None` means no timeout
    /// of its own, though timers still bound the wait. Early (spurious)
    /// returns can happen; timers never fire early.
    ///
    /// While no I/O source is registered, a park whose wait works out to zero
    /// skips the poller: it only fires due timers, and a pending
    /// [`Driver::notify`] stays pending (the next blocking park returns at
    /// once).
    ///
    /// # Errors
    ///
    /// An error from the OS poller. An interrupted wait (EINTR) is not an
    /// error: it returns `Ok` early.
    pub fn park(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        let inner = &self.driver.inner;
        let wait = inner.timers.begin_park(Instant::now(), timeout);
        let skip_poller =
            wait == Some(Duration::ZERO) && inner.io_sources.load(Ordering::Acquire) == 0;
        let waited = if skip_poller {
            Ok(())
        } else {
            inner.backend.wait(&mut self.park.events, wait)
        };
        #[cfg(not(loom))]
        if !skip_poller {
            self.dispatch_io();
        }
        self.driver.fire(&mut self.park.due, true);
        waited
    }

    /// Records the readiness events of the last wait and wakes their waiters (after the
    /// registry lock is released).
    #[cfg(not(loom))]
    fn dispatch_io(&mut self) {
        let park = &mut *self.park;
        {
            let registry = lock(&self.driver.inner.registry);
            for event in park.events.iter() {
                registry.dispatch(event, &mut park.due);
            }
        }
        park.due.drain(..).for_each(Waker::wake);
    }
}

impl fmt::Debug for Driver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Driver")
            .field("pending_timers", &self.pending_timers())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for DriverGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DriverGuard").finish_non_exhaustive()
    }
}
