//! Property tests: any sequence of `put_nowait` / `get_nowait` / `task_done` (with
//! `qsize` / `full` / `empty` checked after each step) behaves like a plain collection:
//! `Queue` like a `VecDeque`, `LifoQueue` like a `Vec`, `PriorityQueue` like a sorted `Vec`.
//! No future is involved, so no executor either.

use proptest::prelude::*;
use spindle_sync::{Buffer, GenericQueue, LifoQueue, PriorityQueue, Queue};
use std::collections::VecDeque;

#[derive(Debug, Clone)]
enum Op {
    Put(u8),
    Get,
    TaskDone,
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    let op = prop_oneof![
        3 => any::<u8>().prop_map(Op::Put),
        2 => Just(Op::Get),
        1 => Just(Op::TaskDone),
    ];
    proptest::collection::vec(op, 0..200)
}

/// The model: a collection with `push` and `pop` picking which item leaves.
trait Model: Default {
    fn push(&mut self, item: u8);
    fn pop(&mut self) -> Option<u8>;
    fn len(&self) -> usize;
}

impl Model for VecDeque<u8> {
    fn push(&mut self, item: u8) {
        self.push_back(item);
    }
    fn pop(&mut self) -> Option<u8> {
        self.pop_front()
    }
    fn len(&self) -> usize {
        VecDeque::len(self)
    }
}

impl Model for Vec<u8> {
    fn push(&mut self, item: u8) {
        Vec::push(self, item);
    }
    fn pop(&mut self) -> Option<u8> {
        Vec::pop(self)
    }
    fn len(&self) -> usize {
        Vec::len(self)
    }
}

/// A sorted vector: the smallest item leaves first.
#[derive(Default)]
struct Sorted(Vec<u8>);

impl Model for Sorted {
    fn push(&mut self, item: u8) {
        let at = self.0.partition_point(|x| *x <= item);
        self.0.insert(at, item);
    }
    fn pop(&mut self) -> Option<u8> {
        (!self.0.is_empty()).then(|| self.0.remove(0))
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}

fn check<B: Buffer<u8>, M: Model>(queue: GenericQueue<u8, B>, ops: Vec<Op>) {
    let maxsize = queue.maxsize();
    let mut model = M::default();
    let mut unfinished = 0usize;
    for op in ops {
        match op {
            Op::Put(item) => {
                let full = maxsize > 0 && model.len() >= maxsize;
                match queue.put_nowait(item) {
                    Ok(()) => {
                        assert!(!full, "put_nowait accepted an item on a full queue");
                        model.push(item);
                        unfinished += 1;
                    }
                    Err(refused) => {
                        assert!(full && refused.is_full());
                        assert_eq!(refused.into_inner(), item);
                    }
                }
            }
            Op::Get => match (queue.get_nowait(), model.pop()) {
                (Ok(got), Some(expected)) => assert_eq!(got, expected),
                (Err(e), None) => assert!(e.is_empty()),
                (got, expected) => panic!("queue gave {got:?}, model {expected:?}"),
            },
            Op::TaskDone => {
                let result = queue.task_done();
                assert_eq!(result.is_ok(), unfinished > 0);
                unfinished = unfinished.saturating_sub(1);
            }
        }
        assert_eq!(queue.qsize(), model.len());
        assert_eq!(queue.empty(), model.len() == 0);
        assert_eq!(queue.full(), maxsize > 0 && model.len() >= maxsize);
        assert!(maxsize == 0 || queue.qsize() <= maxsize);
    }
}

proptest! {
    #[test]
    fn fifo_queue_behaves_like_a_vecdeque(maxsize in 0usize..6, ops in ops()) {
        check::<_, VecDeque<u8>>(Queue::new(maxsize), ops);
    }

    #[test]
    fn lifo_queue_behaves_like_a_vec(maxsize in 0usize..6, ops in ops()) {
        check::<_, Vec<u8>>(LifoQueue::new(maxsize), ops);
    }

    #[test]
    fn priority_queue_behaves_like_a_sorted_vec(maxsize in 0usize..6, ops in ops()) {
        check::<_, Sorted>(PriorityQueue::new(maxsize), ops);
    }
}
