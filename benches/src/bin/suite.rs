//! `suite`: every benchmark on five runtimes in one run, a table of medians and a JSON file.
//!
//! ```text
//! cargo run --release -p spindle-benches --bin suite -- [--workers N] [--filter NAME] [--quick] [--rounds N] [--json PATH]
//! ```
//!
//! The runtimes: spindle's default loop (multi-thread) and its current-thread loop, tokio's
//! multi-thread and current-thread runtimes, smol's `async-executor` with `async-io`; the
//! multi-thread ones with `--workers` threads each. For every benchmark: a warm-up round, then
//! `--rounds` rounds of one sample per runtime, the first runtime of a round rotating. The
//! table gives each runtime's median and spread, the best peer, and spindle's ratio to it
//! (below 1, spindle beats every peer). See `benches/README.md` and
//! `spindle_benches::suite`.

use spindle_benches::harness::{command_line, Args};
use spindle_benches::suite::{memory, run, Config, MemoryProbe, Sizes};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Measured rounds of a full run (after one warm-up round).
const ROUNDS: usize = 5;
/// Measured rounds of a `--quick` run.
const QUICK_ROUNDS: usize = 2;
/// A sample that runs this long is a hang, not a slow runtime.
const HANG_LIMIT: Duration = Duration::from_secs(120);

const USAGE: &str =
    "usage: suite [--workers N] [--filter NAME] [--quick] [--rounds N] [--json PATH]
  --workers N    worker threads of the multi-thread runtimes (default: the number of cores)
  --filter NAME  only the benchmarks whose name contains NAME
  --quick        a twentieth of the work and 2 rounds: seconds (CI's smoke run)
  --rounds N     measured rounds per benchmark, after one warm-up round (default 5)
  --json PATH    also write every sample to PATH as JSON";

/// `raw` without `--json PATH`, and `PATH`.
fn take_json(raw: &[String]) -> Result<(Vec<String>, Option<String>), String> {
    let mut rest = Vec::new();
    let mut json = None;
    let mut args = raw.iter();
    while let Some(arg) = args.next() {
        if arg == "--json" {
            json = Some(args.next().cloned().ok_or("--json needs a value")?);
        } else {
            rest.push(arg.clone());
        }
    }
    Ok((rest, json))
}

fn main() -> ExitCode {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    if raw.first().map(String::as_str) == Some(memory::CHILD_FLAG) {
        eprintln!("suite: {}", memory::child_main(&raw[1..]));
        return ExitCode::FAILURE;
    }
    let (rest, json) = match take_json(&raw) {
        Ok(split) => split,
        Err(why) => {
            eprintln!("suite: {why}\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    let args = match Args::parse(&rest) {
        Ok(args) => args,
        Err(why) if why.is_empty() => {
            eprintln!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(why) => {
            eprintln!("suite: {why}\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    let memory = match std::env::current_exe() {
        Ok(exe) => MemoryProbe::Child(exe),
        Err(_) => MemoryProbe::InProcess,
    };
    let config = Config {
        filter: args.filter.clone(),
        memory,
        hang_limit: HANG_LIMIT,
        ..Config::new(
            args.workers,
            if args.quick {
                Sizes::quick()
            } else {
                Sizes::full()
            },
            args.rounds
                .unwrap_or(if args.quick { QUICK_ROUNDS } else { ROUNDS }),
        )
    };
    if config.benches().is_empty() {
        eprintln!("suite: no benchmark matches the filter");
        return ExitCode::FAILURE;
    }

    let started = Instant::now();
    let mut report = run(&config, true);
    report.run.total_seconds = Some(started.elapsed().as_secs_f64());
    report.run.command = Some(command_line("suite", &raw));

    println!(
        "spindle, spindle-ct, tokio-mt, tokio-ct, smol: {} worker(s) for the multi-thread ones, {} core(s), 1 warm-up + {} rounds, the first runtime rotating{}",
        report.run.workers,
        report.run.cores,
        report.run.rounds,
        if args.quick { " (--quick sizes)" } else { "" }
    );
    print!("{}", report.render_sizes());
    println!();
    print!("{}", report.render());
    println!();
    println!("median ±spread (half the range of the samples, % of the median) per runtime");
    println!("spindle/best: spindle's median against the best peer's (tokio-mt, tokio-ct, smol) as a cost: below 1, spindle beats every peer");
    println!(
        "total {:.1} s",
        report.run.total_seconds.unwrap_or_default()
    );
    println!(
        "command: {}",
        report.run.command.as_deref().unwrap_or_default()
    );
    if let Some(path) = json {
        if let Err(e) = std::fs::write(&path, report.to_json()) {
            eprintln!("suite: cannot write {path}: {e}");
            return ExitCode::FAILURE;
        }
        println!("samples: {path}");
    }
    ExitCode::SUCCESS
}
