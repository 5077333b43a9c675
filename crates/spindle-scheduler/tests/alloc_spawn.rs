//! Spawning costs one allocation: `spawn` + completing an empty task, awaited, allocates
//! exactly once (the task cell holding header, scheduler hook and future/output). Cells come
//! from a per-thread cache in front of the global allocator (spindle-core's `task/alloc.rs`):
//! once warm, a spawn takes back the cell the previous task freed and allocates nothing; with
//! the cache off (`SPINDLE_CELL_CACHE=0`) it allocates exactly once.
//!
//! One of the two measurements of this crate's tests. A counting global allocator counts the
//! allocations of one thread only (a thread-local switch), so the harness and other threads
//! do not disturb the count. The loop is current-thread: the task runs on the counting thread,
//! so its poll, completion and the awaiter's wake-up are all counted too.

mod common;

use common::bounded;
use spindle_scheduler::{spawn, EventLoop};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The system allocator, counting the allocations of threads that switched counting on.
struct Counting;

thread_local! {
    /// `const`-initialised, so reading it never allocates.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    /// This thread's count: tests run in parallel threads of one process, so a global counter
    /// would also count another test's allocations.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

/// This thread's count so far.
fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

fn count_one() {
    // `try_with`: the allocator may run while this thread's locals are being destroyed.
    if COUNTING.try_with(Cell::get).unwrap_or(false) {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
    }
}

// SAFETY: every call is forwarded unchanged to `System`, which upholds `GlobalAlloc`'s
// contract; the counting touches neither the pointers nor the layouts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made on this thread while `f` runs.
fn allocations_in<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let before = allocations();
    COUNTING.with(|c| c.set(true));
    let result = f();
    COUNTING.with(|c| c.set(false));
    (result, allocations() - before)
}

const TASKS: usize = 1000;

#[test]
fn spawning_and_completing_an_empty_task_allocates_once() {
    let counted = bounded(30, || {
        let lp = EventLoop::builder().current_thread().build().unwrap();
        let counted = lp.run_until_complete(async {
            // Warm up: queues, thread locals and the loop's lazily built parts.
            for _ in 0..TASKS {
                spawn(async {}).await.unwrap();
            }
            let before = allocations();
            COUNTING.with(|c| c.set(true));
            for _ in 0..TASKS {
                spawn(async {}).await.unwrap();
            }
            COUNTING.with(|c| c.set(false));
            allocations() - before
        });
        lp.close();
        counted
    });
    let per_task = if std::env::var_os("SPINDLE_CELL_CACHE").is_some_and(|v| v == "0") {
        1
    } else {
        0
    };
    assert_eq!(
        counted,
        per_task * TASKS,
        "allocations for {TASKS} spawn + await of an empty task"
    );
}

#[test]
fn the_counter_counts_this_thread_only() {
    // The probe itself: one Box is one allocation, and another thread's are not counted.
    let (_, own) = allocations_in(|| Box::new(1u64));
    assert_eq!(own, 1);
    let (_, others) = allocations_in(|| {
        COUNTING.with(|c| c.set(false)); // the spawn itself allocates on this thread
        let handle = std::thread::spawn(|| {
            let values: Vec<Box<u64>> = (0..100).map(Box::new).collect();
            values.len()
        });
        let n = handle.join().unwrap();
        COUNTING.with(|c| c.set(true));
        n
    });
    assert_eq!(others, 0);
}
