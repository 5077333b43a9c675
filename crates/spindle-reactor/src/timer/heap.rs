//! `TimerHeap`: a min-heap of timers ordered by (deadline, insertion), with
//! lazy cancellation.
//!
//! A pure data structure: no locks, no clock reads (every "now" is an
//! argument), so it can be checked against a model with proptest
//! (`heap_tests.rs`).
//!
//! Cancellation is O(1) and lazy. The heap never searches for an entry: the
//! owner of a target flips the target to "cancelled" (see [`Cancellable`]) and
//! then reports it with [`TimerHeap::note_cancelled`]. Cancelled entries stay
//! in storage until they reach the top (where `pop_due` and `next_deadline`
//! discard them) or until they outnumber the live ones, at which point the
//! heap is compacted in one O(n) pass. Each compaction removes at least half
//! of the storage and needs as many new cancellations as it removed before
//! the next one, so cancellation is amortised O(1) and storage stays within
//! twice the number of live timers (plus the cancellations since the last
//! compaction).

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::time::Instant;

/// Below this capacity a compaction keeps the buffer: shrinking tiny buffers
/// costs a reallocation to save a few hundred bytes, and a loop that just
/// cancelled its timers is likely to schedule new ones soon.
const MIN_RETAINED_CAPACITY: usize = 64;

/// A heap target that its owner can mark as cancelled.
pub(crate) trait Cancellable {
    /// Whether the owner has cancelled this target. Once true it must stay
    /// true while the target is in the heap.
    fn is_cancelled(&self) -> bool;
}

/// One stored timer.
#[derive(Debug)]
pub(crate) struct Entry<T> {
    /// Fires at or after this instant.
    pub(crate) deadline: Instant,
    /// Insertion number: breaks ties between equal deadlines (FIFO).
    pub(crate) seq: u64,
    /// What to fire.
    pub(crate) target: T,
}

impl<T> Entry<T> {
    fn key(&self) -> (Instant, u64) {
        (self.deadline, self.seq)
    }
}

impl<T> PartialEq for Entry<T> {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl<T> Eq for Entry<T> {}

impl<T> PartialOrd for Entry<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T> Ord for Entry<T> {
    /// Reversed, so that `BinaryHeap` (a max-heap) yields the earliest
    /// (deadline, seq) first.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key().cmp(&self.key())
    }
}

/// Min-heap of timers with lazy O(1) cancellation; see the module docs.
#[derive(Debug)]
pub(crate) struct TimerHeap<T> {
    entries: BinaryHeap<Entry<T>>,
    /// The next insertion number. A `u64` never wraps in practice: at one
    /// insertion per nanosecond it lasts 584 years.
    next_seq: u64,
    /// How many stored entries are cancelled (reported via `note_cancelled`
    /// and not yet discarded).
    cancelled: usize,
}

impl<T: Cancellable> TimerHeap<T> {
    /// An empty heap; allocates nothing.
    pub(crate) fn new() -> TimerHeap<T> {
        TimerHeap {
            entries: BinaryHeap::new(),
            next_seq: 0,
            cancelled: 0,
        }
    }

    /// Stores a timer and returns its insertion number.
    pub(crate) fn insert(&mut self, deadline: Instant, target: T) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.entries.push(Entry {
            deadline,
            seq,
            target,
        });
        seq
    }

    /// Records that exactly one stored, previously live target has just been
    /// marked cancelled; compacts when cancelled entries exceed half of the
    /// storage.
    pub(crate) fn note_cancelled(&mut self) {
        self.cancelled += 1;
        if self.cancelled * 2 > self.entries.len() {
            self.compact();
        }
    }

    /// Removes and returns the earliest live timer whose deadline is `<= now`,
    /// discarding cancelled entries on the way.
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<Entry<T>> {
        self.discard_cancelled_top();
        if self.entries.peek()?.deadline > now {
            return None;
        }
        self.entries.pop()
    }

    /// The earliest live deadline. Takes `&mut self` because it discards
    /// cancelled entries from the top, so cancelled timers never count.
    pub(crate) fn next_deadline(&mut self) -> Option<Instant> {
        self.discard_cancelled_top();
        self.entries.peek().map(|entry| entry.deadline)
    }

    /// Number of live (stored and not cancelled) timers.
    pub(crate) fn len(&self) -> usize {
        self.entries.len().saturating_sub(self.cancelled)
    }

    /// Number of stored entries, cancelled ones included.
    pub(crate) fn storage_len(&self) -> usize {
        self.entries.len()
    }

    /// Removes every entry, live or cancelled, and hands them to the caller
    /// (who may want to drop them outside a lock).
    pub(crate) fn take_all(&mut self) -> Vec<Entry<T>> {
        self.cancelled = 0;
        std::mem::take(&mut self.entries).into_vec()
    }

    fn discard_cancelled_top(&mut self) {
        while self
            .entries
            .peek()
            .is_some_and(|entry| entry.target.is_cancelled())
        {
            self.entries.pop();
            debug_assert!(self.cancelled > 0, "a cancellation was not noted");
            self.cancelled = self.cancelled.saturating_sub(1);
        }
    }

    fn compact(&mut self) {
        self.entries.retain(|entry| !entry.target.is_cancelled());
        self.cancelled = 0;
        let live = self.entries.len();
        if self.entries.capacity() > MIN_RETAINED_CAPACITY.max(live * 4) {
            self.entries.shrink_to(MIN_RETAINED_CAPACITY.max(live * 2));
        }
    }

    /// Allocated capacity of the storage, for the model tests.
    #[cfg(all(test, not(loom)))]
    pub(crate) fn capacity(&self) -> usize {
        self.entries.capacity()
    }
}
