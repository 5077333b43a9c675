//! The primitives are `Send`, `Sync` and unwind safe, as they were over `std::sync::Mutex`
//! before their state lock became `spindle_core::spin_lock::SpinLock`.

use spindle_sync::{Barrier, Event, PriorityQueue, Queue, Semaphore};
use std::panic::{RefUnwindSafe, UnwindSafe};

#[test]
fn primitives_stay_send_sync_and_unwind_safe() {
    fn check<T: Send + Sync + UnwindSafe + RefUnwindSafe>() {}
    check::<Semaphore>();
    check::<Event>();
    check::<Barrier>();
    check::<Queue<u8>>();
    check::<PriorityQueue<u8>>();
}
