//! `Timers`: the driver's timers, split into shards by the thread that arms
//! them, and the instant until which the parked thread (if any) sleeps.
//!
//! # Shards
//!
//! Each thread arms its timers in a shard of its own (threads are dealt shard
//! indices in turn, [`SHARDS`] of them, shared beyond that), so the workers of
//! a loop do not contend on one lock, and a shard's heap stays in the cache of
//! the core that uses it. Cancelling, polling or resetting a timer goes to the
//! shard it was armed in, whichever thread does it. `used` has a bit for each
//! shard that ever held a timer: the others are never looked at. Each shard
//! also publishes its earliest deadline (`Shard::min`, written under its
//! lock), a hint that lets `collect_due` skip the shards with nothing due
//! without locking them. The lock is `spindle_core`'s spin lock (loom's mutex
//! under loom): held for a heap operation or the collection of due wakers,
//! never while a waker runs, it unlocks with a plain store.
//!
//! # Not sleeping past a new timer
//!
//! `next_wake` says what the thread parked on the driver would miss:
//! `AWAKE` (nobody parked, or already notified: a new timer needs no
//! notify), `ANY` (parked without a timeout, or still computing it: any new
//! timer notifies), or the encoded instant it sleeps until (a new timer due
//! before it notifies). The parker stores `ANY`, then reads the earliest
//! deadline of each used shard *under that shard's lock*, then stores the
//! instant it chose. An inserter reads `next_wake` under its shard's lock,
//! after inserting. The lock orders the two: if the parker locked the shard
//! after the insert, it sees the timer; if before, its store of `ANY` happened
//! before the inserter's read, which sees `ANY`, or an instant computed
//! without the new timer, and notifies if that is later. The notify is sticky:
//! a parker that has not reached its wait yet returns at once. The inserter
//! that notifies swaps `next_wake` to `AWAKE`, so one notify per park
//! suffices.
//!
//! That leaves a shard's first timer, whose shard the parker may skip as
//! unused: setting the shard's bit in `used` and the parker's store of `ANY`
//! are each followed by a `SeqCst` fence before the other side's read (the
//! parker reads `used`, the inserter later reads `next_wake`), so (Dekker)
//! either the parker sees the bit and locks the shard, or the inserter sees
//! `ANY` or later. The bit is tested and set under the shard's lock, so every
//! later insert into the shard happens after that first one, fence and read
//! of `next_wake` included, and sees at least what it saw. Only a shard's
//! first insert pays for a fence.
//!
//! Instants are encoded as in the heaps (`heap::encode`, from the instant the
//! driver was created; exact within 292 years of it, and never 0 or
//! `u64::MAX`, the sentinels here), once per timer: the heap orders by the
//! same integer. An encoded value only ever decides *when to look* (the park
//! timeout, which shards to scan); whether a timer is due is decided on its
//! exact `Instant`, so nothing fires early.

use std::cell::Cell;
use std::task::Waker;
use std::time::{Duration, Instant};

use crate::loom::{fence, lock_short as lock, AtomicU64, AtomicUsize, Ordering, ShortLock};
use crate::timer::heap::{decode, encode, TimerKey};
use crate::timer::queue::{Polled, Target, TimerQueue};

/// Shards per driver: enough for the workers of the machines spindle runs on
/// today; more threads share them.
pub(crate) const SHARDS: usize = 8;

/// `next_wake`: nobody parked, or already notified.
const AWAKE: u64 = 0;
/// `next_wake`: parked with no timeout, or computing it. `Shard::min`: no timer.
const ANY: u64 = u64::MAX;

// This thread's shard index, `usize::MAX` until its first timer. `const`-initialised outside
// loom (no lazy-initialisation check on every timer); loom's `thread_local!` lacks `const`.
#[cfg(not(loom))]
std::thread_local! {
    static SHARD: Cell<usize> = const { Cell::new(usize::MAX) };
}
#[cfg(loom)]
crate::loom::thread_local! {
    static SHARD: Cell<usize> = Cell::new(usize::MAX);
}

/// Names one timer: its shard and its key there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TimerId {
    shard: usize,
    key: TimerKey,
}

/// One shard: a lock around its timers, and a hint of their earliest
/// deadline.
// Aligned to two cache lines (what the adjacent-line prefetcher pulls in), so
// that shards used by different cores share none.
#[repr(align(128))]
struct Shard {
    /// The earliest deadline in `queue`, encoded, or [`ANY`] when it holds no
    /// armed timer. Written under the lock; read without it as a hint.
    min: AtomicU64,
    queue: ShortLock<TimerQueue>,
}

/// The driver's timers; see the module docs.
pub(crate) struct Timers {
    shards: [Shard; SHARDS],
    /// Bit `i`: shard `i` has held a timer. Never cleared.
    used: AtomicUsize,
    /// What the parked thread would miss; see the module docs.
    next_wake: AtomicU64,
    /// The next shard index to deal to a thread.
    next_shard: AtomicUsize,
    /// Encoded instants count from here.
    base: Instant,
}

impl Timers {
    /// No timers, nobody parked.
    pub(crate) fn new() -> Timers {
        Timers {
            shards: std::array::from_fn(|_| Shard {
                min: AtomicU64::new(ANY),
                queue: ShortLock::new(TimerQueue::new()),
            }),
            used: AtomicUsize::new(0),
            next_wake: AtomicU64::new(AWAKE),
            next_shard: AtomicUsize::new(0),
            base: Instant::now(),
        }
    }

    /// Arms a timer in this thread's shard. Returns its id, and `true` if the
    /// parked thread would sleep past `deadline` and must be notified to
    /// recompute its timeout (only the first such insert per park is told so).
    pub(crate) fn insert(&self, deadline: Instant, target: Target) -> (TimerId, bool) {
        let index = self.thread_shard();
        let shard = &self.shards[index];
        let at = encode(self.base, deadline);
        let mut queue = lock(&shard.queue);
        let bit = 1 << index;
        // Under the lock: whoever sees the bit set locked the shard after the
        // insert that set it, and its fence (module docs).
        if self.used.load(Ordering::Relaxed) & bit == 0 {
            self.used.fetch_or(bit, Ordering::Relaxed);
            fence(Ordering::SeqCst);
        }
        let key = queue.insert(deadline, at, target);
        self.publish_min(shard, &queue);
        let notify = self.claim_notify(at);
        drop(queue);
        (TimerId { shard: index, key }, notify)
    }

    /// Cancels a sleep's timer: its waker if it was still armed (to drop, or
    /// reuse, after unlocking); releases its slot if it had fired.
    pub(crate) fn cancel(&self, id: TimerId) -> Option<Waker> {
        let shard = &self.shards[id.shard];
        let mut queue = lock(&shard.queue);
        let waker = queue.cancel(id.key);
        self.publish_min(shard, &queue);
        waker
    }

    /// A poll of a sleep's timer (see `TimerQueue::poll_sleep`); the replaced
    /// waker is returned, to drop after unlocking.
    pub(crate) fn poll_sleep(&self, id: TimerId, waker: &Waker) -> (Polled, Option<Waker>) {
        // A fired slot is no longer in the heap: the minimum does not move.
        lock(&self.shards[id.shard].queue).poll_sleep(id.key, waker)
    }

    /// Moves a sleep's timer to `deadline` in its shard, under one lock: if it
    /// was armed it is re-armed with its waker (the new id is returned, and
    /// whether to notify); if it had fired or is gone it is released (`None`).
    pub(crate) fn reset(&self, id: TimerId, deadline: Instant) -> Option<(TimerId, bool)> {
        let shard = &self.shards[id.shard];
        let at = encode(self.base, deadline);
        let mut queue = lock(&shard.queue);
        let waker = queue.cancel(id.key);
        let key = waker.map(|waker| queue.insert(deadline, at, Target::Sleep(waker)));
        self.publish_min(shard, &queue);
        // The shard is used (it held this timer): no fence needed.
        let notify = key.is_some() && self.claim_notify(at);
        drop(queue);
        let id = TimerId {
            shard: id.shard,
            key: key?,
        };
        Some((id, notify))
    }

    /// Called by the parking thread before it waits: returns how long to wait
    /// (`None`: no limit), the minimum of `timeout` and the time to the next
    /// timer, and records the instant it will sleep until.
    pub(crate) fn begin_park(&self, now: Instant, timeout: Option<Duration>) -> Option<Duration> {
        if timeout == Some(Duration::ZERO) {
            // Not sleeping: nothing to be notified of. `next_wake` is `AWAKE`
            // already (only a park sets anything else, and `end_park` undoes it).
            return timeout;
        }
        // Before reading `used` and the shards (module docs).
        self.next_wake.store(ANY, Ordering::Relaxed);
        fence(Ordering::SeqCst);
        let earliest = self
            .used_shards()
            .filter_map(|shard| lock(&shard.queue).next_at())
            .min()
            .unwrap_or(ANY);
        let until_timer =
            (earliest != ANY).then(|| decode(self.base, earliest).saturating_duration_since(now));
        let wait = match (timeout, until_timer) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let wake = match wait {
            Some(Duration::ZERO) => AWAKE,
            Some(wait) => now
                .checked_add(wait)
                .map_or(ANY, |wake| encode(self.base, wake)),
            None => ANY,
        };
        if wake != ANY {
            // Fails if an insert already notified (and stored `AWAKE`): the
            // wait then returns at once anyway.
            let _ = self
                .next_wake
                .compare_exchange(ANY, wake, Ordering::SeqCst, Ordering::SeqCst);
        }
        wait
    }

    /// Called by the parking thread once its wait is over.
    pub(crate) fn end_park(&self) {
        self.next_wake.store(AWAKE, Ordering::Release);
    }

    /// Pops every timer due at `now`, shard by shard, each shard's in
    /// (deadline, insertion) order, pushing the wakers to wake into `due`;
    /// returns how many fired. Shards whose published minimum is later are
    /// skipped without locking (a timer armed meanwhile on another thread may
    /// wait for the next call, or for the next park, which locks every used
    /// shard).
    pub(crate) fn collect_due(&self, now: Instant, due: &mut Vec<Waker>) -> usize {
        // Encoded only if some shard holds a timer: a park with no timers stays cheap.
        let mut at_now = None;
        let mut fired = 0;
        for shard in self.used_shards() {
            let min = shard.min.load(Ordering::Acquire);
            if min == ANY || min > *at_now.get_or_insert_with(|| encode(self.base, now)) {
                continue;
            }
            let mut queue = lock(&shard.queue);
            fired += queue.collect_due(now, due);
            self.publish_min(shard, &queue);
        }
        fired
    }

    /// The earliest armed deadline, exactly (takes every shard's lock).
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.shards
            .iter()
            .filter_map(|shard| lock(&shard.queue).next_deadline())
            .min()
    }

    /// Number of armed timers.
    pub(crate) fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|shard| lock(&shard.queue).len())
            .sum()
    }

    /// Number of occupied timer slots (see `TimerQueue::storage_len`).
    pub(crate) fn storage_len(&self) -> usize {
        self.shards
            .iter()
            .map(|shard| lock(&shard.queue).storage_len())
            .sum()
    }

    /// Removes every timer of every shard; returns the wakers to drop after
    /// unlocking.
    pub(crate) fn clear(&self) -> Vec<Target> {
        let mut dropped = Vec::new();
        for shard in &self.shards {
            let mut queue = lock(&shard.queue);
            dropped.extend(queue.clear());
            self.publish_min(shard, &queue);
        }
        dropped
    }

    /// Whether to notify the parked thread, which sleeps past `at`: claims
    /// the notify by swapping `next_wake` to `AWAKE`, so only one insert per
    /// park sends it. Caller holds the lock of the shard it just inserted
    /// into (module docs).
    fn claim_notify(&self, at: u64) -> bool {
        let mut wake = self.next_wake.load(Ordering::Acquire);
        while at < wake {
            match self.next_wake.compare_exchange_weak(
                wake,
                AWAKE,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return true,
                Err(now) => wake = now,
            }
        }
        false
    }

    /// Stores `queue`'s earliest deadline as `shard`'s minimum. Caller holds
    /// `shard`'s lock (`queue` is its guard's contents).
    fn publish_min(&self, shard: &Shard, queue: &TimerQueue) {
        shard
            .min
            .store(queue.next_at().unwrap_or(ANY), Ordering::Release);
    }

    /// The shards that have held a timer.
    fn used_shards(&self) -> impl Iterator<Item = &Shard> {
        let mut used = self.used.load(Ordering::Relaxed);
        std::iter::from_fn(move || {
            let index = used.trailing_zeros() as usize;
            let shard = self.shards.get(index)?;
            used &= used - 1;
            Some(shard)
        })
    }

    /// This thread's shard index, dealt on its first timer.
    fn thread_shard(&self) -> usize {
        SHARD.with(|shard| {
            let index = shard.get();
            if index < SHARDS {
                return index;
            }
            let index = self.next_shard.fetch_add(1, Ordering::Relaxed) % SHARDS;
            shard.set(index);
            index
        })
    }
}
