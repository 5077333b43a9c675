//! A task's future is pinned in its cell: it is dropped where it lies, never moved first.
//! An async block that borrows its own state across an `.await` (the most common shape:
//! `async move { value.method().await }` where `method` takes `&self`) dereferences that
//! borrow in its drop; moving the future before dropping it would follow a dangling pointer.

mod common;

use common::Exec;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;

struct Owner(Arc<AtomicUsize>);

impl Owner {
    /// Holds a guard borrowing `self` across a suspension that never ends.
    async fn forever(&self) {
        struct Guard<'a>(&'a Owner);
        impl Drop for Guard<'_> {
            fn drop(&mut self) {
                self.0 .0.fetch_add(1, SeqCst);
            }
        }
        let _guard = Guard(self);
        std::future::pending::<()>().await;
    }
}

fn self_borrowing_task(exec: &Exec, drops: &Arc<AtomicUsize>) -> spindle_core::Task<()> {
    let owner = Owner(drops.clone());
    exec.spawn(async move { owner.forever().await })
}

#[test]
fn cancelling_a_self_borrowing_future_drops_it_in_place() {
    let exec = Exec::new();
    let drops = Arc::new(AtomicUsize::new(0));
    let task = self_borrowing_task(&exec, &drops);
    exec.run_all();
    assert!(task.cancel());
    exec.run_all();
    assert!(task.is_cancelled());
    assert_eq!(
        drops.load(SeqCst),
        1,
        "the guard ran its drop exactly once, in place"
    );
}

#[test]
fn shutting_down_a_self_borrowing_future_drops_it_in_place() {
    let exec = Exec::new();
    let drops = Arc::new(AtomicUsize::new(0));
    let task = self_borrowing_task(&exec, &drops);
    exec.run_all();
    for member in exec.list.close() {
        member.shutdown();
    }
    assert!(task.is_cancelled());
    assert_eq!(drops.load(SeqCst), 1);
}

#[test]
fn a_self_borrowing_future_freed_unfinished_is_dropped_in_place() {
    let exec = Exec::new();
    let drops = Arc::new(AtomicUsize::new(0));
    let task = self_borrowing_task(&exec, &drops);
    exec.run_all();
    drop(task);
    drop(exec); // closes the list: the idle task's future is dropped
    assert_eq!(drops.load(SeqCst), 1);
}
