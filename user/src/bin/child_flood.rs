//! Child of test_ipc_quota and test_no_memory: floods channels nobody reads with 64 KiB messages
//! until the kernel refuses a write, then says how it ended without needing any memory to do so
//! (a signal on the bootstrap channel's peer: `USER_0` for `ZX_ERR_NO_MEMORY`, `USER_1` for
//! anything else), and keeps everything queued until the bootstrap's peer closes; then exits
//! with 0 (the kernel frees the messages with the process). Without a bootstrap it exits with 77.
#![no_std]
#![no_main]

use zx::channel::Channel;
use zx::time::MonotonicInstant;
use zx::*;

zx::entry!(main);

static BIG: [u8; 65536] = [0xa5; 65536];

/// Channels it fills, each up to the kernel's limit of unread messages.
const CHANNELS: usize = 64;

fn flood(held: &mut [Option<(Channel, Channel)>]) -> Status {
    for slot in held.iter_mut() {
        let pair = match Channel::create() {
            Ok(p) => p,
            Err(s) => return s,
        };
        let status = loop {
            if let Err(s) = pair.0.write(&BIG, &mut []) {
                break s;
            }
        };
        *slot = Some(pair);
        if status != Status::SHOULD_WAIT {
            return status;
        }
    }
    Status::SHOULD_WAIT
}

fn main(a: StartArgs) -> i64 {
    if a.bootstrap == HANDLE_INVALID {
        return 77;
    }
    let ctl = Channel::from_handle(Handle::from_raw(a.bootstrap));
    let mut held: [Option<(Channel, Channel)>; CHANNELS] = [const { None }; CHANNELS];
    let signal = if flood(&mut held) == Status::NO_MEMORY {
        Signals::USER_0
    } else {
        Signals::USER_1
    };
    let _ = ctl.signal_peer(Signals::NONE, signal);
    let _ = ctl.wait_handle(Signals::CHANNEL_PEER_CLOSED, MonotonicInstant::INFINITE);
    0
}
