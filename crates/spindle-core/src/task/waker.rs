//! The raw `Waker` of a task: the header pointer is the waker's data, so cloning a waker is a
//! reference-count increment and never allocates.

use super::header::Header;
use super::state::WakeByVal;
use std::mem::ManuallyDrop;
use std::ptr::NonNull;
use std::task::{RawWaker, RawWakerVTable, Waker};

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake_by_ref, drop_waker);

/// # Safety
/// `data` is a task header pointer whose waker reference the caller holds.
unsafe fn header<'a>(data: *const ()) -> &'a Header {
    // SAFETY: per the contract, the pointer is live while the reference is held.
    unsafe { &*data.cast::<Header>() }
}

unsafe fn clone(data: *const ()) -> RawWaker {
    // SAFETY: called on a live waker.
    unsafe { header(data) }.state.ref_inc();
    RawWaker::new(data, &VTABLE)
}

unsafe fn wake(data: *const ()) {
    // SAFETY: called on a live waker, whose reference this call consumes.
    let header = unsafe { header(data) };
    let ptr = NonNull::from(header);
    match header.state.wake_by_val() {
        // SAFETY: SCHEDULED was set and the waker's reference became the runnable's.
        WakeByVal::Submit => unsafe { (header.vtable.schedule)(ptr, false) },
        // SAFETY: that was the last reference.
        WakeByVal::Done { last_ref: true } => unsafe { (header.vtable.dealloc)(ptr) },
        WakeByVal::Done { last_ref: false } => {}
    }
}

unsafe fn wake_by_ref(data: *const ()) {
    // SAFETY: called on a live waker.
    let header = unsafe { header(data) };
    if header.state.wake_by_ref() {
        // SAFETY: SCHEDULED was set and a reference was taken for the runnable.
        unsafe { (header.vtable.schedule)(NonNull::from(header), false) }
    }
}

unsafe fn drop_waker(data: *const ()) {
    // SAFETY: called on a live waker, whose reference this call releases.
    let header = unsafe { header(data) };
    if header.state.ref_dec(1) {
        // SAFETY: that was the last reference.
        unsafe { (header.vtable.dealloc)(NonNull::from(header)) }
    }
}

/// A waker that borrows the caller's reference: never dropped, so the count is untouched.
pub(crate) fn borrowed(ptr: NonNull<Header>) -> ManuallyDrop<Waker> {
    // SAFETY: the vtable's contract holds for a live header; ManuallyDrop skips the release.
    ManuallyDrop::new(unsafe { Waker::from_raw(RawWaker::new(ptr.as_ptr() as *const (), &VTABLE)) })
}

/// A waker that owns one reference already counted by the caller.
///
/// # Safety
/// The caller transfers one reference of a live task.
pub(crate) unsafe fn owned(ptr: NonNull<Header>) -> Waker {
    // SAFETY: as above.
    unsafe { Waker::from_raw(RawWaker::new(ptr.as_ptr() as *const (), &VTABLE)) }
}
