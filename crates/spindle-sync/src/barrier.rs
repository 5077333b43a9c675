//! `Barrier`: asyncio's `Barrier`, releasing `parties` tasks together, round after round.
//!
//! The waiters of the filling round sit in a [`WaitList`] whose length is the arrival count, so
//! a waiter whose future is dropped before the barrier fills leaves the list and its arrival no
//! longer counts: the barrier never trips with fewer than `parties` tasks present. The task that
//! fills the barrier trips it at once: it hands every queued waiter its index, in arrival order
//! (`0..parties - 1`, dense even after departures), keeps `parties - 1` for itself, and the
//! barrier is empty again for the next round. A waiter dropped after the trip changes nothing.
//!
//! Unlike CPython there is no "draining" phase to block new arrivals in: the results of a round
//! are in the waiters' nodes before the next round can start, so the rounds cannot mix.

use crate::loom::{lock, Mutex};
use crate::wait_list::{WaitList, WaiterKey};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// asyncio's `Barrier`: `wait().await` returns once `parties` tasks are waiting.
///
/// ```
/// use futures_lite::future::{block_on, zip};
/// use spindle_sync::Barrier;
///
/// let barrier = Barrier::new(2);
/// let (a, b) = block_on(zip(barrier.wait(), barrier.wait()));
/// assert_eq!((a, b), (Ok(0), Ok(1))); // arrival indices
/// ```
pub struct Barrier {
    parties: usize,
    state: Mutex<State>,
}

struct State {
    /// Set by [`Barrier::abort`]; cleared by [`Barrier::reset`].
    broken: bool,
    /// The waiters of the round that is filling; each is handed its result.
    waiters: WaitList<Result<usize, BrokenBarrierError>>,
}

/// The barrier was aborted or reset while a task waited on it, or is broken (aborted) when a
/// task arrives: asyncio's `BrokenBarrierError`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BrokenBarrierError;

impl fmt::Display for BrokenBarrierError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the barrier is broken: it was aborted or reset while tasks waited on it")
    }
}

impl std::error::Error for BrokenBarrierError {}

impl Barrier {
    /// A barrier for `parties` tasks. `Barrier::new(0)` behaves as `Barrier::new(1)` (like
    /// `std::sync::Barrier`; asyncio raises `ValueError`): every `wait` returns at once.
    pub fn new(parties: usize) -> Barrier {
        Barrier {
            parties: parties.max(1),
            state: Mutex::new(State {
                broken: false,
                waiters: WaitList::new(),
            }),
        }
    }

    /// Waits until `parties` tasks wait, then returns this task's arrival index in
    /// `0..parties` (the last to arrive gets `parties - 1`), or `Err` if the barrier is broken
    /// or is aborted or reset meanwhile.
    ///
    /// Dropping the future before the barrier fills withdraws this arrival.
    pub fn wait(&self) -> BarrierWait<'_> {
        BarrierWait {
            barrier: self,
            key: None,
        }
    }

    /// Breaks the barrier: current and future waiters get `Err(BrokenBarrierError)` until
    /// [`reset`](Barrier::reset).
    pub fn abort(&self) {
        let mut state = lock(&self.state);
        state.broken = true;
        let wakers = release_all(&mut state.waiters, |_| Err(BrokenBarrierError));
        drop(state);
        wakers.into_iter().for_each(Waker::wake);
    }

    /// Returns the barrier to its empty, unbroken state; tasks waiting now get
    /// `Err(BrokenBarrierError)`.
    pub fn reset(&self) {
        let mut state = lock(&self.state);
        state.broken = false;
        let wakers = release_all(&mut state.waiters, |_| Err(BrokenBarrierError));
        drop(state);
        wakers.into_iter().for_each(Waker::wake);
    }

    /// How many tasks the barrier releases together.
    pub fn parties(&self) -> usize {
        self.parties
    }

    /// How many tasks wait in the filling round right now.
    pub fn n_waiting(&self) -> usize {
        lock(&self.state).waiters.len()
    }

    /// Whether the barrier is broken (aborted and not reset).
    pub fn broken(&self) -> bool {
        lock(&self.state).broken
    }
}

/// Hands every waiter `result(its arrival index)`, oldest first; returns their wakers, to be
/// woken after unlocking.
fn release_all(
    waiters: &mut WaitList<Result<usize, BrokenBarrierError>>,
    mut result: impl FnMut(usize) -> Result<usize, BrokenBarrierError>,
) -> Vec<Waker> {
    let mut wakers = Vec::with_capacity(waiters.len());
    for index in 0.. {
        match waiters.notify_one(result(index)) {
            Ok(waker) => wakers.push(waker),
            Err(_) => break,
        }
    }
    wakers
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = lock(&self.state);
        f.debug_struct("Barrier")
            .field("parties", &self.parties)
            .field("waiting", &state.waiters.len())
            .field("broken", &state.broken)
            .finish()
    }
}

/// The future of [`Barrier::wait`].
#[must_use = "futures do nothing unless awaited"]
pub struct BarrierWait<'a> {
    barrier: &'a Barrier,
    key: Option<WaiterKey>,
}

impl Future for BarrierWait<'_> {
    type Output = Result<usize, BrokenBarrierError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let barrier = self.barrier;
        let mut state = lock(&barrier.state);
        match &self.key {
            None => {
                if state.broken {
                    return Poll::Ready(Err(BrokenBarrierError));
                }
                if state.waiters.len() + 1 == barrier.parties {
                    let wakers = release_all(&mut state.waiters, Ok);
                    drop(state);
                    wakers.into_iter().for_each(Waker::wake);
                    return Poll::Ready(Ok(barrier.parties - 1));
                }
                let key = state.waiters.push(cx.waker().clone());
                drop(state);
                self.key = Some(key);
                Poll::Pending
            }
            Some(key) => match state.waiters.take(key) {
                Some(result) => {
                    drop(state);
                    self.key = None;
                    Poll::Ready(result)
                }
                None => {
                    state.waiters.update_waker(key, cx.waker());
                    Poll::Pending
                }
            },
        }
    }
}

impl Drop for BarrierWait<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            // Still waiting: leaving the list withdraws the arrival. Already released: the
            // round is over, nothing to give back.
            let _ = lock(&self.barrier.state).waiters.remove(key);
        }
    }
}

impl fmt::Debug for BarrierWait<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BarrierWait")
            .field("queued", &self.key.is_some())
            .finish()
    }
}
