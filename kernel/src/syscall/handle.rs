//! `zx_handle_close`, `_close_many`, `_duplicate`, `_replace`.

use super::ctx::{Caller, Ctx, UserMemory};
use zx_abi::*;

/// `zx_handle_close`: removes `h` from the caller's table and drops it; `ZX_HANDLE_INVALID` is
/// accepted and does nothing.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::event::Event;
    use crate::object::{Handle, KernelObject};
    use crate::syscall::testing::FakeProcess;
    use std::sync::Arc;

    const RW: u64 = 0x10000;
    const RO: u64 = 0x20000;
    const HOLE: u64 = 0x30000;
    const KERNEL: u64 = 0xffff_0000_0000_1000;

    fn process() -> (FakeProcess, u32, Arc<dyn KernelObject>) {
        let p = FakeProcess::new(7);
        p.mem.map(RW, 4096, true);
        p.mem.map(RO, 4096, false);
        let e: Arc<dyn KernelObject> = Event::new();
        let rights = Rights::DEFAULT_EVENT.union(Rights::DUPLICATE);
        let v = p
            .handles
            .lock()
            .add(Handle::new(e.clone(), rights))
            .unwrap_or_else(|_| panic!("add"));
        (p, v, e)
    }

    #[test]
    fn duplicate_to_a_bad_out_pointer_creates_nothing() {
        let (p, v, e) = process();
        for out in [RO, HOLE, KERNEL, RW + 4094] {
            let r = duplicate(&p.cx(), v, Rights::SAME_RIGHTS.bits(), out, false);
            assert_eq!(r, Err(Status::INVALID_ARGS), "out at {out:#x}");
            assert_eq!(e.header().handle_count(), 1);
            assert_eq!(p.handles.lock().len(), 1);
        }
        // A misaligned out-parameter inside one page is fine.
        assert_eq!(
            duplicate(&p.cx(), v, Rights::WAIT.bits(), RW + 3, false),
            Ok(())
        );
        let nv = u32::from_le_bytes(p.mem.peek(RW + 3, 4).try_into().unwrap());
        assert_eq!(p.handles.lock().get(nv).unwrap().rights(), Rights::WAIT);
        assert_eq!(e.header().handle_count(), 2);
    }

    #[test]
    fn replace_keeps_its_source_only_when_the_out_pointer_is_bad() {
        let (p, v, e) = process();
        // Checked before the source is taken: nothing happens.
        let r = duplicate(&p.cx(), v, Rights::SAME_RIGHTS.bits(), RO, true);
        assert_eq!(r, Err(Status::INVALID_ARGS));
        assert!(p.handles.lock().get(v).is_ok());
        // Rights that are not a subset: the source is consumed anyway.
        let r = duplicate(&p.cx(), v, Rights::MANAGE_THREAD.bits(), RW, true);
        assert_eq!(r, Err(Status::INVALID_ARGS));
        assert!(p.handles.lock().get(v).is_err());
        assert_eq!(e.header().handle_count(), 0);
    }

    #[test]
    fn close_many_closes_nothing_when_any_of_the_array_is_unreadable() {
        let (p, v, e) = process();
        let at = RW + 4096 - 4;
        p.mem.poke(at, &v.to_le_bytes());
        assert_eq!(close_many(&p.cx(), at, 2), Err(Status::INVALID_ARGS));
        assert_eq!(close_many(&p.cx(), KERNEL, 1), Err(Status::INVALID_ARGS));
        assert_eq!(close_many(&p.cx(), HOLE, 1), Err(Status::INVALID_ARGS));
        assert_eq!(close_many(&p.cx(), at, u64::MAX), Err(Status::INVALID_ARGS));
        assert_eq!(e.header().handle_count(), 1);
        // Read-only is readable: the handle closes, the repeat is BAD_HANDLE.
        p.mem.poke(RO, &[v.to_le_bytes(), v.to_le_bytes()].concat());
        assert_eq!(close_many(&p.cx(), RO, 2), Err(Status::BAD_HANDLE));
        assert_eq!(e.header().handle_count(), 0);
        assert_eq!(close(&p.cx(), HANDLE_INVALID), Ok(()));
        assert_eq!(close(&p.cx(), v), Err(Status::BAD_HANDLE));
    }
}
