//! Behaviour of `Driver`, `DriverGuard::park` and `Sleep` on the real poller.
//!
//! Every test runs its body under a watchdog (`within`), so a lost wake-up
//! fails the test instead of hanging it. No test asserts on how *fast*
//! something happened, only on what happened and that timers never fired
//! early.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;
use std::time::{Duration, Instant};

use spindle_reactor::{Driver, Sleep};

/// How long a test body may run before the watchdog fails it. Generous: the
/// bodies take milliseconds; this only turns a hang into a failure.
const WATCHDOG: Duration = Duration::from_secs(10);

/// A short timer delay: long enough that "fired early" would be observable,
/// short enough to keep the suite fast.
const SHORT: Duration = Duration::from_millis(20);

/// Runs `body` on its own thread and fails if it does not finish in time.
fn within<F: FnOnce() + Send + 'static>(body: F) {
    let (done, finished) = mpsc::channel();
    let handle = thread::spawn(move || {
        body();
        let _ = done.send(());
    });
    match finished.recv_timeout(WATCHDOG) {
        Ok(()) => handle.join().unwrap(),
        // The body panicked: surface its panic.
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            std::panic::resume_unwind(handle.join().unwrap_err())
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("test body hung (lost wake-up?)"),
    }
}

/// A waker that records that it was woken.
#[derive(Default)]
struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

impl Flag {
    fn is_set(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// A waker that pushes its id into a shared log when woken.
struct Push {
    id: usize,
    log: Arc<Mutex<Vec<usize>>>,
}

impl Wake for Push {
    fn wake(self: Arc<Self>) {
        self.log.lock().unwrap().push(self.id);
    }
}

/// A waker that unparks a thread.
struct Unpark(thread::Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// A tiny `block_on`: polls `fut`, parking the thread between polls.
fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
        thread::park();
    }
}

/// Polls `fut` once with `waker`.
fn poll_once<F: Future + Unpin>(fut: &mut F, waker: &Waker) -> Poll<F::Output> {
    Pin::new(fut).poll(&mut Context::from_waker(waker))
}

/// Runs the driver on its own thread (park in a loop) until `stop` is set.
fn spawn_driver(driver: &Driver, stop: &Arc<AtomicBool>) -> thread::JoinHandle<()> {
    let driver = driver.clone();
    let stop = stop.clone();
    thread::spawn(move || {
        let mut guard = driver
            .try_lock()
            .expect("the driver thread is the only parker");
        while !stop.load(Ordering::SeqCst) {
            guard.park(None).unwrap();
        }
    })
}

fn stop_driver(driver: &Driver, stop: &AtomicBool, handle: thread::JoinHandle<()>) {
    stop.store(true, Ordering::SeqCst);
    driver.notify();
    handle.join().unwrap();
}

#[test]
fn notify_from_another_thread_wakes_park_none() {
    within(|| {
        let driver = Driver::new().unwrap();
        let parked = Arc::new(AtomicBool::new(false));
        let notifier = {
            let driver = driver.clone();
            let parked = parked.clone();
            thread::spawn(move || {
                while !parked.load(Ordering::SeqCst) {
                    thread::yield_now();
                }
                driver.notify();
            })
        };
        let mut guard = driver.try_lock().unwrap();
        parked.store(true, Ordering::SeqCst);
        guard.park(None).unwrap();
        notifier.join().unwrap();
    });
}

#[test]
fn notify_before_park_makes_park_return_at_once() {
    within(|| {
        let driver = Driver::new().unwrap();
        driver.notify();
        driver.try_lock().unwrap().park(None).unwrap();
    });
}

#[test]
fn park_with_a_timeout_returns() {
    within(|| {
        let driver = Driver::new().unwrap();
        let mut guard = driver.try_lock().unwrap();
        guard.park(Some(Duration::from_millis(1))).unwrap();
        guard.park(Some(Duration::ZERO)).unwrap();
    });
}

#[test]
fn try_lock_is_exclusive_and_released_on_drop() {
    let driver = Driver::new().unwrap();
    let guard = driver.try_lock().unwrap();
    assert!(driver.try_lock().is_none());
    let other = driver.clone();
    assert!(thread::spawn(move || other.try_lock().is_none())
        .join()
        .unwrap());
    drop(guard);
    assert!(driver.try_lock().is_some());
}

#[test]
fn zero_timeout_park_fires_due_timers() {
    within(|| {
        let driver = Driver::new().unwrap();
        let flag = Arc::new(Flag::default());
        let deadline = Instant::now();
        driver.wake_at(deadline, Waker::from(flag.clone()));
        let mut guard = driver.try_lock().unwrap();
        while !flag.is_set() {
            guard.park(Some(Duration::ZERO)).unwrap();
        }
        assert_eq!(driver.pending_timers(), 0);
    });
}

#[test]
fn wake_at_fires_at_or_after_the_deadline() {
    within(|| {
        let driver = Driver::new().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let runner = spawn_driver(&driver, &stop);
        let deadline = Instant::now() + SHORT;
        let fired_at = Arc::new(Mutex::new(None));
        struct Stamp(Arc<Mutex<Option<Instant>>>, thread::Thread);
        impl Wake for Stamp {
            fn wake(self: Arc<Self>) {
                *self.0.lock().unwrap() = Some(Instant::now());
                self.1.unpark();
            }
        }
        driver.wake_at(
            deadline,
            Waker::from(Arc::new(Stamp(fired_at.clone(), thread::current()))),
        );
        let fired = loop {
            if let Some(at) = *fired_at.lock().unwrap() {
                break at;
            }
            thread::park();
        };
        assert!(fired >= deadline, "timer fired early");
        assert_eq!(driver.pending_timers(), 0);
        stop_driver(&driver, &stop, runner);
    });
}

#[test]
fn earlier_timer_interrupts_a_long_park() {
    within(|| {
        let driver = Driver::new().unwrap();
        // The parker would sleep an hour for this one...
        let far = Arc::new(Flag::default());
        driver.wake_at(Instant::now() + Duration::from_secs(3600), Waker::from(far));
        let stop = Arc::new(AtomicBool::new(false));
        let runner = spawn_driver(&driver, &stop);
        // ...so this one must notify it to recompute its timeout.
        let near = Arc::new(Flag::default());
        let deadline = Instant::now() + SHORT;
        driver.wake_at(deadline, Waker::from(near.clone()));
        while !near.is_set() {
            thread::sleep(Duration::from_millis(1));
        }
        assert!(Instant::now() >= deadline);
        assert_eq!(driver.pending_timers(), 1);
        stop_driver(&driver, &stop, runner);
    });
}

#[test]
fn equal_deadlines_fire_in_insertion_order() {
    within(|| {
        let driver = Driver::new().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let deadline = Instant::now() + SHORT;
        const TIMERS: usize = 50;
        for id in 0..TIMERS {
            let log = log.clone();
            driver.wake_at(deadline, Waker::from(Arc::new(Push { id, log })));
        }
        // An earlier timer registered last still fires first.
        driver.wake_at(
            deadline - Duration::from_millis(1),
            Waker::from(Arc::new(Push {
                id: usize::MAX,
                log: log.clone(),
            })),
        );
        let mut guard = driver.try_lock().unwrap();
        while log.lock().unwrap().len() < TIMERS + 1 {
            guard.park(None).unwrap();
        }
        let mut expected = vec![usize::MAX];
        expected.extend(0..TIMERS);
        assert_eq!(*log.lock().unwrap(), expected);
    });
}

#[test]
fn fire_due_fires_only_due_timers_and_counts_them() {
    let driver = Driver::new().unwrap();
    let now = Instant::now();
    let due = Arc::new(Flag::default());
    let later = Arc::new(Flag::default());
    driver.wake_at(now, Waker::from(due.clone()));
    driver.wake_at(now + Duration::from_secs(3600), Waker::from(later.clone()));
    assert_eq!(driver.next_deadline(), Some(now));
    assert_eq!(driver.fire_due(), 1);
    assert!(due.is_set());
    assert!(!later.is_set());
    assert_eq!(driver.pending_timers(), 1);
    assert_eq!(
        driver.next_deadline(),
        Some(now + Duration::from_secs(3600))
    );
}

#[test]
fn a_waker_may_register_a_timer_while_being_fired() {
    struct Rearm(Driver, Arc<Flag>);
    impl Wake for Rearm {
        fn wake(self: Arc<Self>) {
            // Would deadlock if the timers lock were held during wakes.
            self.0.wake_at(Instant::now(), Waker::from(self.1.clone()));
        }
    }
    within(|| {
        let driver = Driver::new().unwrap();
        let flag = Arc::new(Flag::default());
        driver.wake_at(
            Instant::now(),
            Waker::from(Arc::new(Rearm(driver.clone(), flag.clone()))),
        );
        assert_eq!(driver.fire_due(), 1);
        assert_eq!(driver.pending_timers(), 1);
        while !flag.is_set() {
            driver.fire_due();
        }
    });
}

#[test]
fn sleep_completes_never_early() {
    within(|| {
        let driver = Driver::new().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let runner = spawn_driver(&driver, &stop);
        for _ in 0..5 {
            let deadline = Instant::now() + SHORT / 4;
            let sleep = Sleep::new(&driver, deadline);
            assert_eq!(sleep.deadline(), deadline);
            block_on(sleep);
            assert!(Instant::now() >= deadline, "sleep completed early");
        }
        assert_eq!(driver.pending_timers(), 0);
        stop_driver(&driver, &stop, runner);
    });
}

#[test]
fn sleep_in_the_past_yields_once_without_registering() {
    let driver = Driver::new().unwrap();
    let mut sleep = Sleep::new(&driver, Instant::now());
    let flag = Arc::new(Flag::default());
    let waker = Waker::from(flag.clone());
    // asyncio's sleep(0): suspend once, already woken, then done.
    assert_eq!(poll_once(&mut sleep, &waker), Poll::Pending);
    assert!(flag.is_set(), "the yield wakes the task at once");
    assert_eq!(driver.pending_timers(), 0);
    assert_eq!(poll_once(&mut sleep, &waker), Poll::Ready(()));
    assert_eq!(driver.pending_timers(), 0);
}

#[test]
fn dropping_a_sleep_cancels_it() {
    let driver = Driver::new().unwrap();
    let flag = Arc::new(Flag::default());
    let waker = Waker::from(flag.clone());
    let mut sleep = Sleep::new(&driver, Instant::now() + Duration::from_secs(3600));
    assert_eq!(driver.pending_timers(), 0, "registers only when polled");
    assert_eq!(poll_once(&mut sleep, &waker), Poll::Pending);
    assert_eq!(driver.pending_timers(), 1);
    drop(sleep);
    assert_eq!(driver.pending_timers(), 0);
    assert_eq!(driver.next_deadline(), None);
    assert!(!flag.is_set());
}

#[test]
fn repolling_a_sleep_with_a_new_waker_wakes_the_new_one() {
    within(repoll_body);
}

fn repoll_body() {
    let driver = Driver::new().unwrap();
    let deadline = Instant::now() + SHORT;
    let first = Arc::new(Flag::default());
    let second = Arc::new(Flag::default());
    let mut sleep = Sleep::new(&driver, deadline);
    assert_eq!(
        poll_once(&mut sleep, &Waker::from(first.clone())),
        Poll::Pending
    );
    let second_waker = Waker::from(second.clone());
    let _ = poll_once(&mut sleep, &second_waker);
    while !second.is_set() {
        driver.fire_due();
    }
    assert!(!first.is_set());
    assert_eq!(poll_once(&mut sleep, &second_waker), Poll::Ready(()));
    assert!(Instant::now() >= deadline);
}

#[test]
fn reset_moves_the_deadline_and_keeps_the_waker() {
    within(|| {
        let driver = Driver::new().unwrap();
        let flag = Arc::new(Flag::default());
        let waker = Waker::from(flag.clone());
        let mut sleep = Sleep::new(&driver, Instant::now() + Duration::from_secs(3600));
        assert_eq!(poll_once(&mut sleep, &waker), Poll::Pending);
        let deadline = Instant::now() + SHORT / 4;
        sleep.reset(deadline);
        assert_eq!(sleep.deadline(), deadline);
        assert_eq!(driver.pending_timers(), 1, "the old timer is cancelled");
        // No poll in between: the old waker moved to the new timer.
        while !flag.is_set() {
            driver.fire_due();
            thread::yield_now();
        }
        assert!(Instant::now() >= deadline);
        assert_eq!(poll_once(&mut sleep, &waker), Poll::Ready(()));
    });
}

#[test]
fn clear_timers_drops_everything_and_sleeps_re_register() {
    let driver = Driver::new().unwrap();
    let far = Instant::now() + Duration::from_secs(3600);
    let plain = Arc::new(Flag::default());
    driver.wake_at(far, Waker::from(plain.clone()));
    let flag = Arc::new(Flag::default());
    let waker = Waker::from(flag.clone());
    let mut sleep = Sleep::new(&driver, far);
    assert_eq!(poll_once(&mut sleep, &waker), Poll::Pending);
    assert_eq!(driver.pending_timers(), 2);
    driver.clear_timers();
    assert_eq!(driver.pending_timers(), 0);
    assert_eq!(driver.timer_storage_len(), 0);
    // The wakers were dropped, not woken: only our own references remain.
    assert!(!plain.is_set() && !flag.is_set());
    assert_eq!(Arc::strong_count(&plain), 1);
    assert_eq!(Arc::strong_count(&flag), 2); // `flag` and `waker`
                                             // Polled again, the sleep registers a fresh timer; dropping it cancels.
    assert_eq!(poll_once(&mut sleep, &waker), Poll::Pending);
    assert_eq!(driver.pending_timers(), 1);
    drop(sleep);
    assert_eq!(driver.pending_timers(), 0);
}

#[test]
fn a_million_dropped_sleeps_leave_nothing_behind() {
    const SLEEPS: usize = 1_000_000;
    within(|| {
        let driver = Driver::new().unwrap();
        let waker = Waker::from(Arc::new(Flag::default()));
        let far = Instant::now() + Duration::from_secs(3600);
        let mut sleeps: Vec<Sleep> = (0..SLEEPS).map(|_| Sleep::new(&driver, far)).collect();
        for sleep in &mut sleeps {
            assert_eq!(poll_once(sleep, &waker), Poll::Pending);
        }
        assert_eq!(driver.pending_timers(), SLEEPS);
        assert_eq!(driver.timer_storage_len(), SLEEPS);
        // Drop them one by one, checking that compaction bounds the storage
        // by twice the live count along the way.
        while let Some(sleep) = sleeps.pop() {
            drop(sleep);
            if sleeps.len() % 1000 == 0 {
                let live = driver.pending_timers();
                assert_eq!(live, sleeps.len());
                assert!(driver.timer_storage_len() <= 2 * live + 1);
            }
        }
        assert_eq!(driver.pending_timers(), 0);
        assert_eq!(driver.timer_storage_len(), 0);
        assert_eq!(driver.next_deadline(), None);
    });
}

#[test]
fn sleep_is_send_sync_unpin() {
    fn assert_traits<T: Send + Sync + Unpin>() {}
    assert_traits::<Sleep>();
    assert_traits::<Driver>();
}

#[test]
fn fire_due_from_many_threads_fires_each_timer_once() {
    within(|| {
        let driver = Driver::new().unwrap();
        let count = Arc::new(AtomicUsize::new(0));
        struct Inc(Arc<AtomicUsize>);
        impl Wake for Inc {
            fn wake(self: Arc<Self>) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        const TIMERS: usize = 1000;
        let now = Instant::now();
        for _ in 0..TIMERS {
            driver.wake_at(now, Waker::from(Arc::new(Inc(count.clone()))));
        }
        let fired: usize = (0..4)
            .map(|_| {
                let driver = driver.clone();
                thread::spawn(move || driver.fire_due())
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| t.join().unwrap())
            .sum();
        assert_eq!(fired, TIMERS);
        assert_eq!(count.load(Ordering::SeqCst), TIMERS);
    });
}

/// `Sleep::poll_timer` never reads the clock: a deadline already past is registered like any
/// other and completes once the driver fires it; after that it stays complete.
#[test]
fn poll_timer_registers_even_a_past_deadline_and_completes_when_fired() {
    let driver = Driver::new().unwrap();
    let flag = Arc::new(Flag::default());
    let waker = Waker::from(flag.clone());
    let mut cx = Context::from_waker(&waker);
    let mut sleep = Sleep::new(&driver, Instant::now());
    assert_eq!(sleep.poll_timer(&mut cx), Poll::Pending);
    assert!(!flag.is_set(), "no yield: the driver fires it");
    assert_eq!(driver.pending_timers(), 1);
    assert_eq!(sleep.poll_timer(&mut cx), Poll::Pending, "not fired yet");
    assert_eq!(driver.fire_due(), 1);
    assert!(flag.is_set());
    assert_eq!(sleep.poll_timer(&mut cx), Poll::Ready(()));
    assert_eq!(sleep.poll_timer(&mut cx), Poll::Ready(()), "stays complete");
    assert_eq!(poll_once(&mut sleep, &waker), Poll::Ready(()));
    assert_eq!(driver.pending_timers(), 0);
    drop(sleep);
    assert_eq!(driver.timer_storage_len(), 0);
}
