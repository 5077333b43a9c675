//! Running the loop: `run_forever`, `run_until_complete`, `stop`.
//!
//! The loop runs only while a thread is inside `run_*`, as in asyncio: a callback scheduled
//! before `run_forever` waits for it, and `run_forever` returning means no task is being
//! polled any more.
//!
//! - **Current-thread**: the calling thread takes the loop's core and runs
//!   `current_thread::run` itself.
//! - **Multi-thread**: the calling thread sets `running`, unparks the workers, takes worker 0's
//!   core and runs `worker::run_on_caller`: it is worker 0 for the run (the builder starts
//!   threads for workers 1 and up only), polling the main future between two tasks whenever
//!   its waker or `stop()` raised `Shared::attention`. A chain of tasks that the main future
//!   starts and awaits runs on the run thread without waking anyone, and a run hands nothing
//!   over between threads unless other workers take part. To end the run it puts its core
//!   back, clears `running` and waits until every other worker's `busy` flag is clear. A
//!   worker sets `busy` *before* it checks `running` and clears it when it goes idle, both
//!   `SeqCst`; so after the run thread has cleared `running` and seen all flags clear, no
//!   worker polls a task until the next run. While it waits, `draining` is set (before its
//!   first check of the flags), and a worker that clears `busy` signals `run_changed` only
//!   then: either the run thread sees the flag clear, or the worker sees `draining` and
//!   signals under the lock.

use crate::context;
use crate::current_thread;
use crate::loom::{fence, lock, Arc, Ordering::SeqCst};
use crate::shared::{Flavor, Shared};
use crate::worker;
use std::future::Future;
use std::pin::pin;
use std::task::{Context as TaskContext, Poll, Wake, Waker};

/// Why a run ended.
pub(crate) enum Exit {
    /// `stop()` was called.
    Stopped,
    /// The main future completed.
    MainDone,
}

/// The main future's waker: flags the run state and wakes the run thread.
struct MainWaker {
    shared: Arc<Shared>,
}

impl Wake for MainWaker {
    fn wake(self: std::sync::Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        let mut run = lock(&self.shared.run);
        run.main_woken = true;
        self.shared.notify_run(run);
    }
}

/// Marks the loop active for the duration of a run; undoes it even if the main future panics.
struct Active<'a> {
    shared: &'a Arc<Shared>,
}

impl<'a> Active<'a> {
    fn begin(shared: &'a Arc<Shared>, what: &str) -> Active<'a> {
        if shared.is_closed() {
            panic!("spindle: {what} on a closed event loop");
        }
        if context::is_any_worker() {
            panic!(
                "spindle: {what} called from inside a running event loop (a worker thread); \
                 await the future instead"
            );
        }
        let mut run = lock(&shared.run);
        if run.active {
            panic!("spindle: {what}: this event loop is already running");
        }
        run.active = true;
        drop(run);
        if shared.flavor == Flavor::MultiThread {
            shared.running.store(true, SeqCst);
            shared.unpark_all();
        }
        Active { shared }
    }
}

impl Drop for Active<'_> {
    fn drop(&mut self) {
        let shared = self.shared;
        if shared.flavor == Flavor::MultiThread {
            shared.running.store(false, SeqCst);
            shared.draining.store(true, SeqCst);
            fence(SeqCst);
            let mut run = lock(&shared.run);
            while shared.remotes.iter().any(|r| r.busy.load(SeqCst)) {
                run = shared.wait_run(run);
            }
            drop(run);
            shared.draining.store(false, SeqCst);
        }
        let mut run = lock(&shared.run);
        run.active = false;
        run.main_woken = false;
    }
}

/// The run thread's part, by flavour: the current-thread iterations, or worker 0 of the
/// multi-thread loop (see the module doc).
fn drive(shared: &Arc<Shared>, poll_main: impl FnMut() -> bool) -> Exit {
    match shared.flavor {
        Flavor::CurrentThread => current_thread::run(shared, poll_main),
        Flavor::MultiThread => worker::run_on_caller(shared, poll_main),
    }
}

/// `run_forever`: until `stop()`.
pub(crate) fn run_forever(shared: &Arc<Shared>) {
    let _active = Active::begin(shared, "run_forever");
    drive(shared, || false);
}

/// `run_until_complete`: until `future` completes. Panics if `stop()` ends the run first, as
/// asyncio raises "Event loop stopped before Future completed."
pub(crate) fn run_until_complete<F: Future>(shared: &Arc<Shared>, future: F) -> F::Output {
    let _active = Active::begin(shared, "run_until_complete");
    let waker = Waker::from(std::sync::Arc::new(MainWaker {
        shared: shared.clone(),
    }));
    let mut cx = TaskContext::from_waker(&waker);
    let mut future = pin!(future);
    // The first look polls the main future.
    waker.wake_by_ref();
    let mut output = None;
    let exit = drive(shared, || match future.as_mut().poll(&mut cx) {
        Poll::Ready(value) => {
            output = Some(value);
            true
        }
        Poll::Pending => false,
    });
    match (exit, output) {
        (Exit::MainDone, Some(value)) => value,
        _ => panic!("spindle: the event loop stopped before the future completed"),
    }
}

/// `stop()`: from any thread, inside a callback or not.
pub(crate) fn stop(shared: &Shared) {
    let mut run = lock(&shared.run);
    run.stop = true;
    shared.notify_run(run);
}
