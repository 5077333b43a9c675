//! Panics: in a future, in a detached task, in a done callback.

mod common;

use common::{poll_noop, Exec};
use spindle_core::TaskError;
use std::sync::{Arc, Mutex};
use std::task::Poll;

#[test]
fn a_panicking_future_yields_panicked_with_its_message() {
    let exec = Exec::new();
    let mut task = exec.spawn(async {
        if true {
            panic!("boom {}", 7);
        }
    });
    exec.run_all();
    assert!(task.is_done());
    assert!(!task.is_cancelled());
    match poll_noop(&mut task) {
        Poll::Ready(Err(err)) => {
            assert!(err.is_panic());
            assert_eq!(err.panic_message(), Some("boom 7"));
            let payload = err.try_into_panic().expect("a panic payload");
            assert_eq!(
                spindle_core::error::panic_message(&*payload),
                Some("boom 7")
            );
        }
        other => panic!("expected a panic, got {other:?}"),
    }
    drop(task);
    assert!(exec.panics().is_empty(), "an awaited panic is not reported");
    assert_eq!(exec.freed(), 1);
}

#[test]
fn a_panicking_detached_task_is_reported_once() {
    let exec = Exec::new();
    let task = exec.spawn(async {
        if true {
            panic!("lost");
        }
    });
    drop(task);
    exec.run_all();
    assert_eq!(
        exec.panics(),
        vec!["a task panicked and nobody awaited it: lost".to_string()]
    );
    assert_eq!(exec.freed(), 1);
}

#[test]
fn a_panicking_task_whose_handle_is_dropped_unread_is_reported_once() {
    let exec = Exec::new();
    let task = exec.spawn(async {
        if true {
            panic!("unread");
        }
    });
    exec.run_all();
    assert!(exec.panics().is_empty(), "the handle may still read it");
    drop(task);
    assert_eq!(
        exec.panics(),
        vec!["a task panicked and nobody awaited it: unread".to_string()]
    );
}

#[test]
fn an_awaited_panicking_task_is_not_reported() {
    let exec = Exec::new();
    let mut task = exec.spawn(async {
        if true {
            panic!("seen");
        }
    });
    exec.run_all();
    assert!(matches!(
        poll_noop(&mut task),
        Poll::Ready(Err(TaskError::Panicked(_)))
    ));
    drop(task);
    assert_eq!(exec.freed(), 1);
    assert!(exec.panics().is_empty());
}

#[test]
fn a_panic_seen_by_a_done_callback_is_not_reported() {
    let exec = Exec::new();
    let task = exec.spawn(async {
        if true {
            panic!("handled");
        }
    });
    let seen = Arc::new(Mutex::new(None));
    let seen2 = Arc::clone(&seen);
    task.add_done_callback(move |outcome| {
        *seen2.lock().unwrap() = outcome
            .as_ref()
            .err()
            .and_then(|e| e.panic_message().map(str::to_owned));
    });
    drop(task);
    exec.run_all();
    assert_eq!(seen.lock().unwrap().as_deref(), Some("handled"));
    assert!(exec.panics().is_empty());
}

#[test]
fn a_panicking_done_callback_is_reported_and_the_others_still_run() {
    let exec = Exec::new();
    let mut task = exec.spawn(async { 4 });
    let log = Arc::new(Mutex::new(Vec::new()));
    let (l1, l3) = (Arc::clone(&log), Arc::clone(&log));
    task.add_done_callback(move |v| l1.lock().unwrap().push(*v.as_ref().unwrap()));
    task.add_done_callback(|_| panic!("callback failed"));
    task.add_done_callback(move |v| l3.lock().unwrap().push(*v.as_ref().unwrap() * 10));
    exec.run_all();
    assert_eq!(*log.lock().unwrap(), vec![4, 40]);
    assert_eq!(
        exec.panics(),
        vec!["a done callback panicked: callback failed".to_string()]
    );
    assert!(
        matches!(poll_noop(&mut task), Poll::Ready(Ok(4))),
        "the output is intact"
    );
}

#[test]
fn a_future_that_panics_when_dropped_is_reported_and_the_task_still_completes() {
    struct PanicOnDrop;
    impl Drop for PanicOnDrop {
        fn drop(&mut self) {
            panic!("drop failed");
        }
    }
    let exec = Exec::new();
    let mut task = exec.spawn(async {
        let _bomb = PanicOnDrop;
        std::future::pending::<()>().await;
    });
    exec.run_all();
    assert!(task.cancel());
    exec.run_all();
    assert_eq!(
        exec.panics(),
        vec!["dropping a task's future panicked: drop failed".to_string()]
    );
    assert!(matches!(
        poll_noop(&mut task),
        Poll::Ready(Err(TaskError::Cancelled))
    ));
}
