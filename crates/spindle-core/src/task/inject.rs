//! `Inject`: a FIFO of runnables threaded through their task headers.
//!
//! The loop's shared queue (remote spawns, `call_soon_threadsafe`, and on a single-queue loop
//! everything) must not allocate per push: spawn + complete costs one allocation in total. A
//! runnable is in at most one queue at a time (there is at most one per task), so one `next`
//! link in the header suffices. A spin lock guards the links (a push or pop is a few pointer
//! writes under it, as tokio's inject queue; the shim's `ShortLock`, loom's mutex under loom);
//! the length is also kept in an atomic so that idle workers can check for work without taking
//! the lock. Being built on the core's `loom` shim, the queue is visible to the scheduler's
//! loom models.

use super::header::Header;
use super::runnable::Runnable;
use crate::loom::{lock_short as lock, AtomicUsize, ShortLock};
use std::ptr::NonNull;
use std::sync::atomic::Ordering::{Acquire, Release};

/// A FIFO of [`Runnable`]s that never allocates. See the module documentation.
pub struct Inject {
    links: ShortLock<Links>,
    len: AtomicUsize,
}

struct Links {
    head: Option<NonNull<Header>>,
    tail: Option<NonNull<Header>>,
    len: usize,
}

// SAFETY: the pointers are runnables owned by the queue, only followed under the lock; runnables
// are Send.
unsafe impl Send for Links {}

impl Inject {
    /// An empty queue.
    pub fn new() -> Inject {
        Inject {
            links: ShortLock::new(Links {
                head: None,
                tail: None,
                len: 0,
            }),
            len: AtomicUsize::new(0),
        }
    }

    /// Appends a runnable.
    pub fn push(&self, task: Runnable) {
        self.push_batch(std::iter::once(task));
    }

    /// Appends every runnable of `tasks`, in order, under one lock (a worker overflowing half
    /// its local queue). Returns how many.
    pub fn push_batch(&self, tasks: impl IntoIterator<Item = Runnable>) -> usize {
        // Chain the runnables outside the lock: they are ours until spliced in.
        let mut first: Option<NonNull<Header>> = None;
        let mut last: Option<NonNull<Header>> = None;
        let mut count = 0;
        for task in tasks {
            let ptr = task.into_raw();
            // SAFETY: `ptr` is a runnable we own and that is in no queue: its `queue_next`
            // and `last`'s (ours too) are not shared with anyone.
            unsafe {
                ptr.as_ref().queue_next.with_mut(|next| *next = None);
                match last {
                    Some(last) => last.as_ref().queue_next.with_mut(|next| *next = Some(ptr)),
                    None => first = Some(ptr),
                }
            }
            last = Some(ptr);
            count += 1;
        }
        let Some(first) = first else { return 0 };
        let mut links = lock(&self.links);
        match links.tail {
            // SAFETY: the tail is queued here; its link is guarded by the lock we hold.
            Some(tail) => unsafe {
                tail.as_ref()
                    .queue_next
                    .with_mut(|next| *next = Some(first))
            },
            None => links.head = Some(first),
        }
        links.tail = last;
        links.len += count;
        self.len.store(links.len, Release);
        count
    }

    /// Takes the oldest runnable.
    pub fn pop(&self) -> Option<Runnable> {
        let mut links = lock(&self.links);
        self.pop_locked(&mut links)
    }

    /// Takes up to `max` runnables in FIFO order under one lock, handing each to `f`, and
    /// returns how many. `f` runs under the queue's lock: it must only store the runnable
    /// (never drop it, never touch this queue), as pushing to a worker's local queue does.
    pub fn pop_batch(&self, max: usize, mut f: impl FnMut(Runnable)) -> usize {
        let mut links = lock(&self.links);
        let mut n = 0;
        while n < max {
            match self.pop_locked(&mut links) {
                Some(task) => f(task),
                None => break,
            }
            n += 1;
        }
        n
    }

    fn pop_locked(&self, links: &mut Links) -> Option<Runnable> {
        let head = links.head?;
        // SAFETY: the head is a runnable owned by the queue; its link is guarded by the lock.
        let next = unsafe { head.as_ref().queue_next.with_mut(|next| (*next).take()) };
        links.head = next;
        if next.is_none() {
            links.tail = None;
        }
        links.len -= 1;
        self.len.store(links.len, Release);
        // SAFETY: the queue owned this runnable since `push`; ownership moves to the caller.
        Some(unsafe { Runnable::from_raw(head) })
    }

    /// How many runnables are queued (a snapshot).
    pub fn len(&self) -> usize {
        self.len.load(Acquire)
    }

    /// `true` when nothing is queued (a snapshot, without the lock).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for Inject {
    fn default() -> Self {
        Inject::new()
    }
}

impl Drop for Inject {
    fn drop(&mut self) {
        // Dropping a runnable cancels its task, which may call back into a scheduler: do it
        // one at a time, outside the lock.
        while let Some(task) = self.pop() {
            drop(task);
        }
    }
}

impl std::fmt::Debug for Inject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inject").field("len", &self.len()).finish()
    }
}
