//! The task core of spindle: what a task is, independent of any thread or I/O.
//!
//! - [`task`]: one allocation per spawned future, its state machine, the raw waker,
//!   [`Task`] (the join handle), [`Runnable`] (the scheduler's side), [`TaskList`] (the tasks an
//!   executor owns) and the [`Schedule`] hook an executor implements.
//! - [`Promise`]: asyncio's `Future`, settable from any thread.
//! - [`Handle`] / [`TimerHandle`]: what `call_soon` / `call_later` return.
//! - [`error`]: `TaskError`, `InvalidStateError`, `CancelledError`, `TimeoutError`.
//! - [`spin_lock`]: the lock for a few instructions' worth of state (the task list's shards,
//!   the injector, `spindle-sync`'s primitives).
//!
//! This crate starts no threads and does no I/O; `spindle-scheduler` drives it. An executor in
//! a dozen lines, to show the moving parts:
//!
//! ```
//! use spindle_core::task::{self, Runnable, Schedule, TaskRef};
//! use std::future::Future;
//! use std::sync::{mpsc, Mutex};
//! use std::task::{Context, Poll, Waker};
//!
//! /// Runnables go into a channel; a loop below drains it.
//! struct Queue(Mutex<mpsc::Sender<Runnable>>);
//! impl Schedule for Queue {
//!     fn schedule(&self, task: Runnable, _yielded: bool) {
//!         let _ = self.0.lock().unwrap().send(task);
//!     }
//!     fn release(&self, _task: &TaskRef) -> Option<TaskRef> { None }
//!     fn call_soon(&self, f: Box<dyn FnOnce() + Send>) { f() }
//! }
//!
//! let (tx, rx) = mpsc::channel();
//! let (first, mut handle, _list_ref) = task::create(async { 6 * 7 }, Queue(Mutex::new(tx)), None);
//! first.run();
//! while let Ok(runnable) = rx.try_recv() {
//!     runnable.run();
//! }
//! let mut cx = Context::from_waker(Waker::noop());
//! assert!(matches!(std::pin::Pin::new(&mut handle).poll(&mut cx), Poll::Ready(Ok(42))));
//! ```

pub mod error;
mod handle;
pub(crate) mod loom;
pub mod loop_hook;
mod promise;
pub mod spin_lock;
pub mod task;

pub use error::{CancelledError, InvalidStateError, TaskError, TimeoutError};
pub use handle::{Handle, TimerHandle};
pub use promise::Promise;
pub use task::{current_task, Runnable, Schedule, Task, TaskId, TaskList, TaskRef};
