//! `idle_task_memory`: what a parked task costs in resident memory.
//!
//! One sample: the runtime is warmed (a thousand tasks spawned and joined), the process's RSS
//! read, then a task spawns `tasks` detached tasks that each count themselves and wait on a
//! future that never completes (`std::future::pending`: no waker is kept anywhere but in the
//! runtime); once all have been polled, the RSS is read again. The figure is the growth per
//! task: the runtime's task allocation and bookkeeping plus the task's small future.
//!
//! RSS is only meaningful in a fresh process (memory freed by a previous sample is reused
//! without growing it), so the suite binary takes each sample in a child process
//! ([`in_child`], [`child_main`]) that builds the one runtime, measures, and exits without
//! tearing the parked tasks down. Linux only (`/proc/self/status`); elsewhere the figure is
//! NaN.

use super::runtimes::{SpindleCtRuntime, TokioCtRuntime};
use super::{Flavour, Peer};
use crate::runtimes::{SmolRuntime, SpindleRuntime, TokioRuntime};
use crate::{Runtime, Spawner};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// The argument that makes the suite binary a child of [`in_child`].
pub const CHILD_FLAG: &str = "--idle-memory-child";

/// The resident set of this process in bytes (`VmRSS` of `/proc/self/status`), if known.
pub fn rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// One sample on `rt`, in this process: bytes of RSS per parked task, `tasks` tasks.
///
/// The tasks stay parked until the runtime is dropped.
pub fn idle_task_memory<R: Runtime>(rt: &R, tasks: usize) -> f64
where
    R::Spawner: Peer,
{
    let spawner = rt.spawner();
    rt.block_on(async move {
        // Warm-up: whatever the runtime allocates lazily is in the baseline.
        let warm: Vec<_> = (0..1_000)
            .map(|i| spawner.spawn(async move { i }))
            .collect();
        for handle in warm {
            handle.await;
        }
        let Some(before) = rss_bytes() else {
            return f64::NAN;
        };
        let parked = Arc::new(AtomicUsize::new(0));
        let counter = parked.clone();
        let inner = spawner.clone();
        spawner
            .spawn(async move {
                for _ in 0..tasks {
                    let counter = counter.clone();
                    inner.spawn_detached(async move {
                        counter.fetch_add(1, Ordering::Relaxed);
                        std::future::pending::<()>().await;
                    });
                }
            })
            .await;
        while parked.load(Ordering::Relaxed) < tasks {
            <R::Spawner as Spawner>::yield_now().await;
        }
        let after = rss_bytes().unwrap_or(before);
        after.saturating_sub(before) as f64 / tasks.max(1) as f64
    })
}

/// One sample in a fresh process: runs `exe CHILD_FLAG FLAVOUR WORKERS TASKS` and reads the
/// figure it prints.
///
/// # Panics
/// If the child cannot be run, fails, or prints no number.
pub fn in_child(exe: &Path, flavour: Flavour, workers: usize, tasks: usize) -> f64 {
    let output = Command::new(exe)
        .args([
            CHILD_FLAG,
            flavour.name(),
            &workers.to_string(),
            &tasks.to_string(),
        ])
        .output()
        .unwrap_or_else(|e| panic!("idle_task_memory: cannot run {}: {e}", exe.display()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "idle_task_memory: the child for {} failed ({}): {}",
        flavour.name(),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("idle_task_memory: the child printed `{}`", stdout.trim()))
}

/// The child's side of [`in_child`]: `args` are what follows [`CHILD_FLAG`] (`FLAVOUR WORKERS
/// TASKS`). Builds that one runtime, takes one sample, prints it and exits at once (the parked
/// tasks are not torn down). Returns only on bad arguments, with what is wrong.
pub fn child_main(args: &[String]) -> String {
    let [flavour, workers, tasks] = args else {
        return format!("{CHILD_FLAG} takes FLAVOUR WORKERS TASKS");
    };
    let Some(flavour) = Flavour::from_name(flavour) else {
        return format!("unknown runtime `{flavour}`");
    };
    let (Ok(workers), Ok(tasks)) = (workers.parse::<usize>(), tasks.parse::<usize>()) else {
        return "WORKERS and TASKS must be numbers".to_owned();
    };
    match flavour {
        Flavour::Spindle => exit_with(idle_task_memory(&SpindleRuntime::new(workers), tasks)),
        Flavour::SpindleCt => exit_with(idle_task_memory(&SpindleCtRuntime::new(), tasks)),
        Flavour::TokioMt => exit_with(idle_task_memory(&TokioRuntime::new(workers), tasks)),
        Flavour::TokioCt => exit_with(idle_task_memory(&TokioCtRuntime::new(), tasks)),
        Flavour::Smol => exit_with(idle_task_memory(&SmolRuntime::new(workers), tasks)),
    }
}

/// Prints `bytes` and exits at once: tearing a million parked tasks down would take longer
/// than the sample. The runtime (a temporary of the caller's statement) is never dropped.
fn exit_with(bytes: f64) -> ! {
    println!("{bytes}");
    std::process::exit(0);
}
