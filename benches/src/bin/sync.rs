//! `sync`: spindle's synchronisation primitives against tokio's and smol's, in one run.
//!
//! ```text
//! cargo run --release -p spindle-benches --bin sync -- [--workers N] [--filter NAME] [--quick] [--rounds N]
//! ```
//!
//! Each workload runs once per contender to warm up, then `rounds` times interleaved: spindle's
//! primitive on spindle, tokio's on tokio, smol's on smol, smol's on spindle, and again. The
//! table has one line per contender with its median and its ratio to the first line
//! (spindle's primitive on spindle): above 1, spindle's is faster. See `benches/README.md`.

use spindle_benches::harness::{
    command_line, interleave, median, Args, Comparison, Entry, Group, Watchdog,
};
use spindle_benches::primitives::{Contender, SyncCase, SyncWorkload};
use spindle_benches::runtimes::Runtimes;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Rounds of a full run: enough for a stable median, few enough for a minute on 2 cores.
const ROUNDS: usize = 15;
/// Rounds of a `--quick` run.
const QUICK_ROUNDS: usize = 3;
/// A sample that runs this long is a hang (a lost wake-up), not a slow primitive.
const HANG_LIMIT: Duration = Duration::from_secs(30);

const USAGE: &str = "usage: sync [--workers N] [--filter NAME] [--quick] [--rounds N]
  --workers N    worker threads of every runtime (default: the number of cores)
  --filter NAME  only the workloads whose name contains NAME
  --quick        a fifth of the iterations per sample, and 3 rounds (a smoke test)
  --rounds N     interleaved rounds per workload (default 15; 3 with --quick)";

fn main() -> ExitCode {
    let (args, raw) = match Args::from_env("sync", USAGE) {
        Ok(parsed) => parsed,
        Err(code) => return code,
    };
    let rounds = args
        .rounds
        .unwrap_or(if args.quick { QUICK_ROUNDS } else { ROUNDS });
    let cases: Vec<SyncCase> = SyncWorkload::all(args.quick)
        .into_iter()
        .filter(|c| args.selects(c.workload.name()))
        .collect();
    if cases.is_empty() {
        eprintln!("sync: no workload matches the filter");
        return ExitCode::FAILURE;
    }

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "spindle::sync vs tokio::sync vs async-channel/async-lock: {} worker(s) per runtime, {cores} core(s), 1 warm-up + {rounds} interleaved rounds{}",
        args.workers,
        if args.quick { " (--quick sizes)" } else { "" }
    );
    println!("times are per iteration: the mean of the iterations of one sample, then the median of the samples");
    for case in &cases {
        println!(
            "  {:<15} {:<55} {} iterations per sample",
            case.workload.name(),
            case.workload.sizes(),
            case.reps
        );
    }
    println!();

    let runtimes = Runtimes::new(args.workers);
    let watchdog = Watchdog::start(HANG_LIMIT);
    let started = Instant::now();
    let mut comparison = Comparison::default();
    for case in &cases {
        let workload = &case.workload;
        let describe = |contender: Contender| {
            format!(
                "{} on {}",
                workload.primitive(contender.family),
                contender.on.name()
            )
        };
        eprint!("running {:<15}", workload.name());
        let samples = interleave(
            &watchdog,
            Contender::ALL.len(),
            rounds,
            |index, round| {
                format!(
                    "{}: {} (round {round} of {rounds}, 0 = warm-up)",
                    workload.name(),
                    describe(Contender::ALL[index])
                )
            },
            |index| workload.run(Contender::ALL[index], &runtimes, case.reps),
        );
        let entries = Contender::ALL
            .iter()
            .zip(&samples)
            .map(|(contender, samples)| Entry {
                implementation: workload.primitive(contender.family).to_owned(),
                runtime: contender.on.name(),
                median: median(samples),
            })
            .collect();
        comparison.groups.push(Group {
            workload: workload.name().to_owned(),
            sizes: workload.sizes(),
            entries,
        });
    }
    drop(runtimes);

    print!("{}", comparison.render());
    println!();
    println!("ratio = median / the first line's (spindle's primitive on spindle): above 1, spindle's is faster");
    println!("the last line of each workload runs smol's primitive on spindle's loop: only the primitive differs from the first");
    println!("compare ratios within one run only");
    println!("total {:.1} s", started.elapsed().as_secs_f64());
    println!("command: {}", command_line("sync", &raw));
    ExitCode::SUCCESS
}
