//! The work-stealing scheduler and asyncio's event loop.
//!
//! - [`EventLoop`] (`event_loop.rs`): the public loop: run, stop, close, callbacks, tasks,
//!   executors; [`Builder`] (`builder.rs`) configures it.
//! - `shared.rs`: the state all threads reach; `context.rs`: which loop/worker a thread is.
//! - `worker.rs`: the multi-thread worker loop; `current_thread.rs`: asyncio's `_run_once`.
//! - `run.rs`: `run_forever` / `run_until_complete` / `stop`, pausing the workers.
//! - `idle.rs` + `park.rs`: sleeping and waking workers without losing a wake-up; one idle
//!   worker parks on the driver, the others on a condvar.
//! - `queue/`: the run queues (crossbeam in production, a loom-visible model under loom).
//! - `blocking.rs`: the bounded pool behind `to_thread` / `run_in_executor`.
//! - `callback.rs`, `schedule.rs`, `exception.rs`, `time.rs`: the small pieces.
//!
//! ```
//! use spindle_scheduler::{spawn, sleep, EventLoop};
//! use std::time::Duration;
//!
//! let lp = EventLoop::builder().worker_threads(2).build().unwrap();
//! let answer = lp.run_until_complete(async {
//!     let task = spawn(async {
//!         sleep(Duration::from_millis(1)).await;
//!         42
//!     });
//!     task.await.unwrap()
//! });
//! assert_eq!(answer, 42);
//! lp.close();
//! ```

mod blocking;
mod builder;
mod callback;
mod context;
mod current_thread;
mod event_loop;
mod exception;
mod idle;
mod lend;
pub(crate) mod loom;
mod park;
mod queue;
mod run;
mod schedule;
mod shared;
mod time;
mod worker;

#[cfg(all(test, loom))]
mod loom_tests;

pub use builder::Builder;
pub use event_loop::{EventLoop, LoopClosed};
pub use exception::{ExceptionContext, Handler};
pub use time::{sleep, sleep_until, yield_now, YieldNow};

use spindle_core::Task;
use std::future::Future;

/// Spawns `future` on the current loop, asyncio's `create_task`.
///
/// # Panics
/// Outside an event loop.
pub fn spawn<F>(future: F) -> Task<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    EventLoop::current().spawn(future)
}

/// Spawns `future` on the current loop as a task named `name`, asyncio's
/// `create_task(coro, name=...)`.
///
/// # Panics
/// Outside an event loop.
pub fn spawn_named<F>(name: impl Into<String>, future: F) -> Task<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    EventLoop::current().spawn_named(name, future)
}

/// Runs `f` on the current loop's blocking pool, asyncio's `to_thread`.
///
/// # Panics
/// Outside an event loop.
pub fn to_thread<F, R>(f: F) -> Task<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    EventLoop::current().run_in_executor(f)
}

/// Runs `future` to completion on a new multi-thread loop (one worker per core), then closes
/// the loop and joins its threads: asyncio's `asyncio.run(main())`.
///
/// # Panics
/// If the loop cannot be created (no poller or no threads), or inside a running loop.
pub fn run<F: Future>(future: F) -> F::Output {
    let lp = EventLoop::new().expect("spindle::run: could not start an event loop");
    let output = lp.run_until_complete(future);
    lp.close();
    output
}
