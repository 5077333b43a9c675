//! `net`: spindle, tokio and smol side by side on loopback TCP, in one run.
//!
//! ```text
//! cargo run --release -p spindle-benches --bin net -- [--workers N] [--quick] [--rounds N]
//! ```
//!
//! One workload, `tcp_echo` (`src/net/tcp_echo.rs`): 50 connections x 2 000 round trips of
//! 64 bytes against an echo server, on each runtime's own sockets (spindle: its streams).
//! Rounds are interleaved (spindle, tokio, smol, ...) as in `runtimes`, and the table has the
//! same columns: each runtime's median time per iteration, then `tokio/spindle` and
//! `smol/spindle` (above 1, spindle is faster).
//!
//! A fourth column, `split-ct`, is the bound of the workload on this machine: one
//! current-thread spindle loop per worker, each on its own thread with its share of the
//! connections, sharing nothing ([`tcp_echo::spindle_split`]). `split-ct/spindle` says how
//! much of the time a multi-thread scheduler could still win (below 1: the bound is faster).

use spindle_benches::harness::{command_line, interleave, median, Args, Row, Table, Watchdog};
use spindle_benches::net::tcp_echo;
use spindle_benches::runtimes::Runtimes;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Rounds of a full run: an iteration takes a second or so on 2 cores.
const ROUNDS: usize = 9;
/// Rounds of a `--quick` run.
const QUICK_ROUNDS: usize = 3;
/// A sample that runs this long is a hang (a lost wake-up), not a slow runtime.
const HANG_LIMIT: Duration = Duration::from_secs(60);
/// The sizes of one iteration: as many connections as `wrk -c50`, and enough round trips
/// that connecting is noise.
const CONNECTIONS: usize = 50;
const ROUND_TRIPS: usize = 2_000;
/// The column of [`tcp_echo::spindle_split`], the no-sharing bound.
const SPLIT: &str = "split-ct";

const USAGE: &str = "usage: net [--workers N] [--filter NAME] [--quick] [--rounds N]
  --workers N    worker threads of every runtime (default: the number of cores)
  --filter NAME  only the workloads whose name contains NAME (there is one: tcp_echo)
  --quick        a fifth of the round trips, and 3 rounds (a smoke test)
  --rounds N     interleaved rounds (default 9; 3 with --quick)";

fn main() -> ExitCode {
    let (args, raw) = match Args::from_env("net", USAGE) {
        Ok(parsed) => parsed,
        Err(code) => return code,
    };
    if !args.selects("tcp_echo") {
        eprintln!("net: no workload matches the filter");
        return ExitCode::FAILURE;
    }
    let rounds = args
        .rounds
        .unwrap_or(if args.quick { QUICK_ROUNDS } else { ROUNDS });
    let trips = if args.quick {
        ROUND_TRIPS / 5
    } else {
        ROUND_TRIPS
    };
    let sizes = format!(
        "{CONNECTIONS} conns x {trips} round trips of {} B",
        tcp_echo::MESSAGE
    );

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "spindle vs tokio vs smol: {} worker(s) each, {cores} core(s), 1 warm-up + {rounds} interleaved rounds{}",
        args.workers,
        if args.quick { " (--quick sizes)" } else { "" }
    );
    println!("times are per iteration (one iteration per sample), the median of the samples");
    println!("  tcp_echo: spindle = spindle::streams; tokio = tokio::net; smol = smol::net");
    println!(
        "  {SPLIT}: the bound, {} current-thread spindle loop(s) on their own threads, sharing nothing",
        args.workers
    );
    println!();

    let runtimes = Runtimes::new(args.workers);
    let watchdog = Watchdog::start(HANG_LIMIT);
    let started = Instant::now();
    let mut names = Runtimes::NAMES.to_vec();
    names.push(SPLIT);
    let mut table = Table::new(names.clone());
    eprint!("running {:<18}", "tcp_echo");
    let samples = interleave(
        &watchdog,
        names.len(),
        rounds,
        |index, round| {
            format!(
                "tcp_echo on {} (round {round} of {rounds}, 0 = warm-up)",
                names[index]
            )
        },
        |index| match index {
            0 => tcp_echo::spindle(&runtimes.spindle, CONNECTIONS, trips),
            1 => tcp_echo::tokio(&runtimes.tokio, CONNECTIONS, trips),
            2 => tcp_echo::smol(&runtimes.smol, CONNECTIONS, trips),
            _ => tcp_echo::spindle_split(args.workers, CONNECTIONS, trips),
        },
    );
    table.rows.push(Row {
        workload: "tcp_echo".to_owned(),
        sizes,
        medians: samples.iter().map(|s| median(s)).collect(),
    });
    drop(runtimes);

    print!("{}", table.render());
    println!();
    println!("ratios above 1: spindle is faster; compare ratios within one run only");
    println!("total {:.1} s", started.elapsed().as_secs_f64());
    println!("command: {}", command_line("net", &raw));
    ExitCode::SUCCESS
}
