//! Child of test_process: tries to use handle *values* of another process.
//!
//! Reads one message of u32 handle values from the bootstrap channel. For each value that is
//! not one of its own start-up handles it tries `ZX_INFO_HANDLE_VALID`, `zx_object_signal`
//! (set `ZX_USER_SIGNAL_0`) and `zx_handle_close`, and replies with the three statuses (i32 LE
//! each); for a value that is one of its own handles it replies `1, 1, 1` (skipped). Exits 0,
//! or 90 if no message came.
#![no_std]
#![no_main]

use zx::*;

zx::entry!(main);

fn main(a: StartArgs) -> i64 {
    let ch = Channel(Handle::from_raw(a.bootstrap));
    let m = match ch.read_wait(deadline_after(10_000_000_000)) {
        Ok(m) => m,
        Err(_) => return 90,
    };
    let mut out = [0u8; 256];
    let mut n = 0;
    let own = [a.bootstrap, a.process, a.thread];
    for c in m.bytes[..m.num_bytes as usize].chunks_exact(4) {
        let v = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        let st = if own.contains(&v) {
            [1, 1, 1]
        } else {
            let nul = core::ptr::null_mut();
            [
                raw::object_get_info(v, INFO_HANDLE_VALID, nul, 0, nul.cast(), nul.cast()),
                raw::object_signal(v, 0, Signals::USER_0.bits()),
                raw::handle_close(v),
            ]
        };
        for s in st {
            if n + 4 <= out.len() {
                out[n..n + 4].copy_from_slice(&s.to_le_bytes());
                n += 4;
            }
        }
    }
    let _ = ch.write(&out[..n], &[]);
    0
}
