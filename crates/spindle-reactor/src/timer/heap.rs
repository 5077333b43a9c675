//! `TimerHeap`: the driver's timers, in slots named by keys, with a min-heap of
//! (deadline, insertion) over the armed ones and cancellation in place.
//!
//! A pure data structure: no locks, no clock reads (every "now" is an
//! argument), so it can be checked against a model with proptest
//! (`heap_tests.rs`).
//!
//! # Slots and keys
//!
//! Every timer lives in a slot of `slots`, a `Vec` whose vacant slots form a
//! (doubly linked) free list, so arming a timer allocates nothing in steady
//! state. The owner
//! names it by a [`TimerKey`]: the slot's index and the timer's insertion
//! number. No two timers ever share an insertion number, so a key whose slot
//! was freed (and maybe reused) is recognised as stale rather than touching
//! someone else's timer. A slot is
//!
//! | slot     | meaning                                                      |
//! |----------|--------------------------------------------------------------|
//! | `Vacant` | on the free list (unless it is the last slot: see *Memory*)  |
//! | `Armed`  | in the heap at `pos`, holding its target                     |
//! | `Fired`  | popped by `pop_due` (target handed out), kept until its owner releases it with `cancel`, so that it can still tell "fired" from "gone" |
//!
//! # The heap
//!
//! A binary min-heap of `(at, seq, slot)` ordered by (deadline, seq): timers
//! with equal deadlines pop in insertion order. `at` is the deadline as an
//! integer ([`encode`]: nanoseconds from a base instant, biased into a
//! `u64`), so that comparing entries compares integers (an `Instant` is
//! seconds and nanoseconds, and subtracting two costs more than the heap
//! operation). The caller encodes once and hands `at` in with the deadline.
//! It is exact within 292 years of the base and saturates beyond (such timers
//! then order among themselves by insertion); the exact `Instant` stays in the
//! slot, and only it decides whether a timer is due, so a timer never fires
//! early either way.
//!
//! Each armed slot's position in the heap is kept in `positions`, updated
//! whenever an entry moves, so [`cancel`] takes the entry out where it stands
//! (the last entry fills the hole, then sifts) in O(log n). The heap therefore
//! holds exactly the armed timers: no cancelled entries to skip or compact,
//! and [`next_deadline`] is the root. Entries move as a hole (each moved entry
//! written once), and a removal sinks the hole to a leaf before placing the
//! last entry (bottom-up: one comparison per level instead of two, as the last
//! entry usually belongs near the bottom). Binary rather than 4-ary: for the
//! few hundred timers of a busy loop it executes fewer instructions.
//!
//! # Memory
//!
//! The slots are reused last-freed first, and the `Vec` never ends with a
//! vacant slot: freeing the last slot pops it, and every vacant slot before it
//! (each unlinked from the free list in O(1), which is why the list is doubly
//! linked; each slot is popped at most once per push, so this is amortised
//! O(1)). So the slots reach exactly as far as the highest occupied one, and
//! are all gone once no timer is armed or fired-unreleased; a timer that lives
//! long in a high slot keeps the slots below it until it ends. Both buffers
//! shrink (to twice their length) once their capacity exceeds four times their
//! length, never below [`MIN_RETAINED_CAPACITY`].
//!
//! [`cancel`]: TimerHeap::cancel
//! [`next_deadline`]: TimerHeap::next_deadline

use std::mem;
use std::time::{Duration, Instant};

/// Below this capacity a buffer is kept: shrinking tiny buffers costs a
/// reallocation to save a few hundred bytes, and a loop that just cancelled
/// its timers is likely to schedule new ones soon.
const MIN_RETAINED_CAPACITY: usize = 64;

/// The end of the free list.
const NONE: u32 = u32::MAX;

/// [`encode`] of the base instant itself.
const AT_BASE: u64 = 1 << 63;

/// Names one timer: its slot and its insertion number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TimerKey {
    index: u32,
    seq: u64,
}

impl TimerKey {
    /// The slot's index, for the model tests.
    #[cfg(all(test, not(loom)))]
    pub(crate) fn index(self) -> u32 {
        self.index
    }
}

/// One heap entry: an armed timer's deadline (as `at`, see the module docs),
/// insertion number and slot.
#[derive(Clone, Copy, Debug)]
struct HeapEntry {
    at: u64,
    seq: u64,
    slot: u32,
}

impl HeapEntry {
    /// Whether `self` fires before `other`: earlier deadline, or equal
    /// deadline and inserted earlier.
    fn before(&self, other: &HeapEntry) -> bool {
        self.key() < other.key()
    }

    /// (deadline, insertion) as one integer: one comparison, no branch.
    fn key(&self) -> u128 {
        (u128::from(self.at) << 64) | u128::from(self.seq)
    }
}

/// One slot; see the module docs.
#[derive(Debug)]
enum Slot<T> {
    Vacant {
        prev: u32,
        next: u32,
    },
    Armed {
        seq: u64,
        deadline: Instant,
        target: T,
    },
    Fired {
        seq: u64,
    },
}

/// What a key names.
#[derive(Debug)]
pub(crate) enum Lookup<'a, T> {
    /// An armed timer, and its target.
    Armed(&'a mut T),
    /// A timer that fired and was not released yet.
    Fired,
    /// Nothing any more: cancelled, released, or removed by `take_all`.
    Gone,
}

/// Timers in slots with a min-heap over the armed ones; see the module docs.
#[derive(Debug)]
pub(crate) struct TimerHeap<T> {
    heap: Vec<HeapEntry>,
    slots: Vec<Slot<T>>,
    /// `positions[i]`: where slot `i`'s entry is in `heap`, while it is armed.
    /// As long as `slots`.
    positions: Vec<u32>,
    /// The first vacant slot, or [`NONE`].
    free_head: u32,
    /// Slots armed or fired.
    occupied: usize,
    /// The next insertion number. A `u64` never wraps in practice: at one
    /// insertion per nanosecond it lasts 584 years.
    next_seq: u64,
}

impl<T> TimerHeap<T> {
    /// An empty heap; allocates nothing.
    pub(crate) fn new() -> TimerHeap<T> {
        TimerHeap {
            heap: Vec::new(),
            slots: Vec::new(),
            positions: Vec::new(),
            free_head: NONE,
            occupied: 0,
            next_seq: 0,
        }
    }

    /// Arms a timer firing at `deadline`, which [`encode`] turned into `at`
    /// (always against the same base); returns its key.
    ///
    /// # Panics
    /// With more than `u32::MAX - 1` timers at once.
    pub(crate) fn insert(&mut self, deadline: Instant, at: u64, target: T) -> TimerKey {
        let seq = self.next_seq;
        self.next_seq += 1;
        let armed = Slot::Armed {
            seq,
            deadline,
            target,
        };
        let index = if self.free_head == NONE {
            let index = to_u32(self.slots.len());
            self.slots.push(armed);
            self.positions.push(0);
            index
        } else {
            let index = self.free_head;
            self.unlink(index);
            self.slots[index as usize] = armed;
            index
        };
        self.occupied += 1;
        let entry = HeapEntry {
            at,
            seq,
            slot: index,
        };
        let pos = self.heap.len();
        self.heap.push(entry);
        self.sift_up(pos, entry);
        TimerKey { index, seq }
    }

    /// Ends the timer `key` names: an armed one leaves the heap and its target
    /// is returned; a fired one is released (`None`). A stale key does nothing
    /// (`None`).
    pub(crate) fn cancel(&mut self, key: TimerKey) -> Option<T> {
        match self.slots.get(key.index as usize)? {
            Slot::Armed { seq, .. } if *seq == key.seq => {}
            Slot::Fired { seq } if *seq == key.seq => {
                self.free(key.index);
                return None;
            }
            _ => return None,
        }
        self.remove_at(self.positions[key.index as usize] as usize);
        match self.free(key.index) {
            Slot::Armed { target, .. } => Some(target),
            _ => unreachable!("the slot was armed"),
        }
    }

    /// What `key` names.
    pub(crate) fn lookup(&mut self, key: TimerKey) -> Lookup<'_, T> {
        match self.slots.get_mut(key.index as usize) {
            Some(Slot::Armed { seq, target, .. }) if *seq == key.seq => Lookup::Armed(target),
            Some(Slot::Fired { seq }) if *seq == key.seq => Lookup::Fired,
            _ => Lookup::Gone,
        }
    }

    /// Takes the earliest armed timer whose deadline is `<= now` out of the
    /// heap and returns its key and target; its slot stays `Fired` until
    /// released with [`cancel`](TimerHeap::cancel).
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<(TimerKey, T)> {
        if self.next_deadline()? > now {
            return None;
        }
        let entry = self.remove_at(0);
        let slot = &mut self.slots[entry.slot as usize];
        match mem::replace(slot, Slot::Fired { seq: entry.seq }) {
            Slot::Armed { target, .. } => Some((
                TimerKey {
                    index: entry.slot,
                    seq: entry.seq,
                },
                target,
            )),
            _ => unreachable!("a heap entry names an armed slot"),
        }
    }

    /// The earliest armed deadline.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        let root = self.heap.first()?;
        match &self.slots[root.slot as usize] {
            Slot::Armed { deadline, .. } => Some(*deadline),
            _ => unreachable!("a heap entry names an armed slot"),
        }
    }

    /// The earliest armed deadline as encoded (`at`).
    pub(crate) fn next_at(&self) -> Option<u64> {
        self.heap.first().map(|root| root.at)
    }

    /// Number of armed timers.
    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }

    /// Number of occupied slots: armed timers, and fired ones not yet
    /// released.
    pub(crate) fn occupied(&self) -> usize {
        self.occupied
    }

    /// Removes every timer, armed or fired, and hands the armed ones' targets
    /// to the caller (who may want to drop them outside a lock). Every key
    /// handed out so far becomes stale.
    pub(crate) fn take_all(&mut self) -> Vec<T> {
        let targets = self
            .slots
            .drain(..)
            .filter_map(|slot| match slot {
                Slot::Armed { target, .. } => Some(target),
                _ => None,
            })
            .collect();
        self.heap.clear();
        self.positions.clear();
        self.free_head = NONE;
        self.occupied = 0;
        shrink(&mut self.heap, 0);
        shrink(&mut self.slots, 0);
        shrink(&mut self.positions, 0);
        targets
    }

    /// Takes the entry at `pos` out of the heap; the last entry fills the hole
    /// and sifts into place.
    fn remove_at(&mut self, pos: usize) -> HeapEntry {
        let removed = self.heap[pos];
        let last = self.heap.pop().expect("the heap holds the entry");
        if pos < self.heap.len() {
            // `sift_down` ends by sifting up, so it also serves an entry that
            // belongs above the hole.
            self.sift_down(pos, last);
        }
        let len = self.heap.len();
        if self.heap.capacity() > MIN_RETAINED_CAPACITY.max(len * 4) {
            shrink(&mut self.heap, len);
        }
        removed
    }

    /// Places `entry` at the hole `pos` or above it, moving the entries it
    /// passes down one level.
    fn sift_up(&mut self, mut pos: usize, entry: HeapEntry) {
        while pos > 0 {
            let parent = (pos - 1) / 2;
            let above = self.heap[parent];
            if !entry.before(&above) {
                break;
            }
            self.put(pos, above);
            pos = parent;
        }
        self.put(pos, entry);
    }

    /// Places `entry` at the hole `pos` or below it. Bottom-up: the hole
    /// first sinks to a leaf, each level taking the earlier child up without
    /// comparing it with `entry` (which usually belongs near the bottom: it was
    /// the last entry), then `entry` rises from there.
    fn sift_down(&mut self, mut pos: usize, entry: HeapEntry) {
        let len = self.heap.len();
        loop {
            let left = 2 * pos + 1;
            if left >= len {
                break;
            }
            let right = left + 1;
            let child = if right < len && self.heap[right].before(&self.heap[left]) {
                right
            } else {
                left
            };
            self.put(pos, self.heap[child]);
            pos = child;
        }
        self.sift_up(pos, entry);
    }

    /// Writes `entry` at `pos` and records the position for its slot.
    fn put(&mut self, pos: usize, entry: HeapEntry) {
        self.heap[pos] = entry;
        // `pos` fits: the heap is no longer than the slots, which `to_u32` bounds.
        self.positions[entry.slot as usize] = pos as u32;
    }

    /// Frees slot `index` and returns what it held: onto the free list, or,
    /// if it is the last slot, popped together with the vacant slots before
    /// it (see the module docs).
    fn free(&mut self, index: u32) -> Slot<T> {
        let vacant = Slot::Vacant {
            prev: NONE,
            next: self.free_head,
        };
        let slot = mem::replace(&mut self.slots[index as usize], vacant);
        if self.free_head != NONE {
            match &mut self.slots[self.free_head as usize] {
                Slot::Vacant { prev, .. } => *prev = index,
                _ => unreachable!("the free list names an occupied slot"),
            }
        }
        self.free_head = index;
        self.occupied -= 1;
        while let Some(Slot::Vacant { .. }) = self.slots.last() {
            self.unlink(to_u32(self.slots.len() - 1));
            self.slots.pop();
            self.positions.pop();
        }
        let len = self.slots.len();
        if self.slots.capacity() > MIN_RETAINED_CAPACITY.max(len * 4) {
            shrink(&mut self.slots, len);
            shrink(&mut self.positions, len);
        }
        slot
    }

    /// Takes the vacant slot `index` off the free list (it stays `Vacant`).
    fn unlink(&mut self, index: u32) {
        let Slot::Vacant { prev, next } = self.slots[index as usize] else {
            unreachable!("the free list names an occupied slot");
        };
        if prev == NONE {
            self.free_head = next;
        } else {
            match &mut self.slots[prev as usize] {
                Slot::Vacant { next: after, .. } => *after = next,
                _ => unreachable!("the free list links an occupied slot"),
            }
        }
        if next != NONE {
            match &mut self.slots[next as usize] {
                Slot::Vacant { prev: before, .. } => *before = prev,
                _ => unreachable!("the free list links an occupied slot"),
            }
        }
    }

    /// Number of slots, vacant ones included, for the model tests.
    #[cfg(all(test, not(loom)))]
    pub(crate) fn slot_count(&self) -> usize {
        self.slots.len()
    }

    /// Allocated capacity of the slots and of the heap, for the model tests.
    #[cfg(all(test, not(loom)))]
    pub(crate) fn capacity(&self) -> (usize, usize) {
        (self.slots.capacity(), self.heap.capacity())
    }
}

/// `instant` as an order-preserving integer: nanoseconds from `base`, biased
/// by `1 << 63` (so instants before `base` encode below it), saturating to
/// `1..=u64::MAX - 1` about 292 years either side. 0 and `u64::MAX` are left
/// free for the callers' sentinels (`timer::shards`).
pub(crate) fn encode(base: Instant, instant: Instant) -> u64 {
    fn nanos(d: Duration) -> u64 {
        u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
    }
    let at = match instant.checked_duration_since(base) {
        Some(after) => AT_BASE.saturating_add(nanos(after)),
        None => AT_BASE.saturating_sub(nanos(base.duration_since(instant))),
    };
    at.clamp(1, u64::MAX - 1)
}

/// The instant [`encode`] gave `at` for (for a saturated value, the farthest
/// one representable, or `base` if the platform cannot represent that).
pub(crate) fn decode(base: Instant, at: u64) -> Instant {
    if at >= AT_BASE {
        base.checked_add(Duration::from_nanos(at - AT_BASE))
    } else {
        base.checked_sub(Duration::from_nanos(AT_BASE - at))
    }
    .unwrap_or(base)
}

/// Shrinks `buffer` to twice `len`, not below [`MIN_RETAINED_CAPACITY`].
fn shrink<T>(buffer: &mut Vec<T>, len: usize) {
    if buffer.capacity() > MIN_RETAINED_CAPACITY {
        buffer.shrink_to(MIN_RETAINED_CAPACITY.max(len * 2));
    }
}

/// A slot index or heap position as stored.
///
/// # Panics
/// At `u32::MAX` or beyond (`u32::MAX` is the end of the free list).
fn to_u32(n: usize) -> u32 {
    u32::try_from(n)
        .ok()
        .filter(|&n| n != NONE)
        .expect("spindle: more than 4 billion timers at once")
}
