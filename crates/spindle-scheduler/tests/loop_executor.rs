//! The blocking pool: `run_in_executor` / `to_thread` return values, keep the loop running
//! while they block, turn panics into `TaskError::Panicked`, and never run more than
//! `max_blocking_threads` jobs at once, on every loop flavour.

mod common;

use common::{bounded, each_flavour, quiet_expected_panics, EXPECTED};
use spindle_core::TaskError;
use spindle_scheduler::{sleep, spawn, to_thread, yield_now, EventLoop};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::Duration;

#[test]
fn run_in_executor_and_to_thread_return_the_value() {
    each_flavour(20, |flavour, builder| {
        let lp = builder.thread_name("exec").build().unwrap();
        // Submitted before the run: the pool does not wait for the loop.
        let early = lp.run_in_executor(|| String::from("early"));
        let (early, late, thread_name) = lp.run_until_complete(async move {
            let late = to_thread(|| 6 * 7).await.unwrap();
            let name = to_thread(|| thread::current().name().map(str::to_owned))
                .await
                .unwrap();
            (early.await.unwrap(), late, name)
        });
        assert_eq!(early, "early", "{flavour}");
        assert_eq!(late, 42, "{flavour}");
        assert_eq!(
            thread_name.as_deref(),
            Some("exec-blocking"),
            "{flavour}: ran on the blocking pool"
        );
        lp.close();
    });
}

#[test]
fn a_blocking_call_does_not_block_the_loop() {
    each_flavour(30, |flavour, builder| {
        let lp = builder.build().unwrap();
        let outcome = lp.run_until_complete(async {
            let (progress_tx, progress_rx) = mpsc::channel::<()>();
            // The blocking function waits until a task on the loop has done its work: if the
            // loop were blocked by it, the task could not progress and the wait would fail.
            let blocker = to_thread(move || {
                let seen = progress_rx.recv_timeout(Duration::from_secs(20));
                thread::sleep(Duration::from_millis(200)); // keep blocking a while longer
                seen
            });
            let progress = spawn(async move {
                for _ in 0..10 {
                    yield_now().await;
                }
                sleep(Duration::from_millis(1)).await;
                progress_tx.send(()).unwrap();
                "progressed"
            });
            let progressed = progress.await.unwrap();
            // Meanwhile (the blocking call is most likely still asleep) tasks keep running.
            let meanwhile = spawn(async { 1 + 1 }).await.unwrap();
            (progressed, meanwhile, blocker.await.unwrap())
        });
        assert_eq!(outcome.0, "progressed", "{flavour}");
        assert_eq!(outcome.1, 2, "{flavour}");
        assert_eq!(
            outcome.2,
            Ok(()),
            "{flavour}: the loop task ran while the blocking call waited"
        );
        lp.close();
    });
}

#[test]
fn a_panic_in_the_blocking_function_becomes_panicked() {
    quiet_expected_panics();
    each_flavour(20, |flavour, builder| {
        let lp = builder.max_blocking_threads(1).build().unwrap();
        let (failed, after) = lp.run_until_complete(async {
            let failed = to_thread(|| -> u32 { panic!("{EXPECTED} blocking boom") }).await;
            // The (only) blocking thread survived.
            let after = to_thread(|| 5).await;
            (failed, after)
        });
        match failed {
            Err(TaskError::Panicked(payload)) => {
                let message = common::panic_text(&*payload).unwrap_or("<non-string>");
                assert!(message.ends_with("blocking boom"), "{flavour}: {message:?}");
            }
            other => panic!("{flavour}: expected TaskError::Panicked, got {other:?}"),
        }
        assert_eq!(after.unwrap(), 5, "{flavour}");
        lp.close();
    });
}

/// How many jobs are inside at once, and the most ever seen.
#[derive(Default)]
struct Gauge {
    state: Mutex<(usize, usize)>,
    changed: Condvar,
}

impl Gauge {
    /// Enters, then waits until a third job is inside too (a violation of a bound of 2, which
    /// the wait makes likely to be seen) or `patience` passes; then leaves.
    fn occupy(&self, patience: Duration) {
        let mut state = self.state.lock().unwrap();
        state.0 += 1;
        state.1 = state.1.max(state.0);
        self.changed.notify_all();
        let (mut state, _) = self
            .changed
            .wait_timeout_while(state, patience, |s| s.0 <= 2)
            .unwrap();
        state.0 -= 1;
    }

    fn max(&self) -> usize {
        self.state.lock().unwrap().1
    }
}

#[test]
fn the_blocking_pool_is_bounded() {
    each_flavour(30, |flavour, builder| {
        let lp = builder.max_blocking_threads(2).build().unwrap();
        let gauge = Arc::new(Gauge::default());
        let (done_tx, done_rx) = mpsc::channel();
        let jobs: Vec<_> = (0..5)
            .map(|i| {
                let (gauge, done_tx) = (gauge.clone(), done_tx.clone());
                lp.run_in_executor(move || {
                    gauge.occupy(Duration::from_millis(50));
                    done_tx.send(i).unwrap();
                    i
                })
            })
            .collect();
        let results = lp.run_until_complete(async move {
            let mut results = Vec::new();
            for job in jobs {
                results.push(job.await.unwrap());
            }
            results
        });
        assert_eq!(
            results,
            [0, 1, 2, 3, 4],
            "{flavour}: all five jobs completed"
        );
        // Each job sent before returning, and every job returned.
        let mut finished: Vec<usize> = done_rx.try_iter().collect();
        finished.sort_unstable();
        assert_eq!(finished, [0, 1, 2, 3, 4], "{flavour}");
        let max = gauge.max();
        assert!(
            max <= 2,
            "{flavour}: {max} blocking jobs ran at once with max_blocking_threads(2)"
        );
        assert!(max >= 1, "{flavour}");
        lp.close();
    });
}

/// Threads of the blocking pool whose name starts with `prefix` (Linux: `/proc/self/task`).
fn threads_named(prefix: &str) -> usize {
    std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task")
        .filter_map(|entry| std::fs::read_to_string(entry.ok()?.path().join("comm")).ok())
        .filter(|comm| comm.trim_end().starts_with(prefix))
        .count()
}

/// Blocking threads retire when idle: after the keep-alive without work the pool holds no
/// thread (waited for with a bound, not a fixed sleep).
#[test]
fn idle_blocking_threads_retire() {
    bounded(20, || {
        // Thread names are truncated to 15 bytes by Linux: keep the prefix short and unique.
        let lp = EventLoop::builder()
            .worker_threads(1)
            .thread_name("retire")
            .blocking_keep_alive(Duration::from_millis(20))
            .build()
            .unwrap();
        let value = lp.run_until_complete(async { spindle_scheduler::to_thread(|| 5).await });
        assert_eq!(value.unwrap(), 5);
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while threads_named("retire-blocking") > 0 {
            assert!(
                std::time::Instant::now() < deadline,
                "the blocking thread never retired"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        // And the pool starts a new one on demand.
        let again = lp.run_until_complete(async { spindle_scheduler::to_thread(|| 6).await });
        assert_eq!(again.unwrap(), 6);
        lp.close();
    });
}
