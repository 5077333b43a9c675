//! Stress: a million spawned tasks that never complete are all dropped by `close()` (no
//! task outlives its loop), and panicking tasks among a thousand do not stop the others.

mod common;

use common::{bounded, quiet_expected_panics, Alive, EXPECTED};
use spindle_core::{Promise, TaskError};
use spindle_scheduler::{spawn, yield_now, Builder, EventLoop};
use std::future::pending;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;

const MILLION: usize = 1_000_000;

fn a_million_pending_tasks_die_with_the_loop(flavour: &'static str, builder: Builder) {
    let lp = builder.build().unwrap();
    let alive = Arc::new(AtomicUsize::new(0));
    let started = Arc::new(AtomicUsize::new(0));
    let all_started = Promise::<()>::new();
    lp.run_until_complete({
        let (alive, started, all_started) = (alive.clone(), started.clone(), all_started.clone());
        async move {
            for _ in 0..MILLION {
                let guard = Alive::new(&alive);
                let (started, all_started) = (started.clone(), all_started.clone());
                // Detached: the handle is dropped at once, the task lives on in the loop.
                spawn(async move {
                    let _guard = guard;
                    if started.fetch_add(1, SeqCst) + 1 == MILLION {
                        all_started.set_result(()).unwrap();
                    }
                    pending::<()>().await;
                });
            }
            // Every task has been polled once and is now suspended forever.
            all_started.await.unwrap();
        }
    });
    assert_eq!(
        alive.load(SeqCst),
        MILLION,
        "{flavour}: every task is alive before close"
    );
    lp.close();
    assert_eq!(alive.load(SeqCst), 0, "{flavour}: a task survived close()");
}

#[test]
fn a_million_pending_tasks_are_dropped_at_close_on_every_flavour() {
    common::each_flavour(120, a_million_pending_tasks_die_with_the_loop);
}

#[test]
fn a_million_pending_tasks_are_dropped_at_close_on_two_workers() {
    bounded(120, || {
        a_million_pending_tasks_die_with_the_loop(
            "2 workers",
            EventLoop::builder().worker_threads(2),
        )
    });
}

#[test]
fn panicking_tasks_do_not_stop_the_others() {
    quiet_expected_panics();
    common::each_flavour(60, |flavour, builder| {
        let lp = builder.exception_handler(|_| {}).build().unwrap();
        let (ok, panicked) = lp.run_until_complete(async {
            let tasks: Vec<_> = (0..1000usize)
                .map(|i| {
                    spawn(async move {
                        yield_now().await;
                        if i % 10 == 0 {
                            panic!("{EXPECTED} task {i}");
                        }
                        i
                    })
                })
                .collect();
            let (mut ok, mut panicked) = (Vec::new(), Vec::new());
            for (i, task) in tasks.into_iter().enumerate() {
                match task.await {
                    Ok(value) => ok.push(value),
                    Err(TaskError::Panicked(_)) => panicked.push(i),
                    Err(other) => panic!("task {i}: unexpected {other:?}"),
                }
            }
            (ok, panicked)
        });
        let expected_ok: Vec<usize> = (0..1000).filter(|i| i % 10 != 0).collect();
        let expected_panicked: Vec<usize> = (0..1000).step_by(10).collect();
        assert_eq!(
            ok, expected_ok,
            "{flavour}: every other task completed with its value"
        );
        assert_eq!(
            panicked, expected_panicked,
            "{flavour}: exactly every 10th task panicked"
        );
        lp.close();
    });
}
