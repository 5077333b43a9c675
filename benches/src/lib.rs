//! The harness behind spindle's side-by-side benchmarks against tokio and smol.
//!
//! One workload is written once, generic over [`Spawner`], and runs unchanged on the three
//! runtimes; only the adapters in [`runtimes`] know which runtime is which. The binary
//! `runtimes` (`src/bin/runtimes.rs`) interleaves them and prints the table; `README.md`
//! says how to read it.
//!
//! - [`runtimes`]: [`Runtime`] and [`Spawner`], and one adapter per runtime.
//! - [`workloads`]: one module per workload, and [`Workload`], the list the binary runs.
//! - [`mailbox`]: the one channel every workload uses, the same code on every runtime.
//! - [`harness`]: medians, durations, the results tables, the interleaved rounds, the
//!   command-line arguments and a watchdog against hangs.
//! - [`net`]: the workloads of the `net` binary (`src/bin/net.rs`): the same protocol on
//!   each runtime's own sockets (`tcp_echo`).
//! - [`primitives`]: the workloads of the second binary, `sync` (`src/bin/sync.rs`): spindle's
//!   `Queue` and `Lock` against tokio's and smol's channel and mutex.
//! - [`suite`]: the whole suite on five runtimes (spindle and tokio, each multi-thread and
//!   current-thread, and smol) in one run, with a JSON of every sample (`src/bin/suite.rs`).
//! - [`cost_per_task`]: ns per task against the task count, 1k to 1M, on the suite's five
//!   runtimes, with an SVG plot (`src/bin/cost_per_task.rs`).
//! - [`svg`]: the small line-chart writer behind that plot.
//!
//! A workload is an `async fn` over any [`Spawner`]; the same function then runs on each
//! runtime:
//!
//! ```
//! use spindle_benches::runtimes::{SmolRuntime, SpindleRuntime, TokioRuntime};
//! use spindle_benches::{Runtime, Spawner};
//!
//! async fn answer<S: Spawner>(spawner: S) -> u32 {
//!     spawner.spawn(async { 40 + 2 }).await
//! }
//!
//! fn on<R: Runtime>(rt: &R) -> u32 {
//!     let spawner = rt.spawner();
//!     rt.block_on(answer(spawner))
//! }
//!
//! assert_eq!(on(&SpindleRuntime::new(2)), 42);
//! assert_eq!(on(&TokioRuntime::new(2)), 42);
//! assert_eq!(on(&SmolRuntime::new(2)), 42);
//! ```

pub mod cost_per_task;
pub mod harness;
pub mod mailbox;
pub mod net;
pub mod primitives;
pub mod runtimes;
pub mod suite;
pub mod svg;
pub mod workloads;

pub use runtimes::{Runtime, Spawner};
pub use workloads::{Case, Workload};
