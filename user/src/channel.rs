//! Channels in the style of Fuchsia's `zx` crate: a typed [`Channel`] whose writes take
//! ownership of the handles they send, reads into a growable [`MessageBuf`], `write_etc` with
//! [`HandleDisposition`]s, `read_etc` into [`HandleInfo`]s, and `call`/`call_etc` with a
//! deadline. The rules are docs/abi.md section 4.
//!
//! ```no_run
//! use zx::{channel::Channel, AsHandleRef, Handle, MessageBuf, MonotonicInstant, Signals};
//! # fn f() -> Result<(), zx::Status> {
//! let (a, b) = Channel::create()?;
//! let event = zx::Event::create()?;
//! let mut handles = [Handle::from(event)];
//! a.write(b"hello", &mut handles)?; // the event is now in the message
//! assert!(handles[0].is_invalid());
//! b.wait_handle(Signals::CHANNEL_READABLE, MonotonicInstant::INFINITE)?;
//! let mut buf = MessageBuf::new();
//! b.read(&mut buf)?;
//! assert_eq!(buf.bytes(), b"hello");
//! let event: Handle = buf.take_handle(0).unwrap();
//! # Ok(()) }
//! ```

use crate::handle::{typed_handle, HandleRef, Peered};
use crate::time::MonotonicInstant;
use crate::{raw, Handle, ObjType, Rights, Status, ZxResult};
use alloc::vec::Vec;
use zx_abi::{CHANNEL_MAX_MSG_BYTES, CHANNEL_MAX_MSG_HANDLES, HANDLE_OP_DUPLICATE, HANDLE_OP_MOVE};

const MAX_HANDLES: usize = CHANNEL_MAX_MSG_HANDLES as usize;

/// A channel endpoint; closed on drop.
#[derive(Debug, PartialEq, Eq)]
#[repr(transparent)]
pub struct Channel(Handle);
typed_handle!(Channel, 0);
impl Peered for Channel {}

impl From<crate::Channel> for Channel {
    /// The older `zx::Channel` wrapper, as a typed channel.
    fn from(c: crate::Channel) -> Self {
        Channel(c.0)
    }
}

impl From<Channel> for crate::Channel {
    fn from(c: Channel) -> Self {
        crate::Channel(c.0)
    }
}

/// A message read from a channel: bytes and handles, in buffers that grow as needed and are
/// reused from one read to the next.
#[derive(Debug, Default)]
pub struct MessageBuf {
    bytes: Vec<u8>,
    handles: Vec<Handle>,
}

impl MessageBuf {
    /// An empty buffer (it grows on the first read).
    pub fn new() -> Self {
        Self::default()
    }
    /// A buffer holding `bytes` and `handles` (e.g. to reuse their allocations).
    pub fn new_with(bytes: Vec<u8>, handles: Vec<Handle>) -> Self {
        Self { bytes, handles }
    }
    /// Makes room for at least `n` bytes without growing on the next read.
    pub fn ensure_capacity_bytes(&mut self, n: usize) {
        self.bytes.reserve(n.saturating_sub(self.bytes.len()));
    }
    /// Makes room for at least `n` handles.
    pub fn ensure_capacity_handles(&mut self, n: usize) {
        self.handles.reserve(n.saturating_sub(self.handles.len()));
    }
    /// The message's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
    /// Number of bytes.
    pub fn n_bytes(&self) -> usize {
        self.bytes.len()
    }
    /// Number of handles (taken ones included, as invalid handles).
    pub fn n_handles(&self) -> usize {
        self.handles.len()
    }
    /// The handles, still owned by the buffer (closed on drop or the next read).
    pub fn handles(&self) -> &[Handle] {
        &self.handles
    }
    /// Takes handle `i` out of the buffer (leaving an invalid handle), if there is one.
    pub fn take_handle(&mut self, i: usize) -> Option<Handle> {
        let h = self.handles.get_mut(i)?;
        if h.is_valid() {
            Some(core::mem::replace(h, Handle::invalid()))
        } else {
            None
        }
    }
    /// Drops the message: its bytes and the handles not taken (closed).
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.handles.clear();
    }
    /// The bytes and handles.
    pub fn split(self) -> (Vec<u8>, Vec<Handle>) {
        (self.bytes, self.handles)
    }
}

/// A handle received by [`Channel::read_etc`]: the handle, its object type and its rights.
#[derive(Debug, PartialEq, Eq)]
pub struct HandleInfo {
    /// The handle, now owned by the reader.
    pub handle: Handle,
    /// Its object type.
    pub object_type: ObjType,
    /// Its rights.
    pub rights: Rights,
}

/// A message read by [`Channel::read_etc`] or [`Channel::call_etc`].
#[derive(Debug, Default)]
pub struct MessageBufEtc {
    bytes: Vec<u8>,
    handle_infos: Vec<HandleInfo>,
}

impl MessageBufEtc {
    /// An empty buffer (it grows on the first read).
    pub fn new() -> Self {
        Self::default()
    }
    /// Makes room for at least `n` bytes.
    pub fn ensure_capacity_bytes(&mut self, n: usize) {
        self.bytes.reserve(n.saturating_sub(self.bytes.len()));
    }
    /// The message's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
    /// Number of bytes.
    pub fn n_bytes(&self) -> usize {
        self.bytes.len()
    }
    /// Number of handles.
    pub fn n_handle_infos(&self) -> usize {
        self.handle_infos.len()
    }
    /// The received handles with their types and rights.
    pub fn handle_infos(&self) -> &[HandleInfo] {
        &self.handle_infos
    }
    /// Takes the handle infos out of the buffer.
    pub fn take_handle_infos(&mut self) -> Vec<HandleInfo> {
        core::mem::take(&mut self.handle_infos)
    }
    /// Drops the message (closing the handles not taken).
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.handle_infos.clear();
    }
    /// The bytes and handle infos.
    pub fn split(self) -> (Vec<u8>, Vec<HandleInfo>) {
        (self.bytes, self.handle_infos)
    }
}

/// What [`Channel::write_etc`] does with one handle.
#[derive(Debug)]
pub enum HandleOp<'a> {
    /// `ZX_HANDLE_OP_MOVE`: the handle goes into the message (consumed, also on failure).
    Move(Handle),
    /// `ZX_HANDLE_OP_DUPLICATE`: a duplicate goes into the message; the handle stays.
    Duplicate(HandleRef<'a>),
}

/// One handle of a [`Channel::write_etc`] (`zx_handle_disposition_t`).
#[derive(Debug)]
pub struct HandleDisposition<'a> {
    /// Move or duplicate, and the handle.
    pub handle_op: HandleOp<'a>,
    /// Expected object type (`ObjType::NONE`: no check).
    pub object_type: ObjType,
    /// Rights of the sent handle (`Rights::SAME_RIGHTS`: the source's).
    pub rights: Rights,
    /// After the call: this entry's error, or `Status::OK`.
    pub result: Status,
}

impl<'a> HandleDisposition<'a> {
    /// An entry with `result` `OK`.
    pub fn new(handle_op: HandleOp<'a>, object_type: ObjType, rights: Rights) -> Self {
        Self {
            handle_op,
            object_type,
            rights,
            result: Status::OK,
        }
    }

    fn raw(&self) -> zx_abi::HandleDisposition {
        let (operation, handle) = match &self.handle_op {
            HandleOp::Move(h) => (HANDLE_OP_MOVE, h.raw()),
            HandleOp::Duplicate(h) => (HANDLE_OP_DUPLICATE, h.raw()),
        };
        zx_abi::HandleDisposition {
            operation,
            handle,
            obj_type: self.object_type.raw(),
            rights: self.rights.bits(),
            result: self.result.raw(),
        }
    }
}

fn len32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The kernel took the handles (moved into a message or closed): forget them here.
fn consumed(handles: &mut [Handle]) {
    for h in handles {
        let _ = core::mem::replace(h, Handle::invalid()).into_raw();
    }
}

/// After a `write_etc`/`call_etc`: results back into the entries, moved handles forgotten.
fn dispositions_done(
    dispositions: &mut [HandleDisposition<'_>],
    raws: &[zx_abi::HandleDisposition],
) {
    for (d, r) in dispositions.iter_mut().zip(raws) {
        d.result = Status(r.result);
        if let HandleOp::Move(h) = &mut d.handle_op {
            let _ = core::mem::replace(h, Handle::invalid()).into_raw();
        }
    }
}

impl Channel {
    /// `zx_channel_create`: two connected endpoints.
    pub fn create() -> ZxResult<(Channel, Channel)> {
        let (mut a, mut b) = (0, 0);
        Status(raw::channel_create(0, &mut a, &mut b)).ok()?;
        Ok((Channel(Handle::from_raw(a)), Channel(Handle::from_raw(b))))
    }

    /// `zx_channel_write`: sends `bytes` and `handles`. The handles are consumed whatever the
    /// result (docs/abi.md section 4): every entry of `handles` is left invalid, so nothing is
    /// closed twice. A `Vec<Handle>` is passed as `&mut v` (then `v.clear()` to reuse it).
    pub fn write(&self, bytes: &[u8], handles: &mut [Handle]) -> ZxResult {
        // `Handle` is `repr(transparent)` over the `u32` value: the slice is a handle array.
        let s = raw::channel_write(
            self.0.raw(),
            0,
            bytes.as_ptr(),
            len32(bytes.len()),
            handles.as_ptr() as *const u32,
            len32(handles.len()),
        );
        consumed(handles);
        Status(s).ok()
    }

    /// `zx_channel_write_etc`: each entry moves or duplicates its handle into the message,
    /// optionally checking its type and reducing its rights. Moved handles are consumed
    /// whatever the result; each entry's `result` says what failed for it.
    pub fn write_etc(&self, bytes: &[u8], dispositions: &mut [HandleDisposition<'_>]) -> ZxResult {
        let mut raws: Vec<zx_abi::HandleDisposition> =
            dispositions.iter().map(|d| d.raw()).collect();
        let s = raw::channel_write_etc(
            self.0.raw(),
            0,
            bytes.as_ptr(),
            len32(bytes.len()),
            raws.as_mut_ptr(),
            len32(raws.len()),
        );
        dispositions_done(dispositions, &raws);
        Status(s).ok()
    }

    /// `zx_channel_read` into `buf`, growing it when the message is bigger (the kernel keeps
    /// the message queued on `BUFFER_TOO_SMALL` and says how big it is). `SHOULD_WAIT` when
    /// there is no message, `PEER_CLOSED` when none will come.
    pub fn read(&self, buf: &mut MessageBuf) -> ZxResult {
        let mut hs = [0u32; MAX_HANDLES];
        buf.clear();
        let n = read_growing(&mut buf.bytes, |b, cap, nb, nh| {
            let (h, nhs) = (hs.as_mut_ptr(), MAX_HANDLES as u32);
            raw::channel_read(self.0.raw(), 0, b, h, cap, nhs, nb, nh)
        })?;
        buf.handles.extend(handles_from(&hs[..n]));
        Ok(())
    }

    /// Like [`Channel::read`], into separate vectors (cleared first).
    pub fn read_split(&self, bytes: &mut Vec<u8>, handles: &mut Vec<Handle>) -> ZxResult {
        let mut buf = MessageBuf::new_with(core::mem::take(bytes), core::mem::take(handles));
        let r = self.read(&mut buf);
        (*bytes, *handles) = buf.split();
        r
    }

    /// `zx_channel_read_etc` into `buf` (growing it as [`Channel::read`] does): each handle
    /// comes with its object type and rights.
    pub fn read_etc(&self, buf: &mut MessageBufEtc) -> ZxResult {
        let mut infos = [zx_abi::HandleInfo::default(); MAX_HANDLES];
        buf.clear();
        let n = read_growing(&mut buf.bytes, |b, cap, nb, nh| {
            let (h, nhs) = (infos.as_mut_ptr(), MAX_HANDLES as u32);
            raw::channel_read_etc(self.0.raw(), 0, b, h, cap, nhs, nb, nh)
        })?;
        buf.handle_infos.extend(infos_from(&infos[..n]));
        Ok(())
    }

    /// `zx_channel_call`: writes `bytes` (at least 4: the kernel puts the transaction id in
    /// bytes 0..3) and `handles` (consumed whatever the result), then waits until `deadline`
    /// for the reply with that id and reads it into `buf` (sized for the largest message, so a
    /// reply always fits).
    pub fn call(
        &self,
        deadline: MonotonicInstant,
        bytes: &[u8],
        handles: &mut [Handle],
        buf: &mut MessageBuf,
    ) -> ZxResult {
        let mut hs = [0u32; MAX_HANDLES];
        buf.clear();
        let wr_handles = (handles.as_ptr() as u64, len32(handles.len()));
        let args = call_args(bytes, wr_handles, &mut buf.bytes, hs.as_mut_ptr() as u64);
        let (mut nb, mut nh) = (0u32, 0u32);
        let dl = deadline.into_nanos();
        let s = raw::channel_call(self.0.raw(), 0, dl, &args, &mut nb, &mut nh);
        consumed(handles);
        let n = reply(&mut buf.bytes, s, nb, nh)?;
        buf.handles.extend(handles_from(&hs[..n]));
        Ok(())
    }

    /// `zx_channel_call_etc`: [`Channel::call`] with [`HandleDisposition`]s for the request and
    /// [`HandleInfo`]s for the reply.
    pub fn call_etc(
        &self,
        deadline: MonotonicInstant,
        bytes: &[u8],
        dispositions: &mut [HandleDisposition<'_>],
        buf: &mut MessageBufEtc,
    ) -> ZxResult {
        let mut raws: Vec<zx_abi::HandleDisposition> =
            dispositions.iter().map(|d| d.raw()).collect();
        let mut infos = [zx_abi::HandleInfo::default(); MAX_HANDLES];
        buf.clear();
        let wr_handles = (raws.as_mut_ptr() as u64, len32(raws.len()));
        let mut args = call_args(bytes, wr_handles, &mut buf.bytes, infos.as_mut_ptr() as u64);
        let (mut nb, mut nh) = (0u32, 0u32);
        let dl = deadline.into_nanos();
        let s = raw::channel_call_etc(self.0.raw(), 0, dl, &mut args, &mut nb, &mut nh);
        dispositions_done(dispositions, &raws);
        let n = reply(&mut buf.bytes, s, nb, nh)?;
        buf.handle_infos.extend(infos_from(&infos[..n]));
        Ok(())
    }
}

/// Reads a message's bytes into `bytes` with `read(address, capacity, &mut actual_bytes,
/// &mut actual_handles)`, growing it while the message does not fit: the number of handles.
fn read_growing(
    bytes: &mut Vec<u8>,
    mut read: impl FnMut(*mut u8, u32, &mut u32, &mut u32) -> i32,
) -> ZxResult<usize> {
    loop {
        let cap = bytes.capacity();
        bytes.resize(cap, 0);
        let (mut nb, mut nh) = (0u32, 0u32);
        let s = read(bytes.as_mut_ptr(), len32(cap), &mut nb, &mut nh);
        if s == Status::BUFFER_TOO_SMALL.raw() && nb as usize > cap {
            bytes.reserve(nb as usize - bytes.len());
            continue;
        }
        return reply(bytes, s, nb, nh);
    }
}

/// `bytes` cut to the `nb` bytes read (none on an error `s`): the number of handles read.
fn reply(bytes: &mut Vec<u8>, s: i32, nb: u32, nh: u32) -> ZxResult<usize> {
    bytes.truncate(if s == 0 { nb as usize } else { 0 });
    Status(s).ok()?;
    Ok((nh as usize).min(MAX_HANDLES))
}

/// The arguments of a call writing `bytes` and the handles `wr_handles` (address, count), with
/// `rd_bytes` grown to the largest message and room for the most handles at `rd_handles`.
fn call_args(
    bytes: &[u8],
    wr_handles: (u64, u32),
    rd_bytes: &mut Vec<u8>,
    rd_handles: u64,
) -> zx_abi::ChannelCallArgs {
    rd_bytes.resize(CHANNEL_MAX_MSG_BYTES as usize, 0);
    let wr_bytes = (bytes.as_ptr() as u64, len32(bytes.len()));
    let rd = (rd_bytes.as_mut_ptr() as u64, CHANNEL_MAX_MSG_BYTES);
    crate::call_args(wr_bytes, wr_handles, rd, (rd_handles, MAX_HANDLES as u32))
}

/// Received raw handle values, owned.
fn handles_from(raw: &[u32]) -> impl Iterator<Item = Handle> + '_ {
    raw.iter().map(|&h| Handle::from_raw(h))
}

/// Received `zx_handle_info_t` records, owned.
fn infos_from(raw: &[zx_abi::HandleInfo]) -> impl Iterator<Item = HandleInfo> + '_ {
    raw.iter().map(|i| HandleInfo {
        handle: Handle::from_raw(i.handle),
        object_type: ObjType(i.obj_type),
        rights: Rights(i.rights),
    })
}
