//! Model test of `TimerHeap` against a plain `Vec` of timers.
//!
//! Random sequences of inserts, cancellations (of armed timers, of fired ones
//! not yet released, and of keys already dead), `pop_due` at an advancing
//! "now", and an occasional `take_all` are applied to both the heap and a
//! naive model. After every step: the heap pops exactly what the model says is
//! due, in (deadline, insertion) order, never a timer whose deadline is after
//! `now`, never a cancelled one; every live key looks up to its own timer in
//! its own state and every dead key to nothing; `len` counts the armed
//! timers, `occupied` the armed and fired ones; `next_deadline` is the
//! earliest armed deadline; the slots reach exactly as far as the highest
//! occupied one (none once no timer is left).

use std::time::{Duration, Instant};

use proptest::prelude::*;

use super::heap::{encode, Lookup, TimerHeap, TimerKey};

/// A heap target for the model: the timer's insertion number.
#[derive(Debug, PartialEq, Eq)]
struct Probe(usize);

/// Arms `probe` at `deadline`, encoded against `base` as the driver does.
fn arm(heap: &mut TimerHeap<Probe>, base: Instant, deadline: Instant, probe: Probe) -> TimerKey {
    heap.insert(deadline, encode(base, deadline), probe)
}

#[derive(Debug, Clone)]
enum Op {
    /// Insert at `now + offset` milliseconds.
    Insert(u64),
    /// Cancel (or release) the model timer at this index (modulo their count).
    Cancel(usize),
    /// Cancel a dead key again (modulo their count): must do nothing.
    CancelDead(usize),
    /// Advance `now` by this many milliseconds and pop everything due.
    Advance(u64),
    /// `take_all`.
    Clear,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (0u64..50).prop_map(Op::Insert),
        6 => any::<usize>().prop_map(Op::Cancel),
        1 => any::<usize>().prop_map(Op::CancelDead),
        2 => (0u64..20).prop_map(Op::Advance),
        1 => Just(Op::Clear),
    ]
}

/// One model timer.
struct ModelTimer {
    deadline: Instant,
    /// Insertion number.
    id: usize,
    key: TimerKey,
    /// Popped by `pop_due`, not released yet.
    fired: bool,
}

fn check(
    heap: &mut TimerHeap<Probe>,
    timers: &[ModelTimer],
    dead: &[TimerKey],
) -> Result<(), TestCaseError> {
    let armed = timers.iter().filter(|t| !t.fired).count();
    prop_assert_eq!(heap.len(), armed);
    prop_assert_eq!(heap.occupied(), timers.len());
    prop_assert!(heap.slot_count() >= timers.len());
    // The slots reach exactly as far as the highest occupied one.
    let highest = timers.iter().map(|t| t.key.index() as usize + 1).max();
    prop_assert_eq!(heap.slot_count(), highest.unwrap_or(0));
    let next = timers.iter().filter(|t| !t.fired).map(|t| t.deadline).min();
    prop_assert_eq!(heap.next_deadline(), next);
    for timer in timers {
        match heap.lookup(timer.key) {
            Lookup::Armed(probe) => {
                prop_assert!(!timer.fired);
                prop_assert_eq!(probe.0, timer.id);
            }
            Lookup::Fired => prop_assert!(timer.fired),
            Lookup::Gone => prop_assert!(false, "timer {} is gone", timer.id),
        }
    }
    for key in dead {
        prop_assert!(matches!(heap.lookup(*key), Lookup::Gone));
    }
    Ok(())
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let base = Instant::now();
    let mut now = base;
    let mut heap = TimerHeap::new();
    // Live timers (armed or fired) in insertion order; ids are insertion numbers.
    let mut timers: Vec<ModelTimer> = Vec::new();
    let mut dead: Vec<TimerKey> = Vec::new();
    let mut next_id = 0;
    for op in ops {
        match op {
            Op::Insert(offset) => {
                let deadline = now + Duration::from_millis(offset);
                let key = arm(&mut heap, base, deadline, Probe(next_id));
                timers.push(ModelTimer {
                    deadline,
                    id: next_id,
                    key,
                    fired: false,
                });
                next_id += 1;
            }
            Op::Cancel(pick) => {
                if !timers.is_empty() {
                    let timer = timers.remove(pick % timers.len());
                    let got = heap.cancel(timer.key);
                    if timer.fired {
                        prop_assert_eq!(got, None);
                    } else {
                        prop_assert_eq!(got, Some(Probe(timer.id)));
                    }
                    dead.push(timer.key);
                }
            }
            Op::CancelDead(pick) => {
                if !dead.is_empty() {
                    prop_assert_eq!(heap.cancel(dead[pick % dead.len()]), None);
                }
            }
            Op::Advance(millis) => {
                now += Duration::from_millis(millis);
                let mut expected: Vec<(Instant, usize)> = timers
                    .iter()
                    .filter(|t| !t.fired && t.deadline <= now)
                    .map(|t| (t.deadline, t.id))
                    .collect();
                expected.sort();
                let mut popped = Vec::new();
                while let Some((key, probe)) = heap.pop_due(now) {
                    let timer = timers
                        .iter_mut()
                        .find(|t| t.id == probe.0)
                        .expect("popped a timer the model does not have");
                    prop_assert!(!timer.fired, "popped twice");
                    prop_assert_eq!(key, timer.key);
                    timer.fired = true;
                    popped.push((timer.deadline, timer.id));
                }
                prop_assert_eq!(&popped, &expected);
            }
            Op::Clear => {
                let mut taken: Vec<usize> = heap.take_all().into_iter().map(|p| p.0).collect();
                taken.sort_unstable();
                let armed: Vec<usize> = timers.iter().filter(|t| !t.fired).map(|t| t.id).collect();
                prop_assert_eq!(taken, armed);
                dead.extend(timers.drain(..).map(|t| t.key));
            }
        }
        check(&mut heap, &timers, &dead)?;
    }
    Ok(())
}

proptest! {
    #[test]
    fn heap_matches_the_model(ops in proptest::collection::vec(op(), 0..300)) {
        run(ops)?;
    }
}

#[test]
fn equal_deadlines_pop_in_insertion_order() {
    let now = Instant::now();
    let mut heap = TimerHeap::new();
    let keys: Vec<TimerKey> = (0..100)
        .map(|id| arm(&mut heap, now, now, Probe(id)))
        .collect();
    // Cancel a few in the middle: the rest keep their order.
    for id in [10, 50, 51, 99] {
        assert_eq!(heap.cancel(keys[id]), Some(Probe(id)));
    }
    let order: Vec<usize> = std::iter::from_fn(|| heap.pop_due(now))
        .map(|(_, probe)| probe.0)
        .collect();
    let expected: Vec<usize> = (0..100)
        .filter(|id| ![10, 50, 51, 99].contains(id))
        .collect();
    assert_eq!(order, expected);
}

/// Arms `count` timers a second apart from `now` on (`Probe(0)` at `now`), encoded against
/// `now`, and returns their keys in that order.
fn arm_one_a_second(heap: &mut TimerHeap<Probe>, now: Instant, count: usize) -> Vec<TimerKey> {
    (0..count)
        .map(|id| arm(heap, now, now + Duration::from_secs(id as u64), Probe(id)))
        .collect()
}

#[test]
fn cancelling_everything_releases_the_memory() {
    const TIMERS: usize = 10_000;
    let now = Instant::now();
    let mut heap = TimerHeap::new();
    let keys = arm_one_a_second(&mut heap, now, TIMERS);
    assert_eq!(heap.slot_count(), TIMERS);
    for key in keys {
        assert!(heap.cancel(key).is_some());
        assert!(
            heap.capacity().1 <= 4 * heap.len().max(16),
            "the heap shrinks"
        );
    }
    assert_eq!(heap.len(), 0);
    assert_eq!(heap.occupied(), 0);
    assert_eq!(heap.slot_count(), 0);
    let (slots, entries) = heap.capacity();
    assert!(slots <= 64 && entries <= 64, "capacity {slots}, {entries}");
    assert_eq!(heap.next_deadline(), None);
}

#[test]
fn a_survivor_in_a_low_slot_lets_the_slots_shrink() {
    const TIMERS: usize = 10_000;
    let now = Instant::now();
    let mut heap = TimerHeap::new();
    let keys = arm_one_a_second(&mut heap, now, TIMERS);
    // The first timer (slot 0) stays; the others go, newest first and oldest
    // first alternately, so that the free list is in no particular order.
    let (mut low, mut high) = (1, TIMERS - 1);
    while low <= high {
        assert!(heap.cancel(keys[high]).is_some());
        high -= 1;
        if low <= high {
            assert!(heap.cancel(keys[low]).is_some());
            low += 1;
        }
    }
    assert_eq!(heap.occupied(), 1);
    assert_eq!(
        heap.slot_count(),
        1,
        "the slots end at the highest occupied one"
    );
    assert!(heap.capacity().0 <= 64, "capacity {}", heap.capacity().0);
    // New timers reuse the low slots.
    for id in 0..1000 {
        arm(&mut heap, now, now, Probe(TIMERS + id));
    }
    assert_eq!(heap.slot_count(), 1001);
    assert_eq!(heap.pop_due(now).map(|(_, p)| p.0), Some(0));
}

#[test]
fn deadlines_before_the_base_and_centuries_away_keep_their_order() {
    let base = Instant::now() + Duration::from_secs(10);
    let mut heap = TimerHeap::new();
    let year = Duration::from_secs(365 * 24 * 3600);
    // Deadlines before the base of `at`, and beyond the 292 years `at`
    // represents exactly.
    arm(&mut heap, base, base, Probe(0));
    arm(&mut heap, base, base + 400 * year, Probe(1));
    arm(&mut heap, base, base - Duration::from_secs(1), Probe(2));
    arm(&mut heap, base, base + 300 * year, Probe(3));
    arm(&mut heap, base, base - Duration::from_nanos(1), Probe(4));
    assert_eq!(heap.next_deadline(), Some(base - Duration::from_secs(1)));
    let popped: Vec<usize> = std::iter::from_fn(|| heap.pop_due(base))
        .map(|(_, p)| p.0)
        .collect();
    assert_eq!(popped, [2, 4, 0]);
    // Both saturate: they order by insertion, but the exact deadline is kept
    // and decides when they are due.
    assert_eq!(heap.next_deadline(), Some(base + 400 * year));
    assert!(heap.pop_due(base + 350 * year).is_none(), "never early");
}
