//! The poller abstraction: the one place the driver blocks.
//!
//! A backend offers three things and nothing more: `new`, `wait(events,
//! timeout)` and `notify()`. `notify` is *sticky*: a notification that arrives
//! while nobody waits makes the next `wait` return at once. Spurious returns
//! from `wait` are allowed; callers re-check their own state.
//!
//! Normally the backend is [`polling::Poller`] ([`os`]). Under `--cfg loom`
//! it is a modelled parker with the same interface ([`model`]), so loom can
//! explore notify racing park. Sockets will register with the `os` backend;
//! the model will grow a matching no-op registry.

#[cfg(loom)]
mod model;
#[cfg(not(loom))]
mod os;

#[cfg(loom)]
pub(crate) use model::{Backend, Events};
#[cfg(not(loom))]
pub(crate) use os::{Backend, Events};
