//! `WaitList<T>`: the FIFO of parked waiters every primitive here is built on.
//!
//! Nodes live in a slab (a `Vec` with a free list) and link to each other by index, so a waiter
//! costs no heap allocation once the slab has grown to the peak number of waiters, removal from
//! the middle (a dropped future) is O(1), and there is no `unsafe`. The list is always used under
//! its owner's mutex; wakers are returned to the caller, to be woken after unlocking.
//!
//! A node's life:
//!
//! | state      | reached by                  | left by                                              |
//! |------------|-----------------------------|------------------------------------------------------|
//! | `Waiting`  | [`WaitList::push`]          | `notify_*` (→ `Notified`), [`WaitList::remove`] (→ free) |
//! | `Notified` | `notify_*`, handed a value  | [`WaitList::take`] or [`WaitList::remove`] (→ free), both give the value back |
//! | free       | `take`, `remove`            | reused by a later `push`                             |
//!
//! A waiter's key is owned by exactly one future, and only that future frees the node, so a key
//! never names a reused node.

use std::task::Waker;

/// The handle a waiting future keeps to find its node again.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct WaiterKey(usize);

enum Slot<T> {
    Waiting {
        waker: Waker,
        prev: Option<usize>,
        next: Option<usize>,
    },
    Notified(T),
    Free {
        next_free: Option<usize>,
    },
}

/// A FIFO of waiters, each eventually handed a `T` (a permit, an item, a wake-up).
pub(crate) struct WaitList<T> {
    slots: Vec<Slot<T>>,
    free: Option<usize>,
    head: Option<usize>,
    tail: Option<usize>,
    waiting: usize,
}

impl<T> WaitList<T> {
    pub(crate) const fn new() -> WaitList<T> {
        WaitList {
            slots: Vec::new(),
            free: None,
            head: None,
            tail: None,
            waiting: 0,
        }
    }

    /// How many waiters are still waiting (not yet notified).
    pub(crate) fn len(&self) -> usize {
        self.waiting
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.waiting == 0
    }

    /// Queues a waiter at the back.
    pub(crate) fn push(&mut self, waker: Waker) -> WaiterKey {
        let slot = Slot::Waiting {
            waker,
            prev: self.tail,
            next: None,
        };
        let index = match self.free {
            Some(index) => {
                let Slot::Free { next_free } = self.slots[index] else {
                    unreachable!("free list holds a used slot")
                };
                self.free = next_free;
                self.slots[index] = slot;
                index
            }
            None => {
                self.slots.push(slot);
                self.slots.len() - 1
            }
        };
        match self.tail {
            Some(tail) => self.set_next(tail, Some(index)),
            None => self.head = Some(index),
        }
        self.tail = Some(index);
        self.waiting += 1;
        WaiterKey(index)
    }

    /// Replaces the waker of a waiting node (a future polled by a different task).
    pub(crate) fn update_waker(&mut self, key: &WaiterKey, new: &Waker) {
        if let Slot::Waiting { waker, .. } = &mut self.slots[key.0] {
            if !waker.will_wake(new) {
                *waker = new.clone();
            }
        }
    }

    /// Hands `value` to the oldest waiter; returns its waker (wake it after unlocking), or gives
    /// `value` back when nobody waits.
    pub(crate) fn notify_one(&mut self, value: T) -> Result<Waker, T> {
        let Some(index) = self.head else {
            return Err(value);
        };
        let waker = self.unlink(index);
        self.slots[index] = Slot::Notified(value);
        Ok(waker)
    }

    /// The value the waiter was handed (freeing its node), or `None` while it still waits.
    pub(crate) fn take(&mut self, key: &WaiterKey) -> Option<T> {
        if matches!(self.slots[key.0], Slot::Waiting { .. }) {
            return None;
        }
        self.release(key.0)
    }

    /// The waiter is going away (its future was dropped): frees its node. If it had already
    /// been handed a value, that value is returned so the caller can pass it to the next waiter.
    pub(crate) fn remove(&mut self, key: WaiterKey) -> Option<T> {
        if matches!(self.slots[key.0], Slot::Waiting { .. }) {
            drop(self.unlink(key.0));
            self.slots[key.0] = Slot::Free {
                next_free: self.free,
            };
            self.free = Some(key.0);
            return None;
        }
        self.release(key.0)
    }

    fn release(&mut self, index: usize) -> Option<T> {
        let slot = std::mem::replace(
            &mut self.slots[index],
            Slot::Free {
                next_free: self.free,
            },
        );
        self.free = Some(index);
        match slot {
            Slot::Notified(value) => Some(value),
            Slot::Waiting { .. } => None,
            Slot::Free { .. } => unreachable!("a waiter key names a free slot"),
        }
    }

    /// Takes a waiting node out of the FIFO (it stays allocated) and returns its waker.
    fn unlink(&mut self, index: usize) -> Waker {
        let Slot::Waiting { prev, next, .. } = self.slots[index] else {
            unreachable!("unlinking a node that is not waiting")
        };
        match prev {
            Some(prev) => self.set_next(prev, next),
            None => self.head = next,
        }
        match next {
            Some(next) => self.set_prev(next, prev),
            None => self.tail = prev,
        }
        self.waiting -= 1;
        let placeholder = Slot::Free { next_free: None };
        match std::mem::replace(&mut self.slots[index], placeholder) {
            Slot::Waiting { waker, .. } => waker,
            _ => unreachable!(),
        }
    }

    fn set_next(&mut self, index: usize, to: Option<usize>) {
        if let Slot::Waiting { next, .. } = &mut self.slots[index] {
            *next = to;
        }
    }

    fn set_prev(&mut self, index: usize, to: Option<usize>) {
        if let Slot::Waiting { prev, .. } = &mut self.slots[index] {
            *prev = to;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waker() -> Waker {
        Waker::noop().clone()
    }

    #[test]
    fn notifies_in_fifo_order_and_reuses_slots() {
        let mut list = WaitList::new();
        let keys: Vec<_> = (0..3).map(|_| list.push(waker())).collect();
        assert_eq!(list.len(), 3);
        for value in 0..3 {
            assert!(list.notify_one(value).is_ok());
        }
        assert!(
            list.notify_one(9).is_err(),
            "nobody left: the value comes back"
        );
        let got: Vec<_> = keys.iter().map(|k| list.take(k)).collect();
        assert_eq!(got, vec![Some(0), Some(1), Some(2)]);
        let _again = list.push(waker());
        assert_eq!(list.slots.len(), 3, "a freed slot is reused, not a new one");
    }

    #[test]
    fn removing_from_the_middle_keeps_the_order() {
        let mut list = WaitList::new();
        let a = list.push(waker());
        let b = list.push(waker());
        let c = list.push(waker());
        assert_eq!(list.remove(b), None);
        assert!(list.notify_one('x').is_ok());
        assert!(list.notify_one('y').is_ok());
        assert_eq!((list.take(&a), list.take(&c)), (Some('x'), Some('y')));
        assert!(list.is_empty());
    }

    #[test]
    fn a_removed_notified_waiter_gives_its_value_back() {
        let mut list = WaitList::new();
        let a = list.push(waker());
        assert!(list.notify_one(7).is_ok());
        assert_eq!(list.remove(a), Some(7));
    }

    #[test]
    fn take_while_waiting_is_none() {
        let mut list: WaitList<()> = WaitList::new();
        let a = list.push(waker());
        assert_eq!(list.take(&a), None);
        assert_eq!(list.remove(a), None);
    }
}
