//! The core lent to the thread inside `run_*`: worker 0's queue and parker, kept in
//! `Shared::run_core` between runs. The run thread takes it when a run starts and gives it back
//! when the run ends, however it ends (a panicking main future included), so the loop stays
//! usable for the next run.

use crate::context::Worker;
use crate::loom::lock;
use crate::park::Parker;
use crate::shared::{Core, Shared};
use std::rc::Rc;

/// Worker 0's core, on loan to the run thread until this drops.
///
/// Drop it after everything that holds a clone of [`LentCore::worker`] (the thread's context,
/// the worker loop): declare it first.
pub(crate) struct LentCore<'a> {
    shared: &'a Shared,
    /// `Some` until the drop gives the core back.
    parts: Option<(Rc<Worker>, Parker)>,
}

impl<'a> LentCore<'a> {
    /// Takes worker 0's core; `fifo_only` as in [`Worker::new`].
    ///
    /// # Panics
    /// If another run holds it (`run.rs` admits one run at a time, so it never does).
    pub(crate) fn take(shared: &'a Shared, fifo_only: bool) -> LentCore<'a> {
        let core = lock(&shared.run_core)
            .take()
            .expect("an active run owns the core");
        let worker = Rc::new(Worker::new(0, core.local, fifo_only));
        LentCore {
            shared,
            parts: Some((worker, core.parker)),
        }
    }

    /// The worker the run thread is for the run.
    pub(crate) fn worker(&self) -> &Rc<Worker> {
        &self.parts.as_ref().expect("lent until dropped").0
    }

    /// Worker 0's parker.
    pub(crate) fn parker(&self) -> &Parker {
        &self.parts.as_ref().expect("lent until dropped").1
    }
}

impl Drop for LentCore<'_> {
    fn drop(&mut self) {
        let Some((worker, parker)) = self.parts.take() else {
            return;
        };
        let worker = match Rc::try_unwrap(worker) {
            Ok(worker) => worker,
            Err(_) => unreachable!("a holder of the lent worker outlived the run"),
        };
        // A task in the LIFO slot waits at the back of the queue: the next run runs it (any
        // worker may steal it then), `close()` cancels it.
        if let Some(task) = worker.lifo.take() {
            self.shared.push_local_quiet(&worker, task);
        }
        *lock(&self.shared.run_core) = Some(Core {
            local: worker.local,
            parker,
        });
    }
}
