//! Which task this thread is polling right now, for `current_task()`.

use super::header::Header;
use super::raw::TaskRef;
use std::cell::Cell;
use std::ptr::NonNull;

crate::loom::thread_local! {
    // loom's `thread_local!` takes no `const { .. }` initialiser, and the shim serves both.
    #[allow(clippy::missing_const_for_thread_local)]
    static CURRENT: Cell<Option<NonNull<Header>>> = Cell::new(None);
}

/// Restores the previously current task on drop (polls nest when a task runs a loop's
/// callback inline, never otherwise, but the guard keeps it right either way).
pub(crate) struct Entered {
    previous: Option<NonNull<Header>>,
}

pub(crate) fn enter_task(ptr: NonNull<Header>) -> Entered {
    Entered {
        previous: CURRENT.with(|c| c.replace(Some(ptr))),
    }
}

impl Drop for Entered {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.previous));
    }
}

/// The task being polled on this thread, asyncio's `current_task()`; `None` outside a task.
pub fn current_task() -> Option<TaskRef> {
    let ptr = CURRENT.with(Cell::get)?;
    // SAFETY: the poller holds a reference for the whole poll, and the guard unsets the slot
    // before that reference is released.
    let header = unsafe { ptr.as_ref() };
    if header.vtable.callback {
        // asyncio: inside a `call_soon` callback no task is current.
        return None;
    }
    header.state.ref_inc();
    // SAFETY: the reference was just counted.
    Some(unsafe { TaskRef::from_raw(ptr) })
}
