//! `zx_handle_close`, `_close_many`, `_duplicate`, `_replace`.

use super::ctx::{Caller, Ctx, UserMemory};
use zx_abi::*;

pub fn close(cx: &Ctx<impl UserMemory, impl Caller>, h: u32) -> Result<(), Status> {
    if h == HANDLE_INVALID {
        return Ok(());
    }
    let hd = cx.handles.lock().remove(h)?;
    drop(hd);
    Ok(())
}

/// Closes every valid handle of the array; `BAD_HANDLE` if any entry was invalid.
pub fn close_many(cx: &Ctx<impl UserMemory, impl Caller>, ptr: u64, n: u64) -> Result<(), Status> {
    let bytes = n.checked_mul(4).ok_or(Status::INVALID_ARGS)?;
    // The whole array is checked first (an unreadable one closes nothing), in steps: a count of
    // millions may take long, but never keeps the core from others for long.
    cx.check_long(ptr, bytes, false)?;
    let mut result = Ok(());
    let mut i = 0u64;
    let mut chunk = [0u8; 256];
    while i < n {
        let k = (n - i).min(64);
        cx.mem
            .copy_in(ptr + i * 4, &mut chunk[..(k * 4) as usize])?;
        for j in 0..k as usize {
            let v = u32::from_le_bytes([
                chunk[j * 4],
                chunk[j * 4 + 1],
                chunk[j * 4 + 2],
                chunk[j * 4 + 3],
            ]);
            if v == HANDLE_INVALID {
                continue;
            }
            let r = cx.handles.lock().remove(v);
            match r {
                Ok(h) => drop(h),
                Err(s) => result = Err(s),
            }
        }
        i += k;
        cx.caller.preempt_point();
    }
    result
}

/// `zx_handle_duplicate` (`replace == false`) and `zx_handle_replace`.
pub fn duplicate(
    cx: &Ctx<impl UserMemory, impl Caller>,
    h: u32,
    rights: u32,
    out: u64,
    replace: bool,
) -> Result<(), Status> {
    let requested = Rights(rights);
    if replace {
        let (new_rights, src) = {
            let mut t = cx.handles.lock();
            let src = t.get(h)?;
            let nr = src.derive_rights(requested);
            if nr.is_ok() {
                cx.mem.check(out, 4, true)?;
            }
            // replace consumes the source even when the rights are refused (docs/abi.md section 4).
            (nr, t.remove(h)?)
        };
        let r = new_rights?;
        return cx.install_out(src.with_rights(r), out);
    }
    let newh = {
        let t = cx.handles.lock();
        let src = t.get(h)?;
        if !src.has(Rights::DUPLICATE) {
            return Err(Status::ACCESS_DENIED);
        }
        let r = src.derive_rights(requested)?;
        src.duplicate(r)
    };
    cx.install_out(newh, out)
}
