//! Model-based tests of the object layer.
//!
//! A plain reference model (a map from handle value to object and rights, one queue of model
//! messages per channel side, a reference count per object) is driven, with a deterministic
//! pseudo-random generator, through the same operations as the real [`HandleTable`] and objects,
//! and the two are compared after every step. Then targeted tests: teardown of deeply nested
//! channels on a small stack, the pending-message limit and `WRITABLE` backpressure, and channel
//! calls.
//!
//! The real side's channel and handle operations are the syscall layer's own handlers
//! (`zx_channel_write`, `_read`, `zx_handle_close`, `_duplicate`, `_replace`), run against a
//! fake process (`syscall::testing`): its handle table is the real table compared with the
//! model, its address space holds the bytes and handle values the calls pass. The model
//! computes what docs/abi.md says independently (`Model` methods).

use super::channel::{CallPoll, Endpoint, Message, ReadError};
use super::event::{Event, EventPairEnd};
use super::handle_table::HandleTable;
use super::testutil::CountingWaker;
use super::{Handle, KernelObject, Koid, Wake};
use crate::syscall::channel::{self as sys_channel, ReadArgs, WriteArgs};
use crate::syscall::handle as sys_handle;
use crate::syscall::testing::FakeProcess;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};
use zx_abi::{ObjType, Rights, Signals, Status, CALL_TXID_MIN, CHANNEL_MAX_PENDING};

// ---------------------------------------------------------------------------------------------
// Test plumbing
// ---------------------------------------------------------------------------------------------

/// xorshift64* (Vigna), seeded through splitmix64: deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Rng((z ^ (z >> 31)) | 1)
    }

    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        assert!(n > 0);
        (self.next_u64() >> 33) as usize % n
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn bytes(&mut self, max_len: usize) -> Vec<u8> {
        let n = self.below(max_len + 1);
        (0..n).map(|_| self.next_u64() as u8).collect()
    }
}

/// The reaper's graveyard is global while "already reaping" is per thread in host builds, so a
/// thread that is reaping may pick up an endpoint another test's thread just closed and finish
/// its teardown a little later (see `close_destroys_the_queue_before_returning_...` below).
/// These tests run one at a time, and checks that depend on a teardown go through
/// [`settled`], which waits out such foreign delays but fails on a state that never converges.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `check` until it passes; its last error after 5 s.
fn settled(mut check: impl FnMut() -> Result<(), String>) -> Result<(), String> {
    let start = Instant::now();
    loop {
        match check() {
            Ok(()) => return Ok(()),
            Err(e) if start.elapsed() > Duration::from_secs(5) => return Err(e),
            Err(_) => std::thread::yield_now(),
        }
    }
}

fn settle(check: impl FnMut() -> Result<(), String>) {
    if let Err(e) = settled(check) {
        panic!("{e}");
    }
}

fn status_name(s: Status) -> &'static str {
    const NAMES: [(Status, &str); 12] = [
        (Status::OK, "OK"),
        (Status::INTERNAL, "INTERNAL"),
        (Status::NOT_SUPPORTED, "NOT_SUPPORTED"),
        (Status::INVALID_ARGS, "INVALID_ARGS"),
        (Status::BAD_HANDLE, "BAD_HANDLE"),
        (Status::WRONG_TYPE, "WRONG_TYPE"),
        (Status::BUFFER_TOO_SMALL, "BUFFER_TOO_SMALL"),
        (Status::SHOULD_WAIT, "SHOULD_WAIT"),
        (Status::CANCELED, "CANCELED"),
        (Status::PEER_CLOSED, "PEER_CLOSED"),
        (Status::ACCESS_DENIED, "ACCESS_DENIED"),
        (Status::NO_RESOURCES, "NO_RESOURCES"),
    ];
    NAMES
        .iter()
        .find(|(v, _)| *v == s)
        .map_or("other", |(_, n)| n)
}

fn send(from: &Endpoint, msg: Message) {
    if let Err((s, _)) = from.write(msg) {
        panic!("write failed: {s:?}");
    }
}

fn msg(bytes: &[u8]) -> Message {
    Message::new(bytes.to_vec(), Vec::new())
}

fn chan_handle(e: &Arc<Endpoint>) -> Handle {
    Handle::new(e.clone(), Rights::DEFAULT_CHANNEL)
}

const CHANNEL_SIGNALS: Signals = Signals(
    Signals::CHANNEL_READABLE.0 | Signals::CHANNEL_WRITABLE.0 | Signals::CHANNEL_PEER_CLOSED.0,
);

fn channel_signals(readable: bool, writable: bool, peer_closed: bool) -> Signals {
    let mut s = Signals::NONE;
    if readable {
        s = s.union(Signals::CHANNEL_READABLE);
    }
    if writable {
        s = s.union(Signals::CHANNEL_WRITABLE);
    }
    if peer_closed {
        s = s.union(Signals::CHANNEL_PEER_CLOSED);
    }
    s
}

// ---------------------------------------------------------------------------------------------
// The reference model
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Event,
    EventPair { peer: Koid },
    Channel { peer: Koid },
}

#[derive(Debug)]
struct ModelMsg {
    bytes: Vec<u8>,
    handles: Vec<(Koid, Rights)>,
}

struct ModelObj {
    kind: Kind,
    /// Handles to the object: in the table and inside messages queued on live endpoints.
    refs: u32,
    /// Channel endpoints: the messages waiting to be read on this side.
    queue: VecDeque<ModelMsg>,
    /// The last handle went away: the object (and, for an endpoint, its queue) is gone.
    destroyed: bool,
}

#[derive(Default)]
struct Model {
    objs: BTreeMap<Koid, ModelObj>,
    table: BTreeMap<u32, (Koid, Rights)>,
    /// Every value that named a handle once and was removed.
    closed: BTreeSet<u32>,
    /// Writes refused because they would have closed a cycle.
    cycles_refused: usize,
}

/// docs/abi.md: `SAME_RIGHTS` keeps the rights, a subset is granted, anything else is `INVALID_ARGS`.
fn model_derive(have: Rights, requested: Rights) -> Result<Rights, Status> {
    if requested == Rights::SAME_RIGHTS {
        Ok(have)
    } else if have.contains(requested) {
        Ok(requested)
    } else {
        Err(Status::INVALID_ARGS)
    }
}

impl Model {
    fn add_object(&mut self, koid: Koid, kind: Kind) {
        let fresh = self.objs.insert(
            koid,
            ModelObj {
                kind,
                refs: 0,
                queue: VecDeque::new(),
                destroyed: false,
            },
        );
        assert!(fresh.is_none(), "koid {koid} reused");
    }

    /// Records a value the real table handed out for a handle to `koid` (the reference is
    /// counted by the caller): well formed, and never a value that was in use before.
    fn install(&mut self, v: u32, koid: Koid, rights: Rights) -> Result<(), String> {
        if v & 3 != 3 {
            return Err(format!("value {v:#x} lacks the fixed low bits"));
        }
        if self.table.contains_key(&v) || self.closed.contains(&v) {
            return Err(format!("value {v:#x} handed out again"));
        }
        self.table.insert(v, (koid, rights));
        Ok(())
    }

    /// Takes a value out of the table (the reference it held is now the caller's).
    fn take(&mut self, v: u32) -> Option<(Koid, Rights)> {
        let e = self.table.remove(&v)?;
        self.closed.insert(v);
        Some(e)
    }

    /// Drops one reference to `koid`; the last one destroys the object, and an endpoint's queue
    /// with it, releasing the handles its messages carry (iteratively, like the reaper).
    fn release(&mut self, koid: Koid) {
        let mut work = vec![koid];
        while let Some(k) = work.pop() {
            let o = self.objs.get_mut(&k).expect("known object");
            assert!(o.refs > 0, "model: reference count of {k} underflows");
            o.refs -= 1;
            if o.refs == 0 {
                o.destroyed = true;
                for m in core::mem::take(&mut o.queue) {
                    work.extend(m.handles.iter().map(|(h, _)| *h));
                }
            }
        }
    }

    fn peer_of(&self, koid: Koid) -> Option<Koid> {
        match self.objs[&koid].kind {
            Kind::Event => None,
            Kind::EventPair { peer } | Kind::Channel { peer } => Some(peer),
        }
    }

    /// The channel handle checks: `BAD_HANDLE`, `WRONG_TYPE`, `ACCESS_DENIED` without `need`.
    fn channel(&self, v: u32, need: Rights) -> Result<(Koid, Koid), Status> {
        let &(k, rights) = self.table.get(&v).ok_or(Status::BAD_HANDLE)?;
        let Kind::Channel { peer } = self.objs[&k].kind else {
            return Err(Status::WRONG_TYPE);
        };
        if !rights.contains(need) {
            return Err(Status::ACCESS_DENIED);
        }
        Ok((k, peer))
    }

    /// Is `target` `from`, or queued (at any depth) in the messages waiting on endpoint `from`?
    fn holds(&self, from: Koid, target: Koid) -> bool {
        let mut work = vec![from];
        let mut seen = BTreeSet::new();
        while let Some(k) = work.pop() {
            if k == target {
                return true;
            }
            if !seen.insert(k) {
                continue;
            }
            for m in &self.objs[&k].queue {
                work.extend(
                    m.handles
                        .iter()
                        .map(|&(h, _)| h)
                        .filter(|h| matches!(self.objs[h].kind, Kind::Channel { .. })),
                );
            }
        }
        false
    }

    /// `zx_channel_write` as docs/abi.md section 4 describes it.
    fn write(&mut self, ch: u32, bytes: &[u8], values: &[u32]) -> Result<(), Status> {
        let target = self.channel(ch, Rights::WRITE);
        let mut first_error = None;
        let mut seen = Vec::new();
        let mut carried = Vec::new();
        let mut dropped = Vec::new();
        for &v in values {
            let repeated = seen.contains(&v);
            seen.push(v);
            // Plain entries leave the caller's table whatever happens.
            let entry = self.take(v);
            let check = match entry {
                _ if repeated => Err(Status::BAD_HANDLE),
                None => Err(Status::BAD_HANDLE),
                Some((_, r)) if !r.contains(Rights::TRANSFER) => Err(Status::ACCESS_DENIED),
                Some((k, _)) if target.is_ok_and(|(t, p)| k == t || k == p) => {
                    Err(Status::NOT_SUPPORTED)
                }
                Some(_) => Ok(()),
            };
            match (check, entry) {
                (Ok(()), Some(e)) => carried.push(e),
                (Err(e), entry) => {
                    first_error.get_or_insert(e);
                    dropped.extend(entry.map(|(k, _)| k));
                }
                (Ok(()), None) => unreachable!(),
            }
        }
        for k in dropped {
            self.release(k);
        }
        let fail = |m: &mut Model, carried: Vec<(Koid, Rights)>, e| {
            for (k, _) in carried {
                m.release(k);
            }
            Err(e)
        };
        let (_, peer) = match (target, first_error) {
            (Err(e), _) | (Ok(_), Some(e)) => return fail(self, carried, e),
            (Ok(t), None) => t,
        };
        // The message would be queued on `peer`: if a carried endpoint holds `peer` (through
        // the queues below it), the write would close a cycle (docs/abi.md section 6).
        if carried.iter().any(|&(k, _)| self.holds(k, peer)) {
            self.cycles_refused += 1;
            return fail(self, carried, Status::NOT_SUPPORTED);
        }
        if self.objs[&peer].destroyed {
            return fail(self, carried, Status::PEER_CLOSED);
        }
        if self.objs[&peer].queue.len() >= CHANNEL_MAX_PENDING {
            return fail(self, carried, Status::SHOULD_WAIT);
        }
        self.objs.get_mut(&peer).unwrap().queue.push_back(ModelMsg {
            bytes: bytes.to_vec(),
            handles: carried,
        });
        Ok(())
    }

    /// `zx_channel_read`: the message, or the status with the needed sizes on `BUFFER_TOO_SMALL`.
    #[allow(clippy::type_complexity)]
    fn read(
        &mut self,
        v: u32,
        max_bytes: u32,
        max_handles: u32,
        discard: bool,
    ) -> Result<ModelMsg, (Status, Option<(u32, u32)>)> {
        let (k, peer) = self.channel(v, Rights::READ).map_err(|e| (e, None))?;
        let peer_gone = self.objs[&peer].destroyed;
        let o = self.objs.get_mut(&k).unwrap();
        let Some(front) = o.queue.front() else {
            let s = if peer_gone {
                Status::PEER_CLOSED
            } else {
                Status::SHOULD_WAIT
            };
            return Err((s, None));
        };
        let (nb, nh) = (front.bytes.len() as u32, front.handles.len() as u32);
        if nb > max_bytes || nh > max_handles {
            if discard {
                let m = o.queue.pop_front().unwrap();
                for (h, _) in m.handles {
                    self.release(h);
                }
            }
            return Err((Status::BUFFER_TOO_SMALL, Some((nb, nh))));
        }
        Ok(o.queue.pop_front().unwrap())
    }

    /// A read whose copy-out fails: the message stays queued, whole.
    /// A read whose copy-out to the reader fails: `INVALID_ARGS`, the message stays queued.
    fn read_fault(&self, v: u32) -> Result<(), Status> {
        let (k, peer) = self.channel(v, Rights::READ)?;
        if !self.objs[&k].queue.is_empty() {
            Err(Status::INVALID_ARGS)
        } else if self.objs[&peer].destroyed {
            Err(Status::PEER_CLOSED)
        } else {
            Err(Status::SHOULD_WAIT)
        }
    }

    fn close(&mut self, v: u32) -> Result<(), Status> {
        if v == 0 {
            return Ok(());
        }
        let (k, _) = self.take(v).ok_or(Status::BAD_HANDLE)?;
        self.release(k);
        Ok(())
    }

    /// `zx_handle_duplicate`: the object and rights of the new handle.
    fn duplicate(&self, v: u32, requested: Rights) -> Result<(Koid, Rights), Status> {
        let &(k, r) = self.table.get(&v).ok_or(Status::BAD_HANDLE)?;
        if !r.contains(Rights::DUPLICATE) {
            return Err(Status::ACCESS_DENIED);
        }
        Ok((k, model_derive(r, requested)?))
    }

    /// `zx_handle_replace`: the source is gone in every case but `BAD_HANDLE`.
    fn replace(&mut self, v: u32, requested: Rights) -> Result<(Koid, Rights), Status> {
        let (k, r) = self.take(v).ok_or(Status::BAD_HANDLE)?;
        let rights = model_derive(r, requested);
        if rights.is_err() {
            self.release(k);
        }
        rights.map(|nr| (k, nr))
    }

    /// What an object's signals must be.
    fn expected_signals(&self, k: Koid) -> Signals {
        let o = &self.objs[&k];
        match o.kind {
            Kind::Event => Signals::NONE,
            Kind::EventPair { peer } => {
                if self.objs[&peer].destroyed {
                    Signals::EVENTPAIR_PEER_CLOSED
                } else {
                    Signals::NONE
                }
            }
            Kind::Channel { peer } => {
                let p = &self.objs[&peer];
                channel_signals(
                    !o.queue.is_empty(),
                    !p.destroyed && p.queue.len() < CHANNEL_MAX_PENDING,
                    p.destroyed,
                )
            }
        }
    }

    /// The model's own bookkeeping: reference counts equal what the table and queues hold.
    fn self_check(&self) -> Result<(), String> {
        let mut refs: BTreeMap<Koid, u32> = BTreeMap::new();
        for (k, _) in self.table.values() {
            *refs.entry(*k).or_default() += 1;
        }
        for o in self.objs.values().filter(|o| !o.destroyed) {
            for m in &o.queue {
                for (k, _) in &m.handles {
                    *refs.entry(*k).or_default() += 1;
                }
            }
        }
        for (k, o) in &self.objs {
            let n = refs.get(k).copied().unwrap_or(0);
            if n != o.refs || o.destroyed != (n == 0) {
                return Err(format!("model bookkeeping of {k}: {} vs {n}", o.refs));
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// The real side: a fake process, driven through the real syscall handlers
// ---------------------------------------------------------------------------------------------

struct Real {
    p: FakeProcess,
    objs: BTreeMap<Koid, Weak<dyn KernelObject>>,
}

// The fake process's memory: read-write pages for what the calls pass, one read-only page.
const MEM: u64 = 0x10000;
const BYTES: u64 = MEM;
const VALUES: u64 = MEM + 0x1000;
const OUT: u64 = MEM + 0x2000;
const ACTUAL_BYTES: u64 = MEM + 0x2004;
const ACTUAL_HANDLES: u64 = MEM + 0x2008;
const READ_BYTES: u64 = MEM + 0x3000;
const READ_VALUES: u64 = MEM + 0x3800;
const READ_ONLY: u64 = MEM + 0x4000;

fn user_process(seed: u64) -> FakeProcess {
    let p = FakeProcess::new(seed);
    p.mem.map(MEM, READ_ONLY - MEM, true);
    p.mem.map(READ_ONLY, 4096, false);
    p
}

fn add(p: &FakeProcess, h: Handle) -> u32 {
    p.handles
        .lock()
        .add(h)
        .unwrap_or_else(|(s, _)| panic!("table add failed: {s:?}"))
}

/// The real `zx_channel_write`, with `bytes` and `values` placed in the caller's memory.
fn sys_write(p: &FakeProcess, ch: u32, bytes: &[u8], values: &[u32]) -> Result<(), Status> {
    p.mem.poke(BYTES, bytes);
    let raw: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    p.mem.poke(VALUES, &raw);
    let args = WriteArgs {
        handle: ch,
        options: 0,
        bytes: BYTES,
        num_bytes: bytes.len() as u32,
        handles: VALUES,
        num_handles: values.len() as u32,
    };
    sys_channel::write(&p.cx(), &args, false)
}

/// The real `zx_channel_read` (or, with `discard`, with `ZX_CHANNEL_READ_MAY_DISCARD`): on
/// success the bytes and the values the handles were installed at; on `BUFFER_TOO_SMALL` the
/// sizes it reported.
#[allow(clippy::type_complexity)]
fn sys_read(
    p: &FakeProcess,
    ch: u32,
    max_bytes: u32,
    max_handles: u32,
    discard: bool,
) -> Result<(Vec<u8>, Vec<u32>), (Status, Option<(u32, u32)>)> {
    let args = ReadArgs {
        handle: ch,
        options: if discard {
            zx_abi::CHANNEL_READ_MAY_DISCARD
        } else {
            0
        },
        bytes: READ_BYTES,
        handles: READ_VALUES,
        num_bytes: max_bytes,
        num_handles: max_handles,
        actual_bytes: ACTUAL_BYTES,
        actual_handles: ACTUAL_HANDLES,
    };
    match sys_channel::read(&p.cx(), &args, false) {
        Ok(()) => {
            let nb = p.mem.peek_u32(ACTUAL_BYTES) as usize;
            let nh = p.mem.peek_u32(ACTUAL_HANDLES) as usize;
            let values = (0..nh)
                .map(|i| p.mem.peek_u32(READ_VALUES + 4 * i as u64))
                .collect();
            Ok((p.mem.peek(READ_BYTES, nb), values))
        }
        Err(Status::BUFFER_TOO_SMALL) => Err((
            Status::BUFFER_TOO_SMALL,
            Some((p.mem.peek_u32(ACTUAL_BYTES), p.mem.peek_u32(ACTUAL_HANDLES))),
        )),
        Err(s) => Err((s, None)),
    }
}

/// A read whose copy-out fails (`actual_bytes` is read-only): `INVALID_ARGS`, and the message
/// stays queued.
fn sys_read_fault(p: &FakeProcess, ch: u32) -> Result<(), Status> {
    let args = ReadArgs {
        handle: ch,
        options: 0,
        bytes: READ_BYTES,
        handles: READ_VALUES,
        num_bytes: u32::MAX,
        num_handles: u32::MAX,
        actual_bytes: READ_ONLY,
        actual_handles: ACTUAL_HANDLES,
    };
    sys_channel::read(&p.cx(), &args, false)
}

fn sys_close(p: &FakeProcess, v: u32) -> Result<(), Status> {
    sys_handle::close(&p.cx(), v)
}

fn sys_duplicate(p: &FakeProcess, v: u32, requested: Rights) -> Result<u32, Status> {
    sys_handle::duplicate(&p.cx(), v, requested.bits(), OUT, false)?;
    Ok(p.mem.peek_u32(OUT))
}

fn sys_replace(p: &FakeProcess, v: u32, requested: Rights) -> Result<u32, Status> {
    sys_handle::duplicate(&p.cx(), v, requested.bits(), OUT, true)?;
    Ok(p.mem.peek_u32(OUT))
}

// ---------------------------------------------------------------------------------------------
// Operations and the driver
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Op {
    CreateChannel {
        with_duplicate: bool,
    },
    CreateEvent,
    CreateEventPair,
    Write {
        ch: u32,
        bytes: Vec<u8>,
        handles: Vec<u32>,
    },
    Read {
        ch: u32,
        max_bytes: u32,
        max_handles: u32,
        discard: bool,
    },
    ReadFault {
        ch: u32,
    },
    Close {
        v: u32,
    },
    Duplicate {
        v: u32,
        rights: Rights,
    },
    Replace {
        v: u32,
        rights: Rights,
    },
}

fn nth_value(rng: &mut Rng, set: impl ExactSizeIterator<Item = u32>) -> Option<u32> {
    let n = set.len();
    let mut set = set;
    (n > 0).then(|| set.nth(rng.below(n)).unwrap())
}

/// Mostly a live value; sometimes a closed one, `ZX_HANDLE_INVALID` or garbage.
fn pick_value(rng: &mut Rng, m: &Model) -> u32 {
    let r = rng.below(100);
    let live = if r < 80 {
        nth_value(rng, m.table.keys().copied())
    } else {
        None
    };
    let stale = if live.is_none() && r < 90 {
        nth_value(rng, m.closed.iter().copied())
    } else {
        None
    };
    live.or(stale)
        .unwrap_or_else(|| if rng.chance(50) { 0 } else { rng.next_u32() })
}

/// Mostly a channel handle, preferably one for which `useful` holds (a peer to write to,
/// messages to read); sometimes any value.
fn pick_channel(rng: &mut Rng, m: &Model, useful: fn(&Model, Koid) -> bool) -> u32 {
    let chans: Vec<(u32, bool)> = m
        .table
        .iter()
        .filter(|(_, (k, _))| matches!(m.objs[k].kind, Kind::Channel { .. }))
        .map(|(v, (k, _))| (*v, useful(m, *k)))
        .collect();
    let good: Vec<u32> = chans.iter().filter(|c| c.1).map(|c| c.0).collect();
    if !good.is_empty() && rng.chance(70) {
        good[rng.below(good.len())]
    } else if !chans.is_empty() && rng.chance(85) {
        chans[rng.below(chans.len())].0
    } else {
        pick_value(rng, m)
    }
}

fn peer_alive(m: &Model, k: Koid) -> bool {
    m.peer_of(k).is_some_and(|p| !m.objs[&p].destroyed)
}

fn has_messages(m: &Model, k: Koid) -> bool {
    !m.objs[&k].queue.is_empty()
}

fn pick_rights(rng: &mut Rng, m: &Model, v: u32) -> Rights {
    let have = m.table.get(&v).map_or(Rights::DEFAULT_CHANNEL, |e| e.1);
    let some = [
        Rights::DUPLICATE,
        Rights::TRANSFER,
        Rights::READ,
        Rights::WRITE,
    ][rng.below(4)];
    match rng.below(7) {
        0 | 1 => Rights::SAME_RIGHTS,
        2 => have.difference(some),
        3 => Rights(have.0 & rng.next_u32()),
        4 => have.union(Rights(1 << rng.below(19))),
        5 => Rights::NONE,
        _ => Rights(rng.next_u32()),
    }
}

/// Values a write transfers: live handles mostly, and the awkward ones docs/abi.md rules on.
fn pick_transfers(rng: &mut Rng, m: &Model, ch: u32) -> Vec<u32> {
    let n = [0, 0, 0, 1, 1, 1, 2, 2, 3, 4][rng.below(10)];
    let target = m.table.get(&ch).map(|e| e.0);
    let peer = target.and_then(|k| m.peer_of(k));
    let to = |k: Option<Koid>| -> Vec<u32> {
        m.table
            .iter()
            .filter(|(_, (o, _))| Some(*o) == k)
            .map(|(v, _)| *v)
            .collect()
    };
    let (same, peers) = (to(target), to(peer));
    let mut out: Vec<u32> = Vec::new();
    for _ in 0..n {
        let choice = rng.below(100);
        let from = |rng: &mut Rng, s: &[u32]| (!s.is_empty()).then(|| s[rng.below(s.len())]);
        let v = match choice {
            0..=59 => None,
            60..=67 => Some(ch),
            68..=72 => from(rng, &same),
            73..=80 => from(rng, &peers),
            81..=87 => nth_value(rng, m.closed.iter().copied()),
            88..=91 => Some(rng.next_u32()),
            _ => from(rng, &out),
        };
        let v = v
            .or_else(|| nth_value(rng, m.table.keys().copied()))
            .unwrap_or(0);
        out.push(v);
    }
    out
}

fn gen_op(rng: &mut Rng, m: &Model) -> Op {
    match rng.below(100) {
        0..=11 => Op::CreateChannel {
            with_duplicate: rng.chance(40),
        },
        12..=16 => Op::CreateEvent,
        17 | 18 => Op::CreateEventPair,
        19..=48 => {
            let ch = pick_channel(rng, m, peer_alive);
            let handles = pick_transfers(rng, m, ch);
            Op::Write {
                ch,
                bytes: rng.bytes(8),
                handles,
            }
        }
        49..=66 => Op::Read {
            ch: pick_channel(rng, m, has_messages),
            max_bytes: rng.below(10) as u32,
            max_handles: rng.below(5) as u32,
            discard: rng.chance(40),
        },
        67..=70 => Op::ReadFault {
            ch: pick_channel(rng, m, has_messages),
        },
        71..=80 => Op::Close {
            v: pick_value(rng, m),
        },
        81..=90 => {
            let v = pick_value(rng, m);
            Op::Duplicate {
                v,
                rights: pick_rights(rng, m, v),
            }
        }
        _ => {
            let v = pick_value(rng, m);
            Op::Replace {
                v,
                rights: pick_rights(rng, m, v),
            }
        }
    }
}

/// How often each operation ended with each status, over all seeds (to check the random
/// operations really reach every rule).
#[derive(Default)]
struct Coverage {
    outcomes: BTreeMap<String, usize>,
    transferred: usize,
    received: usize,
    cycles_refused: usize,
}

impl Coverage {
    fn note(&mut self, op: &str, r: Result<(), Status>) {
        let s = r.err().unwrap_or(Status::OK);
        *self
            .outcomes
            .entry(format!("{op}:{}", status_name(s)))
            .or_default() += 1;
    }
    fn seen(&self, key: &str) -> usize {
        self.outcomes.get(key).copied().unwrap_or(0)
    }
}

fn same<T: PartialEq + core::fmt::Debug>(what: &str, real: T, model: T) -> Result<(), String> {
    if real == model {
        Ok(())
    } else {
        Err(format!("{what}: real {real:?}, model {model:?}"))
    }
}

/// Applies `op` to both sides and compares what they return.
fn apply(op: &Op, m: &mut Model, r: &mut Real, cov: &mut Coverage) -> Result<(), String> {
    match op {
        Op::CreateChannel { with_duplicate } => {
            let (a, b) = Endpoint::new_pair();
            let rights = if *with_duplicate {
                Rights::DEFAULT_CHANNEL.union(Rights::DUPLICATE)
            } else {
                Rights::DEFAULT_CHANNEL
            };
            let (ka, kb) = (a.header().koid(), b.header().koid());
            m.add_object(ka, Kind::Channel { peer: kb });
            m.add_object(kb, Kind::Channel { peer: ka });
            for (k, o) in [
                (ka, a as Arc<dyn KernelObject>),
                (kb, b as Arc<dyn KernelObject>),
            ] {
                r.objs.insert(k, Arc::downgrade(&o));
                let v = add(&r.p, Handle::new(o, rights));
                m.objs.get_mut(&k).unwrap().refs += 1;
                m.install(v, k, rights)?;
            }
        }
        Op::CreateEvent => {
            let e: Arc<dyn KernelObject> = Event::new();
            let k = e.koid();
            m.add_object(k, Kind::Event);
            r.objs.insert(k, Arc::downgrade(&e));
            let v = add(&r.p, Handle::new(e, Rights::DEFAULT_EVENT));
            m.objs.get_mut(&k).unwrap().refs += 1;
            m.install(v, k, Rights::DEFAULT_EVENT)?;
        }
        Op::CreateEventPair => {
            let (a, b) = EventPairEnd::new_pair();
            let (ka, kb) = (a.header().koid(), b.header().koid());
            m.add_object(ka, Kind::EventPair { peer: kb });
            m.add_object(kb, Kind::EventPair { peer: ka });
            for (k, o) in [
                (ka, a as Arc<dyn KernelObject>),
                (kb, b as Arc<dyn KernelObject>),
            ] {
                r.objs.insert(k, Arc::downgrade(&o));
                let v = add(&r.p, Handle::new(o, Rights::DEFAULT_EVENTPAIR));
                m.objs.get_mut(&k).unwrap().refs += 1;
                m.install(v, k, Rights::DEFAULT_EVENTPAIR)?;
            }
        }
        Op::Write { ch, bytes, handles } => {
            let want = m.write(*ch, bytes, handles);
            let got = sys_write(&r.p, *ch, bytes, handles);
            cov.note("write", got);
            if got.is_ok() {
                cov.transferred += handles.len();
            }
            same("write status", got, want)?;
        }
        Op::Read {
            ch,
            max_bytes,
            max_handles,
            discard,
        } => {
            let want = m.read(*ch, *max_bytes, *max_handles, *discard);
            let got = sys_read(&r.p, *ch, *max_bytes, *max_handles, *discard);
            cov.note("read", got.as_ref().map(|_| ()).map_err(|e| e.0));
            match (got, want) {
                (Ok((bytes, values)), Ok(mm)) => {
                    same("read bytes", &bytes, &mm.bytes)?;
                    same("read handle count", values.len(), mm.handles.len())?;
                    cov.received += values.len();
                    for (v, (k, rights)) in values.into_iter().zip(mm.handles) {
                        m.install(v, k, rights)?;
                    }
                }
                (Err(g), Err(w)) => same("read error", g, w)?,
                (g, w) => {
                    return Err(format!(
                        "read: real {:?}, model {:?}",
                        g.map(|x| x.0.len()),
                        w.map(|x| x.bytes.len())
                    ))
                }
            }
        }
        Op::ReadFault { ch } => {
            let want = m.read_fault(*ch);
            let got = sys_read_fault(&r.p, *ch);
            cov.note("read_fault", got);
            same("read with failed copy-out", got, want)?;
        }
        Op::Close { v } => {
            let want = m.close(*v);
            let got = sys_close(&r.p, *v);
            cov.note("close", got);
            same("close", got, want)?;
        }
        Op::Duplicate { v, rights } => {
            let want = m.duplicate(*v, *rights);
            let got = sys_duplicate(&r.p, *v, *rights);
            cov.note("duplicate", got.map(|_| ()));
            match (got, want) {
                (Ok(nv), Ok((k, nr))) => {
                    m.objs.get_mut(&k).unwrap().refs += 1;
                    m.install(nv, k, nr)?;
                }
                (g, w) => same("duplicate", g.map(|_| ()), w.map(|_| ()))?,
            }
        }
        Op::Replace { v, rights } => {
            let want = m.replace(*v, *rights);
            let got = sys_replace(&r.p, *v, *rights);
            cov.note("replace", got.map(|_| ()));
            match (got, want) {
                (Ok(nv), Ok((k, nr))) => m.install(nv, k, nr)?,
                (g, w) => same("replace", g.map(|_| ()), w.map(|_| ()))?,
            }
        }
    }
    Ok(())
}

/// Everything the model says about the real table and objects.
fn check(m: &Model, r: &Real) -> Result<(), String> {
    m.self_check()?;
    let table = r.p.handles.lock();
    same("live handles", table.len(), m.table.len())?;
    for (&v, &(k, rights)) in &m.table {
        let h = table
            .get(v)
            .map_err(|e| format!("model value {v:#x} is {e:?} in the table"))?;
        same("object behind a value", h.object().koid(), k)?;
        same("rights of a value", h.rights(), rights)?;
    }
    for &v in m.closed.iter().filter(|v| !m.table.contains_key(v)) {
        same(
            "a removed value",
            table.get(v).err(),
            Some(Status::BAD_HANDLE),
        )?;
    }
    drop(table);
    for (&k, o) in &m.objs {
        let alive = r.objs[&k].upgrade();
        if o.destroyed {
            if alive.is_some() {
                return Err(format!("object {k} ({:?}) outlived its handles", o.kind));
            }
            continue;
        }
        let obj = alive.ok_or_else(|| format!("object {k} destroyed with handles left"))?;
        let want_type = match o.kind {
            Kind::Event => ObjType::EVENT,
            Kind::EventPair { .. } => ObjType::EVENTPAIR,
            Kind::Channel { .. } => ObjType::CHANNEL,
        };
        same("type", obj.obj_type(), want_type)?;
        same(
            "related koid",
            obj.related_koid(),
            m.peer_of(k).unwrap_or(0),
        )?;
        same(
            &format!("handle count of {k} ({:?})", o.kind),
            obj.header().handle_count(),
            o.refs,
        )?;
        same(
            &format!("signals of {k} ({:?})", o.kind),
            obj.header().signals(),
            m.expected_signals(k),
        )?;
        if let Some(e) = obj.downcast_ref::<Endpoint>() {
            same(&format!("queued on {k}"), e.queued(), o.queue.len())?;
            same(
                &format!("next message size on {k}"),
                e.peek_size(),
                o.queue
                    .front()
                    .map(|mm| (mm.bytes.len() as u32, mm.handles.len() as u32)),
            )?;
        }
    }
    Ok(())
}

fn fail_seed(seed: u64, trace: &VecDeque<String>, e: String) -> ! {
    let t: Vec<&str> = trace.iter().map(String::as_str).collect();
    panic!("seed {seed}: {e}\nlast operations:\n  {}", t.join("\n  "));
}

/// One seed: `steps` random operations, then every handle closed.
fn run_seed(seed: u64, steps: usize, cov: &mut Coverage) {
    let mut rng = Rng::new(seed);
    let mut m = Model::default();
    let mut r = Real {
        p: user_process(seed),
        objs: BTreeMap::new(),
    };
    let mut trace: VecDeque<String> = VecDeque::new();
    let fail = |trace: &VecDeque<String>, e: String| fail_seed(seed, trace, e);
    for step in 0..steps {
        let op = gen_op(&mut rng, &m);
        if trace.len() == 16 {
            trace.pop_front();
        }
        trace.push_back(format!("{step}: {op:?}"));
        if let Err(e) = apply(&op, &mut m, &mut r, cov) {
            fail(&trace, e);
        }
        if let Err(e) = settled(|| check(&m, &r)) {
            fail(&trace, e);
        }
    }
    // Close everything: one value at a time, or by dropping the whole table.
    if rng.chance(50) {
        while let Some(v) = nth_value(&mut rng, m.table.keys().copied()) {
            let op = Op::Close { v };
            trace.push_back(format!("teardown: {op:?}"));
            if let Err(e) = apply(&op, &mut m, &mut r, cov) {
                fail(&trace, e);
            }
        }
    } else {
        trace.push_back("teardown: drop the table".into());
        let old = core::mem::replace(&mut *r.p.handles.lock(), HandleTable::new(seed));
        drop(old);
        let values: Vec<u32> = m.table.keys().copied().collect();
        for v in values {
            let _ = m.close(v);
        }
    }
    if let Err(e) = settled(|| check(&m, &r)) {
        fail(&trace, e);
    }
    // The write refuses every message that would close a cycle of endpoints, so once every
    // table handle is closed nothing is left: the model says so, and so must the real objects.
    cov.cycles_refused += m.cycles_refused;
    let all_gone = settled(|| {
        let left: Vec<Koid> = r
            .objs
            .iter()
            .filter(|(_, w)| w.upgrade().is_some())
            .map(|(k, _)| *k)
            .collect();
        same("objects alive after teardown", left, Vec::new())
    });
    if let Err(e) = all_gone {
        fail(&trace, e);
    }
}

#[test]
fn random_operations_on_table_channels_and_events_match_the_reference_model() {
    let _g = serial();
    let mut cov = Coverage::default();
    for seed in 0..200 {
        run_seed(seed, 300, &mut cov);
    }
    // The operations must reach every rule they are meant to test.
    for key in [
        "write:OK",
        "write:BAD_HANDLE",
        "write:WRONG_TYPE",
        "write:ACCESS_DENIED",
        "write:NOT_SUPPORTED",
        "write:PEER_CLOSED",
        "read:OK",
        "read:SHOULD_WAIT",
        "read:PEER_CLOSED",
        "read:BUFFER_TOO_SMALL",
        "read:ACCESS_DENIED",
        "read_fault:INVALID_ARGS",
        "close:OK",
        "close:BAD_HANDLE",
        "duplicate:OK",
        "duplicate:ACCESS_DENIED",
        "duplicate:INVALID_ARGS",
        "replace:OK",
        "replace:INVALID_ARGS",
    ] {
        assert!(cov.seen(key) > 0, "never reached {key}: {:?}", cov.outcomes);
    }
    assert!(cov.transferred > 500 && cov.received > 200);
    assert!(
        cov.cycles_refused > 0,
        "no seed tried to build a channel cycle"
    );
}

/// Two channels each queued inside the other would keep each other alive once every handle in
/// a table is closed (Zircon leaks such a cycle). The real write refuses the message that would
/// close the cycle (`NOT_SUPPORTED`, its handles consumed like any failed write's), so closing
/// the table frees all four endpoints; the unchecked object-level write shows what it prevents.
#[test]
fn a_write_that_would_queue_two_channels_inside_each_other_is_refused() {
    let _g = serial();
    let p = user_process(77);
    let (a0, a1) = Endpoint::new_pair();
    let (b0, b1) = Endpoint::new_pair();
    let weak: Vec<Weak<Endpoint>> = [&a0, &a1, &b0, &b1].map(Arc::downgrade).to_vec();
    let [va0, va1, vb0, vb1] = [&a0, &a1, &b0, &b1].map(|e| add(&p, chan_handle(e)));
    drop((a0, a1, b0, b1));
    assert_eq!(sys_write(&p, va0, &[1], &[vb0]), Ok(())); // b0 queued on a1
    assert_eq!(sys_write(&p, vb1, &[2], &[va1]), Err(Status::NOT_SUPPORTED));
    assert_eq!(p.handles.lock().get(va1).err(), Some(Status::BAD_HANDLE));
    drop(p);
    let alive = |i: usize| weak[i].upgrade().is_some();
    settle(|| {
        same(
            "alive after the table closed",
            [0, 1, 2, 3].map(alive),
            [false; 4],
        )
    });

    // The same two messages through the object layer's unchecked write.
    let (a0, a1) = Endpoint::new_pair();
    let (b0, b1) = Endpoint::new_pair();
    let weak: Vec<Weak<Endpoint>> = [&a0, &a1, &b0, &b1].map(Arc::downgrade).to_vec();
    let alive = |i: usize| weak[i].upgrade().is_some();
    let (ha0, hb1) = (chan_handle(&a0), chan_handle(&b1));
    send(&a0, Message::new(vec![1], vec![chan_handle(&b0)])); // b0 queued on a1
    send(&b1, Message::new(vec![2], vec![chan_handle(&a1)])); // a1 queued on b0
    drop((a0, a1, b0, b1, ha0, hb1));
    settle(|| {
        same(
            "a0, a1, b0, b1 alive",
            [0, 1, 2, 3].map(alive),
            [false, true, true, false],
        )
    });
    // Reading one of the queues (the kernel never does) breaks the cycle.
    let a1 = weak[1].upgrade().unwrap();
    assert_eq!(a1.header().handle_count(), 1);
    drop(a1.read(u32::MAX, u32::MAX, false).ok());
    drop(a1);
    settle(|| {
        same(
            "alive after the cycle broke",
            [0, 1, 2, 3].map(alive),
            [false; 4],
        )
    });
}

// ---------------------------------------------------------------------------------------------
// Deep nesting
// ---------------------------------------------------------------------------------------------

#[test]
fn closing_the_head_of_ten_thousand_nested_channels_frees_all_on_a_64k_stack() {
    let _g = serial();
    const DEPTH: usize = 10_000;
    let worker = std::thread::Builder::new()
        .stack_size(64 * 1024)
        .spawn(|| {
            let mut a_ends: Vec<Weak<Endpoint>> = Vec::with_capacity(DEPTH);
            let mut b_ends: Vec<Weak<Endpoint>> = Vec::with_capacity(DEPTH);
            // Built from the tail: each channel's b-end holds, queued, the b-end of the channel
            // built before it. The a-ends only write and close.
            let mut inner: Option<Handle> = None;
            for _ in 0..DEPTH {
                let (a, b) = Endpoint::new_pair();
                a_ends.push(Arc::downgrade(&a));
                b_ends.push(Arc::downgrade(&b));
                let ha = chan_handle(&a);
                let hb = chan_handle(&b);
                if let Some(next) = inner.take() {
                    send(&a, Message::new(vec![7; 3], vec![next]));
                }
                drop(ha);
                inner = Some(hb);
            }
            let head = inner.take().unwrap();
            settle(|| {
                same(
                    "a-ends alive before the head closes",
                    a_ends.iter().filter(|w| w.upgrade().is_some()).count(),
                    0,
                )
            });
            for (i, w) in b_ends.iter().enumerate() {
                let b = w.upgrade().expect("every b-end is held by its carrier");
                assert_eq!(b.header().handle_count(), 1);
                assert_eq!(b.queued(), usize::from(i > 0));
                assert_eq!(
                    b.header().signals() & CHANNEL_SIGNALS,
                    channel_signals(i > 0, false, true)
                );
            }
            drop(head);
            b_ends
        })
        .unwrap();
    let b_ends = worker
        .join()
        .expect("teardown overflowed the 64 KiB stack (recursion) or failed");
    settle(|| {
        same(
            "b-ends alive after the head closed",
            b_ends.iter().filter(|w| w.upgrade().is_some()).count(),
            0,
        )
    });
}

#[test]
fn closing_a_deep_chain_carrying_events_closes_every_event_handle() {
    let _g = serial();
    const DEPTH: usize = 2_000;
    let events: Vec<Arc<Event>> = (0..DEPTH).map(|_| Event::new()).collect();
    let worker_events = events.clone();
    let worker = std::thread::Builder::new()
        .stack_size(64 * 1024)
        .spawn(move || {
            let mut table = HandleTable::new(42);
            let mut inner: Option<Handle> = None;
            for e in &worker_events {
                let (a, b) = Endpoint::new_pair();
                let ha = chan_handle(&a);
                let mut hs = vec![Handle::new(e.clone(), Rights::DEFAULT_EVENT)];
                hs.extend(inner.take());
                send(&a, Message::new(Vec::new(), hs));
                drop(ha);
                inner = Some(chan_handle(&b));
            }
            table
                .add(inner.take().unwrap())
                .unwrap_or_else(|_| panic!("table add failed"));
            // Process teardown: the table closes its handles.
            drop(table);
        })
        .unwrap();
    worker.join().expect("teardown overflowed the stack");
    settle(|| {
        same(
            "events still referenced",
            events
                .iter()
                .filter(|e| e.header.handle_count() != 0)
                .count(),
            0,
        )
    });
}

// ---------------------------------------------------------------------------------------------
// The pending-message limit and WRITABLE
// ---------------------------------------------------------------------------------------------

/// Fills `to`'s queue (through `from`) to the limit with one-byte messages.
fn fill(from: &Endpoint, to: &Endpoint) {
    while to.queued() < CHANNEL_MAX_PENDING {
        send(from, msg(b"m"));
    }
}

fn sig(e: &Endpoint) -> Signals {
    e.header().signals() & CHANNEL_SIGNALS
}

#[test]
fn write_at_the_pending_limit_is_should_wait_sends_nothing_and_closes_moved_handles() {
    let _g = serial();
    let (a, b) = Endpoint::new_pair();
    let (ha, hb) = (chan_handle(&a), chan_handle(&b));
    fill(&a, &b);
    assert_eq!(sig(&a), channel_signals(false, false, false));
    let before = b.header().signals();
    let e = Event::new();
    let m = Message::new(
        vec![1; 8],
        vec![Handle::new(e.clone(), Rights::DEFAULT_EVENT)],
    );
    let (s, back) = a.write(m).expect_err("over the limit");
    assert_eq!(s, Status::SHOULD_WAIT);
    drop(back); // what the syscall does: moved handles are consumed
    assert_eq!(e.header.handle_count(), 0);
    assert_eq!(b.queued(), CHANNEL_MAX_PENDING);
    assert_eq!(
        b.header().signals(),
        before,
        "a failed write changes no signal"
    );
    // The other direction is not limited by this one.
    send(&b, msg(b"back"));
    assert_eq!(sig(&b), channel_signals(true, true, false));
    assert_eq!(sig(&a), channel_signals(true, false, false));
    drop((ha, hb));
}

#[test]
fn writer_regains_writable_only_when_the_reader_drains_below_the_limit() {
    let _g = serial();
    let (a, b) = Endpoint::new_pair();
    let (_ha, _hb) = (chan_handle(&a), chan_handle(&b));
    for _ in 0..CHANNEL_MAX_PENDING - 1 {
        send(&a, msg(b"m"));
    }
    assert!(sig(&a).contains(Signals::CHANNEL_WRITABLE));
    send(&a, msg(b"last"));
    assert!(!sig(&a).contains(Signals::CHANNEL_WRITABLE));
    // A too-small read that keeps the message frees no room.
    assert!(matches!(
        b.read(0, 0, false).err().map(|e| e.0),
        Some(ReadError::TooSmall {
            bytes: 1,
            handles: 0
        })
    ));
    assert!(!sig(&a).contains(Signals::CHANNEL_WRITABLE));
    // A read does.
    b.read(16, 0, false).ok().expect("a message");
    assert!(sig(&a).contains(Signals::CHANNEL_WRITABLE));
    send(&a, msg(b"again"));
    assert!(!sig(&a).contains(Signals::CHANNEL_WRITABLE));
    // So does a discarding read of a message too large.
    let (_, discarded) = b.read(0, 0, true).err().expect("too small");
    assert!(discarded.is_some());
    assert!(sig(&a).contains(Signals::CHANNEL_WRITABLE));
    assert_eq!(b.queued(), CHANNEL_MAX_PENDING - 1);
}

#[test]
fn unread_at_the_limit_takes_writable_away_again() {
    let _g = serial();
    let (a, b) = Endpoint::new_pair();
    let (_ha, _hb) = (chan_handle(&a), chan_handle(&b));
    fill(&a, &b);
    let m = b.read(16, 0, false).ok().expect("a message");
    assert!(sig(&a).contains(Signals::CHANNEL_WRITABLE));
    b.unread(m);
    assert_eq!(b.queued(), CHANNEL_MAX_PENDING);
    assert!(!sig(&a).contains(Signals::CHANNEL_WRITABLE));
    assert!(sig(&b).contains(Signals::CHANNEL_READABLE));
    assert_eq!(
        a.write(msg(b"x")).err().map(|e| e.0),
        Some(Status::SHOULD_WAIT)
    );
}

#[test]
fn reader_closing_at_the_limit_leaves_the_writer_peer_closed_unwritable_and_frees_the_queue() {
    let _g = serial();
    let (a, b) = Endpoint::new_pair();
    let (ha, hb) = (chan_handle(&a), chan_handle(&b));
    let e = Event::new();
    for _ in 0..CHANNEL_MAX_PENDING {
        let h = Handle::new(e.clone(), Rights::DEFAULT_EVENT);
        send(&a, Message::new(vec![1], vec![h]));
    }
    assert_eq!(e.header.handle_count(), CHANNEL_MAX_PENDING as u32);
    let wb = Arc::downgrade(&b);
    drop(b);
    drop(hb);
    settle(|| same("event handles left", e.header.handle_count(), 0));
    settle(|| same("b alive", wb.upgrade().is_some(), false));
    assert_eq!(sig(&a), channel_signals(false, false, true));
    assert_eq!(
        a.write(msg(b"x")).err().map(|e| e.0),
        Some(Status::PEER_CLOSED)
    );
    drop(ha);
}

/// A model of one channel kept near the limit: writes both ways (some carrying an event
/// handle), reads that fit or not, discarding reads, reads put back; then one side closes.
#[test]
fn queue_lengths_signals_and_handle_counts_follow_the_model_near_the_pending_limit() {
    let _g = serial();
    let mut should_wait = 0;
    let mut writable_flips = 0;
    for seed in 0..4u64 {
        let mut rng = Rng::new(1000 + seed);
        let (a, b) = Endpoint::new_pair();
        let (wa, wb) = (Arc::downgrade(&a), Arc::downgrade(&b));
        let mut ha = Some(chan_handle(&a));
        let mut hb = Some(chan_handle(&b));
        let ev = Event::new();
        // Model: per side, the queued messages as (length, carries the event).
        let mut qa: VecDeque<(usize, bool)> = VecDeque::new();
        let mut qb: VecDeque<(usize, bool)> = VecDeque::new();
        let mut ev_refs = 0u32;
        for _ in 0..CHANNEL_MAX_PENDING - 4 {
            send(&a, msg(b"p"));
            qb.push_back((1, false));
        }
        let write = |rng: &mut Rng,
                     from: &Endpoint,
                     q: &mut VecDeque<(usize, bool)>,
                     ev_refs: &mut u32|
         -> Result<(), Status> {
            let len = rng.below(4);
            let with_ev = rng.chance(30);
            let hs: Vec<Handle> = with_ev
                .then(|| Handle::new(ev.clone(), Rights::DEFAULT_EVENT))
                .into_iter()
                .collect();
            let want = if q.len() >= CHANNEL_MAX_PENDING {
                Err(Status::SHOULD_WAIT)
            } else {
                q.push_back((len, with_ev));
                *ev_refs += u32::from(with_ev);
                Ok(())
            };
            let got = from
                .write(Message::new(vec![9; len], hs))
                .map_err(|(s, m)| {
                    drop(m);
                    s
                });
            assert_eq!(got, want);
            got
        };
        let read =
            |rng: &mut Rng, on: &Endpoint, q: &mut VecDeque<(usize, bool)>, ev_refs: &mut u32| {
                let max = rng.below(4) as u32;
                let discard = rng.chance(50);
                let got = on.read(max, 1, discard);
                match (q.front().copied(), got) {
                    (None, Err((ReadError::ShouldWait, None))) => {}
                    (Some((len, e)), Ok(m)) if len as u32 <= max => {
                        assert_eq!((m.bytes().len(), m.num_handles()), (len, usize::from(e)));
                        q.pop_front();
                        *ev_refs -= u32::from(e);
                    }
                    (Some((len, e)), Err((ReadError::TooSmall { bytes, handles }, d)))
                        if len as u32 > max =>
                    {
                        assert_eq!((bytes, handles), (len as u32, u32::from(e)));
                        assert_eq!(d.is_some(), discard);
                        if discard {
                            q.pop_front();
                            *ev_refs -= u32::from(e);
                        }
                    }
                    (want, got) => panic!("read: model {want:?}, real ok={}", got.is_ok()),
                }
            };
        let mut was_writable = true;
        for step in 0..4000 {
            match rng.below(20) {
                0..=9 => {
                    if write(&mut rng, &a, &mut qb, &mut ev_refs).is_err() {
                        should_wait += 1;
                    }
                }
                10..=15 => read(&mut rng, &b, &mut qb, &mut ev_refs),
                16 => {
                    if let Ok(m) = b.read(u32::MAX, u32::MAX, false) {
                        b.unread(m);
                    }
                }
                17 => {
                    let _ = write(&mut rng, &b, &mut qa, &mut ev_refs);
                }
                _ => read(&mut rng, &a, &mut qa, &mut ev_refs),
            }
            let ctx = format!("seed {seed} step {step}");
            assert_eq!((a.queued(), b.queued()), (qa.len(), qb.len()), "{ctx}");
            let a_writable = qb.len() < CHANNEL_MAX_PENDING;
            assert_eq!(
                sig(&a),
                channel_signals(!qa.is_empty(), a_writable, false),
                "{ctx}"
            );
            assert_eq!(
                sig(&b),
                channel_signals(!qb.is_empty(), qa.len() < CHANNEL_MAX_PENDING, false),
                "{ctx}"
            );
            assert_eq!(ev.header.handle_count(), ev_refs, "{ctx}");
            writable_flips += usize::from(a_writable != was_writable);
            was_writable = a_writable;
        }
        // One side closes: its queue (and the event handles in it) goes, the other sees it.
        let (closing, staying, q_closing, q_staying) = if seed % 2 == 0 {
            (hb.take(), &a, &qb, &qa)
        } else {
            (ha.take(), &b, &qa, &qb)
        };
        drop(closing);
        let left = q_staying.iter().filter(|m| m.1).count() as u32;
        assert!(q_closing.len() + q_staying.len() > 0);
        settle(|| same("event handles", ev.header.handle_count(), left));
        assert_eq!(
            sig(staying),
            channel_signals(!q_staying.is_empty(), false, true)
        );
        drop((a, b, ha, hb));
        settle(|| same("event handles", ev.header.handle_count(), 0));
        settle(|| {
            same(
                "endpoints alive",
                (wa.upgrade().is_some(), wb.upgrade().is_some()),
                (false, false),
            )
        });
    }
    assert!(should_wait > 0 && writable_flips > 10);
}

// ---------------------------------------------------------------------------------------------
// Channel calls
// ---------------------------------------------------------------------------------------------

const TX: u32 = CALL_TXID_MIN | 0x42;

fn tx_bytes(txid: u32, extra: &[u8]) -> Vec<u8> {
    let mut b = txid.to_le_bytes().to_vec();
    b.extend_from_slice(extra);
    b
}

fn txmsg(txid: u32, extra: &[u8], handles: Vec<Handle>) -> Message {
    Message::new(tx_bytes(txid, extra), handles)
}

fn waker() -> (Arc<CountingWaker>, Arc<dyn Wake>) {
    let w = Arc::new(CountingWaker::default());
    let d: Arc<dyn Wake> = w.clone();
    (w, d)
}

fn reply_bytes(p: CallPoll) -> Option<Vec<u8>> {
    match p {
        CallPoll::Reply(m) => Some(m.bytes().to_vec()),
        _ => None,
    }
}

fn poll_name(p: &CallPoll) -> &'static str {
    match p {
        CallPoll::Reply(_) => "Reply",
        CallPoll::Pending => "Pending",
        CallPoll::PeerClosed => "PeerClosed",
        CallPoll::Cancelled => "Cancelled",
    }
}

#[test]
fn reply_arriving_before_the_first_poll_is_returned_and_ends_the_call() {
    let _g = serial();
    let (client, server) = Endpoint::new_pair();
    let (_hc, _hs) = (chan_handle(&client), chan_handle(&server));
    let (w, wd) = waker();
    client.call_begin(TX, wd).unwrap();
    send(&client, txmsg(TX, b"req", Vec::new()));
    let req = server.read(64, 0, false).ok().expect("the request");
    assert_eq!(req.txid(), Some(TX));
    send(&server, txmsg(TX, b"rep", Vec::new()));
    assert_eq!(w.count(), 1);
    assert_eq!(client.queued(), 0, "a reply is not queued");
    assert!(!sig(&client).contains(Signals::CHANNEL_READABLE));
    assert_eq!(
        reply_bytes(client.call_poll(TX)),
        Some(tx_bytes(TX, b"rep"))
    );
    assert_eq!(
        poll_name(&client.call_poll(TX)),
        "Cancelled",
        "the call ended"
    );
    // A second message with that txid is an ordinary one now.
    send(&server, txmsg(TX, b"late", Vec::new()));
    assert_eq!(client.queued(), 1);
}

#[test]
fn reply_arriving_after_a_pending_poll_wakes_the_caller_and_is_returned() {
    let _g = serial();
    let (client, server) = Endpoint::new_pair();
    let (_hc, _hs) = (chan_handle(&client), chan_handle(&server));
    let (w, wd) = waker();
    client.call_begin(TX, wd).unwrap();
    assert_eq!(poll_name(&client.call_poll(TX)), "Pending");
    // Messages with other txids, or too short to carry one, are queued normally.
    send(&server, txmsg(TX + 1, b"", Vec::new()));
    send(&server, msg(&TX.to_le_bytes()[..3]));
    assert_eq!(w.count(), 0);
    assert_eq!(poll_name(&client.call_poll(TX)), "Pending");
    send(&server, txmsg(TX, b"ok", Vec::new()));
    assert_eq!(w.count(), 1);
    assert_eq!(client.queued(), 2);
    assert!(reply_bytes(client.call_poll(TX)).is_some());
}

#[test]
fn message_with_the_txid_sent_before_call_begin_is_queued_not_routed() {
    let _g = serial();
    let (client, server) = Endpoint::new_pair();
    let (_hc, _hs) = (chan_handle(&client), chan_handle(&server));
    send(&server, txmsg(TX, b"early", Vec::new()));
    let (w, wd) = waker();
    client.call_begin(TX, wd).unwrap();
    assert_eq!(poll_name(&client.call_poll(TX)), "Pending");
    assert_eq!(w.count(), 0);
    assert_eq!(client.queued(), 1);
    assert!(client.call_end(TX).is_none());
}

#[test]
fn reply_to_a_pending_call_is_delivered_even_when_the_callers_queue_is_full() {
    let _g = serial();
    let (client, server) = Endpoint::new_pair();
    let (_hc, _hs) = (chan_handle(&client), chan_handle(&server));
    fill(&server, &client);
    let (_w, wd) = waker();
    client.call_begin(TX, wd).unwrap();
    assert_eq!(
        server
            .write(txmsg(TX + 1, b"", Vec::new()))
            .err()
            .map(|e| e.0),
        Some(Status::SHOULD_WAIT)
    );
    send(&server, txmsg(TX, b"", Vec::new()));
    assert!(reply_bytes(client.call_poll(TX)).is_some());
}

#[test]
fn peer_closing_during_a_call_wakes_the_caller_and_ends_it_with_peer_closed() {
    let _g = serial();
    let (client, server) = Endpoint::new_pair();
    let hc = chan_handle(&client);
    let hs = chan_handle(&server);
    let (w1, wd1) = waker();
    let (w2, wd2) = waker();
    client.call_begin(TX, wd1).unwrap();
    client.call_begin(TX + 1, wd2).unwrap();
    // The reply to the second call arrives before the peer closes: it still wins.
    send(&server, txmsg(TX + 1, b"", Vec::new()));
    drop(hs);
    assert!(w1.count() >= 1 && w2.count() >= 1);
    assert_eq!(poll_name(&client.call_poll(TX)), "PeerClosed");
    assert_eq!(poll_name(&client.call_poll(TX)), "Cancelled", "ended once");
    assert_eq!(poll_name(&client.call_poll(TX + 1)), "Reply");
    drop(hc);
}

#[test]
fn call_begun_after_the_peer_closed_ends_with_peer_closed() {
    let _g = serial();
    let (client, server) = Endpoint::new_pair();
    let hc = chan_handle(&client);
    drop(chan_handle(&server));
    let (_w, wd) = waker();
    client.call_begin(TX, wd).unwrap();
    assert_eq!(poll_name(&client.call_poll(TX)), "PeerClosed");
    drop(hc);
}

#[test]
fn closing_the_callers_endpoint_cancels_its_call_and_closes_the_parked_reply_handles() {
    let _g = serial();
    let (client, server) = Endpoint::new_pair();
    let hc = chan_handle(&client);
    let _hs = chan_handle(&server);
    let e = Event::new();
    let (w, wd) = waker();
    let (w2, wd2) = waker();
    client.call_begin(TX, wd).unwrap();
    client.call_begin(TX + 1, wd2).unwrap();
    send(
        &server,
        txmsg(TX, b"", vec![Handle::new(e.clone(), Rights::DEFAULT_EVENT)]),
    );
    assert_eq!(e.header.handle_count(), 1);
    // The caller still holds the endpoint object (the syscall's reference), not a handle.
    drop(hc);
    assert!(w.count() >= 1 && w2.count() >= 1);
    settle(|| same("event handles", e.header.handle_count(), 0));
    assert_eq!(poll_name(&client.call_poll(TX)), "Cancelled");
    assert_eq!(poll_name(&client.call_poll(TX + 1)), "Cancelled");
    assert_eq!(
        server
            .write(txmsg(TX + 1, b"", Vec::new()))
            .err()
            .map(|e| e.0),
        Some(Status::PEER_CLOSED)
    );
}

#[test]
fn call_end_returns_a_raced_reply_with_its_handles_and_later_replies_are_queued() {
    let _g = serial();
    let (client, server) = Endpoint::new_pair();
    let (_hc, _hs) = (chan_handle(&client), chan_handle(&server));
    let e = Event::new();
    let (_w, wd) = waker();
    client.call_begin(TX, wd).unwrap();
    assert_eq!(poll_name(&client.call_poll(TX)), "Pending");
    // The deadline passes; the reply races in before the caller ends the call.
    send(
        &server,
        txmsg(
            TX,
            b"raced",
            vec![Handle::new(e.clone(), Rights::DEFAULT_EVENT)],
        ),
    );
    let raced = client.call_end(TX).expect("the raced reply");
    assert_eq!(raced.txid(), Some(TX));
    assert_eq!(raced.num_handles(), 1);
    assert_eq!(e.header.handle_count(), 1);
    drop(raced);
    assert_eq!(e.header.handle_count(), 0);
    assert!(client.call_end(TX).is_none(), "ended once");
    assert_eq!(poll_name(&client.call_poll(TX)), "Cancelled");
    send(&server, txmsg(TX, b"late", Vec::new()));
    assert_eq!(client.queued(), 1);
    // A call ended before any reply returns none.
    let (_w2, wd2) = waker();
    client.call_begin(TX + 7, wd2).unwrap();
    assert!(client.call_end(TX + 7).is_none());
}

/// Calls begun, replied to (with pending, ended and unknown txids), polled and ended in random
/// order against a model of who gets which message; then the server closes.
#[test]
fn replies_are_routed_to_their_calls_by_txid_like_the_model() {
    let _g = serial();
    struct ModelCall {
        waker: Arc<CountingWaker>,
        wakes: usize,
        reply: Option<Vec<u8>>,
    }
    let mut routed = 0;
    for seed in 0..50u64 {
        let mut rng = Rng::new(5000 + seed);
        let (client, server) = Endpoint::new_pair();
        let hc = chan_handle(&client);
        let hs = chan_handle(&server);
        let mut calls: BTreeMap<u32, ModelCall> = BTreeMap::new();
        let mut ended: Vec<u32> = Vec::new();
        let mut queue: VecDeque<Vec<u8>> = VecDeque::new();
        let mut next = CALL_TXID_MIN | ((seed as u32) << 12);
        let pick = |rng: &mut Rng, calls: &BTreeMap<u32, ModelCall>, ended: &[u32]| {
            let pending: Vec<u32> = calls.keys().copied().collect();
            match rng.below(10) {
                0..=5 if !pending.is_empty() => pending[rng.below(pending.len())],
                6 | 7 if !ended.is_empty() => ended[rng.below(ended.len())],
                _ => rng.next_u32(),
            }
        };
        for step in 0..300 {
            let ctx = format!("seed {seed} step {step}");
            match rng.below(10) {
                0..=2 => {
                    next += 1;
                    let (w, wd) = waker();
                    client.call_begin(next, wd).unwrap();
                    calls.insert(
                        next,
                        ModelCall {
                            waker: w,
                            wakes: 0,
                            reply: None,
                        },
                    );
                }
                3..=5 => {
                    let txid = pick(&mut rng, &calls, &ended);
                    let mut bytes = txid.to_le_bytes().to_vec();
                    bytes.extend(rng.bytes(3));
                    if rng.chance(10) {
                        bytes.truncate(rng.below(4));
                    }
                    let call = (bytes.len() >= 4)
                        .then(|| calls.get_mut(&txid))
                        .flatten()
                        .filter(|c| c.reply.is_none());
                    match call {
                        Some(c) => {
                            c.reply = Some(bytes.clone());
                            c.wakes += 1;
                            routed += 1;
                        }
                        None => queue.push_back(bytes.clone()),
                    }
                    send(&server, Message::new(bytes, Vec::new()));
                }
                6 | 7 => {
                    let txid = pick(&mut rng, &calls, &ended);
                    let got = client.call_poll(txid);
                    let want = match calls.get(&txid) {
                        None => "Cancelled",
                        Some(c) if c.reply.is_some() => "Reply",
                        Some(_) => "Pending",
                    };
                    assert_eq!(poll_name(&got), want, "{ctx}");
                    if let CallPoll::Reply(m) = got {
                        let c = calls.remove(&txid).unwrap();
                        assert_eq!(Some(m.bytes().to_vec()), c.reply, "{ctx}");
                        ended.push(txid);
                    }
                }
                8 => {
                    let txid = pick(&mut rng, &calls, &ended);
                    let got = client.call_end(txid).map(|m| m.bytes().to_vec());
                    let want = calls.remove(&txid).map(|c| {
                        ended.push(txid);
                        c.reply
                    });
                    assert_eq!(got, want.flatten(), "{ctx}");
                }
                _ => {
                    let got = client
                        .read(u32::MAX, 0, false)
                        .ok()
                        .map(|m| m.bytes().to_vec());
                    assert_eq!(got, queue.pop_front(), "{ctx}");
                }
            }
            assert_eq!(client.queued(), queue.len(), "{ctx}");
            assert_eq!(
                sig(&client).contains(Signals::CHANNEL_READABLE),
                !queue.is_empty(),
                "{ctx}"
            );
            for (t, c) in &calls {
                assert_eq!(c.waker.count(), c.wakes, "{ctx}: wakes of call {t:#x}");
            }
        }
        // The server goes away: every waiting caller is woken; replies already in still win.
        drop(hs);
        for (t, c) in calls {
            assert_eq!(c.waker.count(), c.wakes + 1);
            let want = if c.reply.is_some() {
                "Reply"
            } else {
                "PeerClosed"
            };
            assert_eq!(poll_name(&client.call_poll(t)), want);
        }
        drop(hc);
    }
    assert!(routed > 100);
}

// ---------------------------------------------------------------------------------------------
// Reproductions of races found while writing these tests (ignored: they fail today).
// ---------------------------------------------------------------------------------------------

/// Blocks, once, the thread that runs a wake: that thread holds the object's signal lock.
#[derive(Default)]
struct Gate {
    armed: AtomicBool,
    inside: AtomicBool,
    open: AtomicBool,
}

impl Wake for Gate {
    fn wake(&self) {
        if self.armed.swap(false, Ordering::SeqCst) {
            self.inside.store(true, Ordering::SeqCst);
            while !self.open.load(Ordering::SeqCst) {
                std::thread::yield_now();
            }
        }
    }
}

/// Holds `obj`'s signal lock from a helper thread until `release` is called: the next
/// signal updates on `obj` from other threads queue up behind it.
struct SignalLockHeld {
    gate: Arc<Gate>,
    thread: std::thread::JoinHandle<()>,
}

impl SignalLockHeld {
    fn new(obj: Arc<dyn KernelObject>) -> SignalLockHeld {
        let gate = Arc::new(Gate::default());
        gate.armed.store(true, Ordering::SeqCst);
        let w: Arc<dyn Wake> = gate.clone();
        obj.header().observe(&w, Signals::USER_7, u64::MAX).unwrap();
        let thread = std::thread::spawn(move || {
            obj.header().update_signals(Signals::NONE, Signals::USER_7);
            obj.header().unobserve(&w, u64::MAX);
            obj.header().update_signals(Signals::USER_7, Signals::NONE);
        });
        while !gate.inside.load(Ordering::SeqCst) {
            std::thread::yield_now();
        }
        SignalLockHeld { gate, thread }
    }

    fn release(self) {
        self.gate.open.store(true, Ordering::SeqCst);
        self.thread.join().unwrap();
    }
}

const RACE_PAUSE: Duration = Duration::from_millis(5);
const RACE_ATTEMPTS: usize = 40;

/// A reader taking the last message and a writer adding one at the same time: afterwards one
/// message is queued, so `READABLE` must be set. Both update the signals after dropping the
/// channel lock, so the reader's "clear READABLE" can land after the writer's "set READABLE":
/// a waiter for READABLE then sleeps forever on a non-empty queue.
#[test]
fn readable_matches_the_queue_after_a_concurrent_read_and_write() {
    let _g = serial();
    let mut bad = 0;
    for _ in 0..RACE_ATTEMPTS {
        let (a, b) = Endpoint::new_pair();
        let (_ha, _hb) = (chan_handle(&a), chan_handle(&b));
        send(&a, msg(b"first"));
        let held = SignalLockHeld::new(b.clone());
        let rb = b.clone();
        let reader = std::thread::spawn(move || drop(rb.read(64, 0, false).ok()));
        std::thread::sleep(RACE_PAUSE);
        let wa = a.clone();
        let writer = std::thread::spawn(move || send(&wa, msg(b"second")));
        std::thread::sleep(RACE_PAUSE);
        held.release();
        reader.join().unwrap();
        writer.join().unwrap();
        let readable = sig(&b).contains(Signals::CHANNEL_READABLE);
        bad += usize::from(readable != (b.queued() > 0));
    }
    assert_eq!(
        bad, 0,
        "READABLE disagreed with the queue in {bad}/{RACE_ATTEMPTS} runs"
    );
}

/// The writer filling the queue and the reader taking one message at the same time: afterwards
/// the queue is below the limit, so the writer must be `WRITABLE`. The writer's "clear
/// WRITABLE" can land after the reader's "set WRITABLE": a writer waiting for WRITABLE then
/// sleeps forever.
#[test]
fn writable_matches_the_queue_after_a_concurrent_fill_and_drain() {
    let _g = serial();
    let mut bad = 0;
    for _ in 0..RACE_ATTEMPTS {
        let (a, b) = Endpoint::new_pair();
        let (_ha, _hb) = (chan_handle(&a), chan_handle(&b));
        for _ in 0..CHANNEL_MAX_PENDING - 1 {
            send(&a, msg(b"m"));
        }
        let held = SignalLockHeld::new(a.clone());
        let wa = a.clone();
        let writer = std::thread::spawn(move || send(&wa, msg(b"last")));
        std::thread::sleep(RACE_PAUSE);
        let rb = b.clone();
        let reader = std::thread::spawn(move || drop(rb.read(64, 0, false).ok()));
        std::thread::sleep(RACE_PAUSE);
        held.release();
        writer.join().unwrap();
        reader.join().unwrap();
        let writable = sig(&a).contains(Signals::CHANNEL_WRITABLE);
        bad += usize::from(writable != (b.queued() < CHANNEL_MAX_PENDING));
    }
    assert_eq!(
        bad, 0,
        "WRITABLE disagreed with the queue in {bad}/{RACE_ATTEMPTS} runs"
    );
}

/// A read that frees room at the limit while the reader's last handle closes: the writer must
/// end up `PEER_CLOSED` and not `WRITABLE` (docs/abi.md section 4). `after_pop` checks "reader still
/// open" and then sets WRITABLE without the channel lock, so the close can slip in between.
#[test]
fn writer_is_never_writable_after_peer_closed_even_when_a_read_races_the_close() {
    let _g = serial();
    let mut bad = 0;
    for _ in 0..RACE_ATTEMPTS {
        let (a, b) = Endpoint::new_pair();
        let ha = chan_handle(&a);
        let hb = chan_handle(&b);
        fill(&a, &b);
        let held = SignalLockHeld::new(a.clone());
        let rb = b.clone();
        let reader = std::thread::spawn(move || drop(rb.read(64, 0, false).ok()));
        std::thread::sleep(RACE_PAUSE);
        let closer = std::thread::spawn(move || drop(hb));
        std::thread::sleep(RACE_PAUSE);
        held.release();
        reader.join().unwrap();
        closer.join().unwrap();
        let s = sig(&a);
        bad += usize::from(s.contains(Signals::CHANNEL_WRITABLE));
        assert!(s.contains(Signals::CHANNEL_PEER_CLOSED));
        drop(ha);
    }
    assert_eq!(
        bad, 0,
        "WRITABLE with PEER_CLOSED in {bad}/{RACE_ATTEMPTS} runs"
    );
}

/// Closing an endpoint must have destroyed its queued messages (and closed the handles in
/// them) when the close returns. With one global graveyard and a per-thread (per-CPU in the
/// kernel) "reaping" flag, another thread that is reaping can pop the endpoint this thread has
/// just pushed: the close returns before the messages are gone, and the handle count of an
/// object carried in them is still the old one for a while.
#[test]
fn close_destroys_the_queue_before_returning_even_while_another_thread_reaps() {
    let _g = serial();
    let stop = Arc::new(AtomicBool::new(false));
    let stop2 = stop.clone();
    // Another thread closing endpoints over and over, each with a short queue.
    let other = std::thread::spawn(move || {
        let e = Event::new();
        while !stop2.load(Ordering::SeqCst) {
            let (a, b) = Endpoint::new_pair();
            let hb = chan_handle(&b);
            let h = Handle::new(e.clone(), Rights::DEFAULT_EVENT);
            send(&a, Message::new(Vec::new(), vec![h]));
            drop((a, b));
            drop(hb);
        }
    });
    let e = Event::new();
    let keep = Handle::new(e.clone(), Rights::DEFAULT_EVENT);
    let (mut late, mut tries) = (0, 0);
    let start = Instant::now();
    while late == 0 && start.elapsed() < Duration::from_secs(5) {
        tries += 1;
        let (a, b) = Endpoint::new_pair();
        let (ha, hb) = (chan_handle(&a), chan_handle(&b));
        // A long message, so that a thread that took our endpoint is still dropping it.
        let hs = (0..64)
            .map(|_| keep.duplicate(Rights::DEFAULT_EVENT))
            .collect();
        send(&a, Message::new(Vec::new(), hs));
        drop((a, b));
        drop(hb);
        late += usize::from(e.header.handle_count() != 1);
        drop(ha);
        settle(|| same("event handles", e.header.handle_count(), 1));
    }
    stop.store(true, Ordering::SeqCst);
    other.join().unwrap();
    assert_eq!(
        late, 0,
        "queue still alive after close returned in {late}/{tries} closes"
    );
}
