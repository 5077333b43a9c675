//! Callbacks: `call_soon` order, `Handle` / `TimerHandle` cancellation, `call_later` /
//! `call_at` deadlines and order, `call_soon_threadsafe` waking an idle loop, panicking
//! callbacks, and scheduling on a closed loop, on every loop flavour.

mod common;

use common::{each_flavour, expect_panic, quiet_expected_panics, DropFlag, Reports, EXPECTED};
use spindle_core::Promise;
use spindle_scheduler::{sleep_until, yield_now, EventLoop};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{mpsc, Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// A shared log of what ran, in order.
type Log = Arc<Mutex<Vec<usize>>>;

#[test]
fn call_soon_runs_in_fifo_order_on_current_thread() {
    common::bounded(20, || {
        let lp = EventLoop::builder().current_thread().build().unwrap();
        let log: Log = Arc::default();
        for i in 0..100 {
            let log = log.clone();
            let again = lp.clone();
            lp.call_soon(move || {
                log.lock().unwrap().push(i);
                if i == 0 {
                    // Scheduled while the iteration runs: after everything already queued.
                    let log = log.clone();
                    again.call_soon(move || log.lock().unwrap().push(1000));
                }
            });
        }
        let (log_stop, stopper) = (log.clone(), lp.clone());
        lp.call_soon(move || {
            log_stop.lock().unwrap().push(999);
            stopper.stop();
        });
        lp.run_forever();
        let mut expected: Vec<usize> = (0..100).collect();
        expected.push(999);
        // stop() ends the run after the current iteration: the callback scheduled by callback
        // 0 belongs to the next one.
        assert_eq!(*log.lock().unwrap(), expected);
        lp.run_until_complete(yield_now());
        expected.push(1000);
        assert_eq!(
            *log.lock().unwrap(),
            expected,
            "the late callback ran in the next run"
        );
        lp.close();
    });
}

/// API.md: "with one worker exactly asyncio's order". A single worker runs one FIFO of
/// callbacks and task steps (no LIFO slot, no batches), whether they were scheduled from
/// outside the loop, from a callback, or by waking a task.
#[test]
fn one_worker_runs_callbacks_and_tasks_in_fifo_order() {
    common::bounded(20, || {
        let lp = EventLoop::builder().worker_threads(1).build().unwrap();
        let log: Log = Arc::default();
        for i in 0..500 {
            let log = log.clone();
            lp.call_soon(move || log.lock().unwrap().push(i));
        }
        let (log_tasks, inner) = (log.clone(), lp.clone());
        lp.call_soon(move || {
            // Two tasks that yield in turn: their steps interleave strictly, 1000, 2000, 1001, ...
            // The second one stops the loop when it is done.
            for base in [1000, 2000] {
                let (log, stopper) = (log_tasks.clone(), inner.clone());
                inner.spawn(async move {
                    for step in 0..3 {
                        log.lock().unwrap().push(base + step);
                        yield_now().await;
                    }
                    if base == 2000 {
                        stopper.stop();
                    }
                });
            }
        });
        lp.run_forever();
        let mut expected: Vec<usize> = (0..500).collect();
        expected.extend([1000, 2000, 1001, 2001, 1002, 2002]);
        assert_eq!(*log.lock().unwrap(), expected);
        lp.close();
    });
}

/// asyncio: inside a `call_soon` callback there is no current task.
#[test]
fn no_task_is_current_inside_a_callback() {
    each_flavour(20, |flavour, builder| {
        let lp = builder.build().unwrap();
        let seen = Arc::new(Mutex::new(None));
        let (seen_cb, stopper) = (seen.clone(), lp.clone());
        lp.call_soon(move || {
            *seen_cb.lock().unwrap() = Some(spindle_core::current_task().is_none());
            stopper.stop();
        });
        lp.run_forever();
        assert_eq!(*seen.lock().unwrap(), Some(true), "{flavour}");
        lp.close();
    });
}

#[test]
fn every_call_soon_runs_exactly_once() {
    each_flavour(20, |flavour, builder| {
        let lp = builder.build().unwrap();
        const N: usize = 1000;
        let log: Log = Arc::default();
        let all_ran = Promise::<()>::new();
        let count = Arc::new(AtomicUsize::new(0));
        for i in 0..N {
            let (log, count, all_ran) = (log.clone(), count.clone(), all_ran.clone());
            lp.call_soon(move || {
                log.lock().unwrap().push(i);
                if count.fetch_add(1, SeqCst) + 1 == N {
                    all_ran.set_result(()).unwrap();
                }
            });
        }
        lp.run_until_complete(all_ran).unwrap();
        let mut seen = log.lock().unwrap().clone();
        seen.sort_unstable();
        assert_eq!(
            seen,
            (0..N).collect::<Vec<_>>(),
            "{flavour}: each callback ran exactly once"
        );
        lp.close();
    });
}

#[test]
fn a_callback_scheduled_before_the_run_waits_for_the_run() {
    each_flavour(20, |flavour, builder| {
        let lp = builder.build().unwrap();
        let ran = Arc::new(AtomicBool::new(false));
        let (flag, stopper) = (ran.clone(), lp.clone());
        lp.call_soon(move || {
            flag.store(true, SeqCst);
            stopper.stop();
        });
        // Also from another thread, which goes through the injector and notifies a worker.
        let ran_threadsafe = Arc::new(AtomicBool::new(false));
        let (flag2, remote) = (ran_threadsafe.clone(), lp.clone());
        thread::spawn(move || {
            remote.call_soon_threadsafe(move || flag2.store(true, SeqCst));
        })
        .join()
        .unwrap();
        assert!(
            !ran.load(SeqCst),
            "{flavour}: call_soon ran before the loop was run"
        );
        assert!(
            !ran_threadsafe.load(SeqCst),
            "{flavour}: call_soon_threadsafe ran before the loop was run"
        );
        lp.run_forever();
        assert!(
            ran.load(SeqCst),
            "{flavour}: the callback ran once the loop ran"
        );
        lp.close();
    });
}

#[test]
fn a_handle_cancelled_before_the_run_never_runs() {
    each_flavour(20, |flavour, builder| {
        let lp = builder.build().unwrap();
        let ran = Arc::new(AtomicBool::new(false));
        let (dropped, guard) = DropFlag::new();
        let flag = ran.clone();
        let handle = lp.call_soon(move || {
            let _keep = &guard;
            flag.store(true, SeqCst);
        });
        assert!(!handle.is_cancelled(), "{flavour}");
        assert!(
            handle.cancel(),
            "{flavour}: cancel before it ran returns true"
        );
        assert!(
            handle.cancel(),
            "{flavour}: a second cancel still says it will never run"
        );
        assert!(handle.is_cancelled(), "{flavour}");
        let handle = Arc::new(handle);
        let probe = handle.clone();
        // Run until the loop has dealt with the cancelled callback.
        lp.run_until_complete(async move {
            while !probe.is_done() {
                yield_now().await;
            }
        });
        assert!(!ran.load(SeqCst), "{flavour}: a cancelled callback ran");
        assert!(
            dropped.load(SeqCst),
            "{flavour}: the cancelled closure was dropped"
        );
        lp.close();
    });
}

#[test]
fn cancel_after_the_callback_ran_returns_false() {
    each_flavour(20, |flavour, builder| {
        let lp = builder.build().unwrap();
        let done = Promise::<()>::new();
        let done_tx = done.clone();
        let handle = lp.call_soon(move || done_tx.set_result(()).unwrap());
        lp.run_until_complete(done).unwrap();
        assert!(handle.is_done(), "{flavour}");
        assert!(
            !handle.cancel(),
            "{flavour}: cancel after it ran is a no-op"
        );
        assert!(!handle.is_cancelled(), "{flavour}");
        lp.close();
    });
}

#[test]
fn call_later_and_call_at_never_run_early() {
    each_flavour(20, |flavour, builder| {
        let lp = builder.build().unwrap();
        let delays_ms = [0u64, 1, 2, 5, 10, 20, 30];
        let (fired_tx, fired_rx) = mpsc::channel();
        let count = Arc::new(AtomicUsize::new(0));
        let all_fired = Promise::<()>::new();
        let mut expected = Vec::new();
        for (i, &ms) in delays_ms.iter().enumerate() {
            let (fired_tx, count, all_fired) = (fired_tx.clone(), count.clone(), all_fired.clone());
            let total = 2 * delays_ms.len();
            let record = move |i| {
                fired_tx.send((i, Instant::now())).unwrap();
                if count.fetch_add(1, SeqCst) + 1 == total {
                    all_fired.set_result(()).unwrap();
                }
            };
            let record2 = record.clone();
            let before = Instant::now();
            let later = lp.call_later(Duration::from_millis(ms), move || record(i));
            assert!(
                later.when() >= before + Duration::from_millis(ms),
                "{flavour}: when() is the deadline"
            );
            expected.push((i, later.when()));
            let at = before + Duration::from_millis(ms);
            let timer = lp.call_at(at, move || record2(100 + i));
            assert_eq!(timer.when(), at, "{flavour}");
            expected.push((100 + i, at));
        }
        lp.run_until_complete(all_fired).unwrap();
        let fired: Vec<(usize, Instant)> = fired_rx.try_iter().collect();
        assert_eq!(
            fired.len(),
            expected.len(),
            "{flavour}: every timer fired once"
        );
        for (i, deadline) in expected {
            let (_, at) = fired.iter().find(|(j, _)| *j == i).unwrap();
            assert!(
                *at >= deadline,
                "{flavour}: timer {i} ran {:?} early",
                deadline - *at
            );
        }
        lp.close();
    });
}

fn equal_deadlines_run_in_scheduling_order(lp: EventLoop, flavour: &str) {
    let log: Log = Arc::default();
    let when = Instant::now() + Duration::from_millis(20);
    for i in 0..50 {
        let log = log.clone();
        lp.call_at(when, move || log.lock().unwrap().push(i));
    }
    let stopper = lp.clone();
    lp.call_at(when, move || stopper.stop());
    lp.run_forever();
    assert_eq!(
        *log.lock().unwrap(),
        (0..50).collect::<Vec<_>>(),
        "{flavour}"
    );
    lp.close();
}

#[test]
fn equal_deadlines_run_in_scheduling_order_on_current_thread() {
    common::bounded(20, || {
        equal_deadlines_run_in_scheduling_order(
            EventLoop::builder().current_thread().build().unwrap(),
            "current-thread",
        )
    });
}

#[test]
fn equal_deadlines_run_in_scheduling_order_on_one_worker() {
    common::bounded(20, || {
        equal_deadlines_run_in_scheduling_order(
            EventLoop::builder().worker_threads(1).build().unwrap(),
            "1 worker",
        )
    });
}

#[test]
fn a_cancelled_timer_never_runs() {
    each_flavour(20, |flavour, builder| {
        let lp = builder.build().unwrap();
        let ran = Arc::new(AtomicBool::new(false));
        let (dropped, guard) = DropFlag::new();
        let flag = ran.clone();
        let timer = lp.call_later(Duration::from_millis(5), move || {
            let _keep = &guard;
            flag.store(true, SeqCst);
        });
        assert!(
            timer.cancel(),
            "{flavour}: cancel before it fired returns true"
        );
        assert!(timer.is_cancelled(), "{flavour}");
        let when = timer.when();
        let timer = Arc::new(timer);
        let probe = timer.clone();
        lp.run_until_complete(async move {
            // Past the deadline, and until the loop has dropped the cancelled callback.
            sleep_until(when + Duration::from_millis(5)).await;
            while !probe.is_done() {
                yield_now().await;
            }
        });
        assert!(!ran.load(SeqCst), "{flavour}: a cancelled timer ran");
        assert!(
            dropped.load(SeqCst),
            "{flavour}: the cancelled closure was dropped"
        );
        lp.close();
    });
}

#[test]
fn call_soon_threadsafe_wakes_an_idle_loop() {
    each_flavour(20, |flavour, builder| {
        let lp = builder.build().unwrap();
        let (running_tx, running_rx) = mpsc::channel();
        lp.call_soon(move || running_tx.send(()).unwrap());
        let (done_tx, done_rx) = mpsc::channel();
        let runner_lp = lp.clone();
        let runner = thread::spawn(move || {
            runner_lp.run_forever();
            done_tx.send(()).unwrap();
        });
        // The loop ran its only callback and has nothing left to do: it goes to sleep.
        running_rx.recv().unwrap();
        let remote = lp.clone();
        thread::spawn(move || {
            let stopper = remote.clone();
            remote.call_soon_threadsafe(move || stopper.stop());
        })
        .join()
        .unwrap();
        done_rx
            .recv()
            .unwrap_or_else(|_| panic!("{flavour}: run_forever panicked"));
        runner.join().unwrap();
        lp.close();
    });
}

#[test]
fn a_panicking_callback_is_reported_and_the_loop_keeps_running() {
    quiet_expected_panics();
    each_flavour(20, |flavour, builder| {
        let reports = Reports::default();
        let all_reported = Promise::<()>::new();
        let reported_tx = all_reported.clone();
        let count = Arc::new(AtomicUsize::new(0));
        const PANICS: usize = 8;
        let handler = reports.handler();
        let lp = builder
            .exception_handler(move |cx| {
                handler(cx);
                if count.fetch_add(1, SeqCst) + 1 == PANICS {
                    reported_tx.set_result(()).unwrap();
                }
            })
            .build()
            .unwrap();
        for i in 0..PANICS {
            lp.call_soon(move || panic!("{EXPECTED} callback {i}"));
        }
        lp.run_until_complete(all_reported).unwrap();
        let reports = reports.all();
        assert_eq!(reports.len(), PANICS, "{flavour}: {reports:?}");
        for report in &reports {
            assert_eq!(report.message, "a callback panicked", "{flavour}");
            assert!(
                report
                    .panic
                    .as_deref()
                    .is_some_and(|m| m.contains("callback")),
                "{flavour}: {report:?}"
            );
        }
        // The workers that ran the panicking callbacks still run callbacks.
        let later = Promise::<usize>::new();
        let later_tx = later.clone();
        let after = Arc::new(AtomicUsize::new(0));
        for _ in 0..PANICS {
            let (after, later_tx) = (after.clone(), later_tx.clone());
            lp.call_soon(move || {
                let n = after.fetch_add(1, SeqCst) + 1;
                if n == PANICS {
                    later_tx.set_result(n).unwrap();
                }
            });
        }
        assert_eq!(lp.run_until_complete(later), Ok(PANICS), "{flavour}");
        lp.close();
    });
}

#[test]
fn scheduling_a_callback_on_a_closed_loop_panics() {
    quiet_expected_panics();
    each_flavour(20, |flavour, builder| {
        let lp = builder.build().unwrap();
        lp.close();
        let (dropped, guard) = DropFlag::new();
        let message = expect_panic("call_soon", || {
            lp.call_soon(move || drop(guard));
        });
        assert!(
            message.contains("closed"),
            "{flavour}: unclear message {message:?}"
        );
        assert!(
            dropped.load(SeqCst),
            "{flavour}: the refused closure was dropped"
        );
        let message = expect_panic("call_soon_threadsafe", || {
            lp.call_soon_threadsafe(|| {});
        });
        assert!(
            message.contains("closed"),
            "{flavour}: unclear message {message:?}"
        );
        let message = expect_panic("call_later", || {
            lp.call_later(Duration::from_millis(1), || {});
        });
        assert!(
            message.contains("closed"),
            "{flavour}: unclear message {message:?}"
        );
    });
}
