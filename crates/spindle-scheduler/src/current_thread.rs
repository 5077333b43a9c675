//! The current-thread run loop: asyncio's `_run_once`, iteration after iteration.
//!
//! One iteration runs exactly the callbacks and task steps that were ready when it started
//! (in FIFO order: everything goes through one queue), then polls the main future if it was
//! woken, then waits on the driver: not at all if work is ready, until the next timer or a
//! wake-up otherwise. Timers fire in deadline order (equal deadlines in scheduling order) into
//! the same queue, so the next iteration runs them in that order. `stop()` ends the loop
//! after the current iteration, as in asyncio.

use crate::context::{self, Context, Worker};
use crate::loom::{lock, Arc};
use crate::park::Parker;
use crate::schedule::LoopRef;
use crate::shared::{Core, Shared};
use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

/// Why the run ended.
pub(crate) enum Exit {
    /// `stop()` was called.
    Stopped,
    /// The main future completed.
    MainDone,
}

/// Runs iterations until `stop()` or until `poll_main` (called when the main future was
/// woken) returns `true`. The loop's core is taken for the run and put back when it ends, also
/// when `poll_main` panics: the loop stays usable after a panicking main future.
pub(crate) fn run(shared: &Arc<Shared>, mut poll_main: impl FnMut() -> bool) -> Exit {
    let core = lock(&shared.run_core)
        .take()
        .expect("an active run owns the core");
    let worker = Rc::new(Worker {
        index: 0,
        local: core.local,
        lifo: Cell::new(None),
        no_lifo: Cell::new(true),
    });
    // Declared before the context guard, so it drops after it (when the context's clone of
    // the worker is gone and the core can be reassembled).
    let restore = Restore {
        shared,
        worker: Some(worker.clone()),
        parker: Some(core.parker),
    };
    let parker = restore.parker.as_ref().expect("set above");
    let _context = context::enter(Context {
        shared: shared.clone(),
        worker: Some(worker),
    });
    let _hook = spindle_core::loop_hook::enter_loop(std::sync::Arc::new(LoopRef(shared.clone())));
    loop {
        let ready = shared.injector.len();
        for _ in 0..ready {
            match shared.injector.pop() {
                Some(task) => task.run(),
                None => break,
            }
        }
        let (woken, stop) = take_flags(shared);
        if woken && poll_main() {
            return Exit::MainDone;
        }
        if stop {
            return Exit::Stopped;
        }
        if !shared.injector.is_empty() {
            parker.park(Some(Duration::ZERO));
            continue;
        }
        shared.idle.register_sleeper(0, false);
        let (woken, stop) = peek_flags(shared);
        if shared.injector.is_empty() && !woken && !stop {
            parker.park(None);
        }
        // A producer that popped us counted us as searching; the run thread never steals,
        // so it gives that count back at once (or later producers would skip their wake-up).
        if shared.idle.unregister_sleeper(0) {
            shared.idle.stop_searching();
        }
    }
}

/// Puts the run thread's core back into `Shared::run_core` when a run ends, however it ends.
struct Restore<'a> {
    shared: &'a Shared,
    worker: Option<Rc<Worker>>,
    parker: Option<Parker>,
}

impl Drop for Restore<'_> {
    fn drop(&mut self) {
        let (Some(worker), Some(parker)) = (self.worker.take(), self.parker.take()) else {
            return;
        };
        // The context guard (the only other holder) has dropped by now.
        let local = match Rc::try_unwrap(worker) {
            Ok(worker) => worker.local,
            Err(_) => unreachable!("the run's context outlived the run"),
        };
        *lock(&self.shared.run_core) = Some(Core { local, parker });
    }
}

/// Consumes the "main future woken" and "stop requested" flags.
fn take_flags(shared: &Shared) -> (bool, bool) {
    let mut run = lock(&shared.run);
    let flags = (run.main_woken, run.stop);
    run.main_woken = false;
    run.stop = false;
    flags
}

fn peek_flags(shared: &Shared) -> (bool, bool) {
    let run = lock(&shared.run);
    (run.main_woken, run.stop)
}
