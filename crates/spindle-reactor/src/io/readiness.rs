//! `Readiness`: what the driver knows about one registered source, per direction.
//!
//! Sources are registered edge-triggered: the poller reports a direction when it *becomes*
//! ready, not while it stays ready. So the state must remember readiness until an operation
//! proves it gone, and must not forget an event that lands while that operation runs:
//!
//! | step                          | `ready` | `tick` |
//! |-------------------------------|---------|--------|
//! | registered                    | `true` (unknown: try the operation) | 0 |
//! | event from the poller         | `true`, waiters woken               | +1 |
//! | operation says `WouldBlock`   | `false`, only if `tick` is still the one read before the operation | — |
//!
//! The tick check is what makes a readiness event never lost: an event between "the read
//! returned `WouldBlock`" and "clear the flag" has bumped the tick, so the flag stays set and
//! the next attempt runs at once.

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

    /// `Ready(tick)` when `direction` may be ready (or the source is closed); otherwise the
    /// task's waker is kept until an event arrives.
    pub(crate) fn poll_ready(&self, direction: Direction, cx: &mut Context<'_>) -> Poll<u64> {
        let mut state = self.state(direction);
        if state.ready || state.closed {
            return Poll::Ready(state.tick);
        }
        if !state.waiters.iter().any(|w| w.will_wake(cx.waker())) {
            state.waiters.push(cx.waker().clone());
        }
        Poll::Pending
    }

    /// An operation found `direction` not ready after reading `tick`: clear the flag unless an
    /// event arrived in between.
    pub(crate) fn clear_ready(&self, direction: Direction, tick: u64) {
        let mut state = self.state(direction);
        if state.tick == tick && !state.closed {
            state.ready = false;
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
