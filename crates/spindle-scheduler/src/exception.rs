//! The loop's exception handler: where panics nobody else sees are reported.
//!
//! asyncio calls its handler with a context dict (`message`, `exception`, `task`, ...); here
//! the handler gets an [`ExceptionContext`]. The default handler prints it to standard error.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

/// A handler installed with `Builder::exception_handler` or `EventLoop::set_exception_handler`.
pub type Handler = Arc<dyn Fn(&ExceptionContext<'_>) + Send + Sync + 'static>;

/// What went wrong, for the exception handler.
pub struct ExceptionContext<'a> {
    message: &'a str,
    payload: Option<&'a (dyn Any + Send)>,
    task: Option<String>,
}

impl<'a> ExceptionContext<'a> {
    pub(crate) fn new(
        message: &'a str,
        payload: Option<&'a (dyn Any + Send)>,
        task: Option<String>,
    ) -> Self {
        ExceptionContext {
            message,
            payload,
            task,
        }
    }

    /// What happened, e.g. "a callback panicked".
    pub fn message(&self) -> &str {
        self.message
    }

    /// The panic payload, if a panic is being reported.
    pub fn payload(&self) -> Option<&(dyn Any + Send)> {
        self.payload
    }

    /// The panic message, when the payload is a string.
    pub fn panic_message(&self) -> Option<&str> {
        self.payload.and_then(spindle_core::error::panic_message)
    }

    /// The task's name, when a task is involved.
    pub fn task_name(&self) -> Option<&str> {
        self.task.as_deref()
    }
}

impl fmt::Display for ExceptionContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)?;
        if let Some(task) = &self.task {
            write!(f, " (task {task})")?;
        }
        match (self.payload, self.panic_message()) {
            (_, Some(message)) => write!(f, ": {message}"),
            (Some(_), None) => f.write_str(": <non-string panic payload>"),
            (None, None) => Ok(()),
        }
    }
}

impl fmt::Debug for ExceptionContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExceptionContext")
            .field("message", &self.message)
            .field("panic", &self.panic_message())
            .field("task", &self.task)
            .finish()
    }
}
