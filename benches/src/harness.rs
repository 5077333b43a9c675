//! Medians, durations, the results table, and a watchdog against hangs.
//!
//! Nothing here knows a runtime or a workload: the binary hands in names and samples.

use std::fmt::Write as _;
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
        let columns = lines[0].len();
        let widths: Vec<usize> = (0..columns)
            .map(|c| lines.iter().map(|l| l[c].len()).max().unwrap_or(0))
            .collect();
        let mut out = String::new();
        for line in &lines {
            let mut text = String::new();
            for (c, cell) in line.iter().enumerate() {
                // Names left-aligned, numbers right-aligned, two spaces between columns.
                if c < 2 {
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
}
