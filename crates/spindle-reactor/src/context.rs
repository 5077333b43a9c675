//! The driver of the loop running on this thread, for futures created before they know it.
//!
//! A [`Sleep`](crate::Sleep) made with [`Sleep::until`](crate::Sleep::until) (what
//! `spindle::sleep` returns) finds its driver here at its first poll, so
//! `lp.run_until_complete(spindle::sleep(d))` works although `sleep(d)` is evaluated before the
//! run starts. The scheduler enters the driver on every thread that runs the loop.

use crate::driver::Driver;
use std::cell::RefCell;

crate::loom::thread_local! {
    // Not `const { .. }`: loom's `thread_local!` (the same macro under `cfg(loom)`) lacks it.
    #[allow(clippy::missing_const_for_thread_local)]
    static CURRENT: RefCell<Option<Driver>> = RefCell::new(None);
}

/// Makes `driver` this thread's current driver until the guard drops.
pub fn enter(driver: &Driver) -> Entered {
    let previous = CURRENT.with(|c| c.replace(Some(driver.clone())));
    Entered {
        previous: Some(previous),
    }
}

/// This thread's current driver, if a loop runs here.
pub fn current() -> Option<Driver> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Restores the previous current driver on drop.
#[must_use = "the driver is only current while the guard lives"]
#[derive(Debug)]
pub struct Entered {
    previous: Option<Option<Driver>>,
}

impl Drop for Entered {
    fn drop(&mut self) {
        if let Some(previous) = self.previous.take() {
            let current = CURRENT.with(|c| c.replace(previous));
            drop(current);
        }
    }
}
