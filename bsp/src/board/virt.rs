//! QEMU `virt` (GICv2 layout, what QEMU builds without `gic-version=3`).

/// Start of RAM.
pub const RAM_BASE: u64 = 0x4000_0000;
/// The PL011.
pub const UART_BASE: u64 = 0x0900_0000;
/// The PL011's interrupt (SPI 1).
pub const UART_IRQ: u32 = 33;
/// GICv2 distributor.
pub const GICD: u64 = 0x0800_0000;
/// GICv2 CPU interface.
pub const GICC: u64 = 0x0801_0000;
