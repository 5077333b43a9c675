//! `start_server` / `start_unix_server` and `StreamServer`: accept connections and run the
//! client callback for each in its own task.
//!
//! One accept task per server. It stops when the server is closed (the task is cancelled,
//! which drops the listener). Out of descriptors or memory (`EMFILE`, `ENFILE`, `ENOBUFS`,
//! `ENOMEM`), it reports the error to the loop's exception handler and **backs off** for
//! [`ACCEPT_RETRY_DELAY`] instead of spinning on a listener that stays readable, as asyncio.
//! The server counts the connections whose callback is still running, so that `wait_closed`
//! can wait for them (asyncio 3.12).

use super::socket::{Conn, Listener, StreamAddr};
use super::{current_loop, split};
use spindle_core::Task;
use spindle_reactor::io::Async;
use spindle_scheduler::EventLoop;
use std::fmt;
use std::future::{poll_fn, Future};
use std::io;
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Poll, Waker};
use std::time::Duration;

use super::{StreamReader, StreamWriter};

/// How long the accept loop pauses when the process or the system is out of descriptors or
/// memory. asyncio pauses 1 s; a tenth of that retries sooner once a connection is released,
/// and still makes the retry cost nothing next to the work of the connections that are open.
pub const ACCEPT_RETRY_DELAY: Duration = Duration::from_millis(100);

/// A running server: asyncio's `Server`, as `start_server` returns it.
///
/// Dropping the handle does **not** close the server (asyncio keeps serving a server nobody
/// references); call [`close`](StreamServer::close).
pub struct StreamServer {
    shared: Arc<Shared>,
}

struct Shared {
    sockname: io::Result<StreamAddr>,
    /// A Unix socket's path and its (device, inode), removed on close if still ours.
    unix_path: Option<(PathBuf, (u64, u64))>,
    state: Mutex<State>,
}

struct State {
    closed: bool,
    /// The accept task has not yet ended (it holds the listener).
    accepting: bool,
    /// Connections whose callback is still running.
    active: usize,
    accept_task: Option<Task<()>>,
    /// `wait_closed` and `serve_forever` callers.
    waiters: Vec<Waker>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn update(&self, f: impl FnOnce(&mut State)) {
        let mut state = self.lock();
        f(&mut state);
        let wake = std::mem::take(&mut state.waiters);
        drop(state);
        wake.into_iter().for_each(Waker::wake);
    }
}

/// Marks the end of the accept task, however it ends (returned, cancelled, panicked, or
/// dropped before its first poll): created before the task is spawned and moved into its
/// future, so that dropping the future drops it even if the future never ran.
struct AcceptGuard(Arc<Shared>);

impl Drop for AcceptGuard {
    fn drop(&mut self) {
        self.0.update(|s| s.accepting = false);
    }
}

/// Marks the end of one connection's callback, however it ends.
struct ConnectionGuard(Arc<Shared>);

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        self.0.update(|s| s.active -= 1);
    }
}

/// Starts a TCP server on `addr`: asyncio's `start_server(client_connected_cb, host, port)`.
/// `client_connected(reader, writer)` runs in a new task for every connection.
///
/// `addr` is resolved as by `std::net::TcpListener::bind`: a host name is looked up on the
/// calling thread (blocking); give an IP address to avoid that. Port 0 picks a free port; see
/// [`StreamServer::local_addr`]. Accepted sockets have `TCP_NODELAY` set, as asyncio's.
///
/// ```
/// # spindle::run(async {
/// use spindle::streams::{open_connection, start_server};
///
/// let server = start_server(
///     |mut reader, writer| async move {
///         let line = reader.readline().await.unwrap();
///         writer.write(&line).unwrap();
///         writer.close();
///     },
///     "127.0.0.1:0",
/// )
/// .await
/// .unwrap();
/// let (mut reader, writer) = open_connection(server.local_addr().unwrap()).await.unwrap();
/// writer.write(b"hello\n").unwrap();
/// assert_eq!(reader.readline().await.unwrap(), b"hello\n");
/// server.close();
/// server.wait_closed().await;
/// # });
/// ```
///
/// # Errors
/// When the address cannot be resolved or bound, or outside an event loop.
pub async fn start_server<F, Fut>(
    client_connected: F,
    addr: impl ToSocketAddrs,
) -> io::Result<StreamServer>
where
    F: Fn(StreamReader, StreamWriter) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let lp = current_loop()?;
    let listener = Async::new(TcpListener::bind(addr)?)?;
    Ok(serve(lp, Listener::Tcp(listener), None, client_connected))
}

/// Starts a Unix-socket server at `path`: asyncio's `start_unix_server(cb, path)`.
///
/// A stale socket file at `path` is removed first, and the file is removed again by
/// [`close`](StreamServer::close) if it is still this server's, as asyncio 3.13.
///
/// # Errors
/// When `path` exists and is not a socket, cannot be bound, or outside an event loop.
pub async fn start_unix_server<F, Fut>(
    client_connected: F,
    path: impl AsRef<Path>,
) -> io::Result<StreamServer>
where
    F: Fn(StreamReader, StreamWriter) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let lp = current_loop()?;
    let path = path.as_ref();
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if meta.file_type().is_socket() {
            std::fs::remove_file(path)?;
        }
    }
    let listener = UnixListener::bind(path)?;
    let meta = std::fs::metadata(path)?;
    let listener = Async::new(listener)?;
    Ok(serve(
        lp,
        Listener::Unix(listener),
        Some((path.to_path_buf(), (meta.dev(), meta.ino()))),
        client_connected,
    ))
}

fn serve<F, Fut>(
    lp: EventLoop,
    listener: Listener,
    unix_path: Option<(PathBuf, (u64, u64))>,
    client_connected: F,
) -> StreamServer
where
    F: Fn(StreamReader, StreamWriter) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let shared = Arc::new(Shared {
        sockname: listener.sockname(),
        unix_path,
        state: Mutex::new(State {
            closed: false,
            accepting: true,
            active: 0,
            accept_task: None,
            waiters: Vec::new(),
        }),
    });
    // The guard goes in as an argument, not created by the body: a task cancelled (or
    // rejected by a closing loop) before its first poll drops its future unpolled, and only
    // what the future captured is dropped then.
    let task = lp.spawn(accept_loop(
        listener,
        lp.clone(),
        AcceptGuard(shared.clone()),
        client_connected,
    ));
    shared.lock().accept_task = Some(task);
    StreamServer { shared }
}

async fn accept_loop<F, Fut>(listener: Listener, lp: EventLoop, accepting: AcceptGuard, cb: F)
where
    F: Fn(StreamReader, StreamWriter) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let shared = &accepting.0;
    loop {
        match listener.accept().await {
            Ok(conn) => start_connection(&lp, shared, conn, &cb),
            Err(e) if is_transient(&e) => {}
            Err(e) => {
                // Out of resources: the listener stays readable, so retrying at once would spin.
                let exhausted = matches!(
                    e.raw_os_error(),
                    Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
                );
                let what = if exhausted {
                    "out of system resources"
                } else {
                    "failed"
                };
                lp.call_exception_handler(&format!(
                    "start_server: accept() {what}: {e}; pausing the server for {ACCEPT_RETRY_DELAY:?}"
                ));
                spindle_scheduler::sleep(ACCEPT_RETRY_DELAY).await;
            }
        }
    }
}

/// Errors of one connection attempt that say nothing about the listener: try the next one.
fn is_transient(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
            | io::ErrorKind::WouldBlock
    )
}

fn start_connection<F, Fut>(lp: &EventLoop, shared: &Arc<Shared>, conn: Conn, cb: &F)
where
    F: Fn(StreamReader, StreamWriter) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    shared.lock().active += 1;
    let guard = ConnectionGuard(shared.clone());
    let (reader, writer) = split(conn, lp.clone());
    let callback = cb(reader, writer);
    // Detached: the guard tells the server when the callback is done.
    drop(lp.spawn(async move {
        let _guard = guard;
        callback.await;
    }));
}

impl StreamServer {
    /// The TCP address the server listens on (with the port picked for port 0).
    ///
    /// # Errors
    /// For a Unix-socket server (see [`sockname`](StreamServer::sockname)), or when the OS
    /// could not tell.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        match &self.shared.sockname {
            Ok(StreamAddr::Inet(addr)) => Ok(*addr),
            Ok(StreamAddr::Unix(_)) => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a Unix-socket server has no IP address; see StreamServer::sockname",
            )),
            Err(e) => Err(io::Error::new(e.kind(), e.to_string())),
        }
    }

    /// The address the server listens on, TCP or Unix (asyncio's `server.sockets[0]
    /// .getsockname()`).
    ///
    /// # Errors
    /// When the OS could not tell.
    pub fn sockname(&self) -> io::Result<StreamAddr> {
        match &self.shared.sockname {
            Ok(addr) => Ok(addr.clone()),
            Err(e) => Err(io::Error::new(e.kind(), e.to_string())),
        }
    }

    /// `true` until [`close`](StreamServer::close): asyncio's `is_serving()`.
    pub fn is_serving(&self) -> bool {
        !self.shared.lock().closed
    }

    /// How many connections' callbacks are still running.
    pub fn active_connections(&self) -> usize {
        self.shared.lock().active
    }

    /// Stops accepting: the listening socket is closed (once the accept task has stopped,
    /// see [`wait_closed`](StreamServer::wait_closed)); connections already accepted go on.
    /// asyncio's `close()`. A Unix server removes its socket file if it is still its own.
    pub fn close(&self) {
        let mut task = None;
        self.shared.update(|s| {
            if !s.closed {
                s.closed = true;
                task = s.accept_task.take();
            }
        });
        let Some(task) = task else { return };
        task.cancel();
        if let Some((path, id)) = &self.shared.unix_path {
            if let Ok(meta) = std::fs::symlink_metadata(path) {
                if (meta.dev(), meta.ino()) == *id {
                    let _ = std::fs::remove_file(path);
                }
            }
        }
    }

    /// Waits until the server is closed, its listening socket released and every
    /// connection's callback finished: asyncio 3.12's `wait_closed()`. Before `close`, it
    /// waits for a `close` from elsewhere.
    pub async fn wait_closed(&self) {
        self.wait(|s| s.closed && !s.accepting && s.active == 0)
            .await;
    }

    /// Serves until the server is closed: asyncio's `serve_forever()` (the server is already
    /// serving from `start_server`). If this future is dropped first (its task cancelled), the
    /// server is closed, as asyncio closes it when `serve_forever` is cancelled.
    pub async fn serve_forever(&self) {
        struct CloseOnDrop<'a>(&'a StreamServer);
        impl Drop for CloseOnDrop<'_> {
            fn drop(&mut self) {
                self.0.close();
            }
        }
        let guard = CloseOnDrop(self);
        self.wait(|s| s.closed).await;
        drop(guard);
    }

    async fn wait(&self, done: impl Fn(&State) -> bool) {
        poll_fn(|cx| {
            let mut state = self.shared.lock();
            if done(&state) {
                return Poll::Ready(());
            }
            if !state.waiters.iter().any(|w| w.will_wake(cx.waker())) {
                state.waiters.push(cx.waker().clone());
            }
            Poll::Pending
        })
        .await;
    }
}

impl fmt::Debug for StreamServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.shared.lock();
        f.debug_struct("StreamServer")
            .field("sockname", &self.shared.sockname.as_ref().ok())
            .field("closed", &state.closed)
            .field("active", &state.active)
            .finish_non_exhaustive()
    }
}
