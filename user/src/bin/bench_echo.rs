//! Echo server for the benchmarks: returns every message on its bootstrap channel until the
//! peer closes.
#![no_std]
#![no_main]

use zx::*;

zx::entry!(main);

fn main(args: StartArgs) -> i64 {
    let ch = Channel(Handle::from_raw(args.bootstrap));
    let mut buf = [0u8; 64];
    let mut hs = [0u32; 4];
    loop {
        if ch.wait_message(TIME_INFINITE).is_err() {
            return 1;
        }
        match ch.read_into(&mut buf, &mut hs) {
            Ok((n, nh)) => {
                if ch.write(&buf[..n as usize], &hs[..nh as usize]).is_err() {
                    return 0;
                }
            }
            Err(Status::PEER_CLOSED) => return 0,
            Err(_) => return 2,
        }
    }
}
