//! Helper of test_teardown: builds a nest of channels (each level's message carries the next
//! endpoint, a fresh event and both ends of a fresh eventpair; the deepest one also carries an
//! eventpair end whose peer goes back as a witness), sends the witnesses back over the bootstrap
//! channel (`"nest"` + [tail channel end, eventpair end]) and ends without closing anything.
//!
//! Configuration, the first message on the bootstrap channel: `mode: u32, depth: u32`.
//! Modes: 0 = `zx_process_exit(0)`; 1 = fault (EL0 data abort at 0x10); 2 = start a thread that
//! blocks forever in `zx_object_wait_one`, then `zx_process_exit(0)`.
//! Any set-up failure exits with a code >= 10 (the test expects 0 or the fault code).
#![no_std]
#![no_main]

use zx::*;

zx::entry!(main);

fn fail(code: i64) -> i64 {
    println!("child_nest: set-up failed ({})", code);
    code
}

fn block_forever(ev: usize) {
    let _ = raw::object_wait_one(
        ev as u32,
        Signals::EVENT_SIGNALED.bits(),
        TIME_INFINITE,
        core::ptr::null_mut(),
    );
}

fn main(args: StartArgs) -> i64 {
    let boot = Channel(Handle::from_raw(args.bootstrap));
    let Ok(cfg) = boot.read() else {
        return fail(10);
    };
    if cfg.num_bytes != 8 {
        return fail(11);
    }
    let mode = u32::from_le_bytes([cfg.bytes[0], cfg.bytes[1], cfg.bytes[2], cfg.bytes[3]]);
    let depth = u32::from_le_bytes([cfg.bytes[4], cfg.bytes[5], cfg.bytes[6], cfg.bytes[7]]);

    let Ok((head, mut writer)) = Channel::create() else {
        return fail(12);
    };
    let mut witness = Handle::invalid();
    for level in 1..=depth {
        let Ok((a, b)) = Channel::create() else {
            return fail(13);
        };
        let Ok(e) = Event::create() else {
            return fail(14);
        };
        let (mut p, mut q) = (0u32, 0u32);
        if raw::eventpair_create(0, &mut p, &mut q) != 0 {
            return fail(15);
        }
        let mut hs = [a.0.into_raw(), e.0.into_raw(), p, q, 0];
        let mut n = 4;
        if level == depth {
            let (mut w, mut x) = (0u32, 0u32);
            if raw::eventpair_create(0, &mut w, &mut x) != 0 {
                return fail(16);
            }
            witness = Handle::from_raw(w);
            hs[4] = x;
            n = 5;
        }
        if writer
            .write(&(level as u64).to_le_bytes(), &hs[..n])
            .is_err()
        {
            return fail(17);
        }
        writer = b;
    }
    if boot
        .write(b"nest", &[writer.0.into_raw(), witness.into_raw()])
        .is_err()
    {
        return fail(18);
    }
    // Everything stays open: the kernel must release it when the process ends.
    core::mem::forget(head);
    core::mem::forget(boot);
    match mode {
        0 => raw::process_exit(0),
        1 => {
            // SAFETY: deliberately faults; the first 64 KiB are never mapped (docs/abi.md section 5).
            unsafe { core::ptr::write_volatile(0x10 as *mut u64, 1) };
            fail(19)
        }
        2 => {
            let Ok(ev) = Event::create() else {
                return fail(20);
            };
            let t = thread::spawn(block_forever, ev.0.raw() as usize);
            if t.is_err() {
                return fail(21);
            }
            core::mem::forget(t);
            core::mem::forget(ev);
            sleep_ns(5_000_000);
            raw::process_exit(0)
        }
        _ => fail(22),
    }
}
