//! The writer's flow control: `drain` waits while the peer does not read, and a loop of
//! `write` + `drain` never queues more than the high mark plus one write.
//!
//! Over a Unix socket: its kernel buffers are a few hundred KiB, where loopback TCP may
//! autotune to tens of MiB and swallow the whole transfer without ever pushing back.

#![cfg(all(feature = "scheduler", feature = "sync"))]

use spindle::streams::{open_unix_connection, start_unix_server, DEFAULT_HIGH_WATER};
use spindle::sync::Event;
use spindle::EventLoop;
use std::future::{poll_fn, Future};
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};

const CHUNK: usize = 64 * 1024;
const TOTAL: usize = 10 * 1024 * 1024;

fn watchdog(what: &'static str) -> Arc<AtomicBool> {
    let done = Arc::new(AtomicBool::new(false));
    let seen = done.clone();
    std::thread::spawn(move || {
        let start = Instant::now();
        while !seen.load(Ordering::SeqCst) {
            if start.elapsed() > Duration::from_secs(60) {
                eprintln!("HANG: {what}");
                std::process::exit(3);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    done
}

async fn drain_waits_for_a_paused_reader() {
    let path = std::env::temp_dir().join(format!(
        "spindle-streams-flow-{}-{:?}.sock",
        std::process::id(),
        std::thread::current().id()
    ));
    let go = Arc::new(Event::new());
    let received = Arc::new(AtomicUsize::new(0));
    let (go_server, received_server) = (go.clone(), received.clone());
    // The peer: reads nothing until `go`, then everything.
    let server = start_unix_server(
        move |mut reader, writer| {
            let (go, received) = (go_server.clone(), received_server.clone());
            async move {
                go.wait().await;
                loop {
                    let data = reader.read(CHUNK).await.unwrap();
                    if data.is_empty() {
                        break;
                    }
                    assert!(data.iter().all(|&b| b == 0xAB));
                    received.fetch_add(data.len(), Ordering::SeqCst);
                }
                writer.close();
            }
        },
        &path,
    )
    .await
    .unwrap();

    let (_reader, writer) = open_unix_connection(&path).await.unwrap();
    let stalled = Arc::new(Event::new());
    let finished = Arc::new(AtomicBool::new(false));
    let (stalled_w, finished_w) = (stalled.clone(), finished.clone());
    let sender = spindle::spawn(async move {
        let chunk = vec![0xABu8; CHUNK];
        let mut largest_queue = 0;
        let mut waited = false;
        for _ in 0..TOTAL / CHUNK {
            writer.write(&chunk).unwrap();
            largest_queue = largest_queue.max(writer.get_write_buffer_size());
            // `drain`, noting whether it had to wait.
            let mut drain = pin!(writer.drain());
            let ready_at_once = poll_fn(|cx| Poll::Ready(drain.as_mut().poll(cx).is_ready())).await;
            if !ready_at_once {
                waited = true;
                stalled_w.set();
                drain.await.unwrap();
            }
        }
        finished_w.store(true, Ordering::SeqCst);
        stalled_w.set();
        writer.close();
        writer.wait_closed().await.unwrap();
        (largest_queue, waited)
    });

    stalled.wait().await;
    // The writer waits in `drain`; with the peer not reading it cannot get further.
    assert!(
        !finished.load(Ordering::SeqCst),
        "10 MiB went through a peer that reads nothing"
    );
    spindle::sleep(Duration::from_millis(20)).await;
    assert!(!finished.load(Ordering::SeqCst));
    assert!(received.load(Ordering::SeqCst) == 0);
    go.set();
    let (largest_queue, waited) = sender.await.unwrap();
    assert!(waited);
    assert!(
        largest_queue <= DEFAULT_HIGH_WATER + CHUNK,
        "queue reached {largest_queue} bytes"
    );
    server.close();
    server.wait_closed().await;
    assert_eq!(received.load(Ordering::SeqCst), TOTAL);
}

#[test]
fn drain_waits_while_the_peer_does_not_read_current_thread() {
    let done = watchdog("drain on current-thread");
    let lp = EventLoop::builder().current_thread().build().unwrap();
    lp.run_until_complete(drain_waits_for_a_paused_reader());
    lp.close();
    done.store(true, Ordering::SeqCst);
}

#[test]
fn drain_waits_while_the_peer_does_not_read_two_workers() {
    let done = watchdog("drain on 2 workers");
    let lp = EventLoop::builder().worker_threads(2).build().unwrap();
    lp.run_until_complete(drain_waits_for_a_paused_reader());
    lp.close();
    done.store(true, Ordering::SeqCst);
}

#[test]
fn write_buffer_limits() {
    let done = watchdog("limits");
    let lp = EventLoop::builder().current_thread().build().unwrap();
    lp.run_until_complete(async {
        let path = std::env::temp_dir().join(format!(
            "spindle-streams-limits-{}.sock",
            std::process::id()
        ));
        let server = start_unix_server(|_r, _w| async {}, &path).await.unwrap();
        let (_reader, writer) = open_unix_connection(&path).await.unwrap();
        assert_eq!(writer.get_write_buffer_limits(), (16 * 1024, 64 * 1024));
        writer.set_write_buffer_limits(1000, 100).unwrap();
        assert_eq!(writer.get_write_buffer_limits(), (100, 1000));
        assert!(writer.set_write_buffer_limits(10, 100).is_err());
        writer.close();
        server.close();
        server.wait_closed().await;
    });
    lp.close();
    done.store(true, Ordering::SeqCst);
}
