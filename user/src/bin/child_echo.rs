//! Child of test_process: a command loop on the bootstrap channel (`x0`).
//!
//! Without a bootstrap handle it exits with 77; with a bootstrap that is not a channel, with
//! 100 + its object type. Commands (first byte of a message):
//! - `x` + i64 LE: exit with that return code.
//! - `r`: reply with what the kernel handed this process at start (see `report`).
//! - `e`: echo: reply with, per received handle, its koid (u64), rights (u32) and type (u32) as
//!   seen here, moving the handles back.
//!
//! The peer closing ends the loop with return code 0.
#![no_std]
#![no_main]

use zx::test::basic;
use zx::*;

zx::entry!(main);

struct Buf {
    b: [u8; 256],
    n: usize,
}

impl Buf {
    fn new() -> Buf {
        Buf { b: [0; 256], n: 0 }
    }
    fn put(&mut self, bytes: &[u8]) {
        self.b[self.n..self.n + bytes.len()].copy_from_slice(bytes);
        self.n += bytes.len();
    }
    fn u32(&mut self, v: u32) {
        self.put(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.put(&v.to_le_bytes());
    }
}

/// `r`: x0, x1, x2, x3 values; then basic info of x0, x1 and x3 (koid, rights, type,
/// related koid each).
fn report(ch: &Channel, a: &StartArgs) {
    let mut r = Buf::new();
    r.put(b"r");
    r.u32(a.bootstrap);
    r.u32(a.process);
    r.u32(a.root_resource);
    r.u32(a.thread);
    for h in [a.bootstrap, a.process, a.thread] {
        let i = basic(h);
        r.u64(i.koid);
        r.u32(i.rights);
        r.u32(i.obj_type);
        r.u64(i.related_koid);
    }
    let _ = ch.write(&r.b[..r.n], &[]);
}

fn echo(ch: &Channel, m: &Received) {
    let mut r = Buf::new();
    r.put(b"e");
    let hs = &m.handles[..m.num_handles as usize];
    for &h in hs {
        let i = basic(h);
        r.u64(i.koid);
        r.u32(i.rights);
        r.u32(i.obj_type);
    }
    let _ = ch.write(&r.b[..r.n], hs);
}

fn main(a: StartArgs) -> i64 {
    if a.bootstrap == HANDLE_INVALID {
        return 77;
    }
    let t = basic(a.bootstrap).obj_type;
    if t != ObjType::CHANNEL.raw() {
        return 100 + t as i64;
    }
    let ch = Channel(Handle::from_raw(a.bootstrap));
    loop {
        let m = match ch.read_wait(TIME_INFINITE) {
            Ok(m) => m,
            Err(_) => return 0,
        };
        let b = &m.bytes[..m.num_bytes as usize];
        match b.first() {
            Some(b'x') if b.len() == 9 => {
                let mut c = [0u8; 8];
                c.copy_from_slice(&b[1..9]);
                return i64::from_le_bytes(c);
            }
            Some(b'r') => report(&ch, &a),
            Some(b'e') => echo(&ch, &m),
            _ => return 99,
        }
    }
}
