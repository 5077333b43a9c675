//! The typed half of a task: what each vtable entry does for a concrete future `F` and
//! scheduler hook `S`.
//!
//! Every function here starts from a `NonNull<Header>` whose cell is a `Cell<F, S>` (the vtable
//! is built for exactly that pair in [`vtable`]), and follows the ownership rules of `cell.rs`
//! and the state table of [`crate::task`].

use super::cell::{Cell, DoneCallback, Stage};
use super::header::{Header, Vtable, DISPATCHED, TAKEN};
use super::raw::TaskRef;
use super::runnable::Runnable;
use super::schedule::{Schedule, TaskPanic};
use super::state::{Idle, Start, JOIN_INTEREST, JOIN_WAKER};
use super::{context, waker};
use crate::error::TaskError;
use crate::loom::lock;
use std::any::Any;
use std::future::Future;
use std::marker::PhantomData;
use std::mem::{self, ManuallyDrop};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::ptr;
use std::ptr::NonNull;
use std::task::{Context, Poll, Waker};

struct VtableOf<F, S>(PhantomData<(F, S)>);

impl<F, S> VtableOf<F, S>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    const fn build(callback: bool) -> Vtable {
        Vtable {
            run: run::<F, S>,
            reject: reject::<F, S>,
            schedule: schedule::<F, S>,
            dealloc: dealloc::<F, S>,
            shutdown: shutdown::<F, S>,
            read_output: read_output::<F, S>,
            add_done_callback: add_done_callback::<F, S>,
            callback,
        }
    }

    const TASK: Vtable = Self::build(false);
    const CALLBACK: Vtable = Self::build(true);
}

/// The vtable of `Cell<F, S>` for a task.
pub(crate) fn vtable<F, S>() -> &'static Vtable
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    &VtableOf::<F, S>::TASK
}

/// The vtable of `Cell<F, S>` for a `call_soon` callback (`Vtable::callback` set).
pub(crate) fn callback_vtable<F, S>() -> &'static Vtable
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    &VtableOf::<F, S>::CALLBACK
}

/// Typed access to one task cell. Holds no reference of its own.
struct Harness<F: Future, S> {
    cell: NonNull<Cell<F, S>>,
}

impl<F, S> Harness<F, S>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    /// # Safety
    /// `ptr` heads a live `Cell<F, S>`.
    unsafe fn from_raw(ptr: NonNull<Header>) -> Self {
        Harness { cell: ptr.cast() }
    }

    fn cell(&self) -> &Cell<F, S> {
        // SAFETY: `from_raw`'s contract: the cell is live while any reference is held, and the
        // caller of every harness function holds one.
        unsafe { self.cell.as_ref() }
    }

    fn header(&self) -> &Header {
        &self.cell().header
    }

    fn ptr(&self) -> NonNull<Header> {
        self.cell.cast()
    }

    /// A `TaskRef` that borrows the caller's reference (never dropped).
    fn borrowed_ref(&self) -> ManuallyDrop<TaskRef> {
        // SAFETY: the cell is live; ManuallyDrop keeps the count untouched.
        ManuallyDrop::new(unsafe { TaskRef::from_raw(self.ptr()) })
    }

    fn report(&self, payload: &(dyn Any + Send), context: &'static str) {
        let header = self.header();
        self.cell().scheduler.unhandled_panic(TaskPanic {
            id: header.id,
            name: header.name(),
            payload,
            context,
        });
    }

    /// Replaces the stage. Only while holding `RUNNING`.
    ///
    /// The old stage is dropped **where it lies**, then the new one is written: a future is
    /// pinned in this cell, and an async block that borrows its own state across an `.await`
    /// follows that borrow in its drop, so moving it out first (`mem::replace`) would drop it
    /// through a dangling pointer (`tests/task_pinned_drop.rs`). A panic from that drop is
    /// caught and reported; the new stage is written either way.
    fn replace_stage(&self, stage: Stage<F>) {
        let dropped = self.cell().stage.with_mut(|s| {
            // SAFETY: the caller holds RUNNING, which gives exclusive access to the stage, and
            // the stage is initialised; after `drop_in_place` (even one that unwound) the old
            // value is dead, so it is overwritten with `ptr::write`, which does not drop it again.
            unsafe {
                let dropped = catch_unwind(AssertUnwindSafe(|| ptr::drop_in_place(s)));
                ptr::write(s, stage);
                dropped
            }
        });
        if let Err(payload) = dropped {
            self.report(&*payload, "dropping a task's future panicked");
        }
    }

    fn poll_future(&self) {
        let ptr = self.ptr();
        let waker = waker::borrowed(ptr);
        let mut cx = Context::from_waker(&waker);
        let polled = {
            let _current = context::enter_task(ptr);
            catch_unwind(AssertUnwindSafe(|| {
                self.cell().stage.with_mut(|stage| {
                    // SAFETY: RUNNING gives exclusive access to the stage; the future lives
                    // inside the heap cell and is never moved until it is dropped in place.
                    match unsafe { &mut *stage } {
                        Stage::Running(future) => {
                            // SAFETY: pinned in place, as said above.
                            unsafe { Pin::new_unchecked(future) }.poll(&mut cx)
                        }
                        _ => unreachable!("a task was polled after it completed"),
                    }
                })
            }))
        };
        match polled {
            Ok(Poll::Ready(output)) => self.complete(Ok(output), 1),
            Ok(Poll::Pending) => match self.header().state.idle() {
                Idle::Parked { last_ref } => {
                    if last_ref {
                        // SAFETY: that was the last reference.
                        unsafe { dealloc::<F, S>(ptr) }
                    }
                }
                Idle::Notified => {
                    // SAFETY: SCHEDULED is set again and the runnable's reference carries over.
                    let runnable = unsafe { Runnable::from_raw(ptr) };
                    self.cell().scheduler.schedule(runnable, true);
                }
                Idle::Cancel => self.complete(Err(TaskError::Cancelled), 1),
            },
            Err(payload) => self.complete(Err(TaskError::Panicked(payload)), 1),
        }
    }

    /// Stores the outcome, publishes `COMPLETE`, runs the done callbacks, wakes the awaiter and
    /// releases `refs` references held by the caller (plus the owner list's). Caller holds
    /// `RUNNING`.
    ///
    /// The callbacks run after `COMPLETE` (so `is_done()` is true inside them, as asyncio's
    /// `done()`), yet before any awaiter can take the output: they are counted in `done.late`
    /// while they run, and `read_output` waits for that count to reach zero.
    ///
    /// `DISPATCHED` is set first, in the same atomic step that tells whether an `Extra` box
    /// exists: without one there is no callback to run (one added from now on is late), and
    /// nothing is locked.
    fn complete(&self, output: Result<F::Output, TaskError>, refs: usize) {
        let cancelled = matches!(output, Err(TaskError::Cancelled));
        self.replace_stage(Stage::Finished(output));

        let cell = self.cell();
        let word = cell.header.extra.dispatch();
        // SAFETY: the word was read from this cell.
        let extra = unsafe { cell.extra_at(word) };
        let callbacks = match extra {
            Some(extra) => {
                let mut done = lock(&extra.done);
                let callbacks = mem::take(&mut done.callbacks);
                done.late += callbacks.len();
                callbacks
            }
            None => Vec::new(),
        };

        let released = refs
            + usize::from(
                cell.scheduler
                    .release(&self.borrowed_ref())
                    .map(mem::forget)
                    .is_some(),
            );
        let header = self.header();
        let before = header.state.complete(cancelled);

        let mut late_waiter = None;
        if let Some(extra) = extra.filter(|_| !callbacks.is_empty()) {
            let mut done = lock(&extra.done);
            let n = callbacks.len();
            self.run_callbacks(callbacks);
            done.seen = true;
            done.late -= n;
            if done.late == 0 {
                late_waiter = done.late_waiter.take();
            }
        }
        if before.has(JOIN_INTEREST) && before.has(JOIN_WAKER) {
            // SAFETY: JOIN_WAKER was set when COMPLETE was published, so the handle can no
            // longer write the slot: this thread has read access, and our reference keeps it.
            header.awaiter.with(|w| {
                // SAFETY: read access, as said above.
                if let Some(w) = unsafe { &*w } {
                    w.wake_by_ref();
                }
            });
        }
        if let Some(waiter) = late_waiter {
            waiter.wake();
        }
        if header.state.ref_dec(released) {
            // SAFETY: those were the last references.
            unsafe { dealloc::<F, S>(self.ptr()) }
        }
    }

    /// Runs callbacks with the output. Caller holds the `done` lock and the callbacks are
    /// counted in `done.late`, so nobody can take the output meanwhile: the stage is stable.
    fn run_callbacks(&self, callbacks: Vec<DoneCallback<F::Output>>) {
        for callback in callbacks {
            let ran = self.cell().stage.with(|stage| {
                // SAFETY: the stage is Finished and stable (see above); a shared borrow.
                let Stage::Finished(output) = (unsafe { &*stage }) else {
                    unreachable!("done callbacks run only after the output is stored")
                };
                catch_unwind(AssertUnwindSafe(|| callback(output)))
            });
            if let Err(payload) = ran {
                self.report(&*payload, "a done callback panicked");
            }
        }
    }

    /// `Task::poll`: registers `waker` or hands out the output.
    fn read_output(&self, dst: &mut Poll<Result<F::Output, TaskError>>, waker: &Waker) {
        let header = self.header();
        let snapshot = header.state.load();
        if !snapshot.has(super::state::COMPLETE)
            && !self.register_awaiter(snapshot.has(JOIN_WAKER), waker)
        {
            return;
        }
        // COMPLETE is published, so DISPATCHED is set: a callback added from now on is late.
        let cell = self.cell();
        let mut word = header.extra.load();
        let done = loop {
            debug_assert!(word & DISPATCHED != 0);
            if word & TAKEN != 0 {
                panic!("`Task` polled again after it returned its output");
            }
            // SAFETY: the word was read from this cell.
            if let Some(extra) = unsafe { cell.extra_at(word) } {
                // With a box, TAKEN is only set under its `done` lock: decide under it.
                let mut done = lock(&extra.done);
                if header.extra.load() & TAKEN != 0 {
                    drop(done);
                    panic!("`Task` polled again after it returned its output");
                }
                if done.late > 0 {
                    done.late_waiter = Some(waker.clone());
                    return;
                }
                header.extra.set_taken();
                break Some(done);
            }
            // No box, so no callback to wait for: claim the output in one step, unless a
            // callback installs a box (or another poll takes it) meanwhile.
            match header.extra.compare_exchange(word, word | TAKEN) {
                Ok(()) => break None,
                Err(actual) => word = actual,
            }
        };
        // SAFETY: COMPLETE is published and we set TAKEN (under the `done` lock if there is a
        // box, with no callback pending): the stage is ours to take, and no callback can read
        // it any more (a late one added now sees TAKEN and refuses).
        let stage = cell
            .stage
            .with_mut(|s| unsafe { mem::replace(&mut *s, Stage::Consumed) });
        drop(done);
        match stage {
            Stage::Finished(output) => *dst = Poll::Ready(output),
            _ => unreachable!("COMPLETE without an output"),
        }
    }

    /// Publishes the awaiter's waker. Returns `true` when the task turned out to be complete.
    fn register_awaiter(&self, has_waker: bool, waker: &Waker) -> bool {
        let header = self.header();
        if has_waker {
            // SAFETY: JOIN_WAKER is set: the slot is only read (by us and the completer).
            let same = header
                .awaiter
                .with(|w| unsafe { &*w }.as_ref().is_some_and(|w| w.will_wake(waker)));
            if same {
                return false;
            }
            if header.state.unset_join_waker().is_err() {
                return true;
            }
        }
        // SAFETY: JOIN_WAKER is clear and COMPLETE was not set: the handle owns the slot.
        header
            .awaiter
            .with_mut(|w| unsafe { *w = Some(waker.clone()) });
        header.state.set_join_waker().is_err()
    }

    /// Installs the `Extra` box if needed, then decides under its `done` lock: the completer
    /// sets `DISPATCHED` before it takes that lock to claim the callbacks (and a box installed
    /// after that carries the flag), so a callback pushed while `DISPATCHED` reads clear is
    /// always claimed by the completer.
    fn add_done_callback(&self, callback: DoneCallback<F::Output>) {
        let extra = self.cell().extra_or_install();
        let mut done = lock(&extra.done);
        let word = self.header().extra.load();
        if word & DISPATCHED == 0 {
            done.callbacks.push(callback);
            return;
        }
        if word & TAKEN != 0 {
            drop(done);
            panic!("`Task::add_done_callback` after awaiting the task took its output");
        }
        done.late += 1;
        drop(done);
        self.header().state.ref_inc();
        // SAFETY: the reference was just taken for the late callback.
        let task = unsafe { TaskRef::from_raw(self.ptr()) };
        let late = LateCallback::<F, S> {
            task,
            callback: Some(callback),
            _marker: PhantomData,
        };
        self.cell()
            .scheduler
            .call_soon(Box::new(move || late.run()));
    }
}

/// A done callback added after completion, queued on the loop. Dropped without running (the
/// loop closed), it still releases the awaiter waiting behind it.
struct LateCallback<F: Future, S> {
    task: TaskRef,
    callback: Option<DoneCallback<F::Output>>,
    _marker: PhantomData<fn() -> S>,
}

impl<F, S> LateCallback<F, S>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    fn harness(&self) -> Harness<F, S> {
        // SAFETY: the task was created as a Cell<F, S> and `self.task` holds a reference.
        unsafe { Harness::from_raw(self.task.ptr()) }
    }

    fn run(mut self) {
        let harness = self.harness();
        let extra = harness
            .cell()
            .extra()
            .expect("a late callback's task has its Extra box");
        let mut done = lock(&extra.done);
        if let Some(callback) = self.callback.take() {
            harness.run_callbacks(vec![callback]);
            done.seen = true;
        }
        drop(done);
    }
}

impl<F: Future, S> Drop for LateCallback<F, S> {
    fn drop(&mut self) {
        // SAFETY: as in `harness`; `Harness` needs the full bounds, so reach the cell directly.
        let cell = unsafe { self.task.ptr().cast::<Cell<F, S>>().as_ref() };
        drop(self.callback.take());
        let extra = cell
            .extra()
            .expect("a late callback's task has its Extra box");
        let mut done = lock(&extra.done);
        done.late -= 1;
        let waiter = if done.late == 0 {
            done.late_waiter.take()
        } else {
            None
        };
        drop(done);
        if let Some(waiter) = waiter {
            waiter.wake();
        }
    }
}

// SAFETY: the callback is Send, and a TaskRef is Send.
unsafe impl<F: Future, S> Send for LateCallback<F, S> {}

/// # Safety
/// `ptr` heads a `Cell<F, S>` and the caller transfers one runnable reference.
unsafe fn run<F, S>(ptr: NonNull<Header>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    // SAFETY: the vtable is only installed on a Cell<F, S>.
    let harness = unsafe { Harness::<F, S>::from_raw(ptr) };
    match harness.header().state.start() {
        Start::Poll => harness.poll_future(),
        Start::Cancel => harness.complete(Err(TaskError::Cancelled), 1),
    }
}

/// # Safety
/// As `run`.
unsafe fn reject<F, S>(ptr: NonNull<Header>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    // SAFETY: the vtable is only installed on a Cell<F, S>; we own the runnable reference.
    let harness = unsafe { Harness::<F, S>::from_raw(ptr) };
    harness.header().state.start();
    harness.complete(Err(TaskError::LoopClosed), 1);
}

/// # Safety
/// As `run`.
unsafe fn schedule<F, S>(ptr: NonNull<Header>, yielded: bool)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    // SAFETY: the vtable is only installed on a Cell<F, S>; the caller set SCHEDULED and took
    // the runnable's reference.
    let (harness, runnable) = unsafe { (Harness::<F, S>::from_raw(ptr), Runnable::from_raw(ptr)) };
    harness.cell().scheduler.schedule(runnable, yielded);
}

/// # Safety
/// `ptr` heads a `Cell<F, S>` whose last reference was just released.
unsafe fn dealloc<F, S>(ptr: NonNull<Header>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    let ptr = ptr.cast::<Cell<F, S>>();
    {
        // SAFETY: the cell came from `alloc::boxed` in `Cell::allocate`; nobody else refers
        // to it and it is freed only below.
        let cell = unsafe { ptr.as_ref() };
        let taken = cell.header.extra.load() & TAKEN != 0;
        let unretrieved = !taken && !cell.extra().is_some_and(|extra| lock(&extra.done).seen);
        if unretrieved {
            cell.stage.with(|stage| {
                // SAFETY: no other reference exists; a shared read.
                if let Stage::Finished(Err(TaskError::Panicked(payload))) = unsafe { &*stage } {
                    cell.scheduler.unhandled_panic(TaskPanic {
                        id: cell.header.id,
                        name: cell.header.name(),
                        payload: &**payload,
                        context: "a task panicked and nobody awaited it",
                    });
                }
            });
        }
    }
    // The future (of a task that never completed) or the output may panic in drop: `free`
    // catches it, so it does not unwind through a waker's drop into unrelated code.
    // SAFETY: as above; `cell` is not used past this point.
    let _ = unsafe { super::alloc::free(ptr) };
}

/// # Safety
/// `ptr` heads a `Cell<F, S>` claimed by `State::claim_for_shutdown` (the caller holds
/// `RUNNING` and a reference of its own, which it releases afterwards).
unsafe fn shutdown<F, S>(ptr: NonNull<Header>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    // SAFETY: as above.
    let harness = unsafe { Harness::<F, S>::from_raw(ptr) };
    harness.complete(Err(TaskError::Cancelled), 0);
}

/// # Safety
/// `ptr` heads a `Cell<F, S>`; `dst` points to a `Poll<Result<F::Output, TaskError>>`.
unsafe fn read_output<F, S>(ptr: NonNull<Header>, dst: *mut (), waker: &Waker)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    // SAFETY: the caller (Task<F::Output>) passes a pointer of the right type.
    let (harness, dst) = unsafe {
        (
            Harness::<F, S>::from_raw(ptr),
            &mut *dst.cast::<Poll<Result<F::Output, TaskError>>>(),
        )
    };
    harness.read_output(dst, waker);
}

/// # Safety
/// `ptr` heads a `Cell<F, S>`; `callback` points to an `Option<DoneCallback<F::Output>>`.
unsafe fn add_done_callback<F, S>(ptr: NonNull<Header>, callback: *mut ())
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    // SAFETY: the caller (Task<F::Output>) passes a pointer of the right type.
    let (harness, callback) = unsafe {
        (
            Harness::<F, S>::from_raw(ptr),
            &mut *callback.cast::<Option<DoneCallback<F::Output>>>(),
        )
    };
    if let Some(callback) = callback.take() {
        harness.add_done_callback(callback);
    }
}
