//! `queue_4p1c`: producers and one consumer through a bounded queue.
//!
//! Measures a bounded multi-producer queue under back-pressure: with more producers than the
//! consumer can keep up with, the queue stays full, so most puts wait for a slot and most gets
//! wake a waiting producer. The code is written once over [`Channel`]; each implementation
//! adds only the unwrapping of its `Result`s.

use crate::Spawner;
use std::future::Future;
use std::sync::Arc;

/// A bounded multi-producer queue of `u64`s, as [`run`] uses it.
pub trait Channel: 'static {
    /// The producers' end; one clone per producer.
    type Sender: Clone + Send + 'static;
    /// The consumer's end.
    type Receiver: Send + 'static;

    /// The implementation's name in the results.
    const NAME: &'static str;

    /// A queue holding at most `capacity` items.
    fn bounded(capacity: usize) -> (Self::Sender, Self::Receiver);

    /// Puts `item`, waiting while the queue is full.
    fn send(sender: &Self::Sender, item: u64) -> impl Future<Output = ()> + Send;

    /// Takes the oldest item, waiting while the queue is empty.
    fn recv(receiver: &mut Self::Receiver) -> impl Future<Output = u64> + Send;
}

/// `spindle::sync::Queue` (asyncio's `Queue`), shared by both ends in an `Arc`.
#[derive(Debug, Clone, Copy)]
pub struct SpindleQueue;

impl Channel for SpindleQueue {
    type Sender = Arc<spindle::sync::Queue<u64>>;
    type Receiver = Arc<spindle::sync::Queue<u64>>;
    const NAME: &'static str = "spindle::sync::Queue";

    fn bounded(capacity: usize) -> (Self::Sender, Self::Receiver) {
        let queue = Arc::new(spindle::sync::Queue::new(capacity));
        (queue.clone(), queue)
    }

    async fn send(sender: &Self::Sender, item: u64) {
        if sender.put(item).await.is_err() {
            panic!("queue_4p1c: the queue was shut down");
        }
    }

    async fn recv(receiver: &mut Self::Receiver) -> u64 {
        receiver
            .get()
            .await
            .expect("queue_4p1c: the queue was shut down")
    }
}

/// `tokio::sync::mpsc::channel`.
#[derive(Debug, Clone, Copy)]
pub struct TokioMpsc;

impl Channel for TokioMpsc {
    type Sender = tokio::sync::mpsc::Sender<u64>;
    type Receiver = tokio::sync::mpsc::Receiver<u64>;
    const NAME: &'static str = "tokio::sync::mpsc";

    fn bounded(capacity: usize) -> (Self::Sender, Self::Receiver) {
        tokio::sync::mpsc::channel(capacity)
    }

    async fn send(sender: &Self::Sender, item: u64) {
        if sender.send(item).await.is_err() {
            panic!("queue_4p1c: the receiver is gone");
        }
    }

    async fn recv(receiver: &mut Self::Receiver) -> u64 {
        receiver
            .recv()
            .await
            .expect("queue_4p1c: every sender is gone")
    }
}

/// `async_channel::bounded`, smol's channel (`smol::channel`).
#[derive(Debug, Clone, Copy)]
pub struct AsyncChannel;

impl Channel for AsyncChannel {
    type Sender = async_channel::Sender<u64>;
    type Receiver = async_channel::Receiver<u64>;
    const NAME: &'static str = "async_channel::bounded";

    fn bounded(capacity: usize) -> (Self::Sender, Self::Receiver) {
        async_channel::bounded(capacity)
    }

    async fn send(sender: &Self::Sender, item: u64) {
        if sender.send(item).await.is_err() {
            panic!("queue_4p1c: the receiver is gone");
        }
    }

    async fn recv(receiver: &mut Self::Receiver) -> u64 {
        receiver
            .recv()
            .await
            .expect("queue_4p1c: every sender is gone")
    }
}

/// Spawns one consumer and `producers` producers on a queue of `capacity`; each producer puts
/// `per_producer` distinct numbers, the consumer takes `producers x per_producer` items and
/// adds them up. Awaits every task.
///
/// # Panics
/// If the consumer's sum is not the sum of the numbers put (an item lost or duplicated).
pub async fn run<S: Spawner, C: Channel>(
    spawner: S,
    producers: usize,
    per_producer: usize,
    capacity: usize,
) {
    let (sender, mut receiver) = C::bounded(capacity);
    let total = (producers * per_producer) as u64;
    let consumer = spawner.spawn(async move {
        let mut sum = 0u64;
        for _ in 0..total {
            sum += C::recv(&mut receiver).await;
        }
        sum
    });
    let handles: Vec<_> = (0..producers as u64)
        .map(|producer| {
            let sender = sender.clone();
            let first = producer * per_producer as u64;
            spawner.spawn(async move {
                for item in first..first + per_producer as u64 {
                    C::send(&sender, item).await;
                }
            })
        })
        .collect();
    drop(sender);
    for handle in handles {
        handle.await;
    }
    let sum = consumer.await;
    assert_eq!(
        sum,
        total * total.saturating_sub(1) / 2,
        "queue_4p1c: {} lost or duplicated an item",
        C::NAME
    );
}
