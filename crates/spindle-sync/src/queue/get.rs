//! `QueueGet`: the future of `queue.get()`.
//!
//! It never holds an item while pending: the item leaves the buffer in the same locked step
//! that returns it, so a dropped `QueueGet` cannot lose one. What it can hold is a wake-up token;
//! dropped with one, it passes the token on to the next getter.

use super::core::{wake, GenericQueue};
use super::error::{GetNowaitError, QueueShutDown};
use super::Buffer;
use crate::wait_list::WaiterKey;
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The future of [`GenericQueue::get`]: an item, or [`QueueShutDown`] once the queue is shut
/// down and empty. Dropping it gives up its place in line and loses no item.
#[must_use = "futures do nothing unless awaited"]
pub struct QueueGet<'a, T, B: Buffer<T> = VecDeque<T>> {
    queue: &'a GenericQueue<T, B>,
    /// Our node in the getters' list while we wait.
    key: Option<WaiterKey>,
}

impl<'a, T, B: Buffer<T>> QueueGet<'a, T, B> {
    pub(super) fn new(queue: &'a GenericQueue<T, B>) -> Self {
        QueueGet { queue, key: None }
    }
}

impl<T, B: Buffer<T>> Future for QueueGet<'_, T, B> {
    type Output = Result<T, QueueShutDown>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let mut state = this.queue.lock();
        if let Some(key) = &this.key {
            if state.getters.take(key).is_none() {
                state.getters.update_waker(key, cx.waker());
                return Poll::Pending;
            }
            // Woken: our node is freed; look again.
            this.key = None;
        }
        match this.queue.try_get(&mut state) {
            Ok((item, putter)) => {
                drop(state);
                wake(putter);
                Poll::Ready(Ok(item))
            }
            Err(GetNowaitError::ShutDown(e)) => Poll::Ready(Err(e)),
            Err(GetNowaitError::Empty(_)) => {
                this.key = Some(state.getters.push(cx.waker().clone()));
                Poll::Pending
            }
        }
    }
}

impl<T, B: Buffer<T>> Drop for QueueGet<'_, T, B> {
    fn drop(&mut self) {
        let Some(key) = self.key.take() else { return };
        let mut state = self.queue.lock();
        let next = match state.getters.remove(key) {
            Some(()) => self.queue.pass_on_get(&mut state),
            None => None,
        };
        drop(state);
        wake(next);
    }
}

impl<T, B: Buffer<T>> fmt::Debug for QueueGet<'_, T, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueueGet")
            .field("queued", &self.key.is_some())
            .finish()
    }
}
