//! An idle loop sleeps: a loop inside `run_forever` with nothing to do burns under 50 ms of
//! CPU in one second (no spinning, no periodic wake-ups to speak of).
//!
//! One of the two measurements of this crate's tests. It reads the CPU time of the loop's own
//! threads from Linux's `/proc/self/task/<tid>/stat` (`utime` + `stime`, in clock ticks), so
//! other tests of this binary and the test harness do not count. On other systems the test
//! does nothing.

mod common;

use common::bounded;
use spindle_scheduler::{Builder, EventLoop};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// The most CPU an idle loop may use in `WINDOW`.
const BUDGET: Duration = Duration::from_millis(50);
const WINDOW: Duration = Duration::from_secs(1);

/// Clock ticks per second (`sysconf(_SC_CLK_TCK)`), from `getconf`; 100 (Linux's `USER_HZ`
/// on every mainstream architecture) if `getconf` is missing.
fn clock_ticks_per_second() -> u64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100)
}

/// CPU time (user + system) of this process's threads whose name starts with `prefix`, and
/// how many such threads there are.
fn cpu_of_threads(prefix: &str) -> (Duration, usize) {
    let ticks_per_second = clock_ticks_per_second();
    let mut ticks = 0;
    let mut threads = 0;
    for entry in std::fs::read_dir("/proc/self/task").expect("/proc/self/task") {
        let dir = entry.unwrap().path();
        let Ok(comm) = std::fs::read_to_string(dir.join("comm")) else {
            continue;
        }; // exited
        if !comm.trim_end().starts_with(prefix) {
            continue;
        }
        let Ok(stat) = std::fs::read_to_string(dir.join("stat")) else {
            continue;
        };
        // Fields after the parenthesised name (which may hold spaces): state is field 3,
        // utime field 14 and stime field 15 (proc(5)).
        let rest = &stat[stat.rfind(')').expect("stat has (comm)") + 2..];
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let utime: u64 = fields[11].parse().unwrap();
        let stime: u64 = fields[12].parse().unwrap();
        ticks += utime + stime;
        threads += 1;
    }
    (
        Duration::from_millis(ticks * 1000 / ticks_per_second),
        threads,
    )
}

fn idle_loop_sleeps(prefix: &'static str, builder: Builder, expected_threads: usize) {
    let lp = builder.thread_name(prefix).build().unwrap();
    let (running_tx, running_rx) = mpsc::channel();
    lp.call_soon(move || running_tx.send(()).unwrap());
    let runner = {
        let lp = lp.clone();
        thread::Builder::new()
            .name(format!("{prefix}-run"))
            .spawn(move || lp.run_forever())
            .unwrap()
    };
    running_rx.recv().unwrap(); // the loop is running (and, its one callback done, idle)

    let (before, threads) = cpu_of_threads(prefix);
    assert_eq!(
        threads, expected_threads,
        "{prefix}: the loop's threads (workers + run thread)"
    );
    thread::sleep(WINDOW); // the measurement window (this test's one allowed timing)
    let (after, _) = cpu_of_threads(prefix);

    lp.stop();
    runner.join().unwrap();
    lp.close();
    let used = after.saturating_sub(before);
    assert!(
        used < BUDGET,
        "{prefix}: an idle loop used {used:?} of CPU in {WINDOW:?} (budget {BUDGET:?})"
    );
}

#[test]
fn an_idle_two_worker_loop_sleeps() {
    if !cfg!(target_os = "linux") {
        return;
    }
    // Worker 0 is the run thread; worker 1 has a thread of its own ("idlecpu-worker-1", cut
    // to 15 bytes by the kernel; the prefix still matches).
    bounded(30, || {
        idle_loop_sleeps("idlecpu", EventLoop::builder().worker_threads(2), 2)
    });
}

#[test]
fn an_idle_current_thread_loop_sleeps() {
    if !cfg!(target_os = "linux") {
        return;
    }
    bounded(30, || {
        idle_loop_sleeps("idlect", EventLoop::builder().current_thread(), 1)
    });
}
