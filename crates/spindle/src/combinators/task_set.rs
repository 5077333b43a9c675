//! `TaskSet`: owned task handles, reported in the order they complete.
//!
//! Each task gets a done callback that pushes its index onto a shared ready queue and wakes
//! whoever polls the set. The callbacks run on the completing worker *before* the task
//! publishes `COMPLETE`, so an index popped from the queue may name a task whose output is not
//! readable yet: the set then awaits that one task (polling the handle registers our waker as
//! its awaiter, and the completer wakes it a moment later). Polling a task only after its
//! callback fired keeps a wake-up O(1) instead of re-polling every child.
//!
//! The set never cancels on drop: dropping it drops the handles, which detaches the tasks (what
//! `as_completed`, its one user, promises). `gather` does not use it: it needs the outputs in
//! input order, not completion order, and counts its children down instead (`gather.rs`).

use crate::{Task, TaskError};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

/// Tasks, and the order in which they finished.
pub(crate) struct TaskSet<T> {
    /// `None` once the output was taken (or the handle handed back).
    tasks: Vec<Option<Task<T>>>,
    ready: Arc<Ready>,
    /// The task whose callback fired and whose output we are reading.
    current: Option<usize>,
    /// Tasks not yet taken.
    remaining: usize,
}

/// What the done callbacks share with the poller.
#[derive(Default)]
struct Ready {
    inner: Mutex<ReadyInner>,
}

#[derive(Default)]
struct ReadyInner {
    /// Indices of tasks whose done callback ran, in completion order.
    queue: VecDeque<usize>,
    waker: Option<Waker>,
}

impl Ready {
    fn lock(&self) -> MutexGuard<'_, ReadyInner> {
        // Nothing panics while holding the lock; recover rather than cascade if it ever did.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn push(&self, index: usize) {
        let waker = {
            let mut inner = self.lock();
            inner.queue.push_back(index);
            inner.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T> TaskSet<T> {
    pub(crate) fn new() -> TaskSet<T> {
        TaskSet {
            tasks: Vec::new(),
            ready: Arc::default(),
            current: None,
            remaining: 0,
        }
    }

    pub(crate) fn with_capacity(capacity: usize) -> TaskSet<T> {
        let mut set = TaskSet::new();
        set.tasks.reserve(capacity);
        set
    }

    /// The number of tasks whose output was not taken yet.
    pub(crate) fn remaining(&self) -> usize {
        self.remaining
    }

    /// The next task to finish: its index and its output. `Ready(None)` once every output was
    /// taken.
    pub(crate) fn poll_next(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<(usize, Result<T, TaskError>)>> {
        loop {
            if let Some(index) = self.current {
                let task = self.tasks[index]
                    .as_mut()
                    .expect("the current task's output was not taken yet");
                let output = std::task::ready!(Pin::new(task).poll(cx));
                self.tasks[index] = None;
                self.current = None;
                self.remaining -= 1;
                return Poll::Ready(Some((index, output)));
            }
            if self.remaining == 0 {
                return Poll::Ready(None);
            }
            let mut inner = self.ready.lock();
            match inner.queue.pop_front() {
                // Handed back by `take_pending` after its callback fired: skip it.
                Some(index) if self.tasks[index].is_none() => {}
                Some(index) => self.current = Some(index),
                None => {
                    if !inner
                        .waker
                        .as_ref()
                        .is_some_and(|w| w.will_wake(cx.waker()))
                    {
                        inner.waker = Some(cx.waker().clone());
                    }
                    return Poll::Pending;
                }
            }
        }
    }

    /// Hands back every task whose output was not taken, in the order they were pushed.
    pub(crate) fn take_pending(&mut self) -> Vec<Task<T>> {
        self.current = None;
        self.remaining = 0;
        self.tasks.iter_mut().filter_map(Option::take).collect()
    }
}

impl<T: Send + 'static> TaskSet<T> {
    /// Adds `task`; its index is the number of tasks pushed before it.
    pub(crate) fn push(&mut self, task: Task<T>) {
        let index = self.tasks.len();
        if task.is_done() {
            // Already complete: no callback needed (one registered now would be queued on the
            // loop with `call_soon`, a hop for nothing).
            self.ready.push(index);
        } else {
            let ready = self.ready.clone();
            task.add_done_callback(move |_| ready.push(index));
        }
        self.tasks.push(Some(task));
        self.remaining += 1;
    }
}
