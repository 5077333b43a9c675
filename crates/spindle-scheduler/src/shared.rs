//! `Shared`: the state of one event loop that every worker, handle and task can reach.
//!
//! Fields are grouped by who uses them: the queues and the idle protocol (scheduling), the
//! run control (`run_*` / `stop` / pausing the workers), and the owned resources (driver,
//! task list, blocking pool, worker threads) released by `close()`.

use crate::blocking::BlockingPool;
use crate::context;
use crate::exception::{ExceptionContext, Handler};
use crate::idle::Idle;
use crate::loom::{
    lock, wait, AtomicBool, AtomicUsize, Condvar, Mutex, MutexGuard, Ordering::SeqCst,
};
use crate::park::{Parker, Unparker};
use crate::queue::{Injector, Local, Stealer, LOCAL_CAPACITY};
use spindle_core::{Runnable, TaskList};
use spindle_reactor::Driver;
use std::any::Any;

/// Which run loop drives the tasks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// The thread inside `run_*` is the only worker: asyncio's exact FIFO order.
    CurrentThread,
    /// `n` worker threads stealing from each other.
    MultiThread,
}

/// Another thread's handle on a worker.
pub(crate) struct Remote {
    pub(crate) stealer: Stealer<Runnable>,
    pub(crate) unparker: Unparker,
    /// The worker is between "saw the loop running" and "went idle": `run_*` waits for all of
    /// these to clear before returning (see `run.rs`).
    pub(crate) busy: AtomicBool,
}

/// The parts a worker thread takes with it.
pub(crate) struct Core {
    pub(crate) local: Local<Runnable>,
    pub(crate) parker: Parker,
}

/// What `run_*` and `stop` coordinate on (see `run.rs`).
pub(crate) struct RunState {
    /// A thread is inside `run_forever` / `run_until_complete`.
    pub(crate) active: bool,
    /// `stop()` was called and not yet consumed by a run.
    pub(crate) stop: bool,
    /// The run thread's main future was woken.
    pub(crate) main_woken: bool,
    /// Threads blocked on `run_changed` ([`Shared::wait_run`]): with none, a signal skips the
    /// condition variable (a system call on every signal otherwise).
    pub(crate) waiters: usize,
}

pub(crate) struct Shared {
    pub(crate) flavor: Flavor,
    pub(crate) injector: Injector,
    /// One FIFO for everything (current-thread, or a single worker): asyncio's exact order.
    pub(crate) single_queue: bool,
    pub(crate) remotes: Box<[Remote]>,
    pub(crate) idle: Idle,
    pub(crate) driver: Driver,
    pub(crate) tasks: TaskList,
    pub(crate) blocking: BlockingPool,

    /// Workers may take tasks (a thread is inside `run_*`).
    pub(crate) running: AtomicBool,
    /// A run is ending and its thread waits on `run_changed` for the workers' `busy` flags to
    /// clear: only then does a worker going idle signal it (see `run.rs`).
    pub(crate) draining: AtomicBool,
    /// The run thread has news (its main future was woken, or `stop()` was called): it looks
    /// at `run` before its next task (see [`Shared::notify_run`]).
    pub(crate) attention: AtomicBool,
    /// Workers must exit (close).
    pub(crate) shutdown: AtomicBool,
    pub(crate) closed: AtomicBool,
    pub(crate) run: Mutex<RunState>,
    pub(crate) run_changed: Condvar,
    /// The current-thread flavour's core, taken by the thread inside `run_*`.
    pub(crate) run_core: Mutex<Option<Core>>,
    pub(crate) threads: Mutex<Vec<crate::loom::thread::JoinHandle<()>>>,
    pub(crate) handler: Mutex<Option<Handler>>,
    /// Live `EventLoop` values; the last one to drop closes the loop.
    pub(crate) handles: AtomicUsize,
}

impl Shared {
    /// Queues a runnable from a thread that is not one of this loop's workers.
    pub(crate) fn schedule_remote(&self, task: Runnable) {
        self.injector.push(task);
        self.notify_one();
    }

    /// Queues a runnable on this thread's worker (`worker.shared` is `self`).
    pub(crate) fn schedule_local(&self, worker: &context::Worker, task: Runnable, yielded: bool) {
        if self.single_queue {
            // One FIFO for everything: asyncio's order. The only worker is awake (it is the
            // caller), so no one needs waking.
            self.injector.push(task);
            return;
        }
        if yielded || worker.no_lifo.get() {
            self.push_local(worker, task);
            return;
        }
        if let Some(previous) = worker.lifo.replace(Some(task)) {
            self.push_local(worker, previous);
        }
    }

    /// Pushes at the back of the worker's queue (see [`Shared::push_local_quiet`]) and lets
    /// an idle worker come and steal.
    pub(crate) fn push_local(&self, worker: &context::Worker, task: Runnable) {
        self.push_local_quiet(worker, task);
        self.notify_one();
    }

    /// Pushes at the back of the worker's queue, overflowing half of it to the injector when
    /// full; wakes no one (for a task the worker itself will run next).
    pub(crate) fn push_local_quiet(&self, worker: &context::Worker, task: Runnable) {
        if worker.local.len() >= LOCAL_CAPACITY {
            let overflow = std::iter::from_fn(|| worker.local.pop()).take(LOCAL_CAPACITY / 2);
            self.injector.push_batch(overflow);
        }
        worker.local.push(task);
    }

    /// Waits on `run_changed`, counted in `RunState::waiters`.
    pub(crate) fn wait_run<'a>(
        &self,
        mut run: MutexGuard<'a, RunState>,
    ) -> MutexGuard<'a, RunState> {
        run.waiters += 1;
        let mut run = wait(&self.run_changed, run);
        run.waiters -= 1;
        run
    }

    /// Consumes the "main future woken" and "stop requested" flags of the run.
    pub(crate) fn take_run_flags(&self) -> (bool, bool) {
        let mut run = lock(&self.run);
        let flags = (run.main_woken, run.stop);
        run.main_woken = false;
        run.stop = false;
        flags
    }

    /// Reads the "main future woken" and "stop requested" flags without consuming them.
    pub(crate) fn peek_run_flags(&self) -> (bool, bool) {
        let run = lock(&self.run);
        (run.main_woken, run.stop)
    }

    /// Sets a flag of the run under `run` (the main future was woken, `stop()` was called) and
    /// tells whoever waits for it: a thread blocked on `run_changed`, and the run thread, which
    /// is worker 0 during a run (it sees `attention` between two tasks, or wakes from its park).
    pub(crate) fn notify_run(&self, run: MutexGuard<'_, RunState>) {
        self.signal_run(run);
        self.attention.store(true, SeqCst);
        self.remotes[0].unparker.unpark();
    }

    /// Releases the run lock (after the caller changed the state under it) and signals
    /// `run_changed` if a thread waits on it. A waiter checks the state and counts itself in
    /// one hold of the lock, so a signaller that read a count of zero changed the state before
    /// that check: the waiter sees the change and does not wait.
    pub(crate) fn signal_run(&self, run: MutexGuard<'_, RunState>) {
        let waiting = run.waiters > 0;
        drop(run);
        if waiting {
            self.run_changed.notify_all();
        }
    }

    /// Wakes one sleeping worker if no worker is searching (see `idle.rs`).
    pub(crate) fn notify_one(&self) {
        if let Some(index) = self.idle.worker_to_notify() {
            self.remotes[index].unparker.unpark();
        }
    }

    /// Cancels every runnable left in the injector (dropping a runnable cancels its task), one
    /// at a time outside the queue's lock: a closing loop must not strand one there.
    pub(crate) fn drain_injector(&self) {
        while let Some(task) = self.injector.pop() {
            drop(task);
        }
    }

    /// `true` when some queue holds work (the re-check before sleeping).
    pub(crate) fn has_work(&self) -> bool {
        !self.injector.is_empty() || self.remotes.iter().any(|r| !r.stealer.is_empty())
    }

    pub(crate) fn unpark_all(&self) {
        for remote in self.remotes.iter() {
            remote.unparker.unpark();
        }
    }

    /// Reports to the exception handler (a panicking callback, an unretrieved task panic).
    pub(crate) fn report(
        &self,
        message: &str,
        payload: Option<&(dyn Any + Send)>,
        task: Option<String>,
    ) {
        let handler = lock(&self.handler).clone();
        let context = ExceptionContext::new(message, payload, task);
        match handler {
            Some(handler) => {
                // A panicking handler must not take the worker down either.
                if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler(&context)))
                    .is_err()
                {
                    eprintln!("spindle: the exception handler panicked while handling: {context}");
                }
            }
            None => eprintln!("spindle: {context}"),
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(SeqCst)
    }
}
