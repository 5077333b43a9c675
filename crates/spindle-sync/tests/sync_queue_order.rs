//! Which item comes out, and the non-blocking surface: FIFO, LIFO and priority order,
//! `put_nowait` / `get_nowait` refusals, `qsize` / `full` / `empty` / `maxsize`.
//! Every test runs under spindle's loop and under `futures_lite::block_on`.

mod queue_common;

use queue_common::on_each_executor;
use spindle_sync::{
    Buffer, GenericQueue, GetNowaitError, LifoQueue, PriorityQueue, PutNowaitError, Queue,
    QueueEmpty, QueueFull, QueueGet, QueueJoin, QueuePut, QueueShutDown, QueueStream,
    TaskDoneError,
};

#[test]
fn fifo_queue_returns_items_in_put_order() {
    on_each_executor(|| async {
        let queue = Queue::new(0);
        for item in [3, 1, 2] {
            queue.put(item).await.unwrap();
        }
        let mut got = Vec::new();
        for _ in 0..3 {
            got.push(queue.get().await.unwrap());
        }
        assert_eq!(got, [3, 1, 2]);
    });
}

#[test]
fn lifo_queue_returns_the_newest_item_first() {
    on_each_executor(|| async {
        let queue = LifoQueue::new(0);
        for item in [3, 1, 2] {
            queue.put(item).await.unwrap();
        }
        let mut got = Vec::new();
        for _ in 0..3 {
            got.push(queue.get().await.unwrap());
        }
        assert_eq!(got, [2, 1, 3]);
    });
}

#[test]
fn priority_queue_returns_the_smallest_item_first() {
    on_each_executor(|| async {
        let queue = PriorityQueue::new(0);
        for item in [(3, "c"), (1, "a"), (2, "b"), (1, "0")] {
            queue.put(item).await.unwrap();
        }
        let mut got = Vec::new();
        for _ in 0..4 {
            got.push(queue.get().await.unwrap());
        }
        assert_eq!(got, [(1, "0"), (1, "a"), (2, "b"), (3, "c")]);
    });
}

#[test]
fn put_nowait_on_a_full_queue_hands_the_item_back() {
    on_each_executor(|| async {
        let queue = Queue::new(1);
        queue.put_nowait(String::from("kept")).unwrap();
        let refused = queue.put_nowait(String::from("refused")).unwrap_err();
        assert!(refused.is_full());
        let PutNowaitError::Full(full) = refused else {
            panic!("expected QueueFull")
        };
        assert_eq!(full.into_inner(), "refused");
        assert_eq!(queue.qsize(), 1);
        assert_eq!(queue.get().await.unwrap(), "kept");
    });
}

#[test]
fn get_nowait_on_an_empty_queue_is_queue_empty() {
    on_each_executor(|| async {
        let queue: Queue<u8> = Queue::new(0);
        assert_eq!(queue.get_nowait(), Err(GetNowaitError::Empty(QueueEmpty)));
        queue.put(1).await.unwrap();
        assert_eq!(queue.get_nowait(), Ok(1));
        assert!(queue.get_nowait().unwrap_err().is_empty());
    });
}

#[test]
fn qsize_full_and_empty_follow_the_items_up_to_maxsize() {
    on_each_executor(|| async {
        let queue = Queue::new(2);
        assert_eq!(queue.maxsize(), 2);
        assert!(queue.empty() && !queue.full());
        queue.put(1).await.unwrap();
        assert_eq!(
            (queue.qsize(), queue.empty(), queue.full()),
            (1, false, false)
        );
        queue.put(2).await.unwrap();
        assert_eq!(
            (queue.qsize(), queue.empty(), queue.full()),
            (2, false, true)
        );
        queue.get().await.unwrap();
        assert_eq!((queue.qsize(), queue.full()), (1, false));
    });
}

#[test]
fn maxsize_zero_is_unbounded_and_never_full() {
    on_each_executor(|| async {
        let queue = Queue::new(0);
        for item in 0..1000 {
            queue.put(item).await.unwrap();
            assert!(!queue.full());
        }
        assert_eq!((queue.maxsize(), queue.qsize()), (0, 1000));
    });
}

/// A buffer that always hands out the largest item: a custom discipline, as asyncio users
/// override `_put` / `_get`.
#[derive(Default)]
struct Largest(Vec<u32>);

impl Buffer<u32> for Largest {
    fn put(&mut self, item: u32) {
        self.0.push(item);
    }

    fn get(&mut self) -> Option<u32> {
        let (index, _) = self.0.iter().enumerate().max_by_key(|(_, item)| **item)?;
        Some(self.0.swap_remove(index))
    }

    fn len(&self) -> usize {
        self.0.len()
    }
}

#[test]
fn a_custom_buffer_decides_the_order() {
    on_each_executor(|| async {
        let queue = GenericQueue::with_buffer(2, Largest(vec![5]));
        assert_eq!(queue.qsize(), 1);
        queue.put(9).await.unwrap();
        assert!(queue.put_nowait(1).unwrap_err().is_full());
        assert_eq!(queue.get().await, Ok(9));
        assert_eq!(queue.get().await, Ok(5));
        // Items already in the buffer count as put: two task_done calls are owed.
        queue.task_done().unwrap();
        queue.task_done().unwrap();
        assert_eq!(queue.task_done(), Err(TaskDoneError));
    });
}

#[test]
fn every_public_type_is_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Queue<String>>();
    send_sync::<LifoQueue<String>>();
    send_sync::<PriorityQueue<String>>();
    send_sync::<QueueGet<'static, String>>();
    send_sync::<QueuePut<'static, String>>();
    send_sync::<QueueJoin<'static, String>>();
    send_sync::<QueueStream<'static, String>>();
    send_sync::<QueueGet<'static, String, Vec<String>>>();
    send_sync::<QueueFull<String>>();
    send_sync::<QueueShutDown<String>>();
    send_sync::<PutNowaitError<String>>();
    send_sync::<GetNowaitError>();
    send_sync::<QueueEmpty>();
    send_sync::<TaskDoneError>();
}

#[test]
fn errors_say_what_happened() {
    let queue = Queue::new(1);
    queue.put_nowait(1).unwrap();
    let full = queue.put_nowait(2).unwrap_err();
    assert!(full.to_string().contains("full"), "{full}");
    queue.shutdown(true);
    let shut = queue.put_nowait(3).unwrap_err();
    assert!(shut.to_string().contains("shut down"), "{shut}");
    assert_eq!(format!("{shut:?}"), "ShutDown(QueueShutDown { .. })");
    let empty_and_shut = queue.get_nowait().unwrap_err();
    assert!(empty_and_shut.to_string().contains("shut down"));
    assert!(QueueEmpty.to_string().contains("empty"));
    assert!(TaskDoneError
        .to_string()
        .contains("task_done() called more times"));
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(full);
    assert!(boxed.to_string().contains("full"));
}
