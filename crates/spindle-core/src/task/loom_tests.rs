//! Loom models of the task core's races (`RUSTFLAGS="--cfg loom"`, see `crate::loom`).
//!
//! Each model runs the real task code on two loom threads. The scheduler value stored in
//! every task holds a loom `Arc` and counts its own drop, so a leaked cell fails the model
//! (loom reports the leaked `Arc`) and a double free shows up as a count of two. Runnables go
//! into a loom `Mutex<VecDeque>`; whoever drains it runs them.

use super::{create, Runnable, Schedule, Task, TaskList, TaskRef};
use crate::error::TaskError;
use crate::Handle;
use loom::sync::atomic::{AtomicBool, AtomicUsize};
use loom::sync::{Arc, Mutex};
use loom::thread;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering::SeqCst;
use std::task::{Context, Poll, Wake, Waker};

/// What the tasks of one model share with the test.
struct Shared {
    queue: Mutex<VecDeque<Runnable>>,
    /// Callbacks handed to `Schedule::call_soon`.
    late: Mutex<Vec<Box<dyn FnOnce() + Send>>>,
    list: TaskList,
    /// Calls of `Schedule::schedule`.
    schedules: AtomicUsize,
    /// Drops of `Sched`: one per freed task allocation.
    freed: AtomicUsize,
}

impl Shared {
    fn new() -> Arc<Shared> {
        Arc::new(Shared {
            queue: Mutex::new(VecDeque::new()),
            late: Mutex::new(Vec::new()),
            list: TaskList::new(1),
            schedules: AtomicUsize::new(0),
            freed: AtomicUsize::new(0),
        })
    }

    /// Runs queued runnables until the queue is empty (the lock is not held while running).
    fn drain(&self) {
        loop {
            let next = self.queue.lock().unwrap().pop_front();
            match next {
                Some(runnable) => runnable.run(),
                None => return,
            }
        }
    }

    /// Runs the `call_soon` callbacks queued so far.
    fn run_late(&self) {
        let late = std::mem::take(&mut *self.late.lock().unwrap());
        late.into_iter().for_each(|f| f());
    }

    fn queued(&self) -> usize {
        self.queue.lock().unwrap().len()
    }
}

struct Sched(Arc<Shared>);

impl Drop for Sched {
    fn drop(&mut self) {
        self.0.freed.fetch_add(1, SeqCst);
    }
}

impl Schedule for Sched {
    fn schedule(&self, task: Runnable, _yielded: bool) {
        self.0.schedules.fetch_add(1, SeqCst);
        self.0.queue.lock().unwrap().push_back(task);
    }

    fn release(&self, task: &TaskRef) -> Option<TaskRef> {
        self.0.list.remove(task)
    }

    fn call_soon(&self, f: Box<dyn FnOnce() + Send>) {
        self.0.late.lock().unwrap().push(f);
    }
}

/// Creates a task owned by `shared` (in its list) and queues its first runnable.
fn spawn<F>(shared: &Arc<Shared>, future: F) -> Task<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let (runnable, task, list_ref) = create(future, Sched(shared.clone()), None);
    shared.list.insert(list_ref).unwrap();
    shared.queue.lock().unwrap().push_back(runnable);
    task
}

/// A value that counts its drops.
struct Tracked(Arc<AtomicUsize>);

impl Drop for Tracked {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

impl std::fmt::Debug for Tracked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tracked")
    }
}

/// A waker that counts its wakes.
struct Counter(AtomicUsize);

impl Wake for Counter {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.fetch_add(1, SeqCst);
    }
}

fn counting_waker() -> (std::sync::Arc<Counter>, Waker) {
    let counter = std::sync::Arc::new(Counter(AtomicUsize::new(0)));
    (counter.clone(), Waker::from(counter))
}

fn noop_waker() -> Waker {
    counting_waker().1
}

fn poll_with<T>(task: &mut Task<T>, waker: &Waker) -> Poll<Result<T, TaskError>> {
    Pin::new(task).poll(&mut Context::from_waker(waker))
}

/// A one-shot channel: `ready` plus the waker of the task waiting for it.
#[derive(Default)]
struct Chan {
    ready: bool,
    waker: Option<Waker>,
}

/// Waits for `Chan::ready`; asserts it is never polled by two threads at once.
struct WaitChan {
    chan: Arc<Mutex<Chan>>,
    polling: Arc<AtomicBool>,
    polls: Arc<AtomicUsize>,
    output: Option<Tracked>,
}

impl Future for WaitChan {
    type Output = Tracked;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Tracked> {
        let this = self.get_mut();
        assert!(
            !this.polling.swap(true, SeqCst),
            "polled by two threads at once"
        );
        this.polls.fetch_add(1, SeqCst);
        let mut chan = this.chan.lock().unwrap();
        let result = if chan.ready {
            Poll::Ready(this.output.take().expect("polled after Ready"))
        } else {
            chan.waker = Some(cx.waker().clone());
            Poll::Pending
        };
        drop(chan);
        this.polling.store(false, SeqCst);
        result
    }
}

/// Pending on the first poll (stashing a clone of its waker), ready with `output` after.
struct StashThenReady {
    slot: Arc<Mutex<Option<Waker>>>,
    output: Option<Tracked>,
    polled: bool,
}

impl Future for StashThenReady {
    type Output = Tracked;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Tracked> {
        let this = self.get_mut();
        if this.polled {
            Poll::Ready(this.output.take().expect("polled after Ready"))
        } else {
            this.polled = true;
            *this.slot.lock().unwrap() = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

/// A wake from another thread races the poll that registered the waker: the task is never
/// polled twice at once, the wake is never lost, and the output is dropped once.
#[test]
fn wake_races_poll() {
    loom::model(|| {
        let shared = Shared::new();
        let chan = Arc::new(Mutex::new(Chan::default()));
        let polls = Arc::new(AtomicUsize::new(0));
        let drops = Arc::new(AtomicUsize::new(0));
        let mut task = spawn(
            &shared,
            WaitChan {
                chan: chan.clone(),
                polling: Arc::new(AtomicBool::new(false)),
                polls: polls.clone(),
                output: Some(Tracked(drops.clone())),
            },
        );

        let waker_thread = {
            let (shared, chan) = (shared.clone(), chan.clone());
            thread::spawn(move || {
                let waker = {
                    let mut chan = chan.lock().unwrap();
                    chan.ready = true;
                    chan.waker.take()
                };
                if let Some(waker) = waker {
                    waker.wake();
                }
                shared.drain();
            })
        };
        shared.drain();
        waker_thread.join().unwrap();
        shared.drain();

        assert!(task.is_done(), "lost wake-up");
        let polls = polls.load(SeqCst);
        assert!((1..=2).contains(&polls), "{polls} polls");
        match poll_with(&mut task, &noop_waker()) {
            Poll::Ready(Ok(output)) => drop(output),
            other => panic!("expected the output, got {other:?}"),
        }
        assert_eq!(drops.load(SeqCst), 1);
        drop(task);
        assert_eq!(shared.freed.load(SeqCst), 1);
        assert!(shared.list.is_empty());
    });
}

/// A thread wakes a stashed waker (by reference, then by value) while the task completes:
/// nothing is scheduled after completion, and the allocation is freed exactly once by
/// whichever thread lets go last.
#[test]
fn wake_after_completion() {
    loom::model(|| {
        let shared = Shared::new();
        let slot = Arc::new(Mutex::new(None));
        let drops = Arc::new(AtomicUsize::new(0));
        let task = spawn(
            &shared,
            StashThenReady {
                slot: slot.clone(),
                output: Some(Tracked(drops.clone())),
                polled: false,
            },
        );
        shared.drain();
        let waker = slot
            .lock()
            .unwrap()
            .take()
            .expect("the first poll stashed its waker");
        waker.wake_by_ref();
        assert_eq!(shared.schedules.load(SeqCst), 1);
        task.detach(); // the output is dropped with the allocation, on either thread

        let waker_thread = thread::spawn(move || {
            waker.wake_by_ref();
            waker.wake();
        });
        shared.drain();
        waker_thread.join().unwrap();

        assert_eq!(
            shared.schedules.load(SeqCst),
            1,
            "scheduled after completion"
        );
        assert_eq!(shared.queued(), 0);
        assert_eq!(drops.load(SeqCst), 1);
        assert_eq!(shared.freed.load(SeqCst), 1);
    });
}

/// `cancel` on one thread races the only poll on another. `false` means the task had
/// finished, so its output is there; otherwise the outcome may be either.
#[test]
fn cancel_races_completion() {
    loom::model(|| {
        let shared = Shared::new();
        let drops = Arc::new(AtomicUsize::new(0));
        let output = Tracked(drops.clone());
        let task = spawn(&shared, async move { output });

        let canceller = thread::spawn(move || {
            let cancelled = task.cancel();
            (task, cancelled)
        });
        shared.drain();
        let (mut task, cancelled) = canceller.join().unwrap();
        assert_eq!(
            shared.queued(),
            0,
            "cancel of a queued or running task adds no runnable"
        );

        assert!(task.is_done());
        let got_value = match poll_with(&mut task, &noop_waker()) {
            Poll::Ready(Ok(output)) => {
                assert!(
                    !task.is_cancelled(),
                    "finished with a value but reported cancelled"
                );
                drop(output);
                true
            }
            Poll::Ready(Err(TaskError::Cancelled)) => {
                assert!(
                    cancelled,
                    "cancelled although cancel() said it had finished"
                );
                assert!(task.is_cancelled());
                false
            }
            other => panic!("unexpected {other:?}"),
        };
        assert!(cancelled || got_value);
        drop(task);
        // The value lives in the future until it returns it: dropped exactly once either as
        // the output or with the cancelled future.
        assert_eq!(drops.load(SeqCst), 1);
        assert_eq!(shared.freed.load(SeqCst), 1);
        assert!(shared.list.is_empty());
    });
}

/// `cancel` of an idle task (which submits a runnable to drop the future) races a wake of
/// the same task: one runnable at a time, one outcome, one free.
#[test]
fn cancel_races_wake() {
    loom::model(|| {
        let shared = Shared::new();
        let slot = Arc::new(Mutex::new(None));
        let drops = Arc::new(AtomicUsize::new(0));
        let task = spawn(
            &shared,
            StashThenReady {
                slot: slot.clone(),
                output: Some(Tracked(drops.clone())),
                polled: false,
            },
        );
        shared.drain();
        let waker = slot.lock().unwrap().take().expect("stashed");

        let canceller = thread::spawn(move || {
            let cancelled = task.cancel();
            (task, cancelled)
        });
        waker.wake();
        shared.drain();
        let (mut task, cancelled) = canceller.join().unwrap();
        shared.drain();

        assert!(task.is_done());
        let got_value = match poll_with(&mut task, &noop_waker()) {
            Poll::Ready(Ok(output)) => {
                drop(output);
                true
            }
            Poll::Ready(Err(TaskError::Cancelled)) => false,
            other => panic!("unexpected {other:?}"),
        };
        assert!(cancelled || got_value, "cancel() == false but no value");
        drop(task);
        assert_eq!(drops.load(SeqCst), 1);
        assert_eq!(shared.freed.load(SeqCst), 1);
    });
}

/// The `Task` handle (with a registered join waker) is dropped on one thread while the task
/// completes on another: the completer never reads the waker slot the handle is clearing,
/// the output is dropped once, the allocation freed once.
#[test]
fn handle_drop_races_completion() {
    loom::model(|| {
        let shared = Shared::new();
        let drops = Arc::new(AtomicUsize::new(0));
        let output = Tracked(drops.clone());
        let mut task = spawn(&shared, async move { output });
        let (counter, waker) = counting_waker();
        assert!(poll_with(&mut task, &waker).is_pending());

        let dropper = thread::spawn(move || drop(task));
        shared.drain();
        dropper.join().unwrap();

        assert_eq!(drops.load(SeqCst), 1);
        assert_eq!(shared.freed.load(SeqCst), 1);
        assert!(counter.0.load(SeqCst) <= 1);
    });
}

/// The handle registers its first waker on one thread while the task completes on another:
/// either the poll sees the output or the waker is woken.
#[test]
fn join_waker_races_completion() {
    loom::model(|| {
        let shared = Shared::new();
        let task = spawn(&shared, async { 7u8 });
        let (counter, waker) = counting_waker();

        let awaiter = thread::spawn(move || {
            let mut task = task;
            let first = poll_with(&mut task, &waker);
            (task, waker, first)
        });
        shared.drain();
        let (mut task, waker, first) = awaiter.join().unwrap();

        match first {
            Poll::Ready(Ok(7)) => {}
            Poll::Pending => {
                assert_eq!(counter.0.load(SeqCst), 1, "lost wake-up of the awaiter");
                assert!(matches!(poll_with(&mut task, &waker), Poll::Ready(Ok(7))));
            }
            other => panic!("unexpected {other:?}"),
        }
        drop(task);
        assert_eq!(shared.freed.load(SeqCst), 1);
    });
}

/// The handle swaps its registered waker for another while the task completes: the new
/// waker is woken unless the poll returned the output.
#[test]
fn join_waker_replacement_races_completion() {
    loom::model(|| {
        let shared = Shared::new();
        let mut task = spawn(&shared, async { 7u8 });
        let (_first_counter, first_waker) = counting_waker();
        assert!(poll_with(&mut task, &first_waker).is_pending());
        let (counter, waker) = counting_waker();

        let awaiter = thread::spawn(move || {
            let mut task = task;
            let second = poll_with(&mut task, &waker);
            (task, second)
        });
        shared.drain();
        let (mut task, second) = awaiter.join().unwrap();

        match second {
            Poll::Ready(Ok(7)) => {}
            Poll::Pending => {
                assert_eq!(
                    counter.0.load(SeqCst),
                    1,
                    "the replacement waker was not woken"
                );
                assert!(matches!(
                    poll_with(&mut task, &noop_waker()),
                    Poll::Ready(Ok(7))
                ));
            }
            other => panic!("unexpected {other:?}"),
        }
        drop(task);
        assert_eq!(shared.freed.load(SeqCst), 1);
    });
}

/// `Handle::cancel` races the run of its callback: the callback runs at most once, and it
/// ran exactly when `cancel` returned `false`.
#[test]
fn handle_cancel_races_run() {
    loom::model(|| {
        let shared = Shared::new();
        let runs = Arc::new(AtomicUsize::new(0));
        let runs2 = runs.clone();
        let f = move || {
            runs2.fetch_add(1, SeqCst);
        };
        let handle = Handle::new(spawn(&shared, async move { f() }));

        let canceller = thread::spawn(move || {
            let cancelled = handle.cancel();
            (handle, cancelled)
        });
        shared.drain();
        let (handle, cancelled) = canceller.join().unwrap();
        shared.drain();

        let runs = runs.load(SeqCst);
        assert!(runs <= 1);
        assert_eq!(runs == 1, !cancelled, "ran XOR cancelled");
        assert!(handle.is_done());
        assert_eq!(handle.is_cancelled(), cancelled);
        drop(handle);
        assert_eq!(shared.freed.load(SeqCst), 1);
    });
}

/// `TimerHandle::cancel` of a waiting callback races its timer firing (the waker): the
/// callback runs at most once, and exactly when `cancel` returned `false`.
#[test]
fn timer_handle_cancel_races_wake() {
    loom::model(|| {
        let shared = Shared::new();
        let runs = Arc::new(AtomicUsize::new(0));
        let runs2 = runs.clone();
        let f = move || {
            runs2.fetch_add(1, SeqCst);
        };
        let (runnable, task, list_ref) = create(async move { f() }, Sched(shared.clone()), None);
        shared.list.insert(list_ref).unwrap();
        let timer = runnable.into_waker();
        let handle = Handle::new(task);

        let canceller = thread::spawn(move || {
            let cancelled = handle.cancel();
            (handle, cancelled)
        });
        timer.wake();
        shared.drain();
        let (handle, cancelled) = canceller.join().unwrap();
        shared.drain();

        let runs = runs.load(SeqCst);
        assert!(runs <= 1);
        assert_eq!(runs == 1, !cancelled, "ran XOR cancelled");
        assert!(handle.is_done());
        drop(handle);
        assert_eq!(shared.freed.load(SeqCst), 1);
    });
}

/// A done callback is added on one thread while the task completes on another: it runs
/// exactly once (by the completer, or through `call_soon`), with the value, and the awaiter
/// gets the output only after it ran.
#[test]
fn done_callback_races_completion() {
    loom::model(|| {
        let shared = Shared::new();
        let task = spawn(&shared, async { 5u8 });
        let runs = Arc::new(AtomicUsize::new(0));
        let runs2 = runs.clone();

        let adder = thread::spawn(move || {
            task.add_done_callback(move |outcome| {
                assert!(matches!(outcome, Ok(5)));
                runs2.fetch_add(1, SeqCst);
            });
            task
        });
        shared.drain();
        let mut task = adder.join().unwrap();

        let (counter, waker) = counting_waker();
        match poll_with(&mut task, &waker) {
            Poll::Ready(Ok(5)) => assert_eq!(
                runs.load(SeqCst),
                1,
                "output handed out before the callback ran"
            ),
            Poll::Pending => {
                assert_eq!(runs.load(SeqCst), 0);
                shared.run_late();
                assert_eq!(
                    counter.0.load(SeqCst),
                    1,
                    "awaiter not released by the late callback"
                );
                assert!(matches!(poll_with(&mut task, &waker), Poll::Ready(Ok(5))));
            }
            other => panic!("unexpected {other:?}"),
        }
        shared.run_late();
        assert_eq!(runs.load(SeqCst), 1);
        drop(task);
        assert_eq!(shared.freed.load(SeqCst), 1);
    });
}

/// Two threads add done callbacks to one task (`Task` is `Sync`) while it completes on a
/// third: both race to install the out-of-line `Extra` box (one compare-exchange wins, the
/// loser frees its own box and uses the winner's) and against the completer's `DISPATCHED`.
/// Each callback runs exactly once, with the value, and the awaiter gets the output only
/// after both ran.
#[test]
fn done_callbacks_race_box_install() {
    loom::model(|| {
        let shared = Shared::new();
        let task = Arc::new(spawn(&shared, async { 5u8 }));
        let runs = Arc::new(AtomicUsize::new(0));

        let adders: Vec<_> = (0..2)
            .map(|_| {
                let task = task.clone();
                let runs = runs.clone();
                thread::spawn(move || {
                    task.add_done_callback(move |outcome| {
                        assert!(matches!(outcome, Ok(5)));
                        runs.fetch_add(1, SeqCst);
                    })
                })
            })
            .collect();
        shared.drain();
        for adder in adders {
            adder.join().unwrap();
        }
        let Ok(mut task) = Arc::try_unwrap(task) else {
            panic!("the adders kept the task")
        };

        let (counter, waker) = counting_waker();
        match poll_with(&mut task, &waker) {
            Poll::Ready(Ok(5)) => assert_eq!(
                runs.load(SeqCst),
                2,
                "output handed out before the callbacks ran"
            ),
            Poll::Pending => {
                assert!(runs.load(SeqCst) < 2);
                shared.run_late();
                assert_eq!(
                    counter.0.load(SeqCst),
                    1,
                    "awaiter not released by the late callbacks"
                );
                assert!(matches!(poll_with(&mut task, &waker), Poll::Ready(Ok(5))));
            }
            other => panic!("unexpected {other:?}"),
        }
        shared.run_late();
        assert_eq!(runs.load(SeqCst), 2);
        drop(task);
        assert_eq!(shared.freed.load(SeqCst), 1);
    });
}

/// The loop closes (`TaskList::close` + `TaskRef::shutdown`) on one thread while a worker
/// completes the task on another: one outcome, one free, and the list ends empty.
#[test]
fn shutdown_races_completion() {
    loom::model(|| {
        let shared = Shared::new();
        let drops = Arc::new(AtomicUsize::new(0));
        let output = Tracked(drops.clone());
        let mut task = spawn(&shared, async move { output });

        let closer = {
            let shared = shared.clone();
            thread::spawn(move || {
                for member in shared.list.close() {
                    member.shutdown();
                }
            })
        };
        shared.drain();
        closer.join().unwrap();
        shared.drain();

        assert!(task.is_done());
        match poll_with(&mut task, &noop_waker()) {
            Poll::Ready(Ok(output)) => drop(output),
            Poll::Ready(Err(TaskError::Cancelled)) => {}
            other => panic!("unexpected {other:?}"),
        }
        drop(task);
        assert_eq!(drops.load(SeqCst), 1);
        assert_eq!(shared.freed.load(SeqCst), 1);
        assert!(shared.list.is_empty());
    });
}

/// Shutdown of an idle task (its future dropped on the closing thread) races a wake of it:
/// the future is dropped once, never polled concurrently with the drop, and no runnable
/// outlives the task's completion.
#[test]
fn shutdown_races_wake() {
    loom::model(|| {
        let shared = Shared::new();
        let slot = Arc::new(Mutex::new(None));
        let drops = Arc::new(AtomicUsize::new(0));
        let mut task = spawn(
            &shared,
            StashThenReady {
                slot: slot.clone(),
                output: Some(Tracked(drops.clone())),
                polled: false,
            },
        );
        shared.drain();
        let waker = slot.lock().unwrap().take().expect("stashed");

        let closer = {
            let shared = shared.clone();
            thread::spawn(move || {
                for member in shared.list.close() {
                    member.shutdown();
                }
            })
        };
        waker.wake();
        shared.drain();
        closer.join().unwrap();
        shared.drain();

        assert_eq!(shared.queued(), 0);
        assert!(task.is_done());
        match poll_with(&mut task, &noop_waker()) {
            Poll::Ready(Ok(output)) => drop(output),
            Poll::Ready(Err(TaskError::Cancelled)) => {}
            other => panic!("unexpected {other:?}"),
        }
        drop(task);
        assert_eq!(drops.load(SeqCst), 1);
        assert_eq!(shared.freed.load(SeqCst), 1);
    });
}
