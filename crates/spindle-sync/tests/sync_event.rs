//! `Event`: asyncio's `test_locks.py::EventTests`, in our words, on every executor.

mod common;

use common::{child, join_all, on_every_executor, on_two_workers, yield_now, Probe};
use spindle_sync::{Event, EventWait};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;

#[test]
fn event_types_are_send_and_sync() {
    common::assert_send_sync::<Event>();
    common::assert_send_sync::<EventWait<'static>>();
}

#[test]
fn set_and_clear_flip_is_set() {
    on_every_executor(|| async {
        let event = Event::new();
        assert!(!event.is_set());
        event.set();
        assert!(event.is_set());
        event.set();
        assert!(event.is_set(), "setting twice is harmless");
        event.clear();
        assert!(!event.is_set());
    });
}

#[test]
fn wait_returns_after_set() {
    on_every_executor(|| async {
        let event = Event::new();
        let order = std::sync::Mutex::new(Vec::new());
        join_all(vec![
            child(async {
                event.wait().await;
                order.lock().unwrap().push("woken");
            }),
            child(async {
                yield_now().await;
                order.lock().unwrap().push("set");
                event.set();
            }),
        ])
        .await;
        assert_eq!(*order.lock().unwrap(), ["set", "woken"]);
    });
}

#[test]
fn wait_on_a_set_event_returns_at_once() {
    on_every_executor(|| async {
        let event = Event::new();
        event.set();
        let mut wait = event.wait();
        assert!(Probe::new().poll(&mut wait).is_ready());
    });
}

#[test]
fn set_wakes_every_waiter() {
    on_every_executor(|| async {
        let event = Event::new();
        let probes = [Probe::new(), Probe::new(), Probe::new()];
        let mut waits: Vec<_> = probes.iter().map(|_| event.wait()).collect();
        for (probe, wait) in probes.iter().zip(&mut waits) {
            assert!(probe.poll(wait).is_pending());
        }
        event.set();
        for (probe, wait) in probes.iter().zip(&mut waits) {
            assert!(probe.woken());
            assert!(probe.poll(wait).is_ready());
        }
    });
}

#[test]
fn waiters_woken_by_set_return_even_after_clear() {
    on_every_executor(|| async {
        let event = Event::new();
        let probe = Probe::new();
        let mut early = event.wait();
        assert!(probe.poll(&mut early).is_pending());
        event.set();
        event.clear();
        assert!(!event.is_set());
        assert!(
            probe.poll(&mut early).is_ready(),
            "woken by the set: returns although the flag is clear again"
        );
        let mut late = event.wait();
        assert!(
            Probe::new().poll(&mut late).is_pending(),
            "a wait after the clear blocks"
        );
    });
}

#[test]
fn cancelled_waiter_leaves_the_queue() {
    on_every_executor(|| async {
        let event = Event::new();
        let mut kept = event.wait();
        let probe = Probe::new();
        assert!(probe.poll(&mut kept).is_pending());
        {
            let mut cancelled = event.wait();
            assert!(Probe::new().poll(&mut cancelled).is_pending());
        }
        assert!(format!("{event:?}").contains("waiters: 1"), "{event:?}");
        event.set();
        assert!(probe.poll(&mut kept).is_ready());
        assert!(format!("{event:?}").contains("waiters: 0"), "{event:?}");
    });
}

#[test]
fn set_wakes_tasks_on_two_workers() {
    const TASKS: usize = 16;
    let woken = on_two_workers(|lp| async move {
        let event = Arc::new(Event::new());
        let woken = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..TASKS)
            .map(|_| {
                let (event, woken) = (event.clone(), woken.clone());
                lp.spawn(async move {
                    event.wait().await;
                    woken.fetch_add(1, SeqCst);
                })
            })
            .collect();
        spindle_scheduler::yield_now().await;
        event.set();
        for task in tasks {
            task.await.unwrap();
        }
        woken.load(SeqCst)
    });
    assert_eq!(woken, TASKS);
}
