//! `Readiness`: what the driver knows about one registered source, per direction.
//!
//! Sources are registered edge-triggered: the poller reports a direction when it *becomes*
//! ready, not while it stays ready. So the state must remember readiness until an operation
//! proves it gone, and must not forget an event that lands while that operation runs.
//!
//! Per direction, `ready` and `tick`; the read direction also has `read_closed`, set when the
//! poller says the read side is closed (the peer shut its write side, a hang-up, an error:
//! `EPOLLRDHUP | EPOLLHUP | EPOLLERR`, only where the backend reports them):
//!
//! | step                                         | `ready`  | `read_closed`   | `tick` |
//! |----------------------------------------------|----------|-----------------|--------|
//! | registered                                   | `true` (unknown: try the operation) | `false` | 0 |
//! | event from the poller                        | `true`, waiters woken | unchanged | +1 |
//! | event with `read_closed` (read direction)    | `true`, waiters woken | `true`    | +1 |
//! | operation drained the buffer (`clear_ready`: a short read or write) | `false` | **kept** | — |
//! | operation says `WouldBlock` (`clear_would_block`) | `false` | `false` | — |
//! | deregistered (`close`)                       | waiters woken; ready from now on   | — | — |
//!
//! Both clears act only if `tick` is still the one read before the operation. `poll_ready`
//! says ready while `ready || read_closed || closed`.
//!
//! The tick check is what makes a readiness event never lost: an event between "the read
//! returned `WouldBlock`" and "clear the flag" has bumped the tick, so the flag stays set and
//! the next attempt runs at once.
//!
//! `read_closed` is sticky against `clear_ready` because a closed read side raises no further
//! edge: when data and the end of file arrive together, a short read returns the data and
//! clears `ready`, and only `read_closed` lets the next read run and see the end of file (0)
//! or the error. A closed read side stays readable, as `poll(2)` says. It is cleared by a
//! `WouldBlock` only: a read side really closed never says `WouldBlock` (the kernel returns 0
//! or the error), so one that does proves the flag stale. That happens when the poller
//! reported a hang-up for a socket not yet connected (a TCP socket registered before its
//! `connect` is in state `CLOSE`: `EPOLLHUP`), or an event for a reused key reached a newer
//! source (`registry.rs`). Without that clear such a source would spin: always ready,
//! always `WouldBlock`.

use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

/// Read or write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    Read = 0,
    Write = 1,
}

#[derive(Default)]
struct State {
    ready: bool,
    /// Read direction only: the poller reported the read side closed (see the module doc).
    read_closed: bool,
    tick: u64,
    /// Tasks waiting for this direction (usually one; a `Vec` keeps several correct).
    waiters: Vec<Waker>,
    /// The source was deregistered (the driver is gone or the source closed): waiters return.
    closed: bool,
}

/// Per-source readiness, shared by the source and the driver's registry.
pub(crate) struct Readiness {
    directions: [Mutex<State>; 2],
}

impl Readiness {
    pub(crate) fn new() -> Readiness {
        let fresh = || {
            Mutex::new(State {
                ready: true,
                ..State::default()
            })
        };
        Readiness {
            directions: [fresh(), fresh()],
        }
    }

    fn state(&self, direction: Direction) -> std::sync::MutexGuard<'_, State> {
        // Nothing panics under these locks; a poisoned one still holds consistent state.
        self.directions[direction as usize]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The poller reported `direction` ready: record it and hand the waiters' wakers to the
    /// caller (woken after the registry lock is released).
    pub(crate) fn set_ready(&self, direction: Direction, wake: &mut Vec<Waker>) {
        let mut state = self.state(direction);
        state.ready = true;
        state.tick = state.tick.wrapping_add(1);
        wake.append(&mut state.waiters);
    }

    /// The poller reported the read side closed: like `set_ready(Read)`, and the readiness
    /// stays until a read says `WouldBlock` ([`clear_ready`](Readiness::clear_ready) keeps it).
    pub(crate) fn set_read_closed(&self, wake: &mut Vec<Waker>) {
        let mut state = self.state(Direction::Read);
        state.read_closed = true;
        state.ready = true;
        state.tick = state.tick.wrapping_add(1);
        wake.append(&mut state.waiters);
    }

    /// `Ready(tick)` when `direction` may be ready (or its read side is closed, or the source
    /// is deregistered); otherwise the task's waker is kept until an event arrives.
    pub(crate) fn poll_ready(&self, direction: Direction, cx: &mut Context<'_>) -> Poll<u64> {
        let mut state = self.state(direction);
        if state.ready || state.read_closed || state.closed {
            return Poll::Ready(state.tick);
        }
        if !state.waiters.iter().any(|w| w.will_wake(cx.waker())) {
            state.waiters.push(cx.waker().clone());
        }
        Poll::Pending
    }

    /// An operation emptied (or filled) the kernel's buffer for `direction` after reading
    /// `tick`: clear the flag unless an event arrived in between. A closed read side stays
    /// readable: `read_closed` is never cleared here.
    pub(crate) fn clear_ready(&self, direction: Direction, tick: u64) {
        let mut state = self.state(direction);
        if state.tick == tick && !state.closed {
            state.ready = false;
        }
    }

    /// An operation said `WouldBlock` after reading `tick`: clear the flag, and
    /// `read_closed` with it (a closed read side never says `WouldBlock`: the flag was
    /// stale), unless an event arrived in between.
    pub(crate) fn clear_would_block(&self, direction: Direction, tick: u64) {
        let mut state = self.state(direction);
        if state.tick == tick && !state.closed {
            state.ready = false;
            state.read_closed = false;
        }
    }

    /// The source is leaving the poller: release every waiter so none waits forever.
    pub(crate) fn close(&self) -> Vec<Waker> {
        let mut wake = Vec::new();
        for direction in [Direction::Read, Direction::Write] {
            let mut state = self.state(direction);
            state.closed = true;
            wake.append(&mut state.waiters);
        }
        wake
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poll(readiness: &Readiness, direction: Direction) -> Poll<u64> {
        readiness.poll_ready(direction, &mut Context::from_waker(Waker::noop()))
    }

    /// Readiness that an operation found gone: a fresh source, cleared by a `WouldBlock`.
    fn idle() -> Readiness {
        let readiness = Readiness::new();
        for direction in [Direction::Read, Direction::Write] {
            let Poll::Ready(tick) = poll(&readiness, direction) else {
                panic!("a fresh source is ready");
            };
            readiness.clear_would_block(direction, tick);
            assert_eq!(poll(&readiness, direction), Poll::Pending);
        }
        readiness
    }

    #[test]
    fn a_short_read_clears_readiness_but_not_a_closed_read_side() {
        let readiness = idle();
        let mut wake = Vec::new();
        readiness.set_ready(Direction::Read, &mut wake);
        let Poll::Ready(tick) = poll(&readiness, Direction::Read) else {
            panic!("an event makes it ready");
        };
        readiness.clear_ready(Direction::Read, tick);
        assert_eq!(poll(&readiness, Direction::Read), Poll::Pending);

        // Data and end of file together: the event says read closed; the short read that
        // returns the data clears `ready`, and the source stays readable for the 0 to come.
        readiness.set_read_closed(&mut wake);
        let Poll::Ready(tick) = poll(&readiness, Direction::Read) else {
            panic!("a closed read side is ready");
        };
        readiness.clear_ready(Direction::Read, tick);
        let Poll::Ready(tick) = poll(&readiness, Direction::Read) else {
            panic!("a closed read side stays ready across clear_ready");
        };
        readiness.clear_ready(Direction::Read, tick);
        assert!(poll(&readiness, Direction::Read).is_ready());
        // The write direction is not affected by a closed read side.
        assert_eq!(poll(&readiness, Direction::Write), Poll::Pending);
    }

    #[test]
    fn a_would_block_clears_a_stale_read_closed_unless_an_event_came_meanwhile() {
        let readiness = idle();
        let mut wake = Vec::new();
        readiness.set_read_closed(&mut wake);
        let Poll::Ready(tick) = poll(&readiness, Direction::Read) else {
            panic!("a closed read side is ready");
        };
        // An event during the operation keeps everything.
        readiness.set_ready(Direction::Read, &mut wake);
        readiness.clear_would_block(Direction::Read, tick);
        let Poll::Ready(tick) = poll(&readiness, Direction::Read) else {
            panic!("an event since the operation keeps the readiness");
        };
        // With no event since, the WouldBlock proves the flag stale.
        readiness.clear_would_block(Direction::Read, tick);
        assert_eq!(poll(&readiness, Direction::Read), Poll::Pending);
    }

    #[test]
    fn an_event_during_a_short_read_keeps_the_readiness() {
        let readiness = idle();
        let mut wake = Vec::new();
        readiness.set_ready(Direction::Read, &mut wake);
        let Poll::Ready(tick) = poll(&readiness, Direction::Read) else {
            panic!("ready");
        };
        readiness.set_ready(Direction::Read, &mut wake);
        readiness.clear_ready(Direction::Read, tick);
        assert!(poll(&readiness, Direction::Read).is_ready());
    }

    #[test]
    fn waiters_are_handed_back_by_events_and_close() {
        let readiness = idle();
        assert_eq!(poll(&readiness, Direction::Read), Poll::Pending);
        let mut wake = Vec::new();
        readiness.set_read_closed(&mut wake);
        assert!(!wake.is_empty(), "the read-closed event wakes the reader");
        assert_eq!(poll(&readiness, Direction::Write), Poll::Pending);
        assert!(!readiness.close().is_empty(), "close wakes the writer");
        assert!(poll(&readiness, Direction::Write).is_ready());
    }
}
