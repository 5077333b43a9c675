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
/// woken) returns `true`. Gives the core back.
pub(crate) fn run(
    shared: &Arc<Shared>,
    core: Core,
    mut poll_main: impl FnMut() -> bool,
) -> (Core, Exit) {
    let worker = Rc::new(Worker {
        index: 0,
        local: core.local,
        lifo: Cell::new(None),
        no_lifo: Cell::new(true),
    });
    let parker = core.parker;
    let exit = {
        let _context = context::enter(Context {
            shared: shared.clone(),
            worker: Some(worker.clone()),
        });
        let _hook =
            spindle_core::loop_hook::enter_loop(std::sync::Arc::new(LoopRef(shared.clone())));
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
                break Exit::MainDone;
            }
            if stop {
                break Exit::Stopped;
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
    };
    let worker = Rc::try_unwrap(worker).unwrap_or_else(|_| unreachable!("the context was dropped"));
    (
        Core {
            local: worker.local,
            parker,
        },
        exit,
    )
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
