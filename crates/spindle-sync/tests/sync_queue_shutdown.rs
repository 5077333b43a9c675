//! `shutdown(immediate)` (asyncio 3.13) and the `Stream` that ends with it. Every test runs
//! under spindle's loop and under `futures_lite::block_on`.

mod queue_common;

use futures_lite::StreamExt;
use queue_common::{concurrently, on_each_executor, task, yield_now, Probe};
use spindle_sync::{GetNowaitError, PutNowaitError, Queue, QueueShutDown};
use std::sync::{Arc, Mutex};
use std::task::Poll;

#[test]
fn after_shutdown_gets_drain_the_remaining_items_then_fail() {
    on_each_executor(|| async {
        let queue = Queue::new(0);
        for item in 1..=3 {
            queue.put(item).await.unwrap();
        }
        queue.shutdown(false);
        assert_eq!(queue.get().await, Ok(1));
        assert_eq!(queue.get_nowait(), Ok(2));
        assert_eq!(queue.get().await, Ok(3));
        assert_eq!(queue.get().await, Err(QueueShutDown(())));
        assert_eq!(
            queue.get_nowait(),
            Err(GetNowaitError::ShutDown(QueueShutDown(())))
        );
    });
}

#[test]
fn after_shutdown_puts_fail_and_hand_the_item_back() {
    on_each_executor(|| async {
        let queue = Queue::new(0);
        queue.shutdown(false);
        let refused = queue.put(String::from("late")).await.unwrap_err();
        assert_eq!(refused.into_inner(), "late");
        let refused = queue.put_nowait(String::from("later")).unwrap_err();
        assert!(refused.is_shutdown());
        assert_eq!(refused.into_inner(), "later");
        assert!(queue.empty());
    });
}

#[test]
fn shutdown_wakes_waiting_getters_with_queue_shutdown() {
    on_each_executor(|| async {
        let queue: Queue<u8> = Queue::new(0);
        let probes = [Probe::new(), Probe::new()];
        let mut gets = [queue.get(), queue.get()];
        for (get, probe) in gets.iter_mut().zip(&probes) {
            assert!(probe.poll(get).is_pending());
        }
        queue.shutdown(false);
        for (get, probe) in gets.iter_mut().zip(&probes) {
            assert_eq!(probe.woken(), 1);
            assert_eq!(probe.poll(get), Poll::Ready(Err(QueueShutDown(()))));
        }
    });
}

#[test]
fn shutdown_wakes_waiting_putters_and_hands_their_items_back() {
    for immediate in [false, true] {
        on_each_executor(move || async move {
            let queue = Queue::new(1);
            queue.put(0).await.unwrap();
            let probe = Probe::new();
            let mut put = queue.put(1);
            assert!(probe.poll(&mut put).is_pending());
            queue.shutdown(immediate);
            assert_eq!(probe.woken(), 1);
            assert_eq!(probe.poll(&mut put), Poll::Ready(Err(QueueShutDown(1))));
        });
    }
}

#[test]
fn immediate_shutdown_drops_the_items_and_counts_them_done() {
    on_each_executor(|| async {
        let queue = Queue::new(0);
        let item = Arc::new(());
        for _ in 0..3 {
            queue.put(item.clone()).await.unwrap();
        }
        let got = queue.get().await.unwrap(); // one item is being processed
        let probe = Probe::new();
        let mut join = queue.join();
        assert!(probe.poll(&mut join).is_pending());

        queue.shutdown(true);
        assert_eq!(
            Arc::strong_count(&item),
            2,
            "the two queued items were dropped"
        );
        assert_eq!(queue.qsize(), 0);
        assert!(
            probe.poll(&mut join).is_pending(),
            "the item got is not done yet"
        );
        drop(got);
        queue.task_done().unwrap();
        assert_eq!(probe.woken(), 1);
        assert_eq!(probe.poll(&mut join), Poll::Ready(()));
        assert!(
            queue.task_done().is_err(),
            "the dropped items were counted done"
        );
    });
}

#[test]
fn immediate_shutdown_wakes_join_when_nothing_was_got() {
    on_each_executor(|| async {
        let queue = Queue::new(0);
        queue.put("never got").await.unwrap();
        let probe = Probe::new();
        let mut join = queue.join();
        assert!(probe.poll(&mut join).is_pending());
        queue.shutdown(true);
        assert_eq!(probe.woken(), 1);
        assert_eq!(probe.poll(&mut join), Poll::Ready(()));
        assert_eq!(queue.get().await, Err(QueueShutDown(())));
    });
}

#[test]
fn immediate_shutdown_wakes_waiting_getters_with_queue_shutdown() {
    on_each_executor(|| async {
        let queue = Arc::new(Queue::<u8>::new(0));
        let outcomes = Arc::new(Mutex::new(Vec::new()));
        let mut tasks: Vec<_> = (0..2)
            .map(|_| {
                let (queue, outcomes) = (queue.clone(), outcomes.clone());
                task(async move {
                    let outcome = queue.get().await;
                    outcomes.lock().unwrap().push(outcome);
                })
            })
            .collect();
        let closer = queue.clone();
        tasks.push(task(async move {
            yield_now().await;
            closer.shutdown(true);
        }));
        concurrently(tasks).await;
        assert_eq!(*outcomes.lock().unwrap(), [Err(QueueShutDown(())); 2]);
    });
}

#[test]
fn the_stream_yields_items_then_ends_after_shutdown() {
    on_each_executor(|| async {
        let queue = Arc::new(Queue::new(2));
        let received = Arc::new(Mutex::new(Vec::new()));
        let consumer = {
            let (queue, received) = (queue.clone(), received.clone());
            task(async move {
                let mut items = queue.stream();
                while let Some(item) = items.next().await {
                    received.lock().unwrap().push(item);
                }
                assert_eq!(items.next().await, None, "the stream stays ended");
            })
        };
        let producer = {
            let queue = queue.clone();
            task(async move {
                for item in 0..10 {
                    queue.put(item).await.unwrap();
                }
                queue.shutdown(false);
            })
        };
        concurrently(vec![consumer, producer]).await;
        assert_eq!(*received.lock().unwrap(), (0..10).collect::<Vec<_>>());
    });
}

#[test]
fn a_stream_dropped_while_waiting_loses_no_item() {
    on_each_executor(|| async {
        let queue = Queue::new(0);
        let probe = Probe::new();
        let mut stream = queue.stream();
        assert_eq!(probe.poll(&mut stream.next()), Poll::Pending);
        queue.put(5).await.unwrap();
        assert_eq!(probe.woken(), 1);
        drop(stream);
        assert_eq!(queue.get().await, Ok(5));
    });
}

#[test]
fn shutdown_twice_is_harmless_and_immediate_drops_what_is_left() {
    on_each_executor(|| async {
        let queue = Queue::new(0);
        queue.put(1).await.unwrap();
        queue.put(2).await.unwrap();
        queue.shutdown(false);
        queue.shutdown(false);
        assert_eq!(queue.get().await, Ok(1));
        queue.shutdown(true);
        assert!(queue.empty());
        assert_eq!(queue.get().await, Err(QueueShutDown(())));
        assert!(matches!(
            queue.put_nowait(3),
            Err(PutNowaitError::ShutDown(_))
        ));
    });
}
