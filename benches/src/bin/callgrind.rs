//! `callgrind`: one workload, once, on one runtime, for counting instructions under valgrind.
//!
//! ```text
//! callgrind <runtime> <workload> <n>
//!   runtime:  spindle | tokio | spindle-mt | tokio-mt
//!   workload: spawn_many_local | yield_many | ping_pong | chained_spawn | call_soon
//!             | gather | timer_churn | queue_mpsc | lock_contended
//! ```
//!
//! The workload runs once at size `n` to warm up (allocator caches, the runtime's queues and
//! thread-locals), then once more inside [`callgrind_measured_region`], the one function
//! `ci/callgrind.sh` has callgrind count (`--toggle-collect=*callgrind_measured_region*`).
//! The binary prints `ops <count>`, the operations of the measured run, which the script
//! divides the instruction count by. Without valgrind it runs natively: a smoke test.
//!
//! - `spindle`: a current-thread `EventLoop` (`EventLoop::builder().current_thread()`),
//!   entered with `run_until_complete`.
//! - `tokio`: `Builder::new_current_thread().enable_all()`, entered with `block_on`.
//! - `spindle-mt`, `tokio-mt`: the multi-thread flavours with 2 workers, as the `runtimes`
//!   binary builds them. Their counts move from run to run (which worker finds a task first,
//!   how often one parks): use the current-thread ones to judge a change.
//!
//! The workloads are those of `src/workloads/` and two of the suite's (`src/suite/`), through
//! the same [`Spawner`](spindle_benches::Spawner) and [`Peer`] code, at sizes where `n` counts the operations:
//!
//! | workload           | measured run                          | one operation          |
//! |--------------------|---------------------------------------|------------------------|
//! | `spawn_many_local` | a task spawns `n` tasks, awaits them  | a spawn, run and join  |
//! | `yield_many`       | 10 tasks each yield `n / 10` times    | a `yield_now`          |
//! | `ping_pong`        | 10 pairs, `n / 10` round trips each   | a round trip (2 wakes) |
//! | `chained_spawn`    | a chain of `n` tasks                  | a spawn and run        |
//! | `call_soon`        | `n` callbacks scheduled, then run     | a callback             |
//! | `gather`           | a task gathers `n` trivial futures    | a child: spawn, run, collect |
//! | `timer_churn`      | 100 tasks, `n / 100` `wait_for`s each | a `wait_for` (60 s) of a `yield_now` |
//! | `queue_mpsc`       | 4 producers put `n / 4` items each through a queue of 1,024; 1 consumer | an item: a put and a get |
//! | `lock_contended`   | 64 tasks lock a counter `n / 64` times each | a lock, an increment, an unlock |
//!
//! `call_soon` is spindle's `EventLoop::call_soon`; tokio has no callbacks, so there it spawns
//! `n` detached tasks, each calling the closure once: the nearest tokio has to a callback,
//! not the same thing. Each callback counts down a shared counter; the one that reaches zero
//! wakes the main future.
//!
//! `gather` is `suite::callbacks::gather_once` (the body of the suite's `gather_10k`) run in a
//! spawned task: `spindle::gather` on spindle; on tokio, spawn every future and await each
//! handle in turn, what a tokio program does instead. `timer_churn` is `suite::timers::churn`
//! (the body of the suite's `timer_churn`): `spindle::wait_for` against `tokio::time::timeout`,
//! each timer armed (the `yield_now` is pending at the first poll) and cancelled without
//! firing.
//!
//! The measured region includes one entry into the runtime (`run_until_complete` /
//! `block_on`) and its exit: a fixed cost, small against `n` operations.

use spindle::EventLoop;
use spindle_benches::mailbox::{self, Sender};
use spindle_benches::primitives::{lock_contended, queue_4p1c};
use spindle_benches::suite::callbacks::gather_once;
use spindle_benches::suite::timers::{churn, CHURN_TASKS};
use spindle_benches::suite::Peer;
use spindle_benches::workloads::{chained_spawn, ping_pong, spawn_many_local, yield_many};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

const USAGE: &str = "usage: callgrind <runtime> <workload> <n>
  runtime:  spindle | tokio | spindle-mt | tokio-mt
            (spindle, tokio: current-thread; -mt: multi-thread with 2 workers)
  workload: spawn_many_local | yield_many | ping_pong | chained_spawn | call_soon
            | gather | timer_churn | queue_mpsc | lock_contended
  n:        operations of the measured run (yield_many, ping_pong: rounded down to a multiple of 10;
            timer_churn: rounded up to a multiple of 100; queue_mpsc, lock_contended: rounded
            down to a multiple of 4 and of 64)";

/// Workers of the `-mt` flavours.
const MT_WORKERS: usize = 2;
/// Tasks of `yield_many`, pairs of `ping_pong`: `n` is split among them.
const GROUPS: usize = 10;
/// `queue_mpsc`: the suite's producers and queue capacity (`n` items split among the producers).
const PRODUCERS: usize = 4;
const QUEUE_CAPACITY: usize = 1024;
/// `lock_contended`: the suite's tasks (`n` locks split among them).
const LOCK_TASKS: usize = 64;

/// The runtime under count: a loop or a runtime, each of one flavour.
enum Rt {
    /// A spindle loop (current-thread or multi-thread).
    Spindle(EventLoop),
    /// A tokio runtime (current-thread or multi-thread).
    Tokio(tokio::runtime::Runtime),
}

impl Rt {
    /// The runtime named `name` on the command line.
    fn new(name: &str) -> Result<Rt, String> {
        let spindle = |builder: spindle::Builder| {
            builder
                .thread_name("cg-spindle")
                .build()
                .map(Rt::Spindle)
                .map_err(|e| format!("spindle: {e}"))
        };
        let tokio = |mut builder: tokio::runtime::Builder| {
            builder
                .thread_name("cg-tokio")
                .enable_all()
                .build()
                .map(Rt::Tokio)
                .map_err(|e| format!("tokio: {e}"))
        };
        match name {
            "spindle" => spindle(EventLoop::builder().current_thread()),
            "spindle-mt" => spindle(EventLoop::builder().worker_threads(MT_WORKERS)),
            "tokio" => tokio(tokio::runtime::Builder::new_current_thread()),
            "tokio-mt" => {
                let mut builder = tokio::runtime::Builder::new_multi_thread();
                builder.worker_threads(MT_WORKERS);
                tokio(builder)
            }
            other => Err(format!("unknown runtime `{other}`")),
        }
    }

    /// Runs `workload` at size `n` to completion, entering the runtime once.
    fn run(&self, workload: Workload, n: usize) {
        match self {
            Rt::Spindle(lp) => lp.run_until_complete(workload.body(lp.clone(), n)),
            Rt::Tokio(rt) => rt.block_on(workload.body(rt.handle().clone(), n)),
        }
    }
}

impl Drop for Rt {
    fn drop(&mut self) {
        if let Rt::Spindle(lp) = self {
            lp.close();
        }
    }
}

/// The workloads this binary counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Workload {
    /// `workloads::spawn_many_local` with `n` tasks.
    SpawnManyLocal,
    /// `workloads::yield_many`: [`GROUPS`] tasks, `n / GROUPS` yields each.
    YieldMany,
    /// `workloads::ping_pong`: [`GROUPS`] pairs, `n / GROUPS` round trips each.
    PingPong,
    /// `workloads::chained_spawn`: a chain of `n` tasks.
    ChainedSpawn,
    /// `n` callbacks (spindle) or detached tasks (tokio), see [`call_soon`].
    CallSoon,
    /// A task gathers `n` trivial futures (`suite::callbacks::gather_once`).
    Gather,
    /// `suite::timers::churn`: `n` `wait_for`s that never fire, over 100 tasks.
    TimerChurn,
    /// `primitives::queue_4p1c` on the runtime's own queue: [`PRODUCERS`] producers,
    /// `n / PRODUCERS` items each, one consumer.
    QueueMpsc,
    /// `primitives::lock_contended` on the runtime's own mutex: [`LOCK_TASKS`] tasks,
    /// `n / LOCK_TASKS` locks each.
    LockContended,
}

impl Workload {
    /// The workload named `name` on the command line.
    fn parse(name: &str) -> Result<Workload, String> {
        Ok(match name {
            "spawn_many_local" => Workload::SpawnManyLocal,
            "yield_many" => Workload::YieldMany,
            "ping_pong" => Workload::PingPong,
            "chained_spawn" => Workload::ChainedSpawn,
            "call_soon" => Workload::CallSoon,
            "gather" => Workload::Gather,
            "timer_churn" => Workload::TimerChurn,
            "queue_mpsc" => Workload::QueueMpsc,
            "lock_contended" => Workload::LockContended,
            other => return Err(format!("unknown workload `{other}`")),
        })
    }

    /// The operations a run at size `n` performs (`n`, rounded for the split ones).
    fn ops(self, n: usize) -> usize {
        match self {
            Workload::YieldMany | Workload::PingPong => n / GROUPS * GROUPS,
            Workload::TimerChurn => n.div_ceil(CHURN_TASKS) * CHURN_TASKS,
            Workload::QueueMpsc => n / PRODUCERS * PRODUCERS,
            Workload::LockContended => n / LOCK_TASKS * LOCK_TASKS,
            _ => n,
        }
    }

    /// The workload's main future at size `n`.
    async fn body<S: Peer>(self, spawner: S, n: usize) {
        match self {
            Workload::SpawnManyLocal => spawn_many_local::run(spawner, n).await,
            Workload::YieldMany => yield_many::run(spawner, GROUPS, n / GROUPS).await,
            Workload::PingPong => ping_pong::run(spawner, GROUPS, n / GROUPS).await,
            Workload::ChainedSpawn => chained_spawn::run(spawner, n).await,
            Workload::CallSoon => call_soon(spawner, n).await,
            Workload::Gather => {
                let inner = spawner.clone();
                spawner
                    .spawn(async move { gather_once(&inner, n).await })
                    .await;
            }
            Workload::TimerChurn => {
                churn(spawner, n).await;
            }
            Workload::QueueMpsc => {
                queue_4p1c::run::<_, S::Queue>(spawner, PRODUCERS, n / PRODUCERS, QUEUE_CAPACITY)
                    .await
            }
            Workload::LockContended => {
                lock_contended::run::<_, S::Lock>(spawner, LOCK_TASKS, n / LOCK_TASKS).await
            }
        }
    }
}

/// Schedules `n` callbacks and waits until the last has run. Each counts down a shared
/// counter; the one that reaches zero sends the message the main future waits for.
async fn call_soon<S: Peer>(spawner: S, n: usize) {
    if n == 0 {
        return;
    }
    let (done, mut finished) = mailbox::channel();
    let countdown = Arc::new(Countdown {
        left: AtomicUsize::new(n),
        done,
    });
    for i in 0..n {
        let countdown = countdown.clone();
        spawner.call_soon(move || {
            std::hint::black_box(i);
            countdown.tick();
        });
    }
    drop(countdown);
    finished
        .recv()
        .await
        .expect("call_soon: a callback never ran");
}

/// The counter of [`call_soon`] and the channel its last tick sends on.
struct Countdown {
    /// Callbacks not yet run.
    left: AtomicUsize,
    /// Told once, by the last callback.
    done: Sender<()>,
}

impl Countdown {
    /// One callback ran; the last one sends on `done`.
    fn tick(&self) {
        if self.left.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.done.send(());
        }
    }
}

/// The measured run. For the current-thread flavours callgrind collects only while this
/// function is on the stack of the main thread (`--toggle-collect=*callgrind_measured_region*`).
/// Never inlined, so that the symbol exists; the name is unique in the binary, so that the
/// pattern matches nothing else.
///
/// The toggle is per thread, so the `-mt` flavours' workers would go uncounted: there the
/// script zeroes every thread's counts on entry (`--zero-before=*callgrind_measured_region*`)
/// and dumps them on [`callgrind_measured_end`] (`--dump-before=*callgrind_measured_end*`;
/// valgrind 3.19's `--dump-after` does not fire here).
#[inline(never)]
fn callgrind_measured_region(rt: &Rt, workload: Workload, n: usize) {
    rt.run(std::hint::black_box(workload), std::hint::black_box(n));
}

/// Called right after [`callgrind_measured_region`] returns: the end of the window of the
/// `-mt` flavours. Never inlined, and does nothing but exist.
#[inline(never)]
fn callgrind_measured_end() {
    std::hint::black_box(());
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let [runtime, workload, n] = args.as_slice() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let parsed = Workload::parse(workload).and_then(|w| {
        let n = n
            .parse::<usize>()
            .map_err(|_| format!("`{n}` is not a count"))?;
        Ok((w, n))
    });
    let (workload, n) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => {
            eprintln!("callgrind: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let rt = match Rt::new(runtime) {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("callgrind: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // Warm-up, not counted: the same run at the same size.
    rt.run(workload, n);
    callgrind_measured_region(&rt, workload, n);
    callgrind_measured_end();
    println!("ops {}", workload.ops(n));
    ExitCode::SUCCESS
}
