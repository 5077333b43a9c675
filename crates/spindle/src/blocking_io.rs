//! Running a socket call that may block (a bind with a name lookup, a connect) on the loop's
//! blocking pool, as asyncio runs `getaddrinfo` in its executor: a slow resolver or peer never
//! stalls a worker. Shared by `protocols` and `streams`.

use spindle_scheduler::EventLoop;
use std::io;

/// Runs `f` on `lp`'s blocking pool and returns its result; a pool that could not run it (the
/// loop closed) is an `io::Error` too.
pub(crate) async fn on_blocking_pool<R: Send + 'static>(
    lp: &EventLoop,
    f: impl FnOnce() -> io::Result<R> + Send + 'static,
) -> io::Result<R> {
    lp.run_in_executor(f).await.unwrap_or_else(|error| {
        Err(io::Error::other(format!(
            "spindle: a blocking socket call did not run: {error}"
        )))
    })
}
