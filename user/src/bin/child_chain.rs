//! Helper of test_ipc_chain: one node of a chain of processes. It forwards every message it
//! reads from its upstream channel (its bootstrap channel), bytes and handles, to its
//! downstream channel, and checks on the way that the messages are 8-byte sequence numbers
//! 0, 1, 2, ... each carrying exactly one handle.
//!
//! The first message on the bootstrap channel configures the node: `remaining: u32` and one
//! handle, the chain's return channel. If `remaining > 1` the node creates a channel, spawns
//! the next node with one end and sends it `remaining - 1` and the return channel; else the
//! return channel is its downstream. When upstream reports PEER_CLOSED (after the last message
//! was read) the node closes downstream, waits for its own child to end, and exits with 0 if
//! everything it forwarded was in order and the whole rest of the chain exited with 0.
//! Nonzero return codes: `remaining * 100 + reason`, or the child's code.
#![no_std]
#![no_main]

use zx::*;

zx::entry!(main);

fn read_u32(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

fn main(args: StartArgs) -> i64 {
    let up = Channel(Handle::from_raw(args.bootstrap));
    let cfg = up.read();
    let Ok(cfg) = cfg else {
        println!("child_chain: no configuration: {:?}", cfg.err());
        return 1;
    };
    if cfg.num_bytes != 4 || cfg.num_handles != 1 {
        println!("child_chain: bad configuration");
        return 2;
    }
    let remaining = read_u32(&cfg.bytes) as i64;
    let ret = Channel(Handle::from_raw(cfg.handles[0]));
    let err = |reason: i64| remaining * 100 + reason;

    let mut child = None;
    let down = if remaining > 1 {
        let Ok((down, next_up)) = Channel::create() else {
            return err(3);
        };
        let next = ((remaining - 1) as u32).to_le_bytes();
        if down.write(&next, &[ret.0.into_raw()]).is_err() {
            return err(4);
        }
        match Process::spawn("child_chain", Some(next_up.0)) {
            Ok(p) => child = Some(p),
            Err(s) => {
                println!("child_chain: spawn: {}", s);
                return err(5);
            }
        }
        down
    } else {
        ret
    };

    let mut expect: u64 = 0;
    let mut code = 0;
    let mut bytes = [0u8; 16];
    let mut handles = [0u32; 4];
    loop {
        let (s, nb, nh) = zx::test::read_raw(up.raw(), &mut bytes, &mut handles);
        match Status(s) {
            Status::OK => {
                let seq = u64::from_le_bytes([
                    bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                ]);
                if code == 0 && (nb != 8 || nh != 1 || seq != expect) {
                    println!(
                        "child_chain {}: message {} has {} bytes, {} handles, seq {}",
                        remaining, expect, nb, nh, seq
                    );
                    code = err(6);
                }
                expect += 1;
                let w = raw::channel_write(down.raw(), 0, bytes.as_ptr(), nb, handles.as_ptr(), nh);
                if w != 0 && code == 0 {
                    println!(
                        "child_chain {}: forwarding message {}: {}",
                        remaining,
                        seq,
                        Status(w)
                    );
                    code = err(7);
                }
            }
            Status::SHOULD_WAIT => {
                let _ = up.wait_message(TIME_INFINITE);
            }
            Status::PEER_CLOSED => break,
            other => {
                println!("child_chain {}: read: {}", remaining, other);
                code = err(8);
                break;
            }
        }
    }
    drop(down);
    if let Some(p) = child {
        match p.wait(deadline_after(60_000_000_000)) {
            Ok(0) => {}
            Ok(c) if code == 0 => code = c,
            Ok(_) => {}
            Err(_) if code == 0 => code = err(9),
            Err(_) => {}
        }
    }
    code
}
