//! Tasks on the loop: spawn and await, cancellation, panics, done callbacks, `all_tasks` /
//! `current_task`, spawning on a closed loop, `yield_now`, and what `close()` does to tasks
//! still pending, on every loop flavour.

mod common;

use common::{each_flavour, poll_once, quiet_expected_panics, Alive, DropFlag, Reports, EXPECTED};
use spindle_core::{current_task, Promise, TaskError};
use spindle_scheduler::{sleep, spawn, yield_now, EventLoop};
use std::cell::Cell;
use std::future::pending;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::Duration;

/// Completes once `n` calls of [`Countdown::tick`] happened (from any thread).
#[derive(Clone)]
struct Countdown {
    left: Arc<AtomicUsize>,
    done: Promise<()>,
}

impl Countdown {
    fn new(n: usize) -> Countdown {
        Countdown {
            left: Arc::new(AtomicUsize::new(n)),
            done: Promise::new(),
        }
    }

    fn tick(&self) {
        if self.left.fetch_sub(1, SeqCst) == 1 {
            self.done.set_result(()).unwrap();
        }
    }

    async fn wait(&self) {
        self.done.clone().await.unwrap();
    }
}

#[test]
fn spawn_and_await() {
    each_flavour(20, |flavour, builder| {
        let lp = builder.build().unwrap();
        // Spawned before the run: queued until the loop runs.
        let early = lp.spawn(async { 1 });
        let sum = lp.run_until_complete(async {
            let tasks: Vec<_> = (0..100u64)
                .map(|i| {
                    spawn(async move {
                        if i % 3 == 0 {
                            yield_now().await;
                        }
                        i
                    })
                })
                .collect();
            let mut sum = early.await.unwrap();
            for task in tasks {
                sum += task.await.unwrap();
            }
            sum
        });
        assert_eq!(sum, 1 + (0..100).sum::<u64>(), "{flavour}");
        lp.close();
    });
}

#[test]
fn cancelling_a_sleeping_task_drops_its_future() {
    each_flavour(20, |flavour, builder| {
        let lp = builder.build().unwrap();
        let (dropped, guard) = DropFlag::new();
        let dropped_in = dropped.clone();
        let (outcome, dropped_when_awaited) = lp.run_until_complete(async move {
            let sleeping = Promise::<()>::new();
            let sleeping_tx = sleeping.clone();
            let task = spawn(async move {
                let _guard = guard;
                sleeping_tx.set_result(()).unwrap();
                sleep(Duration::from_secs(3600)).await;
                "woke up"
            });
            sleeping.await.unwrap();
            assert!(task.cancel(), "cancel of a pending task returns true");
            let outcome = task.await;
            (outcome, dropped_in.load(SeqCst))
        });
        assert!(
            matches!(outcome, Err(TaskError::Cancelled)),
            "{flavour}: got {outcome:?}"
        );
        assert!(
            dropped_when_awaited,
            "{flavour}: the future was dropped before the awaiter saw Cancelled"
        );
        assert!(dropped.load(SeqCst), "{flavour}");
        lp.close();
    });
}

#[test]
fn cancel_after_completion_returns_false() {
    each_flavour(20, |flavour, builder| {
        let lp = builder.build().unwrap();
        let mut task = lp.spawn(async { 5 });
        assert_eq!(lp.run_until_complete(&mut task).unwrap(), 5, "{flavour}");
        assert!(task.is_done(), "{flavour}");
        assert!(
            !task.cancel(),
            "{flavour}: cancel after completion returns false"
        );
        assert!(!task.is_cancelled(), "{flavour}");
        lp.close();
    });
}

#[test]
fn a_panicking_task_gives_panicked_and_the_others_complete() {
    quiet_expected_panics();
    each_flavour(20, |flavour, builder| {
        let reports = Reports::default();
        let lp = builder
            .exception_handler(reports.handler())
            .build()
            .unwrap();
        let (first, bad, last) = lp.run_until_complete(async {
            let first = spawn(async {
                yield_now().await;
                1
            });
            let bad = spawn(async {
                yield_now().await;
                if first_call() {
                    panic!("{EXPECTED} kaboom");
                }
                2
            });
            let last = spawn(async {
                yield_now().await;
                3
            });
            (first.await, bad.await, last.await)
        });
        assert_eq!(first.unwrap(), 1, "{flavour}");
        assert_eq!(last.unwrap(), 3, "{flavour}");
        let err = bad.expect_err("the panicking task");
        assert!(err.is_panic(), "{flavour}: {err:?}");
        assert!(
            err.panic_message().is_some_and(|m| m.ends_with("kaboom")),
            "{flavour}: {err:?}"
        );
        // The same workers go on running tasks.
        assert_eq!(
            lp.run_until_complete(async { spawn(async { 4 }).await.unwrap() }),
            4,
            "{flavour}"
        );
        lp.close();
        assert!(
            reports.all().is_empty(),
            "{flavour}: an awaited panic is not reported: {:?}",
            reports.all()
        );
    });
}

/// Always `true`; keeps the compiler from seeing that the code after a `panic!` is dead.
fn first_call() -> bool {
    std::hint::black_box(true)
}

#[test]
fn an_unawaited_panicking_task_is_reported() {
    quiet_expected_panics();
    each_flavour(20, |flavour, builder| {
        let reports = Reports::default();
        let reported = Promise::<()>::new();
        let reported_tx = reported.clone();
        let record = reports.handler();
        let lp = builder
            .exception_handler(move |cx| {
                record(cx);
                let _ = reported_tx.set_result(());
            })
            .build()
            .unwrap();
        lp.run_until_complete(async {
            spawn(async {
                // The loop goes on with other work after this task died.
                assert_eq!(spawn(async { 1 }).await.unwrap(), 1);
            })
            .await
            .unwrap();
            let doomed = EventLoop::current().spawn_named("doomed", async {
                yield_now().await;
                panic!("{EXPECTED} nobody awaits me");
            });
            drop(doomed); // detached: nobody will retrieve the panic
            reported.await.unwrap();
        });
        let reports = reports.all();
        assert_eq!(reports.len(), 1, "{flavour}: {reports:?}");
        assert_eq!(
            reports[0].task.as_deref(),
            Some("doomed"),
            "{flavour}: {reports:?}"
        );
        assert!(
            reports[0]
                .panic
                .as_deref()
                .is_some_and(|m| m.ends_with("nobody awaits me")),
            "{flavour}: {reports:?}"
        );
        assert!(
            reports[0].message.contains("panicked"),
            "{flavour}: {reports:?}"
        );
        lp.close();
    });
}

#[test]
fn add_done_callback_runs_with_the_result() {
    each_flavour(20, |flavour, builder| {
        let lp = builder.build().unwrap();
        let seen = Arc::new(Mutex::new(Vec::<String>::new()));
        let seen_in = seen.clone();
        let seen_after_await = lp.run_until_complete(async move {
            let gate = Promise::<u32>::new();
            let gate_rx = gate.clone();
            let task = spawn(async move { gate_rx.await.unwrap() * 2 });
            // Registered before completion; the "extra argument" is a captured value.
            let extra = String::from("extra");
            let log = seen_in.clone();
            task.add_done_callback(move |result| {
                log.lock()
                    .unwrap()
                    .push(format!("{}:{extra}", result.as_ref().unwrap()));
            });
            gate.set_result(21).unwrap();
            let value = task.await.unwrap();
            assert_eq!(value, 42);
            // Callbacks registered before completion ran before the awaiter saw the output.
            let after_await = seen_in.lock().unwrap().clone();
            after_await
        });
        assert_eq!(seen_after_await, ["42:extra"], "{flavour}");
        assert_eq!(*seen.lock().unwrap(), ["42:extra"], "{flavour}");
        lp.close();
    });
}

thread_local! {
    /// Set on this thread while it is inside `add_done_callback`.
    static INSIDE_ADD: Cell<bool> = const { Cell::new(false) };
}

#[test]
fn add_done_callback_after_completion_is_scheduled_not_called() {
    each_flavour(20, |flavour, builder| {
        let lp = builder.build().unwrap();
        let (ran_inline, outcome) = lp.run_until_complete(async {
            let task = spawn(async { 7 });
            let done = Promise::<()>::new();
            let done_tx = done.clone();
            let probe = spawn(async {}); // something to await so `task` surely completes
            probe.await.unwrap();
            while !task.is_done() {
                yield_now().await;
            }
            let ran_inline = Arc::new(AtomicBool::new(false));
            let outcome = Arc::new(Mutex::new(None));
            let (inline, out) = (ran_inline.clone(), outcome.clone());
            INSIDE_ADD.with(|f| f.set(true));
            task.add_done_callback(move |result| {
                inline.store(INSIDE_ADD.with(Cell::get), SeqCst);
                *out.lock().unwrap() = Some(*result.as_ref().unwrap());
                done_tx.set_result(()).unwrap();
            });
            INSIDE_ADD.with(|f| f.set(false));
            done.await.unwrap();
            let outcome = *outcome.lock().unwrap();
            (ran_inline.load(SeqCst), outcome)
        });
        assert!(
            !ran_inline,
            "{flavour}: the done callback ran inside add_done_callback"
        );
        assert_eq!(outcome, Some(7), "{flavour}");
        lp.close();
    });
}

#[test]
fn all_tasks_and_current_task_names() {
    each_flavour(20, |flavour, builder| {
        let lp = builder.build().unwrap();
        let names_inside = Arc::new(Mutex::new(Vec::new()));
        let (listed, listed_after, main_current, default_name) = lp.run_until_complete({
            let lp = lp.clone();
            let names_inside = names_inside.clone();
            async move {
                let gate = Promise::<()>::new();
                let started = Countdown::new(2);
                let tasks: Vec<_> = ["alpha", "beta"]
                    .into_iter()
                    .map(|name| {
                        let (gate, started, names_inside) =
                            (gate.clone(), started.clone(), names_inside.clone());
                        lp.spawn_named(name, async move {
                            let me = current_task().expect("current_task inside a task");
                            names_inside.lock().unwrap().push(me.name());
                            started.tick();
                            gate.await.unwrap();
                        })
                    })
                    .collect();
                started.wait().await;
                let mut listed: Vec<String> = lp.all_tasks().iter().map(|t| t.name()).collect();
                listed.sort();
                gate.set_result(()).unwrap();
                for task in tasks {
                    task.await.unwrap();
                }
                let listed_after: Vec<String> = lp.all_tasks().iter().map(|t| t.name()).collect();
                let unnamed = spawn(async {});
                let default_name = unnamed.name();
                unnamed.await.unwrap();
                (listed, listed_after, current_task().is_none(), default_name)
            }
        });
        assert_eq!(
            listed,
            ["alpha", "beta"],
            "{flavour}: all_tasks lists the pending tasks"
        );
        assert!(
            listed_after.is_empty(),
            "{flavour}: finished tasks are not listed: {listed_after:?}"
        );
        let mut inside = names_inside.lock().unwrap().clone();
        inside.sort();
        assert_eq!(
            inside,
            ["alpha", "beta"],
            "{flavour}: current_task().name() inside each task"
        );
        assert!(
            main_current,
            "{flavour}: the main future of run_until_complete is not a task"
        );
        assert!(
            default_name.starts_with("Task-"),
            "{flavour}: default name {default_name:?}"
        );
        assert!(
            current_task().is_none(),
            "{flavour}: no current task outside the loop"
        );
        lp.close();
    });
}

#[test]
fn spawning_on_a_closed_loop_gives_loop_closed() {
    each_flavour(20, |flavour, builder| {
        let lp = builder.build().unwrap();
        lp.close();
        let (dropped, guard) = DropFlag::new();
        let task = lp.spawn(async move {
            let _guard = guard;
            1
        });
        assert!(task.is_done(), "{flavour}: already complete");
        match poll_once(task) {
            Poll::Ready(Err(TaskError::LoopClosed)) => {}
            other => panic!("{flavour}: expected Ready(Err(LoopClosed)), got {other:?}"),
        }
        assert!(
            dropped.load(SeqCst),
            "{flavour}: the future was dropped unpolled"
        );
        assert!(lp.all_tasks().is_empty(), "{flavour}");
    });
}

#[test]
fn yield_now_interleaves_tasks_in_order_on_current_thread() {
    common::bounded(20, || {
        let lp = EventLoop::builder().current_thread().build().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        lp.run_until_complete({
            let log = log.clone();
            async move {
                let tasks: Vec<_> = ["a", "b", "c"]
                    .into_iter()
                    .map(|name| {
                        let log = log.clone();
                        spawn(async move {
                            for round in 0..3 {
                                log.lock().unwrap().push(format!("{name}{round}"));
                                yield_now().await;
                            }
                        })
                    })
                    .collect();
                for task in tasks {
                    task.await.unwrap();
                }
            }
        });
        let expected = ["a0", "b0", "c0", "a1", "b1", "c1", "a2", "b2", "c2"];
        assert_eq!(*log.lock().unwrap(), expected);
        lp.close();
    });
}

#[test]
fn yield_now_lets_another_task_run() {
    each_flavour(20, |flavour, builder| {
        let lp = builder.build().unwrap();
        let turns = lp.run_until_complete(async {
            let flag = Arc::new(AtomicBool::new(false));
            let seen = flag.clone();
            // Without a real yield this task would spin forever on a single thread.
            let spinner = spawn(async move {
                let mut turns = 0u64;
                while !seen.load(SeqCst) {
                    yield_now().await;
                    turns += 1;
                }
                turns
            });
            let setter = spawn(async move { flag.store(true, SeqCst) });
            setter.await.unwrap();
            spinner.await.unwrap()
        });
        if flavour == "current-thread" {
            assert!(
                turns >= 1,
                "{flavour}: the spinner yielded before the setter ran"
            );
        }
        lp.close();
    });
}

#[test]
fn close_drops_every_pending_task() {
    each_flavour(20, |flavour, builder| {
        let lp = builder.build().unwrap();
        let alive = Arc::new(AtomicUsize::new(0));
        const WAITING: usize = 100;
        const SLEEPING: usize = 50;
        const QUEUED: usize = 50;
        let kept = lp.run_until_complete({
            let alive = alive.clone();
            async move {
                let started = Countdown::new(WAITING + SLEEPING);
                let mut kept = None;
                for i in 0..WAITING + SLEEPING {
                    let (guard, started) = (Alive::new(&alive), started.clone());
                    let task = spawn(async move {
                        let _guard = guard;
                        started.tick();
                        if i < WAITING {
                            pending::<()>().await;
                        } else {
                            sleep(Duration::from_secs(3600)).await;
                        }
                    });
                    if i == 0 {
                        kept = Some(task);
                    }
                }
                started.wait().await;
                kept // an Option, not the Task itself: the block yields a handle, not its output
            }
        });
        let kept = kept.unwrap();
        // Spawned while the loop is not running: queued, never started.
        for _ in 0..QUEUED {
            let guard = Alive::new(&alive);
            lp.spawn(async move {
                let _guard = guard;
                pending::<()>().await;
            });
        }
        assert_eq!(
            alive.load(SeqCst),
            WAITING + SLEEPING + QUEUED,
            "{flavour}: all alive before close"
        );
        assert_eq!(
            lp.all_tasks().len(),
            WAITING + SLEEPING + QUEUED,
            "{flavour}"
        );
        lp.close();
        assert_eq!(
            alive.load(SeqCst),
            0,
            "{flavour}: close() dropped every pending future"
        );
        assert!(kept.is_done(), "{flavour}");
        match poll_once(kept) {
            Poll::Ready(Err(TaskError::Cancelled)) => {}
            other => panic!("{flavour}: a task dropped by close() is cancelled, got {other:?}"),
        }
    });
}
