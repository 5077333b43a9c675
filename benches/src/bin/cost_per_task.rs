//! `cost_per_task`: nanoseconds per task against the task count, 1k to 1M, on five runtimes;
//! a table, the flatness of each curve, and an SVG plot.
//!
//! ```text
//! cargo run --release -p spindle-benches --bin cost_per_task -- [--workers N] [--filter NAME] [--quick] [--rounds N]
//!     [--counts N,N,...] [--no-memory] [--svg PATH] [--json PATH]
//! ```
//!
//! One sample at N: a task spawns N empty tasks and awaits them all, repeated until at least
//! 200 000 tasks have run; ns per task. Rounds interleave every count and every runtime, after
//! a warm-up round; the table gives the medians. Then the resident memory per parked task at
//! each N, one fresh process per sample. See `benches/README.md` and
//! `spindle_benches::cost_per_task`.

use spindle_benches::cost_per_task::{run, Config};
use spindle_benches::harness::{command_line, Args};
use spindle_benches::suite::{memory, Flavour, MemoryProbe};
use std::process::ExitCode;
use std::time::{Duration, Instant};

const USAGE: &str = "usage: cost_per_task [--workers N] [--filter NAME] [--quick] [--rounds N] [--counts N,N,...] [--no-memory] [--svg PATH] [--json PATH]
  --workers N       worker threads of the multi-thread runtimes (default: the number of cores)
  --filter NAME     only the runtimes whose name contains NAME; a full name selects that one alone
                    (spindle, spindle-ct, tokio-mt, tokio-ct, smol)
  --quick           1k to 30k tasks, 1 round, small samples: seconds (a smoke test)
  --rounds N        measured rounds, after one warm-up round (default 9)
  --counts N,N,...  the task counts (default 1000,3000,10000,30000,100000,300000,1000000)
  --no-memory       skip the memory per parked task (measured from 10k tasks on)
  --svg PATH        write the plot to PATH
  --json PATH       write every sample to PATH as JSON";

/// The options of this binary only, and the rest for [`Args`].
#[derive(Debug, Default)]
struct Extra {
    svg: Option<String>,
    json: Option<String>,
    counts: Option<Vec<usize>>,
    no_memory: bool,
    rest: Vec<String>,
}

fn take_extra(raw: &[String]) -> Result<Extra, String> {
    let mut extra = Extra::default();
    let mut args = raw.iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match arg.as_str() {
            "--svg" => extra.svg = Some(value("--svg")?),
            "--json" => extra.json = Some(value("--json")?),
            "--no-memory" => extra.no_memory = true,
            "--counts" => {
                let list = value("--counts")?;
                let mut counts = list
                    .split(',')
                    .map(|n| match n.trim().replace('_', "").parse::<usize>() {
                        Ok(n) if n > 0 => Ok(n),
                        _ => Err(format!("`{n}` is not a positive number")),
                    })
                    .collect::<Result<Vec<usize>, String>>()?;
                counts.sort_unstable();
                counts.dedup();
                extra.counts = Some(counts);
            }
            _ => extra.rest.push(arg.clone()),
        }
    }
    Ok(extra)
}

fn main() -> ExitCode {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    if raw.first().map(String::as_str) == Some(memory::CHILD_FLAG) {
        eprintln!("cost_per_task: {}", memory::child_main(&raw[1..]));
        return ExitCode::FAILURE;
    }
    let parsed = take_extra(&raw).and_then(|extra| Ok((Args::parse(&extra.rest)?, extra)));
    let (args, extra) = match parsed {
        Ok(parsed) => parsed,
        Err(why) if why.is_empty() => {
            eprintln!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(why) => {
            eprintln!("cost_per_task: {why}\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    let base = if args.quick {
        Config::quick(args.workers)
    } else {
        Config::full(args.workers)
    };
    let memory = match (extra.no_memory, std::env::current_exe()) {
        (true, _) => None,
        (false, Ok(exe)) => Some(MemoryProbe::Child(exe)),
        (false, Err(_)) => Some(MemoryProbe::InProcess),
    };
    let config = Config {
        counts: extra.counts.unwrap_or(base.counts.clone()),
        rounds: args.rounds.unwrap_or(base.rounds),
        flavours: match args.filter.as_deref().and_then(Flavour::from_name) {
            // A full name selects that runtime alone (`spindle` is also in `spindle-ct`).
            Some(exact) => vec![exact],
            None => Flavour::ALL
                .into_iter()
                .filter(|f| args.selects(f.name()))
                .collect(),
        },
        memory,
        hang_limit: Duration::from_secs(300),
        ..base
    };
    if config.flavours.is_empty() {
        eprintln!("cost_per_task: no runtime matches the filter");
        return ExitCode::FAILURE;
    }

    let started = Instant::now();
    let mut report = run(&config, true);
    report.run.total_seconds = Some(started.elapsed().as_secs_f64());
    report.run.command = Some(command_line("cost_per_task", &raw));

    println!(
        "ns per task: a task spawns N empty tasks and awaits them all, each sample repeated to at least {} tasks (reps); {} worker(s) for the multi-thread runtimes, {} core(s), 1 warm-up + {} rounds{}",
        report.min_tasks,
        report.run.workers,
        report.run.cores,
        report.run.rounds,
        if args.quick { " (--quick)" } else { "" }
    );
    print!("{}", report.render());
    println!();
    println!("CPU ns per task: the whole process' CPU time during the sample (every thread), per task, and (in brackets) its kernel part; medians");
    print!("{}", report.render_cpu());
    println!();
    println!("minor page faults per 1000 tasks (the first touch of a fresh page); medians");
    print!("{}", report.render_faults());
    println!();
    if report.has_memory() {
        println!("bytes of RSS per parked task, N tasks on pending(), a fresh process per sample (median of {})", config.memory_samples);
        print!("{}", report.render_memory());
        println!();
    }
    println!("flatness: highest median ns/task over the lowest (flat: within 1.5x); cpu: the same for CPU ns/task");
    print!("{}", report.render_flatness());
    println!();
    println!(
        "total {:.1} s",
        report.run.total_seconds.unwrap_or_default()
    );
    println!(
        "command: {}",
        report.run.command.as_deref().unwrap_or_default()
    );
    for (path, text, what) in [
        (&extra.svg, report.to_svg(), "plot"),
        (&extra.json, report.to_json(), "samples"),
    ] {
        if let Some(path) = path {
            if let Err(e) = std::fs::write(path, text) {
                eprintln!("cost_per_task: cannot write {path}: {e}");
                return ExitCode::FAILURE;
            }
            println!("{what}: {path}");
        }
    }
    ExitCode::SUCCESS
}
