//! `Builder`: how an event loop is configured before it starts.

use crate::blocking::{BlockingPool, DEFAULT_KEEP_ALIVE};
use crate::event_loop::EventLoop;
use crate::exception::{ExceptionContext, Handler};
use crate::loom::{lock, thread, Arc, AtomicBool, AtomicUsize, Condvar, Mutex};
use crate::park::Parker;
use crate::queue::{Injector, Local};
use crate::shared::{Core, Flavor, Remote, RunState, Shared};
use crate::{idle::Idle, worker};
use spindle_core::TaskList;
use spindle_reactor::Driver;
use std::io;
use std::time::Duration;

/// The default bound of the blocking pool, asyncio's `min(32, cpus + 4)` for its default
/// executor: enough threads to overlap blocking I/O, few enough not to thrash.
fn default_max_blocking() -> usize {
    (num_cpus::get() + 4).min(32)
}

/// Configures and builds an [`EventLoop`].
///
/// ```
/// use spindle_scheduler::EventLoop;
///
/// let lp = EventLoop::builder().worker_threads(2).thread_name("app").build().unwrap();
/// assert_eq!(lp.run_until_complete(async { 1 + 1 }), 2);
/// lp.close();
/// ```
pub struct Builder {
    flavor: Flavor,
    workers: Option<usize>,
    max_blocking: Option<usize>,
    keep_alive: Duration,
    thread_name: String,
    handler: Option<Handler>,
}

impl Default for Builder {
    fn default() -> Self {
        Builder::new()
    }
}

impl Builder {
    /// A multi-thread loop with one worker per core.
    pub fn new() -> Builder {
        Builder {
            flavor: Flavor::MultiThread,
            workers: None,
            max_blocking: None,
            keep_alive: DEFAULT_KEEP_ALIVE,
            thread_name: "spindle".to_owned(),
            handler: None,
        }
    }

    /// One thread, the one inside `run_*`: asyncio's exact FIFO order of callbacks and tasks.
    pub fn current_thread(mut self) -> Builder {
        self.flavor = Flavor::CurrentThread;
        self
    }

    /// Workers of a multi-thread loop (default: one per core; at least one).
    ///
    /// During a run the thread inside `run_*` is worker 0: it runs tasks beside the `n - 1`
    /// worker threads the loop starts, so `n` threads take tasks, and a main future that
    /// awaits a chain of tasks needs no hand-over between threads.
    pub fn worker_threads(mut self, n: usize) -> Builder {
        self.flavor = Flavor::MultiThread;
        self.workers = Some(n.max(1));
        self
    }

    /// The bound of the blocking pool behind `to_thread` / `run_in_executor` (default
    /// `min(32, cores + 4)`, as asyncio's default executor).
    pub fn max_blocking_threads(mut self, n: usize) -> Builder {
        self.max_blocking = Some(n.max(1));
        self
    }

    /// How long an idle blocking-pool thread waits for work before it exits (default 10 s).
    pub fn blocking_keep_alive(mut self, keep_alive: Duration) -> Builder {
        self.keep_alive = keep_alive;
        self
    }

    /// The prefix of the loop's thread names (`<name>-worker-<i>` for workers 1 and up,
    /// `<name>-blocking`).
    pub fn thread_name(mut self, name: impl Into<String>) -> Builder {
        self.thread_name = name.into();
        self
    }

    /// Installs the exception handler (see [`EventLoop::set_exception_handler`]).
    pub fn exception_handler(
        mut self,
        handler: impl Fn(&ExceptionContext<'_>) + Send + Sync + 'static,
    ) -> Builder {
        self.handler = Some(std::sync::Arc::new(handler));
        self
    }

    /// Opens the driver and starts the worker threads (parked until the loop runs).
    ///
    /// # Errors
    /// When the OS refuses a poller or a thread (out of file descriptors or threads).
    pub fn build(self) -> io::Result<EventLoop> {
        let driver = Driver::new()?;
        let workers = match self.flavor {
            Flavor::CurrentThread => 1,
            Flavor::MultiThread => self.workers.unwrap_or_else(num_cpus::get).max(1),
        };
        let cores: Vec<Core> = (0..workers)
            .map(|_| Core {
                local: Local::new(),
                parker: Parker::new(driver.clone()),
            })
            .collect();
        let remotes = cores
            .iter()
            .map(|core| Remote {
                stealer: core.local.stealer(),
                unparker: core.parker.unparker(),
                busy: AtomicBool::new(false),
            })
            .collect();
        let shared = Arc::new(Shared {
            flavor: self.flavor,
            injector: Injector::new(),
            single_queue: workers == 1,
            remotes,
            idle: Idle::new(workers),
            driver,
            // A few shards per worker keeps spawn/complete on different workers off one lock.
            tasks: TaskList::new(4 * workers),
            blocking: BlockingPool::new(
                self.max_blocking.unwrap_or_else(default_max_blocking),
                self.keep_alive,
                self.thread_name.clone(),
            ),
            running: AtomicBool::new(false),
            draining: AtomicBool::new(false),
            attention: AtomicBool::new(false),
            shutdown: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            run: Mutex::new(RunState {
                active: false,
                stop: false,
                main_woken: false,
                waiters: 0,
            }),
            run_changed: Condvar::new(),
            run_core: Mutex::new(None),
            threads: Mutex::new(Vec::new()),
            handler: Mutex::new(self.handler),
            handles: AtomicUsize::new(0),
        });
        let lp = EventLoop::from_shared(shared.clone());
        // Core 0 belongs to the thread inside `run_*`; on a multi-thread loop, workers 1 and up
        // get threads of their own.
        let mut cores = cores.into_iter();
        *lock(&shared.run_core) = cores.next();
        match self.flavor {
            Flavor::CurrentThread => {}
            Flavor::MultiThread => {
                for (index, core) in (1..).zip(cores) {
                    let worker_shared = shared.clone();
                    let spawned = thread::Builder::new()
                        .name(format!("{}-worker-{index}", self.thread_name))
                        .spawn(move || worker::run(worker_shared, index, core));
                    match spawned {
                        Ok(handle) => lock(&shared.threads).push(handle),
                        Err(error) => {
                            lp.close();
                            return Err(error);
                        }
                    }
                }
            }
        }
        Ok(lp)
    }
}

impl std::fmt::Debug for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Builder")
            .field("flavor", &self.flavor)
            .field("workers", &self.workers)
            .field("max_blocking", &self.max_blocking)
            .field("thread_name", &self.thread_name)
            .finish()
    }
}
