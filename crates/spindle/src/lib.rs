//! spindle: Python's `asyncio`, done in Rust, on a multi-threaded work-stealing runtime.
//!
//! The names are asyncio's: an [`EventLoop`] with `call_soon`, `call_later`,
//! `call_soon_threadsafe`, `run_until_complete`, `run_forever` and `stop`; tasks
//! ([`spawn`], [`Task`]) and futures ([`Promise`]); [`sleep`], [`yield_now`], [`to_thread`];
//! the combinators [`gather`], [`try_gather`], [`wait`], [`wait_for`], [`timeout_at`],
//! [`shield`], [`as_completed`], [`TaskGroup`] and [`join2`]..[`join4`].
//! `docs/asyncio-mapping.md` lists every name and every behavioural difference.
//!
//! ```
//! # #[cfg(feature = "scheduler")] {
//! use std::time::Duration;
//!
//! // asyncio.run(main())
//! let answer = spindle::run(async {
//!     let task = spindle::spawn(async {
//!         spindle::sleep(Duration::from_millis(10)).await;
//!         42
//!     });
//!     task.await.unwrap()
//! });
//! assert_eq!(answer, 42);
//! # }
//! ```
//!
//! # Feature flags
//!
//! - `scheduler`: the event loop and its work-stealing workers (implies `reactor`), and the
//!   combinators.
//! - `reactor`: the I/O driver and timers.
//! - `sync`: `Queue`, `Lock`, `Event`, `Semaphore`, ... (work under any executor).
//! - `full` (default): all of the above.
//!
//! The task types ([`Task`], [`Promise`], [`Handle`], [`TaskError`], ...) are always there.

pub use spindle_core::error;
pub use spindle_core::{
    current_task, CancelledError, Handle, InvalidStateError, Promise, Task, TaskError, TaskId,
    TaskRef, TimeoutError, TimerHandle,
};

#[cfg(feature = "scheduler")]
pub use spindle_scheduler::{
    run, sleep, sleep_until, spawn, spawn_named, to_thread, yield_now, Builder, EventLoop,
    ExceptionContext, LoopClosed, YieldNow,
};

#[cfg(feature = "scheduler")]
mod combinators;
#[cfg(feature = "scheduler")]
pub use combinators::{
    as_completed, gather, join2, join3, join4, shield, timeout, timeout_at, try_gather, wait,
    wait_for, wait_results, AsCompleted, Gather, Join2, Join3, Join4, ReturnWhen, Shield,
    TaskFailure, TaskGroup, TaskGroupError, TaskGroupJoin, Timeout, TryGather, Wait,
};

/// Timers and the I/O driver.
#[cfg(feature = "reactor")]
pub mod time {
    pub use spindle_reactor::Sleep;
}

/// I/O sources on the loop's driver: [`io::Async`] over any non-blocking file descriptor.
#[cfg(feature = "reactor")]
pub mod io {
    pub use spindle_reactor::io::Async;
}

/// Sockets on the loop's driver: [`net::TcpListener`], [`net::TcpStream`], [`net::UdpSocket`],
/// [`net::UnixListener`], [`net::UnixStream`], with `futures_io::AsyncRead`/`AsyncWrite` and a
/// `connect` that never blocks a worker. `bind`, `from_std` and `pair` must run on a loop's
/// thread (inside a task); `accept` hands `EMFILE` and the like to the caller to back off.
#[cfg(feature = "reactor")]
pub mod net {
    pub use spindle_reactor::net::*;
}

/// asyncio's synchronisation primitives, usable under any executor.
#[cfg(feature = "sync")]
pub use spindle_sync as sync;

/// asyncio's callback networking: `Protocol`, `Transport`, `create_server`, ... (the loop
/// methods come with `use spindle::protocols::LoopExt`).
#[cfg(feature = "scheduler")]
mod blocking_io;
#[cfg(feature = "scheduler")]
pub mod protocols;
#[cfg(feature = "scheduler")]
pub use protocols::{DatagramProtocol, DatagramTransport, LoopExt, Protocol, Server, Transport};

// asyncio's streams (`open_connection`, `start_server`, ...): documented in the module.
#[cfg(feature = "scheduler")]
pub mod streams;
