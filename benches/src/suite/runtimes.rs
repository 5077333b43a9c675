//! The suite's five runtimes: the three adapters of [`crate::runtimes`] and the two
//! current-thread flavours, and [`Peer`], what a benchmark asks of a runtime beyond
//! [`Spawner`].

use super::{callbacks, net, Flavour};
use crate::primitives::{AsyncChannel, Channel, Counter, SpindleQueue, TokioMpsc};
use crate::runtimes::{SmolRuntime, SpindleRuntime, TokioRuntime};
use crate::{Runtime, Spawner};
use smol::future::FutureExt as _;
use smol::Executor;
use spindle::EventLoop;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::runtime::Handle;

/// A current-thread spindle loop (`EventLoop::builder().current_thread()`): everything runs
/// on the thread inside `run_until_complete`, in asyncio's FIFO order. Closed when dropped.
#[derive(Debug)]
pub struct SpindleCtRuntime {
    lp: EventLoop,
}

impl SpindleCtRuntime {
    /// A current-thread loop.
    ///
    /// # Panics
    /// If the loop cannot be built (no poller).
    pub fn new() -> SpindleCtRuntime {
        let lp = EventLoop::builder()
            .current_thread()
            .thread_name("bench-spindle-ct")
            .build()
            .expect("spindle: could not build the current-thread loop");
        SpindleCtRuntime { lp }
    }
}

impl Default for SpindleCtRuntime {
    fn default() -> SpindleCtRuntime {
        SpindleCtRuntime::new()
    }
}

impl Drop for SpindleCtRuntime {
    fn drop(&mut self) {
        self.lp.close();
    }
}

impl Runtime for SpindleCtRuntime {
    type Spawner = EventLoop;
    const NAME: &'static str = "spindle-ct";

    fn spawner(&self) -> EventLoop {
        self.lp.clone()
    }

    fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.lp.run_until_complete(future)
    }
}

/// A current-thread tokio runtime (`Builder::new_current_thread().enable_all()`): its tasks
/// run on the thread inside `block_on`.
#[derive(Debug)]
pub struct TokioCtRuntime {
    rt: tokio::runtime::Runtime,
}

impl TokioCtRuntime {
    /// A current-thread runtime with its drivers enabled.
    ///
    /// # Panics
    /// If the runtime cannot be built.
    pub fn new() -> TokioCtRuntime {
        let rt = tokio::runtime::Builder::new_current_thread()
            .thread_name("bench-tokio-ct")
            .enable_all()
            .build()
            .expect("tokio: could not build the current-thread runtime");
        TokioCtRuntime { rt }
    }
}

impl Default for TokioCtRuntime {
    fn default() -> TokioCtRuntime {
        TokioCtRuntime::new()
    }
}

impl Runtime for TokioCtRuntime {
    type Spawner = Handle;
    const NAME: &'static str = "tokio-ct";

    fn spawner(&self) -> Handle {
        self.rt.handle().clone()
    }

    fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.rt.block_on(future)
    }
}

/// The five runtimes, alive together for a whole run (an idle one parks its threads).
#[derive(Debug)]
pub struct SuiteRuntimes {
    /// spindle's default loop: multi-thread, `workers` workers.
    pub spindle: SpindleRuntime,
    /// spindle's current-thread loop.
    pub spindle_ct: SpindleCtRuntime,
    /// tokio's multi-thread runtime, `workers` workers.
    pub tokio_mt: TokioRuntime,
    /// tokio's current-thread runtime.
    pub tokio_ct: TokioCtRuntime,
    /// smol's `async-executor` run by `workers` threads (`async-io` for timers and sockets).
    pub smol: SmolRuntime,
}

impl SuiteRuntimes {
    /// The five runtimes; the multi-thread ones with `workers` workers each.
    pub fn new(workers: usize) -> SuiteRuntimes {
        SuiteRuntimes {
            spindle: SpindleRuntime::new(workers),
            spindle_ct: SpindleCtRuntime::new(),
            tokio_mt: TokioRuntime::new(workers),
            tokio_ct: TokioCtRuntime::new(),
            smol: SmolRuntime::new(workers),
        }
    }

    /// Runs `measure` on the runtime of `flavour`.
    pub fn measure<M: Measure>(&self, flavour: Flavour, measure: &M) -> f64 {
        match flavour {
            Flavour::Spindle => measure.on(&self.spindle),
            Flavour::SpindleCt => measure.on(&self.spindle_ct),
            Flavour::TokioMt => measure.on(&self.tokio_mt),
            Flavour::TokioCt => measure.on(&self.tokio_ct),
            Flavour::Smol => measure.on(&self.smol),
        }
    }
}

/// One measurement, written once for any runtime (a closure generic over the runtime, which
/// Rust's closures cannot be).
pub trait Measure {
    /// Takes the measurement on `rt`; the figure in the benchmark's unit.
    fn on<R: Runtime>(&self, rt: &R) -> f64
    where
        R::Spawner: Peer;
}

/// What a benchmark may ask of a runtime beyond [`Spawner`]: its own primitives, timers,
/// sockets, and spindle's asyncio calls where the peers have no counterpart.
pub trait Peer: Spawner {
    /// The runtime's own bounded queue (`queue_mpsc`).
    type Queue: Channel;
    /// The runtime's own async mutex around a counter (`lock_contended`).
    type Lock: Counter;

    /// Runs `f` soon; called from a task of the runtime. spindle: `EventLoop::call_soon`; the
    /// peers, which have no callbacks: a detached task running `f`.
    fn call_soon(&self, f: impl FnOnce() + Send + 'static);

    /// Runs `f` soon; called from a thread outside the runtime. spindle:
    /// `EventLoop::call_soon_threadsafe`; the peers: a detached task running `f`.
    fn call_soon_threadsafe(&self, f: impl FnOnce() + Send + 'static);

    /// Runs every future as a task and collects their outputs in order. spindle:
    /// `spindle::gather`; the peers: spawn them all, then await each handle.
    fn gather<F>(&self, futures: Vec<F>) -> impl Future<Output = Vec<F::Output>> + Send
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// The runtime's own sleep (spindle's timers, tokio's timer wheel, `async-io`'s `Timer`).
    fn sleep(duration: Duration) -> impl Future<Output = ()> + Send;

    /// `future` bounded by `duration` with the runtime's own timeout (`spindle::wait_for`,
    /// `tokio::time::timeout`, `async-io`'s `Timer` raced with `or`): `None` on the deadline.
    fn wait_for<F>(duration: Duration, future: F) -> impl Future<Output = Option<F::Output>> + Send
    where
        F: Future + Send;

    /// One iteration of `tcp_echo` on the runtime's own sockets, run as the main future of
    /// `block_on`; returns its time (see [`net`]).
    fn tcp_echo(&self, connections: usize, round_trips: usize) -> impl Future<Output = Duration>;
}

impl Peer for EventLoop {
    type Queue = SpindleQueue;
    type Lock = spindle::sync::Lock<u64>;

    fn call_soon(&self, f: impl FnOnce() + Send + 'static) {
        EventLoop::call_soon(self, f);
    }

    fn call_soon_threadsafe(&self, f: impl FnOnce() + Send + 'static) {
        EventLoop::call_soon_threadsafe(self, f);
    }

    fn gather<F>(&self, futures: Vec<F>) -> impl Future<Output = Vec<F::Output>> + Send
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        spindle::gather(futures)
    }

    fn sleep(duration: Duration) -> impl Future<Output = ()> + Send {
        spindle::sleep(duration)
    }

    async fn wait_for<F>(duration: Duration, future: F) -> Option<F::Output>
    where
        F: Future + Send,
    {
        spindle::wait_for(duration, future).await.ok()
    }

    fn tcp_echo(&self, connections: usize, round_trips: usize) -> impl Future<Output = Duration> {
        net::spindle_echo(self.clone(), connections, round_trips)
    }
}

impl Peer for Handle {
    type Queue = TokioMpsc;
    type Lock = tokio::sync::Mutex<u64>;

    fn call_soon(&self, f: impl FnOnce() + Send + 'static) {
        self.spawn_detached(async move { f() });
    }

    fn call_soon_threadsafe(&self, f: impl FnOnce() + Send + 'static) {
        self.spawn_detached(async move { f() });
    }

    fn gather<F>(&self, futures: Vec<F>) -> impl Future<Output = Vec<F::Output>> + Send
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        callbacks::spawn_and_join(self, futures)
    }

    fn sleep(duration: Duration) -> impl Future<Output = ()> + Send {
        tokio::time::sleep(duration)
    }

    async fn wait_for<F>(duration: Duration, future: F) -> Option<F::Output>
    where
        F: Future + Send,
    {
        tokio::time::timeout(duration, future).await.ok()
    }

    fn tcp_echo(&self, connections: usize, round_trips: usize) -> impl Future<Output = Duration> {
        net::tokio_echo(self.clone(), connections, round_trips)
    }
}

impl Peer for Arc<Executor<'static>> {
    type Queue = AsyncChannel;
    type Lock = async_lock::Mutex<u64>;

    fn call_soon(&self, f: impl FnOnce() + Send + 'static) {
        self.spawn_detached(async move { f() });
    }

    fn call_soon_threadsafe(&self, f: impl FnOnce() + Send + 'static) {
        self.spawn_detached(async move { f() });
    }

    fn gather<F>(&self, futures: Vec<F>) -> impl Future<Output = Vec<F::Output>> + Send
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        callbacks::spawn_and_join(self, futures)
    }

    async fn sleep(duration: Duration) {
        smol::Timer::after(duration).await;
    }

    fn wait_for<F>(duration: Duration, future: F) -> impl Future<Output = Option<F::Output>> + Send
    where
        F: Future + Send,
    {
        async move { Some(future.await) }.or(async move {
            smol::Timer::after(duration).await;
            None
        })
    }

    fn tcp_echo(&self, connections: usize, round_trips: usize) -> impl Future<Output = Duration> {
        net::smol_echo(self.clone(), connections, round_trips)
    }
}
