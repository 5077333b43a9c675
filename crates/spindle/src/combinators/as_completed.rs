//! `as_completed`: a stream of task outputs in the order the tasks finish.

use super::task_set::TaskSet;
use crate::{Task, TaskError};
use futures_core::Stream;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Yields the outcome of each of `tasks` as it finishes: asyncio's `as_completed(aws)`.
///
/// The [`AsCompleted`] stream yields `Result<T, TaskError>` (the value, or why there is none)
/// in completion order, then ends. asyncio yields awaitables to await; here the outcome
/// itself comes out, already awaited. Tasks already done when the stream is created come first,
/// in input order.
///
/// Dropping the stream drops the handles it still holds, which detaches those tasks (as
/// asyncio's `as_completed` leaves them running); [`AsCompleted::into_pending`] hands them back
/// instead, to cancel or await.
///
/// ```
/// # #[cfg(feature = "scheduler")] {
/// use std::future::poll_fn;
/// use std::pin::Pin;
/// use futures_core::Stream;
///
/// spindle::run(async {
///     let gate = spindle::Promise::<()>::new();
///     let waits = spindle::spawn({
///         let gate = gate.clone();
///         async move { gate.await.unwrap(); "second" }
///     });
///     let quick = spindle::spawn(async { "first" });
///     let mut stream = spindle::as_completed([waits, quick]);
///     let mut order = Vec::new();
///     // `waits` cannot finish before the gate opens: the quick task comes out first.
///     let first = poll_fn(|cx| Pin::new(&mut stream).poll_next(cx)).await;
///     order.push(first.unwrap().unwrap());
///     gate.set_result(()).unwrap();
///     while let Some(out) = poll_fn(|cx| Pin::new(&mut stream).poll_next(cx)).await {
///         order.push(out.unwrap());
///     }
///     assert_eq!(order, ["first", "second"]);
/// });
/// # }
/// ```
pub fn as_completed<T, I>(tasks: I) -> AsCompleted<T>
where
    I: IntoIterator<Item = Task<T>>,
    T: Send + 'static,
{
    let tasks = tasks.into_iter();
    let mut set = TaskSet::with_capacity(tasks.size_hint().0);
    for task in tasks {
        set.push(task);
    }
    AsCompleted { set }
}

/// The stream of [`as_completed`].
#[must_use = "streams do nothing unless polled"]
pub struct AsCompleted<T> {
    set: TaskSet<T>,
}

impl<T> Unpin for AsCompleted<T> {}

impl<T> AsCompleted<T> {
    /// How many outcomes are still to come.
    pub fn remaining(&self) -> usize {
        self.set.remaining()
    }

    /// The tasks whose outcome was not yielded yet, in input order, still running.
    pub fn into_pending(mut self) -> Vec<Task<T>> {
        self.set.take_pending()
    }
}

impl<T> Stream for AsCompleted<T> {
    type Item = Result<T, TaskError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.set
            .poll_next(cx)
            .map(|next| next.map(|(_, output)| output))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.set.remaining();
        (n, Some(n))
    }
}

impl<T> fmt::Debug for AsCompleted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsCompleted")
            .field("remaining", &self.set.remaining())
            .finish()
    }
}
