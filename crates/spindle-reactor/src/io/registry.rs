//! The driver's table of registered sources: a slab of [`Readiness`] keyed by the poller key.
//!
//! A key is reused only after its source was deleted from the poller, so the one race left is
//! an event for a source deregistered while another worker was already dispatching that event's
//! batch: the key then either names nothing (the event is dropped) or a newer source, which gets
//! one spurious readiness (its next operation says `WouldBlock` and clears it, a stale "read
//! closed" included: see `readiness.rs`). Nothing waits forever and nothing reads a freed
//! source.

use super::readiness::{Direction, Readiness};
use crate::backend::Event;
use std::sync::Arc;
use std::task::Waker;

#[derive(Default)]
pub(crate) struct Registry {
    slots: Vec<Option<Arc<Readiness>>>,
    free: Vec<usize>,
}

impl Registry {
    /// A new entry and its key.
    pub(crate) fn insert(&mut self) -> (usize, Arc<Readiness>) {
        let readiness = Arc::new(Readiness::new());
        let key = match self.free.pop() {
            Some(key) => {
                self.slots[key] = Some(readiness.clone());
                key
            }
            None => {
                self.slots.push(Some(readiness.clone()));
                self.slots.len() - 1
            }
        };
        (key, readiness)
    }

    pub(crate) fn remove(&mut self, key: usize) {
        if self.slots.get_mut(key).and_then(Option::take).is_some() {
            self.free.push(key);
        }
    }

    /// Records one poller event, collecting the wakers to wake.
    pub(crate) fn dispatch(&self, event: Event, wake: &mut Vec<Waker>) {
        let Some(Some(readiness)) = self.slots.get(event.key) else {
            return;
        };
        if event.read_closed {
            readiness.set_read_closed(wake);
        } else if event.readable {
            readiness.set_ready(Direction::Read, wake);
        }
        if event.writable {
            readiness.set_ready(Direction::Write, wake);
        }
    }
}
