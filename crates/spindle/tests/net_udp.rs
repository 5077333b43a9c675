//! `net::UdpSocket` on a current-thread loop and on two workers: `send_to`/`recv_from`, and
//! `connect`ed `send`/`recv`. Loopback only.

#![cfg(feature = "scheduler")]

mod net_common;

use net_common::{bounded, loops};
use spindle::net::UdpSocket;
use std::io;

#[test]
fn send_to_and_recv_from_round_trip() {
    bounded(30, || {
        for (flavour, lp) in loops() {
            let result = lp.run_until_complete(async {
                let a = UdpSocket::bind("127.0.0.1:0")?;
                let b = UdpSocket::bind("127.0.0.1:0")?;
                let (a_addr, b_addr) = (a.local_addr()?, b.local_addr()?);
                // `b` answers in a task of its own, so the receive waits on the driver.
                let responder = spindle::spawn(async move {
                    let mut buf = [0u8; 64];
                    let (n, from) = b.recv_from(&mut buf).await?;
                    b.send_to(&buf[..n], from).await?;
                    io::Result::Ok(from)
                });
                assert_eq!(a.send_to(b"datagram", b_addr).await?, 8);
                let mut buf = [0u8; 64];
                let (n, from) = a.recv_from(&mut buf).await?;
                assert_eq!(&buf[..n], b"datagram");
                assert_eq!(from, b_addr);
                assert_eq!(responder.await.unwrap()?, a_addr);
                io::Result::Ok(())
            });
            result.unwrap_or_else(|e| panic!("{flavour}: {e}"));
            lp.close();
        }
    });
}

#[test]
fn connected_send_and_recv() {
    bounded(30, || {
        for (flavour, lp) in loops() {
            let result = lp.run_until_complete(async {
                let a = UdpSocket::bind("127.0.0.1:0")?;
                let b = UdpSocket::bind("127.0.0.1:0")?;
                assert_eq!(
                    a.peer_addr().unwrap_err().kind(),
                    io::ErrorKind::NotConnected
                );
                a.connect(b.local_addr()?)?;
                b.connect(a.local_addr()?)?;
                assert_eq!(a.peer_addr()?, b.local_addr()?);
                for i in 0..100u8 {
                    a.send(&[i; 3]).await?;
                    let mut buf = [0u8; 8];
                    let n = b.recv(&mut buf).await?;
                    assert_eq!(&buf[..n], &[i; 3]);
                }
                let mut buf = [0u8; 8];
                b.send(b"peek").await?;
                let (n, _) = a.peek_from(&mut buf).await?;
                assert_eq!(&buf[..n], b"peek");
                assert_eq!(a.recv(&mut buf).await?, 4);
                io::Result::Ok(())
            });
            result.unwrap_or_else(|e| panic!("{flavour}: {e}"));
            lp.close();
        }
    });
}

#[test]
fn send_to_a_bad_address_is_an_error() {
    bounded(30, || {
        for (flavour, lp) in loops() {
            let error = lp
                .run_until_complete(async {
                    let a = UdpSocket::bind("127.0.0.1:0")?;
                    a.send_to(b"x", "not an address").await
                })
                .unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::InvalidInput, "{flavour}");
            lp.close();
        }
    });
}
