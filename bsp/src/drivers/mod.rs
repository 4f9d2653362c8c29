//! Device drivers: PL011 UART, BCM2711 GPIO (console pins), GICv2/v3, ARM generic timer.

#[cfg(target_os = "none")]
pub mod gic;
pub mod gpio;
pub mod pl011;
#[cfg(target_os = "none")]
pub mod timer;
