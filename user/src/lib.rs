//! `zx`: the Rust library for programs on this kernel.
//!
//! - **The typed API**, in the style of Fuchsia's `zx` crate: handles that close on drop
//!   ([`Handle`], [`channel::Channel`], [`Event`], [`EventPair`], [`Process`], [`Thread`]), the
//!   traits [`AsHandleRef`], [`HandleBased`] and [`Peered`], channel writes that take ownership
//!   of the handles they send, reads into a growable [`MessageBuf`], `write_etc`/`read_etc`
//!   with [`channel::HandleDisposition`]/[`channel::HandleInfo`], `call`/`call_etc` with a
//!   [`MonotonicInstant`] deadline, [`Duration`], and [`Rights`]/[`Signals`] whose `Debug`
//!   names their bits. Start here; the README has a short example.
//! - The raw calls, one per row of docs/abi.md section 2 ([`raw`], [`sys`]), for tests that
//!   pass hostile arguments.
//! - The first, thinner wrappers ([`Channel`] with `write(&[u8], &[u32])` and a fixed-size
//!   [`Received`], `Handle::wait_one(.., i64)`), kept for the programs written against them.
//!   The typed channel is [`channel::Channel`]; the two convert with `From`.
//! - Program start-up ([`entry!`], [`StartArgs`]), console printing ([`println!`]), a heap for
//!   `alloc` (a static arena, [`heap`]), and the EL0 test library ([`mod@test`], [`tests!`]).
#![no_std]

extern crate alloc;

pub mod channel;
pub mod handle;
pub mod heap;
pub mod object;
pub mod sys;
pub mod test;
pub mod time;

pub use zx_abi::*;

pub use channel::{HandleOp, MessageBuf, MessageBufEtc};
pub use handle::{AsHandleRef, HandleBased, HandleRef, Peered};
pub use object::{EventPair, Thread};
pub use time::{Duration, MonotonicInstant, Time};

use core::fmt::{self, Write};

/// Raw syscalls with typed arguments, one per row of docs/abi.md section 2. They return what the
/// kernel returns; pointers are passed as given (tests pass hostile ones on purpose).
pub mod raw {
    use super::sys::*;
    use zx_abi::nr;

    /// `wrappers! { name(arg: Type, ...) = NR; ... }`: a wrapper per call, returning its status.
    macro_rules! wrappers {
        ($($name:ident($($a:ident: $t:ty),*) = $nr:ident;)*) => {$(
            #[allow(clippy::too_many_arguments)]
            pub fn $name($($a: $t),*) -> i32 {
                rawn(nr::$nr, [$($a as u64),*]) as i32
            }
        )*};
    }

    use zx_abi::{ChannelCallArgs as Args, HandleDisposition as Disp, HandleInfo, WaitItem};
    wrappers! {
        handle_close(h: u32) = HANDLE_CLOSE;
        handle_close_many(handles: *const u32, n: usize) = HANDLE_CLOSE_MANY;
        handle_duplicate(h: u32, rights: u32, out: *mut u32) = HANDLE_DUPLICATE;
        handle_replace(h: u32, rights: u32, out: *mut u32) = HANDLE_REPLACE;
        object_get_info(h: u32, topic: u32, buf: *mut u8, size: usize, actual: *mut usize,
            avail: *mut usize) = OBJECT_GET_INFO;
        object_wait_one(h: u32, signals: u32, deadline: i64, observed: *mut u32) = OBJECT_WAIT_ONE;
        object_wait_many(items: *mut WaitItem, n: usize, deadline: i64) = OBJECT_WAIT_MANY;
        object_signal(h: u32, clear: u32, set: u32) = OBJECT_SIGNAL;
        object_signal_peer(h: u32, clear: u32, set: u32) = OBJECT_SIGNAL_PEER;
        channel_create(options: u32, out0: *mut u32, out1: *mut u32) = CHANNEL_CREATE;
        channel_read(h: u32, options: u32, bytes: *mut u8, handles: *mut u32, num_bytes: u32,
            num_handles: u32, actual_bytes: *mut u32, actual_handles: *mut u32) = CHANNEL_READ;
        channel_read_etc(h: u32, options: u32, bytes: *mut u8, handles: *mut HandleInfo,
            num_bytes: u32, num_handles: u32, actual_bytes: *mut u32, actual_handles: *mut u32)
            = CHANNEL_READ_ETC;
        channel_write(h: u32, options: u32, bytes: *const u8, num_bytes: u32,
            handles: *const u32, num_handles: u32) = CHANNEL_WRITE;
        channel_write_etc(h: u32, options: u32, bytes: *const u8, num_bytes: u32,
            handles: *mut Disp, num_handles: u32) = CHANNEL_WRITE_ETC;
        channel_call(h: u32, options: u32, deadline: i64, args: *const Args,
            actual_bytes: *mut u32, actual_handles: *mut u32) = CHANNEL_CALL;
        channel_call_etc(h: u32, options: u32, deadline: i64, args: *mut Args,
            actual_bytes: *mut u32, actual_handles: *mut u32) = CHANNEL_CALL_ETC;
        event_create(options: u32, out: *mut u32) = EVENT_CREATE;
        eventpair_create(options: u32, out0: *mut u32, out1: *mut u32) = EVENTPAIR_CREATE;
        thread_create(process: u32, name: *const u8, name_len: usize, options: u32, out: *mut u32)
            = THREAD_CREATE;
        thread_start(thread: u32, entry: usize, stack: usize, arg1: usize, arg2: usize)
            = THREAD_START;
        nanosleep(deadline: i64) = NANOSLEEP;
        debug_write(buf: *const u8, len: usize) = DEBUG_WRITE;
        process_spawn(name: *const u8, name_len: usize, bootstrap: u32, out: *mut u32)
            = PROCESS_SPAWN;
    }
    pub fn process_exit(code: i64) -> ! {
        raw1(nr::PROCESS_EXIT, code as u64);
        #[allow(clippy::empty_loop)]
        loop {}
    }
    pub fn thread_exit() -> ! {
        raw0(nr::THREAD_EXIT);
        #[allow(clippy::empty_loop)]
        loop {}
    }
    pub fn clock_get_monotonic() -> i64 {
        raw0(nr::CLOCK_GET_MONOTONIC) as i64
    }
}

/// An array argument from a slice: its address (NULL if empty) and its number of entries.
pub fn slice_arg<T>(s: &[T]) -> (u64, u32) {
    let p = if s.is_empty() { 0 } else { s.as_ptr() as u64 };
    (p, s.len() as u32)
}

/// [`slice_arg`] for a buffer the kernel writes.
pub fn slice_arg_mut<T>(s: &mut [T]) -> (u64, u32) {
    let p = if s.is_empty() {
        0
    } else {
        s.as_mut_ptr() as u64
    };
    (p, s.len() as u32)
}

/// The arguments of `zx_channel_call[_etc]`: the request's bytes and handles (or
/// dispositions), and room for the reply's bytes and handles (or infos), each as (address,
/// number of entries).
pub fn call_args(
    wr_bytes: (u64, u32),
    wr_handles: (u64, u32),
    rd_bytes: (u64, u32),
    rd_handles: (u64, u32),
) -> ChannelCallArgs {
    ChannelCallArgs {
        wr_bytes: wr_bytes.0,
        wr_handles: wr_handles.0,
        rd_bytes: rd_bytes.0,
        rd_handles: rd_handles.0,
        wr_num_bytes: wr_bytes.1,
        wr_num_handles: wr_handles.1,
        rd_num_bytes: rd_bytes.1,
        rd_num_handles: rd_handles.1,
    }
}

/// Result of a wrapper: `Ok` or the status the kernel returned.
pub type ZxResult<T = ()> = Result<T, Status>;

fn ok(s: i32) -> ZxResult {
    if s == 0 {
        Ok(())
    } else {
        Err(Status(s))
    }
}

/// An owned handle value: closed on drop. `repr(transparent)`: a `[Handle]` is a `zx_handle_t`
/// array.
#[derive(Debug, PartialEq, Eq)]
#[repr(transparent)]
pub struct Handle(u32);

impl Handle {
    /// Takes ownership of a raw value.
    pub const fn from_raw(v: u32) -> Handle {
        Handle(v)
    }
    pub const fn invalid() -> Handle {
        Handle(HANDLE_INVALID)
    }
    pub fn raw(&self) -> u32 {
        self.0
    }
    pub fn is_valid(&self) -> bool {
        self.0 != HANDLE_INVALID
    }
    /// `true` for `ZX_HANDLE_INVALID` (e.g. a handle a channel write consumed).
    pub fn is_invalid(&self) -> bool {
        self.0 == HANDLE_INVALID
    }
    /// Gives up ownership without closing.
    pub fn into_raw(self) -> u32 {
        let v = self.0;
        core::mem::forget(self);
        v
    }
    pub fn duplicate(&self, rights: Rights) -> ZxResult<Handle> {
        let mut out = 0;
        ok(raw::handle_duplicate(self.0, rights.bits(), &mut out))?;
        Ok(Handle(out))
    }
    pub fn replace(self, rights: Rights) -> ZxResult<Handle> {
        let mut out = 0;
        let v = self.into_raw();
        ok(raw::handle_replace(v, rights.bits(), &mut out))?;
        Ok(Handle(out))
    }
    pub fn basic_info(&self) -> ZxResult<InfoHandleBasic> {
        get_info(self.0, INFO_HANDLE_BASIC)
    }
    pub fn koid(&self) -> ZxResult<u64> {
        Ok(self.basic_info()?.koid)
    }
    pub fn wait_one(&self, signals: Signals, deadline: i64) -> ZxResult<Signals> {
        let mut obs = 0;
        let s = raw::object_wait_one(self.0, signals.bits(), deadline, &mut obs);
        if s == 0 {
            Ok(Signals(obs))
        } else {
            Err(Status(s))
        }
    }
    pub fn signal(&self, clear: Signals, set: Signals) -> ZxResult {
        ok(raw::object_signal(self.0, clear.bits(), set.bits()))
    }
    pub fn signal_peer(&self, clear: Signals, set: Signals) -> ZxResult {
        ok(raw::object_signal_peer(self.0, clear.bits(), set.bits()))
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        if self.0 != HANDLE_INVALID {
            raw::handle_close(self.0);
        }
    }
}

/// Reads one record of `topic` about handle `h`.
pub fn get_info<T: Pod + Default>(h: u32, topic: u32) -> ZxResult<T> {
    let mut buf = [0u8; MAX_POD_SIZE];
    let (mut actual, mut avail) = (0usize, 0usize);
    ok(raw::object_get_info(
        h,
        topic,
        buf.as_mut_ptr(),
        T::SIZE,
        &mut actual,
        &mut avail,
    ))?;
    Ok(T::from_bytes(&buf))
}

/// A channel endpoint (the first wrapper: raw `u32` handles in `write`, a fixed [`Received`]
/// from `read`). New code uses [`channel::Channel`]; `From` converts either way.
#[derive(Debug)]
pub struct Channel(pub Handle);

/// One message read from a channel.
pub struct Received {
    pub bytes: [u8; 256],
    pub num_bytes: u32,
    pub handles: [u32; 64],
    pub num_handles: u32,
}

impl Channel {
    pub fn create() -> ZxResult<(Channel, Channel)> {
        let (mut a, mut b) = (0, 0);
        ok(raw::channel_create(0, &mut a, &mut b))?;
        Ok((Channel(Handle(a)), Channel(Handle(b))))
    }
    pub fn raw(&self) -> u32 {
        self.0.raw()
    }
    /// `zx_channel_write`: the handles are consumed whatever the result.
    pub fn write(&self, bytes: &[u8], handles: &[u32]) -> ZxResult {
        ok(raw::channel_write(
            self.raw(),
            0,
            bytes.as_ptr(),
            bytes.len() as u32,
            handles.as_ptr(),
            handles.len() as u32,
        ))
    }
    /// `zx_channel_read` into caller buffers; returns (bytes, handles) actually read.
    pub fn read_into(&self, bytes: &mut [u8], handles: &mut [u32]) -> ZxResult<(u32, u32)> {
        let (s, ab, ah) = crate::test::read_raw(self.raw(), bytes, handles);
        ok(s)?;
        Ok((ab, ah))
    }
    /// Reads a message of up to 256 bytes and 64 handles.
    pub fn read(&self) -> ZxResult<Received> {
        let mut r = Received {
            bytes: [0; 256],
            num_bytes: 0,
            handles: [0; 64],
            num_handles: 0,
        };
        let (b, h) = self.read_into(&mut r.bytes, &mut r.handles)?;
        r.num_bytes = b;
        r.num_handles = h;
        Ok(r)
    }
    /// Waits until readable (or peer closed), then reads.
    pub fn read_wait(&self, deadline: i64) -> ZxResult<Received> {
        self.wait_message(deadline)?;
        self.read()
    }
    /// Waits until a message is queued or none will come (`CHANNEL_READABLE` or
    /// `CHANNEL_PEER_CLOSED`): the signals observed.
    pub fn wait_message(&self, deadline: i64) -> ZxResult<Signals> {
        let either = Signals::CHANNEL_READABLE | Signals::CHANNEL_PEER_CLOSED;
        self.0.wait_one(either, deadline)
    }
}

/// An event.
pub struct Event(pub Handle);

impl Event {
    pub fn create() -> ZxResult<Event> {
        let mut h = 0;
        ok(raw::event_create(0, &mut h))?;
        Ok(Event(Handle(h)))
    }
}

/// A child process started from a boot program.
pub struct Process(pub Handle);

impl Process {
    /// `zx_process_spawn`: `bootstrap` is transferred on success.
    pub fn spawn(name: &str, bootstrap: Option<Handle>) -> ZxResult<Process> {
        let mut out = 0;
        let b = bootstrap.as_ref().map_or(HANDLE_INVALID, |h| h.raw());
        let s = raw::process_spawn(name.as_ptr(), name.len(), b, &mut out);
        if s == 0 {
            if let Some(h) = bootstrap {
                h.into_raw();
            }
            Ok(Process(Handle(out)))
        } else {
            Err(Status(s))
        }
    }
    /// Waits for the end and returns the return code.
    pub fn wait(&self, deadline: i64) -> ZxResult<i64> {
        self.0.wait_one(Signals::TASK_TERMINATED, deadline)?;
        let info: InfoProcess = get_info(self.0.raw(), INFO_PROCESS)?;
        Ok(info.return_code)
    }
}

/// What the kernel hands the first thread (docs/abi.md section 5).
#[derive(Clone, Copy, Debug)]
pub struct StartArgs {
    pub bootstrap: u32,
    pub process: u32,
    pub root_resource: u32,
    pub thread: u32,
}

/// Monotonic time in nanoseconds.
pub fn now() -> i64 {
    raw::clock_get_monotonic()
}

/// A deadline `ns` from now.
pub fn deadline_after(ns: i64) -> i64 {
    now().saturating_add(ns)
}

pub fn sleep_ns(ns: i64) {
    raw::nanosleep(deadline_after(ns));
}

/// Kernel statistics (needs the root resource).
pub fn kernel_stats(root: u32) -> ZxResult<InfoKernelStats> {
    get_info(root, INFO_KERNEL_STATS)
}

/// A line buffer so one `println!` is one `zx_debug_write` (whole lines, never interleaved).
pub struct LineWriter {
    buf: [u8; 512],
    len: usize,
}

impl LineWriter {
    pub const fn new() -> Self {
        LineWriter {
            buf: [0; 512],
            len: 0,
        }
    }
    pub fn flush(&mut self) {
        if self.len > 0 {
            raw::debug_write(self.buf.as_ptr(), self.len);
            self.len = 0;
        }
    }
}

impl Default for LineWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl Write for LineWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for &b in s.as_bytes() {
            if self.len == self.buf.len() {
                self.flush();
            }
            self.buf[self.len] = b;
            self.len += 1;
        }
        Ok(())
    }
}

#[doc(hidden)]
pub fn _print(args: fmt::Arguments) {
    let mut w = LineWriter::new();
    let _ = w.write_fmt(args);
    w.flush();
}

#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => ($crate::_print(format_args!($($arg)*)));
}

#[macro_export]
macro_rules! println {
    () => ($crate::print!("\n"));
    ($($arg:tt)*) => ($crate::_print(format_args!("{}\n", format_args!($($arg)*))));
}

/// Declares the program's entry: `zx::entry!(main);` with `fn main(args: StartArgs) -> i64`.
///
/// `_start` is two instructions: it passes the kernel's initial `sp` (the top of the first
/// thread's stack, docs/abi.md section 5) on to the Rust entry, which keeps it for
/// [`initial_stack`].
#[macro_export]
macro_rules! entry {
    ($main:path) => {
        ::core::arch::global_asm!(
            ".pushsection .text._start, \"ax\"",
            ".global _start",
            ".type _start, %function",
            "_start:",
            "mov x4, sp",
            "b {rust_start}",
            ".popsection",
            rust_start = sym __zx_rust_start,
        );
        #[doc(hidden)]
        extern "C" fn __zx_rust_start(x0: u64, x1: u64, x2: u64, x3: u64, sp: u64) -> ! {
            let args = $crate::StartArgs {
                bootstrap: x0 as u32,
                process: x1 as u32,
                root_resource: x2 as u32,
                thread: x3 as u32,
            };
            $crate::_init(&args, sp as usize);
            let code: i64 = $main(args);
            $crate::raw::process_exit(code)
        }
    };
}

/// Size of the first thread's stack (docs/abi.md section 5); an unmapped guard page is below it.
pub const INITIAL_STACK_SIZE: usize = 256 * 1024;

static INITIAL_SP: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(0);

/// The first thread's stack as the program found it at entry: `(bottom, top)`, where `top` is
/// the `sp` the kernel started it with and `bottom` is [`INITIAL_STACK_SIZE`] below.
pub fn initial_stack() -> (usize, usize) {
    let top = INITIAL_SP.load(core::sync::atomic::Ordering::Relaxed);
    (top.wrapping_sub(INITIAL_STACK_SIZE), top)
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    println!("PANIC: {}", info);
    raw::process_exit(101)
}

/// Threads in this process: stacks from a static pool, joined through `TASK_TERMINATED`.
pub mod thread {
    use super::*;
    use core::sync::atomic::{AtomicU32, Ordering};

    /// Stack size of each pooled thread stack.
    pub const STACK_SIZE: usize = 64 * 1024;
    const POOL: usize = 32;

    #[repr(C, align(16))]
    struct Stacks([[u8; STACK_SIZE]; POOL]);
    static mut STACKS: Stacks = Stacks([[0; STACK_SIZE]; POOL]);
    static USED: AtomicU32 = AtomicU32::new(0);

    /// A started thread; `join` waits for it and returns its stack to the pool.
    pub struct Thread {
        pub handle: Handle,
        slot: usize,
    }

    #[repr(C)]
    struct Start {
        f: fn(usize),
        arg: usize,
    }
    static mut STARTS: [Start; POOL] = [const { Start { f: noop, arg: 0 } }; POOL];
    fn noop(_: usize) {}

    extern "C" fn trampoline(slot: usize, _unused: usize) -> ! {
        // SAFETY: the slot's start record was written before the thread started and is not
        // touched again until `join`.
        let (f, arg) = unsafe { (STARTS[slot].f, STARTS[slot].arg) };
        f(arg);
        raw::thread_exit()
    }

    /// Starts `f(arg)` on a new thread of this process.
    pub fn spawn(f: fn(usize), arg: usize) -> ZxResult<Thread> {
        let slot = loop {
            let used = USED.load(Ordering::Acquire);
            if used == u32::MAX {
                return Err(Status::NO_RESOURCES);
            }
            let bit = (!used).trailing_zeros() as usize;
            if USED
                .compare_exchange(used, used | (1 << bit), Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            {
                break bit;
            }
        };
        // SAFETY: the slot is ours (its bit was clear and we set it).
        unsafe { STARTS[slot] = Start { f, arg } };
        let mut h = 0;
        let name = b"worker";
        let self_proc = SELF_PROCESS.load(Ordering::Relaxed);
        let s = raw::thread_create(self_proc, name.as_ptr(), name.len(), 0, &mut h);
        if s != 0 {
            USED.fetch_and(!(1 << slot), Ordering::AcqRel);
            return Err(Status(s));
        }
        let handle = Handle::from_raw(h);
        // SAFETY: only the address of the pooled stack is taken.
        let top = unsafe { &raw mut STACKS.0[slot] } as usize + STACK_SIZE;
        let s = raw::thread_start(h, trampoline as *const () as usize, top, slot, 0);
        if s != 0 {
            USED.fetch_and(!(1 << slot), Ordering::AcqRel);
            return Err(Status(s));
        }
        Ok(Thread { handle, slot })
    }

    impl Thread {
        /// Waits for the thread to end (`TIMED_OUT` leaves it running and its stack in use).
        pub fn join(self, deadline: i64) -> ZxResult {
            self.handle.wait_one(Signals::TASK_TERMINATED, deadline)?;
            USED.fetch_and(!(1 << self.slot), Ordering::AcqRel);
            Ok(())
        }
    }

    pub(crate) static SELF_PROCESS: AtomicU32 = AtomicU32::new(0);
}

/// Start-up that `entry!` performs before `main`.
#[doc(hidden)]
pub fn _init(args: &StartArgs, sp: usize) {
    INITIAL_SP.store(sp, core::sync::atomic::Ordering::Relaxed);
    thread::SELF_PROCESS.store(args.process, core::sync::atomic::Ordering::Relaxed);
}

/// For test programs run by init: takes the root resource init sends as the first message on
/// the bootstrap channel (returns `Handle::invalid()` if there is none).
pub fn take_root_resource(args: &StartArgs) -> Handle {
    if args.root_resource != HANDLE_INVALID {
        return Handle::from_raw(args.root_resource);
    }
    let ch = Channel(Handle::from_raw(args.bootstrap));
    let r = ch.read();
    let _ = ch.0.into_raw(); // the bootstrap channel stays open for the program
    match r {
        Ok(m) if m.num_handles == 1 && &m.bytes[..m.num_bytes as usize] == b"root" => {
            Handle::from_raw(m.handles[0])
        }
        _ => Handle::invalid(),
    }
}
