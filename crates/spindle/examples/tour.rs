//! A tour of spindle: the examples of a few well-known asyncio texts (a notebook, a book
//! chapter on the event loop, study notes and an article on blocking the loop), redone with
//! spindle's `EventLoop`, tasks and executors.
//!
//! Sections 1-9 are the loop itself (callbacks, coroutines, tasks, threads); sections 10-18 are
//! the tools built on it: a `Lock`, a `Queue`, and the combinators (`gather`, `wait`,
//! `wait_for`, `shield`, `as_completed`), ending with an `async for` over a stream. Section 19
//! is networking: the command server of `examples/command_server.rs`, a `Protocol`.
//!
//! Run it with `cargo run --release --example tour`.
//!
//! Every section prints the lines its Python original prints, in the same order. What Python
//! shows as the value of an expression (`Out[3]: 42`, `True`, `'green tea'`) is printed here as
//! `what -> value`.
//!
//! Two loop flavours appear:
//!
//! - `EventLoop::builder().current_thread().build()`: one thread (the one inside `run_*`) and
//!   one FIFO queue, so callbacks and task steps run in exactly asyncio's order. Used wherever
//!   the order of printed lines is the point.
//! - `EventLoop::new()`: the default multi-thread, work-stealing loop (one worker per core).
//!   Used where the point is threads: a loop running on a background thread, blocking calls
//!   moved off the loop.

use futures_core::Stream;
use spindle::sync::{GetNowaitError, Lock, PutNowaitError, Queue, QueueEmpty, QueueFull};
use spindle::{EventLoop, Promise, ReturnWhen, Task, TaskError, TaskId, TimeoutError};
use std::fmt;
use std::future::poll_fn;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

/// The Python examples count in seconds (`asyncio.sleep(1)`, `call_later(10, ..)`). Every such
/// duration is multiplied by `SCALE`: one "asyncio second" of the tour lasts 100 ms, so the
/// whole tour runs in about five seconds. Only the waiting is shortened; the order of events
/// and the printed lines are those of the originals.
const SCALE: f64 = 0.1;

/// `s` asyncio seconds, scaled by [`SCALE`].
fn seconds(s: f64) -> Duration {
    Duration::from_secs_f64(s * SCALE)
}

fn main() {
    println!("spindle tour: asyncio's examples on spindle's event loop");
    call_soon_hello_world();
    coroutine_with_sleep();
    two_awaits();
    concurrent_tasks();
    errors();
    call_later();
    loop_on_a_background_thread();
    tasks_and_done_callbacks();
    blocking_calls_off_the_loop();
    async_with_lock();
    queue_nowait();
    queue_get_in_wait();
    gather_in_order();
    gather_errors_as_values();
    wait_return_when();
    wait_for_eternity();
    shield_from_cancellation();
    async_for();
    command_server();
}

fn heading(title: &str) {
    println!();
    println!("== {title} ==");
}

/// A current-thread loop: asyncio's exact FIFO order of callbacks and task steps.
fn asyncio_ordered_loop() -> EventLoop {
    EventLoop::builder()
        .current_thread()
        .build()
        .expect("could not create a current-thread event loop")
}

/// The default loop: multi-thread, work-stealing, one worker per core.
fn default_loop() -> EventLoop {
    EventLoop::new().expect("could not create the default event loop")
}

// ---------------------------------------------------------------------------------------------
// 1. Callbacks
// ---------------------------------------------------------------------------------------------

fn hello_world() {
    println!("Hello world!");
}

fn stop_loop(lp: &EventLoop) {
    println!("Stopping loop.");
    lp.stop();
}

fn call_soon_hello_world() {
    // asyncio: loop.call_soon(hello_world); loop.run_forever() (hello_world calls loop.stop())
    heading("1. call_soon: hello world");
    // Current-thread loop: the two callbacks of the second part must run in FIFO order.
    let lp = asyncio_ordered_loop();

    // The notebook: one callback that prints and stops the loop.
    let to_stop = lp.clone();
    lp.call_soon(move || {
        println!("Hello World!");
        to_stop.stop();
    });
    lp.run_forever();

    // The book: call_soon(hello_world), then call_soon(functools.partial(stop_loop, loop)).
    // A closure that captures the loop plays the part of the partial.
    lp.call_soon(hello_world);
    let to_stop = lp.clone();
    lp.call_soon(move || stop_loop(&to_stop));
    lp.run_forever();

    lp.close();
}

// ---------------------------------------------------------------------------------------------
// 2.-4. Coroutines
// ---------------------------------------------------------------------------------------------

/// The notebook's `aprint`: sleep one (scaled) second, print, return 42.
async fn aprint(text: &str) -> u32 {
    spindle::sleep(seconds(1.0)).await;
    println!("{text}");
    42
}

/// The notebook's `aprint_twice`: as many awaits as you like.
async fn aprint_twice(text: &str) -> u32 {
    spindle::sleep(seconds(1.0)).await;
    println!("{text}");
    spindle::sleep(seconds(1.0)).await;
    println!("{text} (once more)");
    42
}

fn coroutine_with_sleep() {
    // asyncio: loop.run_until_complete(aprint('Hello world!'))
    heading("2. run_until_complete: a coroutine that sleeps");
    // Current-thread loop, as in asyncio: the coroutine runs on the thread that called run_*.
    let lp = asyncio_ordered_loop();
    let value = lp.run_until_complete(aprint("Hello world!"));
    println!("run_until_complete -> {value}");
    lp.close();
}

fn two_awaits() {
    // asyncio: loop.run_until_complete(aprint_twice('Hello world!'))
    heading("3. two awaits in a row");
    // Current-thread loop: the two lines come one sleep apart, in order.
    let lp = asyncio_ordered_loop();
    let value = lp.run_until_complete(aprint_twice("Hello world!"));
    println!("run_until_complete -> {value}");
    lp.close();
}

/// Says whether two one-second sleeps overlapped, from how long the pair took.
fn overlap_verdict(elapsed: Duration) -> &'static str {
    if elapsed < seconds(2.0) {
        "(both done after ~1 sleep, not 2: they ran concurrently)"
    } else {
        "(both done after 2 sleeps or more: they ran one after the other!)"
    }
}

fn concurrent_tasks() {
    // asyncio: loop.run_until_complete(asyncio.gather(aprint('Task 1'), aprint('Task 2')))
    heading("4. two coroutines at once");
    // Current-thread loop: both tasks wake at the same instant, and asyncio prints "Task 1"
    // before "Task 2". Only one thread keeps that order: on the multi-thread loop the two
    // tasks can wake on two workers at once and print in either order (see the second part).
    let lp = asyncio_ordered_loop();
    let start = Instant::now();
    let results = lp.run_until_complete(async {
        // There is no spindle::gather yet: spawn both tasks, then await them in input order.
        let tasks = vec![
            spindle::spawn(aprint("Task 1")),
            spindle::spawn(aprint("Task 2")),
        ];
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.expect("aprint neither panics nor is cancelled"));
        }
        results
    });
    println!("run_until_complete -> {results:?}");
    println!("{}", overlap_verdict(start.elapsed()));
    lp.close();

    // The same on the default multi-thread loop, where the two tasks may really run in
    // parallel on two workers. They return their value without printing, so that the output
    // does not depend on which worker gets to stdout first; the results keep input order.
    let lp = default_loop();
    let start = Instant::now();
    let results = lp.run_until_complete(async {
        let one_second = || async {
            spindle::sleep(seconds(1.0)).await;
            42
        };
        let tasks = vec![spindle::spawn(one_second()), spindle::spawn(one_second())];
        let mut results = Vec::new();
        for task in tasks {
            results.push(
                task.await
                    .expect("the task neither panics nor is cancelled"),
            );
        }
        results
    });
    println!("on the multi-thread loop -> {results:?}");
    println!("{}", overlap_verdict(start.elapsed()));
    lp.close();
}

// ---------------------------------------------------------------------------------------------
// 5. Errors
// ---------------------------------------------------------------------------------------------

/// Python's `ValueError`, as a Rust error value.
#[derive(Debug)]
struct ValueError;

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ValueError")
    }
}

impl std::error::Error for ValueError {}

/// The notebook's `raiser`: sleeps, then "raises" by returning `Err`.
async fn raiser() -> Result<(), ValueError> {
    spindle::sleep(seconds(1.0)).await;
    Err(ValueError)
}

/// The notebook's `catcher`: the `except ValueError` is a `match` on the result.
async fn catcher() {
    match raiser().await {
        Err(ValueError) => println!("caught something"),
        Ok(()) => println!("nothing was raised"),
    }
}

fn errors() {
    // asyncio: try: await raiser() except ValueError: print('caught something')
    heading("5. an error raised inside, caught outside");
    // Current-thread loop, as the notebook's single loop.
    let lp = asyncio_ordered_loop();
    lp.run_until_complete(catcher());
    lp.close();
}

// ---------------------------------------------------------------------------------------------
// 6. Delayed callbacks
// ---------------------------------------------------------------------------------------------

fn call_later() {
    // asyncio: loop.call_later(10, hello_world); loop.call_later(20, partial(stop_loop, loop))
    heading("6. call_later: callbacks after a delay");
    // Current-thread loop: the two timers fire in deadline order on the loop's thread.
    let lp = asyncio_ordered_loop();
    lp.call_later(seconds(10.0), hello_world);
    let to_stop = lp.clone();
    lp.call_later(seconds(20.0), move || stop_loop(&to_stop));
    lp.run_forever();
    lp.close();
}

// ---------------------------------------------------------------------------------------------
// 7. A loop on a background thread
// ---------------------------------------------------------------------------------------------

fn loop_on_a_background_thread() {
    // asyncio: run_loop_forever_in_background(loop); loop.call_soon_threadsafe(partial(print, ..))
    heading("7. run_forever on a background thread, fed with call_soon_threadsafe");
    // Default multi-thread loop: run_forever blocks the background thread while the workers
    // run the callbacks; every EventLoop method may be called from any thread.
    let lp = default_loop();
    let background = {
        let lp = lp.clone();
        thread::spawn(move || lp.run_forever())
    };

    // The callback tells the main thread it ran, so the next line is printed after it.
    let (ran, wait_for_it) = mpsc::channel();
    lp.call_soon_threadsafe(move || {
        println!("Hello world");
        let _ = ran.send(());
    });
    wait_for_it
        .recv()
        .expect("the loop runs the threadsafe callback");
    // The callback ran, so the loop is running (callbacks only run inside run_*).
    println!("loop.is_running() -> {}", lp.is_running());

    // Unlike the book's asyncio, stop() works from another thread.
    lp.stop();
    background.join().expect("the background thread ends");
    println!(
        "after stop() and join: loop.is_running() -> {}",
        lp.is_running()
    );
    lp.close();
}

// ---------------------------------------------------------------------------------------------
// 8. Tasks and done callbacks
// ---------------------------------------------------------------------------------------------

/// The book's `make_tea`.
async fn make_tea(variety: &str) -> String {
    println!("Now making {variety} tea.");
    format!("{variety} tea")
}

/// The book's first `make_tea`, which also stops the loop that runs it.
async fn make_tea_and_stop(variety: &str) -> String {
    println!("Now making {variety} tea.");
    EventLoop::current().stop();
    format!("{variety} tea")
}

/// The book's `confirm_tea`: a done callback gets the task's outcome.
fn confirm_tea(outcome: &Result<String, TaskError>) {
    match outcome {
        Ok(tea) => println!("The {tea} is made."),
        Err(error) => println!("No tea: {error}."),
    }
}

/// The book's `add_ingredient`: a done callback with an extra argument.
fn add_ingredient(ingredient: &str, outcome: &Result<String, TaskError>) {
    match outcome {
        Ok(tea) => println!("Now adding {ingredient} to the {tea}."),
        Err(error) => println!("Nothing to add {ingredient} to: {error}."),
    }
}

fn tasks_and_done_callbacks() {
    // asyncio: task = asyncio.async(make_tea(..)); task.done(); task.add_done_callback(..)
    heading("8. tasks and done callbacks");
    // Current-thread loop: the task, its callback and the stop run in the book's order.
    let lp = asyncio_ordered_loop();

    // A task is only registered by spawn: the loop runs it inside run_forever /
    // run_until_complete, as in asyncio. Here the task itself stops the loop.
    let task = lp.spawn(make_tea_and_stop("chamomile"));
    println!("task.done() -> {}", task.is_done());
    lp.run_forever();
    println!("task.done() -> {}", task.is_done());
    // Awaiting a finished task hands back its result at once (asyncio's task.result()).
    let tea = lp
        .run_until_complete(task)
        .expect("make_tea neither panics nor is cancelled");
    println!("task.result() -> {tea}");

    // asyncio: task.add_done_callback(confirm_tea); loop.run_until_complete(task)
    let task = lp.spawn(make_tea("green"));
    task.add_done_callback(confirm_tea);
    let tea = lp
        .run_until_complete(task)
        .expect("make_tea neither panics nor is cancelled");
    println!("run_until_complete -> {tea}");

    // asyncio: task.add_done_callback(functools.partial(add_ingredient, 'honey'))
    let task = lp.spawn(make_tea("herbal"));
    task.add_done_callback(|outcome| add_ingredient("honey", outcome));
    let tea = lp
        .run_until_complete(task)
        .expect("make_tea neither panics nor is cancelled");
    println!("run_until_complete -> {tea}");

    lp.close();
}

// ---------------------------------------------------------------------------------------------
// 9. Blocking calls off the loop
// ---------------------------------------------------------------------------------------------

/// How many ticks the loop must make while `blocking_io` blocks.
const TICKS: usize = 3;

/// A task on the loop: once the blocking call has started, tick every quarter second.
async fn ticker(blocking_started: Promise<()>, ticks: Arc<AtomicUsize>) {
    let _ = blocking_started.await;
    for n in 1..=TICKS {
        spindle::sleep(seconds(0.25)).await;
        println!("tick {n}: the loop is still running");
        ticks.fetch_add(1, SeqCst);
    }
}

/// The notes' `blocking_io`, run on a blocking thread: it holds its thread in
/// `std::thread::sleep` until the loop has ticked [`TICKS`] times. Were the loop blocked by
/// this call, the ticks would never come (it gives up after 50 asyncio seconds).
fn blocking_io(started: &Promise<()>, ticks: &AtomicUsize) {
    println!("start blocking_io");
    let _ = started.set_result(());
    let give_up = Instant::now() + seconds(50.0);
    while ticks.load(SeqCst) < TICKS {
        if Instant::now() > give_up {
            println!("blocking_io gave up: the loop never ticked");
            return;
        }
        thread::sleep(seconds(0.05));
    }
    println!("blocking_io complete");
}

/// The notes' other `blocking_io`: file operations block, so read on the executor.
fn read_100_bytes(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::new();
    std::fs::File::open(path)?
        .take(100)
        .read_to_end(&mut head)?;
    Ok(head)
}

/// The notes' `cpu_bound`: `sum(i**2 for i in range(10*5))`.
fn cpu_bound() -> u64 {
    (0..10 * 5).map(|i: u64| i * i).sum()
}

/// A file for `read_100_bytes`, in a fresh directory under the system's temp dir.
fn tour_file() -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("spindle-tour-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("could not create the tour's temp dir");
    let file = dir.join("someFile");
    let text = "spindle reads this file on its blocking pool. ".repeat(4);
    std::fs::write(&file, text).expect("could not write the tour's temp file");
    (dir, file)
}

fn blocking_calls_off_the_loop() {
    // asyncio: await asyncio.to_thread(blocking_io); await loop.run_in_executor(None, f)
    heading("9. to_thread and run_in_executor: blocking calls off the loop");
    // Default multi-thread loop: its workers keep running tasks while the blocking pool's
    // threads sit in blocking calls.
    let lp = default_loop();
    let (dir, file) = tour_file();
    lp.run_until_complete(async move {
        println!("started main");
        let ticks = Arc::new(AtomicUsize::new(0));
        // A Promise (asyncio's Future) settable from any thread: the blocking thread says
        // when it has started, so the ticks come after "start blocking_io".
        let started = Promise::new();
        let ticking = spindle::spawn(ticker(started.clone(), ticks.clone()));
        spindle::to_thread(move || blocking_io(&started, &ticks))
            .await
            .expect("blocking_io does not panic");
        ticking.await.expect("the ticker does not panic");
        println!("finished main");

        let lp = EventLoop::current();
        let head = lp
            .run_in_executor(move || read_100_bytes(&file))
            .await
            .expect("the read does not panic")
            .expect("could not read the tour's temp file");
        println!(
            "run_in_executor(blocking_io) -> {} bytes: {:?}",
            head.len(),
            String::from_utf8_lossy(&head)
        );
        let sum = lp
            .run_in_executor(cpu_bound)
            .await
            .expect("cpu_bound does not panic");
        println!("run_in_executor(cpu_bound) -> {sum}");
    });
    lp.close();
    let _ = std::fs::remove_dir_all(dir);
}

// ---------------------------------------------------------------------------------------------
// 10. async with lock
// ---------------------------------------------------------------------------------------------

/// The notebook's `use_lock`: `async with lock:` is `lock.lock().await`, and the guard that
/// comes back releases the lock when it is dropped, at the end of the function.
async fn use_lock(lock: Arc<Lock>) {
    let _held = lock.lock().await;
    spindle::sleep(seconds(1.0)).await;
    println!("much lock, such concurrency");
}

/// Says whether two one-second sleeps taken under one lock were serialised.
fn serialised_verdict(elapsed: Duration) -> &'static str {
    if elapsed >= seconds(1.5) {
        "(both done after 2 sleeps, not 1: the lock let them in one at a time)"
    } else {
        "(both done after ~1 sleep: the lock did not keep them apart!)"
    }
}

fn async_with_lock() {
    // asyncio: lock = asyncio.Lock()
    //          loop.run_until_complete(asyncio.gather(use_lock(), use_lock()))
    heading("10. async with lock: two gathered tasks, one at a time");
    // Current-thread loop, the notebook's loop. The two printed lines are the same whichever
    // task gets the lock first, so the second part runs the same on the multi-thread loop.
    let lp = asyncio_ordered_loop();
    let lock = Arc::new(Lock::new(()));
    let start = Instant::now();
    // spindle's gather spawns its children when it is called, which needs a running loop:
    // it is called inside the future that run_until_complete runs (asyncio's gather only
    // needs the loop to exist).
    let results = lp.run_until_complete(async {
        spindle::gather([use_lock(lock.clone()), use_lock(lock.clone())]).await
    });
    println!("run_until_complete -> {results:?}");
    println!("{}", serialised_verdict(start.elapsed()));
    lp.close();

    // On the default multi-thread loop the two tasks may sit on two workers; the lock still
    // lets only one of them in at a time.
    let lp = default_loop();
    let start = Instant::now();
    let results = lp.run_until_complete(async {
        spindle::gather([use_lock(lock.clone()), use_lock(lock.clone())]).await
    });
    println!("on the multi-thread loop -> {results:?}");
    println!("{}", serialised_verdict(start.elapsed()));
    lp.close();
}

// ---------------------------------------------------------------------------------------------
// 11. A queue without waiting
// ---------------------------------------------------------------------------------------------

fn queue_nowait() {
    // asyncio: queue.put_nowait('foo'); queue.qsize(); queue.get_nowait(); ... QueueEmpty
    heading("11. Queue: put_nowait, get_nowait, QueueEmpty, maxsize and QueueFull");
    // The _nowait methods need no loop at all, as in the book ("You did not even bother to
    // get or run the event loop"). `Queue::new(0)` is asyncio's `Queue()`: unbounded.
    let queue = Queue::new(0);
    queue
        .put_nowait("foo")
        .expect("an unbounded queue takes every item");
    println!("queue.qsize() -> {}", queue.qsize());
    match queue.get_nowait() {
        Ok(item) => println!("queue.get_nowait() -> {item:?}"),
        Err(error) => println!("queue.get_nowait() -> no item: {error}"),
    }
    println!("queue.qsize() -> {}", queue.qsize());
    // asyncio raises QueueEmpty; here it is the error value of get_nowait.
    match queue.get_nowait() {
        Ok(item) => println!("queue.get_nowait() -> {item:?}"),
        Err(GetNowaitError::Empty(QueueEmpty)) => {
            println!("queue.get_nowait() -> QueueEmpty: {QueueEmpty}")
        }
        Err(error) => println!("queue.get_nowait() -> {error}"),
    }

    // asyncio: queue.put_nowait('foo'); loop.run_until_complete(queue.get())
    // Current-thread loop, the book's loop: an item is there, so get() returns at once.
    let lp = asyncio_ordered_loop();
    queue
        .put_nowait("foo")
        .expect("an unbounded queue takes every item");
    let item = lp
        .run_until_complete(queue.get())
        .expect("the queue is not shut down");
    println!("run_until_complete(queue.get()) -> {item:?}");

    // asyncio: queue = asyncio.Queue(maxsize=5); put_nowait raises QueueFull when it is full.
    let queue = Arc::new(Queue::new(5));
    for item in 0..5 {
        queue.put_nowait(item).expect("there is room for 5 items");
    }
    println!(
        "Queue(maxsize={}) after 5 put_nowait: qsize() -> {}, full() -> {}",
        queue.maxsize(),
        queue.qsize(),
        queue.full()
    );
    match queue.put_nowait(5) {
        Ok(()) => println!("queue.put_nowait(5) -> went in"),
        // The refused item is handed back inside the error.
        Err(PutNowaitError::Full(QueueFull(item))) => {
            println!("queue.put_nowait({item}) -> QueueFull (the item {item} is handed back)")
        }
        Err(error) => println!("queue.put_nowait(5) -> {error}"),
    }
    // "A call to the put method will simply wait until a previous item is removed, and then
    // (and only then) will it place the item on the queue."
    lp.run_until_complete(async {
        let putter = spindle::spawn({
            let queue = queue.clone();
            async move {
                queue.put(5).await.expect("the queue is not shut down");
                println!("put(5) went in");
            }
        });
        spindle::sleep(seconds(0.5)).await;
        println!("put(5) still waiting: {}", !putter.is_done());
        match queue.get_nowait() {
            Ok(item) => println!("queue.get_nowait() -> {item}"),
            Err(error) => println!("queue.get_nowait() -> no item: {error}"),
        }
        putter
            .await
            .expect("the putter neither panics nor is cancelled");
        println!("queue.qsize() -> {}", queue.qsize());
    });
    lp.close();
}

// ---------------------------------------------------------------------------------------------
// 12. queue.get() inside wait(.., timeout)
// ---------------------------------------------------------------------------------------------

/// Renders `wait`'s `(done, pending)` the way asyncio prints it:
/// `({Task(<name>)<result=..>}, {Task(<name>)<PENDING>})`, with `set()` for an empty set.
/// Each done task still holds its output: it is awaited here (asyncio's `task.result()`), and
/// `outcome` turns it into `result=..` or `exception=..`.
async fn render_wait<T>(
    done: Vec<Task<T>>,
    pending: &[Task<T>],
    outcome: impl Fn(&T) -> String,
) -> String {
    fn set(items: Vec<String>) -> String {
        if items.is_empty() {
            "set()".to_string()
        } else {
            format!("{{{}}}", items.join(", "))
        }
    }
    let mut shown = Vec::new();
    for task in done {
        let name = task.name();
        let outcome = match task.await {
            Ok(value) => outcome(&value),
            Err(error) => format!("exception={error}"),
        };
        shown.push(format!("Task(<{name}>)<{outcome}>"));
    }
    let pending = pending
        .iter()
        .map(|task| format!("Task(<{}>)<PENDING>", task.name()))
        .collect();
    format!("({}, {})", set(shown), set(pending))
}

fn queue_get_in_wait() {
    // asyncio: task = asyncio.async(queue.get()); loop.run_until_complete(asyncio.wait([task],
    //          timeout=1)); queue.put_nowait('bar'); task.add_done_callback(stop); run_forever()
    heading("12. a task waiting on queue.get() inside wait(.., timeout)");
    // Current-thread loop: nothing runs between two run_* calls, as in the book, so the task
    // is still not done right after the put_nowait.
    let lp = asyncio_ordered_loop();
    let queue = Arc::new(Queue::new(0));
    let task = {
        let queue = queue.clone();
        lp.spawn_named("get", async move { queue.get().await })
    };
    let (done_count, mut pending, shown) = lp.run_until_complete(async {
        let (done, pending) =
            spindle::wait([task], ReturnWhen::AllCompleted, Some(seconds(1.0))).await;
        let done_count = done.len();
        let shown = render_wait(done, &pending, |item| format!("result={item:?}")).await;
        (done_count, pending, shown)
    });
    println!("run_until_complete -> {shown}");
    println!("({done_count} done, {} pending)", pending.len());
    // wait() cancels nothing: the task is still there, still waiting for an item.
    let task = pending.pop().expect("the get task is pending");
    println!("task.done() -> {}", task.is_done());

    queue
        .put_nowait("bar")
        .expect("an unbounded queue takes every item");
    // The item is there, but the loop is not running: the task has not run yet.
    println!("after put_nowait('bar'): task.done() -> {}", task.is_done());

    // asyncio: task.add_done_callback(functools.partial(stop, loop)); loop.run_forever()
    let to_stop = lp.clone();
    task.add_done_callback(move |_| to_stop.stop());
    lp.run_forever();
    println!("task.done() -> {}", task.is_done());
    let item = lp
        .run_until_complete(task)
        .expect("the get task neither panics nor is cancelled")
        .expect("the queue is not shut down");
    println!("task.result() -> {item:?}");
    lp.close();
}

// ---------------------------------------------------------------------------------------------
// 13. gather: results in input order
// ---------------------------------------------------------------------------------------------

/// The book's `mix`: a done callback on the gathered task gets all the results at once.
fn mix(outcome: &Result<Vec<String>, TaskError>) {
    match outcome {
        Ok(teas) => println!("Mixing the {} together.", teas.join(" and ")),
        Err(error) => println!("Nothing to mix: {error}."),
    }
}

fn gather_in_order() {
    // asyncio: meta_task = asyncio.gather(make_tea('chamomile'), make_tea('green'),
    //          make_tea('herbal')); meta_task.done(); loop.run_until_complete(meta_task)
    heading("13. gather: results in input order");
    // Current-thread loop: gather spawns its children in input order and one thread runs
    // them FIFO, so the "Now making" lines come in input order, every run. (The book's
    // Python 3.4 printed chamomile, herbal, green: its gather went through a set, and the
    // book warns that the children are "not guaranteed to be run in that order". Today's
    // asyncio prints input order, as here.) The results are in input order on any loop.
    let lp = asyncio_ordered_loop();

    // asyncio's gather returns a future that is scheduled at once; spindle's gather spawns its
    // children on the running loop, so the gather itself runs as a task: the meta-task.
    let mut meta_task = lp.spawn(async {
        spindle::gather([make_tea("chamomile"), make_tea("green"), make_tea("herbal")]).await
    });
    println!("meta_task.done() -> {}", meta_task.is_done());
    // `&mut task` is a future too: the handle stays here, to ask it done() afterwards.
    let teas = lp
        .run_until_complete(&mut meta_task)
        .expect("gather neither panics nor is cancelled");
    println!("run_until_complete -> {teas:?}");
    println!("meta_task.done() -> {}", meta_task.is_done());

    // asyncio: meta_task = asyncio.gather(make_tea('herbal'), make_tea('green'))
    //          meta_task.add_done_callback(mix); loop.run_until_complete(meta_task)
    // (The book prints green before herbal here, results included; gather's order is the
    // input order, herbal first.)
    let meta_task =
        lp.spawn(async { spindle::gather([make_tea("herbal"), make_tea("green")]).await });
    meta_task.add_done_callback(mix);
    let teas = lp
        .run_until_complete(meta_task)
        .expect("gather neither panics nor is cancelled");
    println!("run_until_complete -> {teas:?}");
    lp.close();
}

// ---------------------------------------------------------------------------------------------
// 14. gather: errors kept as values
// ---------------------------------------------------------------------------------------------

/// The notes' factorial takes a Python value: an int, or the string "rashid" by mistake.
#[derive(Clone, Copy)]
enum PyValue {
    Int(u64),
    /// A string is only ever refused (`"rashid" + 1`), never read.
    Str(#[allow(dead_code)] &'static str),
}

/// Python's `TypeError`, as a Rust error value; shown as Python's repr shows it.
#[derive(Debug)]
struct TypeError(&'static str);

impl fmt::Display for TypeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TypeError('{}')", self.0)
    }
}

impl std::error::Error for TypeError {}

/// The notes' `factorial`. Python's `range(2, number + 1)` with `number = "rashid"` raises
/// `TypeError` before the loop prints anything; here that is an `Err` returned at once.
async fn factorial(name: &'static str, number: PyValue) -> Result<u64, TypeError> {
    let number = match number {
        PyValue::Int(n) => n,
        PyValue::Str(_) => return Err(TypeError(r#"can only concatenate str (not "int") to str"#)),
    };
    let mut f = 1;
    for i in 2..=number {
        println!("Task {name}: Compute factorial({number}), currently i={i}...");
        spindle::sleep(seconds(1.0)).await;
        f *= i;
    }
    println!("Task {name}: factorial({number}) = {f}");
    Ok(f)
}

/// A list of results shown as Python prints it: values as themselves, errors by their repr.
fn python_list<T: fmt::Display, E: fmt::Display>(items: &[Result<T, E>]) -> String {
    let items: Vec<String> = items
        .iter()
        .map(|item| match item {
            Ok(value) => value.to_string(),
            Err(error) => error.to_string(),
        })
        .collect();
    format!("[{}]", items.join(", "))
}

fn gather_errors_as_values() {
    // asyncio: L = await asyncio.gather(factorial("A", 2), factorial("E", "rashid"),
    //          factorial("B", 3), factorial("C", 4), return_exceptions=True); print(L)
    heading("14. gather with errors kept as values (return_exceptions=True)");
    // Current-thread loop: the children start in input order and their sleeps, all of the
    // same length, end in the order they began, so the lines interleave exactly as asyncio's.
    let lp = asyncio_ordered_loop();
    // There is no return_exceptions flag: the children return Results, and gather keeps
    // every Err in its place among the values.
    let results = lp.run_until_complete(async {
        spindle::gather([
            factorial("A", PyValue::Int(2)),
            factorial("E", PyValue::Str("rashid")), // an error, as a value
            factorial("B", PyValue::Int(3)),
            factorial("C", PyValue::Int(4)),
        ])
        .await
    });
    println!("{}", python_list(&results));
    lp.close();
}

// ---------------------------------------------------------------------------------------------
// 15. wait: FIRST_COMPLETED, timeout, FIRST_EXCEPTION
// ---------------------------------------------------------------------------------------------

/// Python's `RuntimeError`, as a Rust error value; shown as Python's repr shows it.
#[derive(Debug)]
struct RuntimeError(&'static str);

impl fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RuntimeError('{}')", self.0)
    }
}

impl std::error::Error for RuntimeError {}

/// The book's `raise_ex_after`: sleeps, then "raises" by returning `Err`.
async fn raise_ex_after(s: f64) -> Result<(), RuntimeError> {
    spindle::sleep(seconds(s)).await;
    Err(RuntimeError("Raising an exception."))
}

/// `asyncio.sleep(s)` as a named task (asyncio shows a task by its coroutine's name).
fn sleep_task(lp: &EventLoop, s: f64) -> Task<()> {
    // An async block: spindle::sleep needs the running loop when it is called, and this task
    // is spawned before the loop runs (asyncio's sleep, too, starts counting when it runs).
    lp.spawn_named("sleep", async move { spindle::sleep(seconds(s)).await })
}

/// The task of `tasks` with this id, by the seconds it sleeps.
fn which(tasks: &[(TaskId, f64)], id: TaskId) -> f64 {
    tasks
        .iter()
        .find(|(task, _)| *task == id)
        .map(|&(_, s)| s)
        .expect("the task is one of ours")
}

fn wait_return_when() {
    // asyncio: asyncio.wait([asyncio.sleep(3), asyncio.sleep(2), asyncio.sleep(1)],
    //          return_when=asyncio.FIRST_COMPLETED)
    heading("15. wait: FIRST_COMPLETED, timeout and FIRST_EXCEPTION");
    // Current-thread loop, the book's loop. wait() returns done and pending in input order
    // (asyncio: two sets), so the printed tuples are the same on every run.
    let lp = asyncio_ordered_loop();
    let tasks = [
        sleep_task(&lp, 3.0),
        sleep_task(&lp, 2.0),
        sleep_task(&lp, 1.0),
    ];
    let seconds_of: Vec<(TaskId, f64)> =
        tasks.iter().map(|t| t.id()).zip([3.0, 2.0, 1.0]).collect();
    let (shown, verdict) = lp.run_until_complete(async {
        let (done, pending) = spindle::wait(tasks, ReturnWhen::FirstCompleted, None).await;
        let first: Vec<String> = done
            .iter()
            .map(|t| format!("the {}-second sleep", which(&seconds_of, t.id())))
            .collect();
        let verdict = format!(
            "(first done: {}; still pending: {})",
            first.join(", "),
            pending.len()
        );
        // Nothing cancels the pending sleeps: they run on, until close() drops them.
        let shown = render_wait(done, &pending, |()| "result=None".to_string()).await;
        (shown, verdict)
    });
    println!("run_until_complete -> {shown}");
    println!("{verdict}");

    // asyncio: asyncio.wait([asyncio.sleep(5), asyncio.sleep(1)], timeout=3)
    let tasks = [sleep_task(&lp, 5.0), sleep_task(&lp, 1.0)];
    let shown = lp.run_until_complete(async {
        let (done, pending) =
            spindle::wait(tasks, ReturnWhen::AllCompleted, Some(seconds(3.0))).await;
        render_wait(done, &pending, |()| "result=None".to_string()).await
    });
    println!("with timeout=3: run_until_complete -> {shown}");

    // asyncio: asyncio.wait([asyncio.sleep(1), raise_ex_after(2), asyncio.sleep(3)],
    //          return_when=asyncio.FIRST_EXCEPTION)
    // wait_results: a task that returns Err counts as an exception (wait only counts panics).
    let ok_after = |s: f64| async move {
        spindle::sleep(seconds(s)).await;
        Ok::<(), RuntimeError>(())
    };
    let show = |outcome: &Result<(), RuntimeError>| match outcome {
        Ok(()) => "result=None".to_string(),
        Err(error) => format!("exception={error}"),
    };
    let tasks = [
        lp.spawn_named("sleep", ok_after(1.0)),
        lp.spawn_named("raise_ex_after", raise_ex_after(2.0)),
        lp.spawn_named("sleep", ok_after(3.0)),
    ];
    let shown = lp.run_until_complete(async {
        let (done, pending) = spindle::wait_results(tasks, ReturnWhen::FirstException, None).await;
        render_wait(done, &pending, show).await
    });
    println!("FIRST_EXCEPTION: run_until_complete -> {shown}");

    // asyncio: asyncio.wait([asyncio.sleep(1), asyncio.sleep(2)], return_when=FIRST_EXCEPTION)
    // No task fails: the wait returns once all are done.
    let tasks = [
        lp.spawn_named("sleep", ok_after(1.0)),
        lp.spawn_named("sleep", ok_after(2.0)),
    ];
    let shown = lp.run_until_complete(async {
        let (done, pending) = spindle::wait_results(tasks, ReturnWhen::FirstException, None).await;
        render_wait(done, &pending, show).await
    });
    println!("FIRST_EXCEPTION, none raised: run_until_complete -> {shown}");
    lp.close();
}

// ---------------------------------------------------------------------------------------------
// 16. wait_for: a timeout
// ---------------------------------------------------------------------------------------------

/// The notes' `eternity`: an hour's sleep (scaled, still far longer than the tour).
async fn eternity() {
    spindle::sleep(seconds(3600.0)).await;
    println!("Can you sleep longer than this?");
}

fn wait_for_eternity() {
    // asyncio: try: await asyncio.wait_for(eternity(), timeout=1.0)
    //          except asyncio.TimeoutError: print('timeout!')
    heading("16. wait_for: timing out an eternity");
    // Current-thread loop, as asyncio.run's.
    let lp = asyncio_ordered_loop();
    lp.run_until_complete(async {
        // The except clause is a match on the Err; eternity() is dropped (cancelled) first.
        match spindle::wait_for(seconds(1.0), eternity()).await {
            Ok(()) => println!("eternity ended"),
            Err(TimeoutError) => println!("timeout!"),
        }
    });
    lp.close();
}

// ---------------------------------------------------------------------------------------------
// 17. shield
// ---------------------------------------------------------------------------------------------

/// The notes' `something()`: work worth finishing even when whoever waits for it gives up.
async fn something() -> &'static str {
    spindle::sleep(seconds(2.0)).await;
    println!("something() finished anyway");
    "something's result"
}

fn shield_from_cancellation() {
    // asyncio: res = await shield(something())
    heading("17. shield: the work outlives a cancelled or timed-out awaiter");
    // Current-thread loop: the cancellation, the timeout and the end of the work come in a
    // fixed order.
    let lp = asyncio_ordered_loop();
    lp.run_until_complete(async {
        // The awaiter is cancelled. In asyncio something() keeps running while the awaiter
        // gets CancelledError; here the awaiter's future is dropped, which drops the Shield,
        // which detaches the work. The work hands its result over through a Promise (an
        // asyncio Future), so that it can be seen after the awaiter is gone.
        let result = Promise::new();
        let awaiter = spindle::spawn({
            let result = result.clone();
            async move {
                let res = spindle::shield(async move {
                    let value = something().await;
                    let _ = result.set_result(value);
                    value
                })
                .await;
                println!("the awaiter got {res:?}"); // never printed: it is cancelled first
            }
        });
        spindle::sleep(seconds(1.0)).await;
        awaiter.cancel();
        match awaiter.await {
            Err(TaskError::Cancelled) => println!("awaiter -> CancelledError"),
            other => println!("awaiter -> {other:?}"),
        }
        match result.await {
            Ok(value) => println!("the shielded work, after all -> {value:?}"),
            Err(error) => println!("the shielded work -> {error}"),
        }

        // The awaiter times out: wait_for a reference to the Shield, so that only the
        // reference is dropped, and await the Shield itself afterwards.
        let mut work = spindle::shield(something());
        match spindle::wait_for(seconds(1.0), &mut work).await {
            Ok(res) => println!("wait_for(shield(something()), 1) -> {res:?}"),
            Err(TimeoutError) => println!(
                "wait_for(shield(something()), 1) -> TimeoutError; work.done() -> {}",
                work.is_done()
            ),
        }
        match work.await {
            Ok(value) => println!("await the shield afterwards -> {value:?}"),
            Err(error) => println!("await the shield afterwards -> {error}"),
        }
    });
    lp.close();
}

// ---------------------------------------------------------------------------------------------
// 18. async for
// ---------------------------------------------------------------------------------------------

/// One step of `async for`: the stream's next item. (spindle has no `StreamExt::next`; a
/// `poll_fn` over `poll_next` is the whole of it.)
async fn next<S: Stream + Unpin>(stream: &mut S) -> Option<S::Item> {
    poll_fn(|cx| Pin::new(&mut *stream).poll_next(cx)).await
}

/// The notebook's documents, `{'value': i}` (without MongoDB's `_id`, which changes on every
/// insert).
struct Doc {
    value: u32,
}

impl fmt::Display for Doc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{'value': {}}}", self.value)
    }
}

fn async_for() {
    // asyncio: async for doc in collection.find(): print(doc)
    heading("18. async for: a stream of documents, then as_completed");
    // Current-thread loop, the notebook's loop.
    let lp = asyncio_ordered_loop();
    lp.run_until_complete(async {
        // The collection: a producer task puts the documents into a small queue (it waits
        // whenever the queue is full) and shuts it down after the last one, which ends the
        // stream. The loop gets them one after the other, as the notebook says.
        let queue = Arc::new(Queue::new(2));
        let producer = spindle::spawn({
            let queue = queue.clone();
            async move {
                for value in 0..10 {
                    if queue.put(Doc { value }).await.is_err() {
                        break;
                    }
                }
                queue.shutdown(false);
            }
        });
        // async for doc in ...:
        let mut docs = queue.stream();
        while let Some(doc) = next(&mut docs).await {
            println!("{doc}");
        }
        producer.await.expect("the producer does not panic");

        // asyncio: for fut in asyncio.as_completed([sleep(3), sleep(2), sleep(1)]): ...
        // The stream of as_completed yields outcomes in the order the tasks finish.
        let lp = EventLoop::current();
        let sleeps = [3.0, 2.0, 1.0].map(|s| {
            lp.spawn(async move {
                spindle::sleep(seconds(s)).await;
                s
            })
        });
        let mut finished = spindle::as_completed(sleeps);
        while let Some(outcome) = next(&mut finished).await {
            let s = outcome.expect("a sleep neither panics nor is cancelled");
            println!("as_completed -> the {s}-second sleep");
        }
    });
    lp.close();
}

// ---------------------------------------------------------------------------------------------
// 19. A Protocol server
// ---------------------------------------------------------------------------------------------

/// The command server's protocol, shared with `examples/command_server.rs` (whose `main` is not
/// used here).
#[path = "command_server.rs"]
#[allow(dead_code)]
mod command_server;

/// The chapter's telnet session, as a blocking client on its own thread: the lines it typed and
/// the lines it read, in order. Any failure stops the loop, so that the tour cannot hang.
fn telnet(addr: std::net::SocketAddr, commands: &[&str], lp: EventLoop) -> Vec<String> {
    let session = || -> std::io::Result<Vec<String>> {
        let mut transcript = vec!["Connected to localhost.".to_string()];
        let stream = std::net::TcpStream::connect(addr)?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        let mut reader = BufReader::new(stream.try_clone()?);
        let mut writer = stream;
        let mut read_line = |transcript: &mut Vec<String>| -> std::io::Result<bool> {
            let mut line = String::new();
            if reader.read_line(&mut line)? == 0 {
                transcript.push("Connection closed by foreign host.".to_string());
                return Ok(false);
            }
            transcript.push(line.trim_end().to_string());
            Ok(true)
        };
        read_line(&mut transcript)?; // Welcome.
        for command in commands {
            transcript.push(command.to_string());
            writer.write_all(format!("{command}\n").as_bytes())?;
            read_line(&mut transcript)?;
        }
        while read_line(&mut transcript)? {}
        Ok(transcript)
    };
    session().unwrap_or_else(|error| {
        lp.stop();
        vec![format!("the client failed: {error}")]
    })
}

fn command_server() {
    // asyncio: coro = loop.create_server(ServerProtocol, '127.0.0.1', 8000)
    //          asyncio.async(coro); loop.run_forever()
    heading("19. a Protocol server: the command server");
    use spindle::protocols::LoopExt;
    // Current-thread loop, the chapter's loop. Port 0: the OS picks a free port.
    let lp = asyncio_ordered_loop();
    let server = lp
        .run_until_complete(lp.create_server(command_server::CommandProtocol::new, "127.0.0.1:0"))
        .expect("could not listen on 127.0.0.1");
    let client = thread::spawn({
        let addr = server.local_addr();
        let lp = lp.clone();
        move || telnet(addr, &["add 3 5", "make_tea", "add x", "shutdown"], lp)
    });
    // Serves until `shutdown`: the protocol stops the loop once its goodbye is sent and the
    // connection closed (the original raises KeyboardInterrupt).
    lp.run_forever();
    for line in client.join().expect("the client does not panic") {
        println!("{line}");
    }
    server.close();
    lp.run_until_complete(server.wait_closed());
    println!(
        "run_forever returned; server.is_serving() -> {}",
        server.is_serving()
    );
    lp.close();
}
