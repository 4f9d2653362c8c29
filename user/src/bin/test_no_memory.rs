//! Kernel memory exhaustion: writes of 64 KiB messages into channels nobody reads until the
//! kernel says ZX_ERR_NO_MEMORY. The failing write consumes its handles (as on any failure) and
//! sends nothing; other calls that need memory fail the same way; once the messages are freed
//! everything works again and the kernel's counts return to where they were. Written against the
//! typed API of the `zx` crate (`channel::Channel`, handles owned by the write).
#![no_std]
#![no_main]

use zx::channel::Channel;
use zx::test::*;
use zx::*;

static BIG: [u8; 65536] = [0x5a; 65536];

fn count_handles(h: &impl AsHandleRef) -> u32 {
    get_info::<InfoHandleCount>(h.raw_handle(), INFO_HANDLE_COUNT)
        .map(|c| c.handle_count)
        .unwrap_or(0)
}

/// Fills channels with 64 KiB messages until a write fails; returns the channels and the status.
fn fill(channels: &mut [Option<(Channel, Channel)>], witness: &Event) -> (usize, Status) {
    let big = &BIG;
    let mut sent = 0;
    for slot in channels.iter_mut() {
        let pair = match Channel::create() {
            Ok(p) => p,
            Err(s) => return (sent, s),
        };
        for _ in 0..CHANNEL_MAX_PENDING {
            let dup = match witness.duplicate_handle(Rights::SAME_RIGHTS) {
                Ok(d) => d,
                Err(s) => {
                    *slot = Some(pair);
                    return (sent, s);
                }
            };
            match pair.0.write(big, &mut [dup.into_handle()]) {
                Ok(()) => sent += 1,
                Err(s) => {
                    *slot = Some(pair);
                    return (sent, s);
                }
            }
        }
        *slot = Some(pair);
    }
    (sent, Status::OK)
}

fn exhaustion_gives_no_memory_consumes_handles_and_recovers() {
    let before = kernel_stats(root()).unwrap_or_default();
    let witness = match Event::create() {
        Ok(e) => e,
        Err(_) => {
            check!(false, "event_create failed");
            return;
        }
    };
    let mut channels: [Option<(Channel, Channel)>; 64] = [const { None }; 64];
    let (sent, status) = fill(&mut channels, &witness);
    let mid = kernel_stats(root()).unwrap_or_default();
    println!(
        "    no_memory: {} messages of 64 KiB queued, then {} (free {} KiB of {} KiB)",
        sent,
        status,
        mid.free_bytes / 1024,
        mid.total_bytes / 1024
    );
    check_eq!(status, Status::NO_MEMORY);
    check!(sent > 100, "only {} messages fit", sent);
    // The failed write consumed its handle: the witness has exactly 1 + sent handles.
    check_eq!(count_handles(&witness) as usize, 1 + sent);
    // Other allocations fail cleanly too while memory is short.
    let (mut a, mut b) = (0, 0);
    let s = raw::channel_create(0, &mut a, &mut b);
    check!(
        s == Status::NO_MEMORY.raw() || s == 0,
        "channel_create: {}",
        Status(s)
    );
    if s == 0 {
        raw::handle_close(a);
        raw::handle_close(b);
    }
    // Free everything: the kernel works again and its counts return.
    for c in channels.iter_mut() {
        *c = None;
    }
    check_eq!(count_handles(&witness), 1);
    let (x, y) = match Channel::create() {
        Ok(p) => p,
        Err(s) => {
            check!(false, "channel_create after recovery: {}", s);
            return;
        }
    };
    check!(x.write(b"alive", &mut []).is_ok());
    check!(y.read(&mut MessageBuf::new()).is_ok());
    drop((x, y));
    drop(witness);
    let after = kernel_stats(root()).unwrap_or_default();
    check_eq!(
        (
            after.live_handles,
            after.live_objects,
            after.live_messages,
            after.ipc_bytes
        ),
        (
            before.live_handles,
            before.live_objects,
            before.live_messages,
            before.ipc_bytes
        )
    );
    check!(
        after.free_bytes + 4 * 1024 * 1024 >= before.free_bytes,
        "free {} -> {}",
        before.free_bytes,
        after.free_bytes
    );
}

zx::tests!(exhaustion_gives_no_memory_consumes_handles_and_recovers,);
