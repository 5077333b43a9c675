//! Faults the socket types must survive, on a current-thread loop and on two workers: a peer
//! that resets mid-write, 10,000 connections that must leave no fd and no driver source
//! behind, and `accept` when the process is out of file descriptors (`EMFILE`), with recovery.
//!
//! The fd-counting tests run in a child process (this test binary, re-executed with
//! `CHILD_ENV` set to the loop flavour): `/proc/self/fd` counts every fd of the process, so
//! tests running beside them would skew it, and the lowered fd limit must not reach them.

#![cfg(feature = "scheduler")]

mod net_common;

use net_common::{bounded, echo, loops, spawn_echo_server};
use spindle::net::{TcpListener, TcpStream};
use spindle::EventLoop;
use std::io;
use std::net::Shutdown;
use std::time::Duration;

/// The peer (the server side here) reads a little, then closes with `SO_LINGER` 0, which
/// resets the connection: the client's `write_all` of more than the socket buffers hold fails
/// with `ConnectionReset` or `BrokenPipe` (which one depends on when the RST lands), and a
/// second connection on the same loop keeps working.
#[test]
fn a_peer_that_resets_mid_write_is_an_error_and_nothing_else_breaks() {
    bounded(60, || {
        for (flavour, lp) in loops() {
            let echo_addr = spawn_echo_server(&lp);
            let listener = lp
                .run_until_complete(async { TcpListener::bind("127.0.0.1:0") })
                .unwrap();
            let reset_addr = listener.local_addr().unwrap();
            let resetter = lp.spawn(async move {
                let (stream, _) = listener.accept().await?;
                let mut some = [0u8; 1024];
                stream.read_exact(&mut some).await?;
                stream.set_linger(Some(Duration::ZERO))?;
                assert_eq!(stream.linger()?, Some(Duration::ZERO));
                drop(stream); // RST
                io::Result::Ok(())
            });
            let result = lp.run_until_complete(async move {
                let bystander = TcpStream::connect(echo_addr).await?;
                let victim = TcpStream::connect(reset_addr).await?;
                // 64 MiB: far more than the two socket buffers hold, so the write is still
                // going on when the reset arrives.
                let big = vec![7u8; 64 << 20];
                let error = victim.write_all(&big).await.unwrap_err();
                // Reads on the reset connection fail too (or see end of file), without hanging.
                let mut buf = [0u8; 16];
                let _ = victim.read(&mut buf).await;
                // The other connection, and new ones, are unaffected.
                bystander.write_all(b"still here").await?;
                let mut back = [0u8; 10];
                bystander.read_exact(&mut back).await?;
                assert_eq!(&back, b"still here");
                let fresh = TcpStream::connect(echo_addr).await?;
                fresh.write_all(b"new").await?;
                let mut back = [0u8; 3];
                fresh.read_exact(&mut back).await?;
                io::Result::Ok(error)
            });
            let error = result.unwrap_or_else(|e| panic!("{flavour}: {e}"));
            assert!(
                matches!(
                    error.kind(),
                    io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe
                ),
                "{flavour}: {error:?}"
            );
            lp.run_until_complete(resetter).unwrap().unwrap();
            lp.close();
        }
    });
}

/// Set in a child process to the flavour it must run (see the module docs).
const CHILD_ENV: &str = "SPINDLE_NET_FAULTS_CHILD";

/// Runs `test` (this binary's test of that name) in a child process for each loop flavour,
/// under `ulimit -n nofile` when given, and fails with its output if it fails.
#[cfg(target_os = "linux")]
fn run_in_children(test: &str, nofile: Option<u32>) {
    for flavour in ["current-thread", "2 workers"] {
        let exe = std::env::current_exe().unwrap();
        let mut command = match nofile {
            // The shell lowers the limit for itself and what it execs: the child alone.
            Some(limit) => {
                let mut sh = std::process::Command::new("sh");
                sh.arg("-c")
                    .arg(format!("ulimit -n {limit} && exec \"$0\" \"$@\""))
                    .arg(&exe);
                sh
            }
            None => std::process::Command::new(&exe),
        };
        let output = command
            .args([test, "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, flavour)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success() && stdout.contains("1 passed"),
            "{test} ({flavour}) failed in its child process:\n{stdout}\n{stderr}"
        );
    }
}

#[cfg(target_os = "linux")]
fn child_loop(flavour: &str) -> EventLoop {
    let builder = EventLoop::builder();
    match flavour {
        "current-thread" => builder.current_thread().build().unwrap(),
        _ => builder.worker_threads(2).build().unwrap(),
    }
}

#[cfg(target_os = "linux")]
fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// 10,000 connections, 100 at a time, each an echo of one byte and an orderly close: after
/// them the process has the fds it had before, and the driver the sources.
#[cfg(target_os = "linux")]
#[test]
fn ten_thousand_connections_leave_no_fd_behind() {
    let Ok(flavour) = std::env::var(CHILD_ENV) else {
        return bounded(300, || {
            run_in_children("ten_thousand_connections_leave_no_fd_behind", None)
        });
    };
    const BATCHES: usize = 100;
    const PER_BATCH: usize = 100;
    let lp = child_loop(&flavour);
    let fds_before = open_fds();
    let sources_before = lp.driver().io_source_count();
    let result = lp.run_until_complete(async {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let server = spindle::spawn(async move {
            for _ in 0..BATCHES * PER_BATCH {
                let (stream, _) = listener.accept().await?;
                spindle::spawn(async move {
                    let _ = echo(stream).await;
                });
            }
            io::Result::Ok(())
        });
        for _ in 0..BATCHES {
            let clients: Vec<_> = (0..PER_BATCH as u8)
                .map(|i| {
                    spindle::spawn(async move {
                        let client = TcpStream::connect(addr).await?;
                        client.write_all(&[i]).await?;
                        let mut back = [0u8; 1];
                        client.read_exact(&mut back).await?;
                        assert_eq!(back, [i]);
                        // Close in order: the server sees end of file and closes its side
                        // before this read sees end of file in turn.
                        client.shutdown(Shutdown::Write)?;
                        assert_eq!(client.read(&mut back).await?, 0);
                        io::Result::Ok(())
                    })
                })
                .collect();
            for client in clients {
                client.await.unwrap()?;
            }
        }
        server.await.unwrap()
    });
    result.unwrap_or_else(|e| panic!("{flavour}: {e}"));
    assert_eq!(lp.driver().io_source_count(), sources_before, "{flavour}");
    assert_eq!(open_fds(), fds_before, "{flavour}");
    lp.close();
}

/// The fd limit of the child; far above what a loop and the test harness need (about a dozen)
/// and low enough that filling the table takes a few dozen connections.
#[cfg(target_os = "linux")]
const NOFILE: u32 = 64;

/// `EMFILE` on Linux.
#[cfg(target_os = "linux")]
const EMFILE: i32 = 24;

/// Under a low fd limit: clients fill the fd table (their own connect fails with `EMFILE`),
/// so `accept` has no fd for a queued connection and returns `EMFILE` at once, again and again
/// (it must not spin, or the watchdog fails the test); once two clients close, `accept` takes
/// the queued connections again and they work.
#[cfg(target_os = "linux")]
#[test]
fn accept_returns_emfile_and_recovers() {
    let Ok(flavour) = std::env::var(CHILD_ENV) else {
        return bounded(120, || {
            run_in_children("accept_returns_emfile_and_recovers", Some(NOFILE))
        });
    };
    let lp = child_loop(&flavour);
    let result = lp.run_until_complete(async {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let mut clients = Vec::new();
        let full = loop {
            match TcpStream::connect(addr).await {
                Ok(client) => clients.push(client),
                Err(error) => break error,
            }
            assert!(
                clients.len() <= NOFILE as usize,
                "the fd limit did not apply"
            );
        };
        assert_eq!(full.raw_os_error(), Some(EMFILE), "{full:?}");
        for _ in 0..3 {
            let error = listener.accept().await.unwrap_err();
            assert_eq!(error.raw_os_error(), Some(EMFILE), "{error:?}");
        }
        // Free two fds: the next two queued connections (the oldest, the accept queue is
        // first in, first out) can be taken, and the first works end to end.
        drop(clients.pop());
        drop(clients.pop());
        let (first, peer) = listener.accept().await?;
        assert_eq!(peer, clients[0].local_addr()?);
        let (_second, _) = listener.accept().await?;
        assert_eq!(
            listener.accept().await.unwrap_err().raw_os_error(),
            Some(EMFILE),
            "the table is full again"
        );
        first.write_all(b"recovered").await?;
        let mut back = [0u8; 9];
        clients[0].read_exact(&mut back).await?;
        assert_eq!(&back, b"recovered");
        io::Result::Ok(clients.len())
    });
    let clients = result.unwrap_or_else(|e| panic!("{flavour}: {e}"));
    assert!(clients > 2, "{flavour}: only {clients} clients fitted");
    lp.close();
}

/// An echo protocol for the server back-off test.
#[cfg(target_os = "linux")]
#[derive(Default)]
struct EchoProtocol(Option<spindle::protocols::Transport>);

#[cfg(target_os = "linux")]
impl spindle::protocols::Protocol for EchoProtocol {
    fn connection_made(&mut self, transport: spindle::protocols::Transport) {
        self.0 = Some(transport);
    }
    fn data_received(&mut self, data: &[u8]) {
        if let Some(transport) = &self.0 {
            transport.write(data);
        }
    }
}

/// `create_server`'s accept loop under `EMFILE`: it reports the error to the loop's exception
/// handler and backs off instead of spinning or dying, and serves the queued clients once fds
/// are free again.
///
/// Deterministic because spindle's loop runs only inside `run_*`: the clients fill the fd table
/// while the loop is stopped (their connections queue in the listener's backlog, nobody accepts),
/// so the first accept after the loop starts has no fd and gets `EMFILE`.
#[cfg(target_os = "linux")]
#[test]
fn the_server_backs_off_on_emfile_and_serves_queued_clients() {
    use spindle::protocols::LoopExt;
    use std::io::{Read, Write};
    use std::sync::{Arc, Mutex};

    let Ok(flavour) = std::env::var(CHILD_ENV) else {
        return bounded(120, || {
            run_in_children(
                "the_server_backs_off_on_emfile_and_serves_queued_clients",
                Some(NOFILE),
            )
        });
    };
    let reports = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = reports.clone();
    let builder = EventLoop::builder().exception_handler(move |cx| {
        sink.lock().unwrap().push(cx.to_string());
    });
    let lp = match flavour.as_str() {
        "current-thread" => builder.current_thread().build().unwrap(),
        _ => builder.worker_threads(2).build().unwrap(),
    };
    let server = lp
        .run_until_complete(lp.create_server(EchoProtocol::default, "127.0.0.1:0"))
        .unwrap();
    let addr = server.local_addr();

    // The loop is stopped: fill the fd table with queued client connections.
    let mut clients = Vec::new();
    loop {
        match std::net::TcpStream::connect(addr) {
            Ok(client) => clients.push(client),
            Err(e) if e.raw_os_error() == Some(EMFILE) => break,
            Err(e) => panic!("{flavour}: unexpected connect error {e}"),
        }
    }
    assert!(
        clients.len() > 8,
        "{flavour}: only {} clients fit",
        clients.len()
    );

    let runner = {
        let lp = lp.clone();
        std::thread::spawn(move || lp.run_forever())
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !reports
        .lock()
        .unwrap()
        .iter()
        .any(|r| r.contains("Too many open files"))
    {
        assert!(
            std::time::Instant::now() < deadline,
            "{flavour}: EMFILE never reported"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    // Free fds: the newest clients go; the oldest queued one must now be served.
    clients.truncate(clients.len() - 8);
    let oldest = &mut clients[0];
    oldest
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    oldest.write_all(b"ping").unwrap();
    let mut back = [0u8; 4];
    oldest.read_exact(&mut back).unwrap();
    assert_eq!(&back, b"ping", "{flavour}");
    // Backing off, not spinning: a handful of reports, not thousands.
    let reported = reports.lock().unwrap().len();
    assert!(
        reported < 100,
        "{flavour}: {reported} reports: the accept loop spins"
    );

    lp.stop();
    runner.join().unwrap();
    drop(clients);
    lp.close();
}
