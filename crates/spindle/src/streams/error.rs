//! The errors of the stream reader: asyncio's `IncompleteReadError` and `LimitOverrunError`,
//! and the two enums that add the I/O error a socket read can always fail with.
//!
//! Every error converts into an `io::Error` (`?` in a function returning `io::Result`), the
//! stream error kept inside as its source: `UnexpectedEof` for an incomplete read,
//! `InvalidData` for a limit overrun.

use std::error::Error;
use std::fmt;
use std::io;

/// The stream ended before the read was satisfied: asyncio's `IncompleteReadError`.
///
/// The bytes read before the end are in `partial`; they have left the reader's buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncompleteReadError {
    /// What was read before the end of the stream.
    pub partial: Vec<u8>,
    /// How many bytes were asked for (`readexactly`); `None` when waiting for a separator
    /// (`readuntil`), as asyncio.
    pub expected: Option<usize>,
}

impl fmt::Display for IncompleteReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.expected {
            Some(n) => write!(
                f,
                "{} bytes read on a total of {n} expected bytes",
                self.partial.len()
            ),
            None => write!(
                f,
                "{} bytes read before the end of the stream, separator not found",
                self.partial.len()
            ),
        }
    }
}

impl Error for IncompleteReadError {}

impl From<IncompleteReadError> for io::Error {
    fn from(error: IncompleteReadError) -> io::Error {
        io::Error::new(io::ErrorKind::UnexpectedEof, error)
    }
}

/// The separator was not found within the reader's limit: asyncio's `LimitOverrunError`.
///
/// Nothing was consumed: the data is still in the reader's buffer, so the caller may read it
/// some other way (`read(consumed)`, `readexactly`) and carry on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitOverrunError {
    /// How many bytes the caller has to consume to get past the data searched so far (the
    /// offset of the separator when it was found beyond the limit).
    pub consumed: usize,
    /// Whether the separator was found (beyond the limit) or not at all.
    pub separator_found: bool,
}

impl fmt::Display for LimitOverrunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.separator_found {
            write!(
                f,
                "separator is found, but the chunk is longer than the limit ({} bytes before it)",
                self.consumed
            )
        } else {
            write!(
                f,
                "separator is not found, and the chunk exceeds the limit ({} bytes searched)",
                self.consumed
            )
        }
    }
}

impl Error for LimitOverrunError {}

impl From<LimitOverrunError> for io::Error {
    fn from(error: LimitOverrunError) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, error)
    }
}

/// Why [`StreamReader::readexactly`](super::StreamReader::readexactly) failed.
#[derive(Debug)]
pub enum ReadExactlyError {
    /// The stream ended first; the partial bytes are inside.
    Incomplete(IncompleteReadError),
    /// The socket failed.
    Io(io::Error),
}

/// Why [`StreamReader::readuntil`](super::StreamReader::readuntil) failed.
#[derive(Debug)]
pub enum ReadUntilError {
    /// The stream ended before the separator; everything buffered is inside.
    Incomplete(IncompleteReadError),
    /// The separator is not within the limit; the data stays buffered.
    LimitOverrun(LimitOverrunError),
    /// The socket failed (or the separator is empty: `InvalidInput`).
    Io(io::Error),
}

impl fmt::Display for ReadExactlyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadExactlyError::Incomplete(e) => e.fmt(f),
            ReadExactlyError::Io(e) => e.fmt(f),
        }
    }
}

impl fmt::Display for ReadUntilError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadUntilError::Incomplete(e) => e.fmt(f),
            ReadUntilError::LimitOverrun(e) => e.fmt(f),
            ReadUntilError::Io(e) => e.fmt(f),
        }
    }
}

impl Error for ReadExactlyError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            ReadExactlyError::Incomplete(e) => Some(e),
            ReadExactlyError::Io(e) => Some(e),
        }
    }
}

impl Error for ReadUntilError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            ReadUntilError::Incomplete(e) => Some(e),
            ReadUntilError::LimitOverrun(e) => Some(e),
            ReadUntilError::Io(e) => Some(e),
        }
    }
}

impl From<io::Error> for ReadExactlyError {
    fn from(error: io::Error) -> ReadExactlyError {
        ReadExactlyError::Io(error)
    }
}

impl From<io::Error> for ReadUntilError {
    fn from(error: io::Error) -> ReadUntilError {
        ReadUntilError::Io(error)
    }
}

impl From<ReadExactlyError> for io::Error {
    fn from(error: ReadExactlyError) -> io::Error {
        match error {
            ReadExactlyError::Incomplete(e) => e.into(),
            ReadExactlyError::Io(e) => e,
        }
    }
}

impl From<ReadUntilError> for io::Error {
    fn from(error: ReadUntilError) -> io::Error {
        match error {
            ReadUntilError::Incomplete(e) => e.into(),
            ReadUntilError::LimitOverrun(e) => e.into(),
            ReadUntilError::Io(e) => e,
        }
    }
}
