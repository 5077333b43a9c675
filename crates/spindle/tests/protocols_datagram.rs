//! UDP endpoints: a datagram echo round trip through `create_datagram_endpoint`, on a
//! current-thread loop and on two workers.

#![cfg(feature = "scheduler")]

mod protocols_common;

use protocols_common::{bounded, loops};
use spindle::protocols::{DatagramProtocol, DatagramTransport, LoopExt};
use spindle::Promise;
use std::io;
use std::net::SocketAddr;

/// Sends every datagram back to where it came from.
struct EchoDatagrams(Option<DatagramTransport>);

impl DatagramProtocol for EchoDatagrams {
    fn connection_made(&mut self, transport: DatagramTransport) {
        self.0 = Some(transport);
    }

    fn datagram_received(&mut self, data: &[u8], addr: SocketAddr) {
        self.0.as_ref().unwrap().sendto(data, Some(addr));
    }
}

/// Keeps the first datagram and says when the endpoint closed.
struct Client {
    first: Promise<(Vec<u8>, SocketAddr)>,
    lost: Promise<bool>,
}

impl DatagramProtocol for Client {
    fn datagram_received(&mut self, data: &[u8], addr: SocketAddr) {
        let _ = self.first.set_result((data.to_vec(), addr));
    }

    fn connection_lost(&mut self, error: Option<io::Error>) {
        let _ = self.lost.set_result(error.is_none());
    }
}

#[test]
fn datagram_echo_round_trip() {
    bounded(30, || {
        for (flavour, lp) in loops() {
            lp.run_until_complete(async {
                let lp = spindle::EventLoop::current();
                let server = lp
                    .create_datagram_endpoint(
                        || EchoDatagrams(None),
                        Some("127.0.0.1:0".parse().unwrap()),
                        None,
                    )
                    .await
                    .unwrap();
                let server_addr = server.sockname().unwrap();
                let (first, lost) = (Promise::new(), Promise::new());
                let client = lp
                    .create_datagram_endpoint(
                        {
                            let (first, lost) = (first.clone(), lost.clone());
                            move || Client { first, lost }
                        },
                        None,
                        Some(server_addr),
                    )
                    .await
                    .unwrap();
                assert_eq!(client.peername(), Some(server_addr));
                client.sendto(b"ping", None);
                let (data, from) = first.await.unwrap();
                assert_eq!(&data, b"ping", "{flavour}");
                assert_eq!(from, server_addr, "{flavour}");
                client.close();
                assert!(lost.await.unwrap(), "{flavour}: connection_lost(None)");
                assert!(client.is_closing());
                server.close();
            });
            lp.close();
        }
    });
}

#[test]
fn an_endpoint_needs_an_address() {
    let lp = spindle::EventLoop::builder()
        .current_thread()
        .build()
        .unwrap();
    let error = lp
        .run_until_complete(lp.create_datagram_endpoint(|| EchoDatagrams(None), None, None))
        .unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
    lp.close();
}
