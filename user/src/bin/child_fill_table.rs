//! Child for the bounds check: fills its own handle table (duplicates of one event until the
//! kernel says `NO_RESOURCES`), says so on its bootstrap channel, waits for a message, then
//! exits, so the kernel closes 2^18 handles as it ends. Exits with 0 when the table filled,
//! 1 otherwise.
#![no_std]
#![no_main]

use zx::*;

zx::entry!(main);

fn main(args: StartArgs) -> i64 {
    let boot = Channel(Handle::from_raw(args.bootstrap));
    let Ok(ev) = Event::create() else { return 1 };
    loop {
        let mut h = 0;
        let s = raw::handle_duplicate(ev.0.raw(), Rights::SAME_RIGHTS.bits(), &mut h);
        if s == Status::NO_RESOURCES.raw() {
            break;
        }
        if s != 0 {
            return 1;
        }
    }
    if boot.write(b"full", &[]).is_err() {
        return 1;
    }
    match boot.read_wait(TIME_INFINITE) {
        Ok(_) => 0,
        Err(_) => 1,
    }
}
