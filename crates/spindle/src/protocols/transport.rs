//! [`Transport`]: the handle a [`Protocol`](super::Protocol) writes to; the state it shares
//! with the connection task.
//!
//! A handle never touches the socket. It changes the shared state (appends to the write
//! buffer, sets `closing`, ...) and wakes the connection task (`connection.rs`), which owns
//! the socket and the protocol, flushes, reads and calls the protocol. So `write` never blocks
//! and never calls back into the protocol, and a handle may be used from any thread.

use super::wake::TaskWake;
use std::collections::VecDeque;
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

/// asyncio's default high-water mark of a write buffer (`FlowControlMixin`): 64 KiB.
pub const DEFAULT_HIGH_WATER: usize = 64 * 1024;
/// asyncio's default low-water mark: a quarter of the high-water mark, 16 KiB.
pub const DEFAULT_LOW_WATER: usize = DEFAULT_HIGH_WATER / 4;

/// A stream connection, asyncio's `Transport`: a cheap handle (`Clone + Send + Sync`) that the
/// [`Protocol`](super::Protocol) gets in `connection_made`.
///
/// Writes are buffered and flushed by the connection's task as the socket accepts them; the
/// buffer's size drives the protocol's `pause_writing` / `resume_writing` (see
/// [`set_write_buffer_limits`](Transport::set_write_buffer_limits)). Once the transport is
/// closing (after [`close`](Transport::close), [`abort`](Transport::abort), or a lost
/// connection), writing does nothing.
#[derive(Clone)]
pub struct Transport {
    shared: Arc<Shared>,
}

pub(crate) struct Shared {
    state: Mutex<State>,
    peername: Option<SocketAddr>,
    sockname: Option<SocketAddr>,
}

/// What handles ask of the connection task, and what it reports back.
pub(crate) struct State {
    /// Bytes written and not yet accepted by the socket.
    pub(crate) buffer: VecDeque<u8>,
    pub(crate) high: usize,
    pub(crate) low: usize,
    /// `close()`: flush, then close.
    pub(crate) closing: bool,
    /// `abort()`: drop the buffer, close now.
    pub(crate) aborted: bool,
    /// `write_eof()`: shut the writing side down once the buffer is flushed.
    pub(crate) eof_requested: bool,
    /// `pause_reading()`: the task does not read from the socket.
    pub(crate) reading_paused: bool,
    /// The task is done: the socket is closed and `connection_lost` was called (or is being).
    pub(crate) lost: bool,
    pub(crate) wake: TaskWake,
}

/// Why [`Transport::set_write_buffer_limits`] refused its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteBufferLimitsError {
    /// The high-water mark asked for (or derived).
    pub high: usize,
    /// The low-water mark asked for (or derived), above `high`.
    pub low: usize,
}

impl fmt::Display for WriteBufferLimitsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "high ({}) must be greater than or equal to low ({})",
            self.high, self.low
        )
    }
}

impl std::error::Error for WriteBufferLimitsError {}

/// asyncio's rule: a missing `high` is 4 x `low` (64 KiB without either), a missing `low` is
/// `high / 4`.
pub(crate) fn water_marks(
    high: Option<usize>,
    low: Option<usize>,
) -> Result<(usize, usize), WriteBufferLimitsError> {
    let high = high.unwrap_or_else(|| low.map_or(DEFAULT_HIGH_WATER, |low| low.saturating_mul(4)));
    let low = low.unwrap_or(high / 4);
    if low > high {
        return Err(WriteBufferLimitsError { high, low });
    }
    Ok((high, low))
}

impl Transport {
    pub(crate) fn new(peername: Option<SocketAddr>, sockname: Option<SocketAddr>) -> Transport {
        Transport {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    buffer: VecDeque::new(),
                    high: DEFAULT_HIGH_WATER,
                    low: DEFAULT_LOW_WATER,
                    closing: false,
                    aborted: false,
                    eof_requested: false,
                    reading_paused: false,
                    lost: false,
                    wake: TaskWake::default(),
                }),
                peername,
                sockname,
            }),
        }
    }

    /// The state, for the connection task. A panic elsewhere cannot leave it half-changed (every
    /// change is a few assignments), so a poisoned lock is taken over.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.shared
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Changes the state with `f` and wakes the connection task.
    fn update<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let (result, waker) = {
            let mut state = self.lock();
            let result = f(&mut state);
            (result, state.wake.notify())
        };
        if let Some(waker) = waker {
            waker.wake();
        }
        result
    }

    /// Queues `data` for sending and returns at once: the connection task sends it as the
    /// socket accepts it, in order. Does nothing once the transport is closing or after
    /// [`write_eof`](Transport::write_eof) (asyncio raises or warns there).
    pub fn write(&self, data: &[u8]) {
        if data.is_empty() {
            return;
        }
        self.update(|state| {
            if !(state.closing || state.aborted || state.lost || state.eof_requested) {
                state.buffer.extend(data);
            }
        });
    }

    /// [`write`](Transport::write) of each buffer in turn, asyncio's `writelines`.
    pub fn writelines<B: AsRef<[u8]>>(&self, data: impl IntoIterator<Item = B>) {
        for chunk in data {
            self.write(chunk.as_ref());
        }
    }

    /// Shuts the writing side down once the buffered data is sent (the peer reads EOF); reading
    /// goes on.
    pub fn write_eof(&self) {
        self.update(|state| state.eof_requested = true);
    }

    /// `true`: a TCP transport supports [`write_eof`](Transport::write_eof).
    pub fn can_write_eof(&self) -> bool {
        true
    }

    /// Closes the transport: stops reading, sends what is buffered, closes the socket, then
    /// calls the protocol's `connection_lost(None)`. Closing twice is a no-op.
    pub fn close(&self) {
        self.update(|state| state.closing = true);
    }

    /// Closes the transport now: the buffered data is dropped, the socket closed, and the
    /// protocol's `connection_lost(None)` is called.
    pub fn abort(&self) {
        self.update(|state| {
            state.closing = true;
            state.aborted = true;
            state.buffer = VecDeque::new();
        });
    }

    /// `true` once the transport is closing or closed (close, abort, EOF, or a broken
    /// connection).
    pub fn is_closing(&self) -> bool {
        let state = self.lock();
        state.closing || state.lost
    }

    /// The peer's address, asyncio's `get_extra_info('peername')`.
    pub fn peername(&self) -> Option<SocketAddr> {
        self.shared.peername
    }

    /// The local address, asyncio's `get_extra_info('sockname')`.
    pub fn sockname(&self) -> Option<SocketAddr> {
        self.shared.sockname
    }

    /// Stops reading from the socket: no `data_received` until
    /// [`resume_reading`](Transport::resume_reading). The kernel's buffers fill and TCP's
    /// flow control slows the peer down. A no-op once closing.
    pub fn pause_reading(&self) {
        self.update(|state| state.reading_paused = true);
    }

    /// Reads from the socket again after [`pause_reading`](Transport::pause_reading).
    pub fn resume_reading(&self) {
        self.update(|state| state.reading_paused = false);
    }

    /// `true` unless reading is paused or the transport is closing.
    pub fn is_reading(&self) -> bool {
        let state = self.lock();
        !(state.reading_paused || state.closing || state.lost)
    }

    /// Sets the write buffer's water marks, asyncio's `set_write_buffer_limits(high, low)`.
    /// When the buffer grows over `high` the protocol's `pause_writing` is called; when it
    /// drains to `low` or under, `resume_writing`. `None`s take asyncio's defaults: `high` is
    /// 4 x `low` or 64 KiB, `low` is `high / 4`.
    ///
    /// The calls are made by the connection task after the protocol callback (or, for a write
    /// from another thread, the wake-up) that crossed the mark, never from inside `write`.
    ///
    /// # Errors
    /// When `low > high`; the limits are left as they were.
    pub fn set_write_buffer_limits(
        &self,
        high: Option<usize>,
        low: Option<usize>,
    ) -> Result<(), WriteBufferLimitsError> {
        let (high, low) = water_marks(high, low)?;
        self.update(|state| {
            state.high = high;
            state.low = low;
        });
        Ok(())
    }

    /// The water marks, asyncio's `get_write_buffer_limits()`: `(low, high)`.
    pub fn get_write_buffer_limits(&self) -> (usize, usize) {
        let state = self.lock();
        (state.low, state.high)
    }

    /// How many written bytes the socket has not accepted yet.
    pub fn get_write_buffer_size(&self) -> usize {
        self.lock().buffer.len()
    }
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("Transport")
            .field("peername", &self.shared.peername)
            .field("sockname", &self.shared.sockname)
            .field("buffered", &state.buffer.len())
            .field("closing", &state.closing)
            .field("lost", &state.lost)
            .finish()
    }
}
