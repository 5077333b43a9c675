//! The current-thread run loop: asyncio's `_run_once`, iteration after iteration.
//!
//! One iteration runs exactly the callbacks and task steps that were ready when it started
//! (in FIFO order: everything goes through one queue), then polls the main future if it was
//! woken, then waits on the driver: not at all if work is ready, until the next timer or a
//! wake-up otherwise. Timers fire in deadline order (equal deadlines in scheduling order) into
//! the same queue, so the next iteration runs them in that order. `stop()` ends the loop
//! after the current iteration, as in asyncio.

use crate::context;
use crate::lend::LentCore;
use crate::loom::Arc;
use crate::run::Exit;
use crate::shared::Shared;
use std::time::Duration;

/// Runs iterations until `stop()` or until `poll_main` (called when the main future was
/// woken) returns `true`. The loop's core is taken for the run and put back when it ends, also
/// when `poll_main` panics: the loop stays usable after a panicking main future.
pub(crate) fn run(shared: &Arc<Shared>, mut poll_main: impl FnMut() -> bool) -> Exit {
    let lent = LentCore::take(shared, true);
    let parker = lent.parker();
    let _entered = context::enter_worker(shared, lent.worker());
    loop {
        let ready = shared.injector.len();
        for _ in 0..ready {
            match shared.injector.pop() {
                Some(task) => task.run(),
                None => break,
            }
        }
        let (woken, stop) = shared.take_run_flags();
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
        let (woken, stop) = shared.peek_run_flags();
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
