//! `TaskGroup`: asyncio 3.11's structured concurrency. Children are spawned into a group; the
//! group's `join` waits for all of them; the first failure cancels the others; every failure is
//! reported.
//!
//! The group watches its children through done callbacks, so the children's [`Task`] handles
//! stay with the caller and keep their outputs. A failure is recorded as a [`TaskFailure`]
//! (which task, what kind, the message); the value itself (the panic payload or the error)
//! stays in the child's task, where awaiting the handle still returns it. Rust cannot share one
//! value between the group and the handle as Python shares one exception object.
//!
//! Locking: the group's mutex is taken in done callbacks, which run under the child's own
//! lock; so the group never calls into a task (spawn, `add_done_callback`, `cancel`) while it
//! holds its mutex.

use crate::{spawn, Task, TaskError, TaskId, TaskRef};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

/// asyncio's `TaskGroup`: spawn children with [`spawn`](TaskGroup::spawn), then
/// [`join`](TaskGroup::join) waits until every child is done.
///
/// - **Failure:** a child that panics (or, spawned with
///   [`spawn_fallible`](TaskGroup::spawn_fallible), returns `Err`) fails. The first failure
///   cancels every other child at once, and children spawned afterwards are cancelled as they
///   are spawned (asyncio raises `RuntimeError` there instead). A child that is cancelled is not
///   a failure.
/// - **Reporting:** `join` returns `Err(TaskGroupError)` listing every failure, in the order
///   they happened (asyncio's `ExceptionGroup`), after **all** children are done, including the
///   cancelled ones.
/// - **Dropping** the group without joining it, or dropping the `join` future before it
///   completes (the awaiting task was cancelled), cancels every child still running: children
///   never outlive their group unnoticed.
///
/// ```
/// # #[cfg(feature = "scheduler")] {
/// use spindle::TaskGroup;
///
/// spindle::run(async {
///     let group = TaskGroup::new();
///     let a = group.spawn(async { 1 });
///     let b = group.spawn(async { "two" });
///     group.join().await.unwrap();
///     assert_eq!(a.await.unwrap(), 1);
///     assert_eq!(b.await.unwrap(), "two");
///
///     let group = TaskGroup::new();
///     let _ok = group.spawn(std::future::pending::<()>()); // cancelled by the failure
///     let _bad = group.spawn_fallible(async { Err::<(), _>("disk full") });
///     let error = group.join().await.unwrap_err();
///     assert_eq!(error.failures().len(), 1);
///     assert_eq!(error.failures()[0].message(), "disk full");
/// });
/// # }
/// ```
pub struct TaskGroup {
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Children still running, by slot (slots are reused through `free`).
    children: Vec<Option<TaskRef>>,
    free: Vec<usize>,
    running: usize,
    failures: Vec<TaskFailure>,
    /// A child failed: the others were cancelled, new ones are cancelled on spawn.
    aborted: bool,
    /// The `join` future waiting for `running == 0`.
    waker: Option<Waker>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing panics under the lock; recover rather than cascade if it ever did.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A child finished (its done callback): record a failure, abort the group on the first
    /// one, wake `join` when the last child is done.
    fn child_done(&self, slot: usize, failure: Option<TaskFailure>) {
        // The child's reference is dropped outside the lock: dropping the last one frees the
        // task and its output, whose `Drop` may reach this group.
        let child: TaskRef;
        let (to_cancel, waker) = {
            let mut state = self.lock();
            child = state.children[slot].take().expect("a child finishes once");
            state.free.push(slot);
            state.running -= 1;
            let mut to_cancel = Vec::new();
            if let Some(failure) = failure {
                state.failures.push(failure);
                if !state.aborted {
                    state.aborted = true;
                    to_cancel = state.children.iter().flatten().cloned().collect();
                }
            }
            let waker = if state.running == 0 {
                state.waker.take()
            } else {
                None
            };
            (to_cancel, waker)
        };
        for child in to_cancel {
            child.cancel();
        }
        drop(child);
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Cancels every child still running (the group was dropped).
    fn cancel_all(&self) {
        let children: Vec<TaskRef> = self.lock().children.iter().flatten().cloned().collect();
        for child in children {
            child.cancel();
        }
    }
}

impl TaskGroup {
    /// An empty group. It needs no loop until the first `spawn`.
    pub fn new() -> TaskGroup {
        TaskGroup {
            shared: Arc::new(Shared {
                state: Mutex::new(State::default()),
            }),
        }
    }

    /// Spawns `future` on the current loop as a child of the group: asyncio's
    /// `tg.create_task(coro)`. The child fails if it panics.
    ///
    /// The returned handle is the child's ordinary [`Task`]: await it for the output (also
    /// after `join`), or drop it; the group watches the child either way. On a group that
    /// already failed, the child is cancelled at once (its future is dropped, at the latest at
    /// its first suspension point).
    ///
    /// # Panics
    /// Outside an event loop.
    pub fn spawn<F>(&self, future: F) -> Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.adopt(spawn(future), |output, task| match output {
            Err(TaskError::Panicked(payload)) => Some(TaskFailure::new(
                task,
                FailureKind::Panicked,
                crate::error::panic_message(&**payload)
                    .unwrap_or("the task panicked with a non-string payload")
                    .to_owned(),
            )),
            _ => None,
        })
    }

    /// Spawns a child whose `Err` output counts as a failure too, as an exception raised in an
    /// asyncio child does: it cancels the siblings and is listed by `join`, with the error's
    /// `Display` text as the message. The error value itself stays in the child's task.
    ///
    /// # Panics
    /// Outside an event loop.
    pub fn spawn_fallible<F, T, E>(&self, future: F) -> Task<Result<T, E>>
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
        T: Send + 'static,
        E: fmt::Display + Send + 'static,
    {
        self.adopt(spawn(future), |output, task| match output {
            Ok(Err(error)) => Some(TaskFailure::new(
                task,
                FailureKind::Error,
                error.to_string(),
            )),
            Err(TaskError::Panicked(payload)) => Some(TaskFailure::new(
                task,
                FailureKind::Panicked,
                crate::error::panic_message(&**payload)
                    .unwrap_or("the task panicked with a non-string payload")
                    .to_owned(),
            )),
            _ => None,
        })
    }

    /// Registers `task` as a child; `classify` turns its outcome into a failure or `None`.
    fn adopt<T: Send + 'static>(
        &self,
        task: Task<T>,
        classify: fn(&Result<T, TaskError>, &TaskRef) -> Option<TaskFailure>,
    ) -> Task<T> {
        let task_ref = task.to_ref();
        let (slot, aborted) = {
            let mut state = self.shared.lock();
            let slot = match state.free.pop() {
                Some(slot) => {
                    state.children[slot] = Some(task_ref.clone());
                    slot
                }
                None => {
                    state.children.push(Some(task_ref.clone()));
                    state.children.len() - 1
                }
            };
            state.running += 1;
            (slot, state.aborted)
        };
        let shared = self.shared.clone();
        task.add_done_callback(move |output| {
            let failure = classify(output, &task_ref);
            shared.child_done(slot, failure);
        });
        if aborted {
            task.cancel();
        }
        task
    }

    /// Waits until every child is done: asyncio's `async with TaskGroup()` exit.
    ///
    /// `Ok(())` when no child failed; otherwise `Err` with every failure. The group is consumed
    /// here, so the children it waits for are exactly those spawned before. Dropping the
    /// returned future before it completes cancels the children.
    pub fn join(self) -> TaskGroupJoin {
        TaskGroupJoin { group: Some(self) }
    }

    /// The number of children still running.
    pub fn running(&self) -> usize {
        self.shared.lock().running
    }

    /// `true` once a child failed (the others were cancelled).
    pub fn is_aborted(&self) -> bool {
        self.shared.lock().aborted
    }
}

impl Default for TaskGroup {
    fn default() -> TaskGroup {
        TaskGroup::new()
    }
}

impl Drop for TaskGroup {
    fn drop(&mut self) {
        self.shared.cancel_all();
    }
}

impl fmt::Debug for TaskGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.shared.lock();
        f.debug_struct("TaskGroup")
            .field("running", &state.running)
            .field("failures", &state.failures.len())
            .field("aborted", &state.aborted)
            .finish()
    }
}

/// The future of [`TaskGroup::join`].
#[must_use = "futures do nothing unless awaited; dropping it cancels the group's children"]
pub struct TaskGroupJoin {
    /// `None` once it completed.
    group: Option<TaskGroup>,
}

impl Future for TaskGroupJoin {
    type Output = Result<(), TaskGroupError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let group = self
            .group
            .as_ref()
            .expect("`TaskGroupJoin` polled after completion");
        let failures = {
            let mut state = group.shared.lock();
            if state.running > 0 {
                if !state
                    .waker
                    .as_ref()
                    .is_some_and(|w| w.will_wake(cx.waker()))
                {
                    state.waker = Some(cx.waker().clone());
                }
                return Poll::Pending;
            }
            // Done callbacks run after a task publishes completion: every child is done now.
            std::mem::take(&mut state.failures)
        };
        // Every child is done: dropping the group cancels nothing.
        self.group = None;
        if failures.is_empty() {
            Poll::Ready(Ok(()))
        } else {
            Poll::Ready(Err(TaskGroupError { failures }))
        }
    }
}

impl fmt::Debug for TaskGroupJoin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskGroupJoin")
            .field("group", &self.group)
            .finish()
    }
}

/// How a child of a [`TaskGroup`] failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FailureKind {
    Panicked,
    Error,
}

/// One failed child of a [`TaskGroup`]: which task, and what went wrong.
#[derive(Clone, Debug)]
pub struct TaskFailure {
    id: TaskId,
    name: String,
    kind: FailureKind,
    message: String,
}

impl TaskFailure {
    fn new(task: &TaskRef, kind: FailureKind, message: String) -> TaskFailure {
        TaskFailure {
            id: task.id(),
            name: task.name(),
            kind,
            message,
        }
    }

    /// The failed task's id (compare with `Task::id()` of the handle `spawn` returned).
    pub fn task_id(&self) -> TaskId {
        self.id
    }

    /// The failed task's name.
    pub fn task_name(&self) -> &str {
        &self.name
    }

    /// `true` when the task panicked; `false` when it returned `Err` (`spawn_fallible`).
    pub fn is_panic(&self) -> bool {
        self.kind == FailureKind::Panicked
    }

    /// The panic message, or the error's `Display` text.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for TaskFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            FailureKind::Panicked => write!(f, "{} panicked: {}", self.name, self.message),
            FailureKind::Error => write!(f, "{} failed: {}", self.name, self.message),
        }
    }
}

/// What [`TaskGroup::join`] returns when children failed: every failure, in the order they
/// happened (asyncio's `ExceptionGroup`).
#[derive(Clone, Debug)]
pub struct TaskGroupError {
    failures: Vec<TaskFailure>,
}

impl TaskGroupError {
    /// The failures, first one first (never empty).
    pub fn failures(&self) -> &[TaskFailure] {
        &self.failures
    }

    /// The failures, by value.
    pub fn into_failures(self) -> Vec<TaskFailure> {
        self.failures
    }
}

impl fmt::Display for TaskGroupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.failures.len();
        write!(
            f,
            "{n} task{} of a TaskGroup failed",
            if n == 1 { "" } else { "s" }
        )?;
        for (i, failure) in self.failures.iter().enumerate() {
            write!(f, "{}{failure}", if i == 0 { ": " } else { "; " })?;
        }
        Ok(())
    }
}

impl std::error::Error for TaskGroupError {}
