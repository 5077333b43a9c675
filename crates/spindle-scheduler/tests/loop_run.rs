//! Running the loop: `run_until_complete`, `run_forever` / `stop`, `is_running`, `close`,
//! `EventLoop::current`, and `spindle_scheduler::run`, on every loop flavour.

mod common;

use common::{bounded, each_flavour, expect_panic, quiet_expected_panics, Reports};
use spindle_core::{Promise, TaskError};
use spindle_scheduler::{spawn, yield_now, EventLoop};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::Duration;

#[test]
fn run_until_complete_returns_the_output() {
    each_flavour(20, |flavour, builder| {
        let lp = builder.build().unwrap();
        assert_eq!(
            lp.run_until_complete(async { 7 }),
            7,
            "{flavour}: a ready future"
        );
        let answer = lp.run_until_complete(async {
            let task = spawn(async {
                yield_now().await;
                40
            });
            task.await.unwrap() + 2
        });
        assert_eq!(answer, 42, "{flavour}: a future awaiting a task");
        // The loop can be run again after a run ended.
        assert_eq!(
            lp.run_until_complete(async { String::from("again") }),
            "again",
            "{flavour}"
        );
        lp.close();
    });
}

#[test]
fn run_forever_ends_when_a_callback_calls_stop() {
    each_flavour(20, |flavour, builder| {
        let lp = builder.build().unwrap();
        let ran = Arc::new(AtomicBool::new(false));
        let (stopper, flag) = (lp.clone(), ran.clone());
        lp.call_soon(move || {
            flag.store(true, SeqCst);
            stopper.stop();
        });
        lp.run_forever();
        assert!(ran.load(SeqCst), "{flavour}: the stopping callback ran");
        assert!(
            !lp.is_running(),
            "{flavour}: not running after run_forever returned"
        );
        lp.close();
    });
}

#[test]
fn stop_from_another_thread_ends_run_forever() {
    each_flavour(20, |flavour, builder| {
        let lp = builder.build().unwrap();
        let (running_tx, running_rx) = mpsc::channel();
        lp.call_soon(move || running_tx.send(()).unwrap());
        let runner_lp = lp.clone();
        let runner = thread::spawn(move || runner_lp.run_forever());
        // The callback ran, so the loop is inside run_forever (and now has nothing to do).
        running_rx.recv().unwrap();
        assert!(
            lp.is_running(),
            "{flavour}: running while run_forever is in progress"
        );
        lp.stop();
        runner.join().expect("run_forever returns after stop()");
        assert!(!lp.is_running(), "{flavour}");
        lp.close();
    });
}

#[test]
fn stop_before_run_forever_makes_the_next_run_return() {
    each_flavour(20, |flavour, builder| {
        let lp = builder.build().unwrap();
        let ran = Arc::new(AtomicBool::new(false));
        let flag = ran.clone();
        lp.call_soon(move || flag.store(true, SeqCst));
        lp.stop();
        lp.run_forever(); // returns after one iteration (the watchdog catches a hang)
        if flavour == "current-thread" {
            // asyncio: the callbacks that were ready when the iteration started ran.
            assert!(
                ran.load(SeqCst),
                "{flavour}: the ready callback ran in the one iteration"
            );
        }
        // The stop request was consumed: a later run needs many iterations and still completes.
        let turns = lp.run_until_complete(async {
            let mut turns = 0;
            for _ in 0..50 {
                yield_now().await;
                turns += 1;
            }
            spindle_scheduler::sleep(Duration::from_millis(1)).await;
            turns
        });
        assert_eq!(turns, 50, "{flavour}");
        lp.close();
    });
}

#[test]
fn is_running_is_true_inside_and_false_outside() {
    each_flavour(20, |flavour, builder| {
        let lp = builder.build().unwrap();
        assert!(!lp.is_running(), "{flavour}: before any run");
        let probe = lp.clone();
        let inside_main = lp.run_until_complete(async move { probe.is_running() });
        assert!(inside_main, "{flavour}: inside run_until_complete's future");
        let probe = lp.clone();
        let inside_task = lp.run_until_complete(async move {
            spawn(async move { probe.is_running() }).await.unwrap()
        });
        assert!(inside_task, "{flavour}: inside a task");
        let (probe, stopper) = (lp.clone(), lp.clone());
        let seen = Arc::new(AtomicBool::new(false));
        let seen_in_callback = seen.clone();
        lp.call_soon(move || {
            seen_in_callback.store(probe.is_running(), SeqCst);
            stopper.stop();
        });
        lp.run_forever();
        assert!(
            seen.load(SeqCst),
            "{flavour}: inside a callback of run_forever"
        );
        assert!(!lp.is_running(), "{flavour}: after the runs");
        lp.close();
        assert!(!lp.is_running(), "{flavour}: after close");
    });
}

#[test]
fn run_until_complete_accepts_a_future_that_is_not_send() {
    each_flavour(20, |flavour, builder| {
        let lp = builder.build().unwrap();
        let shared = Rc::new(AtomicUsize::new(1));
        let held = shared.clone();
        let value = lp.run_until_complete(async move {
            // The Rc lives across suspension points of the main future.
            let doubled = spawn(async { 21 * 2 }).await.unwrap();
            yield_now().await;
            held.fetch_add(doubled, SeqCst);
            held.load(SeqCst)
        });
        assert_eq!(value, 43, "{flavour}");
        assert_eq!(
            Rc::strong_count(&shared),
            1,
            "{flavour}: the future was dropped"
        );
        lp.close();
    });
}

#[test]
fn nested_run_until_complete_inside_a_task_panics() {
    quiet_expected_panics();
    each_flavour(20, |flavour, builder| {
        let lp = builder.build().unwrap();
        let outcome = lp.run_until_complete(async {
            // (The panic hook prints this panic: it is the loop's message, not ours.)
            spawn(async { EventLoop::current().run_until_complete(async {}) }).await
        });
        match outcome {
            Err(TaskError::Panicked(payload)) => {
                let message = common::panic_text(&*payload).unwrap_or("<non-string>");
                assert!(
                    message.contains("inside a running event loop"),
                    "{flavour}: unclear message {message:?}"
                );
            }
            other => panic!("{flavour}: expected TaskError::Panicked, got {other:?}"),
        }
        // The failed nested call left the loop usable.
        assert_eq!(
            lp.run_until_complete(async { spawn(async { 5 }).await.unwrap() }),
            5,
            "{flavour}"
        );
        lp.close();
    });
}

#[test]
fn run_forever_inside_a_callback_panics() {
    quiet_expected_panics();
    each_flavour(20, |flavour, builder| {
        let reports = Reports::default();
        let lp = builder
            .exception_handler(reports.handler())
            .build()
            .unwrap();
        let outcome = Promise::<String>::new();
        let outcome_tx = outcome.clone();
        let nested = lp.clone();
        lp.call_soon(move || {
            let message = expect_panic("nested run_forever", || nested.run_forever());
            outcome_tx.set_result(message).unwrap();
        });
        let message = lp.run_until_complete(outcome).unwrap();
        assert!(
            message.contains("running"),
            "{flavour}: unclear message {message:?}"
        );
        assert!(
            reports.all().is_empty(),
            "{flavour}: nothing went to the handler: {:?}",
            reports.all()
        );
        lp.close();
    });
}

#[test]
fn run_on_a_closed_loop_panics() {
    quiet_expected_panics();
    each_flavour(20, |flavour, builder| {
        let lp = builder.build().unwrap();
        lp.close();
        assert!(lp.is_closed(), "{flavour}");
        let message = expect_panic("run_until_complete", || lp.run_until_complete(async {}));
        assert!(
            message.contains("closed"),
            "{flavour}: unclear message {message:?}"
        );
        let message = expect_panic("run_forever", || lp.run_forever());
        assert!(
            message.contains("closed"),
            "{flavour}: unclear message {message:?}"
        );
        assert!(
            !lp.is_running(),
            "{flavour}: a refused run does not leave the loop marked running"
        );
    });
}

#[test]
fn close_twice_is_a_no_op() {
    each_flavour(20, |flavour, builder| {
        let lp = builder.build().unwrap();
        assert!(!lp.is_closed(), "{flavour}");
        lp.run_until_complete(async {});
        lp.close();
        lp.close();
        assert!(lp.is_closed(), "{flavour}");
        let clone = lp.clone();
        drop(lp);
        clone.close();
        assert!(clone.is_closed(), "{flavour}");
    });
}

#[test]
fn current_inside_a_task_and_a_callback_is_this_loop() {
    each_flavour(20, |flavour, builder| {
        // Two loops; reports through `EventLoop::current()` must reach this one's handler only.
        let ours = Reports::default();
        let other_reports = Reports::default();
        let lp = builder.exception_handler(ours.handler()).build().unwrap();
        let other = EventLoop::builder()
            .current_thread()
            .exception_handler(other_reports.handler())
            .build()
            .unwrap();

        assert!(
            EventLoop::try_current().is_none(),
            "{flavour}: no loop outside a run"
        );
        lp.run_until_complete(async {
            EventLoop::current().call_exception_handler("from the main future");
            spawn(async {
                let current = EventLoop::current();
                assert!(current.is_running());
                current.call_exception_handler("from a task");
            })
            .await
            .unwrap();
        });
        let stopper = lp.clone();
        lp.call_soon(move || {
            EventLoop::current().call_exception_handler("from a callback");
            stopper.stop();
        });
        lp.run_forever();
        assert!(
            EventLoop::try_current().is_none(),
            "{flavour}: no loop after the runs"
        );

        let messages: Vec<String> = ours.all().into_iter().map(|r| r.message).collect();
        assert_eq!(
            messages,
            ["from the main future", "from a task", "from a callback"],
            "{flavour}"
        );
        assert!(
            other_reports.all().is_empty(),
            "{flavour}: the other loop saw nothing"
        );
        lp.close();
        other.close();
    });
}

#[test]
fn current_outside_a_loop_panics_with_a_clear_message() {
    quiet_expected_panics();
    bounded(10, || {
        assert!(EventLoop::try_current().is_none());
        let message = expect_panic("EventLoop::current", EventLoop::current);
        assert!(
            message.contains("no event loop"),
            "unclear message {message:?}"
        );
    });
}

#[test]
fn spindle_run_runs_the_future_and_closes_the_loop() {
    bounded(20, || {
        let captured = Rc::new(5); // `run` takes a future that need not be Send
        let (loop_tx, loop_rx) = mpsc::channel();
        let answer = spindle_scheduler::run(async move {
            loop_tx.send(EventLoop::current()).unwrap();
            let task = spawn(async { 37 });
            task.await.unwrap() + *captured
        });
        assert_eq!(answer, 42);
        let lp = loop_rx.recv().unwrap();
        assert!(lp.is_closed(), "run() closed its loop");
        assert!(EventLoop::try_current().is_none());
    });
}

/// A panic in the main future propagates out of `run_until_complete`, and the loop stays
/// usable: the next run works, tasks spawned before still run.
#[test]
fn the_loop_survives_a_panicking_main_future() {
    quiet_expected_panics();
    each_flavour(20, |flavour, builder| {
        let lp = builder.build().unwrap();
        let message = expect_panic("a panicking main future", || {
            lp.run_until_complete(async { panic!("main future panics") })
        });
        assert!(
            message.contains("main future panics"),
            "{flavour}: {message}"
        );
        assert!(!lp.is_running(), "{flavour}");
        let task = lp.spawn(async { 7 });
        assert_eq!(lp.run_until_complete(task).unwrap(), 7, "{flavour}");
        lp.close();
    });
}

/// asyncio: `loop.run_until_complete(asyncio.sleep(1))`. A sleep made before the run finds the
/// loop's driver at its first poll; one handed to `spawn` before the run too.
#[test]
fn a_sleep_made_before_the_run_uses_the_running_loop() {
    each_flavour(20, |flavour, builder| {
        let lp = builder.build().unwrap();
        let start = std::time::Instant::now();
        lp.run_until_complete(spindle_scheduler::sleep(Duration::from_millis(5)));
        assert!(
            start.elapsed() >= Duration::from_millis(5),
            "{flavour}: never early"
        );
        let task = lp.spawn(spindle_scheduler::sleep(Duration::from_millis(1)));
        lp.run_until_complete(task).unwrap();
        lp.close();
    });
}
