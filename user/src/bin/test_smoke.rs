//! Smoke test: the start-up registers, the console, the clock, and a channel round trip.
#![no_std]
#![no_main]

use zx::*;

zx::entry!(main);

static mut ARGS: Option<StartArgs> = None;

fn args() -> StartArgs {
    // SAFETY: written once at start, before any case runs; single-threaded.
    unsafe { ARGS.unwrap() }
}

fn startup_handles_have_low_bits_and_types() {
    let a = args();
    check_eq!(a.bootstrap & 3, 3);
    check_eq!(a.process & 3, 3);
    check_eq!(a.thread & 3, 3);
    check_eq!(a.root_resource, 0);
    let p: InfoHandleBasic = get_info(a.process, INFO_HANDLE_BASIC).unwrap_or_default();
    check_eq!(p.obj_type, ObjType::PROCESS.raw());
    check_eq!(p.rights, Rights::DEFAULT_PROCESS.bits());
    let t: InfoHandleBasic = get_info(a.thread, INFO_HANDLE_BASIC).unwrap_or_default();
    check_eq!(t.obj_type, ObjType::THREAD.raw());
    check_eq!(t.related_koid, p.koid);
    let b: InfoHandleBasic = get_info(a.bootstrap, INFO_HANDLE_BASIC).unwrap_or_default();
    check_eq!(b.obj_type, ObjType::CHANNEL.raw());
    check_eq!(b.rights, Rights::DEFAULT_CHANNEL.bits());
}

fn clock_is_monotonic_and_sleep_waits() {
    let t0 = now();
    sleep_ns(2_000_000);
    let t1 = now();
    check!(t1 - t0 >= 2_000_000, "slept {} ns", t1 - t0);
}

fn channel_round_trip() {
    let (a, b) = Channel::create().unwrap();
    check!(a.write(b"hello", &[]).is_ok());
    let r = b.read().ok();
    check!(r.is_some());
    if let Some(r) = r {
        check_eq!(&r.bytes[..r.num_bytes as usize], b"hello");
    }
}

fn unknown_syscall_is_bad_syscall() {
    check_eq!(zx::sys::raw0(9) as i32, Status::BAD_SYSCALL.raw());
    check_eq!(zx::sys::raw0(1000) as i32, Status::BAD_SYSCALL.raw());
}

fn main(a: StartArgs) -> i64 {
    // SAFETY: single-threaded start-up.
    unsafe { ARGS = Some(a) };
    test::run(
        "smoke",
        &[
            (
                "startup_handles_have_low_bits_and_types",
                startup_handles_have_low_bits_and_types,
            ),
            (
                "clock_is_monotonic_and_sleep_waits",
                clock_is_monotonic_and_sleep_waits,
            ),
            ("channel_round_trip", channel_round_trip),
            (
                "unknown_syscall_is_bad_syscall",
                unknown_syscall_is_bad_syscall,
            ),
        ],
    )
}
