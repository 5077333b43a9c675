//! The multi-thread worker: find a task, run it, repeat; sleep when there is none.
//!
//! Where a worker looks, in order (one *tick* per task run):
//!
//! 1. every `GLOBAL_QUEUE_INTERVAL` ticks, the injector first, so remote work is never starved
//!    by a worker that keeps feeding itself;
//! 2. the LIFO slot (the task it woke last), at most `MAX_LIFO_STREAK` times in a row;
//! 3. its local queue, then a batch from the injector;
//! 4. if it may search (see `idle.rs`), a batch stolen from the other workers, starting at a
//!    random victim.
//!
//! Every `DRIVER_INTERVAL` ticks a busy worker polls the driver without blocking (timers and
//! I/O keep flowing while everyone is busy). A worker that runs dry while it is the searcher
//! keeps looking for up to `SPIN` before it parks: work that arrives meanwhile (the next
//! message of a ping-pong, a queue's next item) is stolen without a wake-up system call on
//! either side, since producers do not wake anyone while a worker searches. A worker with
//! nothing to do after that parks (see `park.rs`); if it parked on the driver and wakes up
//! with work, it first wakes a sleeping worker so that one takes the driver over: one long
//! task cannot stall timers and I/O for everyone (tokio issue 4730).
//!
//! While the loop is not running (no thread inside `run_*`), workers take no task: they flag
//! themselves not busy and park until `run_*` unparks them (see `run.rs`).
//!
//! Worker 0 has no thread of its own: the thread inside `run_*` is worker 0 for the run
//! ([`run_on_caller`], on the core lent by `lend.rs`). It runs the same loop, and between two
//! tasks it looks at `Shared::attention`: when its main future was woken it polls it there, as
//! asyncio polls its main task; when `stop()` was called, or the main future is done, it
//! leaves and the run ends. So a main future that awaits a chain of tasks it spawned (into
//! worker 0's LIFO slot) hands nothing over between threads.

use crate::context::{self, Worker};
use crate::lend::LentCore;
use crate::loom::{
    fence, lock, Arc,
    Ordering::{Relaxed, SeqCst},
};
use crate::park::{Parked, Parker};
use crate::run::Exit;
use crate::shared::{Core, Shared};
use spindle_core::Runnable;
use std::rc::Rc;
use std::time::Duration;

/// Ticks between checks of the injector before the local queue. A prime, so it does not beat
/// in step with `DRIVER_INTERVAL` or with periodic workloads (tokio and Go use 61 too).
const GLOBAL_QUEUE_INTERVAL: u32 = 61;
/// Ticks between non-blocking driver polls by a busy worker.
const DRIVER_INTERVAL: u32 = 67;
/// LIFO-slot runs in a row before the slot's task goes to the back of the queue: two tasks
/// that ping-pong through the slot must not starve the rest of the queue.
const MAX_LIFO_STREAK: u32 = 3;
/// How long the searcher keeps looking before it parks: a few wake-up latencies, short enough
/// that an idle loop burns no measurable CPU (each park after running dry costs one `SPIN`).
const SPIN: Duration = Duration::from_micros(20);

/// The body of the thread of worker `index` (1 and up: worker 0 is the run thread, see
/// [`run_on_caller`]).
pub(crate) fn run(shared: Arc<Shared>, index: usize, core: Core) {
    let worker = Rc::new(Worker::new(index, core.local, false));
    let _entered = context::enter_worker(&shared, &worker);
    let mut state = WorkerLoop::new(shared, worker, &core.parker, false);
    state.run();
    state.drain();
}

/// The run thread's turn as worker 0 of a multi-thread loop, for one run (see `run.rs`): it
/// runs tasks like any worker and, between two of them, polls the main future when woken
/// (`poll_main` returns `true` once it is done), until it is done or `stop()` was called.
pub(crate) fn run_on_caller(shared: &Arc<Shared>, mut poll_main: impl FnMut() -> bool) -> Exit {
    let lent = LentCore::take(shared, false);
    let mut state = WorkerLoop::new(shared.clone(), lent.worker().clone(), lent.parker(), true);
    let _entered = context::enter_worker(shared, lent.worker());
    // `attention` is only a hint, cheap to test between two tasks; the flags themselves live
    // under the run lock, which the run thread reads after every park. A waker sets its flag
    // under that lock before it unparks us, so a wake-up is never lost, even if the hint is.
    let mut parked = true;
    loop {
        if shared.attention.swap(false, SeqCst) || parked {
            let (woken, stop) = shared.take_run_flags();
            if woken && poll_main() {
                return Exit::MainDone;
            }
            if stop {
                return Exit::Stopped;
            }
        }
        parked = false;
        // A closed loop runs no task; the run thread only waits for its main future or `stop()`.
        if !shared.shutdown.load(SeqCst) {
            state.run_tasks();
        }
        if !shared.attention.load(SeqCst) {
            state.sleep();
            parked = true;
        }
    }
}

struct WorkerLoop<'a> {
    shared: Arc<Shared>,
    worker: Rc<Worker>,
    parker: &'a Parker,
    /// This is the run thread (worker 0 for the run): news in `Shared::attention` interrupts
    /// it between two tasks.
    caller: bool,
    tick: u32,
    searching: bool,
    lifo_streak: u32,
    rng: u32,
}

impl Drop for WorkerLoop<'_> {
    fn drop(&mut self) {
        // Leaving while counted as a searcher (a run ending, a worker exiting, a panicking main
        // future) gives the count back, or producers would skip their wake-ups for good.
        if self.searching {
            self.shared.idle.stop_searching();
        }
    }
}

impl<'a> WorkerLoop<'a> {
    fn new(shared: Arc<Shared>, worker: Rc<Worker>, parker: &'a Parker, caller: bool) -> Self {
        let rng = (worker.index as u32).wrapping_mul(0x9E37_79B9) | 1;
        WorkerLoop {
            shared,
            worker,
            parker,
            caller,
            tick: 0,
            searching: false,
            lifo_streak: 0,
            rng,
        }
    }

    /// The run thread has news to look at (see [`run_on_caller`]).
    fn interrupted(&self) -> bool {
        self.caller && self.shared.attention.load(Relaxed)
    }

    fn run(&mut self) {
        loop {
            if self.shared.shutdown.load(SeqCst) {
                return;
            }
            if self.enter_running() {
                self.run_tasks();
                self.leave_running();
            }
            if self.shared.shutdown.load(SeqCst) {
                return;
            }
            self.sleep();
        }
    }

    /// Marks this worker busy if the loop runs (see `run.rs` for the other half).
    fn enter_running(&self) -> bool {
        let busy = &self.shared.remotes[self.worker.index].busy;
        busy.store(true, SeqCst);
        if self.shared.running.load(SeqCst) {
            return true;
        }
        self.leave_running();
        false
    }

    fn leave_running(&self) {
        self.shared.remotes[self.worker.index]
            .busy
            .store(false, SeqCst);
        // Only an ending run waits for this (`draining`, set before it checks the flags): a
        // worker that merely runs dry must not wake the run thread. The fence pairs with the
        // run thread's (Dekker's pattern: one of the two sees the other's store).
        fence(SeqCst);
        if self.shared.draining.load(SeqCst) {
            // Taking the lock orders this after a `run_*` thread's check of the busy flags.
            self.shared.signal_run(lock(&self.shared.run));
        }
    }

    fn run_tasks(&mut self) {
        while self.shared.running.load(SeqCst) && !self.shared.shutdown.load(SeqCst) {
            self.tick = self.tick.wrapping_add(1);
            if self.tick % DRIVER_INTERVAL == 0 {
                self.poll_driver();
            }
            let Some(task) = self.next_task().or_else(|| self.spin()) else {
                return;
            };
            if self.searching {
                self.searching = false;
                if self.shared.idle.stop_searching() {
                    self.shared.notify_one();
                }
            }
            task.run();
            // Checked after a task, not before: a main future that keeps waking itself (a
            // `yield_now` loop) still lets one task run per poll, as asyncio's main task
            // queues behind the ready ones.
            if self.interrupted() {
                return;
            }
        }
    }

    fn next_task(&mut self) -> Option<Runnable> {
        let (shared, worker) = (&self.shared, &self.worker);
        if shared.single_queue {
            // A single worker keeps asyncio's order: one FIFO, no LIFO slot, no batches.
            return shared.injector.pop();
        }
        if self.tick % GLOBAL_QUEUE_INTERVAL == 0 {
            if let Some(task) = shared.injector.pop() {
                return Some(task);
            }
        }
        if let Some(task) = worker.lifo.take() {
            if self.lifo_streak < MAX_LIFO_STREAK {
                self.lifo_streak += 1;
                return Some(task);
            }
            // Behind the rest of this worker's queue; no wake-up: if the queue was empty this
            // worker runs it next, and if not, its pushes already offered work to the others.
            shared.push_local_quiet(worker, task);
        }
        self.lifo_streak = 0;
        if let Some(task) = worker.local.pop() {
            return Some(task);
        }
        if let Some(task) = shared.injector.steal_batch_and_pop(&worker.local) {
            return Some(task);
        }
        if !self.searching {
            self.searching = shared.idle.try_start_searching();
            if !self.searching {
                return None;
            }
        }
        self.steal()
    }

    /// The searcher's last look before parking: keeps looking for up to `SPIN`. Loom models
    /// skip it (a spin is a schedule explosion there, and adds no ordering).
    fn spin(&mut self) -> Option<Runnable> {
        if !self.searching || cfg!(loom) {
            return None;
        }
        let start = std::time::Instant::now();
        while start.elapsed() < SPIN {
            for _ in 0..32 {
                std::hint::spin_loop();
            }
            if !self.shared.running.load(SeqCst)
                || self.shared.shutdown.load(SeqCst)
                || self.interrupted()
            {
                return None;
            }
            if let Some(task) = self.next_task() {
                return Some(task);
            }
        }
        None
    }

    fn steal(&mut self) -> Option<Runnable> {
        let remotes = &self.shared.remotes;
        // xorshift32: a cheap, thread-private choice of the first victim.
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 17;
        self.rng ^= self.rng << 5;
        let start = self.rng as usize % remotes.len();
        for k in 0..remotes.len() {
            let victim = (start + k) % remotes.len();
            if victim == self.worker.index {
                continue;
            }
            if let Some(task) = remotes[victim]
                .stealer
                .steal_batch_and_pop(&self.worker.local)
            {
                return Some(task);
            }
        }
        self.shared.injector.steal_batch_and_pop(&self.worker.local)
    }

    /// Fires due timers (and, later, I/O) without blocking, if no one else holds the driver.
    fn poll_driver(&self) {
        if let Some(mut guard) = self.shared.driver.try_lock() {
            self.worker.no_lifo.set(true);
            let _ = guard.park(Some(Duration::ZERO));
            self.worker.no_lifo.set(false);
        }
    }

    fn sleep(&mut self) {
        let (shared, index) = (&self.shared, self.worker.index);
        shared.idle.register_sleeper(index, self.searching);
        self.searching = false;
        let (running, shutdown) = (shared.running.load(SeqCst), shared.shutdown.load(SeqCst));
        let awake = if self.caller {
            // The run thread parks even on a closed loop: its main future may still wake it.
            shared.attention.load(SeqCst) || (!shutdown && shared.has_work())
        } else {
            shutdown || (running && shared.has_work())
        };
        if awake {
            self.searching = shared.idle.unregister_sleeper(index);
            return;
        }
        self.worker.no_lifo.set(true);
        let parked = self.parker.park(None);
        self.worker.no_lifo.set(false);
        self.searching = shared.idle.unregister_sleeper(index);
        if parked == Parked::Driver {
            // Going back to work: hand the driver to a sleeper, which parks on it.
            if let Some(other) = shared.idle.any_sleeper() {
                shared.remotes[other].unparker.unpark();
            }
        }
    }

    /// On exit: whatever is still queued here is cancelled (dropped runnables cancel), and
    /// so is what is left in the injector, where this worker's overflow may have gone after
    /// `close()` drained it (see `event_loop::submit`).
    fn drain(&mut self) {
        drop(self.worker.lifo.take());
        while let Some(task) = self.worker.local.pop() {
            drop(task);
        }
        self.shared.drain_injector();
    }
}
