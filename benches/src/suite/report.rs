//! The suite's results: every sample, the table of medians and spreads, and the JSON.
//!
//! - **median**: of a runtime's samples (the mean of the middle two for an even count).
//! - **spread**: half the range of its samples over the median, in percent (`17.1 ±4%`: the
//!   samples lie within about 4% either side).
//! - **ratio** (`spindle/best`): spindle's median against the best peer's (tokio-mt, tokio-ct,
//!   smol), as a cost: `spindle / best` where lower is better, `best / spindle` where higher is
//!   better. **Below 1, spindle beats every peer**; above 1, the best peer is that many times
//!   better.

use super::{Bench, Config, Flavour};
use crate::harness::align;
use std::fmt::Write as _;

/// One benchmark's samples, per runtime.
#[derive(Debug, Clone)]
pub struct Row {
    /// The benchmark.
    pub bench: Bench,
    /// What one sample does, in words.
    pub sizes: String,
    /// The samples of each runtime, in the order of [`Flavour::ALL`].
    pub samples: [Vec<f64>; 5],
}

/// The median of `values` (NaN when empty).
pub fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}

impl Row {
    /// A row with no samples yet.
    pub fn new(bench: Bench, sizes: String) -> Row {
        Row {
            bench,
            sizes,
            samples: Default::default(),
        }
    }

    /// Records one sample of `flavour`.
    pub fn push(&mut self, flavour: Flavour, value: f64) {
        self.samples[flavour.index()].push(value);
    }

    /// The samples of `flavour`.
    pub fn samples_of(&self, flavour: Flavour) -> &[f64] {
        &self.samples[flavour.index()]
    }

    /// The median of `flavour`'s samples.
    pub fn median(&self, flavour: Flavour) -> f64 {
        median(self.samples_of(flavour))
    }

    /// Half the range of `flavour`'s samples over their median, in percent.
    pub fn spread(&self, flavour: Flavour) -> f64 {
        let samples = self.samples_of(flavour);
        let max = samples.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let min = samples.iter().copied().fold(f64::INFINITY, f64::min);
        (max - min) / 2.0 / self.median(flavour).abs() * 100.0
    }

    /// The peer (tokio-mt, tokio-ct, smol) with the best median, if any has a number.
    pub fn best_peer(&self) -> Option<Flavour> {
        let key = |f: &Flavour| {
            let m = self.median(*f);
            if self.bench.higher_is_better() {
                -m
            } else {
                m
            }
        };
        Flavour::ALL
            .into_iter()
            .filter(|f| f.is_peer() && self.median(*f).is_finite())
            .min_by(|a, b| key(a).total_cmp(&key(b)))
    }

    /// `flavour`'s median against the best peer's, as a cost: below 1, `flavour` beats every
    /// peer (NaN without a best peer).
    pub fn ratio(&self, flavour: Flavour) -> f64 {
        let Some(best) = self.best_peer() else {
            return f64::NAN;
        };
        let (mine, theirs) = (self.median(flavour), self.median(best));
        if self.bench.higher_is_better() {
            theirs / mine
        } else {
            mine / theirs
        }
    }
}

/// Every row of a run, and how it ran.
#[derive(Debug, Clone)]
pub struct Report {
    /// How the run ran (rounds: per benchmark).
    pub run: Run,
    /// The rows, in the order they ran.
    pub rows: Vec<Row>,
}

/// `value` with three significant digits (`n/a` when not a number).
pub fn format_value(value: f64) -> String {
    if !value.is_finite() {
        return "n/a".to_owned();
    }
    let digits = match value.abs() {
        v if v < 10.0 => 2,
        v if v < 100.0 => 1,
        _ => 0,
    };
    format!("{value:.digits$}")
}

impl Report {
    /// An empty report for `config`.
    pub fn new(config: &Config) -> Report {
        Report {
            run: Run::new(config.workers, config.rounds),
            rows: Vec::new(),
        }
    }

    /// The table: a line per benchmark with its unit, each runtime's median and spread, the
    /// best peer and spindle's ratio to it.
    pub fn render(&self) -> String {
        let mut header: Vec<String> = vec!["bench".into(), "unit".into()];
        header.extend(Flavour::ALL.iter().map(|f| f.name().to_owned()));
        header.extend(["best peer".to_owned(), "spindle/best".to_owned()]);
        let mut lines = vec![header];
        for row in &self.rows {
            let mut line = vec![row.bench.name().to_owned(), row.bench.unit().to_owned()];
            line.extend(Flavour::ALL.iter().map(|f| {
                let spread = row.spread(*f);
                let spread = if spread.is_finite() {
                    format!("±{spread:.0}%")
                } else {
                    "±?".to_owned()
                };
                format!("{} {spread:>4}", format_value(row.median(*f)))
            }));
            line.push(row.best_peer().map_or("-", Flavour::name).to_owned());
            line.push(format_value(row.ratio(Flavour::Spindle)));
            lines.push(line);
        }
        align(&lines, 2)
    }

    /// The sizes of every row, a line each.
    pub fn render_sizes(&self) -> String {
        let width = self
            .rows
            .iter()
            .map(|r| r.bench.name().len())
            .max()
            .unwrap_or(0);
        self.rows.iter().fold(String::new(), |mut out, row| {
            let _ = writeln!(out, "  {:<width$}  {}", row.bench.name(), row.sizes);
            out
        })
    }

    /// Every sample as JSON: `{"rows": [{"bench", "unit", "higher_is_better", "median",
    /// "samples", ...}]}`, with the run's settings at the top.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\n");
        self.run.write_json(&mut out);
        let _ = writeln!(
            out,
            "  \"ratio_meaning\": {},",
            string("median against the best peer's, as a cost (spindle/best for costs, best/spindle for throughputs): below 1, better than every peer")
        );
        let _ = writeln!(
            out,
            "  \"spread_meaning\": {},",
            string("half the range of the samples over the median, in percent")
        );
        out.push_str("  \"rows\": [");
        for (i, row) in self.rows.iter().enumerate() {
            out.push_str(if i == 0 { "\n" } else { ",\n" });
            let per_flavour = |value: &dyn Fn(Flavour) -> String| {
                let fields: Vec<String> = Flavour::ALL
                    .iter()
                    .map(|f| format!("{}: {}", string(f.name()), value(*f)))
                    .collect();
                format!("{{{}}}", fields.join(", "))
            };
            let _ = write!(
                out,
                "    {{\"bench\": {}, \"unit\": {}, \"higher_is_better\": {}, \"sizes\": {},\n     \"median\": {},\n     \"spread_pct\": {},\n     \"best_peer\": {}, \"ratio\": {}, \"ratio_ct\": {},\n     \"samples\": {}}}",
                string(row.bench.name()),
                string(row.bench.unit()),
                row.bench.higher_is_better(),
                string(&row.sizes),
                per_flavour(&|f| number(row.median(f))),
                per_flavour(&|f| number(row.spread(f))),
                row.best_peer().map_or("null".to_owned(), |f| string(f.name())),
                number(row.ratio(Flavour::Spindle)),
                number(row.ratio(Flavour::SpindleCt)),
                per_flavour(&|f| {
                    let values: Vec<String> =
                        row.samples_of(f).iter().map(|v| number(*v)).collect();
                    format!("[{}]", values.join(", "))
                }),
            );
        }
        out.push_str("\n  ]\n}\n");
        out
    }
}

/// How a run of a bench binary ran: the settings its reports and JSON files open with.
#[derive(Debug, Clone)]
pub struct Run {
    /// Worker threads of the multi-thread runtimes.
    pub workers: usize,
    /// Cores of the machine.
    pub cores: usize,
    /// Measured rounds (after one warm-up round).
    pub rounds: usize,
    /// The command that produced the report, when the binary knows it.
    pub command: Option<String>,
    /// The wall time of the whole run in seconds, when the binary measured it.
    pub total_seconds: Option<f64>,
}

impl Run {
    /// A run with `workers` workers and `rounds` rounds on this machine's cores, its command
    /// and time not known yet.
    pub fn new(workers: usize, rounds: usize) -> Run {
        Run {
            workers,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            rounds,
            command: None,
            total_seconds: None,
        }
    }

    /// Appends the run's fields to a JSON object being written (one `"key": value,` line
    /// each).
    pub fn write_json(&self, out: &mut String) {
        let _ = writeln!(out, "  \"workers\": {},", self.workers);
        let _ = writeln!(out, "  \"cores\": {},", self.cores);
        let _ = writeln!(out, "  \"rounds\": {},", self.rounds);
        let _ = writeln!(out, "  \"warm_up_rounds\": 1,");
        let command = self.command.as_deref().map_or("null".to_owned(), string);
        let _ = writeln!(out, "  \"command\": {command},");
        let total = self.total_seconds.map_or("null".to_owned(), number);
        let _ = writeln!(out, "  \"total_seconds\": {total},");
    }
}

/// `value` as a JSON number (`null` when not finite).
pub fn number(value: f64) -> String {
    if value.is_finite() {
        format!("{value}")
    } else {
        "null".to_owned()
    }
}

/// `text` as a JSON string.
pub fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(bench: Bench, medians: [f64; 5]) -> Row {
        let mut row = Row::new(bench, "sizes".into());
        for (flavour, value) in Flavour::ALL.into_iter().zip(medians) {
            row.push(flavour, value);
            row.push(flavour, value * 0.9);
            row.push(flavour, value * 1.1);
        }
        row
    }

    #[test]
    fn ratio_is_a_cost_against_the_best_peer() {
        // spindle, spindle-ct, tokio-mt, tokio-ct, smol
        let cost = row(Bench::YieldMany, [17.0, 15.0, 20.0, 32.0, 85.0]);
        assert_eq!(cost.best_peer(), Some(Flavour::TokioMt));
        assert!((cost.ratio(Flavour::Spindle) - 0.85).abs() < 1e-9);
        assert!((cost.spread(Flavour::Spindle) - 10.0).abs() < 1e-9);
        let throughput = row(Bench::TcpEcho, [50.0, 10.0, 100.0, 20.0, 40.0]);
        assert_eq!(throughput.best_peer(), Some(Flavour::TokioMt));
        assert!((throughput.ratio(Flavour::Spindle) - 2.0).abs() < 1e-9);
    }

    #[test]
    fn json_has_the_issue_shape() {
        let report = Report {
            run: Run {
                workers: 2,
                cores: 2,
                rounds: 3,
                command: Some("cargo \"x\"".into()),
                total_seconds: None,
            },
            rows: vec![row(Bench::YieldMany, [17.1, 15.0, 20.3, 32.3, 85.9])],
        };
        let json = report.to_json();
        assert!(json.contains("\"rows\": ["));
        assert!(json.contains(
            "\"bench\": \"yield_many\", \"unit\": \"ns/yield\", \"higher_is_better\": false"
        ));
        assert!(json.contains("\"median\": {\"spindle\": 17.1, \"spindle-ct\": 15,"));
        assert!(json.contains("\"command\": \"cargo \\\"x\\\"\""));
        assert!(json.contains("\"total_seconds\": null"));
        let opens = json.matches(['{', '[']).count();
        let closes = json.matches(['}', ']']).count();
        assert_eq!(opens, closes);
        assert!(report.render().lines().nth(1).unwrap().ends_with("0.84"));
    }
}
