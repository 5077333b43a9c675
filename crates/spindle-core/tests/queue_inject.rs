//! `Inject`, the intrusive FIFO of runnables: a proptest model against a `VecDeque`, and what
//! happens to runnables still queued when the queue is dropped.

mod common;

use common::Exec;
use proptest::prelude::*;
use spindle_core::task::Inject;
use std::collections::VecDeque;

#[derive(Debug, Clone)]
enum Op {
    Push,
    PushBatch(usize),
    Pop,
    PopBatch(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => Just(Op::Push),
        1 => (0usize..6).prop_map(Op::PushBatch),
        2 => Just(Op::Pop),
        1 => (0usize..6).prop_map(Op::PopBatch),
    ]
}

proptest! {
    /// Any sequence of pushes, batch pushes, pops and batch pops yields the runnables in push order, and
    /// `len` always matches the model.
    #[test]
    fn inject_is_a_fifo(ops in proptest::collection::vec(op(), 1..80)) {
        let exec = Exec::new();
        let queue = Inject::new();
        let mut model = VecDeque::new();
        let mut handles = Vec::new();
        for op in ops {
            match op {
                Op::Push => {
                    let (runnable, task, _list_ref) = spindle_core::task::create(async {}, exec.sched(), None);
                    model.push_back(runnable.id());
                    handles.push(task);
                    queue.push(runnable);
                }
                Op::PushBatch(n) => {
                    let batch: Vec<_> = (0..n).map(|_| {
                        let (runnable, task, _list_ref) = spindle_core::task::create(async {}, exec.sched(), None);
                        model.push_back(runnable.id());
                        handles.push(task);
                        runnable
                    }).collect();
                    prop_assert_eq!(queue.push_batch(batch), n);
                }
                Op::Pop => {
                    let got = queue.pop().map(|r| { let id = r.id(); r.run(); id });
                    prop_assert_eq!(got, model.pop_front());
                }
                Op::PopBatch(max) => {
                    let mut got = Vec::new();
                    let n = queue.pop_batch(max, |r| got.push(r));
                    prop_assert_eq!(n, got.len());
                    let expected: Vec<_> = (0..max).map_while(|_| model.pop_front()).collect();
                    let ids: Vec<_> = got.iter().map(|r| r.id()).collect();
                    prop_assert_eq!(ids, expected);
                    got.into_iter().for_each(|r| r.run());
                }
            }
            prop_assert_eq!(queue.len(), model.len());
            prop_assert_eq!(queue.is_empty(), model.is_empty());
        }
    }
}

/// Runnables still queued when the queue goes away are dropped, which cancels their tasks.
#[test]
fn dropping_the_queue_cancels_what_it_holds() {
    let exec = Exec::new();
    let queue = Inject::new();
    let tasks: Vec<_> = (0..3)
        .map(|_| {
            let (runnable, task, _list_ref) =
                spindle_core::task::create(async {}, exec.sched(), None);
            queue.push(runnable);
            task
        })
        .collect();
    drop(queue);
    assert!(tasks.iter().all(|t| t.is_cancelled()));
}
