//! The hook a scheduler plugs into every task it owns.

use super::raw::TaskRef;
use super::runnable::Runnable;
use std::any::Any;

/// A panic that no awaiter will see, handed to [`Schedule::unhandled_panic`].
#[derive(Debug)]
pub struct TaskPanic<'a> {
    /// The task's id.
    pub id: u64,
    /// The task's name, if it was given one.
    pub name: Option<&'a str>,
    /// The panic payload (usually a `&str` or a `String`).
    pub payload: &'a (dyn Any + Send),
    /// What was running: a done callback, a task nobody awaited, a future's drop.
    pub context: &'static str,
}

/// What a task needs from the executor that owns it. One value is stored in every task (an
/// `Arc` clone is typical), so keep it small.
///
/// Implementations run inside wakers and task completions on arbitrary threads: they must
/// not block, and must not hold a lock while dropping a `Runnable` (a dropped runnable runs
/// the task's cancellation, which calls back into [`release`](Schedule::release)).
pub trait Schedule: Send + Sync + 'static {
    /// Queues a task that became runnable. `yielded` is `true` when it was woken while
    /// running (it yielded, or was notified during its poll): queue it behind ready work.
    /// A closed executor drops the runnable, which cancels the task.
    fn schedule(&self, task: Runnable, yielded: bool);

    /// The task finished: take it out of the owner list, returning the list's reference.
    fn release(&self, task: &TaskRef) -> Option<TaskRef>;

    /// Runs `f` soon on the executor (done callbacks added after completion). A closed
    /// executor drops `f`.
    fn call_soon(&self, f: Box<dyn FnOnce() + Send>);

    /// Reports a panic nobody else will see. The default prints it to standard error.
    fn unhandled_panic(&self, panic: TaskPanic<'_>) {
        let message = crate::error::panic_message(panic.payload).unwrap_or("<non-string payload>");
        match panic.name {
            Some(name) => eprintln!("spindle: {} (task {name}): {message}", panic.context),
            None => eprintln!("spindle: {} (Task-{}): {message}", panic.context, panic.id),
        }
    }
}
