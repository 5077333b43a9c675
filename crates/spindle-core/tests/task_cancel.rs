//! Cancellation: `Task::cancel`, dropped runnables, `TaskRef::shutdown`, `TaskList::close`.

mod common;

use common::{poll_noop, tracked, Exec, Forever, Gate};
use spindle_core::{task, TaskError};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::thread::{self, ThreadId};

fn assert_cancelled<T: std::fmt::Debug>(task: &mut spindle_core::Task<T>) {
    assert!(task.is_done());
    assert!(task.is_cancelled());
    match poll_noop(task) {
        Poll::Ready(Err(TaskError::Cancelled)) => {}
        other => panic!("expected Ready(Err(Cancelled)), got {other:?}"),
    }
}

#[test]
fn cancelling_an_idle_task_drops_its_future_on_the_next_run() {
    let exec = Exec::new();
    let (drops, guard) = tracked();
    let mut task = exec.spawn(async move {
        let _guard = guard;
        Forever.await;
    });
    exec.run_all();
    assert_eq!(exec.queued(), 0);

    assert!(task.cancel());
    assert_eq!(exec.queued(), 1, "cancel schedules the idle task");
    assert_eq!(
        drops.load(SeqCst),
        0,
        "the future is dropped by the runner, not by cancel"
    );
    assert!(!task.is_done());

    exec.run_all();
    assert_eq!(drops.load(SeqCst), 1);
    assert_eq!(exec.list.len(), 0);
    assert_cancelled(&mut task);
    assert!(!task.cancel(), "already finished");
    drop(task);
    assert_eq!(exec.freed(), 1);
}

#[test]
fn cancel_after_completion_returns_false_and_keeps_the_output() {
    let exec = Exec::new();
    let mut task = exec.spawn(async { 5 });
    exec.run_all();
    assert!(!task.cancel());
    assert!(!task.is_cancelled());
    assert_eq!(exec.queued(), 0);
    assert!(matches!(poll_noop(&mut task), Poll::Ready(Ok(5))));
}

#[test]
fn cancelling_a_scheduled_task_before_its_first_run_never_polls_it() {
    let exec = Exec::new();
    let polls = Arc::new(AtomicUsize::new(0));
    let polls2 = Arc::clone(&polls);
    let (drops, guard) = tracked();
    let mut task = exec.spawn(async move {
        let _guard = guard;
        polls2.fetch_add(1, SeqCst);
    });
    assert!(task.cancel());
    assert!(
        task.cancel(),
        "a second cancel of an unfinished task also returns true"
    );
    assert_eq!(
        exec.queued(),
        1,
        "no second runnable for a task that is already queued"
    );
    assert_eq!(exec.run_all(), 1);
    assert_eq!(polls.load(SeqCst), 0);
    assert_eq!(drops.load(SeqCst), 1);
    assert_cancelled(&mut task);
}

#[test]
fn cancelling_while_running_drops_the_future_at_its_suspension_point() {
    let exec = Exec::new();
    let (drops, guard) = tracked();
    let mut task = exec.spawn(async move {
        let _guard = guard;
        assert!(spindle_core::current_task()
            .expect("inside a task")
            .cancel());
        Forever.await;
    });
    assert_eq!(
        exec.run_all(),
        1,
        "no extra runnable: the poller drops the future itself"
    );
    assert_eq!(drops.load(SeqCst), 1);
    assert_cancelled(&mut task);
}

#[test]
fn a_task_cancelled_while_running_that_finishes_in_that_poll_keeps_its_value() {
    let exec = Exec::new();
    let mut task = exec.spawn(async {
        assert!(spindle_core::current_task()
            .expect("inside a task")
            .cancel());
        3
    });
    exec.run_all();
    assert!(!task.is_cancelled());
    assert!(matches!(poll_noop(&mut task), Poll::Ready(Ok(3))));
}

#[test]
fn dropping_a_runnable_cancels_the_task() {
    let exec = Exec::new();
    let (drops, guard) = tracked();
    let polls = Arc::new(AtomicUsize::new(0));
    let polls2 = Arc::clone(&polls);
    let mut task = exec.spawn(async move {
        let _guard = guard;
        polls2.fetch_add(1, SeqCst);
    });
    let (runnable, _) = exec.pop().expect("queued");
    drop(runnable);
    assert_eq!(polls.load(SeqCst), 0);
    assert_eq!(
        drops.load(SeqCst),
        1,
        "the future is dropped on the dropping thread"
    );
    assert_eq!(exec.list.len(), 0);
    assert_cancelled(&mut task);
    drop(task);
    assert_eq!(exec.freed(), 1);
}

#[test]
fn dropping_a_requeued_runnable_cancels_the_task() {
    let exec = Exec::new();
    let gate = Gate::new();
    let wait = gate.wait();
    let mut task = exec.spawn(wait);
    exec.run_all();
    gate.open();
    let (runnable, _) = exec.pop().expect("woken");
    drop(runnable);
    assert_cancelled(&mut task);
}

/// A future whose drop records the thread it happened on.
struct RecordDropThread(Arc<Mutex<Option<ThreadId>>>);

impl Drop for RecordDropThread {
    fn drop(&mut self) {
        *self.0.lock().unwrap() = Some(thread::current().id());
    }
}

#[test]
fn shutdown_of_an_idle_task_drops_its_future_on_the_calling_thread() {
    let exec = Exec::new();
    let dropped_on = Arc::new(Mutex::new(None));
    let guard = RecordDropThread(Arc::clone(&dropped_on));
    let mut task = exec.spawn(async move {
        let _guard = guard;
        Forever.await;
    });
    // Run the first poll elsewhere, so "the calling thread" is not simply the only thread.
    let (runnable, _) = exec.pop().unwrap();
    thread::spawn(move || runnable.run()).join().unwrap();
    assert!(dropped_on.lock().unwrap().is_none());

    let members = exec.list.close();
    assert_eq!(members.len(), 1);
    for member in members {
        member.shutdown();
    }
    assert_eq!(*dropped_on.lock().unwrap(), Some(thread::current().id()));
    assert_eq!(exec.queued(), 0, "shutdown schedules nothing");
    assert_cancelled(&mut task);
    drop(task);
    assert_eq!(exec.freed(), 1);
}

#[test]
fn shutdown_of_a_queued_task_only_flags_it() {
    let exec = Exec::new();
    let (drops, guard) = tracked();
    let polls = Arc::new(AtomicUsize::new(0));
    let polls2 = Arc::clone(&polls);
    let mut task = exec.spawn(async move {
        let _guard = guard;
        polls2.fetch_add(1, SeqCst);
    });
    for member in exec.list.close() {
        member.shutdown();
    }
    assert_eq!(
        drops.load(SeqCst),
        0,
        "the queued runnable owns the future now"
    );
    assert!(!task.is_done());
    assert_eq!(exec.run_all(), 1);
    assert_eq!(polls.load(SeqCst), 0);
    assert_eq!(drops.load(SeqCst), 1);
    assert_cancelled(&mut task);
}

#[test]
fn closing_a_task_list_returns_its_members_and_refuses_inserts() {
    let exec = Exec::new();
    let tasks: Vec<_> = (0..5).map(|_| exec.spawn(Forever)).collect();
    exec.run_all();
    assert_eq!(exec.list.len(), 5);
    let mut listed: Vec<_> = exec.list.snapshot().iter().map(|t| t.id()).collect();
    listed.sort();
    let mut ids: Vec<_> = tasks.iter().map(|t| t.id()).collect();
    ids.sort();
    assert_eq!(listed, ids);

    assert!(!exec.list.is_closed());
    let members = exec.list.close();
    assert!(exec.list.is_closed());
    assert!(exec.list.is_empty());
    let mut closed: Vec<_> = members.iter().map(|t| t.id()).collect();
    closed.sort();
    assert_eq!(closed, ids);

    let (runnable, handle, list_ref) = task::create(async {}, exec.sched(), None);
    let refused = exec
        .list
        .insert(list_ref)
        .expect_err("a closed list refuses inserts");
    assert_eq!(refused.id(), handle.id());
    assert!(exec.list.is_empty());
    drop((runnable, refused, handle));

    for member in members {
        member.shutdown();
    }
    for task in &tasks {
        assert!(task.is_cancelled());
    }
    drop(tasks);
    assert_eq!(exec.freed(), 6);
}

#[test]
fn dropping_a_task_list_shuts_its_idle_tasks_down() {
    let exec = Exec::new();
    let (drops, guard) = tracked();
    let (runnable, mut handle, list_ref) = task::create(
        async move {
            let _guard = guard;
            Forever.await;
        },
        exec.sched(),
        None,
    );
    let own_list = spindle_core::TaskList::new(1);
    own_list.insert(list_ref).unwrap();
    runnable.run();
    assert_eq!(drops.load(SeqCst), 0);
    drop(own_list);
    assert_eq!(drops.load(SeqCst), 1);
    assert_cancelled(&mut handle);
    drop(handle);
    assert_eq!(exec.freed(), 1);
}
