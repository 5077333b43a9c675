//! The bounded blocking pool behind `to_thread` and `run_in_executor`.
//!
//! Threads are started on demand, up to `max_threads`, and retire after a keep-alive (10 s by default) without
//! work, so an idle loop holds no blocking threads. Jobs are task runnables: a job cancelled
//! before it starts is dropped unrun. On close, queued jobs are cancelled and idle threads
//! exit; a thread inside a long blocking call is not waited for (it exits when its call
//! returns), so `close()` never hangs on user code.

use crate::loom::{lock, thread, Arc, Condvar, Mutex};
use spindle_core::Runnable;
use std::collections::VecDeque;
use std::time::Duration;

/// How long an idle blocking thread waits for work before it exits, by default. Long enough
/// that a burst of `to_thread` calls reuses threads, short enough that an idle loop sheds them.
pub(crate) const DEFAULT_KEEP_ALIVE: Duration = Duration::from_secs(10);

pub(crate) struct BlockingPool {
    inner: Arc<Inner>,
}

struct Inner {
    state: Mutex<State>,
    work: Condvar,
    max_threads: usize,
    keep_alive: Duration,
    name: String,
}

struct State {
    queue: VecDeque<Runnable>,
    idle: usize,
    threads: usize,
    shutdown: bool,
}

impl BlockingPool {
    pub(crate) fn new(max_threads: usize, keep_alive: Duration, name: String) -> BlockingPool {
        BlockingPool {
            inner: Arc::new(Inner {
                state: Mutex::new(State {
                    queue: VecDeque::new(),
                    idle: 0,
                    threads: 0,
                    shutdown: false,
                }),
                work: Condvar::new(),
                max_threads: max_threads.max(1),
                keep_alive,
                name,
            }),
        }
    }

    /// Queues a job, starting a thread if none is idle and the bound allows. Returns the job
    /// when it cannot run: the pool is shut down, or no thread exists and none can be started.
    pub(crate) fn submit(&self, job: Runnable) -> Result<(), (Runnable, String)> {
        let mut state = lock(&self.inner.state);
        if state.shutdown {
            return Err((job, "the event loop is closed".to_owned()));
        }
        state.queue.push_back(job);
        if state.idle > 0 {
            drop(state);
            self.inner.work.notify_one();
            return Ok(());
        }
        if state.threads >= self.inner.max_threads {
            return Ok(()); // a busy thread takes it when it finishes
        }
        state.threads += 1;
        drop(state);
        let inner = self.inner.clone();
        let spawned = thread::Builder::new()
            .name(format!("{}-blocking", self.inner.name))
            .spawn(move || inner.work_loop());
        if let Err(error) = spawned {
            let mut state = lock(&self.inner.state);
            state.threads -= 1;
            if state.threads == 0 {
                // Nobody will ever run the queue: hand the job back rather than hang.
                let job = state.queue.pop_back().expect("the job we just queued");
                return Err((job, format!("no blocking thread could be started: {error}")));
            }
        }
        Ok(())
    }

    /// Cancels queued jobs and lets idle threads exit.
    pub(crate) fn shutdown(&self) {
        let queued = {
            let mut state = lock(&self.inner.state);
            state.shutdown = true;
            std::mem::take(&mut state.queue)
        };
        self.inner.work.notify_all();
        drop(queued); // dropping a runnable cancels its task, outside the lock
    }
}

impl Inner {
    fn work_loop(&self) {
        let mut state = lock(&self.state);
        loop {
            if let Some(job) = state.queue.pop_front() {
                drop(state);
                job.run();
                state = lock(&self.state);
                continue;
            }
            if state.shutdown {
                break;
            }
            state.idle += 1;
            let (next, timeout) = match self.work.wait_timeout(state, self.keep_alive) {
                Ok((guard, result)) => (guard, result.timed_out()),
                Err(poison) => {
                    let (guard, result) = poison.into_inner();
                    (guard, result.timed_out())
                }
            };
            state = next;
            state.idle -= 1;
            if timeout && state.queue.is_empty() {
                break;
            }
        }
        state.threads -= 1;
    }
}
