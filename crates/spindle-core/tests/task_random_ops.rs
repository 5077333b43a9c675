//! Random sequences of everything one thread can do to a task, checked against the
//! invariants of the state table: at most one runnable at a time, the value dropped exactly
//! once, every done callback run exactly once, the allocation freed exactly once, `cancel`
//! answering `false` exactly for a finished task, and a value only from a finished future, a
//! cancellation only after something cancelled.

mod common;

use common::{poll_with, CountingWaker, Exec, Tracked};
use proptest::prelude::*;
use spindle_core::{Task, TaskError};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

#[derive(Clone, Copy, Debug)]
enum Op {
    RunOne,
    DropRunnable,
    WakeByRef,
    WakeByVal,
    CloneWaker,
    DropSpare,
    Cancel,
    Poll,
    DropHandle,
    AddCallback,
    RunLate,
    Shutdown,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => Just(Op::RunOne),
        1 => Just(Op::DropRunnable),
        2 => Just(Op::WakeByRef),
        2 => Just(Op::WakeByVal),
        1 => Just(Op::CloneWaker),
        1 => Just(Op::DropSpare),
        1 => Just(Op::Cancel),
        2 => Just(Op::Poll),
        1 => Just(Op::DropHandle),
        1 => Just(Op::AddCallback),
        1 => Just(Op::RunLate),
        1 => Just(Op::Shutdown),
    ]
}

/// Ready with its value on poll number `ready_at`; stashes its waker on every poll before.
struct Countdown {
    ready_at: usize,
    polls: Arc<AtomicUsize>,
    stash: Arc<Mutex<Option<Waker>>>,
    value: Option<Tracked>,
}

impl Future for Countdown {
    type Output = Tracked;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Tracked> {
        let this = self.get_mut();
        let n = this.polls.fetch_add(1, SeqCst) + 1;
        assert!(n <= this.ready_at, "polled after Ready");
        if n == this.ready_at {
            Poll::Ready(this.value.take().unwrap())
        } else {
            *this.stash.lock().unwrap() = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

#[derive(Debug, PartialEq)]
enum Outcome {
    Value,
    Cancelled,
}

fn check(ready_at: usize, ops: &[Op]) {
    let exec = Exec::new();
    let polls = Arc::new(AtomicUsize::new(0));
    let stash = Arc::new(Mutex::new(None::<Waker>));
    let value_drops = Arc::new(AtomicUsize::new(0));
    let future = Countdown {
        ready_at,
        polls: Arc::clone(&polls),
        stash: Arc::clone(&stash),
        value: Some(Tracked(Arc::clone(&value_drops))),
    };
    let mut handle: Option<Task<Tracked>> = Some(exec.spawn(future));
    let mut taken: Option<Outcome> = None;
    let mut spares: Vec<Waker> = Vec::new();
    let callback_runs = Arc::new(Mutex::new(Vec::<usize>::new()));
    let mut callbacks = 0;
    let (join_counter, join_waker) = CountingWaker::new();
    let mut awaited = false;
    // Something that cancels happened: a `cancel` that returned `true`, a dropped runnable,
    // a shutdown.
    let mut cancel_requested = false;

    for &op in ops {
        match op {
            Op::RunOne => {
                exec.run_one();
            }
            Op::DropRunnable => {
                if let Some(runnable) = exec.pop() {
                    drop(runnable);
                    cancel_requested = true;
                }
            }
            Op::WakeByRef => {
                if let Some(w) = stash.lock().unwrap().as_ref() {
                    w.wake_by_ref();
                }
            }
            Op::WakeByVal => {
                let w = stash.lock().unwrap().take();
                if let Some(w) = w {
                    w.wake();
                }
            }
            Op::CloneWaker => {
                if let Some(w) = stash.lock().unwrap().as_ref() {
                    spares.push(w.clone());
                }
            }
            Op::DropSpare => drop(spares.pop()),
            Op::Cancel => {
                if let Some(h) = &handle {
                    let was_done = h.is_done();
                    let cancelled = h.cancel();
                    assert_eq!(
                        cancelled, !was_done,
                        "cancel() answers whether the task was unfinished"
                    );
                    cancel_requested |= cancelled;
                }
            }
            Op::Poll => {
                if let (Some(h), None) = (&mut handle, &taken) {
                    awaited = true;
                    match poll_with(h, &join_waker) {
                        Poll::Ready(Ok(value)) => {
                            assert_eq!(
                                callback_runs.lock().unwrap().len(),
                                callbacks,
                                "awaiter before callbacks"
                            );
                            assert_eq!(polls.load(SeqCst), ready_at);
                            drop(value);
                            taken = Some(Outcome::Value);
                        }
                        Poll::Ready(Err(TaskError::Cancelled)) => {
                            assert!(cancel_requested, "cancelled by nobody");
                            assert!(polls.load(SeqCst) < ready_at);
                            taken = Some(Outcome::Cancelled);
                        }
                        Poll::Ready(Err(e)) => panic!("unexpected {e:?}"),
                        Poll::Pending => {}
                    }
                }
            }
            Op::DropHandle => handle = None,
            Op::AddCallback => {
                if let (Some(h), None) = (&handle, &taken) {
                    let runs = Arc::clone(&callback_runs);
                    let id = callbacks;
                    callbacks += 1;
                    h.add_done_callback(move |_| runs.lock().unwrap().push(id));
                }
            }
            Op::RunLate => {
                exec.run_late();
            }
            Op::Shutdown => {
                cancel_requested = true;
                for member in exec.list.close() {
                    member.shutdown();
                }
            }
        }
        assert!(exec.queued() <= 1, "two runnables for one task");
        assert!(polls.load(SeqCst) <= ready_at);
        if let Some(h) = &handle {
            if h.is_done() && exec.late_len() == 0 && taken.is_none() && awaited {
                assert!(
                    join_counter.count() > 0,
                    "a registered awaiter was not woken"
                );
            }
        }
    }

    // Wind down: let every queued runnable and late callback run, then release everything.
    loop {
        let ran = exec.run_all() + exec.run_late();
        if ran == 0 {
            break;
        }
    }
    if let (Some(h), None) = (&mut handle, &taken) {
        if h.is_done() {
            match poll_with(h, &join_waker) {
                Poll::Ready(Ok(value)) => drop(value),
                Poll::Ready(Err(TaskError::Cancelled)) => assert!(cancel_requested),
                other => panic!("a done task with no late callbacks must be ready: {other:?}"),
            }
        }
    }
    drop(handle);
    drop(spares);
    drop(stash.lock().unwrap().take());
    for member in exec.list.close() {
        member.shutdown();
    }
    exec.run_all();

    assert_eq!(exec.freed(), 1, "the allocation is freed exactly once");
    assert_eq!(
        value_drops.load(SeqCst),
        1,
        "the value is dropped exactly once"
    );
    let mut runs = callback_runs.lock().unwrap().clone();
    runs.sort_unstable();
    assert_eq!(
        runs,
        (0..callbacks).collect::<Vec<_>>(),
        "every callback ran exactly once"
    );
    assert!(exec.panics().is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_operations_keep_the_task_invariants(ready_at in 1usize..4, ops in proptest::collection::vec(op(), 0..40)) {
        check(ready_at, &ops);
    }
}
