//! Running the loop: `run_forever`, `run_until_complete`, `stop`.
//!
//! The loop runs only while a thread is inside `run_*`, as in asyncio: a callback scheduled
//! before `run_forever` waits for it, and `run_forever` returning means no task is being
//! polled any more.
//!
//! - **Current-thread**: the calling thread takes the loop's core and runs
//!   `current_thread::run` itself.
//! - **Multi-thread**: the calling thread sets `running`, unparks the workers, and waits on
//!   `run_changed` for the main future's waker or `stop()`. To end the run it clears
//!   `running` and waits until every worker's `busy` flag is clear. A worker sets `busy`
//!   *before* it checks `running` and clears it when it goes idle, both `SeqCst`; so after the
//!   run thread has cleared `running` and seen all flags clear, no worker polls a task until
//!   the next run. While it waits, `draining` is set (before its first check of the flags),
//!   and a worker that clears `busy` signals `run_changed` only then: either the run thread
//!   sees the flag clear, or the worker sees `draining` and signals under the lock.

use crate::context::{self, Context};
use crate::current_thread::{self, Exit};
use crate::loom::{fence, lock, Arc, Ordering::SeqCst};
use crate::shared::{Flavor, Shared};
use std::future::Future;
use std::pin::pin;
use std::task::{Context as TaskContext, Poll, Wake, Waker};

/// The main future's waker: flags the run state and wakes whoever waits for it.
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
        self.shared.signal_run(run);
        if self.shared.flavor == Flavor::CurrentThread {
            self.shared.remotes[0].unparker.unpark();
        }
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

/// `run_forever`: until `stop()`.
pub(crate) fn run_forever(shared: &Arc<Shared>) {
    let _active = Active::begin(shared, "run_forever");
    let _context = context::enter(Context {
        shared: shared.clone(),
        worker: None,
    });
    match shared.flavor {
        Flavor::CurrentThread => {
            current_thread::run(shared, || false);
        }
        Flavor::MultiThread => {
            let mut run = lock(&shared.run);
            while !run.stop {
                run = shared.wait_run(run);
            }
            run.stop = false;
        }
    }
}

/// `run_until_complete`: until `future` completes. Panics if `stop()` ends the run first, as
/// asyncio raises "Event loop stopped before Future completed."
pub(crate) fn run_until_complete<F: Future>(shared: &Arc<Shared>, future: F) -> F::Output {
    let _active = Active::begin(shared, "run_until_complete");
    let _context = context::enter(Context {
        shared: shared.clone(),
        worker: None,
    });
    let waker = Waker::from(std::sync::Arc::new(MainWaker {
        shared: shared.clone(),
    }));
    let mut cx = TaskContext::from_waker(&waker);
    let mut future = pin!(future);
    match shared.flavor {
        Flavor::CurrentThread => {
            lock(&shared.run).main_woken = true;
            let mut output = None;
            let exit = current_thread::run(shared, || match future.as_mut().poll(&mut cx) {
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
        Flavor::MultiThread => loop {
            if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
                return value;
            }
            let mut run = lock(&shared.run);
            while !run.main_woken && !run.stop {
                run = shared.wait_run(run);
            }
            if run.stop {
                run.stop = false;
                drop(run);
                panic!("spindle: the event loop stopped before the future completed");
            }
            run.main_woken = false;
        },
    }
}

/// `stop()`: from any thread, inside a callback or not.
pub(crate) fn stop(shared: &Shared) {
    let mut run = lock(&shared.run);
    run.stop = true;
    shared.signal_run(run);
    if shared.flavor == Flavor::CurrentThread {
        shared.remotes[0].unparker.unpark();
    }
}
