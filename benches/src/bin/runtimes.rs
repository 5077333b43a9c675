//! `runtimes`: spindle, tokio and smol side by side on the same workloads, in one run.
//!
//! ```text
//! cargo run --release -p spindle-benches --bin runtimes -- [--workers N] [--filter NAME] [--quick] [--rounds N]
//! ```
//!
//! Each workload runs once per runtime to warm up, then `rounds` times interleaved (spindle,
//! tokio, smol, spindle, tokio, smol, ...), so that a noisy moment of the machine falls on
//! all three alike. The table gives each runtime's median and the ratios `tokio/spindle` and
//! `smol/spindle`: above 1, spindle is faster. See `benches/README.md`.

use spindle_benches::harness::{median, Row, Table, Watchdog};
use spindle_benches::runtimes::{SmolRuntime, SpindleRuntime, TokioRuntime};
use spindle_benches::{Case, Runtime, Workload};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Rounds of a full run: enough for a stable median, few enough for a minute on 2 cores.
const ROUNDS: usize = 15;
/// Rounds of a `--quick` run.
const QUICK_ROUNDS: usize = 3;
/// A sample that runs this long is a hang, not a slow runtime: the largest sample takes well
/// under a second on 2 cores.
const HANG_LIMIT: Duration = Duration::from_secs(30);

const USAGE: &str = "usage: runtimes [--workers N] [--filter NAME] [--quick] [--rounds N]
  --workers N    worker threads of every runtime (default: the number of cores)
  --filter NAME  only the workloads whose name contains NAME
  --quick        a fifth of the iterations per sample, and 3 rounds (a smoke test)
  --rounds N     interleaved rounds per workload (default 15; 3 with --quick)";

struct Args {
    workers: usize,
    filter: Option<String>,
    quick: bool,
    rounds: Option<usize>,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut parsed = Args {
        workers: cores,
        filter: None,
        quick: false,
        rounds: None,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match arg.as_str() {
            "--workers" => parsed.workers = positive(&value("--workers")?)?,
            "--rounds" => parsed.rounds = Some(positive(&value("--rounds")?)?),
            "--filter" => parsed.filter = Some(value("--filter")?),
            "--quick" => parsed.quick = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(parsed)
}

fn positive(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("`{text}` is not a positive number")),
    }
}

/// The three runtimes, alive for the whole run (idle ones park their threads).
struct Runtimes {
    spindle: SpindleRuntime,
    tokio: TokioRuntime,
    smol: SmolRuntime,
}

impl Runtimes {
    const NAMES: [&'static str; 3] = [SpindleRuntime::NAME, TokioRuntime::NAME, SmolRuntime::NAME];

    /// One sample of `case` on the runtime at `index` of [`Runtimes::NAMES`]: the mean time
    /// of one iteration.
    fn sample(&self, index: usize, case: &Case) -> Duration {
        match index {
            0 => case.workload.run(&self.spindle, case.reps),
            1 => case.workload.run(&self.tokio, case.reps),
            _ => case.workload.run(&self.smol, case.reps),
        }
    }
}

fn main() -> ExitCode {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let args = match parse(&raw) {
        Ok(args) => args,
        Err(why) => {
            if !why.is_empty() {
                eprintln!("runtimes: {why}");
            }
            eprintln!("{USAGE}");
            return if why.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            };
        }
    };
    let rounds = args
        .rounds
        .unwrap_or(if args.quick { QUICK_ROUNDS } else { ROUNDS });
    let cases: Vec<Case> = Workload::all(args.quick)
        .into_iter()
        .filter(|c| {
            args.filter
                .as_ref()
                .is_none_or(|f| c.workload.name().contains(f.as_str()))
        })
        .collect();
    if cases.is_empty() {
        eprintln!("runtimes: no workload matches the filter");
        return ExitCode::FAILURE;
    }

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "spindle vs tokio vs smol: {} worker(s) each, {cores} core(s), 1 warm-up + {rounds} interleaved rounds{}",
        args.workers,
        if args.quick { " (--quick sizes)" } else { "" }
    );
    println!("times are per iteration: the mean of the iterations of one sample, then the median of the samples");
    for case in &cases {
        println!(
            "  {:<18} {:<32} {} iterations per sample",
            case.workload.name(),
            case.workload.sizes(),
            case.reps
        );
    }
    println!();

    let runtimes = Runtimes {
        spindle: SpindleRuntime::new(args.workers),
        tokio: TokioRuntime::new(args.workers),
        smol: SmolRuntime::new(args.workers),
    };
    let watchdog = Watchdog::start(HANG_LIMIT);
    let started = Instant::now();
    let mut table = Table::new(Runtimes::NAMES.to_vec());
    for case in &cases {
        let workload = &case.workload;
        eprint!("running {:<18}", workload.name());
        let mut samples = vec![Vec::with_capacity(rounds); Runtimes::NAMES.len()];
        for round in 0..=rounds {
            for (index, name) in Runtimes::NAMES.iter().enumerate() {
                let label = format!(
                    "{} on {name} (round {round} of {rounds}, 0 = warm-up)",
                    workload.name()
                );
                let elapsed = watchdog.time(label, || runtimes.sample(index, case));
                if round > 0 {
                    samples[index].push(elapsed);
                }
            }
            eprint!(".");
        }
        eprintln!();
        let medians = samples.iter().map(|s| median(s)).collect();
        table.rows.push(Row {
            workload: workload.name().to_owned(),
            sizes: workload.sizes(),
            medians,
        });
    }
    drop(runtimes);

    print!("{}", table.render());
    println!();
    println!("ratios above 1: spindle is faster; compare ratios within one run only");
    println!("total {:.1} s", started.elapsed().as_secs_f64());
    println!(
        "command: cargo run --release -p spindle-benches --bin runtimes --{}",
        raw.iter().map(|a| format!(" {a}")).collect::<String>()
    );
    ExitCode::SUCCESS
}
