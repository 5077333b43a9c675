//! The queue's errors: asyncio's `QueueFull`, `QueueEmpty`, `QueueShutDown` and the
//! `ValueError` of `task_done`, as types. An error that refuses an item hands the item back.

use std::error::Error;
use std::fmt;

/// [`put_nowait`](crate::GenericQueue::put_nowait) found the queue holding `maxsize` items
/// (asyncio's `QueueFull`). The refused item is handed back: [`QueueFull::into_inner`].
#[derive(Clone, PartialEq, Eq)]
pub struct QueueFull<T>(pub T);

impl<T> QueueFull<T> {
    /// The item that was not put.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for QueueFull<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueueFull").finish_non_exhaustive()
    }
}

impl<T> fmt::Display for QueueFull<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("queue is full (it holds maxsize items): await put() to wait for a free slot")
    }
}

impl<T> Error for QueueFull<T> {}

/// [`get_nowait`](crate::GenericQueue::get_nowait) found no item (asyncio's `QueueEmpty`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueEmpty;

impl fmt::Display for QueueEmpty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("queue is empty: await get() to wait for an item")
    }
}

impl Error for QueueEmpty {}

/// The queue was [shut down](crate::GenericQueue::shutdown) (asyncio 3.13's `QueueShutDown`).
///
/// From a put (`QueueShutDown<T>`) it hands the refused item back
/// ([`into_inner`](QueueShutDown::into_inner)); from a get (`QueueShutDown<()>`) it means the
/// queue is shut down *and* empty: no item will ever come.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct QueueShutDown<T = ()>(pub T);

impl<T> QueueShutDown<T> {
    /// The item that was not put (`()` for a get).
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for QueueShutDown<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueueShutDown").finish_non_exhaustive()
    }
}

impl<T> fmt::Display for QueueShutDown<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("queue is shut down: it takes no new items and has none left to get")
    }
}

impl<T> Error for QueueShutDown<T> {}

/// Why [`put_nowait`](crate::GenericQueue::put_nowait) refused an item; either way the item is
/// handed back ([`into_inner`](PutNowaitError::into_inner)).
///
/// asyncio raises two exceptions here, `QueueFull` and (since 3.13) `QueueShutDown`; the
/// variants carry exactly those.
#[derive(Clone, PartialEq, Eq)]
pub enum PutNowaitError<T> {
    /// The queue holds `maxsize` items.
    Full(QueueFull<T>),
    /// The queue was shut down.
    ShutDown(QueueShutDown<T>),
}

impl<T> PutNowaitError<T> {
    /// The item that was not put.
    pub fn into_inner(self) -> T {
        match self {
            PutNowaitError::Full(e) => e.into_inner(),
            PutNowaitError::ShutDown(e) => e.into_inner(),
        }
    }

    /// `true` for [`PutNowaitError::Full`].
    pub fn is_full(&self) -> bool {
        matches!(self, PutNowaitError::Full(_))
    }

    /// `true` for [`PutNowaitError::ShutDown`].
    pub fn is_shutdown(&self) -> bool {
        matches!(self, PutNowaitError::ShutDown(_))
    }
}

impl<T> From<QueueFull<T>> for PutNowaitError<T> {
    fn from(e: QueueFull<T>) -> Self {
        PutNowaitError::Full(e)
    }
}

impl<T> From<QueueShutDown<T>> for PutNowaitError<T> {
    fn from(e: QueueShutDown<T>) -> Self {
        PutNowaitError::ShutDown(e)
    }
}

impl<T> fmt::Debug for PutNowaitError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PutNowaitError::Full(e) => f.debug_tuple("Full").field(e).finish(),
            PutNowaitError::ShutDown(e) => f.debug_tuple("ShutDown").field(e).finish(),
        }
    }
}

impl<T> fmt::Display for PutNowaitError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PutNowaitError::Full(e) => e.fmt(f),
            PutNowaitError::ShutDown(e) => e.fmt(f),
        }
    }
}

impl<T> Error for PutNowaitError<T> {}

/// Why [`get_nowait`](crate::GenericQueue::get_nowait) returned no item: asyncio's
/// `QueueEmpty`, or (since 3.13) `QueueShutDown` once the queue is shut down and empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GetNowaitError {
    /// No item right now; one may come later.
    Empty(QueueEmpty),
    /// Shut down and empty: no item will ever come.
    ShutDown(QueueShutDown),
}

impl GetNowaitError {
    /// `true` for [`GetNowaitError::Empty`].
    pub fn is_empty(&self) -> bool {
        matches!(self, GetNowaitError::Empty(_))
    }

    /// `true` for [`GetNowaitError::ShutDown`].
    pub fn is_shutdown(&self) -> bool {
        matches!(self, GetNowaitError::ShutDown(_))
    }
}

impl From<QueueEmpty> for GetNowaitError {
    fn from(e: QueueEmpty) -> Self {
        GetNowaitError::Empty(e)
    }
}

impl From<QueueShutDown> for GetNowaitError {
    fn from(e: QueueShutDown) -> Self {
        GetNowaitError::ShutDown(e)
    }
}

impl fmt::Display for GetNowaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GetNowaitError::Empty(e) => e.fmt(f),
            GetNowaitError::ShutDown(e) => e.fmt(f),
        }
    }
}

impl Error for GetNowaitError {}

/// [`task_done`](crate::GenericQueue::task_done) was called more times than items were put
/// (asyncio raises `ValueError('task_done() called too many times')`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskDoneError;

impl fmt::Display for TaskDoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task_done() called more times than items were put in the queue")
    }
}

impl Error for TaskDoneError {}
