//! init: the first process. Runs every test program (`src/bin/test_*.rs`) in turn through
//! `zx_process_spawn`, hands each the root resource over its bootstrap channel, waits for it,
//! checks that the kernel's object, handle and message counts are back where they were, prints
//! one line per program and `N passed, N failed`, and exits with the number of failures.
//!
//! The boot argument `test=PROGRAM::CASE` (the kernel hands it over as a message on init's
//! bootstrap channel) runs that one case alone: `test=handles::close_many_of_nothing_is_ok`
//! runs `test_handles` with only that case; `test=handles` runs all of `test_handles`.
#![no_std]
#![no_main]

use zx::*;

include!(concat!(env!("OUT_DIR"), "/tests.rs"));

zx::entry!(main);

/// Generous per-program limit: a hang fails the program instead of the whole run.
const PROGRAM_TIMEOUT_NS: i64 = 120_000_000_000;

/// The kernel's live counts (all zero if they cannot be read).
fn counts(root: u32) -> test::Live {
    test::live_of(root).unwrap_or_default()
}

/// Runs one program (only its case `case`, if not empty); `Ok(code)` or the reason it could
/// not run.
fn run_one(name: &str, case: &str, root: &Handle) -> Result<i64, Status> {
    let (ours, theirs) = Channel::create()?;
    let dup = root.duplicate(Rights::SAME_RIGHTS)?;
    let mut msg = [0u8; 160];
    let n = 5 + case.len().min(msg.len() - 5);
    msg[..5].copy_from_slice(b"root ");
    msg[5..n].copy_from_slice(&case.as_bytes()[..n - 5]);
    ours.write(&msg[..n], &[dup.into_raw()])?;
    // Close our end before the child runs, so nothing of ours changes the kernel's counts
    // while the child measures them (the message stays queued for it).
    drop(ours);
    let p = Process::spawn(name, Some(theirs.0))?;
    p.wait(deadline_after(PROGRAM_TIMEOUT_NS))
}

/// Programs whose repeated runs must leave the kernel heap where it was.
const HEAP_CHECKED: &[&str] = &[
    "test_smoke",
    "test_channel_write",
    "test_channel_call",
    "test_ipc_chain",
    "test_teardown",
];

/// Waits (up to 100 ms) for the kernel's counts to stop changing after a child ended.
fn settle(root: u32) {
    let mut last = counts(root);
    for _ in 0..100 {
        sleep_ns(1_000_000);
        let c = counts(root);
        if c == last {
            return;
        }
        last = c;
    }
}

/// The `test=` word of the boot arguments, if the kernel passed one on the bootstrap channel.
fn test_word(bootstrap: u32, buf: &mut [u8; 256]) -> Option<&str> {
    let ch = Channel(Handle::from_raw(bootstrap));
    let m = ch.read().ok()?;
    let n = (m.num_bytes as usize).min(buf.len());
    buf[..n].copy_from_slice(&m.bytes[..n]);
    let words = core::str::from_utf8(&buf[..n]).ok()?;
    words
        .split_ascii_whitespace()
        .find_map(|w| w.strip_prefix("test="))
}

fn main(args: StartArgs) -> i64 {
    let root = Handle::from_raw(args.root_resource);
    let mut buf = [0u8; 256];
    let only = test_word(args.bootstrap, &mut buf);
    // `test=PROGRAM::CASE`: the program, with or without its `test_` prefix, and the case.
    let (program, case) = match only {
        Some(w) => w.split_once("::").unwrap_or((w, "")),
        None => ("", ""),
    };
    let program = program.strip_prefix("test_").unwrap_or(program);
    let selected = |name: &&&str| only.is_none() || name.strip_prefix("test_") == Some(program);
    let count = TESTS.iter().filter(selected).count();
    match only {
        Some(w) => println!("init: test={}: running {} test programs", w, count),
        None => println!("init: running {} test programs", count),
    }
    let (mut passed, mut failed) = (0u32, 0u32);
    if count == 0 {
        failed += 1;
        println!("test test_{}: FAIL (no such test program)", program);
    }
    for name in TESTS.iter().filter(selected) {
        let before = counts(root.raw());
        let t0 = now();
        let r = run_one(name, case, &root);
        // Everything the program created is closed by now, or will be within moments (the last
        // thread's resources are returned as its core switches away).
        let mut after = counts(root.raw());
        for _ in 0..5000 {
            if after == before {
                break;
            }
            sleep_ns(1_000_000);
            after = counts(root.raw());
        }
        let ms = (now() - t0) / 1_000_000;
        match r {
            Ok(0) if after == before => {
                passed += 1;
                println!("test {}: ok ({} ms)", name, ms);
            }
            Ok(0) => {
                failed += 1;
                println!(
                    "test {}: FAIL: kernel stats not back to baseline: handles {} -> {}, objects {} -> {}, messages {} -> {}, ipc bytes {} -> {}",
                    name, before.handles, after.handles, before.objects, after.objects, before.messages, after.messages, before.ipc_bytes, after.ipc_bytes
                );
            }
            Ok(code) => {
                failed += 1;
                println!("test {}: FAIL (exit code {})", name, code);
            }
            Err(s) => {
                failed += 1;
                println!("test {}: FAIL ({})", name, s);
            }
        }
    }
    // Heap leak check (docs/abi.md section 5): running the same work again in a fresh child leaves
    // heap_used_bytes where the previous run left it, within 1 KiB.
    // (Not for a single case: `test=` runs exactly what it names.)
    for name in TESTS
        .iter()
        .filter(|n| only.is_none() && HEAP_CHECKED.contains(n))
    {
        let mut used = [0u64; 3];
        let mut ran = true;
        for u in used.iter_mut() {
            ran &= matches!(run_one(name, "", &root), Ok(0));
            settle(root.raw());
            *u = kernel_stats(root.raw())
                .map(|s| s.heap_used_bytes)
                .unwrap_or(0);
        }
        let drift = used[2].abs_diff(used[1]);
        if ran && drift <= 1024 {
            passed += 1;
            println!(
                "test {} (heap): ok, heap_used {} -> {} -> {} bytes",
                name, used[0], used[1], used[2]
            );
        } else {
            failed += 1;
            println!(
                "test {} (heap): FAIL: heap_used {} -> {} -> {} bytes (ran: {})",
                name, used[0], used[1], used[2], ran
            );
        }
    }
    println!("{} passed, {} failed", passed, failed);
    failed as i64
}
