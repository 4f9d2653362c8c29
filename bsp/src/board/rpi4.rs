//! Raspberry Pi 4 (BCM2711, low-peripheral mode as the firmware leaves it). Constants only and
//! self-contained: the chainloader includes this file by path.

/// The PL011 (UART0).
pub const UART_BASE: u64 = 0xfe20_1000;
/// The PL011's interrupt (SPI 121).
pub const UART_IRQ: u32 = 153;
/// GIC-400 distributor.
pub const GICD: u64 = 0xff84_1000;
/// GIC-400 CPU interface.
pub const GICC: u64 = 0xff84_2000;

/// The PL011 reference clock, in Hz, that the kernel (and the chainloader) compute baud-rate
/// divisors from. `tools/sdimage.sh` writes this value into config.txt as `init_uart_clock`,
/// so the firmware sets the clock to what the kernel assumes (48 MHz is also its default).
pub const UART_CLOCK_HZ: u32 = 48_000_000;

/// The first page of RAM, `(base, size)`: the firmware's spin table and stub live there, so the
/// frame allocator never hands it out.
pub const SPIN_TABLE_PAGE: (u64, u64) = (0, 0x1000);
/// The spin table: each core's MPIDR and the address it polls for its entry point, for when
/// the devicetree names no CPU.
pub const SPIN_TABLE: [(u64, u64); 4] = [(0, 0xd8), (1, 0xe0), (2, 0xe8), (3, 0xf0)];
