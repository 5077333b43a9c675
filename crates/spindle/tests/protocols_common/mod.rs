//! Shared by the `protocols_*` tests: the loop flavours, a watchdog, and small protocols that
//! record what happens to them.

#![allow(dead_code)]

use spindle::protocols::{Protocol, Transport};
use spindle::{EventLoop, Promise};
use std::io::{self, Read};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

/// Every flavour the behaviour must hold on.
pub fn loops() -> Vec<(&'static str, EventLoop)> {
    vec![
        (
            "current-thread",
            EventLoop::builder().current_thread().build().unwrap(),
        ),
        (
            "2 workers",
            EventLoop::builder().worker_threads(2).build().unwrap(),
        ),
    ]
}

/// Runs `f` on another thread and fails if it takes longer than `secs`: a hang is a failure,
/// not a stuck CI job. Nothing is asserted about time otherwise.
pub fn bounded(secs: u64, f: impl FnOnce() + Send + 'static) {
    let (tx, rx) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        f();
        let _ = tx.send(());
    });
    match rx.recv_timeout(Duration::from_secs(secs)) {
        Ok(()) => worker.join().unwrap(),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            if let Err(panic) = worker.join() {
                std::panic::resume_unwind(panic)
            }
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("did not finish within {secs} s"),
    }
}

/// A shared log of callbacks.
pub type Log = Arc<Mutex<Vec<String>>>;

/// `connection_lost`'s argument, as a string: `None` or the error's kind.
pub fn lost_as_string(error: &Option<io::Error>) -> String {
    match error {
        None => "connection_lost(None)".to_string(),
        Some(error) => format!("connection_lost(Some({:?}))", error.kind()),
    }
}

/// Records every callback in `log`, keeps the bytes it received, and resolves `lost` with
/// `connection_lost`'s argument. `on_made` runs in `connection_made` (writes, close, ...).
pub struct Recorder {
    pub log: Log,
    pub received: Arc<Mutex<Vec<u8>>>,
    pub lost: Promise<String>,
    pub on_made: fn(&Transport),
    pub transport: Option<Transport>,
}

impl Recorder {
    pub fn new(log: &Log, lost: &Promise<String>, on_made: fn(&Transport)) -> Recorder {
        Recorder {
            log: log.clone(),
            received: Arc::default(),
            lost: lost.clone(),
            on_made,
            transport: None,
        }
    }

    fn push(&self, event: &str) {
        self.log.lock().unwrap().push(event.to_string());
    }
}

impl Protocol for Recorder {
    fn connection_made(&mut self, transport: Transport) {
        self.push("connection_made");
        (self.on_made)(&transport);
        self.transport = Some(transport);
    }

    fn data_received(&mut self, data: &[u8]) {
        self.push("data_received");
        self.received.lock().unwrap().extend_from_slice(data);
    }

    fn eof_received(&mut self) -> bool {
        self.push("eof_received");
        false
    }

    fn connection_lost(&mut self, error: Option<io::Error>) {
        let event = lost_as_string(&error);
        self.push(&event);
        let _ = self.lost.set_result(event);
    }

    fn pause_writing(&mut self) {
        self.push("pause_writing");
    }

    fn resume_writing(&mut self) {
        self.push("resume_writing");
    }
}

/// The log with consecutive repeats folded (`data_received` may come in any number of pieces).
pub fn folded(log: &Log) -> Vec<String> {
    let mut events = log.lock().unwrap().clone();
    events.dedup();
    events
}

/// asyncio's echo protocol.
#[derive(Default)]
pub struct Echo(pub Option<Transport>);

impl Protocol for Echo {
    fn connection_made(&mut self, transport: Transport) {
        self.0 = Some(transport);
    }

    fn data_received(&mut self, data: &[u8]) {
        self.0.as_ref().unwrap().write(data);
    }
}

/// Reads until EOF; a reset ends the read too (what arrived before it counts).
pub fn read_to_end_or_reset(mut stream: impl Read) -> Vec<u8> {
    let mut received = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return received,
            Ok(n) => received.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return received,
        }
    }
}

/// `len` bytes of a pattern that shows reordering or loss.
pub fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}
