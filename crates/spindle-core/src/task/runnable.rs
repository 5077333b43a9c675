//! `Runnable`: the scheduler's side of a task, one per `SCHEDULED` bit.
//!
//! A scheduler queues runnables and calls [`Runnable::run`]. Dropping one without running it
//! (a loop that closes with work still queued) cancels the task: its future is dropped on the
//! dropping thread and awaiting the task yields `TaskError::Cancelled`.

use super::header::Header;
use super::raw::TaskId;
use super::waker;
use std::fmt;
use std::mem;
use std::ptr::NonNull;
use std::task::Waker;

/// A task ready to be polled. See the module documentation.
pub struct Runnable {
    ptr: NonNull<Header>,
}

// SAFETY: tasks are created only from `Send` futures with `Send` outputs.
unsafe impl Send for Runnable {}

impl Runnable {
    /// # Safety
    /// The caller set `SCHEDULED` and transfers one counted reference.
    pub(crate) unsafe fn from_raw(ptr: NonNull<Header>) -> Runnable {
        Runnable { ptr }
    }

    /// Gives up the runnable's reference to a queue that links it through its header.
    pub(crate) fn into_raw(self) -> NonNull<Header> {
        let ptr = self.ptr;
        mem::forget(self);
        ptr
    }

    fn header(&self) -> &Header {
        // SAFETY: the runnable's reference keeps the header alive.
        unsafe { self.ptr.as_ref() }
    }

    /// Polls the task once (or drops its future, if it was cancelled meanwhile).
    pub fn run(self) {
        let ptr = self.ptr;
        mem::forget(self);
        // SAFETY: we own the runnable reference, which `run` consumes.
        unsafe { ((*ptr.as_ptr()).vtable.run)(ptr) }
    }

    /// Completes the task with [`TaskError::LoopClosed`](crate::TaskError::LoopClosed) without
    /// polling it: what an executor does with a task spawned after it closed.
    pub fn reject(self) {
        let ptr = self.ptr;
        mem::forget(self);
        // SAFETY: we own the runnable reference, which `reject` consumes.
        unsafe { ((*ptr.as_ptr()).vtable.reject)(ptr) }
    }

    /// The task's id.
    pub fn id(&self) -> TaskId {
        TaskId(self.header().id)
    }

    /// Turns a task that must not run yet (a `call_later` callback) into an idle task and a
    /// waker that schedules it: the timer holds the waker, `cancel` still reaches the task.
    pub fn into_waker(self) -> Waker {
        let ptr = self.ptr;
        mem::forget(self);
        // SAFETY: we own the runnable; clearing SCHEDULED makes the task idle, and the
        // runnable's reference moves into the waker.
        unsafe {
            ptr.as_ref().state.clear_scheduled();
            waker::owned(ptr)
        }
    }
}

impl Drop for Runnable {
    fn drop(&mut self) {
        self.header().state.flag_cancelled();
        // SAFETY: we own the runnable reference; with CANCELLED set, the run drops the future.
        unsafe { (self.header().vtable.run)(self.ptr) }
    }
}

impl fmt::Debug for Runnable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runnable").field("id", &self.id()).finish()
    }
}
