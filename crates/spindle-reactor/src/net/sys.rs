//! The few socket calls std lacks, behind one private module: a socket created non-blocking, a
//! `connect` that does not wait, and `SO_LINGER`.
//!
//! Everything here is a thin, synchronous wrapper over `libc`; waiting for readiness is the
//! callers' job (through [`Async`](crate::io::Async)). Nothing here may block.

use std::io;
use std::mem;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::Duration;

/// Room for any address this module builds; `connect` reads `len` bytes of it.
#[repr(C)]
union RawAddr {
    v4: libc::sockaddr_in,
    v6: libc::sockaddr_in6,
    un: libc::sockaddr_un,
}

/// A socket address in the kernel's layout.
pub(super) struct SockAddr {
    raw: RawAddr,
    len: libc::socklen_t,
    family: libc::c_int,
}

impl SockAddr {
    /// The C form of an IP socket address.
    pub(super) fn inet(addr: &SocketAddr) -> SockAddr {
        match addr {
            SocketAddr::V4(v4) => {
                // SAFETY: `sockaddr_in` is a plain C struct of integers; all zeroes is a valid
                // value (and the one the kernel expects in the padding).
                let mut sin: libc::sockaddr_in = unsafe { mem::zeroed() };
                sin.sin_family = libc::AF_INET as libc::sa_family_t;
                sin.sin_port = v4.port().to_be();
                // The octets are already in network order: keep their bytes as they are.
                sin.sin_addr = libc::in_addr {
                    s_addr: u32::from_ne_bytes(v4.ip().octets()),
                };
                SockAddr {
                    raw: RawAddr { v4: sin },
                    len: mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
                    family: libc::AF_INET,
                }
            }
            SocketAddr::V6(v6) => {
                // SAFETY: as above, for `sockaddr_in6`.
                let mut sin6: libc::sockaddr_in6 = unsafe { mem::zeroed() };
                sin6.sin6_family = libc::AF_INET6 as libc::sa_family_t;
                sin6.sin6_port = v6.port().to_be();
                sin6.sin6_flowinfo = v6.flowinfo();
                sin6.sin6_addr = libc::in6_addr {
                    s6_addr: v6.ip().octets(),
                };
                sin6.sin6_scope_id = v6.scope_id();
                SockAddr {
                    raw: RawAddr { v6: sin6 },
                    len: mem::size_of::<libc::sockaddr_in6>() as libc::socklen_t,
                    family: libc::AF_INET6,
                }
            }
        }
    }

    /// The C form of a Unix socket path.
    ///
    /// # Errors
    /// `InvalidInput` when the path holds a NUL byte or does not fit `sun_path` (108 bytes on
    /// Linux, its terminating NUL included).
    pub(super) fn unix(path: &Path) -> io::Result<SockAddr> {
        // SAFETY: as above, for `sockaddr_un`.
        let mut sun: libc::sockaddr_un = unsafe { mem::zeroed() };
        sun.sun_family = libc::AF_UNIX as libc::sa_family_t;
        let bytes = path.as_os_str().as_bytes();
        if bytes.contains(&0) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "spindle: a Unix socket path must not contain a NUL byte",
            ));
        }
        if bytes.len() >= sun.sun_path.len() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "spindle: the Unix socket path {} is {} bytes; at most {} fit",
                    path.display(),
                    bytes.len(),
                    sun.sun_path.len() - 1
                ),
            ));
        }
        for (slot, byte) in sun.sun_path.iter_mut().zip(bytes) {
            *slot = *byte as libc::c_char;
        }
        let len = mem::offset_of!(libc::sockaddr_un, sun_path) + bytes.len() + 1;
        Ok(SockAddr {
            raw: RawAddr { un: sun },
            len: len as libc::socklen_t,
            family: libc::AF_UNIX,
        })
    }

    /// The address family, for [`socket`].
    pub(super) fn family(&self) -> libc::c_int {
        self.family
    }
}

/// A new stream socket of `family`, non-blocking and close-on-exec from the start.
pub(super) fn stream_socket(family: libc::c_int) -> io::Result<OwnedFd> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        let ty = libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC;
        // SAFETY: `socket` takes plain integers and returns a new fd or -1.
        let fd = unsafe { libc::socket(family, ty, 0) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just returned by `socket`, is open, and nothing else owns it.
        Ok(unsafe { OwnedFd::from_raw_fd(fd) })
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        // SAFETY: as above.
        let fd = unsafe { libc::socket(family, libc::SOCK_STREAM, 0) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: as above.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        // SAFETY: `fd` is open; F_SETFD / F_SETFL take plain integers.
        unsafe {
            if libc::fcntl(fd.as_raw_fd(), libc::F_SETFD, libc::FD_CLOEXEC) < 0
                || libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, libc::O_NONBLOCK) < 0
            {
                return Err(io::Error::last_os_error());
            }
        }
        Ok(fd)
    }
}

/// What a non-blocking `connect` call did.
pub(super) enum Connect {
    /// Connected already (Unix sockets, sometimes loopback TCP).
    Done,
    /// The handshake goes on: the socket turns writable when it ends, `SO_ERROR` says how.
    InProgress,
    /// The peer's backlog is full (Unix sockets say `EAGAIN`): nothing will signal room, retry
    /// later.
    Again,
}

/// Starts connecting `fd` to `addr` without waiting.
///
/// # Errors
/// What `connect` says when it fails at once (`ECONNREFUSED`, `ENOENT`, `ENETUNREACH`, ...).
pub(super) fn connect(fd: BorrowedFd<'_>, addr: &SockAddr) -> io::Result<Connect> {
    // SAFETY: `fd` is open for the borrow; the pointer and length describe `addr.raw`, which
    // outlives the call, and `len` never exceeds the union's size.
    let rc = unsafe {
        libc::connect(
            fd.as_raw_fd(),
            (&addr.raw as *const RawAddr).cast::<libc::sockaddr>(),
            addr.len,
        )
    };
    if rc == 0 {
        return Ok(Connect::Done);
    }
    let error = io::Error::last_os_error();
    match error.raw_os_error() {
        // EINTR: the connection goes on asynchronously, as with EINPROGRESS.
        Some(libc::EINPROGRESS) | Some(libc::EINTR) => Ok(Connect::InProgress),
        Some(libc::EAGAIN) => Ok(Connect::Again),
        _ => Err(error),
    }
}

/// `SO_LINGER`: `None` turns it off (close returns at once, the kernel sends what is left);
/// `Some(d)` makes close wait up to `d`, and `Some(Duration::ZERO)` makes close reset the
/// connection (RST) instead of ending it.
pub(super) fn set_linger(fd: BorrowedFd<'_>, linger: Option<Duration>) -> io::Result<()> {
    let value = libc::linger {
        l_onoff: libc::c_int::from(linger.is_some()),
        l_linger: linger.map_or(0, |d| {
            libc::c_int::try_from(d.as_secs()).unwrap_or(libc::c_int::MAX)
        }),
    };
    // SAFETY: `fd` is open for the borrow; the pointer and length describe `value`, a
    // `linger`, which is what SO_LINGER reads.
    let rc = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&value as *const libc::linger).cast::<libc::c_void>(),
            mem::size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// `SO_LINGER` as [`set_linger`] takes it.
pub(super) fn linger(fd: BorrowedFd<'_>) -> io::Result<Option<Duration>> {
    let mut value = libc::linger {
        l_onoff: 0,
        l_linger: 0,
    };
    let mut len = mem::size_of::<libc::linger>() as libc::socklen_t;
    // SAFETY: `fd` is open for the borrow; the kernel writes at most `len` bytes into `value`,
    // which is exactly that large.
    let rc = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&mut value as *mut libc::linger).cast::<libc::c_void>(),
            &mut len,
        )
    };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok((value.l_onoff != 0).then(|| Duration::from_secs(value.l_linger.max(0) as u64)))
}

/// A stream socket bound to `local` and listening with `backlog` (non-blocking,
/// close-on-exec). IP sockets get `SO_REUSEADDR`, as std sets it on Unix, so a restarted
/// server rebinds despite connections in `TIME_WAIT`.
///
/// # Errors
/// As `socket`, `bind` (`EADDRINUSE`) and `listen`.
pub(super) fn listen(local: &SockAddr, backlog: libc::c_int) -> io::Result<OwnedFd> {
    let fd = stream_socket(local.family())?;
    if local.family() != libc::AF_UNIX {
        let one: libc::c_int = 1;
        // SAFETY: `fd` is open; the pointer and length describe `one`, a `c_int`, which is
        // what SO_REUSEADDR reads.
        let rc = unsafe {
            libc::setsockopt(
                fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_REUSEADDR,
                (&one as *const libc::c_int).cast::<libc::c_void>(),
                mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        if rc < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    // SAFETY: `fd` is open; the pointer and length describe `local.raw`, which outlives the
    // call.
    let rc = unsafe {
        libc::bind(
            fd.as_raw_fd(),
            (&local.raw as *const RawAddr).cast::<libc::sockaddr>(),
            local.len,
        )
    };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` is an open, bound socket; `listen` takes plain integers.
    if unsafe { libc::listen(fd.as_raw_fd(), backlog) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(fd)
}
