//! A program for the kernel, written against the `zx` crate: it sends a message with a handle
//! through a channel and reads it back. `cargo run` boots it; its return code is cargo's exit
//! code (42 here, so you can see it arrive: return 0 for success in your own program).
#![no_std]
#![no_main]

use zx::channel::Channel;
use zx::{
    println, AsHandleRef, Event, HandleBased, MessageBuf, MonotonicInstant, Signals, StartArgs,
};

zx::entry!(main);

fn main(_args: StartArgs) -> i64 {
    let (a, b) = Channel::create().expect("channel");
    let event = Event::create().expect("event");
    // `write` owns the handles it sends: afterwards the array holds only invalid handles.
    let mut handles = [event.into_handle()];
    a.write(b"hello from the template", &mut handles)
        .expect("write");
    b.wait_handle(Signals::CHANNEL_READABLE, MonotonicInstant::INFINITE)
        .expect("wait");
    let mut buf = MessageBuf::new();
    b.read(&mut buf).expect("read");
    let text = core::str::from_utf8(buf.bytes()).unwrap_or("?");
    let rights = buf.handles()[0].rights().expect("rights");
    println!("template: got {:?} and a handle with {:?}", text, rights);
    42
}
