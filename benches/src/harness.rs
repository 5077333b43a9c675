//! Medians, durations, the results table, and a watchdog against hangs.
//!
//! Nothing here knows a runtime or a workload: the binaries hand in names and samples. Also
//! shared by the binaries: the interleaved rounds ([`interleave`]) and their command-line
//! arguments ([`Args`]).

use std::fmt::Write as _;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The median of `samples` (the mean of the middle two for an even count).
///
/// # Panics
/// If `samples` is empty.
pub fn median(samples: &[Duration]) -> Duration {
    assert!(!samples.is_empty(), "median of no samples");
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2
    }
}

/// `d` with three significant digits and a unit a reader takes in at a glance.
pub fn format_duration(d: Duration) -> String {
    let nanos = d.as_secs_f64() * 1e9;
    let (value, unit) = match nanos {
        n if n < 1e3 => (n, "ns"),
        n if n < 1e6 => (n / 1e3, "us"),
        n if n < 1e9 => (n / 1e6, "ms"),
        n => (n / 1e9, "s"),
    };
    let digits = match value {
        v if v < 10.0 => 2,
        v if v < 100.0 => 1,
        _ => 0,
    };
    format!("{value:.digits$} {unit}")
}

/// One row: a workload, its sizes, and the median time per runtime (the table's order).
#[derive(Debug, Clone)]
pub struct Row {
    /// The workload's name.
    pub workload: String,
    /// Its sizes, in words.
    pub sizes: String,
    /// The median time of each runtime, in the order of [`Table::runtimes`].
    pub medians: Vec<Duration>,
}

/// The results: one column per runtime, then the ratio of every other runtime to the first.
///
/// A ratio is `other / first`: above 1 the first runtime (the baseline) is faster.
#[derive(Debug, Clone)]
pub struct Table {
    /// The runtimes' names; the first is the baseline of the ratios.
    pub runtimes: Vec<&'static str>,
    /// The rows, in the order they ran.
    pub rows: Vec<Row>,
}

impl Table {
    /// An empty table for `runtimes`, the first being the baseline.
    ///
    /// # Panics
    /// If `runtimes` is empty.
    pub fn new(runtimes: Vec<&'static str>) -> Table {
        assert!(!runtimes.is_empty(), "a table needs a baseline runtime");
        Table {
            runtimes,
            rows: Vec::new(),
        }
    }

    /// The table as aligned text, a header line first.
    pub fn render(&self) -> String {
        let base = self.runtimes[0];
        let mut header: Vec<String> = vec!["workload".into(), "sizes".into()];
        header.extend(self.runtimes.iter().map(|name| format!("{name} (median)")));
        header.extend(
            self.runtimes[1..]
                .iter()
                .map(|name| format!("{name}/{base}")),
        );
        let mut lines = vec![header];
        for row in &self.rows {
            let mut line = vec![row.workload.clone(), row.sizes.clone()];
            line.extend(row.medians.iter().map(|d| format_duration(*d)));
            let first = row.medians[0].as_secs_f64();
            line.extend(
                row.medians[1..]
                    .iter()
                    .map(|d| format!("{:.2}", d.as_secs_f64() / first)),
            );
            lines.push(line);
        }
        align(&lines, 2)
    }
}

/// `lines` of cells as aligned text, one line each: the first `left` columns (names)
/// left-aligned, the others (numbers) right-aligned, two spaces between columns.
///
/// Every line must have as many cells as the first.
pub fn align(lines: &[Vec<String>], left: usize) -> String {
    let columns = lines.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..columns)
        .map(|c| lines.iter().map(|l| l[c].len()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for line in lines {
        let mut text = String::new();
        for (c, cell) in line.iter().enumerate() {
            if c < left {
                let _ = write!(text, "{cell:<w$}  ", w = widths[c]);
            } else {
                let _ = write!(text, "{cell:>w$}  ", w = widths[c]);
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    }
    out
}

/// One contender of a [`Group`]: an implementation on a runtime, and its median.
#[derive(Debug, Clone)]
pub struct Entry {
    /// What is measured, e.g. the primitive's path.
    pub implementation: String,
    /// The runtime it ran on.
    pub runtime: &'static str,
    /// Its median time.
    pub median: Duration,
}

/// One workload measured for several contenders; the first is the baseline of the ratios.
#[derive(Debug, Clone)]
pub struct Group {
    /// The workload's name.
    pub workload: String,
    /// Its sizes, in words.
    pub sizes: String,
    /// The contenders, the baseline first.
    pub entries: Vec<Entry>,
}

/// Results with one line per contender rather than one column per runtime: for workloads
/// whose contenders differ in more than the runtime (a primitive *and* the runtime it runs on).
///
/// The ratio of a line is `its median / the baseline's median` (the group's first line): above
/// 1 the baseline is faster.
#[derive(Debug, Clone, Default)]
pub struct Comparison {
    /// The groups, in the order they ran.
    pub groups: Vec<Group>,
}

impl Comparison {
    /// The comparison as aligned text, a header line first; the workload and its sizes are
    /// written on the first line of their group only.
    pub fn render(&self) -> String {
        let header = [
            "workload",
            "sizes",
            "implementation",
            "runtime",
            "median",
            "ratio",
        ];
        let mut lines = vec![header.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>()];
        for group in &self.groups {
            let Some(base) = group.entries.first() else {
                continue;
            };
            let base = base.median.as_secs_f64();
            for (index, entry) in group.entries.iter().enumerate() {
                let (workload, sizes) = if index == 0 {
                    (group.workload.clone(), group.sizes.clone())
                } else {
                    (String::new(), String::new())
                };
                lines.push(vec![
                    workload,
                    sizes,
                    entry.implementation.clone(),
                    entry.runtime.to_owned(),
                    format_duration(entry.median),
                    format!("{:.2}", entry.median.as_secs_f64() / base),
                ]);
            }
        }
        align(&lines, 4)
    }
}

/// Samples `contenders` contenders in interleaved rounds and returns each one's samples.
///
/// Round 0 runs each contender once to warm up (its samples are discarded); rounds 1 to
/// `rounds` then run them in turn, 0, 1, 2, ..., 0, 1, 2, ..., so that a noisy moment of the
/// machine falls on all of them alike. `sample(index)` takes one sample of contender `index`,
/// under `watchdog`, labelled `label(index, round)` in a report of a hang. One dot per round
/// goes to standard error.
pub fn interleave(
    watchdog: &Watchdog,
    contenders: usize,
    rounds: usize,
    label: impl Fn(usize, usize) -> String,
    mut sample: impl FnMut(usize) -> Duration,
) -> Vec<Vec<Duration>> {
    let mut samples = vec![Vec::with_capacity(rounds); contenders];
    for round in 0..=rounds {
        for (index, samples) in samples.iter_mut().enumerate() {
            let elapsed = watchdog.time(label(index, round), || sample(index));
            if round > 0 {
                samples.push(elapsed);
            }
        }
        eprint!(".");
    }
    eprintln!();
    samples
}

/// The command line a binary of this crate was run with, for the last line of its output:
/// `cargo run --release -p spindle-benches --bin BINARY -- ARGS`.
pub fn command_line(binary: &str, args: &[String]) -> String {
    format!(
        "cargo run --release -p spindle-benches --bin {binary} --{}",
        args.iter().map(|a| format!(" {a}")).collect::<String>()
    )
}

/// Ends the process when one sample runs far too long, saying which: a hang in a runtime
/// must not hang the benchmark without a word.
#[derive(Debug, Clone)]
pub struct Watchdog {
    current: Arc<Mutex<Option<(String, Instant)>>>,
}

impl Watchdog {
    /// Starts the watching thread; a sample that runs longer than `limit` ends the process
    /// with exit code 3 after naming it on standard error.
    pub fn start(limit: Duration) -> Watchdog {
        let current: Arc<Mutex<Option<(String, Instant)>>> = Arc::new(Mutex::new(None));
        let watched = current.clone();
        std::thread::Builder::new()
            .name("bench-watchdog".into())
            .spawn(move || loop {
                std::thread::sleep(Duration::from_millis(250));
                let guard = watched.lock().unwrap_or_else(PoisonError::into_inner);
                if let Some((what, since)) = &*guard {
                    if since.elapsed() > limit {
                        eprintln!("HANG: {what} has run for more than {limit:?}; giving up");
                        std::process::exit(3);
                    }
                }
            })
            .expect("could not start the watchdog thread");
        Watchdog { current }
    }

    /// Times `f` under watch, labelled `what` in a report of a hang.
    pub fn time<T>(&self, what: String, f: impl FnOnce() -> T) -> T {
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = Some((what, Instant::now()));
        let output = f();
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = None;
        output
    }
}

/// The command-line arguments both binaries take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    /// `--workers N`: worker threads of every runtime (default: the number of cores).
    pub workers: usize,
    /// `--filter NAME`: only the workloads whose name contains `NAME`.
    pub filter: Option<String>,
    /// `--quick`: smaller samples and fewer rounds, a smoke test.
    pub quick: bool,
    /// `--rounds N`: interleaved rounds per workload (the binary's default when `None`).
    pub rounds: Option<usize>,
}

impl Args {
    /// Parses the arguments (without the program name). `Err("")` asks for the usage text
    /// (`-h`, `--help`); any other `Err` says what is wrong.
    pub fn parse(args: &[String]) -> Result<Args, String> {
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

    /// The arguments of this process, with them as given (for [`command_line`]); on `--help`
    /// or a bad argument, the usage text (and what is wrong) on standard error and the exit
    /// code to end with.
    pub fn from_env(binary: &str, usage: &str) -> Result<(Args, Vec<String>), ExitCode> {
        let raw: Vec<String> = std::env::args().skip(1).collect();
        match Args::parse(&raw) {
            Ok(args) => Ok((args, raw)),
            Err(why) => {
                if !why.is_empty() {
                    eprintln!("{binary}: {why}");
                }
                eprintln!("{usage}");
                Err(if why.is_empty() {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                })
            }
        }
    }

    /// `true` when `name` passes `--filter` (always, without one).
    pub fn selects(&self, name: &str) -> bool {
        self.filter
            .as_ref()
            .is_none_or(|f| name.contains(f.as_str()))
    }
}

fn positive(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("`{text}` is not a positive number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        let ms = Duration::from_millis;
        assert_eq!(median(&[ms(3), ms(1), ms(2)]), ms(2));
        assert_eq!(
            median(&[ms(4), ms(1), ms(2), ms(3)]),
            Duration::from_micros(2_500)
        );
    }

    #[test]
    fn durations_keep_three_digits() {
        assert_eq!(format_duration(Duration::from_nanos(1_234_567)), "1.23 ms");
        assert_eq!(format_duration(Duration::from_micros(45_600)), "45.6 ms");
        assert_eq!(format_duration(Duration::from_millis(1_500)), "1.50 s");
    }

    #[test]
    fn ratios_are_relative_to_the_first_runtime() {
        let mut table = Table::new(vec!["a", "b"]);
        table.rows.push(Row {
            workload: "w".into(),
            sizes: "1".into(),
            medians: vec![Duration::from_millis(2), Duration::from_millis(3)],
        });
        let text = table.render();
        assert!(text.lines().next().unwrap().contains("b/a"));
        assert!(text.lines().nth(1).unwrap().ends_with("1.50"));
    }

    #[test]
    fn arguments_parse_and_fail_with_a_reason() {
        let args = |list: &[&str]| -> Vec<String> { list.iter().map(|a| (*a).into()).collect() };
        let parsed = Args::parse(&args(&["--workers", "2", "--quick", "--rounds", "5"])).unwrap();
        assert_eq!(
            (parsed.workers, parsed.quick, parsed.rounds),
            (2, true, Some(5))
        );
        assert!(parsed.selects("anything"));
        assert!(Args::parse(&args(&["--workers", "0"])).is_err());
        assert!(Args::parse(&args(&["--bogus"]))
            .unwrap_err()
            .contains("--bogus"));
        assert_eq!(Args::parse(&args(&["-h"])), Err(String::new()));
    }

    #[test]
    fn comparison_ratios_are_relative_to_the_first_entry() {
        let entry = |implementation: &str, ms| Entry {
            implementation: implementation.into(),
            runtime: "rt",
            median: Duration::from_millis(ms),
        };
        let comparison = Comparison {
            groups: vec![Group {
                workload: "w".into(),
                sizes: "1".into(),
                entries: vec![entry("base", 2), entry("other", 1)],
            }],
        };
        let text = comparison.render();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].ends_with("ratio"));
        assert!(lines[1].starts_with("w ") && lines[1].ends_with("1.00"));
        assert!(lines[2].starts_with(' ') && lines[2].ends_with("0.50"));
    }
}
