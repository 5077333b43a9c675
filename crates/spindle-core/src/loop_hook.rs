//! The loop a thread belongs to, as far as the core needs to know: somewhere to `call_soon`.
//!
//! Schedulers install their hook on their worker threads ([`enter_loop`]); a [`Promise`]
//! created there schedules its done callbacks through it, like asyncio's `Future` does with
//! its loop. The core itself starts no thread and knows nothing else about loops.
//!
//! [`Promise`]: crate::Promise

use std::cell::RefCell;
use std::sync::Arc;

/// Where done callbacks of futures created on this thread are scheduled.
pub trait LoopHook: Send + Sync + 'static {
    /// Runs `f` soon on the loop, never inside this call. A closed loop drops `f`.
    fn call_soon(&self, f: Box<dyn FnOnce() + Send>);
}

// The loom shim's `thread_local!`: under loom, model threads share one OS thread, and each
// must see its own hook. (Not `const { .. }`: loom's macro lacks it.)
crate::loom::thread_local! {
    #[allow(clippy::missing_const_for_thread_local)]
    static CURRENT: RefCell<Option<Arc<dyn LoopHook>>> = RefCell::new(None);
}

/// Makes `hook` this thread's loop until the guard drops.
pub fn enter_loop(hook: Arc<dyn LoopHook>) -> LoopGuard {
    LoopGuard {
        previous: CURRENT.with(|c| c.replace(Some(hook))),
    }
}

/// This thread's loop hook, if a loop runs here.
pub fn current_loop() -> Option<Arc<dyn LoopHook>> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Restores the previous loop hook on drop.
#[must_use = "the loop is only current while the guard lives"]
pub struct LoopGuard {
    previous: Option<Arc<dyn LoopHook>>,
}

impl Drop for LoopGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        CURRENT.with(|c| *c.borrow_mut() = previous);
    }
}

impl std::fmt::Debug for LoopGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LoopGuard")
    }
}
