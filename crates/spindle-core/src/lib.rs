//! The task core of spindle: what a task is, independent of any thread or I/O.
//!
//! - [`task`]: one allocation per spawned future, its state machine, the raw waker,
//!   [`Task`] (the join handle), [`Runnable`] (the scheduler's side), [`TaskList`] (the tasks an
//!   executor owns) and the [`Schedule`] hook an executor implements.
//! - [`Promise`]: asyncio's `Future`, settable from any thread.
//! - [`Handle`] / [`TimerHandle`]: what `call_soon` / `call_later` return.
//! - [`error`]: `TaskError`, `InvalidStateError`, `CancelledError`, `TimeoutError`.
//!
//! This crate starts no threads and does no I/O; `spindle-scheduler` drives it. An executor in
//! a dozen lines, to show the moving parts:
//!
//! ```
//! use spindle_core::task::{self, Runnable, Schedule, TaskRef};
//! use std::sync::{mpsc, Mutex};
//!
//! struct Queue(Mutex<mpsc::Sender<Runnable>>);
//! impl Schedule for std::sync::Arc<Queue> {
//!     fn schedule(&self, task: Runnable, _yielded: bool) { let _ = self.0.lock().unwrap().send(task); }
//!     fn release(&self, _task: &TaskRef) -> Option<TaskRef> { None }
//!     fn call_soon(&self, _f: Box<dyn FnOnce() + Send>) {}
//! }
//!
//! let (tx, rx) = mpsc::channel();
//! let queue = std::sync::Arc::new(Queue(Mutex::new(tx)));
//! let (runnable, mut handle, _list_ref) = task::create(async { 6 * 7 }, queue, None);
//! runnable.run();
//! assert!(handle.is_done());
//! while let Ok(r) = rx.try_recv() { r.run(); }
//! let waker = std::task::Waker::noop();
//! let out = std::pin::Pin::new(&mut handle).poll(&mut std::task::Context::from_waker(&waker));
//! # use std::future::Future;
//! assert!(matches!(out, std::task::Poll::Ready(Ok(42))));
//! ```

pub mod error;
mod handle;
pub(crate) mod loom;
pub mod loop_hook;
mod promise;
pub mod task;

pub use error::{CancelledError, InvalidStateError, TaskError, TimeoutError};
pub use handle::{Handle, TimerHandle};
pub use promise::Promise;
pub use task::{current_task, Runnable, Schedule, Task, TaskId, TaskList, TaskRef};
