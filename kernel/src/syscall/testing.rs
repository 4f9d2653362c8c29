//! Host doubles for a syscall's context: a sparse fake address space (mapped pages, read-only
//! pages, holes, the kernel half beyond reach) and a fake thread whose waits use a condition
//! variable. With them `cargo test` runs the real handlers.

use super::ctx::{Caller, Ctx, UserMemory, Woke};
use crate::object::handle_table::HandleTable;
use crate::object::Wake;
use crate::vm::range::{check_range, page_span, PAGE};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;
use zx_abi::{Status, TIME_INFINITE};

struct Page {
    data: Box<[u8; PAGE as usize]>,
    writable: bool,
}

/// A sparse address space: pages are mapped one by one, readable and optionally writable;
/// everything else is a hole. Accesses are checked like the target's usercopy: the range, then
/// every page, then the copy (a failed access changes nothing).
#[derive(Default)]
pub struct FakeSpace {
    pages: Mutex<BTreeMap<u64, Page>>,
}

impl FakeSpace {
    /// An address space with nothing mapped.
    pub fn new() -> Self {
        Self::default()
    }

    /// Maps the pages covering `[va, va + len)`, zero-filled (pages already mapped keep their
    /// contents and take the new permission).
    pub fn map(&self, va: u64, len: u64, writable: bool) {
        assert!(len > 0 && check_range(va, len).is_ok());
        let (first, last) = page_span(va, len);
        let mut pages = self.pages.lock().unwrap();
        let mut p = first;
        loop {
            pages
                .entry(p)
                .or_insert_with(|| Page {
                    data: Box::new([0; PAGE as usize]),
                    writable,
                })
                .writable = writable;
            if p == last {
                break;
            }
            p += PAGE;
        }
    }

    /// Writes `data` at `va` whatever the pages' permissions (test set-up; panics on a hole).
    pub fn poke(&self, va: u64, data: &[u8]) {
        self.access(va, data.len() as u64, |page, at, off, n| {
            page.data[at..at + n].copy_from_slice(&data[off..off + n])
        })
        .expect("poke into a hole");
    }

    /// Reads `len` bytes at `va` (test inspection; panics on a hole).
    pub fn peek(&self, va: u64, len: usize) -> Vec<u8> {
        let mut out = vec![0; len];
        self.access(va, len as u64, |page, at, off, n| {
            out[off..off + n].copy_from_slice(&page.data[at..at + n])
        })
        .expect("peek into a hole");
        out
    }

    /// Reads the little-endian `u32` at `va` (test inspection; panics on a hole).
    pub fn peek_u32(&self, va: u64) -> u32 {
        u32::from_le_bytes(self.peek(va, 4).try_into().unwrap())
    }

    /// Runs `f(page, offset_in_page, offset_in_range, n)` for each piece of the range, once
    /// every page is known to be there.
    fn access(
        &self,
        va: u64,
        len: u64,
        mut f: impl FnMut(&mut Page, usize, usize, usize),
    ) -> Result<(), Status> {
        if len == 0 {
            return Ok(());
        }
        check_range(va, len)?;
        let mut pages = self.pages.lock().unwrap();
        let (first, last) = page_span(va, len);
        let mut p = first;
        loop {
            if !pages.contains_key(&p) {
                return Err(Status::INVALID_ARGS);
            }
            if p == last {
                break;
            }
            p += PAGE;
        }
        let mut done = 0u64;
        while done < len {
            let cur = va + done;
            let at = (cur & (PAGE - 1)) as usize;
            let n = (PAGE - (cur & (PAGE - 1))).min(len - done) as usize;
            f(
                pages.get_mut(&(cur & !(PAGE - 1))).unwrap(),
                at,
                done as usize,
                n,
            );
            done += n as u64;
        }
        Ok(())
    }

    fn writable(&self, va: u64, len: u64) -> Result<(), Status> {
        if len == 0 {
            return Ok(());
        }
        check_range(va, len)?;
        let pages = self.pages.lock().unwrap();
        let (first, last) = page_span(va, len);
        let mut p = first;
        loop {
            match pages.get(&p) {
                Some(pg) if pg.writable => {}
                _ => return Err(Status::INVALID_ARGS),
            }
            if p == last {
                break;
            }
            p += PAGE;
        }
        Ok(())
    }
}

impl UserMemory for FakeSpace {
    fn copy_in(&self, va: u64, out: &mut [u8]) -> Result<(), Status> {
        self.access(va, out.len() as u64, |page, at, off, n| {
            out[off..off + n].copy_from_slice(&page.data[at..at + n])
        })
    }

    fn copy_out(&self, va: u64, data: &[u8]) -> Result<(), Status> {
        self.writable(va, data.len() as u64)?;
        self.access(va, data.len() as u64, |page, at, off, n| {
            page.data[at..at + n].copy_from_slice(&data[off..off + n])
        })
    }

    fn check(&self, va: u64, len: u64, write: bool) -> Result<(), Status> {
        if write {
            self.writable(va, len)
        } else {
            self.access(va, len, |_, _, _, _| {})
        }
    }

    type OutU32 = u64;

    fn prepare_u32(&self, va: u64) -> Result<u64, Status> {
        self.writable(va, 4)?;
        Ok(va)
    }

    fn write_u32(&self, out: &u64, v: u32) {
        self.copy_out(*out, &v.to_le_bytes())
            .expect("a prepared out-parameter stays writable");
    }
}

/// A wake-up flag with a condition variable (what a fake thread blocks on).
#[derive(Default)]
pub struct Flag {
    set: Mutex<bool>,
    cv: Condvar,
}

impl Wake for Flag {
    fn wake(&self) {
        *self.set.lock().unwrap() = true;
        self.cv.notify_all();
    }
}

/// The calling thread on the host. A finite deadline is treated as already past (a wait either
/// finds its wake-up pending or times out at once: no test depends on the host's speed); an
/// infinite one waits for the wake-up (and panics after a minute: a hung test is a failure).
pub struct FakeThread {
    flag: Arc<Flag>,
    /// The kill flag [`Caller::killed`] reports.
    pub killed: AtomicBool,
    /// Kernel memory still available to the caller (`NO_MEMORY` past it).
    pub available: AtomicU64,
    /// Preemption points passed.
    pub preemptions: AtomicU64,
    /// What the messages it writes are charged to.
    pub account: Arc<crate::object::quota::Account>,
}

impl Default for FakeThread {
    fn default() -> Self {
        FakeThread {
            flag: Arc::new(Flag::default()),
            killed: AtomicBool::new(false),
            available: AtomicU64::new(u64::MAX),
            preemptions: AtomicU64::new(0),
            account: crate::object::quota::Account::with_limit(usize::MAX),
        }
    }
}

impl Caller for FakeThread {
    fn waker(&self) -> Arc<dyn Wake> {
        self.flag.clone()
    }
    fn prepare_wait(&self) {
        *self.flag.set.lock().unwrap() = false;
    }
    fn block(&self, deadline: i64) -> Woke {
        let mut set = self.flag.set.lock().unwrap();
        if deadline != TIME_INFINITE {
            return if *set { Woke::Woken } else { Woke::TimedOut };
        }
        while !*set {
            let (g, t) = self
                .flag
                .cv
                .wait_timeout(set, Duration::from_secs(60))
                .unwrap();
            assert!(!t.timed_out(), "a fake thread waited a minute");
            set = g;
        }
        Woke::Woken
    }
    fn killed(&self) -> bool {
        self.killed.load(Ordering::Acquire)
    }
    fn preempt_point(&self) {
        self.preemptions.fetch_add(1, Ordering::Relaxed);
    }
    fn check_available(&self, bytes: u64) -> Result<(), Status> {
        if bytes <= self.available.load(Ordering::Relaxed) {
            Ok(())
        } else {
            Err(Status::NO_MEMORY)
        }
    }
    fn ipc_account(&self) -> Option<&Arc<crate::object::quota::Account>> {
        Some(&self.account)
    }
}

/// A fake process: its handle table, its address space and one thread.
pub struct FakeProcess {
    /// Its handle table.
    pub handles: spin::Mutex<HandleTable>,
    /// Its address space (empty until the test maps pages).
    pub mem: FakeSpace,
    /// Its thread: the caller of the syscalls made through [`cx`](Self::cx).
    pub thread: FakeThread,
}

impl FakeProcess {
    /// A process with an empty handle table salted by `seed`, nothing mapped, and a thread
    /// with no memory limit.
    pub fn new(seed: u64) -> Self {
        FakeProcess {
            handles: spin::Mutex::new(HandleTable::new(seed)),
            mem: FakeSpace::new(),
            thread: FakeThread::default(),
        }
    }

    /// The context of a syscall made by this process's thread.
    pub fn cx(&self) -> Ctx<'_, FakeSpace, FakeThread> {
        Ctx {
            handles: &self.handles,
            mem: &self.mem,
            caller: &self.thread,
        }
    }
}
