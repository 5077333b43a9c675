//! The errors of tasks and futures, asyncio's exception types as Rust values.

use std::any::Any;
use std::fmt;

/// Why a task produced no value: asyncio's `CancelledError` or the exception it raised.
#[non_exhaustive]
pub enum TaskError {
    /// The task was cancelled (`Task::cancel`, a closed loop, a cancelled `gather`) before it
    /// finished; its future was dropped.
    Cancelled,
    /// The task's future panicked; the payload is what `panic!` was given. The worker that
    /// polled it carries on.
    Panicked(Box<dyn Any + Send + 'static>),
    /// The task was spawned on an event loop that is closed; it never ran.
    LoopClosed,
}

impl TaskError {
    /// `true` for [`TaskError::Cancelled`].
    pub fn is_cancelled(&self) -> bool {
        matches!(self, TaskError::Cancelled)
    }

    /// `true` for [`TaskError::Panicked`].
    pub fn is_panic(&self) -> bool {
        matches!(self, TaskError::Panicked(_))
    }

    /// The panic message, when the task panicked with a string.
    pub fn panic_message(&self) -> Option<&str> {
        match self {
            TaskError::Panicked(payload) => panic_message(&**payload),
            _ => None,
        }
    }

    /// The panic payload, to resume the panic with `std::panic::resume_unwind`.
    pub fn try_into_panic(self) -> Result<Box<dyn Any + Send + 'static>, TaskError> {
        match self {
            TaskError::Panicked(payload) => Ok(payload),
            other => Err(other),
        }
    }
}

/// The message of a panic payload that is a `&str` or a `String`.
pub fn panic_message(payload: &(dyn Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<&'static str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}

impl fmt::Debug for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskError::Cancelled => f.write_str("Cancelled"),
            TaskError::Panicked(payload) => f
                .debug_tuple("Panicked")
                .field(&panic_message(&**payload).unwrap_or(".."))
                .finish(),
            TaskError::LoopClosed => f.write_str("LoopClosed"),
        }
    }
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskError::Cancelled => f.write_str("the task was cancelled"),
            TaskError::Panicked(payload) => match panic_message(&**payload) {
                Some(message) => write!(f, "the task panicked: {message}"),
                None => f.write_str("the task panicked"),
            },
            TaskError::LoopClosed => f.write_str("the task was spawned on a closed event loop"),
        }
    }
}

impl std::error::Error for TaskError {}

/// asyncio's `InvalidStateError`: a result set twice, or read before it exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidStateError {
    what: &'static str,
}

impl InvalidStateError {
    pub(crate) const ALREADY_DONE: InvalidStateError = InvalidStateError {
        what: "the promise is already done",
    };
    pub(crate) const NOT_DONE: InvalidStateError = InvalidStateError {
        what: "the promise has no result yet",
    };
}

impl fmt::Display for InvalidStateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid state: {}", self.what)
    }
}

impl std::error::Error for InvalidStateError {}

/// asyncio's `CancelledError`, for futures that are not tasks (a cancelled [`Promise`](crate::Promise)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CancelledError;

impl fmt::Display for CancelledError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the future was cancelled")
    }
}

impl std::error::Error for CancelledError {}

/// asyncio's `TimeoutError`: `wait_for` / `timeout_at` ran out of time (the inner future was
/// cancelled before the error was returned).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimeoutError;

impl fmt::Display for TimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the operation timed out")
    }
}

impl std::error::Error for TimeoutError {}
