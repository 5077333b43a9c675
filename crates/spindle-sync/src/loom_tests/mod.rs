//! Loom models of the cross-thread paths of the synchronisation primitives: the code that
//! ships runs here, its mutexes switched to loom's by `crate::loom`.
//!
//! Run with `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=3 cargo test -p spindle-sync --lib
//! --release`. Futures are driven by [`block_on`] (its waker unparks a loom thread, so a lost
//! wake-up is a loom deadlock) or polled once by hand with a no-op waker to put a waiter in the
//! queue before the threads start.

mod event;
mod lock;

use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::Arc as StdArc;
use std::task::{Context, Poll, Wake, Waker};

/// Wakes by unparking a loom thread (loom's park keeps one token, like std's). The `Arc`
/// around it is std's, as `Wake` requires; it holds no loom object but the thread handle.
struct Unparker(loom::thread::Thread);

impl Wake for Unparker {
    fn wake(self: StdArc<Self>) {
        self.0.unpark();
    }
}

/// Drives `future` to completion on the current loom thread, parking while it is pending
/// (the workspace's loom has no `futures` feature, hence no `loom::future::block_on`).
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let waker = Waker::from(StdArc::new(Unparker(loom::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        loom::thread::park();
    }
}

/// A future that can move to another loom thread half-way through.
type BoxFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Polls `future` once with a waker that does nothing (the caller re-polls it later with a
/// real one, or drops it).
fn poll_once(future: &mut BoxFuture) -> Poll<()> {
    future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
}

/// Returns `Pending` once (waking itself), then `Ready`: a suspension point.
struct YieldOnce(bool);

impl Future for YieldOnce {
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
