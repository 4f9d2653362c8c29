#![no_std]
#![no_main]
use zx::*;
zx::entry!(main);
extern "C" {
    static _end: u8;
    static _etext: u8;
}
fn main(_a: StartArgs) -> i64 {
    let e = unsafe { &_end as *const u8 as usize };
    let t = unsafe { &_etext as *const u8 as usize };
    println!("_end {:#x} _etext {:#x}", e, t);
    0
}
