//! A tiny single-threaded test executor and the probes the behaviour tests share.
//!
//! [`Exec`] queues runnables in a `VecDeque` and runs them only when a test says so, so every
//! interleaving a test depends on is spelled out in the test itself. The scheduler value a
//! task stores ([`TestSched`]) counts its own drops: it lives in the task's allocation, so
//! that count is the number of task allocations freed.

#![allow(dead_code)]

use spindle_core::task::{self, Runnable, Schedule, TaskList, TaskPanic, TaskRef};
use spindle_core::Task;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

/// A callback queued by `Schedule::call_soon`.
pub type Late = Box<dyn FnOnce() + Send>;

/// Everything the tasks of one executor share with the test.
#[derive(Default)]
pub struct Shared {
    /// Queued runnables, each with the `yielded` flag it was scheduled with.
    pub queue: Mutex<VecDeque<(Runnable, bool)>>,
    /// `call_soon` callbacks, not yet run.
    pub late: Mutex<Vec<Late>>,
    /// `unhandled_panic` reports, as `"<context>: <message>"`.
    pub panics: Mutex<Vec<String>>,
    /// How many `TestSched` values were dropped: one per freed task allocation.
    pub freed: AtomicUsize,
    /// How many times `schedule` was called.
    pub schedules: AtomicUsize,
}

/// The scheduler hook stored in every task of an [`Exec`].
pub struct TestSched {
    pub shared: Arc<Shared>,
    pub list: Arc<TaskList>,
}

impl Drop for TestSched {
    fn drop(&mut self) {
        self.shared.freed.fetch_add(1, SeqCst);
    }
}

impl Schedule for TestSched {
    fn schedule(&self, task: Runnable, yielded: bool) {
        self.shared.schedules.fetch_add(1, SeqCst);
        self.shared.queue.lock().unwrap().push_back((task, yielded));
    }

    fn release(&self, task: &TaskRef) -> Option<TaskRef> {
        self.list.remove(task)
    }

    fn call_soon(&self, f: Late) {
        self.shared.late.lock().unwrap().push(f);
    }

    fn unhandled_panic(&self, panic: TaskPanic<'_>) {
        let message = spindle_core::error::panic_message(panic.payload).unwrap_or("<non-string>");
        self.shared
            .panics
            .lock()
            .unwrap()
            .push(format!("{}: {message}", panic.context));
    }
}

/// A manual executor: nothing runs until the test calls `run_one` / `run_all` / `run_late`.
pub struct Exec {
    pub shared: Arc<Shared>,
    pub list: Arc<TaskList>,
}

impl Default for Exec {
    fn default() -> Self {
        Self::new()
    }
}

/// Like a real executor closing: queued runnables, late callbacks and owned tasks hold the
/// scheduler value (and so `Shared`), so dropping them breaks the cycle instead of leaking it.
impl Drop for Exec {
    fn drop(&mut self) {
        let queued: Vec<_> = self.shared.queue.lock().unwrap().drain(..).collect();
        drop(queued);
        let late: Vec<_> = self.shared.late.lock().unwrap().drain(..).collect();
        drop(late);
        for task in self.list.close() {
            task.shutdown();
        }
    }
}

impl Exec {
    pub fn new() -> Exec {
        Exec {
            shared: Arc::default(),
            list: Arc::new(TaskList::new(4)),
        }
    }

    pub fn sched(&self) -> TestSched {
        TestSched {
            shared: Arc::clone(&self.shared),
            list: Arc::clone(&self.list),
        }
    }

    /// Creates the task, puts it in the owner list and queues its first runnable.
    pub fn spawn<F>(&self, future: F) -> Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (runnable, handle, list_ref) = task::create(future, self.sched(), None);
        self.list.insert(list_ref).expect("the list is open");
        self.shared
            .queue
            .lock()
            .unwrap()
            .push_back((runnable, false));
        handle
    }

    /// Takes the next queued runnable out (the queue lock is released before returning).
    pub fn pop(&self) -> Option<(Runnable, bool)> {
        self.shared.queue.lock().unwrap().pop_front()
    }

    /// Runs the next runnable; returns the `yielded` flag it was queued with.
    pub fn run_one(&self) -> Option<bool> {
        let (runnable, yielded) = self.pop()?;
        runnable.run();
        Some(yielded)
    }

    /// Runs until the queue is empty; returns how many runnables ran.
    pub fn run_all(&self) -> usize {
        let mut n = 0;
        while self.run_one().is_some() {
            n += 1;
        }
        n
    }

    pub fn queued(&self) -> usize {
        self.shared.queue.lock().unwrap().len()
    }

    /// Runs the `call_soon` callbacks queued so far; returns how many ran.
    pub fn run_late(&self) -> usize {
        let late = std::mem::take(&mut *self.shared.late.lock().unwrap());
        let n = late.len();
        for f in late {
            f();
        }
        n
    }

    pub fn late_len(&self) -> usize {
        self.shared.late.lock().unwrap().len()
    }

    pub fn panics(&self) -> Vec<String> {
        self.shared.panics.lock().unwrap().clone()
    }

    pub fn freed(&self) -> usize {
        self.shared.freed.load(SeqCst)
    }

    pub fn schedules(&self) -> usize {
        self.shared.schedules.load(SeqCst)
    }
}

/// A waker that counts its wakes.
#[derive(Default)]
pub struct CountingWaker {
    pub wakes: AtomicUsize,
}

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.wakes.fetch_add(1, SeqCst);
    }
}

impl CountingWaker {
    pub fn new() -> (Arc<CountingWaker>, Waker) {
        let counter = Arc::new(CountingWaker::default());
        let waker = Waker::from(Arc::clone(&counter));
        (counter, waker)
    }

    pub fn count(&self) -> usize {
        self.wakes.load(SeqCst)
    }
}

/// Polls `future` once with `waker`.
pub fn poll_with<F: Future + Unpin>(future: &mut F, waker: &Waker) -> Poll<F::Output> {
    Pin::new(future).poll(&mut Context::from_waker(waker))
}

struct NoopWake;

impl Wake for NoopWake {
    fn wake(self: Arc<Self>) {}
}

/// A waker that does nothing (`Waker::noop` needs Rust 1.85; the MSRV is 1.80).
pub fn noop_waker() -> Waker {
    Waker::from(Arc::new(NoopWake))
}

/// Polls `future` once with a waker that does nothing.
pub fn poll_noop<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
    poll_with(future, &noop_waker())
}

/// A value that counts its drops.
#[derive(Debug)]
pub struct Tracked(pub Arc<AtomicUsize>);

impl Drop for Tracked {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

/// A fresh drop counter and a `Tracked` value bound to it.
pub fn tracked() -> (Arc<AtomicUsize>, Tracked) {
    let drops = Arc::new(AtomicUsize::new(0));
    (Arc::clone(&drops), Tracked(drops))
}

/// A one-shot gate a task can wait on: `open` wakes the stored waker.
#[derive(Clone, Default)]
pub struct Gate {
    inner: Arc<Mutex<GateState>>,
}

#[derive(Default)]
struct GateState {
    open: bool,
    waker: Option<Waker>,
}

impl Gate {
    pub fn new() -> Gate {
        Gate::default()
    }

    /// Opens the gate and wakes the waiting task, if one registered.
    pub fn open(&self) {
        let waker = {
            let mut state = self.inner.lock().unwrap();
            state.open = true;
            state.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// The waker the waiting task registered, if any (a clone).
    pub fn waker(&self) -> Option<Waker> {
        self.inner.lock().unwrap().waker.clone()
    }

    /// Drops the registered waker without waking it.
    pub fn forget_waker(&self) {
        self.inner.lock().unwrap().waker = None;
    }

    /// A future that is ready once the gate is open.
    pub fn wait(&self) -> GateWait {
        GateWait { gate: self.clone() }
    }
}

pub struct GateWait {
    gate: Gate,
}

impl Future for GateWait {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.gate.inner.lock().unwrap();
        if state.open {
            Poll::Ready(())
        } else {
            state.waker = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

/// Returns `Pending` once after waking itself, like `asyncio.sleep(0)`.
#[derive(Default)]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            Poll::Ready(())
        } else {
            self.yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// Never ready.
pub struct Forever;

impl Future for Forever {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        Poll::Pending
    }
}
