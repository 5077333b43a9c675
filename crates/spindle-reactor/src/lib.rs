//! The parking and timer half of spindle's I/O driver.
//!
//! A [`Driver`] owns an OS poller (epoll on Linux, `polling` elsewhere) and the timers (a
//! heap per shard, one shard per thread that arms timers, up to a fixed number). One
//! thread at a time takes the right to block on the poller
//! ([`Driver::try_lock`] → [`DriverGuard`]) and [`park`](DriverGuard::park)s
//! until I/O, a [`notify`](Driver::notify) from another thread, or the next
//! timer; then it fires the timers that are due. Any thread may register
//! timers ([`Driver::wake_at`], [`Sleep`]) or fire due ones
//! ([`Driver::fire_due`]) without the guard.
//!
//! # Map
//!
//! - `driver`: [`Driver`], [`DriverGuard`]; the park protocol.
//! - `timer`: the timer heap, the shards and the park protocol, [`Sleep`].
//! - `backend`: the poller behind one small interface (OS, or a loom model).
//! - [`io`]: [`io::Async`], any non-blocking fd as a future-friendly source,
//!   registered with the driver's poller edge-triggered.
//! - [`net`]: `TcpListener`, `TcpStream`, `UdpSocket`, `UnixListener`, `UnixStream` over
//!   [`io::Async`], with a `connect` that does not block.
//! - [`context`]: the driver of the loop running on this thread, for
//!   [`Sleep::until`].
//! - `loom`: the `std`/`loom` switch for every lock and atomic.
//!
//! Sockets will register with the backend through the driver; the driver
//! already counts registered I/O sources so a zero-timeout park can skip the
//! syscall while there are none.
//!
//! # Example
//!
//! ```
//! use std::sync::atomic::{AtomicBool, Ordering};
//! use std::sync::Arc;
//! use std::task::{Wake, Waker};
//! use std::time::{Duration, Instant};
//!
//! use spindle_reactor::Driver;
//!
//! struct Flag(AtomicBool);
//! impl Wake for Flag {
//!     fn wake(self: Arc<Self>) {
//!         self.0.store(true, Ordering::SeqCst);
//!     }
//! }
//!
//! let driver = Driver::new()?;
//! let flag = Arc::new(Flag(AtomicBool::new(false)));
//! let deadline = Instant::now() + Duration::from_millis(5);
//! driver.wake_at(deadline, Waker::from(flag.clone()));
//!
//! let mut guard = driver.try_lock().expect("no other thread holds the driver");
//! while !flag.0.load(Ordering::SeqCst) {
//!     guard.park(None)?; // sleeps until the timer, then fires it
//! }
//! assert!(Instant::now() >= deadline);
//! # std::io::Result::Ok(())
//! ```

mod backend;
pub mod context;
mod driver;
#[cfg(not(loom))]
pub mod io;
mod loom;
#[cfg(not(loom))]
pub mod net;
mod timer;

#[cfg(all(test, loom))]
mod loom_tests;

pub use driver::{Driver, DriverGuard};
pub use timer::Sleep;
