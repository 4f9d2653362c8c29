//! init: the first process. Runs every test program (`src/bin/test_*.rs`) in turn through
//! `zx_process_spawn`, hands each the root resource over its bootstrap channel, waits for it,
//! checks that the kernel's object, handle and message counts are back where they were, prints
//! one line per program and `N passed, N failed`, and exits with the number of failures.
#![no_std]
#![no_main]

use zx::*;

include!(concat!(env!("OUT_DIR"), "/tests.rs"));

zx::entry!(main);

/// Generous per-program limit: a hang fails the program instead of the whole run.
const PROGRAM_TIMEOUT_NS: i64 = 120_000_000_000;

#[derive(PartialEq, Eq, Clone, Copy)]
struct Counts {
    handles: u64,
    objects: u64,
    messages: u64,
    ipc_bytes: u64,
}

fn counts(root: u32) -> Counts {
    let s = kernel_stats(root).unwrap_or_default();
    Counts {
        handles: s.live_handles,
        objects: s.live_objects,
        messages: s.live_messages,
        ipc_bytes: s.ipc_bytes,
    }
}

/// Runs one program; `Ok(code)` or the reason it could not run.
fn run_one(name: &str, root: &Handle) -> Result<i64, Status> {
    let (ours, theirs) = Channel::create()?;
    let dup = root.duplicate(Rights::SAME_RIGHTS)?;
    ours.write(b"root", &[dup.into_raw()])?;
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

fn main(args: StartArgs) -> i64 {
    let root = Handle::from_raw(args.root_resource);
    println!("init: running {} test programs", TESTS.len());
    let (mut passed, mut failed) = (0u32, 0u32);
    for name in TESTS {
        let before = counts(root.raw());
        let t0 = now();
        let r = run_one(name, &root);
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
    for name in TESTS.iter().filter(|n| HEAP_CHECKED.contains(n)) {
        let mut used = [0u64; 3];
        let mut ran = true;
        for u in used.iter_mut() {
            ran &= matches!(run_one(name, &root), Ok(0));
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
