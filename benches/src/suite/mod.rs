//! The whole suite in one run, on five runtimes: the `suite` binary (`src/bin/suite.rs`).
//!
//! Every benchmark runs on spindle's default loop (multi-thread), spindle's current-thread
//! loop, tokio's multi-thread and current-thread runtimes, and smol's `async-executor` with
//! `async-io` ([`Flavour`]). [`run`] takes the runtimes in turn, one sample each per round,
//! rotating which goes first, after a warm-up round; [`Report`] holds every sample and renders
//! the table of medians and spreads, with the ratio of spindle to the best peer, and the JSON.
//!
//! - [`runtimes`]: the five runtimes ([`SuiteRuntimes`]), the current-thread adapters, and
//!   [`Peer`], what a benchmark asks of a runtime beyond [`crate::Spawner`].
//! - [`scheduling`]: `spawn_many_local`, `spawn_many_remote`, `yield_many`, `ping_pong`,
//!   `chained_spawn` (the workloads of [`crate::workloads`]).
//! - [`callbacks`]: `call_soon`, `call_soon_threadsafe`, `gather_10k`.
//! - [`sync`]: `queue_mpsc`, `lock_contended` (the workloads of [`crate::primitives`]).
//! - [`net`]: `tcp_echo` on each runtime's own sockets.
//! - [`timers`]: `timers`, `timer_churn`.
//! - [`memory`]: `idle_task_memory`, measured in a fresh process per sample.
//! - [`report`]: the table and the JSON.
//!
//! ```
//! use spindle_benches::suite::{run, Bench, Config, Sizes};
//!
//! let config = Config {
//!     only: Some(vec![Bench::YieldMany]),
//!     ..Config::new(2, Sizes::tiny(), 1)
//! };
//! let report = run(&config, false);
//! assert_eq!(report.rows.len(), 1);
//! assert!(report.to_json().contains("\"bench\": \"yield_many\""));
//! ```

pub mod callbacks;
pub mod memory;
pub mod net;
pub mod report;
pub mod runtimes;
pub mod scheduling;
pub mod sync;
pub mod timers;

pub use report::{Report, Row};
pub use runtimes::{Measure, Peer, SuiteRuntimes};

use crate::harness::Watchdog;
use crate::Runtime;
use std::path::PathBuf;
use std::time::Duration;

/// One of the five runtimes of the suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flavour {
    /// spindle's default loop: multi-thread, `--workers` workers.
    Spindle,
    /// spindle's current-thread loop.
    SpindleCt,
    /// tokio's multi-thread runtime, `--workers` workers.
    TokioMt,
    /// tokio's current-thread runtime.
    TokioCt,
    /// smol's `async-executor` run by `--workers` threads, `async-io` for timers and sockets.
    Smol,
}

impl Flavour {
    /// The five, in the table's order.
    pub const ALL: [Flavour; 5] = [
        Flavour::Spindle,
        Flavour::SpindleCt,
        Flavour::TokioMt,
        Flavour::TokioCt,
        Flavour::Smol,
    ];

    /// The name in the table and the JSON.
    pub fn name(self) -> &'static str {
        match self {
            Flavour::Spindle => "spindle",
            Flavour::SpindleCt => "spindle-ct",
            Flavour::TokioMt => "tokio-mt",
            Flavour::TokioCt => "tokio-ct",
            Flavour::Smol => "smol",
        }
    }

    /// The flavour's position in [`Flavour::ALL`]: the index of its samples in the per-flavour
    /// arrays of the suite's and `cost_per_task`'s reports.
    pub fn index(self) -> usize {
        Flavour::ALL
            .iter()
            .position(|f| *f == self)
            .expect("every flavour is in ALL")
    }

    /// The flavour named `name` (as [`Flavour::name`] writes it).
    pub fn from_name(name: &str) -> Option<Flavour> {
        Flavour::ALL.into_iter().find(|f| f.name() == name)
    }

    /// `true` for the peers (tokio's and smol's), against which spindle is compared.
    pub fn is_peer(self) -> bool {
        !matches!(self, Flavour::Spindle | Flavour::SpindleCt)
    }
}

/// One benchmark of the suite (its sizes are in [`Sizes`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bench {
    /// [`scheduling::spawn_many_local`].
    SpawnManyLocal,
    /// [`scheduling::spawn_many_remote`].
    SpawnManyRemote,
    /// [`callbacks::call_soon`].
    CallSoon,
    /// [`callbacks::call_soon_threadsafe`].
    CallSoonThreadsafe,
    /// [`scheduling::yield_many`].
    YieldMany,
    /// [`scheduling::ping_pong`].
    PingPong,
    /// [`scheduling::chained_spawn`].
    ChainedSpawn,
    /// [`timers::timers`].
    Timers,
    /// [`timers::timer_churn`].
    TimerChurn,
    /// [`callbacks::gather`].
    Gather10k,
    /// [`net::tcp_echo`].
    TcpEcho,
    /// [`sync::queue_mpsc`].
    QueueMpsc,
    /// [`sync::lock_contended`].
    LockContended,
    /// [`memory::idle_task_memory`].
    IdleTaskMemory,
}

impl Bench {
    /// Every benchmark, in the order the suite runs them.
    pub const ALL: [Bench; 14] = [
        Bench::SpawnManyLocal,
        Bench::SpawnManyRemote,
        Bench::CallSoon,
        Bench::CallSoonThreadsafe,
        Bench::YieldMany,
        Bench::PingPong,
        Bench::ChainedSpawn,
        Bench::Timers,
        Bench::TimerChurn,
        Bench::Gather10k,
        Bench::TcpEcho,
        Bench::QueueMpsc,
        Bench::LockContended,
        Bench::IdleTaskMemory,
    ];

    /// The name, as `--filter` matches it.
    pub fn name(self) -> &'static str {
        match self {
            Bench::SpawnManyLocal => "spawn_many_local",
            Bench::SpawnManyRemote => "spawn_many_remote",
            Bench::CallSoon => "call_soon",
            Bench::CallSoonThreadsafe => "call_soon_threadsafe",
            Bench::YieldMany => "yield_many",
            Bench::PingPong => "ping_pong",
            Bench::ChainedSpawn => "chained_spawn",
            Bench::Timers => "timers",
            Bench::TimerChurn => "timer_churn",
            Bench::Gather10k => "gather_10k",
            Bench::TcpEcho => "tcp_echo",
            Bench::QueueMpsc => "queue_mpsc",
            Bench::LockContended => "lock_contended",
            Bench::IdleTaskMemory => "idle_task_memory",
        }
    }

    /// The unit of the figures.
    pub fn unit(self) -> &'static str {
        match self {
            Bench::SpawnManyLocal | Bench::SpawnManyRemote => "ns/task",
            Bench::CallSoon | Bench::CallSoonThreadsafe => "ns/callback",
            Bench::YieldMany => "ns/yield",
            Bench::PingPong => "ns/pair",
            Bench::ChainedSpawn => "ns/spawn",
            Bench::Timers => "ms/iteration",
            Bench::TimerChurn => "ns/wait_for",
            Bench::Gather10k => "us/gather",
            Bench::TcpEcho => "k round trips/s",
            Bench::QueueMpsc => "ns/item",
            Bench::LockContended => "ns/lock",
            Bench::IdleTaskMemory => "B/task",
        }
    }

    /// `true` when a larger figure is better (a throughput); else a cost (time, bytes).
    pub fn higher_is_better(self) -> bool {
        matches!(self, Bench::TcpEcho)
    }

    /// What one sample does at `sizes`, in words.
    pub fn describe(self, s: &Sizes) -> String {
        match self {
            Bench::SpawnManyLocal => format!("{} tasks spawned from a task", s.spawn_tasks),
            Bench::SpawnManyRemote => {
                format!("{} tasks spawned from a foreign thread", s.spawn_tasks)
            }
            Bench::CallSoon => format!("{} callbacks from a task", s.callbacks),
            Bench::CallSoonThreadsafe => {
                format!("{} callbacks from a foreign thread", s.callbacks)
            }
            Bench::YieldMany => format!("{} tasks x {} yields", s.yield_tasks, s.yields),
            Bench::PingPong => format!("{} pairs over oneshots, x{}", s.pairs, s.reps),
            Bench::ChainedSpawn => format!("chain of {}, x{}", s.chain, s.reps),
            Bench::Timers => format!("{} sleeps of 0..{} ms", s.sleeps, s.max_sleep.as_millis()),
            Bench::TimerChurn => format!(
                "{} wait_fors that never fire ({} tasks)",
                s.churn,
                timers::CHURN_TASKS
            ),
            Bench::Gather10k => format!("gather of {} tasks, x{}", s.gather, s.reps),
            Bench::TcpEcho => format!(
                "{} conns x {} round trips of {} B",
                s.connections,
                s.round_trips,
                net::MESSAGE
            ),
            Bench::QueueMpsc => format!(
                "{} producers x {} items, capacity {}",
                s.producers, s.per_producer, s.capacity
            ),
            Bench::LockContended => format!("{} tasks x {} locks", s.lock_tasks, s.per_task),
            Bench::IdleTaskMemory => format!("{} parked tasks", s.idle_tasks),
        }
    }
}

/// The sizes of every benchmark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sizes {
    /// Tasks of `spawn_many_local` and `spawn_many_remote`.
    pub spawn_tasks: usize,
    /// Callbacks of `call_soon` and `call_soon_threadsafe`.
    pub callbacks: usize,
    /// Tasks of `yield_many`.
    pub yield_tasks: usize,
    /// Yields of each task of `yield_many`.
    pub yields: usize,
    /// Pairs of `ping_pong`.
    pub pairs: usize,
    /// Length of the chain of `chained_spawn`.
    pub chain: usize,
    /// Iterations per sample of the short benchmarks (`ping_pong`, `chained_spawn`,
    /// `gather_10k`): the figure is their mean.
    pub reps: usize,
    /// Sleeping tasks of `timers`.
    pub sleeps: usize,
    /// The longest sleep of `timers` (the sleeps are spread over `0..max_sleep`).
    pub max_sleep: Duration,
    /// `wait_for`s of `timer_churn`.
    pub churn: usize,
    /// Tasks of `gather_10k`.
    pub gather: usize,
    /// Connections of `tcp_echo`.
    pub connections: usize,
    /// Round trips per connection of `tcp_echo`.
    pub round_trips: usize,
    /// Producers of `queue_mpsc`.
    pub producers: usize,
    /// Items per producer of `queue_mpsc`.
    pub per_producer: usize,
    /// The bound of the queue of `queue_mpsc`.
    pub capacity: usize,
    /// Tasks of `lock_contended`.
    pub lock_tasks: usize,
    /// Lock/unlock per task of `lock_contended`.
    pub per_task: usize,
    /// Parked tasks of `idle_task_memory`.
    pub idle_tasks: usize,
}

impl Sizes {
    /// The sizes of the performance issue (a full run).
    pub fn full() -> Sizes {
        Sizes {
            spawn_tasks: 100_000,
            callbacks: 1_000_000,
            yield_tasks: 200,
            yields: 1_000,
            pairs: 1_000,
            chain: 1_000,
            reps: 20,
            sleeps: 100_000,
            max_sleep: Duration::from_millis(10),
            churn: 1_000_000,
            gather: 10_000,
            connections: 50,
            round_trips: 2_000,
            producers: 4,
            per_producer: 250_000,
            capacity: 1_024,
            lock_tasks: 64,
            per_task: 2_000,
            idle_tasks: 1_000_000,
        }
    }

    /// A twentieth of the work (`--quick`, CI's smoke run): seconds, not minutes.
    pub fn quick() -> Sizes {
        let full = Sizes::full();
        Sizes {
            spawn_tasks: full.spawn_tasks / 20,
            callbacks: full.callbacks / 20,
            yields: full.yields / 20,
            reps: 2,
            sleeps: full.sleeps / 20,
            churn: full.churn / 20,
            round_trips: full.round_trips / 20,
            per_producer: full.per_producer / 20,
            per_task: full.per_task / 20,
            idle_tasks: full.idle_tasks / 20,
            ..full
        }
    }

    /// Tiny sizes for tests: every benchmark in a few milliseconds.
    pub fn tiny() -> Sizes {
        Sizes {
            spawn_tasks: 200,
            callbacks: 500,
            yield_tasks: 10,
            yields: 10,
            pairs: 10,
            chain: 50,
            reps: 1,
            sleeps: 100,
            max_sleep: Duration::from_millis(2),
            churn: 200,
            gather: 100,
            connections: 4,
            round_trips: 10,
            producers: 4,
            per_producer: 100,
            capacity: 16,
            lock_tasks: 8,
            per_task: 10,
            idle_tasks: 1_000,
        }
    }
}

/// How `idle_task_memory` takes a sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemoryProbe {
    /// In a fresh process: this executable run with `--idle-memory-child` (see
    /// [`memory::child_main`]), which builds the one runtime, measures, and exits without
    /// tearing the tasks down. The suite binary's way: RSS freed by an earlier sample would
    /// otherwise be reused and hide the cost.
    Child(PathBuf),
    /// In this process, on the suite's runtimes: for tests (the parked tasks stay until the
    /// runtimes are dropped, and freed memory may be reused, so the figure is rough).
    InProcess,
}

/// What [`run`] runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Worker threads of the multi-thread runtimes (spindle, tokio-mt, smol).
    pub workers: usize,
    /// The sizes of the benchmarks.
    pub sizes: Sizes,
    /// Measured rounds after the warm-up round.
    pub rounds: usize,
    /// Only the benchmarks whose name contains this.
    pub filter: Option<String>,
    /// Only these benchmarks (after `filter`); all when `None`.
    pub only: Option<Vec<Bench>>,
    /// How `idle_task_memory` is measured.
    pub memory: MemoryProbe,
    /// A sample that runs longer than this ends the process (a hang, not a slow runtime).
    pub hang_limit: Duration,
}

impl Config {
    /// Every benchmark at `sizes`, `rounds` rounds, `workers` workers, memory in-process.
    pub fn new(workers: usize, sizes: Sizes, rounds: usize) -> Config {
        Config {
            workers,
            sizes,
            rounds,
            filter: None,
            only: None,
            memory: MemoryProbe::InProcess,
            hang_limit: Duration::from_secs(120),
        }
    }

    /// The benchmarks this configuration selects, in the suite's order.
    pub fn benches(&self) -> Vec<Bench> {
        Bench::ALL
            .into_iter()
            .filter(|b| {
                self.filter
                    .as_ref()
                    .is_none_or(|f| b.name().contains(f.as_str()))
            })
            .filter(|b| self.only.as_ref().is_none_or(|only| only.contains(b)))
            .collect()
    }
}

/// One sample of a benchmark, as a [`Measure`] (generic over the runtime).
#[derive(Debug, Clone, Copy)]
struct Sample<'a> {
    bench: Bench,
    sizes: &'a Sizes,
}

impl Measure for Sample<'_> {
    fn on<R: Runtime>(&self, rt: &R) -> f64
    where
        R::Spawner: Peer,
    {
        let s = self.sizes;
        match self.bench {
            Bench::SpawnManyLocal => scheduling::spawn_many_local(rt, s.spawn_tasks),
            Bench::SpawnManyRemote => scheduling::spawn_many_remote(rt, s.spawn_tasks),
            Bench::CallSoon => callbacks::call_soon(rt, s.callbacks),
            Bench::CallSoonThreadsafe => callbacks::call_soon_threadsafe(rt, s.callbacks),
            Bench::YieldMany => scheduling::yield_many(rt, s.yield_tasks, s.yields),
            Bench::PingPong => scheduling::ping_pong(rt, s.pairs, s.reps),
            Bench::ChainedSpawn => scheduling::chained_spawn(rt, s.chain, s.reps),
            Bench::Timers => timers::timers(rt, s.sleeps, s.max_sleep),
            Bench::TimerChurn => timers::timer_churn(rt, s.churn),
            Bench::Gather10k => callbacks::gather(rt, s.gather, s.reps),
            Bench::TcpEcho => net::tcp_echo(rt, s.connections, s.round_trips),
            Bench::QueueMpsc => sync::queue_mpsc(rt, s.producers, s.per_producer, s.capacity),
            Bench::LockContended => sync::lock_contended(rt, s.lock_tasks, s.per_task),
            Bench::IdleTaskMemory => memory::idle_task_memory(rt, s.idle_tasks),
        }
    }
}

/// The order of the runtimes in round `round`: [`Flavour::ALL`] rotated by `round`, so that
/// each goes first in turn.
pub fn rotation(round: usize) -> [Flavour; 5] {
    let mut order = Flavour::ALL;
    order.rotate_left(round % Flavour::ALL.len());
    order
}

/// Runs the selected benchmarks: for each, a warm-up round (one sample per runtime,
/// discarded), then `rounds` rounds of one sample per runtime in [`rotation`] order. With
/// `progress`, a line per benchmark and a dot per round go to standard error.
///
/// # Panics
/// If a benchmark finds a wrong result (a lost item, a lost increment), or a child process of
/// `idle_task_memory` fails.
pub fn run(config: &Config, progress: bool) -> Report {
    let runtimes = SuiteRuntimes::new(config.workers);
    let watchdog = Watchdog::start(config.hang_limit);
    let mut report = Report::new(config);
    for bench in config.benches() {
        if progress {
            eprint!("running {:<22}", bench.name());
        }
        let mut row = Row::new(bench, bench.describe(&config.sizes));
        for round in 0..=config.rounds {
            for flavour in rotation(round) {
                let label = format!(
                    "{} on {} (round {round} of {}, 0 = warm-up)",
                    bench.name(),
                    flavour.name(),
                    config.rounds
                );
                let value = watchdog.time(label, || sample(config, &runtimes, bench, flavour));
                if round > 0 {
                    row.push(flavour, value);
                }
            }
            if progress {
                eprint!(".");
            }
        }
        if progress {
            eprintln!();
        }
        report.rows.push(row);
    }
    report
}

fn sample(config: &Config, runtimes: &SuiteRuntimes, bench: Bench, flavour: Flavour) -> f64 {
    if let (Bench::IdleTaskMemory, MemoryProbe::Child(exe)) = (bench, &config.memory) {
        return memory::in_child(exe, flavour, config.workers, config.sizes.idle_tasks);
    }
    runtimes.measure(
        flavour,
        &Sample {
            bench,
            sizes: &config.sizes,
        },
    )
}

/// `elapsed` per one of `count` operations, in nanoseconds.
fn nanos_per(elapsed: Duration, count: usize) -> f64 {
    elapsed.as_secs_f64() * 1e9 / count.max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_runtime_goes_first_in_turn() {
        let firsts: Vec<Flavour> = (0..5).map(|r| rotation(r)[0]).collect();
        assert_eq!(firsts, Flavour::ALL.to_vec());
        assert_eq!(rotation(5), Flavour::ALL);
    }

    #[test]
    fn names_round_trip() {
        for flavour in Flavour::ALL {
            assert_eq!(Flavour::from_name(flavour.name()), Some(flavour));
        }
        assert_eq!(Flavour::from_name("nope"), None);
    }
}
