//! The suite's runner, at tiny sizes, runs every benchmark on all five runtimes (with 1 and
//! 2 workers) and reports a number for each; its table and JSON have a line per benchmark.

use spindle_benches::suite::{run, Bench, Config, Flavour, Sizes};

#[test]
fn every_benchmark_runs_on_every_runtime() {
    for workers in [1, 2] {
        let config = Config::new(workers, Sizes::tiny(), 2);
        let report = run(&config, false);
        assert_eq!(report.rows.len(), Bench::ALL.len());
        for row in &report.rows {
            for flavour in Flavour::ALL {
                let samples = row.samples_of(flavour);
                assert_eq!(
                    samples.len(),
                    2,
                    "{} on {}",
                    row.bench.name(),
                    flavour.name()
                );
                assert!(
                    samples.iter().all(|v| v.is_finite() && *v >= 0.0),
                    "{} on {}: {samples:?}",
                    row.bench.name(),
                    flavour.name()
                );
            }
            assert!(row.best_peer().is_some(), "{}", row.bench.name());
        }
        let table = report.render();
        assert_eq!(table.lines().count(), 1 + Bench::ALL.len());
        let json = report.to_json();
        for bench in Bench::ALL {
            assert!(json.contains(&format!("\"bench\": \"{}\"", bench.name())));
        }
    }
}

#[test]
fn the_filter_selects_by_name() {
    let config = Config {
        filter: Some("call_soon".into()),
        ..Config::new(2, Sizes::tiny(), 1)
    };
    assert_eq!(
        config.benches(),
        vec![Bench::CallSoon, Bench::CallSoonThreadsafe]
    );
}
