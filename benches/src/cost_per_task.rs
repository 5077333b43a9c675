//! Cost per task against task count: the `cost_per_task` binary (`src/bin/cost_per_task.rs`).
//!
//! One sample at task count N: a task spawns N empty tasks and awaits them all
//! ([`crate::workloads::spawn_many_local`]: spawn, run and join), repeated until at least
//! [`Config::min_tasks`] tasks have run (so that a sample at 1 000 tasks is not a few
//! microseconds of clock noise), timed inside the main future; the figure is nanoseconds per
//! task. Beside it, the CPU time the whole process used during the sample, per task (every
//! thread: the workers, their searching and parking, the kernel's page faults): on a machine
//! shared with other work, wall time also counts the moments the runtime's threads were
//! waiting for a core, CPU time does not. With it, from `getrusage`: the kernel's part of that
//! CPU time and the minor page faults per 1 000 tasks (each the first touch of a fresh page:
//! memory the allocator got from, or gave back to, the kernel since the last burst). The
//! counts go from 1 000 to 1 000 000 ([`COUNTS`]), on the suite's five runtimes
//! ([`Flavour`]).
//!
//! The rounds interleave everything: each round takes one sample of every count on every
//! runtime, the counts ascending in even rounds and descending in odd ones, the runtimes in
//! [`rotation`] order (shifted by the count's index, so that no runtime always follows the
//! same one). Round 0 warms up and is discarded. A noisy moment of the machine then falls on
//! all counts and runtimes alike, rather than on the one count that happened to run then:
//! what matters here is the *shape* of each runtime's curve.
//!
//! Optionally, for each count from [`MEMORY_FROM`] on and each runtime, the resident memory
//! per *parked* task ([`memory::idle_task_memory`] with N tasks, in a fresh process per
//! sample): what N live tasks cost in bytes.
//!
//! [`Report`] gives the table, the flatness of each curve ([`Flatness`]: the highest median
//! over the lowest, 1.5 at most for the performance issue's "flat" cost), the JSON and the SVG
//! plot ([`crate::svg`]).
//!
//! ```
//! use spindle_benches::cost_per_task::{run, Config};
//!
//! let config = Config {
//!     counts: vec![100, 300],
//!     min_tasks: 300,
//!     ..Config::quick(2)
//! };
//! let report = run(&config, false);
//! assert_eq!(report.points.len(), 2);
//! assert!(report.to_svg().contains("<polyline"));
//! ```

use crate::harness::{align, Watchdog};
use crate::runtimes::{SmolRuntime, SpindleRuntime, TokioRuntime};
use crate::suite::memory;
use crate::suite::report::{format_value, median, number, string, Run};
use crate::suite::runtimes::{SpindleCtRuntime, TokioCtRuntime};
use crate::suite::{rotation, Flavour, Measure, MemoryProbe, Peer, SuiteRuntimes};
use crate::svg::{self, Chart, Guide, Marker, Scale, Series, Style};
use crate::{Runtime, Workload};
use std::fmt::Write as _;
use std::time::Duration;

/// The task counts of a full run: 1k to 1M, three points a decade.
pub const COUNTS: [usize; 7] = [1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000];

/// The least task count whose memory per parked task is measured. Below it the figure says
/// more about the allocator than about the runtime: the memory freed by the probe's warm-up
/// (1 000 tasks spawned and joined) and the allocator's spare room absorb much of the growth
/// (a trial run gave tokio-ct 25 B per task at 1 000 tasks and 318 B at 30 000).
pub const MEMORY_FROM: usize = 10_000;

/// The largest ratio of highest to lowest cost per task that the performance issue calls flat.
pub const FLAT_WITHIN: f64 = 1.5;

/// What [`run`] measures.
#[derive(Debug, Clone)]
pub struct Config {
    /// Worker threads of the multi-thread runtimes (spindle, tokio-mt, smol).
    pub workers: usize,
    /// The task counts, in increasing order.
    pub counts: Vec<usize>,
    /// Measured rounds, after one warm-up round.
    pub rounds: usize,
    /// A sample repeats the workload until at least this many tasks have run.
    pub min_tasks: usize,
    /// The runtimes, in [`Flavour::ALL`]'s order.
    pub flavours: Vec<Flavour>,
    /// How to measure memory per parked task; not at all when `None`.
    pub memory: Option<MemoryProbe>,
    /// Samples of memory per count and runtime (their median is reported).
    pub memory_samples: usize,
    /// A sample that runs longer than this ends the process (a hang, not a slow runtime).
    pub hang_limit: Duration,
}

impl Config {
    /// A full run: [`COUNTS`], 9 rounds, at least 200 000 tasks a sample, every runtime,
    /// memory in-process (the binary measures it in child processes).
    pub fn full(workers: usize) -> Config {
        Config {
            workers,
            counts: COUNTS.to_vec(),
            rounds: 9,
            min_tasks: 200_000,
            flavours: Flavour::ALL.to_vec(),
            memory: Some(MemoryProbe::InProcess),
            memory_samples: 3,
            hang_limit: Duration::from_secs(120),
        }
    }

    /// A smoke test (`--quick`): 1k to 30k tasks, 1 round, at least 10 000 tasks a sample, one
    /// memory sample.
    pub fn quick(workers: usize) -> Config {
        Config {
            counts: vec![1_000, 3_000, 10_000, 30_000],
            rounds: 1,
            min_tasks: 10_000,
            memory_samples: 1,
            ..Config::full(workers)
        }
    }
}

/// Iterations of the workload in one sample at `tasks` tasks: enough for `min_tasks` tasks.
pub fn reps(tasks: usize, min_tasks: usize) -> usize {
    min_tasks.div_ceil(tasks.max(1)).max(1)
}

/// Everything measured at one task count.
#[derive(Debug, Clone)]
pub struct Point {
    /// The task count N.
    pub tasks: usize,
    /// Iterations of the workload per sample.
    pub reps: usize,
    /// Nanoseconds per task, every sample of each runtime (in [`Flavour::ALL`]'s order).
    pub ns: [Vec<f64>; 5],
    /// CPU nanoseconds of the whole process per task, every sample of each runtime (none
    /// where the process' CPU clock cannot be read).
    pub cpu_ns: [Vec<f64>; 5],
    /// Of those, the nanoseconds in the kernel (system time: page faults, futexes, ...).
    pub sys_ns: [Vec<f64>; 5],
    /// Minor page faults of the process per 1 000 tasks (a first touch of a fresh page).
    pub faults: [Vec<f64>; 5],
    /// Bytes of resident memory per parked task, every sample of each runtime (none below
    /// [`MEMORY_FROM`] tasks).
    pub bytes: [Vec<f64>; 5],
}

impl Point {
    /// The median nanoseconds per task of `flavour` (NaN without samples).
    pub fn ns_median(&self, flavour: Flavour) -> f64 {
        median(&self.ns[flavour.index()])
    }

    /// Half the range of `flavour`'s samples over their median, in percent.
    pub fn ns_spread(&self, flavour: Flavour) -> f64 {
        let samples = &self.ns[flavour.index()];
        let max = samples.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let min = samples.iter().copied().fold(f64::INFINITY, f64::min);
        (max - min) / 2.0 / self.ns_median(flavour) * 100.0
    }

    /// The median CPU nanoseconds per task of `flavour` (NaN without samples).
    pub fn cpu_median(&self, flavour: Flavour) -> f64 {
        median(&self.cpu_ns[flavour.index()])
    }

    /// The median system CPU nanoseconds per task of `flavour` (NaN without samples).
    pub fn sys_median(&self, flavour: Flavour) -> f64 {
        median(&self.sys_ns[flavour.index()])
    }

    /// The median minor page faults per 1 000 tasks of `flavour` (NaN without samples).
    pub fn faults_median(&self, flavour: Flavour) -> f64 {
        median(&self.faults[flavour.index()])
    }

    /// The median bytes per parked task of `flavour` (NaN without samples).
    pub fn bytes_median(&self, flavour: Flavour) -> f64 {
        median(&self.bytes[flavour.index()])
    }
}

/// How flat one runtime's curve is: its lowest and highest median cost per task.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Flatness {
    /// The lowest median, ns per task.
    pub min: f64,
    /// The task count of the lowest.
    pub min_at: usize,
    /// The highest median, ns per task.
    pub max: f64,
    /// The task count of the highest.
    pub max_at: usize,
}

impl Flatness {
    /// `max / min`: 1 for a flat curve.
    pub fn ratio(&self) -> f64 {
        self.max / self.min
    }

    /// `true` when the ratio is within [`FLAT_WITHIN`].
    pub fn is_flat(&self) -> bool {
        self.ratio() <= FLAT_WITHIN
    }
}

/// Every sample of a run, and how it ran.
#[derive(Debug, Clone)]
pub struct Report {
    /// How the run ran.
    pub run: Run,
    /// The least number of tasks a sample runs.
    pub min_tasks: usize,
    /// The runtimes measured.
    pub flavours: Vec<Flavour>,
    /// One point per task count, in increasing order.
    pub points: Vec<Point>,
}

/// One sample: `reps` iterations of `spawn_many_local` at `tasks` tasks, as a [`Measure`].
struct SpawnMany {
    tasks: usize,
    reps: usize,
}

impl Measure for SpawnMany {
    fn on<R: Runtime>(&self, rt: &R) -> f64
    where
        R::Spawner: Peer,
    {
        let mean = Workload::SpawnManyLocal { tasks: self.tasks }.run(rt, self.reps);
        mean.as_secs_f64() * 1e9 / self.tasks.max(1) as f64
    }
}

/// Runs `config`: the interleaved rounds of timing samples, then the memory samples. With
/// `progress`, what runs goes to standard error (a dot per sample).
///
/// # Panics
/// If a child process of the memory samples fails.
pub fn run(config: &Config, progress: bool) -> Report {
    let runtimes = SuiteRuntimes::new(config.workers);
    let watchdog = Watchdog::start(config.hang_limit);
    let mut points: Vec<Point> = config
        .counts
        .iter()
        .map(|&tasks| Point {
            tasks,
            reps: reps(tasks, config.min_tasks),
            ns: Default::default(),
            cpu_ns: Default::default(),
            sys_ns: Default::default(),
            faults: Default::default(),
            bytes: Default::default(),
        })
        .collect();
    for round in 0..=config.rounds {
        if progress {
            eprint!(
                "round {round}/{}{} ",
                config.rounds,
                if round == 0 { " (warm-up)" } else { "" }
            );
        }
        let mut order: Vec<usize> = (0..points.len()).collect();
        if round % 2 == 1 {
            order.reverse();
        }
        for i in order {
            let point = &mut points[i];
            for flavour in rotation(round + i) {
                if !config.flavours.contains(&flavour) {
                    continue;
                }
                let label = format!(
                    "spawn_many_local at {} tasks x{} on {} (round {round} of {}, 0 = warm-up)",
                    point.tasks,
                    point.reps,
                    flavour.name(),
                    config.rounds
                );
                let measure = SpawnMany {
                    tasks: point.tasks,
                    reps: point.reps,
                };
                let (cpu_before, usage_before) = (process_cpu_time(), Usage::now());
                let value = watchdog.time(label, || runtimes.measure(flavour, &measure));
                let cpu = process_cpu_time()
                    .zip(cpu_before)
                    .map(|(after, before)| after.saturating_sub(before));
                let usage = Usage::now()
                    .zip(usage_before)
                    .map(|(after, before)| after.since(&before));
                if round > 0 {
                    let i = flavour.index();
                    let tasks = (point.tasks * point.reps).max(1) as f64;
                    point.ns[i].push(value);
                    if let Some(cpu) = cpu {
                        point.cpu_ns[i].push(cpu.as_secs_f64() * 1e9 / tasks);
                    }
                    if let Some(usage) = usage {
                        point.sys_ns[i].push(usage.system.as_secs_f64() * 1e9 / tasks);
                        point.faults[i].push(usage.minor_faults as f64 * 1e3 / tasks);
                    }
                }
            }
            if progress {
                eprint!(".");
            }
        }
        if progress {
            eprintln!();
        }
    }
    drop(runtimes);
    if let Some(probe) = &config.memory {
        if progress {
            eprint!("memory per parked task ");
        }
        for point in points.iter_mut().filter(|p| p.tasks >= MEMORY_FROM) {
            for &flavour in &config.flavours {
                for _ in 0..config.memory_samples {
                    let label = format!(
                        "memory of {} parked tasks on {}",
                        point.tasks,
                        flavour.name()
                    );
                    let bytes = watchdog.time(label, || {
                        memory_sample(probe, flavour, config.workers, point.tasks)
                    });
                    point.bytes[flavour.index()].push(bytes);
                }
            }
            if progress {
                eprint!(".");
            }
        }
        if progress {
            eprintln!();
        }
    }
    Report {
        run: Run::new(config.workers, config.rounds),
        min_tasks: config.min_tasks,
        flavours: config.flavours.clone(),
        points,
    }
}

/// The CPU time this process has used so far, all threads together
/// (`CLOCK_PROCESS_CPUTIME_ID`).
#[cfg(unix)]
fn process_cpu_time() -> Option<Duration> {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec for the duration of the call.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut now) };
    (rc == 0).then(|| Duration::new(now.tv_sec as u64, now.tv_nsec as u32))
}

/// The CPU time of this process: not known here.
#[cfg(not(unix))]
fn process_cpu_time() -> Option<Duration> {
    None
}

/// What `getrusage` says of this process: system CPU time and minor page faults.
#[derive(Debug, Clone, Copy)]
struct Usage {
    system: Duration,
    minor_faults: u64,
}

impl Usage {
    /// The process' usage so far, all threads together (`getrusage(RUSAGE_SELF)`).
    #[cfg(unix)]
    fn now() -> Option<Usage> {
        // SAFETY: `rusage` is plain data; all zeros is a valid value.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `usage` is a valid, writable rusage for the duration of the call.
        let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
        (rc == 0).then(|| Usage {
            system: Duration::new(
                usage.ru_stime.tv_sec as u64,
                usage.ru_stime.tv_usec as u32 * 1_000,
            ),
            minor_faults: usage.ru_minflt as u64,
        })
    }

    /// Not known here.
    #[cfg(not(unix))]
    fn now() -> Option<Usage> {
        None
    }

    /// The usage between `before` and `self`.
    fn since(&self, before: &Usage) -> Usage {
        Usage {
            system: self.system.saturating_sub(before.system),
            minor_faults: self.minor_faults.saturating_sub(before.minor_faults),
        }
    }
}

/// One memory sample: bytes per parked task with `tasks` tasks on a runtime of its own.
fn memory_sample(probe: &MemoryProbe, flavour: Flavour, workers: usize, tasks: usize) -> f64 {
    match probe {
        MemoryProbe::Child(exe) => memory::in_child(exe, flavour, workers, tasks),
        // A fresh runtime, dropped with its parked tasks: the timing samples never share a
        // runtime with them.
        MemoryProbe::InProcess => match flavour {
            Flavour::Spindle => memory::idle_task_memory(&SpindleRuntime::new(workers), tasks),
            Flavour::SpindleCt => memory::idle_task_memory(&SpindleCtRuntime::new(), tasks),
            Flavour::TokioMt => memory::idle_task_memory(&TokioRuntime::new(workers), tasks),
            Flavour::TokioCt => memory::idle_task_memory(&TokioCtRuntime::new(), tasks),
            Flavour::Smol => memory::idle_task_memory(&SmolRuntime::new(workers), tasks),
        },
    }
}

/// The colour, dashes and marker of each runtime in the plot: one colour per runtime family,
/// dashed for the current-thread flavour.
pub fn style(flavour: Flavour) -> Style {
    match flavour {
        Flavour::Spindle => Style {
            colour: "#1f5fbf",
            dashed: false,
            marker: Marker::Circle,
        },
        Flavour::SpindleCt => Style {
            colour: "#1f5fbf",
            dashed: true,
            marker: Marker::Ring,
        },
        Flavour::TokioMt => Style {
            colour: "#e0701a",
            dashed: false,
            marker: Marker::Square,
        },
        Flavour::TokioCt => Style {
            colour: "#e0701a",
            dashed: true,
            marker: Marker::Diamond,
        },
        Flavour::Smol => Style {
            colour: "#2a9d3a",
            dashed: false,
            marker: Marker::Triangle,
        },
    }
}

impl Report {
    /// `flavour`'s lowest and highest median (wall time) over the counts, if it has any.
    pub fn flatness(&self, flavour: Flavour) -> Option<Flatness> {
        self.flatness_of(flavour, Point::ns_median)
    }

    /// The same for the CPU time per task.
    pub fn cpu_flatness(&self, flavour: Flavour) -> Option<Flatness> {
        self.flatness_of(flavour, Point::cpu_median)
    }

    fn flatness_of(&self, flavour: Flavour, value: fn(&Point, Flavour) -> f64) -> Option<Flatness> {
        let medians: Vec<(usize, f64)> = self
            .points
            .iter()
            .map(|p| (p.tasks, value(p, flavour)))
            .filter(|(_, m)| m.is_finite() && *m > 0.0)
            .collect();
        let (min_at, min) = *medians.iter().min_by(|a, b| a.1.total_cmp(&b.1))?;
        let (max_at, max) = *medians.iter().max_by(|a, b| a.1.total_cmp(&b.1))?;
        Some(Flatness {
            min,
            min_at,
            max,
            max_at,
        })
    }

    /// `true` when memory was measured.
    pub fn has_memory(&self) -> bool {
        self.points
            .iter()
            .any(|p| p.bytes.iter().any(|b| !b.is_empty()))
    }

    /// The table of ns per task: a line per task count, each runtime's median and spread.
    pub fn render(&self) -> String {
        let mut header = vec!["tasks".to_owned(), "reps".to_owned()];
        header.extend(self.flavours.iter().map(|f| f.name().to_owned()));
        let mut lines = vec![header];
        for point in &self.points {
            let mut line = vec![point.tasks.to_string(), format!("x{}", point.reps)];
            line.extend(self.flavours.iter().map(|f| {
                let spread = point.ns_spread(*f);
                let spread = if spread.is_finite() {
                    format!("±{spread:.0}%")
                } else {
                    "±?".to_owned()
                };
                format!("{} {spread:>4}", format_value(point.ns_median(*f)))
            }));
            lines.push(line);
        }
        align(&lines, 0)
    }

    /// The table of CPU ns per task (the whole process): a line per task count, each
    /// runtime's median, then in brackets the median of its kernel part (system time).
    pub fn render_cpu(&self) -> String {
        self.render_per_point(|p, f| {
            format!(
                "{} ({})",
                format_value(p.cpu_median(f)),
                format_value(p.sys_median(f))
            )
        })
    }

    /// The table of minor page faults per 1 000 tasks: a line per task count, each runtime's
    /// median.
    pub fn render_faults(&self) -> String {
        self.render_per_point(|p, f| format_value(p.faults_median(f)))
    }

    /// A table with a line per task count and a column per runtime, `cell` writing each cell.
    fn render_per_point(&self, cell: impl Fn(&Point, Flavour) -> String) -> String {
        let mut header = vec!["tasks".to_owned()];
        header.extend(self.flavours.iter().map(|f| f.name().to_owned()));
        let mut lines = vec![header];
        for point in &self.points {
            let mut line = vec![point.tasks.to_string()];
            line.extend(self.flavours.iter().map(|f| cell(point, *f)));
            lines.push(line);
        }
        align(&lines, 0)
    }

    /// The table of bytes per parked task: a line per task count measured, each runtime's
    /// median.
    pub fn render_memory(&self) -> String {
        let mut header = vec!["tasks".to_owned()];
        header.extend(self.flavours.iter().map(|f| f.name().to_owned()));
        let mut lines = vec![header];
        for point in self
            .points
            .iter()
            .filter(|p| p.bytes.iter().any(|b| !b.is_empty()))
        {
            let mut line = vec![point.tasks.to_string()];
            line.extend(
                self.flavours
                    .iter()
                    .map(|f| format_value(point.bytes_median(*f))),
            );
            lines.push(line);
        }
        align(&lines, 0)
    }

    /// A line per runtime: its lowest and highest median (wall time), where, their ratio,
    /// whether it is within [`FLAT_WITHIN`], and the same ratio for CPU time.
    pub fn render_flatness(&self) -> String {
        let mut lines = vec![[
            "runtime",
            "lowest",
            "at",
            "highest",
            "at",
            "max/min",
            "flat",
            "cpu max/min",
        ]
        .map(str::to_owned)
        .to_vec()];
        for &flavour in &self.flavours {
            let Some(f) = self.flatness(flavour) else {
                continue;
            };
            lines.push(vec![
                flavour.name().to_owned(),
                format_value(f.min),
                svg::si(f.min_at as f64),
                format_value(f.max),
                svg::si(f.max_at as f64),
                format!("{:.2}", f.ratio()),
                if f.is_flat() { "yes" } else { "NO" }.to_owned(),
                self.cpu_flatness(flavour)
                    .map_or("n/a".to_owned(), |c| format!("{:.2}", c.ratio())),
            ]);
        }
        align(&lines, 1)
    }

    /// Every sample as JSON: `{"points": [{"tasks", "reps", "ns_per_task": {runtime: median},
    /// "spread_pct", "samples", "bytes_per_parked_task"}], "flatness": {runtime: max/min}}`,
    /// with the run's settings at the top.
    pub fn to_json(&self) -> String {
        let per_flavour = |value: &dyn Fn(Flavour) -> String| {
            let fields: Vec<String> = self
                .flavours
                .iter()
                .map(|f| format!("{}: {}", string(f.name()), value(*f)))
                .collect();
            format!("{{{}}}", fields.join(", "))
        };
        let list = |values: &[f64]| {
            let values: Vec<String> = values.iter().map(|v| number(*v)).collect();
            format!("[{}]", values.join(", "))
        };
        let mut out = String::from("{\n");
        let _ = writeln!(
            out,
            "  \"workload\": {},",
            string("a task spawns N empty tasks and awaits them all (spawn_many_local)")
        );
        self.run.write_json(&mut out);
        let _ = writeln!(out, "  \"min_tasks_per_sample\": {},", self.min_tasks);
        let _ = writeln!(
            out,
            "  \"flatness\": {},",
            per_flavour(&|f| self
                .flatness(f)
                .map_or("null".to_owned(), |x| number(x.ratio())))
        );
        let _ = writeln!(
            out,
            "  \"cpu_flatness\": {},",
            per_flavour(&|f| self
                .cpu_flatness(f)
                .map_or("null".to_owned(), |x| number(x.ratio())))
        );
        let _ = writeln!(
            out,
            "  \"flatness_meaning\": {},",
            string("highest median ns/task over the lowest, across the task counts: 1.5 at most is flat")
        );
        out.push_str("  \"points\": [");
        for (i, point) in self.points.iter().enumerate() {
            out.push_str(if i == 0 { "\n" } else { ",\n" });
            let _ = write!(
                out,
                "    {{\"tasks\": {}, \"reps\": {},\n     \"ns_per_task\": {},\n     \"spread_pct\": {},\n     \"cpu_ns_per_task\": {},\n     \"sys_ns_per_task\": {},\n     \"faults_per_1000_tasks\": {},\n     \"bytes_per_parked_task\": {},\n     \"samples\": {},\n     \"cpu_samples\": {},\n     \"bytes_samples\": {}}}",
                point.tasks,
                point.reps,
                per_flavour(&|f| number(point.ns_median(f))),
                per_flavour(&|f| number(point.ns_spread(f))),
                per_flavour(&|f| number(point.cpu_median(f))),
                per_flavour(&|f| number(point.sys_median(f))),
                per_flavour(&|f| number(point.faults_median(f))),
                per_flavour(&|f| number(point.bytes_median(f))),
                per_flavour(&|f| list(&point.ns[f.index()])),
                per_flavour(&|f| list(&point.cpu_ns[f.index()])),
                per_flavour(&|f| list(&point.bytes[f.index()])),
            );
        }
        out.push_str("\n  ]\n}\n");
        out
    }

    /// The plot: ns per task against the task count (log scale), a line per runtime, with a
    /// guide at 1.5 times spindle's lowest; under it the CPU time per task, the same way;
    /// under that, when measured, bytes per parked task.
    pub fn to_svg(&self) -> String {
        let settings = format!(
            "median of {} round(s); {} worker(s) for the multi-thread runtimes, {} core(s); legend: highest/lowest",
            self.run.rounds, self.run.workers, self.run.cores
        );
        let series = |value: fn(&Point, Flavour) -> f64, flat: bool| -> Vec<Series> {
            self.flavours
                .iter()
                .map(|&f| Series {
                    name: match (flat, self.flatness_of(f, value)) {
                        (true, Some(x)) => format!("{}  ({:.2}x)", f.name(), x.ratio()),
                        _ => f.name().to_owned(),
                    },
                    points: self
                        .points
                        .iter()
                        .map(|p| (p.tasks as f64, value(p, f)))
                        .collect(),
                    style: style(f),
                })
                .collect()
        };
        let mut cost = Chart {
            subtitle: Some(settings),
            series: series(Point::ns_median, true),
            ..Chart::new(
                "Cost per task: a task spawns N tasks and awaits them all",
                "tasks spawned (N, log scale)",
                "ns per task (spawn + run + join)",
                Scale::Log10,
            )
        };
        if let Some(spindle) = self.flatness(Flavour::Spindle) {
            cost.guides.push(Guide {
                y: spindle.min * FLAT_WITHIN,
                label: format!("{FLAT_WITHIN} x spindle's lowest"),
                colour: style(Flavour::Spindle).colour,
            });
        }
        let mut charts = vec![cost];
        if self
            .points
            .iter()
            .any(|p| p.cpu_ns.iter().any(|c| !c.is_empty()))
        {
            let mut cpu = Chart {
                subtitle: Some(
                    "CPU time of the whole process during a sample (every thread), per task: what the runtime spent, waiting for a core not counted"
                        .to_owned(),
                ),
                series: series(Point::cpu_median, true),
                ..Chart::new(
                    "CPU time per task, the same samples",
                    "tasks spawned (N, log scale)",
                    "CPU ns per task",
                    Scale::Log10,
                )
            };
            if let Some(spindle) = self.cpu_flatness(Flavour::Spindle) {
                cpu.guides.push(Guide {
                    y: spindle.min * FLAT_WITHIN,
                    label: format!("{FLAT_WITHIN} x spindle's lowest"),
                    colour: style(Flavour::Spindle).colour,
                });
            }
            charts.push(cpu);
        }
        if self.has_memory() {
            charts.push(Chart {
                subtitle: Some(
                    "RSS growth with N tasks parked on pending(), a fresh process per sample; from 10k tasks (below, the allocator's slack dominates)"
                        .to_owned(),
                ),
                series: series(Point::bytes_median, false),
                ..Chart::new(
                    "Memory per live task",
                    "tasks parked (N, log scale)",
                    "bytes per task",
                    Scale::Log10,
                )
            });
        }
        svg::render(&charts, 960)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(tasks: usize, spindle: f64) -> Point {
        let mut ns: [Vec<f64>; 5] = Default::default();
        ns[0] = vec![spindle * 0.9, spindle, spindle * 1.1];
        ns[2] = vec![100.0];
        Point {
            tasks,
            reps: 1,
            cpu_ns: ns.clone(),
            sys_ns: Default::default(),
            faults: Default::default(),
            ns,
            bytes: Default::default(),
        }
    }

    #[test]
    fn repetitions_cover_the_minimum() {
        assert_eq!(reps(1_000, 200_000), 200);
        assert_eq!(reps(300_000, 200_000), 1);
        assert_eq!(reps(30_000, 200_000), 7);
        assert_eq!(reps(0, 10), 10);
    }

    #[test]
    fn flatness_is_highest_over_lowest() {
        let report = Report {
            run: Run {
                workers: 2,
                cores: 2,
                rounds: 3,
                command: None,
                total_seconds: None,
            },
            min_tasks: 1,
            flavours: vec![Flavour::Spindle, Flavour::TokioMt],
            points: vec![point(1_000, 200.0), point(1_000_000, 400.0)],
        };
        let flat = report.flatness(Flavour::Spindle).unwrap();
        assert_eq!((flat.min_at, flat.max_at), (1_000, 1_000_000));
        assert!((flat.ratio() - 2.0).abs() < 1e-9);
        assert!(!flat.is_flat());
        assert!(report.flatness(Flavour::TokioMt).unwrap().is_flat());
        assert_eq!(report.flatness(Flavour::Smol), None);
        let text = report.render_flatness();
        let line = text.lines().nth(1).unwrap();
        assert!(line.starts_with("spindle ") && line.contains(" 2.00 ") && line.contains(" NO "));
        assert!(line.ends_with("2.00"), "the CPU ratio: {line}");
        assert!(report
            .to_json()
            .contains("\"flatness\": {\"spindle\": 2, \"tokio-mt\": 1}"));
        let svg = report.to_svg();
        assert_eq!(
            svg.matches("<polyline").count(),
            4,
            "cost and CPU time, two runtimes each"
        );
        assert!(svg.contains("spindle  (2.00x)"));
        assert!(!report.has_memory() && !svg.contains("Memory per live task"));
    }
}
