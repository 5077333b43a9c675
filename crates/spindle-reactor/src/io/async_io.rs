//! `Async<T>`: a non-blocking fd that waits for readiness instead of blocking a worker.

use super::readiness::{Direction, Readiness};
use crate::backend::READ_CLOSED_REPORTED;
use crate::{context, Driver};
use futures_io::{AsyncRead, AsyncWrite};
use std::fmt;
use std::future::poll_fn;
use std::io::{self, IoSlice, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

/// Any file descriptor (a socket, a pipe, ...) as an asynchronous source: operations that would
/// block wait for readiness on the loop's driver instead.
///
/// `Async::new` puts the fd in non-blocking mode and registers it; dropping the `Async`
/// deregisters it before the inner value (and so the fd) is dropped.
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use spindle_reactor::{io::Async, Driver};
/// use std::os::unix::net::UnixStream;
///
/// let driver = Driver::new()?;
/// let (a, b) = UnixStream::pair()?;
/// let a = Async::with_driver(a, &driver)?;
/// let b = Async::with_driver(b, &driver)?;
/// // Nothing to read yet: the operation says WouldBlock instead of blocking.
/// let mut buf = [0u8; 8];
/// assert_eq!((&*b.get_ref()).read(&mut buf).unwrap_err().kind(), std::io::ErrorKind::WouldBlock);
/// (&*a.get_ref()).write_all(b"hi")?;
/// # use std::io::{Read, Write};
/// assert_eq!((&*b.get_ref()).read(&mut buf)?, 2);
/// # Ok(())
/// # }
/// ```
pub struct Async<T: AsFd> {
    /// `None` only inside `into_inner` and `drop`.
    io: Option<T>,
    driver: Driver,
    key: usize,
    readiness: Arc<Readiness>,
}

impl<T: AsFd> Async<T> {
    /// Registers `io` with the driver of the loop running on this thread.
    ///
    /// # Errors
    /// Outside an event loop (no driver on this thread), or when the OS refuses to register the
    /// fd.
    pub fn new(io: T) -> io::Result<Async<T>> {
        let driver = context::current().ok_or_else(|| {
            io::Error::other("spindle: an I/O source was created outside an event loop")
        })?;
        Async::with_driver(io, &driver)
    }

    /// Registers `io` with `driver`.
    ///
    /// # Errors
    /// When the fd cannot be made non-blocking or registered.
    pub fn with_driver(io: T, driver: &Driver) -> io::Result<Async<T>> {
        set_nonblocking(io.as_fd())?;
        // SAFETY: the fd is owned by `io`, which this `Async` keeps until `drop` or
        // `into_inner`, and both deregister it first.
        let (key, readiness) = unsafe { driver.register(io.as_fd().as_raw_fd())? };
        Ok(Async {
            io: Some(io),
            driver: driver.clone(),
            key,
            readiness,
        })
    }

    /// The inner value.
    pub fn get_ref(&self) -> &T {
        self.io.as_ref().expect("the source is present until drop")
    }

    /// Deregisters the fd and gives the inner value back (still non-blocking).
    ///
    /// # Errors
    /// When the poller refuses to delete the fd (the value is dropped then).
    pub fn into_inner(mut self) -> io::Result<T> {
        let io = self.io.take().expect("the source is present until drop");
        self.driver
            .deregister(io.as_fd(), self.key, &self.readiness)?;
        Ok(io)
    }

    /// `Ready` when the fd may be readable (a read may still say `WouldBlock`).
    pub fn poll_readable(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.readiness
            .poll_ready(Direction::Read, cx)
            .map(|_| Ok(()))
    }

    /// `Ready` when the fd may be writable.
    pub fn poll_writable(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.readiness
            .poll_ready(Direction::Write, cx)
            .map(|_| Ok(()))
    }

    /// Waits until the fd may be readable.
    pub async fn readable(&self) -> io::Result<()> {
        poll_fn(|cx| self.poll_readable(cx)).await
    }

    /// Waits until the fd may be writable.
    pub async fn writable(&self) -> io::Result<()> {
        poll_fn(|cx| self.poll_writable(cx)).await
    }

    /// Runs `op` until it does not say `WouldBlock`, waiting for read readiness in between.
    pub fn poll_read_with<R>(
        &self,
        cx: &mut Context<'_>,
        op: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.poll_with(Direction::Read, cx, op, |_| false)
    }

    /// Runs `op` until it does not say `WouldBlock`, waiting for write readiness in between.
    pub fn poll_write_with<R>(
        &self,
        cx: &mut Context<'_>,
        op: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.poll_with(Direction::Write, cx, op, |_| false)
    }

    /// For byte streams (TCP and Unix stream sockets, pipes): writes from `buf` with `op`
    /// (which returns how many bytes it wrote), waiting for write readiness in between.
    ///
    /// A write that takes less than `buf` (and more than nothing) filled the kernel's buffer,
    /// so the write readiness is cleared at once: the next write waits for the poller instead
    /// of first failing with `WouldBlock`. Sound because the poller is edge-triggered and the
    /// kernel signals every return of buffer space (an event during the write keeps the
    /// readiness, by its tick).
    ///
    /// Reads have their own: [`poll_read_stream`](Async::poll_read_stream).
    ///
    /// ```no_run
    /// # async fn demo(stream: &spindle_reactor::io::Async<std::net::TcpStream>) -> std::io::Result<()> {
    /// use std::io::Write;
    /// let n = std::future::poll_fn(|cx| {
    ///     stream.poll_write_stream(cx, b"hello", |mut s, buf| s.write(buf))
    /// })
    /// .await?;
    /// # let _ = n; Ok(()) }
    /// ```
    pub fn poll_write_stream(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
        mut op: impl FnMut(&T, &[u8]) -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        let len = buf.len();
        self.poll_with(
            Direction::Write,
            cx,
            |io| op(io, buf),
            |&n| 0 < n && n < len,
        )
    }

    /// For byte streams (TCP and Unix stream sockets, pipes; **not** datagram sockets, nor a
    /// listener's `accept`): reads into `buf` with `op` (which returns how many bytes it
    /// read), waiting for read readiness in between.
    ///
    /// A read that returns less than `buf` (and more than nothing) emptied the kernel's
    /// buffer, so the read readiness is cleared at once: the next read waits for the poller
    /// instead of first failing with `WouldBlock` (one `recv` per message instead of two).
    /// Sound because the poller is edge-triggered, so any byte arriving later raises a new
    /// event (one arriving during the read keeps the readiness, by its tick), and because an
    /// end of file (or error) that arrived together with the data, which raises no further
    /// event, is kept as a sticky "read closed" that this clear never removes: the next read
    /// runs and returns 0 (see `io/readiness.rs`). A datagram socket has no such rule: a
    /// datagram shorter than `buf` says nothing about the next one.
    ///
    /// Only where the backend reports closed read sides (epoll, on Linux); elsewhere this is
    /// [`poll_read_with`](Async::poll_read_with). One exception, shared with tokio: TCP urgent
    /// data (`MSG_OOB`) stops a read at its mark, and the bytes after it wait for the next
    /// arrival.
    ///
    /// ```no_run
    /// # async fn demo(stream: &spindle_reactor::io::Async<std::net::TcpStream>) -> std::io::Result<()> {
    /// use std::io::Read;
    /// let mut buf = [0u8; 4096];
    /// let n = std::future::poll_fn(|cx| {
    ///     stream.poll_read_stream(cx, &mut buf, |mut s, buf| s.read(buf))
    /// })
    /// .await?;
    /// # let _ = n; Ok(()) }
    /// ```
    pub fn poll_read_stream(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
        mut op: impl FnMut(&T, &mut [u8]) -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        let len = buf.len();
        self.poll_with(
            Direction::Read,
            cx,
            |io| op(io, buf),
            |&n| READ_CLOSED_REPORTED && 0 < n && n < len,
        )
    }

    /// `read_with(|io| io.read(buf))`: a non-blocking read operation, retried on readiness.
    pub async fn read_with<R>(&self, mut op: impl FnMut(&T) -> io::Result<R>) -> io::Result<R> {
        poll_fn(|cx| self.poll_read_with(cx, &mut op)).await
    }

    /// `write_with(|io| io.write(buf))`: a non-blocking write operation, retried on readiness.
    pub async fn write_with<R>(&self, mut op: impl FnMut(&T) -> io::Result<R>) -> io::Result<R> {
        poll_fn(|cx| self.poll_write_with(cx, &mut op)).await
    }

    /// Runs `op` on readiness until it does not say `WouldBlock`. A `WouldBlock` clears the
    /// readiness it was attempted under (by tick: an event since keeps it), and so does a
    /// result for which `drained` says the kernel's buffer was left empty (or full), except
    /// that the latter keeps a closed read side readable (`io/readiness.rs`).
    fn poll_with<R>(
        &self,
        direction: Direction,
        cx: &mut Context<'_>,
        mut op: impl FnMut(&T) -> io::Result<R>,
        drained: impl Fn(&R) -> bool,
    ) -> Poll<io::Result<R>> {
        loop {
            let tick = ready!(self.readiness.poll_ready(direction, cx));
            match op(self.get_ref()) {
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                    self.readiness.clear_would_block(direction, tick)
                }
                result => {
                    if matches!(&result, Ok(r) if drained(r)) {
                        self.readiness.clear_ready(direction, tick);
                    }
                    return Poll::Ready(result);
                }
            }
        }
    }
}

fn set_nonblocking(fd: BorrowedFd<'_>) -> io::Result<()> {
    let fd = fd.as_raw_fd();
    // SAFETY: `fd` is a valid open descriptor for the duration of the borrow, and F_GETFL /
    // F_SETFL take and return plain integers.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags < 0 {
            return Err(io::Error::last_os_error());
        }
        if flags & libc::O_NONBLOCK == 0
            && libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) < 0
        {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

impl<T: AsFd> Drop for Async<T> {
    fn drop(&mut self) {
        if let Some(io) = self.io.take() {
            // The fd leaves the poller before `io` closes it. An error here (the poller is
            // gone) leaves nothing to clean up.
            let _ = self
                .driver
                .deregister(io.as_fd(), self.key, &self.readiness);
            drop(io);
        }
    }
}

impl<T: AsFd> AsFd for Async<T> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.get_ref().as_fd()
    }
}

impl<T: AsFd + fmt::Debug> fmt::Debug for Async<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Async")
            .field("io", &self.io)
            .field("key", &self.key)
            .finish()
    }
}

impl<T: AsFd> AsyncRead for Async<T>
where
    for<'a> &'a T: Read,
{
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut &*self).poll_read(cx, buf)
    }
}

impl<T: AsFd> AsyncRead for &Async<T>
where
    for<'a> &'a T: Read,
{
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_read_with(cx, |mut io| io.read(buf))
    }
}

/// The owned forms delegate to the shared ones: every operation takes `&self`.
impl<T: AsFd> AsyncWrite for Async<T>
where
    for<'a> &'a T: Write,
{
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut &*self).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut &*self).poll_write_vectored(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut &*self).poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut &*self).poll_close(cx)
    }
}

impl<T: AsFd> AsyncWrite for &Async<T>
where
    for<'a> &'a T: Write,
{
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_write_with(cx, |mut io| io.write(buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.poll_write_with(cx, |mut io| io.write_vectored(bufs))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_write_with(cx, |mut io| io.flush())
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush(cx)
    }
}
