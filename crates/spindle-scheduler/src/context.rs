//! The thread-local view of "which loop, and which worker, is this thread?".
//!
//! Worker threads set it for their whole life; the thread inside `run_until_complete` /
//! `run_forever` sets it for the duration of the run. `EventLoop::current()`, `spawn` and the
//! worker-local fast paths of scheduling read it.

use crate::loom::{thread_local, Arc};
use crate::queue::Local;
use crate::schedule::LoopRef;
use crate::shared::Shared;
use spindle_core::Runnable;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// What a worker (or the current-thread run loop) owns on its thread.
pub(crate) struct Worker {
    pub(crate) index: usize,
    pub(crate) local: Local<Runnable>,
    /// The last task woken by this worker: run next, for message-passing locality.
    pub(crate) lifo: Cell<Option<Runnable>>,
    /// Set while firing timers: wakes then keep their order (local queue, not the LIFO slot).
    pub(crate) no_lifo: Cell<bool>,
}

impl Worker {
    /// Worker `index` on `local`; `fifo_only` turns the LIFO slot off for good (the
    /// current-thread loop keeps asyncio's order).
    pub(crate) fn new(index: usize, local: Local<Runnable>, fifo_only: bool) -> Worker {
        Worker {
            index,
            local,
            lifo: Cell::new(None),
            no_lifo: Cell::new(fifo_only),
        }
    }
}

/// A thread's context: the loop it belongs to, and the worker it is, if it is one.
#[derive(Clone)]
pub(crate) struct Context {
    pub(crate) shared: Arc<Shared>,
    pub(crate) worker: Option<Rc<Worker>>,
}

thread_local! {
    // Not `const { .. }`: loom's `thread_local!` (the same macro under `cfg(loom)`) lacks it.
    #[allow(clippy::missing_const_for_thread_local)]
    static CURRENT: RefCell<Option<Context>> = RefCell::new(None);
}

/// Installs `context`, and its loop's driver as the reactor's current one (for sleeps created
/// before the run), until the guard drops, restoring what was there.
pub(crate) fn enter(context: Context) -> Entered {
    let driver = spindle_reactor::context::enter(&context.shared.driver);
    let previous = CURRENT.with(|c| c.replace(Some(context)));
    Entered {
        previous: Some(previous),
        _driver: driver,
    }
}

/// Makes this thread `worker` of `shared` until the guard drops: the context (see [`enter`])
/// and the loop hook through which futures created here schedule their done callbacks.
pub(crate) fn enter_worker(shared: &Arc<Shared>, worker: &Rc<Worker>) -> WorkerEntered {
    let context = enter(Context {
        shared: shared.clone(),
        worker: Some(worker.clone()),
    });
    let hook = spindle_core::loop_hook::enter_loop(std::sync::Arc::new(LoopRef(shared.clone())));
    WorkerEntered {
        _hook: hook,
        _context: context,
    }
}

/// What [`enter_worker`] returns. Fields drop in order: the hook first, then the context, the
/// reverse of how they were entered.
pub(crate) struct WorkerEntered {
    _hook: spindle_core::loop_hook::LoopGuard,
    _context: Entered,
}

pub(crate) struct Entered {
    previous: Option<Option<Context>>,
    /// Restores the reactor's previous driver; fields drop after `Drop::drop` ran.
    _driver: spindle_reactor::context::Entered,
}

impl Drop for Entered {
    fn drop(&mut self) {
        if let Some(previous) = self.previous.take() {
            // The context may hold the last handle of a worker; drop it outside the borrow.
            let current = CURRENT.with(|c| c.replace(previous));
            drop(current);
        }
    }
}

/// Runs `f` with this thread's context, if any.
pub(crate) fn with<R>(f: impl FnOnce(Option<&Context>) -> R) -> R {
    CURRENT.with(|c| f(c.borrow().as_ref()))
}

/// This thread's loop, if any.
pub(crate) fn shared() -> Option<Arc<Shared>> {
    with(|c| c.map(|c| c.shared.clone()))
}

/// `true` when this thread is a worker (or the run thread) of `shared`.
pub(crate) fn is_worker_of(shared: &Arc<Shared>) -> bool {
    with(|c| c.is_some_and(|c| c.worker.is_some() && Arc::ptr_eq(&c.shared, shared)))
}

/// `true` when this thread is a worker of any loop.
pub(crate) fn is_any_worker() -> bool {
    with(|c| c.is_some_and(|c| c.worker.is_some()))
}
