//! `gather` and `try_gather`: run futures as tasks and collect their outputs in input order.
//!
//! Each child is spawned on the current loop at the call (as asyncio's `gather` schedules its
//! children at once), so the children run in parallel across the workers; the `Gather` future
//! only collects. The children belong to the gather: no handle escapes, so dropping it
//! cancels every child not yet finished.
//!
//! # How a gather learns that its children finished
//!
//! Each child's future runs inside a [`Child`] wrapper that shares one [`Shared`] block with the
//! gather (allocated once per gather): a slot per child for its outcome, the number of children
//! still running, the index of the first child to fail, and the gather's waker.
//!
//! - A child whose future returns leaves the value in its slot and counts itself down; under
//!   `try_gather`, one that returned `Err` first records itself as the failure.
//! - A child whose future panics leaves the payload in its slot (the wrapper catches it) and
//!   records itself as the failure.
//! - A child dropped before its future returned (it was cancelled, or a closed loop refused
//!   it) records itself as the failure with an empty slot: its task then says why.
//! - Whoever brings the count to zero, or records the first failure, wakes the gather.
//!
//! So a gather whose children all succeed is woken once, not once per child, and then moves
//! the values out of the slots in input order: no done callback, no queue, no lock per child,
//! and no read of a task's output (the tasks output `()`; the gather keeps their handles only
//! to cancel them, and to ask a child that left nothing why). A child's task never ends as
//! panicked, so a second child's panic is not reported as unretrieved (asyncio's `gather`
//! marks every child's exception retrieved too).
//!
//! The wrapper reports from inside the child's task, a moment before the task publishes that it
//! is done: the task's handle is polled only for a child that left no outcome, and if it has not
//! published yet, polling it registers the gather as its awaiter.

use crate::{EventLoop, Task, TaskError};
use std::any::Any;
use std::cell::UnsafeCell;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

/// Runs every future of `futures` as a task on the current loop and awaits all of them:
/// asyncio's `gather(*aws)`.
///
/// The output is the children's outputs **in input order**, whatever order they finish in.
///
/// - **A child panics:** the other children are cancelled and the panic is resumed in the
///   awaiter with [`std::panic::resume_unwind`], with the child's own payload: as if the
///   children had run inside the awaiting task, as with `futures::future::join_all`. A panic
///   is a bug, not an outcome to collect.
/// - **A child is cancelled from outside** (only possible through a [`TaskRef`](crate::TaskRef)
///   from `EventLoop::all_tasks()`, or by the loop closing): the others are cancelled and the
///   awaiter panics with a message naming the child. asyncio raises `CancelledError` here; the
///   children of a gather are private to it, so this only happens when someone reached in on
///   purpose or the loop is being torn down.
/// - **Errors as values** (asyncio's `return_exceptions=True`): let the children return
///   `Result`s; the output is then a `Vec<Result<T, E>>` with every error in its place. To
///   stop at the first error instead, use [`try_gather`].
/// - **Dropping** the `Gather` cancels every child not yet finished (their futures are
///   dropped at their next suspension point, at once if idle).
///
/// ```
/// # #[cfg(feature = "scheduler")] {
/// use std::time::Duration;
///
/// let out = spindle::run(async {
///     spindle::gather((1..=3u64).map(|i| async move {
///         // The first child finishes last: the output is still in input order.
///         spindle::sleep(Duration::from_millis(10 * (4 - i))).await;
///         i * 10
///     }))
///     .await
/// });
/// assert_eq!(out, [10, 20, 30]);
/// # }
/// ```
///
/// The children start at once when a loop runs on this thread; a gather created outside a
/// loop spawns them at its first poll, so `lp.run_until_complete(gather(..))` works as in
/// asyncio.
///
/// # Panics
/// When first polled outside an event loop (with at least one future to spawn).
pub fn gather<I>(futures: I) -> Gather<<I::Item as Future>::Output>
where
    I: IntoIterator,
    I::Item: Future + Send + 'static,
    <I::Item as Future>::Output: Send + 'static,
{
    Gather {
        children: Children::spawn::<_, EveryValue>(futures),
        results: Vec::new(),
        finished: false,
    }
}

/// Runs every future of `futures` as a task and awaits all of them, stopping at the first
/// error: asyncio's `gather(*aws)` with the default `return_exceptions=False`.
///
/// `Ok` holds the values in input order. The first child to finish with `Err(e)` (first in
/// *completion* order) makes the output `Err(e)`, and every child not yet finished is
/// cancelled. asyncio returns the first exception too but leaves the other children running;
/// here they are cancelled, since nothing could await them any more (their handles are
/// private to the gather), so leaving them running would only leak work.
///
/// Panics and outside cancellations of a child behave as in [`gather`].
///
/// ```
/// # #[cfg(feature = "scheduler")] {
/// let out = spindle::run(async {
///     spindle::try_gather((0..4u32).map(|i| async move {
///         if i == 2 { Err(format!("child {i} failed")) } else { Ok(i) }
///     }))
///     .await
/// });
/// assert_eq!(out, Err("child 2 failed".to_string()));
/// # }
/// ```
///
/// Like [`gather`], the children start at once inside a loop, or at the first poll.
///
/// # Panics
/// When first polled outside an event loop (with at least one future to spawn).
pub fn try_gather<I, T, E>(futures: I) -> TryGather<T, E>
where
    I: IntoIterator,
    I::Item: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + 'static,
    E: Send + 'static,
{
    TryGather {
        children: Children::spawn::<_, FirstErr>(futures),
        results: Vec::new(),
        first_err: None,
        finished: false,
    }
}

/// The future of [`gather`]: the children's outputs in input order.
#[must_use = "futures do nothing unless awaited; dropping a Gather cancels its children"]
pub struct Gather<T> {
    children: Children<T>,
    /// The outputs read so far, in input order.
    results: Vec<T>,
    finished: bool,
}

/// The future of [`try_gather`]: the values in input order, or the first error.
#[must_use = "futures do nothing unless awaited; dropping a TryGather cancels its children"]
pub struct TryGather<T, E> {
    children: Children<Result<T, E>>,
    /// The values read so far, in input order.
    results: Vec<T>,
    /// An `Err` met while reading the outputs in order. Cannot happen: a child that returns
    /// `Err` records itself as the failure before it counts down, and the outputs are read only
    /// once every child counted down with no failure recorded. Kept rather than asserted.
    first_err: Option<E>,
    finished: bool,
}

// Neither type pins anything: the children live in their tasks, the outputs are moved out.
impl<T> Unpin for Gather<T> {}
impl<T, E> Unpin for TryGather<T, E> {}

impl<T> Gather<T> {
    /// The number of children.
    pub fn len(&self) -> usize {
        self.children.len
    }

    /// `true` when there are no children (the gather completes at once with an empty `Vec`).
    pub fn is_empty(&self) -> bool {
        self.children.len == 0
    }
}

impl<T, E> TryGather<T, E> {
    /// The number of children.
    pub fn len(&self) -> usize {
        self.children.len
    }

    /// `true` when there are no children (the gather completes at once with `Ok` of an empty
    /// `Vec`).
    pub fn is_empty(&self) -> bool {
        self.children.len == 0
    }
}

/// A child that finished without a value: cancel the siblings, then panic in the awaiter.
fn fail<T>(children: &mut Children<T>, what: &str, index: usize, error: TaskError) -> ! {
    children.close();
    match error.try_into_panic() {
        Ok(payload) => resume_unwind(payload),
        Err(error) => panic!("spindle::{what}: child {index} produced no value: {error}"),
    }
}

impl<T: Send + 'static> Future for Gather<T> {
    type Output = Vec<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Vec<T>> {
        let this = self.get_mut();
        assert!(!this.finished, "`Gather` polled after completion");
        if this.results.capacity() == 0 {
            this.results.reserve_exact(this.children.len);
        }
        let results = &mut this.results;
        let failure = std::task::ready!(this.children.poll_outputs(cx, |value| {
            results.push(value);
        }));
        this.finished = true;
        match failure {
            // Dropping the gather forgets its waker (`Children::drop`).
            None => Poll::Ready(std::mem::take(&mut this.results)),
            Some((index, Err(error))) => fail(&mut this.children, "gather", index, error),
            Some((index, Ok(_))) => {
                unreachable!("spindle::gather: child {index} returned, yet counted as failed")
            }
        }
    }
}

impl<T: Send + 'static, E: Send + 'static> Future for TryGather<T, E> {
    type Output = Result<Vec<T>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<Vec<T>, E>> {
        let this = self.get_mut();
        assert!(!this.finished, "`TryGather` polled after completion");
        if this.results.capacity() == 0 {
            this.results.reserve_exact(this.children.len);
        }
        let (results, first_err) = (&mut this.results, &mut this.first_err);
        let failure = std::task::ready!(this.children.poll_outputs(cx, |output| match output {
            Ok(value) => results.push(value),
            Err(error) => {
                first_err.get_or_insert(error);
            }
        }));
        this.finished = true;
        match failure {
            None => Poll::Ready(match this.first_err.take() {
                None => Ok(std::mem::take(&mut this.results)),
                Some(error) => Err(error),
            }),
            Some((_, Ok(Err(error)))) => {
                this.children.close();
                Poll::Ready(Err(error))
            }
            Some((index, Err(error))) => fail(&mut this.children, "try_gather", index, error),
            Some((index, Ok(Ok(_)))) => {
                unreachable!(
                    "spindle::try_gather: child {index} returned Ok, yet counted as failed"
                )
            }
        }
    }
}

impl<T> fmt::Debug for Gather<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gather")
            .field("children", &self.children.len)
            .field("finished", &self.finished)
            .finish()
    }
}

impl<T, E> fmt::Debug for TryGather<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TryGather")
            .field("children", &self.children.len)
            .field("finished", &self.finished)
            .finish()
    }
}

/// `Shared::failed` while no child has failed.
const NO_FAILURE: usize = usize::MAX;

/// What a child leaves in its slot: its value, or what it panicked with.
type Outcome<T> = Result<T, Box<dyn Any + Send + 'static>>;

/// One child's outcome; see [`Shared`].
struct Slot<T>(UnsafeCell<Option<Outcome<T>>>);

// SAFETY: a slot is written by its child once and read (taken) by the gather only after that
// write was published to it (see `Shared`), never both at once; its contents cross from the
// child's worker to the gather's, hence `T: Send` (the payload is `Send` already).
unsafe impl<T: Send> Sync for Slot<T> {}

/// What a gather and its children share; see the module docs.
///
/// Child `i` writes `slots[i]` once, when its future returns (or panics), and then calls
/// `child_over`, whose read-modify-writes (`AcqRel`) publish the write: the gather reads a slot
/// only after an `Acquire` load saw that child's failure recorded, or the count at zero.
struct Shared<T> {
    /// Children whose future has neither returned nor been dropped.
    running: AtomicUsize,
    /// The index of the first child to fail, or [`NO_FAILURE`].
    failed: AtomicUsize,
    /// The gather's waker, taken by whoever wakes it.
    waker: Mutex<Option<Waker>>,
    /// The children's outcomes, by index.
    slots: Box<[Slot<T>]>,
}

/// Where the children are, as the gather sees it.
enum Progress {
    /// Some are running, none failed.
    Running,
    /// Every child returned and none failed: the outputs can be read in order.
    AllReturned,
    /// This child failed first.
    Failed(usize),
}

impl<T> Shared<T> {
    fn new(children: usize) -> Arc<Shared<T>> {
        Arc::new(Shared {
            running: AtomicUsize::new(children),
            failed: AtomicUsize::new(NO_FAILURE),
            waker: Mutex::new(None),
            slots: (0..children).map(|_| Slot(UnsafeCell::new(None))).collect(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Option<Waker>> {
        // Nothing panics while holding the lock; recover rather than cascade if it ever did.
        self.waker.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Child `index` is over (`failed`: it panicked, produced no value, or returned an `Err`
    /// under `try_gather`). Wakes the gather if this is the first failure or the last child.
    fn child_over(&self, index: usize, failed: bool) {
        // The failure is recorded before the count goes down: a gather that sees the count at
        // zero (Acquire) then sees every failure.
        let first_failure = failed
            && self
                .failed
                .compare_exchange(NO_FAILURE, index, Ordering::AcqRel, Ordering::Acquire)
                .is_ok();
        let last = self.running.fetch_sub(1, Ordering::AcqRel) == 1;
        if first_failure || last {
            let waker = self.lock().take();
            if let Some(waker) = waker {
                waker.wake();
            }
        }
    }

    fn progress(&self) -> Progress {
        // The count first: once it reads zero, every failure has been recorded (see
        // `child_over`), so the second load cannot miss one.
        let running = self.running.load(Ordering::Acquire);
        match self.failed.load(Ordering::Acquire) {
            NO_FAILURE if running == 0 => Progress::AllReturned,
            NO_FAILURE => Progress::Running,
            index => Progress::Failed(index),
        }
    }

    /// Makes `waker` the one the next `child_over` that matters wakes.
    fn register(&self, waker: &Waker) {
        let mut slot = self.lock();
        match slot.as_ref() {
            Some(current) if current.will_wake(waker) => {}
            _ => *slot = Some(waker.clone()),
        }
    }

    /// Stores child `index`'s outcome.
    ///
    /// # Safety
    /// Called by child `index` only, at most once, before its `child_over`.
    unsafe fn put(&self, index: usize, outcome: Outcome<T>) {
        // SAFETY: the caller is the slot's only writer and writes before `child_over`
        // publishes it; the gather reads it only after that (see the type's docs).
        unsafe { *self.slots[index].0.get() = Some(outcome) };
    }

    /// Takes child `index`'s outcome, `None` if it left none (it produced no value).
    ///
    /// # Safety
    /// Only after an `Acquire` load observed child `index` over: its failure recorded, or the
    /// count at zero; and only by the gather.
    unsafe fn take(&self, index: usize) -> Option<Outcome<T>> {
        // SAFETY: the child wrote before `child_over` and never touches the slot again; the
        // caller observed that `child_over` (see the type's docs).
        unsafe { (*self.slots[index].0.get()).take() }
    }
}

/// Decides which outputs count as a child's failure.
trait Failure<T> {
    /// Whether `output` fails the gather.
    fn is_failure(output: &T) -> bool;
}

/// `gather`: every value is kept, whatever it is.
struct EveryValue;

impl<T> Failure<T> for EveryValue {
    fn is_failure(_: &T) -> bool {
        false
    }
}

/// `try_gather`: the first `Err` ends the gather.
struct FirstErr;

impl<T, E> Failure<Result<T, E>> for FirstErr {
    fn is_failure(output: &Result<T, E>) -> bool {
        output.is_err()
    }
}

/// A child's future, as spawned: leaves its outcome in its slot and reports to [`Shared`] when
/// it returns or panics, or when it is dropped before (cancelled, never run). The task itself
/// outputs `()`: a child's panic is caught here, so the task never counts as panicked (a panic
/// the gather does not resume, after the first, is not reported as unretrieved, as asyncio's
/// `gather` marks every child's exception retrieved).
struct Child<F: Future, C> {
    /// Structurally pinned.
    future: F,
    index: usize,
    shared: Arc<Shared<F::Output>>,
    /// The future returned or panicked (and the child reported it).
    returned: bool,
    _failure: PhantomData<fn() -> C>,
}

impl<F: Future, C: Failure<F::Output>> Future for Child<F, C> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: `future` is structurally pinned: it is never moved out of the child, which
        // `Drop` leaves in place (it reads only the other fields); the other fields are not
        // pinned and are only read or assigned.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: as above; `this` is not moved while the pin lives.
        let future = unsafe { Pin::new_unchecked(&mut this.future) };
        // A panic is caught (and the future then only dropped, with the child): see the type.
        let (outcome, failed) = match catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(value)) => {
                let failed = C::is_failure(&value);
                (Ok(value), failed)
            }
            Err(payload) => (Err(payload), true),
        };
        this.returned = true;
        // SAFETY: this is child `index`; `returned` keeps it from writing again, and
        // `child_over` comes next.
        unsafe { this.shared.put(this.index, outcome) };
        this.shared.child_over(this.index, failed);
        Poll::Ready(())
    }
}

impl<F: Future, C> Drop for Child<F, C> {
    fn drop(&mut self) {
        if !self.returned {
            // Dropped before returning: cancelled, or never run (a closed loop).
            self.shared.child_over(self.index, true);
        }
    }
}

/// A child that failed first: its index, and its value (`try_gather`'s `Err`), or why it has
/// none.
type Failed<T> = (usize, Result<T, TaskError>);

/// The children of one gather, and the reading of their outcomes.
struct Children<T> {
    shared: Arc<Shared<T>>,
    /// The children's tasks, in input order: to cancel them, and to learn why a child that
    /// left no outcome has none.
    tasks: Vec<Task<()>>,
    /// Spawns the children, at the first poll of a gather created outside a loop.
    deferred: Option<Box<dyn FnOnce() -> Vec<Task<()>> + Send>>,
    /// The number of children.
    len: usize,
    /// Every child returned without a failure: their outcomes were read.
    all_read: bool,
}

impl<T: Send + 'static> Children<T> {
    /// Spawns every future now if a loop runs on this thread (asyncio starts the children at
    /// once), or else at the first poll: `lp.run_until_complete(gather(..))` polls it inside the
    /// run. `C` decides which outputs fail the gather.
    fn spawn<I, C>(futures: I) -> Children<T>
    where
        I: IntoIterator,
        I::Item: Future<Output = T> + Send + 'static,
        C: Failure<T> + 'static,
    {
        // In place when `futures` is a `Vec` (`collect` reuses its buffer).
        let futures: Vec<I::Item> = futures.into_iter().collect();
        let len = futures.len();
        let shared = Shared::new(len);
        let mut children = Children {
            shared: shared.clone(),
            tasks: Vec::new(),
            deferred: None,
            len,
            all_read: false,
        };
        if len == 0 {
            return children;
        }
        match EventLoop::try_current() {
            Some(lp) => children.tasks = spawn_all::<_, C>(&lp, futures, &shared),
            None => {
                children.deferred = Some(Box::new(move || {
                    spawn_all::<_, C>(&EventLoop::current(), futures, &shared)
                }));
            }
        }
        children
    }
}

impl<T> Children<T> {
    /// Hands each output to `sink` in input order once every child returned, then gives
    /// `Ready(None)`; or `Ready(Some(..))` for the first child to fail (the other outputs are
    /// not read).
    fn poll_outputs(
        &mut self,
        cx: &mut Context<'_>,
        mut sink: impl FnMut(T),
    ) -> Poll<Option<Failed<T>>> {
        if let Some(spawn) = self.deferred.take() {
            self.tasks = spawn();
        }
        let mut progress = self.shared.progress();
        if let Progress::Running = progress {
            self.shared.register(cx.waker());
            // A child may have been over between the check and the registration.
            progress = self.shared.progress();
        }
        match progress {
            Progress::Running => Poll::Pending,
            Progress::Failed(index) => {
                // SAFETY: `progress` observed child `index`'s failure (Acquire).
                if let Some(outcome) = unsafe { self.shared.take(index) } {
                    return Poll::Ready(Some((index, outcome.map_err(TaskError::Panicked))));
                }
                // No outcome: the task says why (cancelled, or refused by a closed loop). It
                // may not have published that yet: then this registers us as its awaiter.
                let outcome = std::task::ready!(Pin::new(&mut self.tasks[index]).poll(cx));
                let error = outcome.expect_err("a child without an outcome has an error");
                Poll::Ready(Some((index, Err(error))))
            }
            Progress::AllReturned => {
                self.all_read = true;
                for index in 0..self.len {
                    // SAFETY: `progress` observed the count at zero (Acquire): every child is
                    // over.
                    match unsafe { self.shared.take(index) } {
                        Some(Ok(value)) => sink(value),
                        // A child that panicked or left nothing counts as failed before it
                        // counts down, so neither is reached; kept as failures, not asserted.
                        Some(Err(payload)) => {
                            return Poll::Ready(Some((index, Err(TaskError::Panicked(payload)))))
                        }
                        None => return Poll::Ready(Some((index, Err(TaskError::Cancelled)))),
                    }
                }
                Poll::Ready(None)
            }
        }
    }

    /// Cancels every child not yet over, and forgets the gather's waker (a child that is over
    /// from now on has nobody to wake).
    fn close(&mut self) {
        if !self.all_read {
            for task in &self.tasks {
                task.cancel();
            }
        }
        let waker = self.shared.lock().take();
        drop(waker);
    }
}

impl<T> Drop for Children<T> {
    fn drop(&mut self) {
        self.close();
    }
}

/// Spawns each future as child `index` on `lp`.
fn spawn_all<F, C>(
    lp: &EventLoop,
    futures: Vec<F>,
    shared: &Arc<Shared<F::Output>>,
) -> Vec<Task<()>>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    C: Failure<F::Output> + 'static,
{
    futures
        .into_iter()
        .enumerate()
        .map(|(index, future)| {
            lp.spawn(Child::<_, C> {
                future,
                index,
                shared: shared.clone(),
                returned: false,
                _failure: PhantomData,
            })
        })
        .collect()
}
