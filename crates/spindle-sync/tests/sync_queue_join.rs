//! `task_done` and `join`: counting items put but not yet processed. Every test runs under
//! spindle's loop and under `futures_lite::block_on`.

mod queue_common;

use queue_common::{concurrently, on_each_executor, task, yield_now, Probe};
use spindle_sync::{Queue, TaskDoneError};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::task::Poll;

#[test]
fn task_done_called_more_often_than_items_were_put_is_an_error() {
    on_each_executor(|| async {
        let queue = Queue::new(0);
        assert_eq!(queue.task_done(), Err(TaskDoneError));
        queue.put(1).await.unwrap();
        queue.put(2).await.unwrap();
        queue.get().await.unwrap();
        queue.get().await.unwrap();
        assert_eq!(queue.task_done(), Ok(()));
        assert_eq!(queue.task_done(), Ok(()));
        assert_eq!(queue.task_done(), Err(TaskDoneError));
    });
}

#[test]
fn join_returns_at_once_when_nothing_is_unfinished() {
    on_each_executor(|| async {
        let queue: Queue<()> = Queue::new(0);
        queue.join().await;
        queue.put(()).await.unwrap();
        queue.get().await.unwrap();
        queue.task_done().unwrap();
        queue.join().await;
    });
}

#[test]
fn join_waits_until_every_item_is_marked_done() {
    on_each_executor(|| async {
        let queue = Arc::new(Queue::new(0));
        let processed = Arc::new(AtomicUsize::new(0));
        for item in 0..5 {
            queue.put(item).await.unwrap();
        }
        let workers = (0..2).map(|_| {
            let (queue, processed) = (queue.clone(), processed.clone());
            task(async move {
                while let Ok(_item) = queue.get_nowait() {
                    yield_now().await; // "processing"
                    processed.fetch_add(1, SeqCst);
                    queue.task_done().unwrap();
                }
            })
        });
        let joiner = {
            let (queue, processed) = (queue.clone(), processed.clone());
            task(async move {
                queue.join().await;
                assert_eq!(
                    processed.load(SeqCst),
                    5,
                    "join returned before the last task_done"
                );
            })
        };
        let mut tasks = vec![joiner];
        tasks.extend(workers);
        concurrently(tasks).await;
    });
}

#[test]
fn getting_an_item_does_not_finish_it() {
    on_each_executor(|| async {
        let queue = Queue::new(0);
        let probe = Probe::new();
        queue.put(1).await.unwrap();
        let mut join = queue.join();
        assert!(probe.poll(&mut join).is_pending());
        queue.get().await.unwrap();
        assert!(
            probe.poll(&mut join).is_pending(),
            "got, but not marked done"
        );
        assert_eq!(probe.woken(), 0);
        queue.task_done().unwrap();
        assert_eq!(probe.woken(), 1);
        assert_eq!(probe.poll(&mut join), Poll::Ready(()));
    });
}

#[test]
fn the_last_task_done_wakes_every_joiner() {
    on_each_executor(|| async {
        let queue = Queue::new(0);
        queue.put(1).await.unwrap();
        let probes = [Probe::new(), Probe::new(), Probe::new()];
        let mut joins = [queue.join(), queue.join(), queue.join()];
        for (join, probe) in joins.iter_mut().zip(&probes) {
            assert!(probe.poll(join).is_pending());
        }
        queue.get().await.unwrap();
        queue.task_done().unwrap();
        for (join, probe) in joins.iter_mut().zip(&probes) {
            assert_eq!(probe.woken(), 1);
            assert_eq!(probe.poll(join), Poll::Ready(()));
        }
    });
}

#[test]
fn a_woken_join_returns_even_if_an_item_was_put_since() {
    on_each_executor(|| async {
        // asyncio's join waits on an Event: once set, the waiter returns even if it was
        // cleared again before the waiter ran.
        let queue = Queue::new(0);
        queue.put(1).await.unwrap();
        let probe = Probe::new();
        let mut join = queue.join();
        assert!(probe.poll(&mut join).is_pending());
        queue.get().await.unwrap();
        queue.task_done().unwrap();
        queue.put(2).await.unwrap();
        assert_eq!(probe.poll(&mut join), Poll::Ready(()));
        let mut later = queue.join();
        assert!(
            probe.poll(&mut later).is_pending(),
            "a new join sees the new item"
        );
    });
}

#[test]
fn a_dropped_join_leaves_the_other_joiners_waiting() {
    on_each_executor(|| async {
        let queue = Queue::new(0);
        queue.put(1).await.unwrap();
        let (first, second) = (Probe::new(), Probe::new());
        let mut join_first = queue.join();
        let mut join_second = queue.join();
        assert!(first.poll(&mut join_first).is_pending());
        assert!(second.poll(&mut join_second).is_pending());
        drop(join_first);
        queue.get().await.unwrap();
        queue.task_done().unwrap();
        assert_eq!((first.woken(), second.woken()), (0, 1));
        assert_eq!(second.poll(&mut join_second), Poll::Ready(()));
    });
}
