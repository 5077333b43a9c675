//! `TaskRef`: a counted, type-erased reference to a task, for owner lists, `all_tasks()`,
//! `current_task()` and callback handles. It can cancel and inspect a task, never read its output.

use super::header::Header;
use super::state::{Cancel, Cancelling, CANCELLED, COMPLETE};
use std::fmt;
use std::ptr::NonNull;

/// A task's identifier, unique within the process; asyncio's default names use it (`Task-7`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId(pub(crate) u64);

impl TaskId {
    /// The number inside.
    pub fn as_u64(self) -> u64 {
        self.0
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A type-erased, reference-counted handle to a task: its name, its state, and `cancel`.
///
/// Returned by `EventLoop::all_tasks()` and `current_task()`. Holding one keeps the task's
/// memory alive, not the task running.
pub struct TaskRef {
    ptr: NonNull<Header>,
}

// SAFETY: every operation goes through the atomic state word or the task's locks.
unsafe impl Send for TaskRef {}
// SAFETY: as above.
unsafe impl Sync for TaskRef {}

impl TaskRef {
    /// # Safety
    /// The caller transfers one counted reference to a live task.
    pub(crate) unsafe fn from_raw(ptr: NonNull<Header>) -> TaskRef {
        TaskRef { ptr }
    }

    pub(crate) fn ptr(&self) -> NonNull<Header> {
        self.ptr
    }

    pub(crate) fn header(&self) -> &Header {
        // SAFETY: our reference keeps the header alive.
        unsafe { self.ptr.as_ref() }
    }

    /// The task's id.
    pub fn id(&self) -> TaskId {
        TaskId(self.header().id)
    }

    /// The task's name: the one given at spawn, or asyncio's default `Task-<id>`.
    pub fn name(&self) -> String {
        task_name(self.header())
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

    /// Requests cancellation; `false` when the task had already finished. See `Task::cancel`.
    pub fn cancel(&self) -> bool {
        cancel(self.ptr, Cancelling::Task)
    }

    /// Drops the future of an idle task now, on this thread, and completes it as cancelled; a
    /// queued or running task is flagged instead. For executors shutting down: the owner
    /// list's references are consumed this way once no worker runs any more.
    pub fn shutdown(self) {
        if self.header().state.claim_for_shutdown() {
            // SAFETY: the claim gave us RUNNING; our own reference is released by our drop.
            unsafe { (self.header().vtable.shutdown)(self.ptr) }
        }
    }
}

pub(crate) fn task_name(header: &Header) -> String {
    match header.name() {
        Some(name) => name.to_owned(),
        None => format!("Task-{}", header.id),
    }
}

/// Requests cancellation; `true` when it took (see `State::cancel` for the two kinds).
pub(crate) fn cancel(ptr: NonNull<Header>, who: Cancelling) -> bool {
    // SAFETY: the caller holds a reference.
    let header = unsafe { ptr.as_ref() };
    match header.state.cancel(who) {
        Cancel::AlreadyComplete => false,
        Cancel::Flagged => true,
        Cancel::Submit => {
            // SAFETY: SCHEDULED was set and a reference taken for the runnable.
            unsafe { (header.vtable.schedule)(ptr, false) };
            true
        }
    }
}

impl Clone for TaskRef {
    fn clone(&self) -> Self {
        self.header().state.ref_inc();
        TaskRef { ptr: self.ptr }
    }
}

impl Drop for TaskRef {
    fn drop(&mut self) {
        if self.header().state.ref_dec(1) {
            // SAFETY: that was the last reference.
            unsafe { (self.header().vtable.dealloc)(self.ptr) }
        }
    }
}

impl PartialEq for TaskRef {
    fn eq(&self, other: &Self) -> bool {
        self.ptr == other.ptr
    }
}

impl Eq for TaskRef {}

impl fmt::Debug for TaskRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskRef")
            .field("name", &self.name())
            .field("done", &self.is_done())
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}
