//! Usercopy: every byte that crosses the user-kernel boundary goes through here.
//!
//! For a user range `[p, p+n)`: reject overflow and anything outside the user half; then, page by
//! page, ask the MMU what EL0 may do there (`AT S1E0R` to read, `AT S1E0W` to write; bsp's
//! `translate_el0`), and copy through the kernel's linear map of the physical page. Nothing is
//! copied until every page passed, so a failed copy leaves no partial effect. The checks run with
//! the current process's address-space lock held; mappings of a running process never change,
//! so the translation stays valid for the copy.

use crate::mm;
use crate::syscall::ctx::UserMemory;
use crate::task::Process;
use alloc::vec::Vec;
use core::marker::PhantomData;
use zx_abi::{Pod, Status};

pub use super::range::check_range;
use super::range::{page_span, PAGE};

/// The address space of one process, as the syscall layer's [`UserMemory`]: the range check,
/// then the MMU's answer for EL0 page by page, then the copy through the linear map.
pub struct UserAspace<'a> {
    proc_: &'a Process,
}

impl<'a> UserAspace<'a> {
    /// The address space of `proc_`.
    pub fn new(proc_: &'a Process) -> Self {
        UserAspace { proc_ }
    }

    /// The current thread's process (`BAD_STATE` without one).
    fn current() -> Result<UserAspace<'static>, Status> {
        let p = crate::sched::current_process_ref().ok_or(Status::BAD_STATE)?;
        Ok(UserAspace::new(p))
    }

    /// Runs `f(page_pa, offset_in_range, chunk_len)` for each page piece of `[va, va+len)`,
    /// asking the MMU once per page whether EL0 may make the access (`AT S1E0R`/`AT S1E0W`).
    ///
    /// A write (`write`) has an effect the caller can see, so it starts only once every page is
    /// known to allow it: a first pass translates them all (keeping up to [`KEPT_PAGES`]
    /// physical addresses, so a message of up to 64 KiB is translated once), then the copy. A
    /// read or a check has no effect on user memory, so it goes in one pass; if a page refuses
    /// half-way, the kernel buffer is partly filled and the caller drops it.
    ///
    /// No lock: the address space is the calling thread's own, and it is torn down only once
    /// no thread of the process runs.
    fn for_each_page(
        &self,
        va: u64,
        len: u64,
        write: bool,
        mut f: impl FnMut(u64, usize, usize),
    ) -> Result<(), Status> {
        if len == 0 {
            return Ok(());
        }
        check_range(va, len)?;
        if !self.proc_.has_address_space() {
            return Err(Status::BAD_STATE);
        }
        let (first, last) = page_span(va, len);
        if first == last {
            // One page (every small copy): one translation, then the copy.
            let pa = bsp::cpu::translate_el0(va, write).ok_or(Status::INVALID_ARGS)?;
            f(pa, 0, len as usize);
            return Ok(());
        }
        let pages = ((last - first) / PAGE + 1) as usize;
        let mut kept = [0u64; KEPT_PAGES];
        if write {
            let mut p = first;
            for i in 0..pages {
                let pa = bsp::cpu::translate_el0(p, true).ok_or(Status::INVALID_ARGS)?;
                if let Some(k) = kept.get_mut(i) {
                    *k = pa & !(PAGE - 1);
                }
                p += PAGE;
            }
        }
        let mut done = 0u64;
        let mut i = 0;
        while done < len {
            let cur = va + done;
            let pa = match kept.get(i) {
                Some(&k) if write => k | (cur & (PAGE - 1)),
                _ => bsp::cpu::translate_el0(cur, write).ok_or(Status::INVALID_ARGS)?,
            };
            let chunk = (PAGE - (cur & (PAGE - 1))).min(len - done);
            f(pa, done as usize, chunk as usize);
            done += chunk;
            i += 1;
        }
        Ok(())
    }
}

/// Pages whose translation a checked write keeps between its check and its copy (a 64 KiB
/// buffer at any offset spans 17).
const KEPT_PAGES: usize = 17;

impl UserMemory for UserAspace<'_> {
    fn copy_in(&self, va: u64, out: &mut [u8]) -> Result<(), Status> {
        let len = out.len() as u64;
        self.for_each_page(va, len, false, |pa, off, n| {
            let dst = out[off..off + n].as_mut_ptr();
            // SAFETY: `pa..pa+n` lies in one user page EL0 may read, reached via the linear map;
            // `dst` is `n` bytes of `out`, which cannot overlap a user page's frame.
            unsafe {
                bsp::mem::copy_bulk(
                    dst,
                    mm::phys_to_virt(bsp::addr::PhysAddr(pa)) as *const u8,
                    n,
                )
            };
        })
    }

    fn copy_in_append(&self, va: u64, len: usize, out: &mut Vec<u8>) -> Result<(), Status> {
        out.try_reserve(len).map_err(|_| Status::NO_MEMORY)?;
        let start = out.len();
        let dst = out.spare_capacity_mut().as_mut_ptr().cast::<u8>();
        self.for_each_page(va, len as u64, false, |pa, off, n| {
            // SAFETY: `pa..pa+n` lies in one user page EL0 may read, reached via the linear
            // map; `off + n <= len`, within the capacity reserved above, and the kernel buffer
            // cannot overlap a user page's frame.
            unsafe {
                bsp::mem::copy_bulk(
                    dst.add(off),
                    mm::phys_to_virt(bsp::addr::PhysAddr(pa)) as *const u8,
                    n,
                )
            };
        })?;
        // SAFETY: `for_each_page` returned Ok, so its pieces covered all of `0..len`: every
        // byte up to `start + len` is initialised.
        unsafe { out.set_len(start + len) };
        Ok(())
    }

    fn copy_out(&self, va: u64, data: &[u8]) -> Result<(), Status> {
        self.for_each_page(va, data.len() as u64, true, |pa, off, n| {
            let src = data[off..off + n].as_ptr();
            // SAFETY: `pa..pa+n` lies in one user page EL0 may write, reached via the linear
            // map; `src` is `n` bytes of `data`, which cannot overlap a user page's frame.
            unsafe {
                bsp::mem::copy_bulk(mm::phys_to_virt(bsp::addr::PhysAddr(pa)) as *mut u8, src, n)
            };
        })
    }

    fn check(&self, va: u64, len: u64, write: bool) -> Result<(), Status> {
        self.for_each_page(va, len, write, |_, _, _| {})
    }

    type OutU32 = OutU32;

    fn prepare_u32(&self, va: u64) -> Result<OutU32, Status> {
        check_range(va, 4)?;
        if va & (PAGE - 1) <= PAGE - 4 {
            if !self.proc_.has_address_space() {
                return Err(Status::BAD_STATE);
            }
            let pa = bsp::cpu::translate_el0(va, true).ok_or(Status::INVALID_ARGS)?;
            Ok(OutU32 { va, pa: Some(pa) })
        } else {
            self.check(va, 4, true)?;
            Ok(OutU32 { va, pa: None })
        }
    }

    fn write_u32(&self, out: &OutU32, v: u32) {
        match out.pa {
            // SAFETY: `pa` is a user page EL0 may write (checked by `prepare_u32`), 4 bytes
            // inside one page, reached through the linear map.
            Some(pa) => unsafe {
                core::ptr::write_unaligned(
                    mm::phys_to_virt(bsp::addr::PhysAddr(pa)) as *mut [u8; 4],
                    v.to_le_bytes(),
                )
            },
            None => {
                let _ = self.copy_out(out.va, &v.to_le_bytes());
            }
        }
    }
}

/// Copies user `[va, va+out.len())` of the current process into `out` (for handlers not yet
/// given a [`Ctx`](crate::syscall::ctx::Ctx)).
pub fn copy_in(va: u64, out: &mut [u8]) -> Result<(), Status> {
    if out.is_empty() {
        return Ok(());
    }
    UserAspace::current()?.copy_in(va, out)
}

/// Copies `data` to user `[va, va+data.len())` of the current process.
pub fn copy_out(va: u64, data: &[u8]) -> Result<(), Status> {
    if data.is_empty() {
        return Ok(());
    }
    UserAspace::current()?.copy_out(va, data)
}

/// Checks that EL0 could write `[va, va+len)` of the current process, without writing.
pub fn check_writable(va: u64, len: u64) -> Result<(), Status> {
    if len == 0 {
        return Ok(());
    }
    UserAspace::current()?.check(va, len, true)
}

/// A user pointer to one `T`: an allegation until read or written through usercopy.
#[derive(Clone, Copy, Debug)]
pub struct UserPtr<T: Pod> {
    addr: u64,
    _t: PhantomData<T>,
}

impl<T: Pod> UserPtr<T> {
    /// A pointer to a `T` at user address `addr` (nothing is checked until it is used).
    pub fn new(addr: u64) -> Self {
        UserPtr {
            addr,
            _t: PhantomData,
        }
    }
    /// The user address.
    pub fn addr(&self) -> u64 {
        self.addr
    }
    /// Whether the address is 0 (NULL).
    pub fn is_null(&self) -> bool {
        self.addr == 0
    }
    /// The `i`-th element of an array starting here.
    pub fn at(&self, i: usize) -> Result<UserPtr<T>, Status> {
        let off = (i as u64)
            .checked_mul(T::SIZE as u64)
            .ok_or(Status::INVALID_ARGS)?;
        Ok(UserPtr::new(
            self.addr.checked_add(off).ok_or(Status::INVALID_ARGS)?,
        ))
    }
    /// Reads the `T` from the current process, as [`copy_in`] does.
    pub fn read(&self) -> Result<T, Status> {
        zx_abi::with_buf(T::SIZE, |b| {
            copy_in(self.addr, b)?;
            Ok(T::from_bytes(b))
        })
    }
    /// Writes `v` to the current process, as [`copy_out`] does (all of it or nothing).
    pub fn write(&self, v: &T) -> Result<(), Status> {
        zx_abi::with_buf(T::SIZE, |b| {
            v.to_bytes(b);
            copy_out(self.addr, b)
        })
    }
    /// Writes unless the pointer is NULL (optional out-parameters).
    pub fn write_opt(&self, v: &T) -> Result<(), Status> {
        if self.is_null() {
            Ok(())
        } else {
            self.write(v)
        }
    }
}

/// An out-parameter (`u32`) validated ahead of the writes it belongs with, so a syscall can
/// check every output first and then write without translating again ([`UserMemory::OutU32`]).
pub struct OutU32 {
    va: u64,
    /// Physical address when the value lies in one page (the common case).
    pa: Option<u64>,
}
