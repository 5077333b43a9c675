//! Model test of `TimerHeap` against a sorted `Vec`.
//!
//! Random sequences of inserts, cancellations of random live timers, and
//! `pop_due` at an advancing "now" are applied to both the heap and a naive
//! model. After every step: the heap pops exactly what the model says is due,
//! in (deadline, insertion) order, never a timer whose deadline is after
//! `now`, never a cancelled one; `len` counts live timers; `next_deadline` is
//! the earliest live deadline; compaction keeps storage bounded.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use proptest::prelude::*;

use super::heap::{Cancellable, TimerHeap};

/// A heap target for the model: an id plus a cancel flag shared with the test.
struct Probe {
    id: usize,
    cancelled: Rc<Cell<bool>>,
}

impl Cancellable for Probe {
    fn is_cancelled(&self) -> bool {
        self.cancelled.get()
    }
}

#[derive(Debug, Clone)]
enum Op {
    /// Insert at `now + offset` milliseconds.
    Insert(u64),
    /// Cancel the live timer at this index (modulo the live count).
    Cancel(usize),
    /// Advance `now` by this many milliseconds and pop everything due.
    Advance(u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u64..50).prop_map(Op::Insert),
        3 => any::<usize>().prop_map(Op::Cancel),
        1 => (0u64..20).prop_map(Op::Advance),
    ]
}

/// One model timer: (deadline, insertion order, id, cancel flag).
struct ModelTimer {
    deadline: Instant,
    id: usize,
    cancelled: Rc<Cell<bool>>,
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let base = Instant::now();
    let mut now = base;
    let mut heap = TimerHeap::new();
    // Live timers in insertion order; ids are insertion numbers.
    let mut live: Vec<ModelTimer> = Vec::new();
    let mut next_id = 0;
    for op in ops {
        match op {
            Op::Insert(offset) => {
                let deadline = now + Duration::from_millis(offset);
                let cancelled = Rc::new(Cell::new(false));
                let probe = Probe {
                    id: next_id,
                    cancelled: cancelled.clone(),
                };
                heap.insert(deadline, probe);
                live.push(ModelTimer {
                    deadline,
                    id: next_id,
                    cancelled,
                });
                next_id += 1;
            }
            Op::Cancel(pick) => {
                if !live.is_empty() {
                    let timer = live.remove(pick % live.len());
                    timer.cancelled.set(true);
                    heap.note_cancelled();
                    // Compaction keeps cancelled entries at most half.
                    let cancelled = heap.storage_len() - heap.len();
                    prop_assert!(cancelled * 2 <= heap.storage_len());
                }
            }
            Op::Advance(step) => {
                now += Duration::from_millis(step);
                let mut expected: Vec<&ModelTimer> =
                    live.iter().filter(|t| t.deadline <= now).collect();
                expected.sort_by_key(|t| (t.deadline, t.id));
                let expected: Vec<usize> = expected.iter().map(|t| t.id).collect();
                let mut popped = Vec::new();
                while let Some(entry) = heap.pop_due(now) {
                    prop_assert!(entry.deadline <= now, "fired early");
                    prop_assert!(!entry.target.cancelled.get(), "cancelled fired");
                    popped.push(entry.target.id);
                }
                prop_assert_eq!(&popped, &expected);
                live.retain(|t| t.deadline > now);
            }
        }
        prop_assert_eq!(heap.len(), live.len());
        prop_assert!(heap.storage_len() >= heap.len());
        let model_next = live.iter().map(|t| t.deadline).min();
        prop_assert_eq!(heap.next_deadline(), model_next);
    }
    Ok(())
}

proptest! {
    #[test]
    fn heap_matches_sorted_model(ops in proptest::collection::vec(op(), 0..200)) {
        run(ops)?;
    }
}

#[test]
fn equal_deadlines_pop_in_insertion_order() {
    let now = Instant::now();
    let mut heap = TimerHeap::new();
    for id in 0..100 {
        heap.insert(
            now,
            Probe {
                id,
                cancelled: Rc::new(Cell::new(false)),
            },
        );
    }
    let order: Vec<usize> = std::iter::from_fn(|| heap.pop_due(now))
        .map(|e| e.target.id)
        .collect();
    assert_eq!(order, (0..100).collect::<Vec<_>>());
}

#[test]
fn cancelling_everything_compacts_to_nothing() {
    const TIMERS: usize = 10_000;
    let now = Instant::now();
    let mut heap = TimerHeap::new();
    let flags: Vec<Rc<Cell<bool>>> = (0..TIMERS)
        .map(|id| {
            let cancelled = Rc::new(Cell::new(false));
            let deadline = now + Duration::from_secs(id as u64);
            heap.insert(
                deadline,
                Probe {
                    id,
                    cancelled: cancelled.clone(),
                },
            );
            cancelled
        })
        .collect();
    for flag in &flags {
        flag.set(true);
        heap.note_cancelled();
        assert!(heap.storage_len() <= 2 * heap.len() + 1);
    }
    assert_eq!(heap.len(), 0);
    assert_eq!(heap.storage_len(), 0);
    assert!(heap.capacity() <= 64, "capacity {}", heap.capacity());
    assert_eq!(heap.next_deadline(), None);
}
