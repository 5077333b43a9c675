//! Networking workloads of the `net` binary: the same protocol on each runtime's own sockets.
//!
//! Unlike [`crate::workloads`], the code cannot be written once over a [`crate::Spawner`]: the
//! socket types are the runtime's. Each workload is written three times, as alike as the APIs
//! allow, in one file, so the versions can be read side by side.

pub mod tcp_echo;
