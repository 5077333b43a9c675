//! The run queues, behind the small interface the scheduler needs.
//!
//! - [`Local`]: a worker's own queue (push and pop at one end by its owner).
//! - [`Stealer`]: another worker's view of a `Local`, taking half of it at once.
//! - [`Injector`]: the loop's shared FIFO for remote spawns and `call_soon_threadsafe` (and, on a
//!   single-queue loop, for everything): the core's intrusive `Inject`, which never allocates.
//!
//! In production the local queues are `crossbeam-deque`'s, with a capacity enforced on `Local`
//! so a burst of spawns overflows to the injector where idle workers see it. crossbeam is not
//! instrumented for loom, so under `cfg(loom)` the same interface is a `Mutex<VecDeque>` (which
//! loom does see) with a capacity of 2, small enough for the models to reach the overflow path.
//! The injector is built on the core's loom shim, so loom sees it in both builds. The
//! production local queues are exercised by the stress tests instead.

#[cfg(not(loom))]
mod crossbeam;
#[cfg(not(loom))]
pub(crate) use self::crossbeam::{Local, Stealer};

#[cfg(loom)]
mod model;
#[cfg(loom)]
pub(crate) use self::model::{Local, Stealer};

mod injector;
pub(crate) use self::injector::Injector;

/// How many tasks a worker keeps locally before moving half of them to the injector. Large
/// enough that a worker spawning in a loop rarely touches the shared injector (tokio's 256 is
/// the same order), small enough that a burst is visible to stealers and the injector soon.
#[cfg(not(loom))]
pub(crate) const LOCAL_CAPACITY: usize = 256;
/// Under loom: tiny, to reach the overflow path in a few steps.
#[cfg(loom)]
pub(crate) const LOCAL_CAPACITY: usize = 2;
