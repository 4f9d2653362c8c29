//! Typed handles for the other objects: [`EventPair`] and [`Thread`] here, and the handle traits
//! for the older wrappers [`crate::Event`], [`crate::Process`] and [`crate::Channel`].

use crate::handle::{typed_handle, AsHandleRef, Peered};
use crate::{raw, Event, Handle, InfoProcess, Process, Status, ZxResult};

typed_handle!(Event, 0);
typed_handle!(Process, 0);
typed_handle!(crate::Channel, 0);
impl Peered for crate::Channel {}

/// One end of an event pair: user signals on itself and on its peer; closed on drop.
#[derive(Debug, PartialEq, Eq)]
#[repr(transparent)]
pub struct EventPair(Handle);
typed_handle!(EventPair, 0);
impl Peered for EventPair {}

impl EventPair {
    /// `zx_eventpair_create`: two connected ends.
    pub fn create() -> ZxResult<(EventPair, EventPair)> {
        let (mut a, mut b) = (0, 0);
        Status(raw::eventpair_create(0, &mut a, &mut b)).ok()?;
        Ok((
            EventPair(Handle::from_raw(a)),
            EventPair(Handle::from_raw(b)),
        ))
    }
}

/// A thread handle; closed on drop (the thread keeps running).
#[derive(Debug, PartialEq, Eq)]
#[repr(transparent)]
pub struct Thread(Handle);
typed_handle!(Thread, 0);

impl Thread {
    /// `zx_thread_start`: runs `entry(arg1, arg2)` with `sp = stack` (the top of a 16-byte
    /// aligned stack the caller keeps alive for the thread's life).
    pub fn start(&self, entry: usize, stack: usize, arg1: usize, arg2: usize) -> ZxResult {
        Status(raw::thread_start(
            self.raw_handle(),
            entry,
            stack,
            arg1,
            arg2,
        ))
        .ok()
    }
}

impl Process {
    /// `zx_thread_create`: a new, not yet started thread of this process.
    pub fn create_thread(&self, name: &[u8]) -> ZxResult<Thread> {
        let mut out = 0;
        Status(raw::thread_create(
            self.raw_handle(),
            name.as_ptr(),
            name.len(),
            0,
            &mut out,
        ))
        .ok()?;
        Ok(Thread(Handle::from_raw(out)))
    }

    /// `ZX_INFO_PROCESS`: return code and state.
    pub fn info(&self) -> ZxResult<InfoProcess> {
        crate::get_info(self.raw_handle(), zx_abi::INFO_PROCESS)
    }
}
