//! A single-slot channel for one sender and one receiver, the same code on every runtime.
//!
//! The workloads need a message passed from one task to another and the receiver woken: what
//! a oneshot does, but reusable, so a ping-pong pair keeps one channel per direction. It is
//! written here, on `std` alone, so that no runtime gets its own (faster or slower) channel:
//! a mutex around the slot and the receiver's waker, nothing clever.
//!
//! The slot holds one message. Sending into a full slot is a protocol error of the workload
//! (each side waits for the answer before it sends again) and panics rather than queues.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

/// What the two halves share.
struct Slot<T> {
    /// The message sent and not yet received.
    value: Option<T>,
    /// The receiver waiting for a message, if it waits.
    waker: Option<Waker>,
    /// The sender is gone: no message will come after `value`.
    closed: bool,
}

/// The sending half of [`channel`].
pub struct Sender<T> {
    slot: Arc<Mutex<Slot<T>>>,
}

/// The receiving half of [`channel`].
pub struct Receiver<T> {
    slot: Arc<Mutex<Slot<T>>>,
}

/// A new, empty channel.
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let slot = Arc::new(Mutex::new(Slot {
        value: None,
        waker: None,
        closed: false,
    }));
    (Sender { slot: slot.clone() }, Receiver { slot })
}

fn lock<T>(slot: &Mutex<Slot<T>>) -> MutexGuard<'_, Slot<T>> {
    // A panic while the lock is held leaves the slot consistent (every update is one store).
    slot.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<T> Sender<T> {
    /// Puts `value` in the slot and wakes the receiver.
    ///
    /// # Panics
    /// If the previous message has not been received yet.
    pub fn send(&self, value: T) {
        let waker = {
            let mut slot = lock(&self.slot);
            assert!(slot.value.is_none(), "mailbox: sent into a full slot");
            slot.value = Some(value);
            slot.waker.take()
        };
        // Woken outside the lock: the receiver may run at once on another thread.
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let waker = {
            let mut slot = lock(&self.slot);
            slot.closed = true;
            slot.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T> Receiver<T> {
    /// Waits for the next message; `None` once the sender is dropped and the slot is empty
    /// (a task of the workload panicked, say).
    pub fn recv(&mut self) -> Recv<'_, T> {
        Recv { receiver: self }
    }
}

/// The future of [`Receiver::recv`].
#[must_use = "futures do nothing unless awaited"]
pub struct Recv<'a, T> {
    receiver: &'a mut Receiver<T>,
}

impl<T> Future for Recv<'_, T> {
    type Output = Option<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut slot = lock(&self.receiver.slot);
        if let Some(value) = slot.value.take() {
            return Poll::Ready(Some(value));
        }
        if slot.closed {
            return Poll::Ready(None);
        }
        match &mut slot.waker {
            Some(waker) => waker.clone_from(cx.waker()),
            none => *none = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::channel;

    #[test]
    fn delivers_in_turn_then_reports_the_closed_sender() {
        let (tx, mut rx) = channel();
        smol::block_on(async move {
            let tx = tx;
            tx.send(1);
            assert_eq!(rx.recv().await, Some(1));
            tx.send(2);
            drop(tx);
            assert_eq!(rx.recv().await, Some(2));
            assert_eq!(rx.recv().await, None);
        });
    }
}
