//! Device drivers: PL011 UART, GICv2/v3, ARM generic timer.

#[cfg(target_os = "none")]
pub mod gic;
pub mod pl011;
#[cfg(target_os = "none")]
pub mod timer;
