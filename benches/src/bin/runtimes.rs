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

use spindle_benches::harness::{command_line, interleave, median, Args, Row, Table, Watchdog};
use spindle_benches::runtimes::Runtimes;
use spindle_benches::{Case, Workload};
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

/// One sample of `case` on the runtime at `index` of [`Runtimes::NAMES`]: the mean time of one
/// iteration.
fn sample(runtimes: &Runtimes, index: usize, case: &Case) -> Duration {
    match index {
        0 => case.workload.run(&runtimes.spindle, case.reps),
        1 => case.workload.run(&runtimes.tokio, case.reps),
        _ => case.workload.run(&runtimes.smol, case.reps),
    }
}

fn main() -> ExitCode {
    let (args, raw) = match Args::from_env("runtimes", USAGE) {
        Ok(parsed) => parsed,
        Err(code) => return code,
    };
    let rounds = args
        .rounds
        .unwrap_or(if args.quick { QUICK_ROUNDS } else { ROUNDS });
    let cases: Vec<Case> = Workload::all(args.quick)
        .into_iter()
        .filter(|c| args.selects(c.workload.name()))
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

    let runtimes = Runtimes::new(args.workers);
    let watchdog = Watchdog::start(HANG_LIMIT);
    let started = Instant::now();
    let mut table = Table::new(Runtimes::NAMES.to_vec());
    for case in &cases {
        let workload = &case.workload;
        eprint!("running {:<18}", workload.name());
        let samples = interleave(
            &watchdog,
            Runtimes::NAMES.len(),
            rounds,
            |index, round| {
                format!(
                    "{} on {} (round {round} of {rounds}, 0 = warm-up)",
                    workload.name(),
                    Runtimes::NAMES[index]
                )
            },
            |index| sample(&runtimes, index, case),
        );
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
    println!("command: {}", command_line("runtimes", &raw));
    ExitCode::SUCCESS
}
