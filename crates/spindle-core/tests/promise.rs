//! `Promise`: asyncio's `Future`, settable once from any thread.

mod common;

use common::{poll_with, CountingWaker};
use spindle_core::loop_hook::{enter_loop, LoopHook};
use spindle_core::{CancelledError, Promise};
use std::sync::{Arc, Mutex};
use std::task::Poll;

#[test]
fn set_result_twice_is_an_invalid_state() {
    let promise = Promise::new();
    assert!(!promise.is_done());
    assert!(promise.try_result().is_err(), "no result yet");
    assert_eq!(promise.result(), None);
    promise.set_result(1).unwrap();
    let err = promise.set_result(2).unwrap_err();
    assert!(err.to_string().contains("already done"), "{err}");
    assert_eq!(promise.result(), Some(Ok(1)), "the first value stays");
    assert!(!promise.cancel());
}

#[test]
fn cancel_completes_with_cancelled_error() {
    let promise = Promise::<u8>::new();
    assert!(promise.cancel());
    assert!(promise.is_done());
    assert!(promise.is_cancelled());
    assert!(!promise.cancel());
    assert!(promise.set_result(3).is_err());
    assert_eq!(promise.try_result(), Ok(Err(CancelledError)));
}

#[test]
fn two_awaiting_clones_are_both_woken_and_both_get_the_value() {
    let promise = Promise::new();
    let (mut a, mut b) = (promise.clone(), promise.clone());
    let (ca, wa) = CountingWaker::new();
    let (cb, wb) = CountingWaker::new();
    assert!(poll_with(&mut a, &wa).is_pending());
    assert!(poll_with(&mut b, &wb).is_pending());
    assert!(
        poll_with(&mut a, &wa).is_pending(),
        "re-polling does not register twice"
    );
    promise.set_result(String::from("v")).unwrap();
    assert_eq!((ca.count(), cb.count()), (1, 1));
    assert_eq!(poll_with(&mut a, &wa), Poll::Ready(Ok("v".to_string())));
    assert_eq!(poll_with(&mut b, &wb), Poll::Ready(Ok("v".to_string())));
}

#[test]
fn awaiters_of_a_cancelled_promise_get_cancelled_error() {
    let mut promise = Promise::<u8>::new();
    let (c, w) = CountingWaker::new();
    assert!(poll_with(&mut promise, &w).is_pending());
    assert!(promise.clone().cancel());
    assert_eq!(c.count(), 1);
    assert_eq!(
        poll_with(&mut promise, &w),
        Poll::Ready(Err(CancelledError))
    );
}

#[test]
fn set_result_from_another_thread_wakes_the_awaiter() {
    let mut promise = Promise::new();
    let (c, w) = CountingWaker::new();
    assert!(poll_with(&mut promise, &w).is_pending());
    let producer = promise.clone();
    std::thread::spawn(move || producer.set_result(5u32).unwrap())
        .join()
        .unwrap();
    assert_eq!(c.count(), 1);
    assert_eq!(poll_with(&mut promise, &w), Poll::Ready(Ok(5)));
}

type Callback = Box<dyn FnOnce(&Result<i32, CancelledError>) + Send>;

fn recorder() -> (Arc<Mutex<Vec<String>>>, impl Fn(&'static str) -> Callback) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let log2 = Arc::clone(&log);
    let make = move |name: &'static str| {
        let log = Arc::clone(&log2);
        Box::new(move |outcome: &Result<i32, CancelledError>| {
            log.lock().unwrap().push(format!("{name}={outcome:?}"))
        }) as Box<dyn FnOnce(&Result<i32, CancelledError>) + Send>
    };
    (log, make)
}

#[test]
fn without_a_loop_callbacks_run_inline() {
    let (log, cb) = recorder();
    let promise = Promise::new();
    promise.add_done_callback(cb("a"));
    promise.add_done_callback(cb("b"));
    assert!(log.lock().unwrap().is_empty());
    promise.set_result(1).unwrap();
    assert_eq!(
        *log.lock().unwrap(),
        ["a=Ok(1)", "b=Ok(1)"],
        "run inside set_result, in order"
    );
    promise.add_done_callback(cb("late"));
    assert_eq!(
        log.lock().unwrap().last().map(String::as_str),
        Some("late=Ok(1)")
    );
}

/// A loop hook that only queues: nothing runs until the test drains it.
#[derive(Default)]
struct QueueHook(Mutex<Vec<Box<dyn FnOnce() + Send>>>);

impl LoopHook for QueueHook {
    fn call_soon(&self, f: Box<dyn FnOnce() + Send>) {
        self.0.lock().unwrap().push(f);
    }
}

impl QueueHook {
    fn drain(&self) -> usize {
        let queued = std::mem::take(&mut *self.0.lock().unwrap());
        let n = queued.len();
        queued.into_iter().for_each(|f| f());
        n
    }
}

#[test]
fn with_a_loop_callbacks_are_scheduled_on_it_not_run_inline() {
    let (log, cb) = recorder();
    let hook = Arc::new(QueueHook::default());
    let promise = {
        let _guard = enter_loop(hook.clone());
        Promise::new()
    };
    // The promise remembers its loop; setting it from outside that loop still uses the hook.
    promise.add_done_callback(cb("a"));
    promise.set_result(2).unwrap();
    assert!(log.lock().unwrap().is_empty(), "not run inside set_result");
    assert_eq!(hook.drain(), 1);
    assert_eq!(*log.lock().unwrap(), ["a=Ok(2)"]);

    promise.add_done_callback(cb("late"));
    assert_eq!(
        log.lock().unwrap().len(),
        1,
        "not run inside add_done_callback"
    );
    assert_eq!(hook.drain(), 1);
    assert_eq!(
        log.lock().unwrap().last().map(String::as_str),
        Some("late=Ok(2)")
    );
}

#[test]
fn a_promise_created_after_the_loop_guard_drops_runs_callbacks_inline() {
    let hook = Arc::new(QueueHook::default());
    drop(enter_loop(hook.clone()));
    let (log, cb) = recorder();
    let promise = Promise::new();
    promise.add_done_callback(cb("x"));
    promise.set_result(3).unwrap();
    assert_eq!(*log.lock().unwrap(), ["x=Ok(3)"]);
    assert_eq!(hook.drain(), 0);
}
