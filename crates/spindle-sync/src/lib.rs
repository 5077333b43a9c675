//! asyncio's synchronisation primitives (`Queue`, `Lock`, `Event`, `Semaphore`, `Condition`,
//! `Barrier`), built on `Waker`s alone so they work under any executor.
//!
//! This crate is filled in by the coordination issue; for now it only reserves the name.
