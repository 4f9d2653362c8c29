//! Board support: knows the hardware (CPU, MMU format, UART, GIC, timer, devicetree), knows
//! nothing of handles or processes. Pure logic (descriptor encoding, devicetree discovery) builds
//! and is tested on the host.
#![cfg_attr(not(test), no_std)]

pub mod addr;
pub mod board;
pub mod cpu;
pub mod drivers;
pub mod dt;
pub mod mem;
pub mod mmu;
