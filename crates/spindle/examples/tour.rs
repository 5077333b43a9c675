//! A tour of spindle: the examples of a few well-known asyncio texts (a notebook, a book
//! chapter on the event loop, study notes and an article on blocking the loop), redone with
//! spindle's `EventLoop`, tasks and executors.
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

use spindle::{EventLoop, Promise, TaskError};
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

/// The Python examples count in seconds (`asyncio.sleep(1)`, `call_later(10, ..)`). Every such
/// duration is multiplied by `SCALE`: one "asyncio second" of the tour lasts 100 ms, so the
/// whole tour runs in about three seconds. Only the waiting is shortened; the order of events
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
