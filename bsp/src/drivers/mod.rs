//! Device drivers: PL011 UART, GICv2/v3, ARM generic timer.

pub mod pl011;
#[cfg(target_os = "none")]
pub mod gic;
#[cfg(target_os = "none")]
pub mod timer;
