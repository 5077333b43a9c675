//! `call_soon`, `call_soon_threadsafe` and `gather_10k`: asyncio's calls that the peers have no
//! counterpart for, against what a tokio or smol program does instead (spawned tasks).

use super::{nanos_per, Peer};
use crate::mailbox::{self, Sender};
use crate::{Runtime, Spawner};
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Counts callbacks down; the last one tells the waiting task.
struct Countdown {
    left: AtomicUsize,
    done: Sender<()>,
}

impl Countdown {
    fn new(count: usize, done: Sender<()>) -> Arc<Countdown> {
        Arc::new(Countdown {
            left: AtomicUsize::new(count),
            done,
        })
    }

    fn tick(&self) {
        if self.left.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.done.send(());
        }
    }
}

/// From a task, schedules `callbacks` callbacks (spindle: `EventLoop::call_soon`; the peers:
/// a detached task each) and waits until the last has run; ns per callback. Each callback
/// counts down a shared counter.
pub fn call_soon<R: Runtime>(rt: &R, callbacks: usize) -> f64
where
    R::Spawner: Peer,
{
    let spawner = rt.spawner();
    let inner = spawner.clone();
    let elapsed = rt.block_on(spawner.spawn(async move {
        let (done, mut finished) = mailbox::channel();
        let countdown = Countdown::new(callbacks, done);
        let start = Instant::now();
        for _ in 0..callbacks {
            let countdown = countdown.clone();
            inner.call_soon(move || countdown.tick());
        }
        drop(countdown);
        finished
            .recv()
            .await
            .expect("call_soon: a callback was lost");
        start.elapsed()
    }));
    nanos_per(elapsed, callbacks)
}

/// From a thread outside the runtime, schedules `callbacks` callbacks (spindle:
/// `EventLoop::call_soon_threadsafe`; the peers: a detached task each) while the main future
/// waits until the last has run; ns per callback.
pub fn call_soon_threadsafe<R: Runtime>(rt: &R, callbacks: usize) -> f64
where
    R::Spawner: Peer,
{
    let spawner = rt.spawner();
    let elapsed = rt.block_on(async move {
        let (done, mut finished) = mailbox::channel();
        let countdown = Countdown::new(callbacks, done);
        let start = Instant::now();
        let thread = std::thread::spawn(move || {
            for _ in 0..callbacks {
                let countdown = countdown.clone();
                spawner.call_soon_threadsafe(move || countdown.tick());
            }
        });
        finished
            .recv()
            .await
            .expect("call_soon_threadsafe: a callback was lost");
        let elapsed = start.elapsed();
        thread
            .join()
            .expect("call_soon_threadsafe: the calling thread panicked");
        elapsed
    });
    nanos_per(elapsed, callbacks)
}

/// From a task, gathers `tasks` trivial tasks (spindle: `spindle::gather`; the peers: spawn
/// them all, then await each handle), `reps` times per sample; microseconds per gather.
///
/// # Panics
/// If a gather returns the wrong outputs.
pub fn gather<R: Runtime>(rt: &R, tasks: usize, reps: usize) -> f64
where
    R::Spawner: Peer,
{
    let spawner = rt.spawner();
    let inner = spawner.clone();
    let reps = reps.max(1);
    let elapsed: Duration = rt.block_on(spawner.spawn(async move {
        let start = Instant::now();
        for _ in 0..reps {
            gather_once(&inner, tasks).await;
        }
        start.elapsed() / reps as u32
    }));
    elapsed.as_secs_f64() * 1e6
}

/// One gather of `tasks` trivial futures with [`Peer::gather`], its outputs checked: the body
/// of `gather_10k`, and of the `gather` workload of the `callgrind` binary.
///
/// # Panics
/// If the gather returns the wrong outputs.
pub async fn gather_once<S: Peer>(spawner: &S, tasks: usize) {
    let futures: Vec<_> = (0..tasks)
        .map(|i| async move { std::hint::black_box(i) })
        .collect();
    let outputs = spawner.gather(futures).await;
    assert!(
        outputs.iter().copied().eq(0..tasks),
        "gather_10k: outputs out of order"
    );
}

/// The peers' `gather`: spawns every future now, and returns a future that awaits each
/// handle in turn and collects the outputs in order.
pub(crate) fn spawn_and_join<S: Spawner, F>(
    spawner: &S,
    futures: Vec<F>,
) -> impl Future<Output = Vec<F::Output>> + Send
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(|f| spawner.spawn(f)).collect();
    async move {
        let mut outputs = Vec::with_capacity(handles.len());
        for handle in handles {
            outputs.push(handle.await);
        }
        outputs
    }
}
