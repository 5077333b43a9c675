//! Where task cells live: a per-thread cache of freed cells, by size, in front of the global
//! allocator.
//!
//! On a multi-thread loop a task is often allocated on one worker and freed on another (it was
//! stolen, or woken there). With glibc's allocator such a cross-thread free takes the lock of
//! the allocating thread's arena, which that thread holds for its own allocations: spawn-heavy
//! loads on two workers spent more time sleeping on that lock than running tasks. This cache
//! makes the common case thread-local: a freed cell goes to the freeing thread's list for its
//! size class and the next spawn of that size on that thread takes it back, with no lock at all.
//!
//! ```text
//!   allocate(class)                         deallocate(block, class)
//!   ---------------                         ------------------------
//!   1. pop the thread's list                1. list full (LOCAL_MAX)? move MAGAZINE blocks
//!   2. empty: take one magazine                to the depot in one lock (the depot full:
//!      (MAGAZINE blocks) from the depot        free them to the global allocator)
//!   3. depot empty: the global allocator    2. push on the thread's list
//! ```
//!
//! Blocks move between threads only through the depot, a magazine (many blocks) per lock, so a
//! producer that allocates on one worker and a consumer that frees on another meet at the depot
//! once per `MAGAZINE` tasks instead of once per task.
//!
//! Sizes are rounded up to the next `16 k + 8` bytes: glibc's malloc adds an 8-byte header and
//! rounds chunks to 16, so a request of `16 k + 8` uses exactly the chunk that any smaller
//! request in its class would have used, and the rounding costs no memory (other allocators,
//! with 16-byte classes, lose at most 8 bytes). Cells larger than `MAX_SIZE` or aligned beyond
//! `GRANULE` bypass the cache. Memory kept: at most `LOCAL_MAX` blocks per class per thread
//! (freed when the thread exits) and `DEPOT_BUDGET` bytes (64 MiB) in the depot, all classes
//! together. The depot is what makes a burst cheap at any size: a task that spawns 300,000
//! children and awaits them frees 300,000 cells, and the next such burst takes them back from
//! the depot instead of the allocator (`cost_per_task` on 2 workers: 1M tasks cost 186-194 ns
//! each with a depot of 64 magazines per class, 150-154 with the budget). It never holds more
//! than the cells the program freed, and beyond the budget they go back to the allocator.
//!
//! `SPINDLE_CELL_CACHE=0` in the environment (read once) turns the cache off, so that tools
//! such as valgrind see every task free (`ci/valgrind.sh` sets it). Under loom the cache is not
//! built: the models see the global allocator. This file uses `std`'s atomics directly for that
//! reason (it is not part of any loom model).

use std::alloc::Layout;
use std::ptr::NonNull;

/// Moves `value` to a fresh cell allocation (the cache's `Box::new` + `Box::leak`). `T` is a
/// task cell, never zero-sized (it starts with a header): checked at compile time.
#[inline]
pub(crate) fn boxed<T>(value: T) -> NonNull<T> {
    const { assert!(size_of::<T>() != 0, "a task cell is never zero-sized") };
    let ptr = cache::allocate(Layout::new::<T>()).cast::<T>();
    // SAFETY: `ptr` is a fresh allocation of `T`'s size and alignment, not yet initialised.
    unsafe { ptr.as_ptr().write(value) };
    ptr
}

/// Drops the value behind `ptr` (catching a panic of its destructor, which is returned) and
/// frees the allocation. Every field is dropped even if one panics, as for a `Box`.
///
/// # Safety
/// `ptr` came from [`boxed`] with the same `T` and nothing else refers to it.
#[inline]
pub(crate) unsafe fn free<T>(ptr: NonNull<T>) -> std::thread::Result<()> {
    let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // SAFETY: the caller owns the only reference; the value is initialised.
        unsafe { std::ptr::drop_in_place(ptr.as_ptr()) }
    }));
    // SAFETY: allocated by `cache::allocate` with this layout; the value is gone.
    unsafe { cache::deallocate(ptr.cast(), Layout::new::<T>()) };
    dropped
}

/// A block from the global allocator; `layout` has a non-zero size (every layout here is a
/// task cell's, or a size class of them).
#[inline]
fn system_alloc(layout: Layout) -> NonNull<u8> {
    // SAFETY: a non-zero size, as above.
    NonNull::new(unsafe { std::alloc::alloc(layout) })
        .unwrap_or_else(|| std::alloc::handle_alloc_error(layout))
}

#[cfg(loom)]
mod cache {
    pub(super) use super::system_alloc as allocate;
    use std::alloc::{dealloc, Layout};
    use std::ptr::NonNull;

    /// # Safety
    /// `block` came from `allocate(layout)`.
    #[inline]
    pub(super) unsafe fn deallocate(block: NonNull<u8>, layout: Layout) {
        // SAFETY: the caller's contract.
        unsafe { dealloc(block.as_ptr(), layout) }
    }
}

#[cfg(not(loom))]
mod cache {
    use super::system_alloc;
    use std::alloc::{dealloc, Layout};
    use std::cell::RefCell;
    use std::ptr::NonNull;
    use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering::Relaxed};
    use std::sync::{Mutex, PoisonError};

    /// Size classes are this far apart (and blocks are aligned to it).
    const GRANULE: usize = 16;
    /// What the allocator adds to a request before rounding it to `GRANULE` (glibc).
    const HEADER: usize = 8;
    /// Larger cells go to the global allocator directly.
    const MAX_SIZE: usize = 520;
    const CLASSES: usize = (MAX_SIZE - HEADER) / GRANULE + 1;
    /// Blocks moved between a thread and the depot at once.
    const MAGAZINE: usize = 64;
    /// Blocks a thread keeps per class.
    const LOCAL_MAX: usize = 2 * MAGAZINE;
    /// Bytes of free blocks the depot keeps, all classes together (see the module doc).
    const DEPOT_BUDGET: usize = 64 << 20;

    /// Bytes of free blocks in the depot now; a magazine is counted before it goes in and
    /// uncounted after it comes out, both under its class's lock.
    static DEPOT_BYTES: AtomicUsize = AtomicUsize::new(0);

    /// A free block of some class; owned by whichever list holds it.
    struct Block(NonNull<u8>);

    // SAFETY: a free block is plain memory owned by the list that holds it; moving that
    // ownership to another thread is what the depot is for.
    unsafe impl Send for Block {}

    /// One thread's free lists, one per class.
    struct Local {
        lists: [Vec<Block>; CLASSES],
    }

    impl Drop for Local {
        fn drop(&mut self) {
            for (class, list) in self.lists.iter_mut().enumerate() {
                for block in list.drain(..) {
                    release(block, class);
                }
            }
        }
    }

    thread_local! {
        static LOCAL: RefCell<Local> = const {
            RefCell::new(Local { lists: [const { Vec::new() }; CLASSES] })
        };
    }

    static DEPOT: [Mutex<Vec<Vec<Block>>>; CLASSES] = [const { Mutex::new(Vec::new()) }; CLASSES];

    const UNKNOWN: u8 = 0;
    const ON: u8 = 1;
    const OFF: u8 = 2;
    static ENABLED: AtomicU8 = AtomicU8::new(UNKNOWN);

    #[inline]
    fn enabled() -> bool {
        match ENABLED.load(Relaxed) {
            ON => true,
            OFF => false,
            _ => {
                let on = std::env::var_os("SPINDLE_CELL_CACHE").is_none_or(|v| v != "0");
                ENABLED.store(if on { ON } else { OFF }, Relaxed);
                on
            }
        }
    }

    /// The class of `layout`, if the cache serves it: the smallest `class` whose size,
    /// `GRANULE * class + HEADER`, holds it.
    #[inline]
    fn class_of(layout: Layout) -> Option<usize> {
        if layout.size() > MAX_SIZE || layout.align() > GRANULE || !enabled() {
            return None;
        }
        Some(layout.size().saturating_sub(HEADER).div_ceil(GRANULE))
    }

    /// The layout every block of `class` is allocated with.
    #[inline]
    fn class_layout(class: usize) -> Layout {
        Layout::from_size_align(GRANULE * class + HEADER, GRANULE)
            .expect("a size class is small and its alignment a power of two")
    }

    /// Gives a block of `class` back to the global allocator.
    fn release(block: Block, class: usize) {
        // SAFETY: every block of `class` was allocated with `class_layout(class)`.
        unsafe { dealloc(block.0.as_ptr(), class_layout(class)) }
    }

    /// The bytes of one full magazine of `class`.
    fn magazine_bytes(class: usize) -> usize {
        MAGAZINE * class_layout(class).size()
    }

    /// Counts `bytes` more in the depot if that keeps it within [`DEPOT_BUDGET`].
    fn reserve_depot_room(bytes: usize) -> bool {
        reserve(&DEPOT_BYTES, bytes, DEPOT_BUDGET)
    }

    /// Adds `bytes` to `held` unless that would pass `budget`; `false` (and `held` unchanged)
    /// if it would.
    fn reserve(held: &AtomicUsize, bytes: usize, budget: usize) -> bool {
        held.fetch_update(Relaxed, Relaxed, |now| {
            Some(now + bytes).filter(|&after| after <= budget)
        })
        .is_ok()
    }

    fn depot(class: usize) -> std::sync::MutexGuard<'static, Vec<Vec<Block>>> {
        // Nothing panics under this lock: poison carries no meaning.
        DEPOT[class].lock().unwrap_or_else(PoisonError::into_inner)
    }

    #[inline]
    pub(super) fn allocate(layout: Layout) -> NonNull<u8> {
        let Some(class) = class_of(layout) else {
            return system_alloc(layout);
        };
        let cached = LOCAL.try_with(|local| {
            let mut local = local.borrow_mut();
            let list = &mut local.lists[class];
            if list.is_empty() {
                if let Some(magazine) = depot(class).pop() {
                    DEPOT_BYTES.fetch_sub(magazine_bytes(class), Relaxed);
                    *list = magazine;
                }
            }
            list.pop()
        });
        match cached {
            Ok(Some(block)) => block.0,
            // An empty cache, or a thread past its thread-local destructors.
            _ => system_alloc(class_layout(class)),
        }
    }

    /// # Safety
    /// `block` came from `allocate(layout)` and is no longer used.
    #[inline]
    pub(super) unsafe fn deallocate(block: NonNull<u8>, layout: Layout) {
        let Some(class) = class_of(layout) else {
            // SAFETY: `allocate` bypassed the cache for this layout too (`class_of` gives the
            // same answer for the life of the process).
            unsafe { dealloc(block.as_ptr(), layout) };
            return;
        };
        let kept = LOCAL.try_with(|local| {
            let mut local = local.borrow_mut();
            let list = &mut local.lists[class];
            if list.len() >= LOCAL_MAX {
                let magazine: Vec<Block> = list.drain(list.len() - MAGAZINE..).collect();
                let mut depot = depot(class);
                if reserve_depot_room(magazine_bytes(class)) {
                    depot.push(magazine);
                } else {
                    drop(depot);
                    magazine.into_iter().for_each(|b| release(b, class));
                }
            }
            list.push(Block(block));
        });
        if kept.is_err() {
            release(Block(block), class);
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn classes_round_up_to_the_granule() {
            let class = |size| class_of(Layout::from_size_align(size, 8).unwrap());
            if !enabled() {
                return;
            }
            assert_eq!(class(1), Some(0));
            assert_eq!(class(8), Some(0));
            assert_eq!(class(9), Some(1));
            assert_eq!(class(24), Some(1));
            assert_eq!(class(104), Some(6));
            assert_eq!(
                class_layout(6).size(),
                104,
                "a 104-byte cell wastes nothing"
            );
            assert_eq!(class(512), Some(CLASSES - 1));
            assert_eq!(class(MAX_SIZE + 1), None);
            assert_eq!(class_of(Layout::from_size_align(64, 64).unwrap()), None);
            for size in 1..=MAX_SIZE {
                let c = class(size).unwrap();
                assert!(
                    class_layout(c).size() >= size,
                    "class {c} holds {size} bytes"
                );
                assert!(
                    c == 0 || class_layout(c - 1).size() < size,
                    "{size}: the smallest class"
                );
            }
        }

        #[test]
        fn the_depot_budget_refuses_what_would_pass_it() {
            let held = AtomicUsize::new(0);
            assert!(reserve(&held, 60, 100));
            assert!(!reserve(&held, 60, 100), "60 + 60 passes a budget of 100");
            assert_eq!(held.load(Relaxed), 60, "a refusal counts nothing");
            assert!(reserve(&held, 40, 100), "filling it exactly is allowed");
            assert_eq!(held.load(Relaxed), 100);
        }

        #[test]
        fn a_freed_block_is_reused_by_the_same_thread() {
            if !enabled() {
                return;
            }
            let layout = Layout::from_size_align(200, 8).unwrap();
            let a = allocate(layout);
            // SAFETY: `a` came from `allocate(layout)` and is unused.
            unsafe { deallocate(a, layout) };
            let b = allocate(layout);
            assert_eq!(a, b, "the thread's list hands back the block it was given");
            // SAFETY: as above.
            unsafe { deallocate(b, layout) };
        }

        #[test]
        fn blocks_freed_on_another_thread_come_back_through_the_depot() {
            if !enabled() {
                return;
            }
            // A class no other test of this binary uses, so the depot is ours.
            let layout = Layout::from_size_align(496, 8).unwrap();
            let class = class_of(layout).unwrap();
            let blocks: Vec<Block> = (0..LOCAL_MAX + MAGAZINE)
                .map(|_| Block(allocate(layout)))
                .collect();
            std::thread::spawn(move || {
                for block in blocks {
                    // SAFETY: each block came from `allocate(layout)` and is unused.
                    unsafe { deallocate(block.0, layout) };
                }
            })
            .join()
            .unwrap();
            // The other thread overflowed one magazine to the depot and freed its own list on
            // exit: this thread's next allocation takes the magazine.
            assert_eq!(depot(class).len(), 1);
            let block = allocate(layout);
            assert_eq!(depot(class).len(), 0);
            // SAFETY: as above.
            unsafe { deallocate(block, layout) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

    struct Counted<'a>(&'a AtomicUsize, [u64; 4]);

    impl Drop for Counted<'_> {
        fn drop(&mut self) {
            self.0.fetch_add(1, SeqCst);
        }
    }

    #[test]
    fn boxed_then_free_drops_the_value_once() {
        let drops = AtomicUsize::new(0);
        let ptr = boxed(Counted(&drops, [7; 4]));
        // SAFETY: `ptr` came from `boxed` and is initialised.
        assert_eq!(unsafe { ptr.as_ref() }.1, [7; 4]);
        // SAFETY: the only reference.
        assert!(unsafe { free(ptr) }.is_ok());
        assert_eq!(drops.load(SeqCst), 1);
    }

    #[test]
    fn a_panicking_destructor_is_caught_and_the_memory_freed() {
        struct Bomb(#[allow(dead_code)] [u8; 40]);
        impl Drop for Bomb {
            fn drop(&mut self) {
                panic!("boom");
            }
        }
        let ptr = boxed(Bomb([0; 40]));
        // SAFETY: the only reference.
        assert!(unsafe { free(ptr) }.is_err());
    }
}
