//! Callbacks and blocking calls as futures, so that they ride on the task machinery: one
//! allocation, cancellable before they start, counted in the same state word.

use crate::context;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

/// `call_soon(f)`: runs `f` once; a panic goes to the loop's exception handler, not to a
/// `Task` (a callback has no awaiter).
pub(crate) struct Callback<F>(pub(crate) Option<F>);

// `F` is never pinned: it is moved out and called.
impl<F> Unpin for Callback<F> {}

impl<F: FnOnce() + Send + 'static> Future for Callback<F> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        if let Some(f) = self.get_mut().0.take() {
            if let Err(payload) = catch_unwind(AssertUnwindSafe(f)) {
                match context::shared() {
                    Some(shared) => shared.report("a callback panicked", Some(&*payload), None),
                    None => eprintln!("spindle: a callback panicked outside its loop"),
                }
            }
        }
        Poll::Ready(())
    }
}

/// `run_in_executor(f)` / `to_thread(f)`: runs `f` once on a blocking-pool thread; a panic
/// becomes the task's `TaskError::Panicked`.
pub(crate) struct Blocking<F>(pub(crate) Option<F>);

// `F` is never pinned: it is moved out and called.
impl<F> Unpin for Blocking<F> {}

impl<F: FnOnce() -> R + Send + 'static, R> Future for Blocking<F> {
    type Output = R;

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<R> {
        let f = self
            .get_mut()
            .0
            .take()
            .expect("a blocking task is polled once");
        Poll::Ready(f())
    }
}
