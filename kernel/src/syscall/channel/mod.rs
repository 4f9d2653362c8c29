//! `zx_channel_create`, `_write`, `_write_etc`, `_read`, `_read_etc`, `_call`, `_call_etc`:
//! the sentences of `docs/manual/` and the rules of docs/abi.md section 4, in their order.
//! [`write`] builds and sends messages (shared with the request half of a call), [`read`]
//! delivers them (shared with the reply half), [`call`] joins the two around a wait.

mod call;
mod fast;
mod read;
mod write;

#[cfg(test)]
mod tests;

pub use call::{call, CallArgs};
pub use read::{read, ReadArgs};
pub use write::{write, WriteArgs};

use super::ctx::{Caller, Ctx, UserMemory};
use crate::object::channel::Endpoint;
use crate::object::handle_table::HandleTable;
use crate::object::{Handle, KernelObject};
use alloc::sync::Arc;
use zx_abi::{Rights, Status};

/// `zx_channel_create`: a new channel, its two endpoints' handles written to `out0` and
/// `out1` (both or neither). Only `options == 0` is accepted.
pub fn create(
    cx: &Ctx<impl UserMemory, impl Caller>,
    options: u32,
    out0: u64,
    out1: u64,
) -> Result<(), Status> {
    if options != 0 {
        return Err(Status::INVALID_ARGS);
    }
    cx.mem.check(out0, 4, true)?;
    cx.mem.check(out1, 4, true)?;
    cx.caller.check_available(1024)?;
    let (a, b) = Endpoint::new_pair();
    cx.install_pair(
        Handle::new(a, Rights::DEFAULT_CHANNEL),
        Handle::new(b, Rights::DEFAULT_CHANNEL),
        out0,
        out1,
    )
}

/// The channel a handle names, once the handle passed the checks.
struct Target {
    ep: Arc<dyn KernelObject>,
}

impl Target {
    fn endpoint(&self) -> &Endpoint {
        self.ep.as_endpoint().expect("checked to be a channel")
    }
}

/// The channel `h` names in the locked table `t`, borrowed for as long as the lock is held:
/// BAD_HANDLE, WRONG_TYPE, then ACCESS_DENIED without `need`. Every channel syscall checks its
/// handle here.
fn borrow_channel_handle(
    t: &HandleTable,
    h: u32,
    need: Rights,
) -> Result<(&Handle, &Endpoint), Status> {
    let hd = t.get(h)?;
    let ep = hd.object().as_endpoint().ok_or(Status::WRONG_TYPE)?;
    if !hd.rights().contains(need) {
        return Err(Status::ACCESS_DENIED);
    }
    Ok((hd, ep))
}

/// [`borrow_channel_handle`], the endpoint only.
fn borrow_channel(t: &HandleTable, h: u32, need: Rights) -> Result<&Endpoint, Status> {
    borrow_channel_handle(t, h, need).map(|(_, ep)| ep)
}

/// [`borrow_channel_handle`], counted: for a syscall that keeps the channel past the table
/// lock (a general write, a call while it waits).
#[inline(always)]
fn channel_target(
    cx: &Ctx<impl UserMemory, impl Caller>,
    h: u32,
    need: Rights,
) -> Result<Target, Status> {
    let t = cx.handles.lock();
    borrow_channel_handle(&t, h, need).map(|(hd, _)| Target {
        ep: hd.object().clone(),
    })
}
