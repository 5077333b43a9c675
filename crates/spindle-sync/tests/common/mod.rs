//! The harness the behaviour tests share: run one test body under several executors, and
//! interleave futures by hand in a way that is the same on every executor.
//!
//! - [`on_every_executor`] runs a body on spindle's current-thread loop, on a 2-worker spindle
//!   loop (`run_until_complete`) and under `futures_lite::future::block_on`: the primitives
//!   know nothing of any of them (they only see `Waker`s).
//! - [`join_all`] and [`yield_now`] interleave futures inside one task, in a fixed order
//!   (each round polls the unfinished children first to last), so a test's schedule does not
//!   depend on the executor.
//! - [`Probe`] polls a future once by hand with a waker that records being woken, for tests that
//!   need a waiter stopped at an exact point (queued, granted but not polled yet, ...).
//! - [`on_two_workers`] gives a body a 2-worker loop to `spawn` real tasks on, for the tests that
//!   need waiters on different threads.

#![allow(dead_code)] // each test file uses a part of the harness

use spindle_scheduler::EventLoop;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

/// A child of [`join_all`].
pub type Child<'a, T = ()> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// Boxes a future as a [`join_all`] child.
pub fn child<'a, T>(future: impl Future<Output = T> + 'a) -> Child<'a, T> {
    Box::pin(future)
}

/// Runs `test()` to completion on each executor in turn: spindle's current-thread loop,
/// spindle's 2-worker loop, then `futures_lite::future::block_on`.
pub fn on_every_executor<Fut: Future<Output = ()>>(test: impl Fn() -> Fut) {
    let lp = EventLoop::builder().current_thread().build().unwrap();
    lp.run_until_complete(test());
    lp.close();

    let lp = two_worker_loop();
    lp.run_until_complete(test());
    lp.close();

    futures_lite::future::block_on(test());
}

/// A spindle loop with two worker threads.
pub fn two_worker_loop() -> EventLoop {
    EventLoop::builder().worker_threads(2).build().unwrap()
}

/// Runs `body(loop)` on a 2-worker loop, for tests that spawn tasks onto both workers.
pub fn on_two_workers<Fut: Future>(body: impl FnOnce(EventLoop) -> Fut) -> Fut::Output {
    let lp = two_worker_loop();
    let output = lp.run_until_complete(body(lp.clone()));
    lp.close();
    output
}

/// Polls every child, first to last, each time it is woken, until all are done; the outputs
/// come back in the children's order.
pub fn join_all<'a, T>(children: Vec<Child<'a, T>>) -> JoinAll<'a, T> {
    JoinAll {
        outputs: children.iter().map(|_| None).collect(),
        children: children.into_iter().map(Some).collect(),
    }
}

/// The future of [`join_all`].
pub struct JoinAll<'a, T> {
    children: Vec<Option<Child<'a, T>>>,
    outputs: Vec<Option<T>>,
}

// The outputs are never pinned: they are moved out whole.
impl<T> Unpin for JoinAll<'_, T> {}

impl<T> Future for JoinAll<'_, T> {
    type Output = Vec<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Vec<T>> {
        let this = self.get_mut();
        for (slot, output) in this.children.iter_mut().zip(&mut this.outputs) {
            if let Some(child) = slot {
                if let Poll::Ready(value) = child.as_mut().poll(cx) {
                    *output = Some(value);
                    *slot = None;
                }
            }
        }
        if this.children.iter().all(Option::is_none) {
            Poll::Ready(this.outputs.iter_mut().map(|o| o.take().unwrap()).collect())
        } else {
            Poll::Pending
        }
    }
}

/// Suspends once (waking itself at once): lets the other children of a [`join_all`] run.
pub fn yield_now() -> YieldNow {
    YieldNow(false)
}

/// Suspends `n` times.
pub async fn yield_times(n: usize) {
    for _ in 0..n {
        yield_now().await;
    }
}

/// The future of [`yield_now`].
pub struct YieldNow(bool);

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// A hand-held waker that counts its wake-ups, to poll futures one step at a time.
#[derive(Clone, Default)]
pub struct Probe {
    wakes: Arc<WakeCount>,
}

#[derive(Default)]
struct WakeCount(AtomicUsize);

impl Wake for WakeCount {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, SeqCst);
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, SeqCst);
    }
}

impl Probe {
    /// A probe nobody has woken yet.
    pub fn new() -> Probe {
        Probe::default()
    }

    /// Polls `future` once with this probe's waker.
    pub fn poll<F: Future + Unpin>(&self, future: &mut F) -> Poll<F::Output> {
        let waker = Waker::from(self.wakes.clone());
        Pin::new(future).poll(&mut Context::from_waker(&waker))
    }

    /// Whether the waker was woken since the last call (and forgets it).
    pub fn woken(&self) -> bool {
        self.wakes.0.swap(0, SeqCst) > 0
    }
}

/// Compile-time check that `T` can be shared and sent between threads.
pub fn assert_send_sync<T: Send + Sync>() {}
