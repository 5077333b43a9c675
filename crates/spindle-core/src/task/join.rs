//! `Task<T>`: the join handle, asyncio's `Task` as seen by whoever spawned it.

use super::cell::DoneCallback;
use super::header::Header;
use super::raw::{self, TaskId, TaskRef};
use super::state::{Cancelling, CANCELLED, COMPLETE};
use crate::error::TaskError;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{Context, Poll};

/// A spawned task, awaitable for its output.
///
/// `Task<T>` is a `Future<Output = Result<T, TaskError>>`: `Ok` with the value, or
/// [`TaskError::Cancelled`] / [`TaskError::Panicked`]. Dropping it **detaches** the task, which
/// runs on (unlike a dropped future); call [`cancel`](Task::cancel) to stop it.
///
/// ```
/// # // The facade crate shows spawning on a real loop; here we only name the type.
/// fn takes_a_task(task: spindle_core::Task<u32>) -> bool { task.is_done() }
/// ```
pub struct Task<T> {
    ptr: NonNull<Header>,
    _output: PhantomData<T>,
}

// SAFETY: the output crosses threads only if `T: Send`; every shared operation is atomic or
// locked inside the task.
unsafe impl<T: Send> Send for Task<T> {}
// SAFETY: as above: `&Task` only cancels, inspects and adds callbacks.
unsafe impl<T: Send> Sync for Task<T> {}
impl<T> Unpin for Task<T> {}

impl<T> Task<T> {
    /// # Safety
    /// `ptr` heads a task whose output type is `T`; the caller transfers one counted
    /// reference and the `JOIN_INTEREST` bit.
    pub(crate) unsafe fn from_raw(ptr: NonNull<Header>) -> Task<T> {
        Task {
            ptr,
            _output: PhantomData,
        }
    }

    pub(crate) fn raw(&self) -> NonNull<Header> {
        self.ptr
    }

    fn header(&self) -> &Header {
        // SAFETY: our reference keeps the header alive.
        unsafe { self.ptr.as_ref() }
    }

    /// Requests cancellation, like asyncio's `Task.cancel()`.
    ///
    /// Returns `false` when the task had already finished. Otherwise the future is dropped on
    /// the loop at its next suspension point (at once if it is idle) and awaiting the task
    /// yields [`TaskError::Cancelled`]. A task that is being polled on another worker at this
    /// very moment may still finish with its value in that poll.
    pub fn cancel(&self) -> bool {
        raw::cancel(self.ptr, Cancelling::Task)
    }

    /// `true` once the task finished: with a value, a panic, or a cancellation.
    pub fn is_done(&self) -> bool {
        self.header().state.load().has(COMPLETE)
    }

    /// `true` once the task finished by cancellation.
    pub fn is_cancelled(&self) -> bool {
        let s = self.header().state.load();
        s.has(COMPLETE) && s.has(CANCELLED)
    }

    /// The task's id.
    pub fn id(&self) -> TaskId {
        TaskId(self.header().id)
    }

    /// The task's name: the one given at spawn, or asyncio's default `Task-<id>`.
    pub fn name(&self) -> String {
        raw::task_name(self.header())
    }

    /// A type-erased reference to the task (for lists of tasks of different types).
    pub fn to_ref(&self) -> TaskRef {
        self.header().state.ref_inc();
        // SAFETY: the reference was just counted.
        unsafe { TaskRef::from_raw(self.ptr) }
    }

    /// Registers `callback` to run with the task's outcome once it is done.
    ///
    /// Callbacks registered before completion run on the worker that completes the task, in
    /// registration order, right after it completes (`is_done()` is already true) and before
    /// an awaiter gets the output.
    /// Registered after completion, the callback is scheduled on the loop with `call_soon`:
    /// it never runs inside this call. A panicking callback is reported to the loop's
    /// exception handler.
    ///
    /// # Panics
    /// If this handle was already awaited to completion (the output was moved out).
    pub fn add_done_callback(&self, callback: impl FnOnce(&Result<T, TaskError>) + Send + 'static) {
        let mut slot: Option<DoneCallback<T>> = Some(Box::new(callback));
        // SAFETY: the vtable's function for this task expects an `Option<DoneCallback<T>>`,
        // and `T` is this task's output type.
        unsafe {
            (self.header().vtable.add_done_callback)(
                self.ptr,
                (&mut slot as *mut Option<DoneCallback<T>>).cast(),
            )
        }
    }

    /// Detaches the task: same as dropping the handle, spelled out.
    pub fn detach(self) {}
}

impl<T> Future for Task<T> {
    type Output = Result<T, TaskError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut out: Poll<Result<T, TaskError>> = Poll::Pending;
        // SAFETY: the vtable's function writes a `Poll<Result<T, TaskError>>` for this task.
        unsafe {
            (self.header().vtable.read_output)(
                self.ptr,
                (&mut out as *mut Poll<Result<T, TaskError>>).cast(),
                cx.waker(),
            )
        };
        out
    }
}

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        let header = self.header();
        let before = header.state.drop_join_interest();
        if !before.has(COMPLETE) {
            // SAFETY: JOIN_WAKER was cleared (or never set) while not complete: the handle owns the slot.
            drop(header.awaiter.with_mut(|w| unsafe { (*w).take() }));
        }
        if header.state.ref_dec(1) {
            // SAFETY: that was the last reference.
            unsafe { (header.vtable.dealloc)(self.ptr) }
        }
    }
}

impl<T> fmt::Debug for Task<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Task")
            .field("name", &self.name())
            .field("done", &self.is_done())
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}
