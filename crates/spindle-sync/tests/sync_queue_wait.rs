//! Waiting: blocked gets and puts, FIFO service of waiters, and futures dropped while they
//! wait (asyncio's cancelled `get` / `put`). Every test runs under spindle's loop and under
//! `futures_lite::block_on`; the hand-polled ones use a counting waker to see exactly who
//! was woken.

mod queue_common;

use queue_common::{concurrently, on_each_executor, task, yield_now, Probe};
use spindle_sync::{LifoQueue, PriorityQueue, Queue};
use std::sync::{Arc, Mutex};
use std::task::Poll;

#[test]
fn a_blocked_get_completes_after_a_put() {
    on_each_executor(|| async {
        let queue = Arc::new(Queue::new(0));
        let got = Arc::new(Mutex::new(None));
        let getter = {
            let (queue, got) = (queue.clone(), got.clone());
            task(async move { *got.lock().unwrap() = Some(queue.get().await.unwrap()) })
        };
        let putter = {
            let (queue, got) = (queue.clone(), got.clone());
            task(async move {
                yield_now().await;
                assert_eq!(*got.lock().unwrap(), None, "the getter must still wait");
                queue.put(42).await.unwrap();
            })
        };
        concurrently(vec![getter, putter]).await;
        assert_eq!(*got.lock().unwrap(), Some(42));
    });
}

#[test]
fn a_blocked_put_completes_after_a_get() {
    on_each_executor(|| async {
        let queue = Arc::new(Queue::new(1));
        queue.put(1).await.unwrap();
        let putter = {
            let queue = queue.clone();
            task(async move { queue.put(2).await.unwrap() })
        };
        let getter = {
            let queue = queue.clone();
            task(async move {
                yield_now().await;
                assert_eq!(
                    queue.qsize(),
                    1,
                    "the putter must wait: qsize never exceeds 1"
                );
                assert_eq!(queue.get().await, Ok(1));
            })
        };
        concurrently(vec![putter, getter]).await;
        assert_eq!(queue.get_nowait(), Ok(2));
    });
}

#[test]
fn blocked_put_and_get_work_on_lifo_and_priority_queues() {
    on_each_executor(|| async {
        let lifo = LifoQueue::new(1);
        let prio = PriorityQueue::new(1);
        let probe = Probe::new();
        lifo.put_nowait(1).unwrap();
        prio.put_nowait(5).unwrap();
        let mut lifo_put = lifo.put(2);
        let mut prio_put = prio.put(3);
        assert!(probe.poll(&mut lifo_put).is_pending());
        assert!(probe.poll(&mut prio_put).is_pending());
        assert_eq!((lifo.get().await, prio.get().await), (Ok(1), Ok(5)));
        assert_eq!(probe.woken(), 2);
        assert_eq!(probe.poll(&mut lifo_put), Poll::Ready(Ok(())));
        assert_eq!(probe.poll(&mut prio_put), Poll::Ready(Ok(())));
        assert_eq!((lifo.get().await, prio.get().await), (Ok(2), Ok(3)));
    });
}

#[test]
fn waiting_getters_are_served_first_come_first_served() {
    on_each_executor(|| async {
        let queue = Arc::new(Queue::new(0));
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks: Vec<_> = (0..3)
            .map(|getter| {
                let (queue, order) = (queue.clone(), order.clone());
                task(async move {
                    let item = queue.get().await.unwrap();
                    order.lock().unwrap().push((getter, item));
                })
            })
            .collect();
        let putter = {
            let queue = queue.clone();
            task(async move {
                yield_now().await;
                for item in ["a", "b", "c"] {
                    queue.put(item).await.unwrap();
                }
            })
        };
        tasks.push(putter);
        concurrently(tasks).await;
        assert_eq!(*order.lock().unwrap(), [(0, "a"), (1, "b"), (2, "c")]);
    });
}

#[test]
fn waiting_putters_are_served_first_come_first_served() {
    on_each_executor(|| async {
        let queue = Queue::new(1);
        queue.put("first").await.unwrap();
        let probes = [Probe::new(), Probe::new(), Probe::new()];
        let mut puts = [queue.put("p0"), queue.put("p1"), queue.put("p2")];
        for (put, probe) in puts.iter_mut().zip(&probes) {
            assert!(probe.poll(put).is_pending());
        }
        let mut got = vec![queue.get().await.unwrap()];
        for (put, probe) in puts.iter_mut().zip(&probes) {
            assert_eq!(probe.woken(), 1, "the oldest putter is woken by the get");
            assert_eq!(probe.poll(put), Poll::Ready(Ok(())));
            got.push(queue.get().await.unwrap());
        }
        assert_eq!(got, ["first", "p0", "p1", "p2"]);
    });
}

#[test]
fn one_put_wakes_exactly_one_getter() {
    on_each_executor(|| async {
        let queue = Queue::new(0);
        let probes = [Probe::new(), Probe::new(), Probe::new()];
        let mut gets = [queue.get(), queue.get(), queue.get()];
        for (get, probe) in gets.iter_mut().zip(&probes) {
            assert!(probe.poll(get).is_pending());
        }
        queue.put(1).await.unwrap();
        let woken: Vec<_> = probes.iter().map(Probe::woken).collect();
        assert_eq!(woken, [1, 0, 0]);
    });
}

#[test]
fn a_get_dropped_after_a_put_woke_it_loses_no_item() {
    on_each_executor(|| async {
        let queue = Queue::new(0);
        let probe = Probe::new();
        let mut get = queue.get();
        assert!(probe.poll(&mut get).is_pending());
        queue.put("item").await.unwrap();
        assert_eq!(probe.woken(), 1);
        drop(get); // cancelled after being woken, before running
        assert_eq!(queue.qsize(), 1);
        assert_eq!(queue.get().await, Ok("item"));
    });
}

#[test]
fn a_get_dropped_after_a_put_woke_it_passes_the_wakeup_to_the_next_getter() {
    on_each_executor(|| async {
        let queue = Queue::new(0);
        let (first, second) = (Probe::new(), Probe::new());
        let mut get_first = queue.get();
        let mut get_second = queue.get();
        assert!(first.poll(&mut get_first).is_pending());
        assert!(second.poll(&mut get_second).is_pending());
        queue.put("item").await.unwrap();
        assert_eq!((first.woken(), second.woken()), (1, 0));
        drop(get_first);
        assert_eq!(second.woken(), 1, "the next getter must not be stranded");
        assert_eq!(second.poll(&mut get_second), Poll::Ready(Ok("item")));
    });
}

#[test]
fn a_get_dropped_before_any_put_just_leaves_the_line() {
    on_each_executor(|| async {
        let queue = Queue::new(0);
        let (first, second) = (Probe::new(), Probe::new());
        let mut get_first = queue.get();
        let mut get_second = queue.get();
        assert!(first.poll(&mut get_first).is_pending());
        assert!(second.poll(&mut get_second).is_pending());
        drop(get_first);
        queue.put(7).await.unwrap();
        assert_eq!((first.woken(), second.woken()), (0, 1));
        assert_eq!(second.poll(&mut get_second), Poll::Ready(Ok(7)));
    });
}

#[test]
fn a_woken_getter_that_loses_the_item_to_get_nowait_waits_again() {
    on_each_executor(|| async {
        let queue = Queue::new(0);
        let probe = Probe::new();
        let mut get = queue.get();
        assert!(probe.poll(&mut get).is_pending());
        queue.put(1).await.unwrap();
        assert_eq!(
            queue.get_nowait(),
            Ok(1),
            "as in asyncio, get_nowait may take it first"
        );
        assert!(probe.poll(&mut get).is_pending());
        queue.put(2).await.unwrap();
        assert_eq!(probe.woken(), 2);
        assert_eq!(probe.poll(&mut get), Poll::Ready(Ok(2)));
    });
}

#[test]
fn a_put_dropped_after_a_get_woke_it_passes_the_slot_to_the_next_putter() {
    on_each_executor(|| async {
        let queue = Queue::new(1);
        queue.put(0).await.unwrap();
        let (first, second) = (Probe::new(), Probe::new());
        let mut put_first = queue.put(1);
        let mut put_second = queue.put(2);
        assert!(first.poll(&mut put_first).is_pending());
        assert!(second.poll(&mut put_second).is_pending());
        assert_eq!(queue.get().await, Ok(0));
        assert_eq!((first.woken(), second.woken()), (1, 0));
        drop(put_first);
        assert_eq!(second.woken(), 1, "the freed slot goes to the next putter");
        assert_eq!(second.poll(&mut put_second), Poll::Ready(Ok(())));
        assert_eq!(queue.get().await, Ok(2));
        assert!(queue.empty());
    });
}

#[test]
fn a_dropped_put_never_adds_its_item() {
    on_each_executor(|| async {
        let queue = Queue::new(1);
        queue.put(0).await.unwrap();
        let probe = Probe::new();
        let mut put = queue.put(1);
        assert!(probe.poll(&mut put).is_pending());
        drop(put);
        assert_eq!(queue.get().await, Ok(0));
        assert!(queue.empty());
        assert!(queue.get_nowait().unwrap_err().is_empty());
    });
}

#[test]
fn a_waiting_get_polled_with_a_new_waker_wakes_the_new_one() {
    on_each_executor(|| async {
        let queue = Queue::new(0);
        let (old, new) = (Probe::new(), Probe::new());
        let mut get = queue.get();
        assert!(old.poll(&mut get).is_pending());
        assert!(new.poll(&mut get).is_pending());
        queue.put(1).await.unwrap();
        assert_eq!((old.woken(), new.woken()), (0, 1));
        assert_eq!(new.poll(&mut get), Poll::Ready(Ok(1)));
    });
}
