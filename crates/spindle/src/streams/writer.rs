//! `StreamWriter`: buffered writes with asyncio's flow control (`drain`), `write_eof`,
//! `close` and `wait_closed`.
//!
//! `write` sends at once when nothing is queued (one non-blocking `send`); what the kernel
//! does not take is queued, and a **flusher** task is spawned to write the queue out as the
//! socket becomes writable, as asyncio's transport does from its loop. The flusher exists only
//! while the queue is not empty, so a writer whose peer keeps up costs no task at all.
//!
//! Flow control is asyncio's: the writer is *paused* when the queue grows above the high mark,
//! and resumed when the flusher brings it down to the low mark; `drain()` waits while paused.
//! Everything lives in one `Mutex<WriteState>` shared by the writer and its flusher; the lock
//! is never held across an await.

use super::socket::{Conn, StreamAddr};
use super::{DEFAULT_HIGH_WATER, DEFAULT_LOW_WATER};
use spindle_scheduler::EventLoop;
use std::fmt;
use std::future::poll_fn;
use std::io;
use std::net::Shutdown;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

/// The writing half of a stream: asyncio's `StreamWriter` and the write side of its transport.
///
/// Methods take `&self`; share a writer between tasks with an `Arc`.
///
/// **Dropping** the writer does not close the connection: what is queued is still written
/// out by the flusher, and the socket is closed once the reader and the flusher are gone too.
/// Call [`close`](StreamWriter::close) to end the connection (asyncio closes it when the
/// writer is garbage-collected).
pub struct StreamWriter {
    shared: Arc<Shared>,
}

struct Shared {
    conn: Arc<Conn>,
    /// Where the flusher is spawned.
    lp: EventLoop,
    state: Mutex<WriteState>,
}

struct WriteState {
    /// The queue is `buf[sent..]`.
    buf: Vec<u8>,
    sent: usize,
    high: usize,
    low: usize,
    /// Above the high mark, not yet back down to the low one: `drain` waits.
    paused: bool,
    /// A flusher task is running (always so while the queue is not empty and no error).
    flushing: bool,
    /// `write_eof` was called: no more writes; the write side shuts down once flushed.
    eof: bool,
    /// `close` was called.
    closing: bool,
    /// The socket is shut down (or failed): `wait_closed` returns.
    closed: bool,
    /// The first failure, reported by every later call (`io::Error` is not `Clone`).
    error: Option<(io::ErrorKind, String)>,
    drain_waiters: Vec<Waker>,
    close_waiters: Vec<Waker>,
}

impl WriteState {
    fn size(&self) -> usize {
        self.buf.len() - self.sent
    }

    fn error(&self) -> Option<io::Error> {
        self.error
            .as_ref()
            .map(|(kind, message)| io::Error::new(*kind, message.clone()))
    }

    /// Records `error` (the first one wins), drops the queue and releases every waiter.
    fn fail(&mut self, error: &io::Error, wake: &mut Vec<Waker>) {
        if self.error.is_none() {
            self.error = Some((error.kind(), error.to_string()));
        }
        self.buf = Vec::new();
        self.sent = 0;
        self.paused = false;
        self.closed = true;
        wake.append(&mut self.drain_waiters);
        wake.append(&mut self.close_waiters);
    }

    /// The queue is empty: carry out a pending `write_eof` or `close`.
    fn flushed(&mut self, conn: &Conn, wake: &mut Vec<Waker>) {
        self.buf.clear();
        self.sent = 0;
        if self.paused {
            self.paused = false;
            wake.append(&mut self.drain_waiters);
        }
        if self.closing && !self.closed {
            if let Err(e) = conn.shutdown(Shutdown::Both) {
                self.fail(&e, wake);
            }
            self.closed = true;
            wake.append(&mut self.close_waiters);
        } else if self.eof {
            if let Err(e) = conn.shutdown(Shutdown::Write) {
                self.fail(&e, wake);
            }
        }
    }
}

fn wake_all(wakers: Vec<Waker>) {
    for waker in wakers {
        waker.wake();
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, WriteState> {
        // Nothing panics under this lock; a poisoned one still holds consistent state.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The flusher: writes the queue out until it is empty or the socket fails.
    fn poll_flush(&self, cx: &mut Context<'_>) -> Poll<()> {
        let mut wake = Vec::new();
        let mut state = self.lock();
        let outcome = loop {
            if state.size() == 0 {
                state.flushing = false;
                state.flushed(&self.conn, &mut wake);
                break Poll::Ready(());
            }
            let sent = state.sent;
            match self.conn.poll_write(cx, &state.buf[sent..]) {
                Poll::Ready(Ok(0)) => {
                    state.flushing = false;
                    state.fail(&io::ErrorKind::WriteZero.into(), &mut wake);
                    break Poll::Ready(());
                }
                Poll::Ready(Ok(n)) => {
                    state.sent += n;
                    // Keep the queue from creeping along an ever larger allocation.
                    if state.sent > state.buf.len() / 2 {
                        let sent = state.sent;
                        state.buf.drain(..sent);
                        state.sent = 0;
                    }
                    if state.paused && state.size() <= state.low {
                        state.paused = false;
                        wake.append(&mut state.drain_waiters);
                    }
                }
                Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
                Poll::Ready(Err(e)) => {
                    state.flushing = false;
                    state.fail(&e, &mut wake);
                    break Poll::Ready(());
                }
                Poll::Pending => break Poll::Pending,
            }
        };
        drop(state);
        wake_all(wake);
        outcome
    }
}

impl StreamWriter {
    pub(crate) fn new(conn: Arc<Conn>, lp: EventLoop) -> StreamWriter {
        StreamWriter {
            shared: Arc::new(Shared {
                conn,
                lp,
                state: Mutex::new(WriteState {
                    buf: Vec::new(),
                    sent: 0,
                    high: DEFAULT_HIGH_WATER,
                    low: DEFAULT_LOW_WATER,
                    paused: false,
                    flushing: false,
                    eof: false,
                    closing: false,
                    closed: false,
                    error: None,
                    drain_waiters: Vec::new(),
                    close_waiters: Vec::new(),
                }),
            }),
        }
    }

    /// Queues `data` for sending, never waiting: asyncio's `write(data)`. Follow it with
    /// [`drain`](StreamWriter::drain) to respect flow control.
    ///
    /// With nothing queued, the data is offered to the socket at once; what it does not take
    /// is queued and written out in the background.
    ///
    /// # Errors
    /// After [`write_eof`](StreamWriter::write_eof) or [`close`](StreamWriter::close)
    /// (`BrokenPipe`; asyncio raises `RuntimeError` or drops the data with a warning), and once
    /// the connection has failed (the first failure, again).
    pub fn write(&self, data: &[u8]) -> io::Result<()> {
        let mut state = self.shared.lock();
        if let Some(error) = state.error() {
            return Err(error);
        }
        if state.closing || state.eof {
            let after = if state.closing {
                "close()"
            } else {
                "write_eof()"
            };
            return Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                format!("StreamWriter::write() after {after}"),
            ));
        }
        let mut rest = data;
        if state.size() == 0 && !state.flushing {
            while !rest.is_empty() {
                match self.shared.conn.try_write(rest) {
                    Ok(0) => break,
                    Ok(n) => rest = &rest[n..],
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) => {
                        let mut wake = Vec::new();
                        state.fail(&e, &mut wake);
                        drop(state);
                        wake_all(wake);
                        return Err(e);
                    }
                }
            }
        }
        if rest.is_empty() {
            return Ok(());
        }
        state.buf.extend_from_slice(rest);
        if state.size() > state.high {
            state.paused = true;
        }
        if !state.flushing {
            state.flushing = true;
            drop(state);
            let shared = self.shared.clone();
            // Dropping the task detaches it; it ends when the queue is empty.
            drop(
                self.shared
                    .lp
                    .spawn(async move { poll_fn(|cx| shared.poll_flush(cx)).await }),
            );
        }
        Ok(())
    }

    /// [`write`](StreamWriter::write) each buffer in turn: asyncio's `writelines`.
    ///
    /// # Errors
    /// As `write`.
    pub fn writelines<'a>(&self, data: impl IntoIterator<Item = &'a [u8]>) -> io::Result<()> {
        data.into_iter().try_for_each(|chunk| self.write(chunk))
    }

    /// Waits while the writer is paused by flow control: asyncio's `await writer.drain()`.
    ///
    /// Returns at once while the queue has stayed at or below the high mark (the rest is
    /// written out in the background); once it went above, waits until it is down to the low
    /// mark. So a loop of `write` + `drain` keeps at most `high + one write` queued.
    ///
    /// # Errors
    /// When the connection failed (the first failure), or `ConnectionReset` once it is
    /// closed (asyncio: `ConnectionResetError('Connection lost')`).
    pub async fn drain(&self) -> io::Result<()> {
        poll_fn(|cx| {
            let mut state = self.shared.lock();
            if let Some(error) = state.error() {
                return Poll::Ready(Err(error));
            }
            if state.closed {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::ConnectionReset,
                    "StreamWriter::drain(): the connection is closed",
                )));
            }
            if !state.paused {
                return Poll::Ready(Ok(()));
            }
            if !state.drain_waiters.iter().any(|w| w.will_wake(cx.waker())) {
                state.drain_waiters.push(cx.waker().clone());
            }
            Poll::Pending
        })
        .await
    }

    /// Closes the write side once the queue is written out (the peer reads the end of the
    /// stream), keeping the read side open: asyncio's `write_eof()`. A second call does nothing.
    ///
    /// # Errors
    /// When the socket refuses the shutdown.
    pub fn write_eof(&self) -> io::Result<()> {
        let mut state = self.shared.lock();
        if state.eof || state.closing {
            return Ok(());
        }
        state.eof = true;
        if state.size() == 0 && !state.flushing {
            self.shared.conn.shutdown(Shutdown::Write)?;
        }
        Ok(())
    }

    /// `true`: a stream socket can always close its write side (asyncio's `can_write_eof`).
    pub fn can_write_eof(&self) -> bool {
        true
    }

    /// Closes the connection once the queue is written out, without waiting: asyncio's
    /// `close()`. Both directions are shut down (the peer reads the end of the stream, this
    /// side's reader too); the descriptor itself is released when the reader and the writer
    /// are dropped. Await [`wait_closed`](StreamWriter::wait_closed) to know it is done.
    pub fn close(&self) {
        let mut state = self.shared.lock();
        if state.closing {
            return;
        }
        state.closing = true;
        if state.size() == 0 && !state.flushing && !state.closed {
            let mut wake = Vec::new();
            state.flushed(&self.shared.conn, &mut wake);
            drop(state);
            wake_all(wake);
        }
    }

    /// `true` once [`close`](StreamWriter::close) was called: asyncio's `is_closing()`.
    pub fn is_closing(&self) -> bool {
        self.shared.lock().closing
    }

    /// Waits until the connection is closed (after [`close`](StreamWriter::close), or a
    /// failure): asyncio's `await writer.wait_closed()`. Without a `close`, it waits for a
    /// failure, possibly forever (as asyncio).
    ///
    /// # Errors
    /// The failure that ended the connection, if one did.
    pub async fn wait_closed(&self) -> io::Result<()> {
        poll_fn(|cx| {
            let mut state = self.shared.lock();
            if state.closed {
                return Poll::Ready(state.error().map_or(Ok(()), Err));
            }
            if !state.close_waiters.iter().any(|w| w.will_wake(cx.waker())) {
                state.close_waiters.push(cx.waker().clone());
            }
            Poll::Pending
        })
        .await
    }

    /// How many bytes are queued, not yet taken by the socket: asyncio's
    /// `transport.get_write_buffer_size()`.
    pub fn get_write_buffer_size(&self) -> usize {
        self.shared.lock().size()
    }

    /// The flow-control marks `(low, high)`, in asyncio's order
    /// (`transport.get_write_buffer_limits()`).
    pub fn get_write_buffer_limits(&self) -> (usize, usize) {
        let state = self.shared.lock();
        (state.low, state.high)
    }

    /// Sets the flow-control marks: `drain` waits once the queue is above `high`, until it
    /// is down to `low` (asyncio's `transport.set_write_buffer_limits(high, low)`; defaults
    /// 64 KiB and 16 KiB). `high == 0` makes every `drain` wait until the queue is empty.
    ///
    /// # Errors
    /// `InvalidInput` when `low > high` (asyncio's `ValueError`).
    pub fn set_write_buffer_limits(&self, high: usize, low: usize) -> io::Result<()> {
        if low > high {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("set_write_buffer_limits: low ({low}) must not exceed high ({high})"),
            ));
        }
        let mut state = self.shared.lock();
        state.high = high;
        state.low = low;
        if state.size() > high {
            state.paused = true;
        } else if state.paused && state.size() <= low {
            state.paused = false;
            let wake = std::mem::take(&mut state.drain_waiters);
            drop(state);
            wake_all(wake);
        }
        Ok(())
    }

    /// The address of the other end: asyncio's `get_extra_info("peername")`.
    ///
    /// # Errors
    /// When the socket is no longer connected.
    pub fn peername(&self) -> io::Result<StreamAddr> {
        self.shared.conn.peername()
    }

    /// This end's address: asyncio's `get_extra_info("sockname")`.
    ///
    /// # Errors
    /// When the OS cannot tell.
    pub fn sockname(&self) -> io::Result<StreamAddr> {
        self.shared.conn.sockname()
    }
}

impl fmt::Debug for StreamWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.shared.lock();
        f.debug_struct("StreamWriter")
            .field("queued", &state.size())
            .field("paused", &state.paused)
            .field("closing", &state.closing)
            .field("closed", &state.closed)
            .finish_non_exhaustive()
    }
}
