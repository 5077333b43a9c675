//! Write buffering and asyncio's flow control: a client sends 10 MiB to an echo protocol
//! without reading the replies; the server's write buffer crosses the high-water mark, the
//! protocol's `pause_writing` pauses reading (so the buffer stays bounded and TCP slows the
//! client down), and once the client reads, `resume_writing` comes and everything arrives.

#![cfg(feature = "scheduler")]

mod protocols_common;

use protocols_common::{bounded, loops, pattern, read_to_end_or_reset};
use spindle::protocols::{LoopExt, Protocol, Transport, DEFAULT_HIGH_WATER};
use std::io::Write;
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

const TOTAL: usize = 10 * 1024 * 1024;
/// The most one read hands to `data_received` (see the `protocols` module docs).
const READ_CHUNK: usize = 64 * 1024;

#[derive(Default)]
struct Stats {
    pauses: AtomicUsize,
    resumes: AtomicUsize,
    max_buffer: AtomicUsize,
}

/// asyncio's echo protocol, plus the flow control asyncio's streams do: stop reading while the
/// transport asks us to stop writing.
struct PausingEcho {
    transport: Option<Transport>,
    stats: Arc<Stats>,
    paused: Arc<Mutex<Option<mpsc::Sender<()>>>>,
}

impl Protocol for PausingEcho {
    fn connection_made(&mut self, transport: Transport) {
        assert_eq!(transport.get_write_buffer_limits(), (16 * 1024, 64 * 1024));
        self.transport = Some(transport);
    }

    fn data_received(&mut self, data: &[u8]) {
        let transport = self.transport.as_ref().unwrap();
        assert!(transport.is_reading(), "no data while reading is paused");
        transport.write(data);
        self.stats
            .max_buffer
            .fetch_max(transport.get_write_buffer_size(), SeqCst);
    }

    fn pause_writing(&mut self) {
        let transport = self.transport.as_ref().unwrap();
        assert!(transport.get_write_buffer_size() > DEFAULT_HIGH_WATER);
        self.stats.pauses.fetch_add(1, SeqCst);
        transport.pause_reading();
        if let Some(tx) = self.paused.lock().unwrap().take() {
            let _ = tx.send(());
        }
    }

    fn resume_writing(&mut self) {
        let transport = self.transport.as_ref().unwrap();
        assert!(transport.get_write_buffer_size() <= 16 * 1024);
        self.stats.resumes.fetch_add(1, SeqCst);
        transport.resume_reading();
    }
}

#[test]
fn ten_mib_unread_pauses_writing_and_bounds_the_buffer() {
    bounded(120, || {
        for (flavour, lp) in loops() {
            let stats = Arc::new(Stats::default());
            let (paused_tx, paused_rx) = mpsc::channel();
            let paused = Arc::new(Mutex::new(Some(paused_tx)));
            let server = lp
                .run_until_complete(lp.create_server(
                    {
                        let (stats, paused) = (stats.clone(), paused.clone());
                        move || PausingEcho {
                            transport: None,
                            stats: stats.clone(),
                            paused: paused.clone(),
                        }
                    },
                    "127.0.0.1:0",
                ))
                .unwrap();
            let addr = server.local_addr();
            let client = std::thread::spawn(move || {
                let stream = TcpStream::connect(addr).unwrap();
                let mut writer = stream.try_clone().unwrap();
                let sender = std::thread::spawn(move || {
                    writer.write_all(&pattern(TOTAL)).unwrap();
                    writer.shutdown(Shutdown::Write).unwrap();
                });
                // Read nothing until the server paused (or, if it never does, until the wait
                // gives up: the assertion on `pauses` below then says what went wrong).
                let _ = paused_rx.recv_timeout(Duration::from_secs(30));
                let echoed = read_to_end_or_reset(stream);
                sender.join().unwrap();
                echoed
            });
            let echoed = lp.run_until_complete(lp.run_in_executor(move || client.join().unwrap()));
            let echoed = echoed.unwrap();
            assert_eq!(echoed.len(), TOTAL, "{flavour}");
            assert!(echoed == pattern(TOTAL), "{flavour}: the echo is intact");
            assert!(stats.pauses.load(SeqCst) >= 1, "{flavour}: pause_writing");
            assert!(stats.resumes.load(SeqCst) >= 1, "{flavour}: resume_writing");
            let max = stats.max_buffer.load(SeqCst);
            assert!(
                max <= DEFAULT_HIGH_WATER + READ_CHUNK,
                "{flavour}: the write buffer reached {max} bytes"
            );
            server.close();
            lp.run_until_complete(server.wait_closed());
            lp.close();
        }
    });
}
