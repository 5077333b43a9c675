//! `LoopRef`: the `Schedule` hook stored in every task of a loop.

use crate::context;
use crate::loom::Arc;
use crate::shared::Shared;
use spindle_core::task::{Schedule, TaskPanic};
use spindle_core::{Runnable, TaskRef};

/// One loop, as its tasks see it (an `Arc` clone per task).
#[derive(Clone)]
pub(crate) struct LoopRef(pub(crate) Arc<Shared>);

impl Schedule for LoopRef {
    fn schedule(&self, task: Runnable, yielded: bool) {
        let shared = &self.0;
        if shared.shutdown.load(crate::loom::Ordering::Acquire) {
            // Closing: dropping the runnable cancels the task (outside any lock).
            drop(task);
            return;
        }
        let task = context::with(|cx| match cx {
            Some(cx) if Arc::ptr_eq(&cx.shared, shared) => match &cx.worker {
                Some(worker) => {
                    shared.schedule_local(worker, task, yielded);
                    None
                }
                None => Some(task),
            },
            _ => Some(task),
        });
        if let Some(task) = task {
            shared.schedule_remote(task);
        }
    }

    fn release(&self, task: &TaskRef) -> Option<TaskRef> {
        self.0.tasks.remove(task)
    }

    fn call_soon(&self, f: Box<dyn FnOnce() + Send>) {
        // Closed loops drop `f`, as the trait allows.
        let _ = crate::event_loop::call_soon_on(&self.0, f, None);
    }

    fn unhandled_panic(&self, panic: TaskPanic<'_>) {
        let name = panic
            .name
            .map(str::to_owned)
            .unwrap_or_else(|| format!("Task-{}", panic.id));
        self.0
            .report(panic.context, Some(panic.payload), Some(name));
    }
}

impl spindle_core::loop_hook::LoopHook for LoopRef {
    fn call_soon(&self, f: Box<dyn FnOnce() + Send>) {
        let _ = crate::event_loop::call_soon_on(&self.0, f, None);
    }
}
