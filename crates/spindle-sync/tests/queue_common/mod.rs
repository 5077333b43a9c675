//! What the queue's behaviour tests share: the two executors every test runs under (spindle's
//! loop and `futures_lite::future::block_on`, proving the queue needs nothing but `Waker`s),
//! a way to run several tasks concurrently under either, and a counting waker for tests that
//! poll futures by hand.
//!
//! Nothing here sleeps to wait for something: a watchdog only bounds each run, so a hang
//! becomes a failure that names its executor.

#![allow(dead_code)]

use spindle_scheduler::EventLoop;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{mpsc, Arc};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;
use std::time::Duration;

/// How long one run of a behaviour test may take before it counts as a hang.
const WATCHDOG: Duration = Duration::from_secs(20);

/// A task for [`concurrently`].
pub type Task = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// Boxes `future` as a [`Task`].
pub fn task(future: impl Future<Output = ()> + Send + 'static) -> Task {
    Box::pin(future)
}

/// Runs `test()` to completion under each executor: spindle's current-thread loop
/// (`run_until_complete`, tasks via `spindle_scheduler::spawn`) and `futures_lite`'s
/// `block_on` (tasks polled by hand, in order). Each run is bounded by a watchdog.
pub fn on_each_executor<F, Fut>(test: F)
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()>,
{
    let test = Arc::new(test);
    let on_spindle = test.clone();
    bounded("spindle current-thread loop", move || {
        let lp = EventLoop::builder().current_thread().build().unwrap();
        lp.run_until_complete(on_spindle());
        lp.close();
    });
    bounded("futures_lite::block_on", move || {
        futures_lite::future::block_on(test());
    });
}

/// Runs `test()` on a spindle loop with two worker threads (tasks spawned there run in
/// parallel), bounded by the watchdog.
pub fn on_two_workers<F, Fut>(test: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()>,
{
    bounded("spindle 2-worker loop", move || {
        let lp = EventLoop::builder().worker_threads(2).build().unwrap();
        lp.run_until_complete(test());
        lp.close();
    });
}

/// Runs `body` on its own thread; panics (naming `what`) if it takes longer than the
/// watchdog allows, and re-raises its panic if it panicked.
pub fn bounded(what: &'static str, body: impl FnOnce() + Send + 'static) {
    let (done, finished) = mpsc::channel();
    let runner = thread::spawn(move || {
        body();
        let _ = done.send(());
    });
    match finished.recv_timeout(WATCHDOG) {
        Ok(()) => runner.join().unwrap(),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            if let Err(panic) = runner.join() {
                eprintln!("failed under {what}");
                std::panic::resume_unwind(panic);
            }
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("hung under {what}"),
    }
}

/// Runs `tasks` concurrently until all are done, as separate tasks: spawned on the current
/// spindle loop if there is one (they start in order), otherwise polled in turn, in order,
/// by this future (under `block_on`).
pub async fn concurrently(tasks: Vec<Task>) {
    if EventLoop::try_current().is_some() {
        let handles: Vec<_> = tasks.into_iter().map(spindle_scheduler::spawn).collect();
        for handle in handles {
            handle.await.expect("a task failed");
        }
    } else {
        JoinAll(tasks.into_iter().map(Some).collect()).await;
    }
}

/// Polls every unfinished task each time it is polled, in order.
struct JoinAll(Vec<Option<Task>>);

impl Future for JoinAll {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut pending = false;
        for slot in self.0.iter_mut() {
            if let Some(task) = slot {
                match task.as_mut().poll(cx) {
                    Poll::Ready(()) => *slot = None,
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    }
}

/// A waker that counts how often it was woken.
#[derive(Clone)]
pub struct Probe {
    count: Arc<Counter>,
    waker: Waker,
}

struct Counter(AtomicUsize);

impl Wake for Counter {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, SeqCst);
    }
}

impl Probe {
    /// A fresh probe, never woken.
    pub fn new() -> Probe {
        let count = Arc::new(Counter(AtomicUsize::new(0)));
        Probe {
            waker: Waker::from(count.clone()),
            count,
        }
    }

    /// How many times the waker was woken.
    pub fn woken(&self) -> usize {
        self.count.0.load(SeqCst)
    }

    /// Polls `future` once with this probe's waker.
    pub fn poll<F: Future + Unpin>(&self, future: &mut F) -> Poll<F::Output> {
        Pin::new(future).poll(&mut Context::from_waker(&self.waker))
    }
}

/// Lets the executor run other tasks once (works under any executor).
pub async fn yield_now() {
    futures_lite::future::yield_now().await;
}
