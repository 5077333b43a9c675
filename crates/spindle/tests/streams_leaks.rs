//! 10 000 connections opened and closed through `start_server` leave no descriptor and no
//! task behind. Alone in its file: the descriptor count is the process's, so no other test
//! may open sockets meanwhile.

#![cfg(feature = "scheduler")]

use spindle::streams::{open_connection, start_server};
use spindle::EventLoop;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CONNECTIONS: usize = 10_000;
/// Clients at once: enough to keep both workers busy, far below the descriptor limit.
const BATCH: usize = 50;

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

#[test]
fn ten_thousand_connections_leave_no_fd_and_no_task() {
    let done = Arc::new(AtomicBool::new(false));
    let seen = done.clone();
    std::thread::spawn(move || {
        let start = Instant::now();
        while !seen.load(Ordering::SeqCst) {
            if start.elapsed() > Duration::from_secs(120) {
                eprintln!("HANG: 10 000 connections");
                std::process::exit(3);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    });

    let lp = EventLoop::builder().worker_threads(2).build().unwrap();
    let fds_before = lp.run_until_complete(async { open_fds() });
    let handle = lp.clone();
    let (served, tasks_left, fds_after) = lp.run_until_complete(async move {
        let server = start_server(
            |mut reader, writer| async move {
                let line = reader.readline().await.unwrap();
                writer.write(&line).unwrap();
                writer.drain().await.unwrap();
                // Wait for the client to hang up.
                assert!(reader.read(1).await.unwrap().is_empty());
            },
            "127.0.0.1:0",
        )
        .await
        .unwrap();
        let addr = server.local_addr().unwrap();
        let mut served = 0;
        for batch in 0..CONNECTIONS / BATCH {
            let clients: Vec<_> = (0..BATCH)
                .map(|i| {
                    spindle::spawn(async move {
                        let (mut reader, writer) = open_connection(addr).await.unwrap();
                        let line = format!("client {batch} {i}\n");
                        writer.write(line.as_bytes()).unwrap();
                        assert_eq!(reader.readline().await.unwrap(), line.as_bytes());
                        writer.close();
                        writer.wait_closed().await.unwrap();
                    })
                })
                .collect();
            for client in clients {
                client.await.unwrap();
                served += 1;
            }
        }
        server.close();
        server.wait_closed().await;
        // `wait_closed` returns once every callback has returned; the tasks that ran them
        // are marked done a moment later, on their worker. Let those few moments pass.
        for round in 0..1_000 {
            if handle.all_tasks().is_empty() {
                eprintln!("no task left after {round} pause(s)");
                break;
            }
            spindle::sleep(Duration::from_millis(1)).await;
        }
        let left: Vec<String> = handle
            .all_tasks()
            .iter()
            .map(|t| format!("{t:?}"))
            .collect();
        (served, left.len(), open_fds())
    });
    assert_eq!(served, CONNECTIONS);
    assert_eq!(tasks_left, 0, "tasks left behind");
    assert_eq!(fds_after, fds_before, "descriptors left behind");
    lp.close();
    done.store(true, Ordering::SeqCst);
}
