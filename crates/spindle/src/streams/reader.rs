//! `StreamReader`: buffered reads from the socket, with asyncio's `read`, `readline`,
//! `readexactly`, `readuntil` and `at_eof`.
//!
//! The reader *pulls*: it reads from the socket only when a call needs more bytes than are
//! buffered, so there is no background task and no read-side flow control to manage (the
//! kernel's receive buffer is the back-pressure). asyncio's reader is fed by its protocol in
//! the background instead; the results of every call are the same. Every call is
//! cancellation-safe: bytes read from the socket land in the buffer before the call can be
//! dropped, so a dropped `readexactly` or `readuntil` loses nothing.

use super::error::{IncompleteReadError, LimitOverrunError, ReadExactlyError, ReadUntilError};
use super::socket::{Conn, StreamAddr};
use super::DEFAULT_LIMIT;
use std::fmt;
use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use futures_io::{AsyncBufRead, AsyncRead};

/// The size of one read from the socket, and so of the buffer of a reader that never holds
/// more than one chunk (most): 64 KiB is what one loopback wake-up brings at most, and
/// asyncio's default limit.
const READ_CHUNK: usize = 64 * 1024;

/// The smallest free space a read from the socket is offered: below it, the buffer is
/// compacted (or grown) first, so that reads are never a few bytes at a time.
const MIN_READ: usize = 4 * 1024;

/// The reading half of a stream: asyncio's `StreamReader`.
///
/// Methods take `&mut self`: one reader, one task reading at a time (asyncio forbids
/// concurrent reads with a `RuntimeError`; here the borrow checker does).
///
/// The **limit** (64 KiB unless [`with_limit`](StreamReader::with_limit)) bounds
/// [`readuntil`](StreamReader::readuntil) and [`readline`](StreamReader::readline): a line
/// longer than the limit is an error rather than unbounded memory.
pub struct StreamReader {
    conn: Arc<Conn>,
    /// Initialised storage; the buffered bytes are `buf[start..end]`.
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// The socket said end of stream (or failed): nothing more will be read from it.
    eof: bool,
    /// A failure found by [`at_eof`](StreamReader::at_eof)'s probe, for the next read.
    error: Option<io::Error>,
    limit: usize,
}

impl StreamReader {
    pub(crate) fn new(conn: Arc<Conn>) -> StreamReader {
        StreamReader {
            conn,
            buf: Vec::new(),
            start: 0,
            end: 0,
            eof: false,
            error: None,
            limit: DEFAULT_LIMIT,
        }
    }

    /// This reader with a different limit for `readuntil` / `readline` (asyncio's `limit=`
    /// argument of `open_connection` and `start_server`).
    ///
    /// A limit of 0 is raised to 1.
    #[must_use]
    pub fn with_limit(mut self, limit: usize) -> StreamReader {
        self.limit = limit.max(1);
        self
    }

    /// The limit of `readuntil` / `readline`.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// How many bytes are buffered (read from the socket, not yet returned).
    pub fn buffered(&self) -> usize {
        self.end - self.start
    }

    /// The address of the other end.
    ///
    /// # Errors
    /// When the socket is no longer connected.
    pub fn peername(&self) -> io::Result<StreamAddr> {
        self.conn.peername()
    }

    /// Reads up to `n` bytes: what is buffered, or else what one read from the socket brings.
    /// Empty at the end of the stream, and for `n == 0`. asyncio's `read(n)`; its `read(-1)`
    /// is [`read_to_end`](StreamReader::read_to_end).
    ///
    /// # Errors
    /// When the socket fails.
    pub async fn read(&mut self, n: usize) -> io::Result<Vec<u8>> {
        if n == 0 {
            return Ok(Vec::new());
        }
        if self.buffered() == 0 && !self.eof {
            self.fill().await?;
        }
        Ok(self.take(n.min(self.buffered())))
    }

    /// Reads until the end of the stream and returns everything: asyncio's `read(-1)`.
    ///
    /// # Errors
    /// When the socket fails (what was read so far stays buffered).
    pub async fn read_to_end(&mut self) -> io::Result<Vec<u8>> {
        while !self.eof {
            self.fill().await?;
        }
        Ok(self.take(self.buffered()))
    }

    /// Reads one line, up to and including `b'\n'`; at the end of the stream, the partial
    /// line (empty if nothing is left). asyncio's `readline()`.
    ///
    /// # Errors
    /// When the socket fails, or `InvalidData` (holding a [`LimitOverrunError`]) when the line
    /// is longer than the limit. As in asyncio, that line is then **discarded**: if its end
    /// was buffered, up to and including the `\n`; otherwise the whole buffer (the rest of the
    /// line is still to come from the socket, and the next `readline` returns it).
    pub async fn readline(&mut self) -> io::Result<Vec<u8>> {
        match self.readuntil(b"\n").await {
            Ok(line) => Ok(line),
            Err(ReadUntilError::Incomplete(e)) => Ok(e.partial),
            Err(ReadUntilError::LimitOverrun(e)) => {
                if self.data()[e.consumed..].starts_with(b"\n") {
                    self.consume(e.consumed + 1);
                } else {
                    self.consume(self.buffered());
                }
                Err(e.into())
            }
            Err(ReadUntilError::Io(e)) => Err(e),
        }
    }

    /// Reads exactly `n` bytes: asyncio's `readexactly(n)`.
    ///
    /// # Errors
    /// [`ReadExactlyError::Incomplete`] when the stream ends first, with the bytes that
    /// were read (they leave the buffer); [`ReadExactlyError::Io`] when the socket fails.
    pub async fn readexactly(&mut self, n: usize) -> Result<Vec<u8>, ReadExactlyError> {
        while self.buffered() < n {
            if self.eof {
                return Err(ReadExactlyError::Incomplete(IncompleteReadError {
                    partial: self.take(self.buffered()),
                    expected: Some(n),
                }));
            }
            self.fill().await?;
        }
        Ok(self.take(n))
    }

    /// Reads up to and including `separator`: asyncio's `readuntil(separator)`.
    ///
    /// # Errors
    /// - [`ReadUntilError::LimitOverrun`] when the separator does not end within the limit:
    ///   either it was found after more than `limit` bytes, or `limit` bytes were searched
    ///   without finding it. **Nothing is consumed**, as in asyncio: the bytes stay buffered,
    ///   and `consumed` says how many to read (with [`read`](StreamReader::read) or
    ///   [`readexactly`](StreamReader::readexactly)) to skip what was searched, after which
    ///   the reader is usable as before.
    /// - [`ReadUntilError::Incomplete`] when the stream ends first, with everything that was
    ///   buffered (it leaves the buffer); `expected` is `None`.
    /// - [`ReadUntilError::Io`] when the socket fails, or `InvalidInput` for an empty
    ///   separator.
    pub async fn readuntil(&mut self, separator: &[u8]) -> Result<Vec<u8>, ReadUntilError> {
        if separator.is_empty() {
            return Err(ReadUntilError::Io(io::Error::new(
                io::ErrorKind::InvalidInput,
                "readuntil: the separator must not be empty",
            )));
        }
        let seplen = separator.len();
        // Where the search resumes: bytes before it are known not to start the separator.
        let mut offset = 0;
        let found = loop {
            let data = self.data();
            if data.len() >= offset + seplen {
                if let Some(at) = find(&data[offset..], separator) {
                    break offset + at;
                }
                offset = data.len() + 1 - seplen;
                if offset > self.limit {
                    return Err(ReadUntilError::LimitOverrun(LimitOverrunError {
                        consumed: offset,
                        separator_found: false,
                    }));
                }
            }
            if self.eof {
                return Err(ReadUntilError::Incomplete(IncompleteReadError {
                    partial: self.take(self.buffered()),
                    expected: None,
                }));
            }
            self.fill().await?;
        };
        if found > self.limit {
            return Err(ReadUntilError::LimitOverrun(LimitOverrunError {
                consumed: found,
                separator_found: true,
            }));
        }
        Ok(self.take(found + seplen))
    }

    /// `true` when the stream has ended and everything buffered was read: asyncio's
    /// `at_eof()`.
    ///
    /// asyncio learns of the end in the background; this reader learns of it by reading, so
    /// with nothing buffered `at_eof` tries one non-blocking read (never waits): hence
    /// `&mut self`. What that read brings is kept for the next call.
    pub fn at_eof(&mut self) -> bool {
        if self.buffered() > 0 {
            return false;
        }
        if self.eof {
            return true;
        }
        self.make_room(1);
        match self.conn.try_read(&mut self.buf[self.end..]) {
            Ok(0) => self.eof = true,
            Ok(n) => self.end += n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                ) => {}
            Err(e) => {
                // asyncio's reader also reaches its end when the connection is lost.
                self.eof = true;
                self.error = Some(e);
            }
        }
        self.eof && self.buffered() == 0
    }

    fn data(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// Reads once from the socket into the buffer, waiting for data; sets `eof` at the end.
    async fn fill(&mut self) -> io::Result<()> {
        poll_fn(|cx| self.poll_fill(cx)).await
    }

    /// The poll form of [`fill`](StreamReader::fill), for the `futures_io` traits.
    fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(error) = self.error.take() {
            return Poll::Ready(Err(error));
        }
        self.make_room(MIN_READ);
        let Self { conn, buf, end, .. } = self;
        let n = ready!(conn.poll_read(cx, &mut buf[*end..]))?;
        if n == 0 {
            self.eof = true;
        }
        self.end += n;
        Poll::Ready(Ok(()))
    }

    /// Makes at least `want` bytes free after `end`: compacts, or grows the storage.
    fn make_room(&mut self, want: usize) {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
        if self.buf.len() - self.end >= want {
            return;
        }
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.buf.len() - self.end < want {
            let size = (self.buf.len() * 2).max(READ_CHUNK).max(self.end + want);
            self.buf.resize(size, 0);
        }
    }

    fn consume(&mut self, n: usize) {
        self.start += n;
    }

    fn take(&mut self, n: usize) -> Vec<u8> {
        let out = self.buf[self.start..self.start + n].to_vec();
        self.consume(n);
        out
    }
}

/// The buffer is the reader's own: `poll_fill_buf` shows what is buffered (reading once from
/// the socket when nothing is), `consume` drops it. Mixing these with the asyncio methods is
/// fine: they share the buffer.
impl AsyncBufRead for StreamReader {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.get_mut();
        if this.buffered() == 0 && !this.eof {
            ready!(this.poll_fill(cx))?;
        }
        Poll::Ready(Ok(this.data()))
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        let this = self.get_mut();
        let n = amt.min(this.buffered());
        StreamReader::consume(this, n);
    }
}

impl AsyncRead for StreamReader {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let data = ready!(Pin::new(&mut *this).poll_fill_buf(cx))?;
        let n = data.len().min(out.len());
        out[..n].copy_from_slice(&data[..n]);
        StreamReader::consume(this, n);
        Poll::Ready(Ok(n))
    }
}

/// The offset of the first `needle` in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if let [byte] = needle {
        return haystack.iter().position(|b| b == byte);
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

impl fmt::Debug for StreamReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamReader")
            .field("buffered", &self.buffered())
            .field("eof", &self.eof)
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}
