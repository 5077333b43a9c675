//! A peer that resets the connection while the server writes: the protocol gets
//! `connection_lost(Some(err))`, and the server goes on serving others.

#![cfg(feature = "scheduler")]

mod protocols_common;

use protocols_common::{bounded, loops, lost_as_string};
use spindle::protocols::{LoopExt, Protocol, Transport};
use spindle::Promise;
use std::io::{self, Read, Write};
use std::net::TcpStream;

/// Echoes, except that `flood` makes it write far more than the socket buffers hold.
struct Flood {
    transport: Option<Transport>,
    lost: Promise<String>,
}

impl Protocol for Flood {
    fn connection_made(&mut self, transport: Transport) {
        self.transport = Some(transport);
    }

    fn data_received(&mut self, data: &[u8]) {
        let transport = self.transport.as_ref().unwrap();
        if data.starts_with(b"flood") {
            transport.write(&vec![b'x'; 32 * 1024 * 1024]);
        } else {
            transport.write(data);
        }
    }

    fn connection_lost(&mut self, error: Option<io::Error>) {
        let _ = self.lost.set_result(lost_as_string(&error));
    }
}

#[test]
fn reset_mid_write_is_connection_lost_with_the_error() {
    bounded(60, || {
        for (flavour, lp) in loops() {
            let flooded = Promise::new();
            let server = lp
                .run_until_complete(lp.create_server(
                    {
                        let flooded = flooded.clone();
                        move || Flood {
                            transport: None,
                            lost: flooded.clone(),
                        }
                    },
                    "127.0.0.1:0",
                ))
                .unwrap();
            let addr = server.local_addr();
            // The first client asks for the flood, reads a little of it and closes with unread
            // data, which makes the kernel send a reset.
            std::thread::spawn(move || {
                let mut stream = TcpStream::connect(addr).unwrap();
                stream.write_all(b"flood").unwrap();
                let mut some = [0u8; 1024];
                stream.read_exact(&mut some).unwrap();
                drop(stream);
            });
            let why = lp.run_until_complete(flooded).unwrap();
            assert!(
                why == "connection_lost(Some(ConnectionReset))"
                    || why == "connection_lost(Some(BrokenPipe))",
                "{flavour}: {why}"
            );
            // Another client is served as usual.
            let client = std::thread::spawn(move || {
                let mut stream = TcpStream::connect(addr).unwrap();
                stream.write_all(b"still here").unwrap();
                let mut reply = [0u8; 10];
                stream.read_exact(&mut reply).unwrap();
                reply
            });
            let reply = lp.run_until_complete(lp.run_in_executor(move || client.join().unwrap()));
            assert_eq!(&reply.unwrap(), b"still here", "{flavour}");
            server.close();
            lp.run_until_complete(server.wait_closed());
            lp.close();
        }
    });
}
