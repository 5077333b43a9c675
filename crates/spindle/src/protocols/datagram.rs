//! UDP endpoints: [`DatagramTransport`] (the handle) and the endpoint task that owns the socket
//! and the [`DatagramProtocol`].
//!
//! Same shape as `connection.rs`: handles queue datagrams and wake the task; the task sends
//! them as the socket accepts them, receives, and calls the protocol. As in asyncio, a failed
//! send or receive (an ICMP error on a connected endpoint, a datagram too large, ...) goes to
//! `error_received` and the endpoint stays open.

use super::wake::TaskWake;
use super::DatagramProtocol;
use crate::io::Async;
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::net::{SocketAddr, UdpSocket};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

/// The largest UDP payload (65,535 minus the 8-byte UDP header), so that no datagram is
/// truncated on receipt.
const MAX_DATAGRAM: usize = 65_527;

/// Datagrams received per poll before the endpoint task yields to others.
const RECEIVES_PER_POLL: usize = 16;

/// A UDP endpoint, asyncio's `DatagramTransport`: a cheap handle (`Clone + Send + Sync`) that
/// the [`DatagramProtocol`] gets in `connection_made`.
#[derive(Clone)]
pub struct DatagramTransport {
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
    sockname: Option<SocketAddr>,
    peername: Option<SocketAddr>,
}

struct State {
    queue: VecDeque<(Vec<u8>, Option<SocketAddr>)>,
    buffered: usize,
    closing: bool,
    aborted: bool,
    lost: bool,
    wake: TaskWake,
}

impl DatagramTransport {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.shared
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn update(&self, f: impl FnOnce(&mut State)) {
        let waker = {
            let mut state = self.lock();
            f(&mut state);
            state.wake.notify()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Queues one datagram for `addr` (`None`: the endpoint's remote address) and returns at
    /// once. A failure to send it is reported to the protocol's `error_received`. Does nothing
    /// once the transport is closing.
    pub fn sendto(&self, data: &[u8], addr: Option<SocketAddr>) {
        self.update(|state| {
            if !(state.closing || state.lost) {
                state.buffered += data.len();
                state.queue.push_back((data.to_vec(), addr));
            }
        });
    }

    /// Sends what is queued, closes the socket, then calls `connection_lost(None)`.
    pub fn close(&self) {
        self.update(|state| state.closing = true);
    }

    /// Drops what is queued and closes now; `connection_lost(None)` follows.
    pub fn abort(&self) {
        self.update(|state| {
            state.closing = true;
            state.aborted = true;
            state.queue.clear();
            state.buffered = 0;
        });
    }

    /// `true` once closing or closed.
    pub fn is_closing(&self) -> bool {
        let state = self.lock();
        state.closing || state.lost
    }

    /// The local address.
    pub fn sockname(&self) -> Option<SocketAddr> {
        self.shared.sockname
    }

    /// The remote address of a connected endpoint.
    pub fn peername(&self) -> Option<SocketAddr> {
        self.shared.peername
    }

    /// Bytes queued and not sent yet.
    pub fn get_write_buffer_size(&self) -> usize {
        self.lock().buffered
    }
}

impl fmt::Debug for DatagramTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatagramTransport")
            .field("sockname", &self.shared.sockname)
            .field("peername", &self.shared.peername)
            .field("closing", &self.is_closing())
            .finish()
    }
}

/// Starts the endpoint task of `socket` on `lp`: `connection_made` is called before this
/// returns.
pub(crate) fn start<P: DatagramProtocol>(
    lp: &crate::EventLoop,
    socket: Async<UdpSocket>,
    mut protocol: P,
) -> DatagramTransport {
    let transport = DatagramTransport {
        shared: Arc::new(Shared {
            state: Mutex::new(State {
                queue: VecDeque::new(),
                buffered: 0,
                closing: false,
                aborted: false,
                lost: false,
                wake: TaskWake::default(),
            }),
            sockname: socket.get_ref().local_addr().ok(),
            peername: socket.get_ref().peer_addr().ok(),
        }),
    };
    protocol.connection_made(transport.clone());
    lp.spawn(Endpoint {
        socket: Some(socket),
        protocol,
        transport: transport.clone(),
        buf: vec![0; MAX_DATAGRAM].into_boxed_slice(),
    });
    transport
}

struct Endpoint<P> {
    socket: Option<Async<UdpSocket>>,
    protocol: P,
    transport: DatagramTransport,
    buf: Box<[u8]>,
}

enum Round {
    Progress,
    Idle,
    Yield,
    Done,
}

impl<P: DatagramProtocol> Endpoint<P> {
    fn round(&mut self, cx: &mut Context<'_>, receives: &mut usize) -> Round {
        let Some(socket) = &self.socket else {
            return Round::Done;
        };
        let mut progress = false;
        // Send.
        loop {
            let (sent, closing) = {
                let mut state = self.transport.lock();
                if state.aborted {
                    return Round::Done;
                }
                let Some((data, addr)) = state.queue.front() else {
                    if state.closing {
                        return Round::Done;
                    }
                    break;
                };
                let sent = socket.poll_write_with(cx, |s| match addr {
                    Some(addr) => s.send_to(data, addr),
                    None => s.send(data),
                });
                if sent.is_ready() {
                    let (data, _) = state.queue.pop_front().expect("the front was there");
                    state.buffered -= data.len();
                }
                (sent, state.closing)
            };
            match sent {
                Poll::Ready(Ok(_)) => progress = true,
                Poll::Ready(Err(error)) => {
                    progress = true;
                    self.protocol.error_received(error);
                }
                Poll::Pending if closing => return Round::Idle,
                Poll::Pending => break,
            }
        }
        // Receive.
        if *receives == 0 {
            return Round::Yield;
        }
        let buf = &mut self.buf;
        match socket.poll_read_with(cx, |s| s.recv_from(buf)) {
            Poll::Ready(Ok((n, addr))) => {
                *receives -= 1;
                self.protocol.datagram_received(&self.buf[..n], addr);
                Round::Progress
            }
            Poll::Ready(Err(error)) => {
                *receives -= 1;
                self.protocol.error_received(error);
                Round::Progress
            }
            Poll::Pending if progress => Round::Progress,
            Poll::Pending => Round::Idle,
        }
    }
}

// The endpoint is never pinned structurally: the protocol moves with it.
impl<P> Unpin for Endpoint<P> {}

impl<P: DatagramProtocol> Future for Endpoint<P> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        this.transport.lock().wake.begin();
        let mut receives = RECEIVES_PER_POLL;
        loop {
            match this.round(cx, &mut receives) {
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
                Round::Done => {
                    {
                        let mut state = this.transport.lock();
                        state.lost = true;
                        state.closing = true;
                        state.queue.clear();
                        state.buffered = 0;
                        state.wake.leave();
                    }
                    if this.socket.take().is_some() {
                        this.protocol.connection_lost(None);
                    }
                    return Poll::Ready(());
                }
            }
        }
    }
}
