//! What the combinator tests share: the two loop flavours every test runs on, a watchdog that
//! turns a hang into a failure, and probes (drop signals, gates, expected panics).
//!
//! Tests order events with `Promise`s, never by sleeping; the only sleeps are the timeouts of
//! the timeout tests themselves, where time *is* the behaviour.

#![allow(dead_code)]

use futures_core::Stream;
use spindle::{EventLoop, Promise};
use std::any::Any;
use std::future::{poll_fn, Future};
use std::panic::resume_unwind;
use std::pin::Pin;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Once};
use std::thread;
use std::time::Duration;

/// Every test body must finish within this (a hang or a lost wake-up becomes a failure).
pub const WATCHDOG: Duration = Duration::from_secs(20);

/// Marker in the message of every panic a test provokes on purpose; the panic hook installed by
/// [`on_each_loop`] keeps quiet about those.
pub const EXPECTED: &str = "[expected test panic]";

/// Runs the future made by `body` to completion on a current-thread loop (asyncio's exact
/// order) and on a loop with two workers (real parallelism), each under the watchdog.
pub fn on_each_loop<F, Fut>(body: F)
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()>,
{
    let body = Arc::new(body);
    for flavour in ["current-thread", "2 workers"] {
        let body = body.clone();
        bounded(flavour, move || {
            let lp = loop_of(flavour);
            lp.run_until_complete(body());
            lp.close();
        });
    }
}

/// Only the two-worker loop: for behaviour that needs two tasks running at the same instant.
pub fn on_two_workers<F, Fut>(body: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()>,
{
    bounded("2 workers", move || {
        let lp = loop_of("2 workers");
        lp.run_until_complete(body());
        lp.close();
    });
}

fn loop_of(flavour: &str) -> EventLoop {
    quiet_expected_panics();
    let builder = match flavour {
        "current-thread" => EventLoop::builder().current_thread(),
        _ => EventLoop::builder().worker_threads(2),
    };
    builder.build().expect("build the loop")
}

/// Runs `f` on its own thread; panics naming `what` if it does not finish within
/// [`WATCHDOG`], and re-raises its panic if it panicked.
fn bounded(what: &str, f: impl FnOnce() + Send + 'static) {
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let body = thread::Builder::new()
        .name(format!("test on {what}"))
        .spawn(move || {
            f();
            drop(done_tx);
        })
        .expect("spawn the test body's thread");
    match done_rx.recv_timeout(WATCHDOG) {
        Ok(()) | Err(RecvTimeoutError::Disconnected) => {
            if let Err(panic) = body.join() {
                eprintln!("failed on the {what} loop");
                resume_unwind(panic)
            }
        }
        Err(RecvTimeoutError::Timeout) => {
            panic!(
                "on the {what} loop: did not finish within {WATCHDOG:?} (a hang or a lost wake-up)"
            )
        }
    }
}

fn quiet_expected_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !panic_text(info.payload()).is_some_and(|m| m.contains(EXPECTED)) {
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

/// A one-shot signal: `open` it from anywhere, `wait` for it in a task.
#[derive(Clone)]
pub struct Gate(Promise<()>);

impl Gate {
    /// A closed gate.
    pub fn new() -> Gate {
        Gate(Promise::new())
    }

    /// Opens the gate (idempotent).
    pub fn open(&self) {
        let _ = self.0.set_result(());
    }

    /// `true` once opened.
    pub fn is_open(&self) -> bool {
        self.0.is_done()
    }

    /// Waits until the gate is opened.
    pub async fn wait(&self) {
        self.0.clone().await.expect("gates are never cancelled");
    }
}

/// Opens its gate when dropped: proves a future was dropped (cancelled), and lets a test wait
/// for that without sleeping.
pub struct OpenOnDrop(pub Gate);

impl Drop for OpenOnDrop {
    fn drop(&mut self) {
        self.0.open();
    }
}

/// A future that never finishes and opens the returned gate when it is dropped.
pub fn pending_until_dropped() -> (Gate, impl Future<Output = ()> + Send + 'static) {
    let dropped = Gate::new();
    let guard = OpenOnDrop(dropped.clone());
    (dropped, async move {
        let _guard = guard;
        std::future::pending::<()>().await
    })
}

/// The next item of a stream.
pub async fn next<S: Stream + Unpin>(stream: &mut S) -> Option<S::Item> {
    poll_fn(|cx| Pin::new(&mut *stream).poll_next(cx)).await
}
