//! Which workers sleep and how many search: the rules that make a wake-up never lost and a
//! single spawn not wake every core.
//!
//! A worker is *running* (has work), *searching* (out of local work, stealing), or *sleeping*
//! (registered in `sleepers`, parked). The protocol, in the spirit of tokio's:
//!
//! 1. A producer queues work, then [`Idle::worker_to_notify`]: after a `SeqCst` fence, if any
//!    worker is searching it does nothing (that searcher will see the work); otherwise it pops
//!    a sleeper, counts it as searching, and the caller unparks it.
//! 2. A worker going to sleep first registers in `sleepers` and stops searching
//!    ([`Idle::register_sleeper`]), then fences and checks every queue once more. Either the
//!    producer saw it registered (and wakes it) or its re-check sees the work (Dekker's
//!    pattern on `searching`/`sleepers` versus the queues).
//! 3. The last searcher to find work wakes another one ([`Idle::stop_searching`] returns
//!    `true`), because producers skipped their notification while it was searching.
//! 4. At most half the workers search at once ([`Idle::try_start_searching`]).

use crate::loom::{fence, lock, AtomicUsize, Mutex, Ordering::SeqCst};

pub(crate) struct Idle {
    workers: usize,
    searching: AtomicUsize,
    sleeping: AtomicUsize,
    sleepers: Mutex<Sleepers>,
}

struct Sleepers {
    stack: Vec<usize>,
    asleep: Vec<bool>,
}

impl Idle {
    pub(crate) fn new(workers: usize) -> Idle {
        Idle {
            workers,
            searching: AtomicUsize::new(0),
            sleeping: AtomicUsize::new(0),
            sleepers: Mutex::new(Sleepers {
                stack: Vec::with_capacity(workers),
                asleep: vec![false; workers],
            }),
        }
    }

    /// Rule 1: after queueing work, which sleeper (if any) must be unparked.
    pub(crate) fn worker_to_notify(&self) -> Option<usize> {
        fence(SeqCst);
        if self.searching.load(SeqCst) != 0 || self.sleeping.load(SeqCst) == 0 {
            return None;
        }
        let mut sleepers = lock(&self.sleepers);
        if self.searching.load(SeqCst) != 0 {
            return None;
        }
        self.pop(&mut sleepers)
    }

    /// Wakes a sleeper regardless of searchers (the driver hand-off, rule of `worker.rs`).
    pub(crate) fn any_sleeper(&self) -> Option<usize> {
        if self.sleeping.load(SeqCst) == 0 {
            return None;
        }
        self.pop(&mut lock(&self.sleepers))
    }

    fn pop(&self, sleepers: &mut Sleepers) -> Option<usize> {
        let index = sleepers.stack.pop()?;
        sleepers.asleep[index] = false;
        self.sleeping.fetch_sub(1, SeqCst);
        self.searching.fetch_add(1, SeqCst);
        Some(index)
    }

    /// Rule 4.
    pub(crate) fn try_start_searching(&self) -> bool {
        let searching = self.searching.load(SeqCst);
        if 2 * searching >= self.workers.max(2) {
            return false;
        }
        self.searching.fetch_add(1, SeqCst);
        true
    }

    /// Rule 3: `true` when the caller was the last searcher and must notify another worker.
    pub(crate) fn stop_searching(&self) -> bool {
        self.searching.fetch_sub(1, SeqCst) == 1
    }

    /// Rule 2, first half: registers `index` as sleeping (and no longer searching). The
    /// caller then re-checks the queues (this function ends with the fence).
    pub(crate) fn register_sleeper(&self, index: usize, was_searching: bool) {
        {
            let mut sleepers = lock(&self.sleepers);
            sleepers.stack.push(index);
            sleepers.asleep[index] = true;
            self.sleeping.fetch_add(1, SeqCst);
        }
        if was_searching {
            self.searching.fetch_sub(1, SeqCst);
        }
        fence(SeqCst);
    }

    /// After a park (or a re-check that found work): takes `index` out of the sleepers if it
    /// is still there. Returns `true` when a notifier had popped it, counting it as searching.
    pub(crate) fn unregister_sleeper(&self, index: usize) -> bool {
        let mut sleepers = lock(&self.sleepers);
        if !sleepers.asleep[index] {
            return true;
        }
        sleepers.asleep[index] = false;
        sleepers.stack.retain(|&i| i != index);
        self.sleeping.fetch_sub(1, SeqCst);
        false
    }
}
