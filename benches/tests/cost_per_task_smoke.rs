//! The `cost_per_task` binary runs with `--quick` on all five runtimes and writes a
//! well-formed SVG plot (a line per runtime) and a JSON of its samples; the library's runner
//! does the same at tiny sizes. Nothing about speed is asserted.

use spindle_benches::cost_per_task::{run, Config};
use spindle_benches::suite::{Flavour, MemoryProbe};
use std::process::Command;

/// `true` when every element of `svg` is closed in order (`<a>..</a>`, `<b/>`), the root is
/// `<svg>`, and nothing but whitespace lies outside it.
fn well_formed(svg: &str) -> Result<(), String> {
    let mut stack: Vec<&str> = Vec::new();
    let mut rest = svg.trim();
    if !rest.starts_with("<svg") {
        return Err("the document does not start with <svg".into());
    }
    while let Some(open) = rest.find('<') {
        let close = rest[open..]
            .find('>')
            .ok_or("a tag is never closed by `>`")?
            + open;
        let tag = &rest[open + 1..close];
        if let Some(name) = tag.strip_prefix('/') {
            let top = stack.pop().ok_or(format!("`</{name}>` closes nothing"))?;
            if top != name.trim() {
                return Err(format!("`</{name}>` closes `<{top}>`"));
            }
            if stack.is_empty() && !rest[close + 1..].trim().is_empty() {
                return Err("text after the root element".into());
            }
        } else if !tag.ends_with('/') {
            let name = tag.split_whitespace().next().ok_or("an empty tag")?;
            stack.push(name);
        }
        if tag.matches('"').count() % 2 == 1 {
            return Err(format!("unbalanced quotes in `<{tag}>`"));
        }
        rest = &rest[close + 1..];
    }
    if stack.is_empty() {
        Ok(())
    } else {
        Err(format!("never closed: {stack:?}"))
    }
}

#[test]
fn the_checker_catches_broken_documents() {
    assert!(well_formed(r#"<svg a="1"><g><line/></g></svg>"#).is_ok());
    assert!(well_formed("<svg><g></svg>").is_err());
    assert!(well_formed("<svg></svg><g/>").is_err());
    assert!(well_formed(r#"<svg a="1></svg>"#).is_err());
    assert!(well_formed("<g></g>").is_err());
}

fn check_plot(svg: &str) {
    well_formed(svg).unwrap_or_else(|why| panic!("malformed SVG: {why}\n{svg}"));
    for bad in ["NaN", "inf"] {
        assert!(!svg.contains(bad), "`{bad}` in the SVG");
    }
    for flavour in Flavour::ALL {
        assert!(
            svg.contains(flavour.name()),
            "{} not in the legend",
            flavour.name()
        );
    }
}

#[test]
fn the_quick_binary_writes_a_plot_and_samples() {
    let dir = std::env::temp_dir().join(format!("cost_per_task_smoke_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (svg_path, json_path) = (dir.join("plot.svg"), dir.join("samples.json"));
    let output = Command::new(env!("CARGO_BIN_EXE_cost_per_task"))
        .args(["--quick", "--workers", "2", "--svg"])
        .arg(&svg_path)
        .arg("--json")
        .arg(&json_path)
        .output()
        .expect("cannot run cost_per_task");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "cost_per_task --quick failed: {}\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("max/min"), "no flatness table:\n{stdout}");
    assert!(stdout.contains("bytes of RSS per parked task"), "{stdout}");
    assert!(stdout.contains("CPU ns per task"), "{stdout}");
    assert!(
        stdout.contains("minor page faults per 1000 tasks"),
        "{stdout}"
    );
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    check_plot(&svg);
    // The cost, CPU time and memory charts: a line per runtime each.
    assert_eq!(svg.matches("<polyline").count(), 3 * Flavour::ALL.len());
    let json = std::fs::read_to_string(&json_path).unwrap();
    assert!(json.contains("\"tasks\": 30000"));
    assert!(json.contains("\"faults_per_1000_tasks\": {\"spindle\": "));
    assert_eq!(
        json.matches(['{', '[']).count(),
        json.matches(['}', ']']).count()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_runner_measures_every_count_on_every_runtime() {
    let config = Config {
        counts: vec![100, 1_000, 10_000],
        min_tasks: 1_000,
        memory: Some(MemoryProbe::InProcess),
        ..Config::quick(2)
    };
    let report = run(&config, false);
    assert_eq!(report.points.len(), 3);
    for point in &report.points {
        for flavour in Flavour::ALL {
            let median = point.ns_median(flavour);
            assert!(
                median.is_finite() && median > 0.0,
                "{} at {}",
                flavour.name(),
                point.tasks
            );
            assert!(point.cpu_median(flavour) > 0.0, "{}", flavour.name());
        }
    }
    // Memory from 10k tasks on only.
    assert!(report.points[0].bytes.iter().all(Vec::is_empty));
    assert!(report.points[2].bytes.iter().all(|b| b.len() == 1));
    for flavour in Flavour::ALL {
        assert!(report.flatness(flavour).unwrap().ratio() >= 1.0);
    }
    check_plot(&report.to_svg());
    assert_eq!(report.render().lines().count(), 1 + 3);
    assert_eq!(report.render_memory().lines().count(), 1 + 1);
}
