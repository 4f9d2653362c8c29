//! The kernel binary: everything lives in the `kernel` library; the boot assembly in `bsp` calls
//! `kernel_boot_main`.
#![cfg_attr(target_os = "none", no_std)]
#![cfg_attr(target_os = "none", no_main)]

#[cfg(target_os = "none")]
use kernel as _;

#[cfg(not(target_os = "none"))]
fn main() {
    eprintln!("the kernel is built for aarch64-unknown-none-softfloat: use `make`");
}
