//! The connection task: one per stream connection, it owns the socket and the protocol.
//!
//! Each poll runs rounds of: abort? -> flush the write buffer -> flow control (pause_writing /
//! resume_writing) -> EOF or close once flushed -> read one chunk and hand it to the protocol.
//! A round that made progress is followed by another; the task parks when a round found
//! nothing to do (the socket's readiness or a handle's `notify` wakes it) and yields after
//! [`READS_PER_POLL`] reads so that one busy connection does not hold a worker.
//!
//! Flow control is asyncio's: `pause_writing` when the buffer grows over the high-water mark,
//! `resume_writing` when it drains to the low one, both called between other callbacks. A
//! protocol that stops reading in `pause_writing` (as asyncio's streams do) bounds its buffer to
//! the high-water mark plus one [`READ_CHUNK`]: nothing is read while reading is paused.

use super::transport::Transport;
use super::Protocol;
use crate::io::Async;
use std::future::Future;
use std::io::{self, IoSlice, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::pin::Pin;
use std::task::{Context, Poll};

/// How much one read asks for: 64 KiB, a loopback segment and a typical socket buffer's worth
/// (asyncio reads up to 256 KiB); also the most a read adds to an echoing protocol's buffer.
pub(crate) const READ_CHUNK: usize = 64 * 1024;

/// Reads per poll before the task yields to others: enough to amortise a poll, few enough to
/// keep a fast sender from starving the other connections of its worker.
const READS_PER_POLL: usize = 16;

/// Anything held until the connection ends (a server's count of active connections).
pub(crate) type Guard = Box<dyn Send>;

/// The future of one connection.
pub(crate) struct Connection<P> {
    /// `None` once closed (the fd is closed before `connection_lost`).
    io: Option<Async<TcpStream>>,
    protocol: P,
    transport: Transport,
    buf: Box<[u8]>,
    made: bool,
    /// The peer's EOF was read.
    read_eof: bool,
    /// Our writing side was shut down.
    eof_sent: bool,
    /// `pause_writing` was called and `resume_writing` not yet.
    writing_paused: bool,
    _guard: Option<Guard>,
}

/// What one round did.
enum Round {
    Progress,
    Idle,
    Yield,
    Done(Option<io::Error>),
}

impl<P: Protocol> Connection<P> {
    /// The task for `io`; `connection_made` is called on its first poll unless `made`.
    pub(crate) fn new(
        io: Async<TcpStream>,
        protocol: P,
        transport: Transport,
        made: bool,
        guard: Option<Guard>,
    ) -> Connection<P> {
        Connection {
            io: Some(io),
            protocol,
            transport,
            buf: vec![0; READ_CHUNK].into_boxed_slice(),
            made,
            read_eof: false,
            eof_sent: false,
            writing_paused: false,
            _guard: guard,
        }
    }

    fn round(&mut self, cx: &mut Context<'_>, reads: &mut usize) -> Round {
        let Some(io) = &self.io else {
            return Round::Done(None);
        };
        if self.transport.lock().aborted {
            return Round::Done(None);
        }
        // Flush.
        let mut progress = false;
        loop {
            let mut state = self.transport.lock();
            if state.buffer.is_empty() {
                break;
            }
            let written = io.poll_write_with(cx, |mut socket| {
                let (a, b) = state.buffer.as_slices();
                socket.write_vectored(&[IoSlice::new(a), IoSlice::new(b)])
            });
            match written {
                Poll::Ready(Ok(0)) => return Round::Done(Some(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => {
                    state.buffer.drain(..n);
                    progress = true;
                }
                Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
                Poll::Ready(Err(e)) => return Round::Done(Some(e)),
                Poll::Pending => break,
            }
        }
        flow_control(
            &mut self.protocol,
            &self.transport,
            &mut self.writing_paused,
        );
        let (flushed, closing, eof_requested, reading_paused) = {
            let state = self.transport.lock();
            (
                state.buffer.is_empty(),
                state.closing,
                state.eof_requested,
                state.reading_paused,
            )
        };
        if flushed && closing {
            return Round::Done(None);
        }
        if flushed && eof_requested && !self.eof_sent {
            self.eof_sent = true;
            match io.get_ref().shutdown(Shutdown::Write) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotConnected => {}
                Err(e) => return Round::Done(Some(e)),
            }
        }
        // Read.
        if closing || self.read_eof || reading_paused {
            return if progress {
                Round::Progress
            } else {
                Round::Idle
            };
        }
        if *reads == 0 {
            return Round::Yield;
        }
        let buf = &mut self.buf;
        match io.poll_read_stream(cx, buf, |mut socket, buf| socket.read(buf)) {
            Poll::Ready(Ok(0)) => {
                self.read_eof = true;
                if !self.protocol.eof_received() {
                    self.transport.close();
                }
                Round::Progress
            }
            Poll::Ready(Ok(n)) => {
                *reads -= 1;
                self.protocol.data_received(&self.buf[..n]);
                Round::Progress
            }
            Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::Interrupted => Round::Progress,
            Poll::Ready(Err(e)) => Round::Done(Some(e)),
            Poll::Pending if progress => Round::Progress,
            Poll::Pending => Round::Idle,
        }
    }

    /// Closes the socket, then tells the protocol.
    fn finish(&mut self, error: Option<io::Error>) {
        {
            let mut state = self.transport.lock();
            state.lost = true;
            state.closing = true;
            state.buffer = Default::default();
            state.wake.leave();
        }
        drop(self.io.take());
        self.protocol.connection_lost(error);
    }
}

/// Calls `pause_writing` / `resume_writing` when the buffer crossed a mark.
fn flow_control(protocol: &mut impl Protocol, transport: &Transport, paused: &mut bool) {
    let (size, high, low) = {
        let state = transport.lock();
        (state.buffer.len(), state.high, state.low)
    };
    if !*paused && size > high {
        *paused = true;
        protocol.pause_writing();
    } else if *paused && size <= low {
        *paused = false;
        protocol.resume_writing();
    }
}

// The connection is never pinned structurally: the protocol moves with it.
impl<P> Unpin for Connection<P> {}

impl<P: Protocol> Future for Connection<P> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        if this.io.is_none() {
            return Poll::Ready(());
        }
        this.transport.lock().wake.begin();
        if !this.made {
            this.made = true;
            this.protocol.connection_made(this.transport.clone());
        }
        let mut reads = READS_PER_POLL;
        loop {
            match this.round(cx, &mut reads) {
                Round::Progress => {}
                Round::Idle => {
                    if this.transport.lock().wake.park(cx.waker()) {
                        return Poll::Pending;
                    }
                }
                Round::Yield => {
                    this.transport.lock().wake.leave();
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
                Round::Done(error) => {
                    this.finish(error);
                    return Poll::Ready(());
                }
            }
        }
    }
}
