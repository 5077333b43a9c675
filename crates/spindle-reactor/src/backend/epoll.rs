//! The Linux backend: epoll through `libc`, with nothing in between.
//!
//! Why not `polling` (still the backend on other systems, `os.rs`):
//!
//! - **`EPOLLRDHUP`.** Sources are registered edge-triggered for both directions. A read that
//!   returns fewer bytes than asked (and more than none) emptied the socket's buffer, so its
//!   read readiness may be cleared at once: any later arrival raises a new edge, and the next
//!   read waits for it instead of first failing with `EAGAIN` (one `recv` per message instead
//!   of two). The catch is an end of file that arrived together with the data: the short read
//!   returns the data, and no edge ever comes for the end of file still pending. So sources
//!   are registered with `EPOLLRDHUP`, the kernel reports the peer's shutdown (and hang-ups
//!   and errors), and the readiness keeps it as a sticky "read closed" that the short-read
//!   clear never removes (`io/readiness.rs`): the next read runs and returns 0 (or the
//!   error). `polling` can neither register `EPOLLRDHUP` nor report it.
//! - **The timeout.** `polling` arms a timerfd for every timed wait (`timerfd_settime` and an
//!   `epoll_ctl`, plus a read and a re-arm of its notifier after the wait: five syscalls per
//!   park). Here a wait is one `epoll_wait` with epoll's own millisecond timeout, **rounded
//!   up**: a wait never ends before its timeout, so a timer 0.5 ms away costs one 1 ms sleep
//!   rather than a busy loop of zero-timeout waits until it is due. (Timers never fire early
//!   either way: the driver checks their deadlines.)
//! - **The notifier** is an eventfd (`EFD_CLOEXEC | EFD_NONBLOCK`) registered level-triggered
//!   under a reserved key ([`NOTIFY_KEY`]). `notify` writes to it unless a flag says it is
//!   already signalled; a wait that reports its key reads it back (which resets it) and then
//!   lowers the flag. Sticky, as `backend/mod.rs` requires: a notification written while
//!   nobody waits stays in the counter, and the next wait returns at once. A wait that does
//!   not report the key costs no read.
//!
//! An interrupted wait (`EINTR`) returns with no events: a spurious wake-up, which the driver
//! tolerates.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use libc::c_int;

use super::Event;

/// This backend reports closed read sides ([`Event::read_closed`]), so a short read of a
/// byte stream may clear the read readiness (`Async::poll_read_stream`).
pub(crate) const READ_CLOSED_REPORTED: bool = true;

/// The epoll data of the notifier's eventfd. Registry keys are slab indices: never this.
const NOTIFY_KEY: u64 = u64::MAX;

/// Events one wait can return. More stay queued in epoll for the next wait: none is lost.
const CAPACITY: usize = 1024;

// The epoll flags as the `u32` of `epoll_event::events` (libc declares them `c_int`).
const IN: u32 = libc::EPOLLIN as u32;
const OUT: u32 = libc::EPOLLOUT as u32;
const RDHUP: u32 = libc::EPOLLRDHUP as u32;
const HUP: u32 = libc::EPOLLHUP as u32;
const ERR: u32 = libc::EPOLLERR as u32;
const ET: u32 = libc::EPOLLET as u32;

/// The events filled in by [`Backend::wait`]; owned by the park state so the buffer is
/// allocated once per driver, not once per park.
pub(crate) struct Events {
    list: Vec<libc::epoll_event>,
}

impl Events {
    /// An empty buffer with room for [`CAPACITY`] events.
    pub(crate) fn new() -> Events {
        Events {
            list: Vec::with_capacity(CAPACITY),
        }
    }

    /// The readiness reported by the last wait, the notifier's event left out.
    ///
    /// An error or hang-up (`EPOLLERR`, `EPOLLHUP`) makes both directions ready: the next
    /// operation returns the error. `read_closed` is `EPOLLRDHUP | EPOLLHUP | EPOLLERR`.
    pub(crate) fn iter(&self) -> impl Iterator<Item = Event> + '_ {
        self.list.iter().filter_map(|event| {
            // Copies out of the (packed, on x86-64) struct: no reference to its fields.
            let (key, flags) = (event.u64, event.events);
            (key != NOTIFY_KEY).then_some(Event {
                // The key was a `usize` when registered.
                key: key as usize,
                readable: flags & (IN | RDHUP | HUP | ERR) != 0,
                writable: flags & (OUT | HUP | ERR) != 0,
                read_closed: flags & (RDHUP | HUP | ERR) != 0,
            })
        })
    }
}

/// An epoll instance and its eventfd notifier.
pub(crate) struct Backend {
    epoll: OwnedFd,
    notifier: OwnedFd,
    /// `true` from the `notify` that writes the eventfd until the wait that reads it back.
    /// Invariant: while it is `false`, the eventfd's counter is zero (only a `notify` that
    /// raised it writes, and the wait reads before it lowers it).
    notified: AtomicBool,
}

impl Backend {
    /// Opens an epoll instance and its notifier.
    pub(crate) fn new() -> io::Result<Backend> {
        // SAFETY: epoll_create1 takes a flag and returns a new fd or -1; no pointers.
        let epoll = cvt(unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) })?;
        // SAFETY: `epoll` is a fresh, open fd that nothing else owns.
        let epoll = unsafe { OwnedFd::from_raw_fd(epoll) };
        // SAFETY: eventfd takes an initial count and flags and returns a new fd or -1.
        let notifier = cvt(unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) })?;
        // SAFETY: `notifier` is a fresh, open fd that nothing else owns.
        let notifier = unsafe { OwnedFd::from_raw_fd(notifier) };
        let backend = Backend {
            epoll,
            notifier,
            notified: AtomicBool::new(false),
        };
        // Level-triggered: reported by every wait while the counter is not zero.
        backend.ctl(
            libc::EPOLL_CTL_ADD,
            backend.notifier.as_raw_fd(),
            IN,
            NOTIFY_KEY,
        )?;
        Ok(backend)
    }

    /// Blocks until I/O readiness, a [`notify`](Backend::notify), or `timeout` (`None`: no
    /// timeout), rounded up to whole milliseconds. Readiness events are left in `events`.
    pub(crate) fn wait(&self, events: &mut Events, timeout: Option<Duration>) -> io::Result<()> {
        events.list.clear();
        let capacity = c_int::try_from(events.list.capacity()).unwrap_or(c_int::MAX);
        // SAFETY: the kernel writes at most `capacity` events into the vector's buffer, which
        // has room for that many and is not otherwise borrowed (`&mut events`).
        let written = unsafe {
            libc::epoll_wait(
                self.epoll.as_raw_fd(),
                events.list.as_mut_ptr(),
                capacity,
                timeout_ms(timeout),
            )
        };
        let Ok(written) = usize::try_from(written) else {
            let error = io::Error::last_os_error();
            return match error.kind() {
                io::ErrorKind::Interrupted => Ok(()),
                _ => Err(error),
            };
        };
        // SAFETY: epoll_wait initialised the first `written` (at most `capacity`) events.
        unsafe { events.list.set_len(written) };
        if events.list.iter().any(|event| {
            let key = event.u64;
            key == NOTIFY_KEY
        }) {
            self.clear_notification();
        }
        Ok(())
    }

    /// Resets the eventfd, then lowers the flag. In this order a `notify` between the two
    /// sees the flag up and writes nothing, and the wait's swap acquires that `notify`'s
    /// release (the caller then sees what the notifier did before notifying); a `notify`
    /// after the swap writes again, and the next wait returns at once.
    fn clear_notification(&self) {
        let mut count = 0u64;
        // SAFETY: reads at most 8 bytes into `count`, a live, writable `u64`. The eventfd is
        // non-blocking: with nothing to read this says EAGAIN, which leaves nothing to reset.
        let _ = unsafe {
            libc::read(
                self.notifier.as_raw_fd(),
                (&mut count as *mut u64).cast(),
                std::mem::size_of::<u64>(),
            )
        };
        self.notified.swap(false, Ordering::AcqRel);
    }

    /// Wakes the current or the next [`wait`](Backend::wait).
    pub(crate) fn notify(&self) -> io::Result<()> {
        if self.notified.swap(true, Ordering::AcqRel) {
            // Already signalled and not yet read back: that wake-up covers this one.
            return Ok(());
        }
        let one = 1u64;
        loop {
            // SAFETY: writes the 8 bytes of `one`, a live `u64`, to our eventfd.
            let written = unsafe {
                libc::write(
                    self.notifier.as_raw_fd(),
                    (&one as *const u64).cast(),
                    std::mem::size_of::<u64>(),
                )
            };
            if written >= 0 {
                return Ok(());
            }
            let error = io::Error::last_os_error();
            match error.kind() {
                io::ErrorKind::Interrupted => {}
                // The counter is full: the eventfd is signalled anyway.
                io::ErrorKind::WouldBlock => return Ok(()),
                _ => {
                    // Nothing was written: let the next `notify` try again.
                    self.notified.store(false, Ordering::Release);
                    return Err(error);
                }
            }
        }
    }

    /// Registers `fd` under `key` for read and write readiness, edge-triggered, with
    /// `EPOLLRDHUP`: an event is reported when readiness *changes*, so interest never needs
    /// re-arming (see `io/`).
    ///
    /// # Safety
    /// `fd` must be [`deregister`](Backend::deregister)ed before it is closed.
    pub(crate) unsafe fn register(&self, fd: RawFd, key: usize) -> io::Result<()> {
        debug_assert_ne!(key as u64, NOTIFY_KEY, "the notifier's key is reserved");
        self.ctl(libc::EPOLL_CTL_ADD, fd, IN | OUT | RDHUP | ET, key as u64)
    }

    /// Removes `fd` from the poller.
    pub(crate) fn deregister(&self, fd: BorrowedFd<'_>) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_DEL, fd.as_raw_fd(), 0, 0)
    }

    fn ctl(&self, op: c_int, fd: RawFd, events: u32, data: u64) -> io::Result<()> {
        let mut event = libc::epoll_event { events, u64: data };
        // SAFETY: `self.epoll` is an open epoll fd and `event` a live `epoll_event` that the
        // kernel only reads during the call (for EPOLL_CTL_DEL it is ignored). A bad `fd` is
        // reported as an error (EBADF, ENOENT), not undefined behaviour.
        cvt(unsafe { libc::epoll_ctl(self.epoll.as_raw_fd(), op, fd, &mut event) }).map(drop)
    }
}

/// epoll's timeout: whole milliseconds, rounded up (a wait never ends before `timeout`);
/// `None` is -1 (no timeout); beyond `c_int::MAX` ms (24 days) it is capped, an early
/// (spurious) return.
fn timeout_ms(timeout: Option<Duration>) -> c_int {
    match timeout {
        None => -1,
        Some(timeout) => {
            c_int::try_from(timeout.as_nanos().div_ceil(1_000_000)).unwrap_or(c_int::MAX)
        }
    }
}

/// A syscall's `-1` as the thread's `errno`.
fn cvt(result: c_int) -> io::Result<c_int> {
    if result < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::net::Shutdown;
    use std::os::fd::AsFd;
    use std::os::unix::net::UnixStream;
    use std::sync::Arc;
    use std::time::Instant;

    fn events_of(events: &Events) -> Vec<Event> {
        events.iter().collect()
    }

    /// Waits (at most `limit`) until an event for `key` comes, and returns it.
    fn next_event(backend: &Backend, key: usize, limit: Duration) -> Option<Event> {
        let mut events = Events::new();
        let start = Instant::now();
        while start.elapsed() < limit {
            backend.wait(&mut events, Some(limit)).unwrap();
            if let Some(event) = events.iter().find(|event| event.key == key) {
                return Some(event);
            }
        }
        None
    }

    #[test]
    fn the_timeout_is_rounded_up_to_whole_milliseconds() {
        assert_eq!(timeout_ms(None), -1);
        assert_eq!(timeout_ms(Some(Duration::ZERO)), 0);
        assert_eq!(timeout_ms(Some(Duration::from_nanos(1))), 1);
        assert_eq!(timeout_ms(Some(Duration::from_micros(500))), 1);
        assert_eq!(timeout_ms(Some(Duration::from_millis(1))), 1);
        assert_eq!(timeout_ms(Some(Duration::from_nanos(1_000_001))), 2);
        assert_eq!(timeout_ms(Some(Duration::from_millis(1500))), 1500);
        assert_eq!(timeout_ms(Some(Duration::MAX)), c_int::MAX);
    }

    #[test]
    fn a_half_millisecond_wait_does_not_return_at_once() {
        let backend = Backend::new().unwrap();
        let mut events = Events::new();
        for _ in 0..3 {
            let start = Instant::now();
            backend
                .wait(&mut events, Some(Duration::from_micros(500)))
                .unwrap();
            assert!(start.elapsed() >= Duration::from_micros(500));
            assert!(events_of(&events).is_empty());
        }
    }

    #[test]
    fn a_notify_before_the_wait_makes_it_return_at_once_and_is_consumed() {
        let backend = Backend::new().unwrap();
        let mut events = Events::new();
        backend.notify().unwrap();
        backend.notify().unwrap(); // several before a wait count as one
        let start = Instant::now();
        backend
            .wait(&mut events, Some(Duration::from_secs(10)))
            .unwrap();
        assert!(start.elapsed() < Duration::from_secs(5));
        assert!(
            events_of(&events).is_empty(),
            "the notifier's event is not I/O"
        );
        // Consumed: the next wait sleeps its timeout.
        let start = Instant::now();
        backend
            .wait(&mut events, Some(Duration::from_millis(20)))
            .unwrap();
        assert!(start.elapsed() >= Duration::from_millis(20));
        // And a new notify works again.
        backend.notify().unwrap();
        let start = Instant::now();
        backend.wait(&mut events, None).unwrap();
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn a_notify_from_another_thread_wakes_a_blocked_wait() {
        let backend = Arc::new(Backend::new().unwrap());
        let notifier = backend.clone();
        let thread = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            notifier.notify().unwrap();
        });
        let mut events = Events::new();
        let start = Instant::now();
        backend
            .wait(&mut events, Some(Duration::from_secs(10)))
            .unwrap();
        assert!(start.elapsed() < Duration::from_secs(5));
        thread.join().unwrap();
    }

    #[test]
    fn a_registered_fd_reports_readable_then_read_closed_until_deregistered() {
        let backend = Backend::new().unwrap();
        let (mut a, b) = UnixStream::pair().unwrap();
        b.set_nonblocking(true).unwrap();
        // SAFETY: `b` is deregistered below, before it is dropped.
        unsafe { backend.register(b.as_raw_fd(), 7) }.unwrap();
        // Registration reports the current state: writable, nothing to read.
        let first = next_event(&backend, 7, Duration::from_secs(5)).unwrap();
        assert!(first.writable && !first.readable && !first.read_closed);

        a.write_all(b"x").unwrap();
        let data = next_event(&backend, 7, Duration::from_secs(5)).unwrap();
        assert!(data.readable && !data.read_closed);

        a.shutdown(Shutdown::Write).unwrap();
        let eof = next_event(&backend, 7, Duration::from_secs(5)).unwrap();
        assert!(eof.readable && eof.read_closed);

        backend.deregister(b.as_fd()).unwrap();
        drop(a); // a hang-up, no longer reported
        assert_eq!(next_event(&backend, 7, Duration::from_millis(20)), None);
        // Deregistering twice is an error, not a crash.
        assert!(backend.deregister(b.as_fd()).is_err());
    }

    #[test]
    fn data_and_end_of_file_before_the_wait_come_as_one_read_closed_event() {
        let backend = Backend::new().unwrap();
        let (mut a, b) = UnixStream::pair().unwrap();
        a.write_all(b"hello").unwrap();
        a.shutdown(Shutdown::Write).unwrap();
        // SAFETY: `b` is deregistered below, before it is dropped.
        unsafe { backend.register(b.as_raw_fd(), 3) }.unwrap();
        let event = next_event(&backend, 3, Duration::from_secs(5)).unwrap();
        assert!(event.readable && event.read_closed);
        backend.deregister(b.as_fd()).unwrap();
    }
}
