//! [`Server`]: a listening socket and its accept task (asyncio's `Server`).
//!
//! The accept task owns the listener. It accepts until the socket says `WouldBlock`, spawns a
//! connection task per client (`connection.rs`) and parks on readiness or on `close()`. When
//! the process runs out of descriptors (EMFILE, ENFILE) or the kernel out of buffers or memory
//! (ENOBUFS, ENOMEM) it reports the error to the loop's exception handler and waits
//! [`ACCEPT_RETRY_DELAY`] before trying again: the pending clients stay in the backlog, and the
//! task neither spins on a readiness it cannot clear nor dies.
//!
//! `close()` makes the accept task drop the listener (later connects are refused); each
//! connection holds a guard, so `wait_closed()` also waits for the connections to end.

use super::connection::Connection;
use super::transport::Transport;
use super::Protocol;
use crate::io::Async;
use std::fmt;
use std::future::{poll_fn, Future};
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Poll, Waker};
use std::time::Duration;

/// How long the accept task waits after running out of descriptors or memory before it tries
/// again: asyncio's `ACCEPT_RETRY_DELAY`, one second, long enough for connections to finish and
/// free descriptors, short enough that waiting clients are served soon after.
pub const ACCEPT_RETRY_DELAY: Duration = Duration::from_secs(1);

/// Accepts in a row before the accept task yields to the connections it spawned.
const ACCEPTS_PER_POLL: usize = 64;

/// A listening server, asyncio's `Server`, returned by
/// [`LoopExt::create_server`](super::LoopExt::create_server). It serves from the moment it is
/// created. A cheap handle (`Clone + Send + Sync`); dropping it does not close the server.
#[derive(Clone)]
pub struct Server {
    shared: Arc<ServerShared>,
}

struct ServerShared {
    state: Mutex<ServerState>,
    local_addr: SocketAddr,
}

#[derive(Default)]
struct ServerState {
    /// `close()` was called.
    closing: bool,
    /// The accept task dropped the listener.
    listener_closed: bool,
    /// Connections accepted and not yet lost.
    active: usize,
    /// The accept task, parked.
    acceptor: Option<Waker>,
    /// `wait_closed()` callers.
    waiters: Vec<Waker>,
}

impl ServerState {
    fn closed(&self) -> bool {
        self.closing && self.listener_closed && self.active == 0
    }
}

impl ServerShared {
    fn lock(&self) -> MutexGuard<'_, ServerState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Changes the state and, once the server is closed, wakes the `wait_closed()` callers.
    fn update(&self, f: impl FnOnce(&mut ServerState)) {
        let waiters = {
            let mut state = self.lock();
            f(&mut state);
            if state.closed() {
                std::mem::take(&mut state.waiters)
            } else {
                Vec::new()
            }
        };
        waiters.into_iter().for_each(Waker::wake);
    }
}

impl Server {
    /// Starts serving `listener` (already registered with `lp`'s driver) on `lp`.
    pub(crate) fn start<P, F>(
        lp: &crate::EventLoop,
        listener: Async<TcpListener>,
        factory: F,
    ) -> io::Result<Server>
    where
        P: Protocol,
        F: Fn() -> P + Send + Sync + 'static,
    {
        let local_addr = listener.get_ref().local_addr()?;
        let shared = Arc::new(ServerShared {
            state: Mutex::new(ServerState::default()),
            local_addr,
        });
        let acceptor = Acceptor {
            listener: Some(listener),
            shared: shared.clone(),
        };
        lp.spawn(acceptor.run(factory));
        Ok(Server { shared })
    }

    /// Stops listening: the listening socket is closed (new connects are refused); the
    /// connections already accepted go on. Closing twice is a no-op.
    pub fn close(&self) {
        let mut acceptor = None;
        self.shared.update(|state| {
            state.closing = true;
            acceptor = state.acceptor.take();
        });
        if let Some(waker) = acceptor {
            waker.wake();
        }
    }

    /// Waits until the server is closed: [`close`](Server::close) was called, the listening
    /// socket is closed, and every connection it accepted is lost (asyncio 3.12's meaning).
    pub async fn wait_closed(&self) {
        poll_fn(|cx| {
            let mut state = self.shared.lock();
            if state.closed() {
                return Poll::Ready(());
            }
            if !state.waiters.iter().any(|w| w.will_wake(cx.waker())) {
                state.waiters.push(cx.waker().clone());
            }
            Poll::Pending
        })
        .await
    }

    /// Serves until the server is closed (asyncio's `serve_forever`). Dropping the future
    /// before then (cancelling the awaiting task) closes the server, as cancelling
    /// `serve_forever` does in asyncio.
    pub async fn serve_forever(&self) {
        // Owns a handle rather than borrowing `self`: the guard must not reach through a
        // reference when the future is dropped.
        struct CloseOnDrop(Server);
        impl Drop for CloseOnDrop {
            fn drop(&mut self) {
                self.0.close();
            }
        }
        let _guard = CloseOnDrop(self.clone());
        self.wait_closed().await;
    }

    /// The address the server listens on (with the port the OS chose for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.shared.local_addr
    }

    /// `true` until [`close`](Server::close) (or until the loop closed the accept task).
    pub fn is_serving(&self) -> bool {
        let state = self.shared.lock();
        !(state.closing || state.listener_closed)
    }

    /// How many accepted connections are not lost yet.
    pub fn active_connections(&self) -> usize {
        self.shared.lock().active
    }
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("local_addr", &self.shared.local_addr)
            .field("serving", &self.is_serving())
            .field("active", &self.active_connections())
            .finish()
    }
}

/// The accept task's state; dropping it (the task ends or the loop is closed) closes the
/// listener and tells the `Server`.
struct Acceptor {
    listener: Option<Async<TcpListener>>,
    shared: Arc<ServerShared>,
}

/// Held by a connection task while it lives.
struct ActiveGuard(Arc<ServerShared>);

impl Drop for ActiveGuard {
    fn drop(&mut self) {
        self.0.update(|state| state.active -= 1);
    }
}

impl Drop for Acceptor {
    fn drop(&mut self) {
        drop(self.listener.take());
        self.shared.update(|state| {
            state.listener_closed = true;
            state.acceptor = None;
        });
    }
}

/// What to do about an accept error.
enum AcceptError {
    /// The client went away before we accepted it, or a signal: try the next one.
    Transient,
    /// Out of descriptors or memory: report, back off, retry.
    Exhausted,
    /// Anything else: report, back off, retry (asyncio reports and keeps the server too).
    Other,
}

fn classify(error: &io::Error) -> AcceptError {
    match error.raw_os_error() {
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM) => AcceptError::Exhausted,
        _ => match error.kind() {
            io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted => AcceptError::Transient,
            _ => AcceptError::Other,
        },
    }
}

impl Acceptor {
    async fn run<P, F>(mut self, factory: F)
    where
        P: Protocol,
        F: Fn() -> P + Send + Sync + 'static,
    {
        let mut accepted = 0;
        while let Some(result) = self.accept().await {
            match result {
                Ok(stream) => {
                    self.serve(stream, &factory);
                    accepted += 1;
                    if accepted % ACCEPTS_PER_POLL == 0 {
                        crate::yield_now().await;
                    }
                }
                Err(error) => match classify(&error) {
                    AcceptError::Transient => {}
                    kind => {
                        let what = match kind {
                            AcceptError::Exhausted => "out of system resource",
                            _ => "failed",
                        };
                        crate::EventLoop::current().call_exception_handler(&format!(
                            "create_server on {}: socket.accept() {what}: {error}; \
                             retrying in {ACCEPT_RETRY_DELAY:?}",
                            self.shared.local_addr
                        ));
                        if !self.back_off().await {
                            break;
                        }
                    }
                },
            }
        }
    }

    /// The next accepted stream, or `None` once the server is closing.
    async fn accept(&mut self) -> Option<io::Result<std::net::TcpStream>> {
        let listener = self.listener.as_ref()?;
        poll_fn(|cx| {
            {
                let mut state = self.shared.lock();
                if state.closing {
                    return Poll::Ready(None);
                }
                match &state.acceptor {
                    Some(w) if w.will_wake(cx.waker()) => {}
                    _ => state.acceptor = Some(cx.waker().clone()),
                }
            }
            listener
                .poll_read_with(cx, |l| l.accept())
                .map(|r| Some(r.map(|(stream, _)| stream)))
        })
        .await
    }

    /// Sleeps [`ACCEPT_RETRY_DELAY`]; `false` if the server was closed meanwhile.
    async fn back_off(&self) -> bool {
        // Boxed: the timer stays where it was registered whatever happens to this future.
        let mut sleep = Box::pin(crate::sleep(ACCEPT_RETRY_DELAY));
        poll_fn(|cx| {
            {
                let mut state = self.shared.lock();
                if state.closing {
                    return Poll::Ready(false);
                }
                state.acceptor = Some(cx.waker().clone());
            }
            sleep.as_mut().poll(cx).map(|()| true)
        })
        .await
    }

    /// Spawns the connection task of `stream`.
    fn serve<P: Protocol>(&self, stream: std::net::TcpStream, factory: &impl Fn() -> P) {
        let peername = stream.peer_addr().ok();
        let sockname = stream.local_addr().ok();
        let io = match Async::new(stream) {
            Ok(io) => io,
            Err(error) => {
                crate::EventLoop::current().call_exception_handler(&format!(
                    "create_server on {}: could not register an accepted socket: {error}",
                    self.shared.local_addr
                ));
                return;
            }
        };
        self.shared.update(|state| state.active += 1);
        let guard = ActiveGuard(self.shared.clone());
        let transport = Transport::new(peername, sockname);
        let connection = Connection::new(io, factory(), transport, false, Some(Box::new(guard)));
        crate::spawn(connection);
    }
}
