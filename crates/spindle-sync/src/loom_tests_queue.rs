//! Loom models of the queue's hand-offs (`RUSTFLAGS="--cfg loom"`): a woken waiter that is
//! dropped passes its wake-up on, no item is lost or duplicated, no wake-up is lost.
//!
//! The queue's mutex is loom's (see `loom.rs`), so every interleaving of the locked steps
//! is explored.

use crate::Queue;
use loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use loom::sync::Arc;
use loom::thread;
use std::future::Future;
use std::pin::{pin, Pin};
use std::task::{Context, Poll, Wake, Waker};

/// Wakes a loom thread parked in [`block_on`]. The flag is a std atomic on purpose: loom
/// runs one thread at a time, and loom's own `park` / `unpark` carry the causality; with a
/// loom atomic here a `swap` after the unpark was seen to miss the `store` before it.
struct Unparker {
    thread: thread::Thread,
    notified: std::sync::atomic::AtomicBool,
}

impl Wake for Unparker {
    fn wake(self: std::sync::Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        self.notified.store(true, SeqCst);
        self.thread.unpark();
    }
}

/// Runs `future` on this loom thread, parking while it is pending: a lost wake-up leaves
/// every thread parked, which loom reports as a deadlock. (loom's own `block_on` needs its
/// `futures` feature.)
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let unparker = std::sync::Arc::new(Unparker {
        thread: thread::current(),
        notified: std::sync::atomic::AtomicBool::new(false),
    });
    let waker = Waker::from(unparker.clone());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut Context::from_waker(&waker)) {
            return output;
        }
        while !unparker.notified.swap(false, SeqCst) {
            thread::park();
        }
    }
}

/// A waker that counts its wake-ups in a loom atomic.
struct Counter(AtomicUsize);

impl Wake for Counter {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.fetch_add(1, SeqCst);
    }
}

fn counting_waker() -> (Waker, std::sync::Arc<Counter>) {
    let counter = std::sync::Arc::new(Counter(AtomicUsize::new(0)));
    (Waker::from(counter.clone()), counter)
}

fn poll<F: Future + Unpin>(future: &mut F, waker: &Waker) -> Poll<F::Output> {
    Pin::new(future).poll(&mut Context::from_waker(waker))
}

/// B and C wait on an empty queue; A puts one item while B's `get` is dropped. Whichever
/// runs first, C is woken once and gets the item: never lost, never duplicated.
#[test]
fn a_get_dropped_during_a_put_hands_the_item_to_the_next_getter() {
    loom::model(|| {
        let queue = Arc::new(Queue::new(0));
        let (waker_b, _) = counting_waker();
        let (waker_c, woken_c) = counting_waker();
        let mut get_b = queue.get();
        let mut get_c = queue.get();
        assert!(poll(&mut get_b, &waker_b).is_pending());
        assert!(poll(&mut get_c, &waker_c).is_pending());

        let putter = {
            let queue = queue.clone();
            thread::spawn(move || queue.put_nowait(7).unwrap())
        };
        drop(get_b);
        putter.join().unwrap();

        assert_eq!(woken_c.0.load(SeqCst), 1, "C must be woken exactly once");
        assert_eq!(poll(&mut get_c, &waker_c), Poll::Ready(Ok(7)));
        assert!(queue.empty(), "the item was not duplicated");
    });
}

/// The same race with a woken getter's wake-up in flight: B and C wait, A puts, and B is
/// dropped concurrently with C being polled again. The item ends with C or in the queue.
#[test]
fn a_get_dropped_while_the_next_getter_runs_loses_no_item() {
    loom::model(|| {
        // The dropping thread needs the `get` future, which borrows the queue: leak one
        // small queue per explored interleaving.
        let queue: &'static Queue<i32> = Box::leak(Box::new(Queue::new(0)));
        let (waker_b, _) = counting_waker();
        let (waker_c, _) = counting_waker();
        let mut get_b = queue.get();
        let mut get_c = queue.get();
        assert!(poll(&mut get_b, &waker_b).is_pending());
        assert!(poll(&mut get_c, &waker_c).is_pending());
        queue.put_nowait(7).unwrap(); // B holds the wake-up

        let dropper = thread::spawn(move || drop(get_b));
        let got_c = poll(&mut get_c, &waker_c);
        dropper.join().unwrap();

        let got_c = match got_c {
            Poll::Ready(result) => Some(result.unwrap()),
            // Polled before B's drop passed the wake-up on: now it must have it.
            Poll::Pending => match poll(&mut get_c, &waker_c) {
                Poll::Ready(result) => Some(result.unwrap()),
                Poll::Pending => None,
            },
        };
        let left = queue.get_nowait().ok();
        assert_eq!(got_c, Some(7));
        assert_eq!(left, None);
    });
}

/// A full queue (maxsize 1) with putters P and Q waiting; A gets the item while P's `put`
/// is dropped. Q is woken and its item goes in: the freed slot is not stranded.
#[test]
fn a_put_dropped_during_a_get_hands_the_slot_to_the_next_putter() {
    loom::model(|| {
        let queue = Arc::new(Queue::new(1));
        queue.put_nowait(0).unwrap();
        let (waker_p, _) = counting_waker();
        let (waker_q, woken_q) = counting_waker();
        let mut put_p = queue.put(1);
        let mut put_q = queue.put(2);
        assert!(poll(&mut put_p, &waker_p).is_pending());
        assert!(poll(&mut put_q, &waker_q).is_pending());

        let getter = {
            let queue = queue.clone();
            thread::spawn(move || queue.get_nowait().unwrap())
        };
        drop(put_p);
        assert_eq!(getter.join().unwrap(), 0);

        assert_eq!(woken_q.0.load(SeqCst), 1, "Q must be woken exactly once");
        assert_eq!(poll(&mut put_q, &waker_q), Poll::Ready(Ok(())));
        assert_eq!(queue.get_nowait(), Ok(2));
        assert!(queue.empty());
    });
}

/// A producer and a consumer on real wake-ups through a queue of one slot: every item
/// arrives once, in order, and neither side sleeps through a wake-up.
#[test]
fn producer_and_consumer_on_one_slot_lose_no_wakeup() {
    loom::model(|| {
        let queue = Arc::new(Queue::new(1));
        let producer = {
            let queue = queue.clone();
            thread::spawn(move || {
                block_on(async {
                    queue.put(1).await.unwrap();
                    queue.put(2).await.unwrap();
                })
            })
        };
        let got = block_on(async { [queue.get().await, queue.get().await] });
        producer.join().unwrap();
        assert_eq!(got, [Ok(1), Ok(2)]);
    });
}

/// A getter waiting on an empty queue is woken by a concurrent `shutdown` and fails;
/// an item put before the shutdown still comes out first.
#[test]
fn shutdown_wakes_a_waiting_getter_after_the_last_item() {
    loom::model(|| {
        let queue = Arc::new(Queue::new(0));
        let closer = {
            let queue = queue.clone();
            thread::spawn(move || {
                queue.put_nowait(1).unwrap();
                queue.shutdown(false);
            })
        };
        let got = block_on(async { [queue.get().await.ok(), queue.get().await.ok()] });
        closer.join().unwrap();
        assert_eq!(got, [Some(1), None]);
    });
}
