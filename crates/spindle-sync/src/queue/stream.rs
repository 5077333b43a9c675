//! `QueueStream`: a queue's items as a `futures_core::Stream`, for `async for`.

use super::{Buffer, GenericQueue, QueueGet};
use futures_core::Stream;
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The stream of [`GenericQueue::stream`]: yields items until the queue is shut down and
/// empty, then ends (and stays ended: a shut-down queue takes no new items).
///
/// Dropping it between items, or while it waits, loses no item.
#[must_use = "streams do nothing unless polled"]
pub struct QueueStream<'a, T, B: Buffer<T> = VecDeque<T>> {
    /// One `QueueGet`, polled again for each item: after it returns, it holds no place in line
    /// and starts afresh.
    get: QueueGet<'a, T, B>,
}

impl<'a, T, B: Buffer<T>> QueueStream<'a, T, B> {
    pub(super) fn new(queue: &'a GenericQueue<T, B>) -> Self {
        QueueStream { get: queue.get() }
    }
}

impl<T, B: Buffer<T>> Stream for QueueStream<'_, T, B> {
    type Item = T;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        Pin::new(&mut self.get).poll(cx).map(Result::ok)
    }
}

impl<T, B: Buffer<T>> fmt::Debug for QueueStream<'_, T, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueueStream")
            .field("get", &self.get)
            .finish()
    }
}
