//! The driver's table of registered sources: a slab of [`Readiness`] keyed by the poller key.
//!
//! A key is reused only after its source was deleted from the poller, so the one race left is
//! an event for a source deregistered while another worker was already dispatching that event's
//! batch: the key then either names nothing (the event is dropped) or a newer source, which gets
//! one spurious readiness (its next operation says `WouldBlock` and clears it). Nothing waits
//! forever and nothing reads a freed source.

use super::readiness::{Direction, Readiness};
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
    pub(crate) fn dispatch(
        &self,
        key: usize,
        readable: bool,
        writable: bool,
        wake: &mut Vec<Waker>,
    ) {
        let Some(Some(readiness)) = self.slots.get(key) else {
            return;
        };
        if readable {
            readiness.set_ready(Direction::Read, wake);
        }
        if writable {
            readiness.set_ready(Direction::Write, wake);
        }
    }
}
