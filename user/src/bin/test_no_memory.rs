//! Kernel memory exhaustion: child processes (`child_flood`) write 64 KiB messages into channels
//! nobody reads, each up to its quota, until together they run the kernel out of memory; then a
//! write of this process, far under its own quota, gets ZX_ERR_NO_MEMORY. The failing write
//! consumes its handles (as on any failure) and sends nothing; other calls that need memory fail
//! the same way; once the messages are freed everything works again and the kernel's counts
//! return to where they were. Small messages (the kernel's fast write) get NO_MEMORY the same
//! way. Written against the typed API of the `zx` crate
//! (`channel::Channel`, handles owned by the write).
#![no_std]
#![no_main]

use zx::channel::Channel;
use zx::test::*;
use zx::*;

static BIG: [u8; 65536] = [0x5a; 65536];

/// Children flooding at once: with the default quota (an eighth of RAM) eight of them reach the
/// end of memory; a few more cover what the parent and the kernel hold.
const MAX_FLOODERS: usize = 16;

fn exhaustion_gives_no_memory_consumes_handles_and_recovers() {
    let before = kstats();
    let witness = must!(Event::create());
    // Made before memory runs short: the channel and the handles this process writes at the end.
    let (a, b) = must!(Channel::create());
    let mut dups: [Option<Event>; 64] = [const { None }; 64];
    for d in dups.iter_mut() {
        *d = witness.duplicate_handle(Rights::SAME_RIGHTS).ok();
    }
    // One process stops at its quota (test_ipc_quota); several flooding processes together run
    // the kernel out of memory. A flooder that got fewer messages in than the first one was
    // stopped by the end of memory, not by its quota.
    let mut flooders: [Option<(Process, Channel)>; MAX_FLOODERS] = [const { None }; MAX_FLOODERS];
    let mut share = 0;
    let mut exhausted = false;
    for slot in flooders.iter_mut() {
        let queued = kstats().live_messages;
        match spawn_flooder() {
            Ok(f) => *slot = Some(f),
            Err(s) => {
                check_eq!(s, Status::NO_MEMORY);
                exhausted = true;
                break;
            }
        }
        let got = kstats().live_messages - queued;
        if share == 0 {
            share = got;
        } else if got < share {
            exhausted = true;
            break;
        }
    }
    let mid = kstats();
    let (n, queued) = (
        flooders.iter().flatten().count(),
        mid.live_messages - before.live_messages,
    );
    let (free, total) = (mid.free_bytes / 1024, mid.total_bytes / 1024);
    println!(
        "    no_memory: {} flooders, {} messages queued (a share is {}), free {} KiB of {} KiB",
        n, queued, share, free, total
    );
    check!(
        exhausted,
        "{} flooders did not run the kernel out of memory",
        MAX_FLOODERS
    );
    // This process is far from its own quota, and still its write fails: the kernel is out of
    // memory. The failed write consumed its handle and sent nothing.
    let mut status = Status::OK;
    let mut sent = 0;
    for dup in dups.iter_mut() {
        let Some(h) = dup.take() else {
            break;
        };
        match a.write(&BIG, &mut [h.into_handle()]) {
            Ok(()) => sent += 1,
            Err(s) => {
                status = s;
                break;
            }
        }
    }
    check_eq!(status, Status::NO_MEMORY);
    drop(dups);
    check_eq!(count(&witness) as usize, 1 + sent);
    let mut buf = MessageBuf::new();
    for _ in 0..sent {
        check!(b.read(&mut buf).is_ok());
    }
    check_eq!(b.read(&mut buf), Err(Status::SHOULD_WAIT));
    check_eq!(count(&witness), 1);
    // Small messages without handles (the kernel's fast write) run into the end of memory too,
    // well before the channel's pending limit: NO_MEMORY, and a refused write sends nothing.
    let mut small = 0u32;
    let mut status = Status::OK;
    while (small as usize) < CHANNEL_MAX_PENDING {
        let mut m = [0u8; 64];
        m[..4].copy_from_slice(&small.to_le_bytes());
        match a.write(&m, &mut []) {
            Ok(()) => small += 1,
            Err(s) => {
                status = s;
                break;
            }
        }
    }
    check_eq!(status, Status::NO_MEMORY);
    for i in 0..small {
        check!(b.read(&mut buf).is_ok());
        check_eq!(buf.bytes().get(..4), Some(&i.to_le_bytes()[..]));
    }
    check_eq!(b.read(&mut buf), Err(Status::SHOULD_WAIT));
    // Other allocations fail cleanly too while memory is short.
    let (mut x, mut y) = (0, 0);
    let s = raw::channel_create(0, &mut x, &mut y);
    check!(
        s == Status::NO_MEMORY.raw() || s == 0,
        "channel_create: {}",
        Status(s)
    );
    if s == 0 {
        raw::handle_close(x);
        raw::handle_close(y);
    }
    drop((a, b, buf));
    // Free everything: the kernel works again and its counts return.
    for f in flooders.iter_mut() {
        if let Some((p, c)) = f.take() {
            drop(c);
            check_eq!(p.wait(TIME_INFINITE), Ok(0));
        }
    }
    // Printed only now: the console's own buffers need kernel memory too.
    println!("    no_memory: then {} small messages fitted", small);
    let (x, y) = must!(Channel::create());
    check!(x.write(b"alive", &mut []).is_ok());
    check!(y.read(&mut MessageBuf::new()).is_ok());
    drop((x, y));
    drop(witness);
    // What is left of the ended flooders is freed moments after they report they terminated.
    check_back_to_baseline(live_in(&before));
    let after = kstats();
    let (was, now) = (before.free_bytes, after.free_bytes);
    check!(now + 4 * 1024 * 1024 >= was, "free {} -> {}", was, now);
}

zx::tests!(exhaustion_gives_no_memory_consumes_handles_and_recovers,);
