//! `TaskList`: the tasks a loop owns, so that `close()` can drop every future and
//! `all_tasks()` can list them.
//!
//! An intrusive doubly linked list threaded through the task headers (no allocation per task),
//! split into shards by task id so that spawns and completions on different workers rarely
//! meet on one lock. The list holds one counted reference per task; a completing task takes
//! itself out (through `Schedule::release`). Once closed, inserts are refused: a loop that is
//! shutting down cannot gain tasks behind its back.

use super::header::Header;
use super::raw::TaskRef;
use crate::loom::{lock_short as lock, ShortLock};
use std::ptr::NonNull;

/// The tasks a scheduler owns. See the module documentation.
pub struct TaskList {
    shards: Box<[Padded]>,
}

/// One shard per 128 bytes (two cache lines, as adjacent-line prefetching pairs them): two
/// workers spawning at once must not share a line through neighbouring shards.
#[repr(align(128))]
struct Padded(ShortLock<Shard>);

struct Shard {
    head: Option<NonNull<Header>>,
    len: usize,
    closed: bool,
}

// SAFETY: the raw pointers are only followed under the shard's lock, and tasks are Send.
unsafe impl Send for Shard {}

impl TaskList {
    /// A list with at least `shards` shards (rounded up to a power of two).
    pub fn new(shards: usize) -> TaskList {
        let n = shards.max(1).next_power_of_two();
        TaskList {
            shards: (0..n)
                .map(|_| {
                    Padded(ShortLock::new(Shard {
                        head: None,
                        len: 0,
                        closed: false,
                    }))
                })
                .collect(),
        }
    }

    fn shard(&self, header: &Header) -> &ShortLock<Shard> {
        // Ids are sequential, so the low bits spread consecutive spawns across shards.
        &self.shards[(header.id as usize) & (self.shards.len() - 1)].0
    }

    /// Adds a task (taking over the reference); gives it back when the list is closed.
    pub fn insert(&self, task: TaskRef) -> Result<(), TaskRef> {
        let ptr = task.ptr();
        let mut shard = lock(self.shard(task.header()));
        if shard.closed {
            return Err(task);
        }
        // SAFETY: links are only touched under this shard's lock, which we hold; `head` is a
        // live task because the list holds a reference to every member.
        unsafe {
            task.header().links.with_mut(|l| {
                (*l).prev = None;
                (*l).next = shard.head;
            });
            if let Some(head) = shard.head {
                head.as_ref().links.with_mut(|l| (*l).prev = Some(ptr));
            }
        }
        shard.head = Some(ptr);
        shard.len += 1;
        std::mem::forget(task);
        Ok(())
    }

    /// Takes a task out, returning the list's reference; `None` if it is not a member.
    pub fn remove(&self, task: &TaskRef) -> Option<TaskRef> {
        let mut shard = lock(self.shard(task.header()));
        // SAFETY: under the shard lock; see `insert`.
        unsafe { Self::unlink(&mut shard, task.ptr()) }
    }

    /// # Safety
    /// The caller holds the lock of the shard `ptr` belongs to.
    unsafe fn unlink(shard: &mut Shard, ptr: NonNull<Header>) -> Option<TaskRef> {
        // SAFETY: per the contract; neighbours are members, hence live.
        unsafe {
            let header = ptr.as_ref();
            // A member has a predecessor or is the head (its shard is fixed by its id, so no
            // other shard's head can be it): no `linked` flag is needed.
            let is_head = shard.head == Some(ptr);
            let (prev, next) = header.links.with_mut(|l| {
                if (*l).prev.is_none() && !is_head {
                    return None;
                }
                Some(((*l).prev.take(), (*l).next.take()))
            })?;
            match prev {
                Some(prev) => prev.as_ref().links.with_mut(|l| (*l).next = next),
                None => shard.head = next,
            }
            if let Some(next) = next {
                next.as_ref().links.with_mut(|l| (*l).prev = prev);
            }
            shard.len -= 1;
            Some(TaskRef::from_raw(ptr))
        }
    }

    /// Refuses further inserts and hands out every member (with the list's references).
    pub fn close(&self) -> Vec<TaskRef> {
        let mut all = Vec::new();
        for Padded(shard) in self.shards.iter() {
            let mut shard = lock(shard);
            shard.closed = true;
            while let Some(head) = shard.head {
                // SAFETY: under the lock; the head is a member.
                all.extend(unsafe { Self::unlink(&mut shard, head) });
            }
        }
        all
    }

    /// `true` once [`close`](TaskList::close) ran.
    pub fn is_closed(&self) -> bool {
        lock(&self.shards[0].0).closed
    }

    /// New references to every member, shard by shard.
    pub fn snapshot(&self) -> Vec<TaskRef> {
        let mut all = Vec::new();
        for Padded(shard) in self.shards.iter() {
            let shard = lock(shard);
            let mut cursor = shard.head;
            while let Some(ptr) = cursor {
                // SAFETY: under the lock; members are live and linked.
                let header = unsafe { ptr.as_ref() };
                header.state.ref_inc();
                // SAFETY: the reference was just counted.
                all.push(unsafe { TaskRef::from_raw(ptr) });
                // SAFETY: under the lock.
                cursor = header.links.with(|l| unsafe { (*l).next });
            }
        }
        all
    }

    /// How many tasks the list holds.
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| lock(&s.0).len).sum()
    }

    /// `true` when the list holds no task.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Drop for TaskList {
    fn drop(&mut self) {
        for task in self.close() {
            task.shutdown();
        }
    }
}

impl std::fmt::Debug for TaskList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskList")
            .field("len", &self.len())
            .finish()
    }
}
