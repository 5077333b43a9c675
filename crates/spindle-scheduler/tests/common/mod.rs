//! What the scheduler's behaviour tests share: the loop flavours every test runs on, a
//! watchdog that turns a hang into a failure, and small probes (drop flags, a recording
//! exception handler, a poll-once helper).
//!
//! Nothing here sleeps to wait for another thread: tests synchronise with channels, barriers
//! and `Promise`s, and the watchdog only bounds the whole test.

#![allow(dead_code)]

use spindle_scheduler::{Builder, EventLoop, ExceptionContext};
use std::any::Any;
use std::future::Future;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, Once};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;
use std::time::Duration;

/// Marker put in the message of every panic a test provokes on purpose; the panic hook
/// installed by [`quiet_expected_panics`] does not print those.
pub const EXPECTED: &str = "[expected test panic]";

/// The loop flavours every behaviour test runs on (STYLE.md): current-thread (asyncio's exact
/// order), one worker, and more workers than this machine has cores.
pub fn flavours() -> Vec<(&'static str, Builder)> {
    vec![
        ("current-thread", EventLoop::builder().current_thread()),
        ("1 worker", EventLoop::builder().worker_threads(1)),
        ("4 workers", EventLoop::builder().worker_threads(4)),
    ]
}

/// Runs `body` once per flavour, each inside [`bounded`] so that a hang names its flavour.
pub fn each_flavour<F>(secs: u64, body: F)
where
    F: Fn(&'static str, Builder) + Send + Sync + 'static,
{
    let body = Arc::new(body);
    for (name, builder) in flavours() {
        let body = body.clone();
        bounded_named(name, secs, move || body(name, builder));
    }
}

/// Runs `f` on its own thread and returns its result; panics if it does not finish within
/// `secs` seconds (a hang becomes a failure), and re-raises its panic if it panicked.
pub fn bounded<R, F>(secs: u64, f: F) -> R
where
    R: Send + 'static,
    F: FnOnce() -> R + Send + 'static,
{
    bounded_named("test body", secs, f)
}

fn bounded_named<R, F>(what: &str, secs: u64, f: F) -> R
where
    R: Send + 'static,
    F: FnOnce() -> R + Send + 'static,
{
    let (done_tx, done_rx) = mpsc::channel();
    let body = thread::Builder::new()
        .name(format!("bounded: {what}"))
        .spawn(move || {
            let result = f();
            let _ = done_tx.send(());
            result
        })
        .expect("spawn the test body's thread");
    match done_rx.recv_timeout(Duration::from_secs(secs)) {
        // Finished, or panicked (the sender was dropped by the unwind): join tells which.
        Ok(()) | Err(RecvTimeoutError::Disconnected) => {
            body.join().unwrap_or_else(|panic| resume_unwind(panic))
        }
        Err(RecvTimeoutError::Timeout) => {
            panic!("{what}: did not finish within {secs} s (a hang or a lost wake-up)")
        }
    }
}

/// Installs (once per test binary) a panic hook that keeps quiet about panics whose message
/// contains [`EXPECTED`] and prints every other panic as the default hook does.
pub fn quiet_expected_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let message = panic_text(info.payload());
            if !message.is_some_and(|m| m.contains(EXPECTED)) {
                default(info);
            }
        }));
    });
}

/// The message of a panic payload that is a string.
pub fn panic_text(payload: &(dyn Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<&'static str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}

/// Runs `f`, expects it to panic, and returns the panic's message.
pub fn expect_panic<R>(what: &str, f: impl FnOnce() -> R) -> String {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(_) => panic!("{what}: expected a panic, got a value"),
        Err(payload) => panic_text(&*payload)
            .unwrap_or("<non-string payload>")
            .to_owned(),
    }
}

/// Sets its flag when dropped: proves a future or closure was dropped.
pub struct DropFlag(pub Arc<AtomicBool>);

impl DropFlag {
    /// A flag (still clear) and the guard that sets it.
    pub fn new() -> (Arc<AtomicBool>, DropFlag) {
        let flag = Arc::new(AtomicBool::new(false));
        (flag.clone(), DropFlag(flag))
    }
}

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, SeqCst);
    }
}

/// Counts live values: `new` increments the shared counter, `drop` decrements it.
pub struct Alive(Arc<AtomicUsize>);

impl Alive {
    /// A new guard, counted in `counter`.
    pub fn new(counter: &Arc<AtomicUsize>) -> Alive {
        counter.fetch_add(1, SeqCst);
        Alive(counter.clone())
    }
}

impl Drop for Alive {
    fn drop(&mut self) {
        self.0.fetch_sub(1, SeqCst);
    }
}

/// What a recording exception handler saw: one `Display` line per report.
#[derive(Clone, Default)]
pub struct Reports(Arc<Mutex<Vec<Report>>>);

/// One call of the exception handler.
#[derive(Clone, Debug)]
pub struct Report {
    /// `ExceptionContext::message`.
    pub message: String,
    /// `ExceptionContext::panic_message`.
    pub panic: Option<String>,
    /// `ExceptionContext::task_name`.
    pub task: Option<String>,
}

impl Reports {
    /// A handler for `Builder::exception_handler` that records into `self`.
    pub fn handler(&self) -> impl Fn(&ExceptionContext<'_>) + Send + Sync + 'static {
        let reports = self.0.clone();
        move |cx: &ExceptionContext<'_>| {
            reports.lock().unwrap().push(Report {
                message: cx.message().to_owned(),
                panic: cx.panic_message().map(str::to_owned),
                task: cx.task_name().map(str::to_owned),
            });
        }
    }

    /// A copy of the reports so far.
    pub fn all(&self) -> Vec<Report> {
        self.0.lock().unwrap().clone()
    }
}

struct NoopWake;

impl Wake for NoopWake {
    fn wake(self: Arc<Self>) {}
}

/// Polls `future` once with a waker that does nothing.
pub fn poll_once<F: Future>(future: F) -> Poll<F::Output> {
    let waker = Waker::from(Arc::new(NoopWake));
    let mut cx = Context::from_waker(&waker);
    pin!(future).poll(&mut cx)
}
