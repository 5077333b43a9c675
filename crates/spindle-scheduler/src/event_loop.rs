//! `EventLoop`: asyncio's loop object, a cheap `Clone + Send + Sync` handle.
//!
//! Callbacks (`call_soon`, `call_later`, ...) are tiny tasks (see `callback.rs`), so they share
//! the one allocation, the queues and the cancellation of tasks. The last `EventLoop` value to
//! be dropped closes the loop (a task holding a clone keeps it open).

use crate::callback::{Blocking, Callback};
use crate::context;
use crate::exception::ExceptionContext;
use crate::loom::{fence, lock, Arc, Ordering::SeqCst};
use crate::run;
use crate::schedule::LoopRef;
use crate::shared::Shared;
use crate::Builder;
use spindle_core::{task, Handle, Task, TaskRef, TimerHandle};
use std::fmt;
use std::future::Future;
use std::io;
use std::time::{Duration, Instant};

/// An event loop: asyncio's `AbstractEventLoop`, on a work-stealing runtime.
///
/// ```
/// use spindle_scheduler::EventLoop;
///
/// let lp = EventLoop::new().unwrap();
/// let stopper = lp.clone();
/// lp.call_soon(move || {
///     println!("Hello World!");
///     stopper.stop();
/// });
/// lp.run_forever();
/// lp.close();
/// ```
pub struct EventLoop {
    shared: Arc<Shared>,
}

/// Why a callback or task could not be scheduled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoopClosed;

impl fmt::Display for LoopClosed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the event loop is closed")
    }
}

impl std::error::Error for LoopClosed {}

impl EventLoop {
    pub(crate) fn from_shared(shared: Arc<Shared>) -> EventLoop {
        shared.handles.fetch_add(1, SeqCst);
        EventLoop { shared }
    }

    /// A multi-thread loop with one worker per core (`EventLoop::builder().build()`).
    ///
    /// # Errors
    /// When the OS refuses a poller or a thread.
    pub fn new() -> io::Result<EventLoop> {
        Builder::new().build()
    }

    /// A [`Builder`] to configure the loop (worker count, current-thread flavour, names, ...).
    pub fn builder() -> Builder {
        Builder::new()
    }

    /// The loop this thread runs in, asyncio's `get_running_loop()`.
    ///
    /// # Panics
    /// Outside a loop (not on a worker thread, not inside `run_*`).
    pub fn current() -> EventLoop {
        Self::try_current().expect(
            "spindle: no event loop is running on this thread \
             (call this from a task or callback, or inside run_until_complete)",
        )
    }

    /// The loop this thread runs in, if any.
    pub fn try_current() -> Option<EventLoop> {
        context::shared().map(EventLoop::from_shared)
    }

    /// Runs the loop until `future` completes and returns its output; `future` runs on this
    /// thread and need not be `Send`.
    ///
    /// # Panics
    /// On a closed loop, on a loop that is already running, on a worker thread of any loop
    /// (await instead), and if `stop()` ends the run before `future` completes.
    pub fn run_until_complete<F: Future>(&self, future: F) -> F::Output {
        run::run_until_complete(&self.shared, future)
    }

    /// Runs the loop until [`stop`](EventLoop::stop) is called.
    ///
    /// # Panics
    /// As [`run_until_complete`](EventLoop::run_until_complete).
    pub fn run_forever(&self) {
        run::run_forever(&self.shared)
    }

    /// Asks the running loop to stop: `run_forever` returns after the current iteration.
    /// Works from any thread and from inside a callback. Called while the loop is not
    /// running, the next run stops after its first iteration (as asyncio).
    pub fn stop(&self) {
        run::stop(&self.shared)
    }

    /// `true` while a thread is inside `run_forever` / `run_until_complete`.
    pub fn is_running(&self) -> bool {
        lock(&self.shared.run).active
    }

    /// Closes the loop: cancels every task and callback still queued or pending (their
    /// futures and closures are dropped), clears the timers, stops and joins the workers.
    /// Scheduling afterwards is an error. Closing twice is a no-op.
    ///
    /// # Panics
    /// If the loop is running, or when called from one of its own worker threads.
    pub fn close(&self) {
        if self.shared.is_closed() {
            return;
        }
        if self.is_running() {
            panic!("spindle: cannot close a running event loop");
        }
        if context::is_worker_of(&self.shared) {
            panic!("spindle: cannot close an event loop from one of its own threads");
        }
        close(&self.shared, true);
    }

    /// `true` once [`close`](EventLoop::close) ran.
    pub fn is_closed(&self) -> bool {
        self.shared.is_closed()
    }

    /// The loop's monotonic clock.
    pub fn time(&self) -> Instant {
        Instant::now()
    }

    /// Schedules `f` to run soon, in FIFO order with other callbacks and task steps (exactly
    /// asyncio's order on a current-thread loop).
    ///
    /// # Panics
    /// On a closed loop (asyncio raises `RuntimeError` there).
    pub fn call_soon(&self, f: impl FnOnce() + Send + 'static) -> Handle {
        Handle::new(self.expect_open(call_soon_on(&self.shared, f, None), "call_soon"))
    }

    /// [`call_soon`](EventLoop::call_soon) from any thread: wakes a sleeping loop. (Every
    /// spindle method is thread-safe; the name is asyncio's.)
    ///
    /// # Panics
    /// On a closed loop.
    pub fn call_soon_threadsafe(&self, f: impl FnOnce() + Send + 'static) -> Handle {
        Handle::new(self.expect_open(call_soon_on(&self.shared, f, None), "call_soon_threadsafe"))
    }

    /// Schedules `f` to run `delay` from now, never earlier.
    ///
    /// # Panics
    /// On a closed loop.
    pub fn call_later(&self, delay: Duration, f: impl FnOnce() + Send + 'static) -> TimerHandle {
        self.call_at(deadline_after(delay), f)
    }

    /// Schedules `f` to run at `when`, never earlier; equal deadlines run in scheduling order.
    ///
    /// # Panics
    /// On a closed loop.
    pub fn call_at(&self, when: Instant, f: impl FnOnce() + Send + 'static) -> TimerHandle {
        TimerHandle::new(
            self.expect_open(call_soon_on(&self.shared, f, Some(when)), "call_at"),
            when,
        )
    }

    fn expect_open<T>(&self, result: Result<T, LoopClosed>, what: &str) -> T {
        result.unwrap_or_else(|_| panic!("spindle: {what} on a closed event loop"))
    }

    /// Spawns `future` as a task, asyncio's `create_task`. On a closed loop the task never
    /// runs and awaiting it yields `TaskError::LoopClosed`.
    pub fn spawn<F>(&self, future: F) -> Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        spawn_on(&self.shared, future, None)
    }

    /// Spawns `future` as a task named `name` (asyncio's `create_task(coro, name=...)`).
    pub fn spawn_named<F>(&self, name: impl Into<String>, future: F) -> Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        spawn_on(&self.shared, future, Some(name.into().into_boxed_str()))
    }

    /// Runs `f` on the loop's blocking pool, asyncio's `run_in_executor(None, f)`: the loop
    /// keeps running while `f` blocks. The pool is bounded; a panic in `f` becomes
    /// `TaskError::Panicked`.
    pub fn run_in_executor<F, R>(&self, f: F) -> Task<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let (runnable, task, list_ref) =
            task::create(Blocking(Some(f)), LoopRef(self.shared.clone()), None);
        // Blocking jobs are not in the owner list: close() cannot stop a running one anyway,
        // and queued ones are cancelled by the pool's shutdown.
        drop(list_ref);
        if let Err((job, why)) = self.shared.blocking.submit(runnable) {
            if !self.shared.is_closed() {
                self.shared
                    .report(&format!("run_in_executor: {why}"), None, None);
            }
            job.reject();
        }
        task
    }

    /// Every task of this loop that has not finished, asyncio's `all_tasks()`.
    pub fn all_tasks(&self) -> Vec<TaskRef> {
        self.shared
            .tasks
            .snapshot()
            .into_iter()
            .filter(|t| !t.is_done())
            .collect()
    }

    /// Replaces the exception handler (`None`: the default, which prints to standard error).
    /// It is called with panics of callbacks and done callbacks, and panics of tasks nobody
    /// awaited; the worker survives all of them.
    pub fn set_exception_handler(
        &self,
        handler: Option<impl Fn(&ExceptionContext<'_>) + Send + Sync + 'static>,
    ) {
        *lock(&self.shared.handler) =
            handler.map(|h| std::sync::Arc::new(h) as crate::exception::Handler);
    }

    /// Calls the exception handler with `message`, asyncio's `call_exception_handler`.
    pub fn call_exception_handler(&self, message: &str) {
        self.shared.report(message, None, None);
    }

    /// How many worker threads the loop has (1 for the current-thread flavour).
    pub fn worker_count(&self) -> usize {
        self.shared.remotes.len()
    }

    /// The loop's I/O and timer driver, for the reactor types of the facade.
    pub fn driver(&self) -> &spindle_reactor::Driver {
        &self.shared.driver
    }
}

fn deadline_after(delay: Duration) -> Instant {
    let now = Instant::now();
    // A delay too long for `Instant` means "never" in practice: about thirty years.
    now.checked_add(delay)
        .unwrap_or_else(|| now + Duration::from_secs(30 * 365 * 24 * 3600))
}

/// Queues a callback; with `when`, as a timer. Used by the API above and by done callbacks.
/// The closure lives inline in the task cell: one allocation per callback.
pub(crate) fn call_soon_on<F: FnOnce() + Send + 'static>(
    shared: &Arc<Shared>,
    f: F,
    when: Option<Instant>,
) -> Result<Task<()>, LoopClosed> {
    if shared.is_closed() {
        return Err(LoopClosed);
    }
    let (runnable, task, list_ref) =
        task::create_callback(Callback(Some(f)), LoopRef(shared.clone()));
    // Callbacks are not tasks for `all_tasks()`: the queues and the timers own them.
    drop(list_ref);
    match when {
        None => submit(shared, runnable, Order::Fifo),
        Some(when) => {
            shared.driver.wake_at(when, runnable.into_waker());
            fence(SeqCst);
            if shared.shutdown.load(SeqCst) {
                // Raced with close(): the timers were already cleared, clear this one too.
                shared.driver.clear_timers();
            }
        }
    }
    Ok(task)
}

pub(crate) fn spawn_on<F>(
    shared: &Arc<Shared>,
    future: F,
    name: Option<Box<str>>,
) -> Task<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let (runnable, task, list_ref) = task::create(future, LoopRef(shared.clone()), name);
    match shared.tasks.insert(list_ref) {
        Ok(()) => submit(shared, runnable, Order::Lifo),
        Err(list_ref) => {
            drop(list_ref);
            runnable.reject();
        }
    }
    task
}

/// How a new runnable joins a worker's queues.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Order {
    /// A callback: at the back of the queue, so callbacks keep the order they were scheduled
    /// in (asyncio's promise for `call_soon`).
    Fifo,
    /// A new task: in the worker's LIFO slot, like a woken task, so a task that spawns and
    /// then waits (or ends) has its child run next on the same worker, with no wake-up of
    /// another worker for it (tokio does the same).
    Lifo,
}

/// Queues a new runnable: on a worker, into its queues (see [`Order`]); elsewhere, on the
/// injector. A push that races `close()` is cancelled rather than leaked.
///
/// A worker's own queues need no check against `close()`: a worker that pushes there (or
/// overflows into the injector) sees `shutdown` when its task returns, and its exit drains
/// both. Every other push re-checks `shutdown` after a fence, as `close()` drains the injector
/// after setting it.
fn submit(shared: &Arc<Shared>, runnable: spindle_core::Runnable, order: Order) {
    /// Where the runnable went, as far as the worker context could tell.
    enum Placed {
        /// This worker's own queues.
        OwnQueues,
        /// The injector, by the only worker of a single-queue loop.
        Injector,
        /// Not on a worker of this loop: the caller queues it remotely.
        Elsewhere(spindle_core::Runnable),
    }
    let placed = context::with(|cx| match cx {
        Some(cx) if Arc::ptr_eq(&cx.shared, shared) => match &cx.worker {
            Some(worker) if !shared.single_queue => {
                match order {
                    Order::Fifo => shared.push_local(worker, runnable),
                    Order::Lifo => shared.schedule_local(worker, runnable, false),
                }
                Placed::OwnQueues
            }
            Some(_) => {
                shared.injector.push(runnable);
                Placed::Injector
            }
            None => Placed::Elsewhere(runnable),
        },
        _ => Placed::Elsewhere(runnable),
    });
    match placed {
        Placed::OwnQueues => return,
        Placed::Injector => {}
        Placed::Elsewhere(runnable) => shared.schedule_remote(runnable),
    }
    fence(SeqCst);
    if shared.shutdown.load(SeqCst) {
        shared.drain_injector();
    }
}

/// Shuts the loop down. `join`: wait for the worker threads (not possible from one of them).
pub(crate) fn close(shared: &Arc<Shared>, join: bool) {
    if shared.closed.swap(true, SeqCst) {
        return;
    }
    shared.shutdown.store(true, SeqCst);
    shared.unpark_all();
    let threads = std::mem::take(&mut *lock(&shared.threads));
    if join {
        for thread in threads {
            // A worker that panicked outside a task is a bug we cannot fix here; carry on.
            let _ = thread.join();
        }
    }
    shared.drain_injector();
    drop(lock(&shared.run_core).take());
    for task in shared.tasks.close() {
        task.shutdown();
    }
    shared.driver.clear_timers();
    shared.blocking.shutdown();
    shared.drain_injector();
}

impl Clone for EventLoop {
    fn clone(&self) -> Self {
        EventLoop::from_shared(self.shared.clone())
    }
}

impl Drop for EventLoop {
    fn drop(&mut self) {
        if self.shared.handles.fetch_sub(1, SeqCst) != 1 || self.shared.is_closed() {
            return;
        }
        // The last handle: close, unless that would mean joining ourselves or a running loop.
        let inside = context::is_worker_of(&self.shared) || lock(&self.shared.run).active;
        close(&self.shared, !inside);
    }
}

impl fmt::Debug for EventLoop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventLoop")
            .field("flavor", &self.shared.flavor)
            .field("workers", &self.shared.remotes.len())
            .field("running", &self.is_running())
            .field("closed", &self.is_closed())
            .finish()
    }
}
