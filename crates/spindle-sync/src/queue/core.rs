//! `GenericQueue<T, B>`: the state every queue flavour shares, its non-blocking operations,
//! `task_done` and `shutdown`. The futures (`get.rs`, `put.rs`, `join.rs`) re-enter it
//! through the `pub(super)` helpers at the bottom, always under the one lock.

use super::error::{
    GetNowaitError, PutNowaitError, QueueEmpty, QueueFull, QueueShutDown, TaskDoneError,
};
use super::{Buffer, QueueGet, QueueJoin, QueuePut, QueueStream};
use crate::loom::{lock, Mutex, MutexGuard};
use crate::wait_list::WaitList;
use std::fmt;
use std::marker::PhantomData;
use std::task::Waker;

/// asyncio's `Queue`, generic over where the items are kept; use it through
/// [`Queue`](crate::Queue), [`LifoQueue`](crate::LifoQueue) or
/// [`PriorityQueue`](crate::PriorityQueue).
///
/// Every method takes `&self`: share the queue by reference or in an `Arc`. It is `Send` and
/// `Sync` when the items are `Send`, and works under any executor.
///
/// - `maxsize` (`0` = unbounded) bounds [`qsize`](Self::qsize): [`put`](Self::put) waits
///   while the queue is full, [`put_nowait`](Self::put_nowait) refuses.
/// - Waiters are served first come, first served. A woken waiter re-checks the queue when it
///   runs; an operation that gets there first (as in asyncio) sends it back to wait.
/// - A dropped `get` or `put` future loses nothing: items leave the buffer only into the
///   future that returns them, and a wake-up it had received passes on to the next waiter.
/// - [`task_done`](Self::task_done) / [`join`](Self::join) count items put but not yet
///   processed; [`shutdown`](Self::shutdown) ends the queue (asyncio 3.13).
///
/// ```
/// use futures_lite::future::{block_on, zip};
/// use spindle_sync::Queue;
///
/// let queue = Queue::new(1);
/// let producer = async {
///     for n in 0..3 {
///         queue.put(n).await.unwrap(); // waits while the queue is full
///     }
///     queue.shutdown(false);
/// };
/// let consumer = async {
///     let mut seen = Vec::new();
///     while let Ok(n) = queue.get().await {
///         seen.push(n);
///         queue.task_done().unwrap();
///     }
///     seen
/// };
/// let ((), seen) = block_on(zip(producer, consumer));
/// assert_eq!(seen, [0, 1, 2]);
/// ```
pub struct GenericQueue<T, B> {
    maxsize: usize,
    state: Mutex<State<B>>,
    _items: PhantomData<fn(T) -> T>,
}

/// Everything that changes, under one lock so that each operation is one atomic step.
///
/// The three wait lists carry `()` tokens meaning "look again": a woken getter or putter
/// re-checks the buffer; a woken joiner returns (asyncio's `Event.wait()` returns once the
/// event was set, even if it was cleared since).
pub(super) struct State<B> {
    pub(super) items: B,
    pub(super) getters: WaitList<()>,
    pub(super) putters: WaitList<()>,
    pub(super) joiners: WaitList<()>,
    /// Items put and not yet marked done by `task_done` (asyncio's `_unfinished_tasks`).
    pub(super) unfinished: usize,
    pub(super) shutdown: bool,
}

impl<T, B: Buffer<T>> GenericQueue<T, B> {
    /// A queue on `buffer` holding at most `maxsize` items; `0` means unbounded.
    ///
    /// Items already in `buffer` count as put: `join` waits for their `task_done`. If there
    /// are more than `maxsize`, the queue stays full until gets bring it below.
    pub fn with_buffer(maxsize: usize, buffer: B) -> GenericQueue<T, B> {
        let unfinished = buffer.len();
        GenericQueue {
            maxsize,
            state: Mutex::new(State {
                items: buffer,
                getters: WaitList::new(),
                putters: WaitList::new(),
                joiners: WaitList::new(),
                unfinished,
                shutdown: false,
            }),
            _items: PhantomData,
        }
    }

    /// Puts `item`, waiting while the queue is full (asyncio's `await put(item)`).
    ///
    /// Fails with [`QueueShutDown`], handing `item` back, if the queue is shut down before
    /// the item went in (putters waiting at [`shutdown`](Self::shutdown) are woken with it).
    /// Dropping the future before it completes leaves the queue untouched.
    pub fn put(&self, item: T) -> QueuePut<'_, T, B> {
        QueuePut::new(self, item)
    }

    /// Puts `item` if there is room right now (asyncio's `put_nowait`); otherwise hands it
    /// back in [`PutNowaitError::Full`] or, after [`shutdown`](Self::shutdown),
    /// [`PutNowaitError::ShutDown`].
    pub fn put_nowait(&self, item: T) -> Result<(), PutNowaitError<T>> {
        let mut state = lock(&self.state);
        let getter = self.try_put(&mut state, item)?;
        drop(state);
        wake(getter);
        Ok(())
    }

    /// Removes and returns an item, waiting while the queue is empty (asyncio's
    /// `await get()`).
    ///
    /// Fails with [`QueueShutDown`] once the queue is shut down and empty: after a
    /// non-immediate [`shutdown`](Self::shutdown) the remaining items still come out first.
    /// Dropping the future before it completes loses no item.
    pub fn get(&self) -> QueueGet<'_, T, B> {
        QueueGet::new(self)
    }

    /// Removes and returns an item if there is one (asyncio's `get_nowait`); otherwise
    /// [`GetNowaitError::Empty`] or, shut down and empty, [`GetNowaitError::ShutDown`].
    pub fn get_nowait(&self) -> Result<T, GetNowaitError> {
        let mut state = lock(&self.state);
        let (item, putter) = self.try_get(&mut state)?;
        drop(state);
        wake(putter);
        Ok(item)
    }

    /// The number of items in the queue.
    pub fn qsize(&self) -> usize {
        lock(&self.state).items.len()
    }

    /// `true` when the queue holds no item.
    pub fn empty(&self) -> bool {
        lock(&self.state).items.is_empty()
    }

    /// `true` when the queue holds `maxsize` items; never for an unbounded queue.
    pub fn full(&self) -> bool {
        self.is_full(&lock(&self.state).items)
    }

    /// The bound given at creation; `0` means unbounded.
    pub fn maxsize(&self) -> usize {
        self.maxsize
    }

    /// Marks one item taken from the queue as processed (asyncio's `task_done`). When every
    /// item put has been marked, [`join`](Self::join) returns.
    ///
    /// Fails with [`TaskDoneError`] when called more times than items were put.
    pub fn task_done(&self) -> Result<(), TaskDoneError> {
        let mut state = lock(&self.state);
        if state.unfinished == 0 {
            return Err(TaskDoneError);
        }
        state.unfinished -= 1;
        let joiners = if state.unfinished == 0 {
            notify_all(&mut state.joiners)
        } else {
            Vec::new()
        };
        drop(state);
        joiners.into_iter().for_each(Waker::wake);
        Ok(())
    }

    /// Waits until every item put has been marked done with [`task_done`](Self::task_done)
    /// (asyncio's `await join()`); returns at once when none is unfinished.
    pub fn join(&self) -> QueueJoin<'_, T, B> {
        QueueJoin::new(self)
    }

    /// Shuts the queue down (asyncio 3.13's `shutdown`).
    ///
    /// From now on every put fails with [`QueueShutDown`] (waiting putters are woken with
    /// it), and gets fail with [`QueueShutDown`] once the queue is empty.
    ///
    /// - `immediate == false`: the items still in the queue can be got; getters waiting now
    ///   (on an empty queue) are woken and fail.
    /// - `immediate == true`: the items still in the queue are dropped and counted as done
    ///   (so [`join`](Self::join) returns once the items already got are marked done), and
    ///   every waiting getter is woken and fails.
    ///
    /// Calling it again is harmless; `shutdown(true)` after `shutdown(false)` drops what is
    /// left.
    pub fn shutdown(&self, immediate: bool) {
        let mut state = lock(&self.state);
        state.shutdown = true;
        let mut wakers = Vec::new();
        let dropped = if immediate {
            let dropped = std::mem::take(&mut state.items);
            state.unfinished = state.unfinished.saturating_sub(dropped.len());
            if state.unfinished == 0 {
                wakers.extend(notify_all(&mut state.joiners));
            }
            Some(dropped)
        } else {
            None
        };
        wakers.extend(notify_all(&mut state.getters));
        wakers.extend(notify_all(&mut state.putters));
        drop(state);
        wakers.into_iter().for_each(Waker::wake);
        // The items' destructors run outside the lock: they may touch this queue.
        drop(dropped);
    }

    /// The items as a [`Stream`](futures_core::Stream), asyncio's
    /// `while True: item = await q.get()` loop ended by `QueueShutDown`: it yields items
    /// until the queue is shut down and empty, then ends.
    ///
    /// ```
    /// use futures_lite::{future::block_on, StreamExt};
    /// use spindle_sync::Queue;
    ///
    /// let queue = Queue::new(0);
    /// queue.put_nowait(1).unwrap();
    /// queue.put_nowait(2).unwrap();
    /// queue.shutdown(false);
    /// let items: Vec<i32> = block_on(queue.stream().collect());
    /// assert_eq!(items, [1, 2]);
    /// ```
    pub fn stream(&self) -> QueueStream<'_, T, B> {
        QueueStream::new(self)
    }

    fn is_full(&self, items: &B) -> bool {
        self.maxsize > 0 && items.len() >= self.maxsize
    }

    /// One put attempt under the lock: the getter to wake (after unlocking) on success.
    pub(super) fn try_put(
        &self,
        state: &mut State<B>,
        item: T,
    ) -> Result<Option<Waker>, PutNowaitError<T>> {
        if state.shutdown {
            return Err(QueueShutDown(item).into());
        }
        if self.is_full(&state.items) {
            return Err(QueueFull(item).into());
        }
        state.items.put(item);
        state.unfinished += 1;
        Ok(state.getters.notify_one(()).ok())
    }

    /// One get attempt under the lock: the item and the putter to wake (after unlocking).
    pub(super) fn try_get(
        &self,
        state: &mut State<B>,
    ) -> Result<(T, Option<Waker>), GetNowaitError> {
        match state.items.get() {
            Some(item) => Ok((item, state.putters.notify_one(()).ok())),
            None if state.shutdown => Err(QueueShutDown(()).into()),
            None => Err(QueueEmpty.into()),
        }
    }

    /// A getter dropped after it was woken but before it looked: if there is an item, the
    /// next getter gets the wake-up instead. Returns that getter's waker.
    pub(super) fn pass_on_get(&self, state: &mut State<B>) -> Option<Waker> {
        if state.items.is_empty() {
            return None;
        }
        state.getters.notify_one(()).ok()
    }

    /// A putter dropped after it was woken but before it looked: if there is room, the next
    /// putter gets the wake-up instead. Returns that putter's waker.
    pub(super) fn pass_on_put(&self, state: &mut State<B>) -> Option<Waker> {
        if self.is_full(&state.items) {
            return None;
        }
        state.putters.notify_one(()).ok()
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, State<B>> {
        lock(&self.state)
    }
}

impl<T, B: Buffer<T>> fmt::Debug for GenericQueue<T, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = lock(&self.state);
        f.debug_struct("Queue")
            .field("maxsize", &self.maxsize)
            .field("qsize", &state.items.len())
            .field("getters", &state.getters.len())
            .field("putters", &state.putters.len())
            .field("unfinished", &state.unfinished)
            .field("shutdown", &state.shutdown)
            .finish()
    }
}

/// Wakes `waker` if there is one; call it after unlocking.
pub(super) fn wake(waker: Option<Waker>) {
    if let Some(waker) = waker {
        waker.wake();
    }
}

/// Hands every waiter of `list` a token; wake the returned wakers after unlocking. (Only
/// `shutdown` and the last `task_done` wake everyone; they allocate only if someone waits.)
fn notify_all(list: &mut WaitList<()>) -> Vec<Waker> {
    let mut wakers = Vec::with_capacity(list.len());
    while let Ok(waker) = list.notify_one(()) {
        wakers.push(waker);
    }
    wakers
}
