//! `QueuePut`: the future of `queue.put(item)`.
//!
//! The item stays in the future until the locked step that stores it, so a dropped `QueuePut`
//! simply drops its item (it never entered the queue). Dropped holding a wake-up token (a
//! slot was freed for it), it passes the token on to the next putter.

use super::core::{wake, GenericQueue};
use super::error::PutNowaitError;
use super::{Buffer, QueueShutDown};
use crate::wait_list::WaiterKey;
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The future of [`GenericQueue::put`]: `Ok(())` once the item is in the queue, or
/// [`QueueShutDown`] with the item handed back. Dropping it gives up its place in line (the
/// item is dropped with it, never having entered the queue).
#[must_use = "futures do nothing unless awaited"]
pub struct QueuePut<'a, T, B: Buffer<T> = VecDeque<T>> {
    queue: &'a GenericQueue<T, B>,
    /// `None` once the future has completed.
    item: Option<T>,
    /// Our node in the putters' list while we wait.
    key: Option<WaiterKey>,
}

// The item is never pinned: it is moved into the queue or handed back.
impl<T, B: Buffer<T>> Unpin for QueuePut<'_, T, B> {}

impl<'a, T, B: Buffer<T>> QueuePut<'a, T, B> {
    pub(super) fn new(queue: &'a GenericQueue<T, B>, item: T) -> Self {
        QueuePut {
            queue,
            item: Some(item),
            key: None,
        }
    }
}

impl<T, B: Buffer<T>> Future for QueuePut<'_, T, B> {
    type Output = Result<(), QueueShutDown<T>>;

    /// # Panics
    /// If polled again after it completed.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let mut state = this.queue.lock();
        if let Some(key) = &this.key {
            if state.putters.take(key).is_none() {
                state.putters.update_waker(key, cx.waker());
                return Poll::Pending;
            }
            this.key = None;
        }
        let item = this
            .item
            .take()
            .expect("`QueuePut` polled after completion");
        match this.queue.try_put(&mut state, item) {
            Ok(getter) => {
                drop(state);
                wake(getter);
                Poll::Ready(Ok(()))
            }
            Err(PutNowaitError::ShutDown(e)) => Poll::Ready(Err(e)),
            Err(PutNowaitError::Full(e)) => {
                this.item = Some(e.into_inner());
                this.key = Some(state.putters.push(cx.waker().clone()));
                Poll::Pending
            }
        }
    }
}

impl<T, B: Buffer<T>> Drop for QueuePut<'_, T, B> {
    fn drop(&mut self) {
        let Some(key) = self.key.take() else { return };
        let mut state = self.queue.lock();
        let next = match state.putters.remove(key) {
            Some(()) => self.queue.pass_on_put(&mut state),
            None => None,
        };
        drop(state);
        wake(next);
    }
}

impl<T, B: Buffer<T>> fmt::Debug for QueuePut<'_, T, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueuePut")
            .field("queued", &self.key.is_some())
            .field("done", &self.item.is_none())
            .finish()
    }
}
