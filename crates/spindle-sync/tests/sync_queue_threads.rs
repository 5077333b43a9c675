//! Many producers and consumers on threads: every item is received exactly once and `qsize`
//! never exceeds `maxsize`. Run on spindle's 2-worker loop (spawned tasks in parallel) and
//! on plain threads each driving `futures_lite::block_on`.

mod queue_common;

use queue_common::{bounded, on_two_workers};
use spindle_sync::Queue;
use std::sync::Arc;

const PRODUCERS: usize = 4;
const CONSUMERS: usize = 2;
const PER_PRODUCER: usize = 2_000;
/// Small, so that producers block on a full queue again and again.
const MAXSIZE: usize = 3;

/// A producer's items: `PER_PRODUCER` distinct numbers.
async fn produce(queue: Arc<Queue<usize>>, producer: usize) {
    for n in 0..PER_PRODUCER {
        queue.put(producer * PER_PRODUCER + n).await.unwrap();
        assert!(queue.qsize() <= MAXSIZE, "qsize exceeded maxsize");
    }
}

/// Gets until the queue is shut down and empty; returns what it got.
async fn consume(queue: Arc<Queue<usize>>) -> Vec<usize> {
    let mut got = Vec::new();
    while let Ok(item) = queue.get().await {
        assert!(queue.qsize() <= MAXSIZE, "qsize exceeded maxsize");
        got.push(item);
        queue.task_done().unwrap();
    }
    got
}

fn assert_each_item_once(mut received: Vec<usize>) {
    received.sort_unstable();
    assert_eq!(received, (0..PRODUCERS * PER_PRODUCER).collect::<Vec<_>>());
}

#[test]
fn producers_and_consumers_on_two_workers_exchange_every_item_once() {
    on_two_workers(|| async {
        let queue = Arc::new(Queue::new(MAXSIZE));
        let producers: Vec<_> = (0..PRODUCERS)
            .map(|p| spindle_scheduler::spawn(produce(queue.clone(), p)))
            .collect();
        let consumers: Vec<_> = (0..CONSUMERS)
            .map(|_| spindle_scheduler::spawn(consume(queue.clone())))
            .collect();
        for producer in producers {
            producer.await.unwrap();
        }
        queue.join().await;
        queue.shutdown(false);
        let mut received = Vec::new();
        for consumer in consumers {
            received.extend(consumer.await.unwrap());
        }
        assert_each_item_once(received);
    });
}

#[test]
fn producers_and_consumers_on_block_on_threads_exchange_every_item_once() {
    bounded("threads running futures_lite::block_on", || {
        let queue = Arc::new(Queue::new(MAXSIZE));
        let producers: Vec<_> = (0..PRODUCERS)
            .map(|p| {
                let queue = queue.clone();
                std::thread::spawn(move || futures_lite::future::block_on(produce(queue, p)))
            })
            .collect();
        let consumers: Vec<_> = (0..CONSUMERS)
            .map(|_| {
                let queue = queue.clone();
                std::thread::spawn(move || futures_lite::future::block_on(consume(queue)))
            })
            .collect();
        for producer in producers {
            producer.join().unwrap();
        }
        futures_lite::future::block_on(queue.join());
        queue.shutdown(false);
        let received = consumers
            .into_iter()
            .flat_map(|consumer| consumer.join().unwrap())
            .collect();
        assert_each_item_once(received);
    });
}
