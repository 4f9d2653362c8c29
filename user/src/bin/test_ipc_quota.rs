//! Kernel memory is shared fairly (docs/design.md "Kernel memory quotas"): every message a
//! process writes is charged to that process until it is read or torn down, up to a limit per
//! process (boot argument `ipc_quota=`, by default an eighth of RAM). A write over the limit is
//! `ZX_ERR_NO_MEMORY`, consumes its handles and sends nothing; reading makes room again; other
//! processes keep working while one is at its limit, and each gets the same share.
#![no_std]
#![no_main]

use zx::channel::Channel;
use zx::test::*;
use zx::*;

static BIG: [u8; 65536] = [0x3c; 65536];

fn stats() -> InfoKernelStats {
    kernel_stats(root()).unwrap_or_default()
}

/// Leak check: handles, objects, messages and their bytes are back where they were (waiting,
/// as the runner does, for what is left of an ended child to be freed: the kernel lets go of a
/// process moments after it reports it terminated).
fn same_counts(before: &InfoKernelStats) {
    check_back_to_baseline(live_in(before));
}

/// The flood stopped at a quota, not at the end of memory: more than half of it is still free.
fn memory_left(who: &str) {
    let s = stats();
    let (free, total) = (s.free_bytes / 1024, s.total_bytes / 1024);
    println!("    ipc_quota: {}: free {} KiB of {} KiB", who, free, total);
    check!(
        free > total / 2,
        "{}: only {} of {} KiB free",
        who,
        free,
        total
    );
}

fn write_own_quota_is_no_memory_consumes_handles_sends_nothing_and_reading_makes_room() {
    let before = stats();
    let witness = must!(Event::create());
    let mut channels: [Option<(Channel, Channel)>; 64] = [const { None }; 64];
    let mut sent = 0usize;
    let mut status = Status::OK;
    'fill: for slot in channels.iter_mut() {
        let Ok(pair) = Channel::create() else {
            check!(false, "channel_create while filling");
            break;
        };
        loop {
            let Ok(dup) = witness.duplicate_handle(Rights::SAME_RIGHTS) else {
                check!(false, "duplicate while filling");
                break 'fill;
            };
            match pair.0.write(&BIG, &mut [dup.into_handle()]) {
                Ok(()) => sent += 1,
                Err(Status::SHOULD_WAIT) => break,
                Err(s) => {
                    status = s;
                    *slot = Some(pair);
                    break 'fill;
                }
            }
        }
        *slot = Some(pair);
    }
    println!(
        "    ipc_quota: own flood: {} messages of 64 KiB, then {}",
        sent, status
    );
    check_eq!(status, Status::NO_MEMORY);
    check!(
        sent >= 15,
        "only {} messages fit (the quota is at least 1 MiB)",
        sent
    );
    memory_left("own flood");
    // The refused write consumed its handle and sent nothing.
    check_eq!(count(&witness) as usize, 1 + sent);
    check_eq!(
        (stats().live_messages - before.live_messages) as usize,
        sent
    );
    // Still refused while nothing was read; reading one message makes room for one.
    let (w, r) = must!(channels.iter().flatten().last().ok_or(Status::NOT_FOUND));
    check_eq!(w.write(&BIG, &mut []), Err(Status::NO_MEMORY));
    let mut buf = MessageBuf::new();
    check!(r.read(&mut buf).is_ok());
    check_eq!(buf.n_bytes(), BIG.len());
    drop(buf);
    check_eq!(w.write(&BIG, &mut []), Ok(()));
    check_eq!(w.write(&BIG, &mut []), Err(Status::NO_MEMORY));
    for c in channels.iter_mut() {
        *c = None;
    }
    check_eq!(count(&witness), 1);
    drop(witness);
    same_counts(&before);
}

/// Starts a `child_flood`; returns it and its control channel once it was refused.
fn flooded_child() -> Option<(Process, Channel)> {
    spawn_flooder()
        .map_err(|s| check!(false, "spawn child_flood: {}", s))
        .ok()
}

fn end_child(p: Process, ctl: Channel) {
    drop(ctl);
    check_eq!(p.wait(i64::MAX), Ok(0));
}

fn another_process_at_its_quota_leaves_this_one_working() {
    let before = stats();
    let Some((p, ctl)) = flooded_child() else {
        return;
    };
    check!(stats().live_messages > before.live_messages + 15);
    memory_left("child flood");
    // This process has its own share: it creates, writes (big messages with a handle) and reads.
    let (a, b) = must!(Channel::create());
    for i in 0..16u8 {
        let e = must!(Event::create());
        let mut bytes = [i; 65536];
        bytes[0] = i;
        check_eq!(a.write(&bytes, &mut [e.into_handle()]), Ok(()));
    }
    for i in 0..16u8 {
        let mut buf = MessageBuf::new();
        check!(b.read(&mut buf).is_ok());
        check_eq!(
            (buf.n_bytes(), buf.n_handles(), buf.bytes()[0]),
            (65536, 1, i)
        );
    }
    drop((a, b));
    end_child(p, ctl);
    same_counts(&before);
}

fn two_flooding_processes_get_equal_shares() {
    let before = stats();
    let Some((p1, c1)) = flooded_child() else {
        return;
    };
    let first = stats().live_messages - before.live_messages;
    let Some((p2, c2)) = flooded_child() else {
        end_child(p1, c1);
        return;
    };
    let second = stats().live_messages - before.live_messages - first;
    println!(
        "    ipc_quota: two floods: {} and {} messages",
        first, second
    );
    check_eq!(first, second);
    memory_left("two floods");
    end_child(p1, c1);
    end_child(p2, c2);
    same_counts(&before);
}

zx::tests!(
    write_own_quota_is_no_memory_consumes_handles_sends_nothing_and_reading_makes_room,
    another_process_at_its_quota_leaves_this_one_working,
    two_flooding_processes_get_equal_shares,
);
