//! A task costs one allocation: the cell. Wakers, handles and the owner list add none.
//!
//! A counting global allocator counts only while this thread's flag is up, so other test
//! threads (and the harness) do not disturb the count. Task cells come from a per-thread cache
//! in front of the global allocator (`task/alloc.rs`): after a first task of the same size has
//! been freed on this thread, a task costs no global allocation at all, and with the cache off
//! (`SPINDLE_CELL_CACHE=0`, as under valgrind) exactly one allocation and one free.

use spindle_core::task::{self, Runnable, Schedule, TaskList, TaskRef};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::OnceLock;
use std::task::{Context, Poll, Wake, Waker};

struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
    static FREES: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded to the system allocator unchanged; the bookkeeping uses
// const-initialised thread locals without destructors, which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            ALLOCS.with(|n| n.set(n.get() + 1));
        }
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if COUNTING.with(Cell::get) {
            FREES.with(|n| n.set(n.get() + 1));
        }
        // SAFETY: forwarded with the caller's pointer and layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            ALLOCS.with(|n| n.set(n.get() + 1));
        }
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// What one task costs the global allocator once a first one was freed: (allocations, frees).
fn expected_per_task() -> (usize, usize) {
    if std::env::var_os("SPINDLE_CELL_CACHE").is_some_and(|v| v == "0") {
        (1, 1)
    } else {
        (0, 0)
    }
}

/// Runs `f` and returns (allocations, frees) it made on this thread.
fn count<R>(f: impl FnOnce() -> R) -> (R, usize, usize) {
    ALLOCS.with(|n| n.set(0));
    FREES.with(|n| n.set(0));
    COUNTING.with(|c| c.set(true));
    let r = f();
    COUNTING.with(|c| c.set(false));
    (r, ALLOCS.with(Cell::get), FREES.with(Cell::get))
}

struct NoopWake;

impl Wake for NoopWake {
    fn wake(self: Arc<Self>) {}
}

/// A waker that does nothing, built outside the measured sections (`Waker::noop` needs 1.85).
fn noop_waker() -> Waker {
    Waker::from(Arc::new(NoopWake))
}

/// A zero-sized scheduler that owns no list.
struct Zst;

impl Schedule for Zst {
    fn schedule(&self, _task: Runnable, _yielded: bool) {
        unreachable!("the task finishes in its first poll")
    }
    fn release(&self, _task: &TaskRef) -> Option<TaskRef> {
        None
    }
    fn call_soon(&self, _f: Box<dyn FnOnce() + Send>) {
        unreachable!("no late callbacks")
    }
}

/// A zero-sized scheduler whose tasks belong to one process-wide list.
struct ListedZst;

fn list() -> &'static TaskList {
    static LIST: OnceLock<TaskList> = OnceLock::new();
    LIST.get_or_init(|| TaskList::new(4))
}

impl Schedule for ListedZst {
    fn schedule(&self, _task: Runnable, _yielded: bool) {
        unreachable!("the task finishes in its first poll")
    }
    fn release(&self, task: &TaskRef) -> Option<TaskRef> {
        list().remove(task)
    }
    fn call_soon(&self, _f: Box<dyn FnOnce() + Send>) {
        unreachable!("no late callbacks")
    }
}

#[test]
fn create_run_await_drop_costs_exactly_one_allocation() {
    assert_eq!(std::mem::size_of::<Zst>(), 0);
    let waker = noop_waker();
    let one_task = || {
        let (runnable, mut handle, list_ref) = task::create(async {}, Zst, None);
        drop(list_ref);
        runnable.run();
        let polled = Pin::new(&mut handle).poll_fut(&waker);
        assert!(matches!(polled, Poll::Ready(Ok(()))));
        drop(handle);
    };
    // Warm-up: the cache's own lists and its one reading of the environment allocate once.
    one_task();
    let ((), allocs, frees) = count(one_task);
    assert_eq!(
        (allocs, frees),
        expected_per_task(),
        "the cell, from the cache or not"
    );
}

#[test]
fn the_owner_list_and_cloned_wakers_add_no_allocation() {
    let list = list(); // allocated outside the measured section
    let waker = noop_waker();
    let one_task = || {
        let (runnable, mut handle, list_ref) = task::create(
            async {
                // Waker clones are reference-count increments.
                std::future::poll_fn(|cx| {
                    let spare = cx.waker().clone();
                    drop(spare);
                    Poll::Ready(())
                })
                .await
            },
            ListedZst,
            None,
        );
        assert!(list.insert(list_ref).is_ok());
        runnable.run();
        assert!(matches!(
            Pin::new(&mut handle).poll_fut(&waker),
            Poll::Ready(Ok(()))
        ));
        drop(handle);
    };
    // Warm-up: the cache's own lists and its one reading of the environment allocate once.
    one_task();
    let ((), allocs, frees) = count(one_task);
    assert_eq!((allocs, frees), expected_per_task());
    assert!(list.is_empty(), "the completed task left the list");
}

/// `Future::poll` spelled without building a `Context` at each call site.
trait PollFut: std::future::Future {
    fn poll_fut(self: Pin<&mut Self>, waker: &Waker) -> Poll<Self::Output> {
        self.poll(&mut Context::from_waker(waker))
    }
}

impl<F: std::future::Future + ?Sized> PollFut for F {}
