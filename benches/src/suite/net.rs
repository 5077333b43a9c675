//! `tcp_echo` on every runtime of the suite, current-thread flavours included: the futures of
//! [`crate::net::tcp_echo`] run on the runtime's own spawner.
//!
//! An echo server on loopback and `connections` client tasks that each connect and make
//! `round_trips` round trips of [`MESSAGE`] bytes (write, then read exactly as many back);
//! timed from the first client spawned to the last one done. spindle: `spindle::streams`;
//! tokio: `tokio::net`; smol: `smol::net` (`async-io`). Every socket has `TCP_NODELAY`.

use super::Peer;
use crate::Runtime;

pub use crate::net::tcp_echo::{smol_echo, spindle_echo, tokio_echo, MESSAGE};

/// One iteration of `tcp_echo` on `rt`; thousands of round trips per second.
pub fn tcp_echo<R: Runtime>(rt: &R, connections: usize, round_trips: usize) -> f64
where
    R::Spawner: Peer,
{
    let spawner = rt.spawner();
    let elapsed = rt.block_on(spawner.tcp_echo(connections, round_trips));
    (connections * round_trips) as f64 / elapsed.as_secs_f64() / 1e3
}
