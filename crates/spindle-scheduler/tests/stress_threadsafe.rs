//! Stress: 4 threads × 100,000 `call_soon_threadsafe` into a running loop run exactly
//! 400,000 callbacks, none lost (a lost one leaves the loop running: the watchdog fails the
//! test) and none run twice (the count would pass 400,000).

mod common;

use common::bounded;
use spindle_scheduler::{Builder, EventLoop};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Barrier};
use std::thread;

const PRODUCERS: usize = 4;
const PER_PRODUCER: usize = 100_000;
const TOTAL: usize = PRODUCERS * PER_PRODUCER;

fn threadsafe_callbacks_all_run_once(flavour: &'static str, builder: Builder) {
    let lp = builder.build().unwrap();
    let count = Arc::new(AtomicUsize::new(0));

    let runner = {
        let lp = lp.clone();
        thread::spawn(move || lp.run_forever())
    };
    let start = Arc::new(Barrier::new(PRODUCERS));
    let producers: Vec<_> = (0..PRODUCERS)
        .map(|_| {
            let (lp, count, start) = (lp.clone(), count.clone(), start.clone());
            thread::spawn(move || {
                start.wait();
                for _ in 0..PER_PRODUCER {
                    let count = count.clone();
                    lp.call_soon_threadsafe(move || {
                        // The last callback stops the loop; only callbacks reach TOTAL.
                        if count.fetch_add(1, SeqCst) + 1 == TOTAL {
                            EventLoop::current().stop();
                        }
                    });
                }
            })
        })
        .collect();
    for producer in producers {
        producer.join().expect("a producer panicked");
    }
    runner.join().expect("run_forever panicked");
    assert_eq!(
        count.load(SeqCst),
        TOTAL,
        "{flavour}: callbacks run before close"
    );
    lp.close();
    assert_eq!(
        count.load(SeqCst),
        TOTAL,
        "{flavour}: no callback ran twice or late"
    );
}

#[test]
fn threadsafe_callbacks_into_two_workers() {
    bounded(120, || {
        threadsafe_callbacks_all_run_once("2 workers", EventLoop::builder().worker_threads(2))
    });
}

#[test]
fn threadsafe_callbacks_into_every_flavour() {
    common::each_flavour(120, threadsafe_callbacks_all_run_once);
}
