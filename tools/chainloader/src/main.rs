//! The chainloader binary (target side); see `lib.rs` and `proto.rs`.
#![cfg_attr(target_os = "none", no_std)]
#![cfg_attr(target_os = "none", no_main)]

#[cfg(target_os = "none")]
mod board;

#[cfg(not(target_os = "none"))]
fn main() {
    eprintln!("the chainloader is built for aarch64-unknown-none-softfloat: use `make chainboot`");
}
