//! `Protocol` callbacks in asyncio's order, `close` flushing and `abort` dropping the write
//! buffer, and `Server::close` / `wait_closed` / `serve_forever`; on a current-thread loop and
//! on two workers.

#![cfg(feature = "scheduler")]

mod protocols_common;

use protocols_common::{
    bounded, folded, loops, pattern, read_to_end_or_reset, Echo, Log, Recorder,
};
use spindle::protocols::{LoopExt, Transport};
use spindle::Promise;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};

#[test]
fn server_side_order_made_data_eof_lost() {
    bounded(30, || {
        for (flavour, lp) in loops() {
            let log = Log::default();
            let lost = Promise::new();
            let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
            let server = lp
                .run_until_complete(lp.create_server(
                    {
                        let (log, lost, received) = (log.clone(), lost.clone(), received.clone());
                        move || {
                            let mut recorder = Recorder::new(&log, &lost, |_| {});
                            recorder.received = received.clone();
                            recorder
                        }
                    },
                    "127.0.0.1:0",
                ))
                .unwrap();
            let addr = server.local_addr();
            let client = std::thread::spawn(move || {
                let mut stream = TcpStream::connect(addr).unwrap();
                stream.write_all(b"hello ").unwrap();
                stream.write_all(b"world").unwrap();
                stream.shutdown(Shutdown::Write).unwrap();
                read_to_end_or_reset(stream)
            });
            let why = lp.run_until_complete(lost).unwrap();
            assert_eq!(why, "connection_lost(None)", "{flavour}");
            assert!(client.join().unwrap().is_empty(), "{flavour}");
            assert_eq!(
                folded(&log),
                [
                    "connection_made",
                    "data_received",
                    "eof_received",
                    "connection_lost(None)"
                ],
                "{flavour}"
            );
            assert_eq!(&received.lock().unwrap()[..], b"hello world", "{flavour}");
            server.close();
            lp.run_until_complete(server.wait_closed());
            lp.close();
        }
    });
}

#[test]
fn client_side_order_with_create_connection() {
    bounded(30, || {
        for (flavour, lp) in loops() {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let addr = listener.local_addr().unwrap();
            let peer = std::thread::spawn(move || {
                let (mut stream, _) = listener.accept().unwrap();
                let mut request = [0u8; 4];
                stream.read_exact(&mut request).unwrap();
                stream.write_all(b"pong").unwrap();
                stream.shutdown(Shutdown::Write).unwrap();
                request
            });
            let log = Log::default();
            let lost = Promise::new();
            let transport: Transport = lp
                .run_until_complete(lp.create_connection(
                    {
                        let (log, lost) = (log.clone(), lost.clone());
                        move || Recorder::new(&log, &lost, |_| {})
                    },
                    addr,
                ))
                .unwrap();
            // create_connection returns after connection_made.
            assert_eq!(folded(&log), ["connection_made"], "{flavour}");
            assert_eq!(transport.peername(), Some(addr));
            transport.write(b"ping");
            let why = lp.run_until_complete(lost).unwrap();
            assert_eq!(why, "connection_lost(None)", "{flavour}");
            assert_eq!(&peer.join().unwrap(), b"ping");
            assert_eq!(
                folded(&log),
                [
                    "connection_made",
                    "data_received",
                    "eof_received",
                    "connection_lost(None)"
                ],
                "{flavour}"
            );
            assert!(transport.is_closing());
            lp.close();
        }
    });
}

const ONE_MIB: usize = 1024 * 1024;

#[test]
fn close_flushes_pending_data_first() {
    bounded(30, || {
        for (flavour, lp) in loops() {
            let log = Log::default();
            let lost = Promise::new();
            let server = lp
                .run_until_complete(lp.create_server(
                    {
                        let (log, lost) = (log.clone(), lost.clone());
                        move || {
                            Recorder::new(&log, &lost, |transport| {
                                transport.write(&pattern(4 * ONE_MIB));
                                transport.close();
                                assert!(transport.is_closing());
                                transport.write(b"dropped: written after close");
                            })
                        }
                    },
                    "127.0.0.1:0",
                ))
                .unwrap();
            let addr = server.local_addr();
            let client =
                std::thread::spawn(move || read_to_end_or_reset(TcpStream::connect(addr).unwrap()));
            assert_eq!(
                lp.run_until_complete(lost).unwrap(),
                "connection_lost(None)"
            );
            let received = client.join().unwrap();
            assert_eq!(received.len(), 4 * ONE_MIB, "{flavour}");
            assert!(
                received == pattern(4 * ONE_MIB),
                "{flavour}: the data is intact"
            );
            server.close();
            lp.run_until_complete(server.wait_closed());
            lp.close();
        }
    });
}

#[test]
fn abort_drops_pending_data() {
    bounded(30, || {
        for (flavour, lp) in loops() {
            let log = Log::default();
            let lost = Promise::new();
            let server = lp
                .run_until_complete(lp.create_server(
                    {
                        let (log, lost) = (log.clone(), lost.clone());
                        move || {
                            Recorder::new(&log, &lost, |transport| {
                                transport.write(&pattern(8 * ONE_MIB));
                                assert_eq!(transport.get_write_buffer_size(), 8 * ONE_MIB);
                                transport.abort();
                                assert_eq!(transport.get_write_buffer_size(), 0);
                                assert!(transport.is_closing());
                            })
                        }
                    },
                    "127.0.0.1:0",
                ))
                .unwrap();
            let addr = server.local_addr();
            let client =
                std::thread::spawn(move || read_to_end_or_reset(TcpStream::connect(addr).unwrap()));
            assert_eq!(
                lp.run_until_complete(lost).unwrap(),
                "connection_lost(None)"
            );
            let received = client.join().unwrap();
            assert!(
                received.len() < 8 * ONE_MIB,
                "{flavour}: {} bytes",
                received.len()
            );
            assert_eq!(
                folded(&log),
                ["connection_made", "connection_lost(None)"],
                "{flavour}"
            );
            server.close();
            lp.run_until_complete(server.wait_closed());
            lp.close();
        }
    });
}

#[test]
fn server_close_stops_accepting_and_wait_closed_returns() {
    bounded(30, || {
        for (flavour, lp) in loops() {
            let server = lp
                .run_until_complete(lp.create_server(Echo::default, "127.0.0.1:0"))
                .unwrap();
            assert!(server.is_serving());
            let addr = server.local_addr();
            // One client is served (a round trip through the echo protocol)...
            let served = Promise::new();
            let client = std::thread::spawn({
                let served = served.clone();
                move || {
                    let mut stream = TcpStream::connect(addr).unwrap();
                    stream.write_all(b"abc").unwrap();
                    let mut reply = [0u8; 3];
                    stream.read_exact(&mut reply).unwrap();
                    served.set_result(()).unwrap();
                    reply
                }
            });
            let server2 = server.clone();
            lp.run_until_complete(async move {
                served.await.unwrap();
                // ... and has disconnected (the client thread drops its stream) when
                // wait_closed returns: it waits for the connections too.
                server2.close();
                assert!(!server2.is_serving());
                server2.wait_closed().await;
            });
            assert_eq!(&client.join().unwrap(), b"abc", "{flavour}");
            assert_eq!(server.active_connections(), 0);
            // The listening socket is closed: a new client is refused.
            let refused = TcpStream::connect(addr).map(|_| ()).unwrap_err();
            assert_eq!(
                refused.kind(),
                io::ErrorKind::ConnectionRefused,
                "{flavour}"
            );
            lp.close();
        }
    });
}

#[test]
fn serve_forever_returns_after_close_and_closes_when_cancelled() {
    bounded(30, || {
        for (flavour, lp) in loops() {
            lp.run_until_complete(async {
                let lp = spindle::EventLoop::current();
                let server = lp
                    .create_server(Echo::default, "127.0.0.1:0")
                    .await
                    .unwrap();
                let started = Promise::new();
                let serving = lp.spawn({
                    let (server, started) = (server.clone(), started.clone());
                    async move {
                        started.set_result(()).unwrap();
                        server.serve_forever().await
                    }
                });
                started.await.unwrap();
                server.close();
                serving.await.unwrap();
                server.wait_closed().await;

                // Cancelling the task that serves forever closes the server (asyncio).
                let server = lp
                    .create_server(Echo::default, "127.0.0.1:0")
                    .await
                    .unwrap();
                let started = Promise::new();
                let serving = lp.spawn({
                    let (server, started) = (server.clone(), started.clone());
                    async move {
                        started.set_result(()).unwrap();
                        server.serve_forever().await
                    }
                });
                started.await.unwrap();
                assert!(server.is_serving(), "{flavour}");
                serving.cancel();
                let _ = serving.await;
                server.wait_closed().await;
                assert!(!server.is_serving(), "{flavour}");
            });
            lp.close();
        }
    });
}
