//! `QueueJoin`: the future of `queue.join()`.

use super::core::GenericQueue;
use super::Buffer;
use crate::wait_list::WaiterKey;
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The future of [`GenericQueue::join`]: ready once every item put has been marked done.
///
/// Like asyncio's, it returns once the count of unfinished items reached zero while it
/// waited, even if new items were put before it ran again.
#[must_use = "futures do nothing unless awaited"]
pub struct QueueJoin<'a, T, B: Buffer<T> = VecDeque<T>> {
    queue: &'a GenericQueue<T, B>,
    key: Option<WaiterKey>,
}

impl<'a, T, B: Buffer<T>> QueueJoin<'a, T, B> {
    pub(super) fn new(queue: &'a GenericQueue<T, B>) -> Self {
        QueueJoin { queue, key: None }
    }
}

impl<T, B: Buffer<T>> Future for QueueJoin<'_, T, B> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let mut state = this.queue.lock();
        match &this.key {
            Some(key) => match state.joiners.take(key) {
                Some(()) => {
                    this.key = None;
                    Poll::Ready(())
                }
                None => {
                    state.joiners.update_waker(key, cx.waker());
                    Poll::Pending
                }
            },
            None if state.unfinished == 0 => Poll::Ready(()),
            None => {
                this.key = Some(state.joiners.push(cx.waker().clone()));
                Poll::Pending
            }
        }
    }
}

impl<T, B: Buffer<T>> Drop for QueueJoin<'_, T, B> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            // Every joiner is woken at once: a token has no one to pass to.
            let _ = self.queue.lock().joiners.remove(key);
        }
    }
}

impl<T, B: Buffer<T>> fmt::Debug for QueueJoin<'_, T, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueueJoin")
            .field("queued", &self.key.is_some())
            .finish()
    }
}
