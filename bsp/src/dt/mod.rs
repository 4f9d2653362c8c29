//! Devicetree discovery: what the kernel needs to know about the board.
//!
//! [`discover()`] reads a flattened devicetree (DTB) and returns a
//! [`BoardInfo`]: RAM and reserved ranges, the console UART, the GIC, the
//! generic timer interrupts, the CPUs and how to start them, PSCI, the
//! initrd and the bootargs. Everything is pure logic over a byte slice, does
//! not allocate, and never panics on malformed input (it returns a
//! [`DtError`] instead), so it runs in early boot and in host tests alike.
//!
//! [`discover()`] reports exactly what the devicetree says. Board defaults for
//! nodes the DTB lacks are applied separately by [`BoardInfo::with_defaults`],
//! and [`BoardInfo::defaulted`] records which ones were used. Typical use:
//!
//! ```ignore
//! let len = dt::header_total_size(unsafe { slice::from_raw_parts(x0, 40) })?;
//! let dtb = unsafe { slice::from_raw_parts(x0, len) };
//! let info = dt::discover(dtb, x0 as u64)?.with_defaults();
//! ```
//!
//! All device addresses are CPU physical addresses: a `reg` is translated
//! through the `ranges` of every ancestor up to the root, honouring each
//! bus's `#address-cells`/`#size-cells` (on the Raspberry Pi 4, `/soc` maps
//! bus address 0x7e20_1000 to 0xfe20_1000). Interrupts are GIC INTIDs.
//!
//! This file has the types and the two entry points. `discover.rs` reads
//! the board out of the tree; `walker.rs` walks the structure block (the
//! `fdt` crate checks the header and reads the memory reservation block;
//! `walker.rs` says why it does not walk the tree, measured on the test
//! blobs).

mod discover;
mod walker;

use core::fmt;
use core::ops::Deref;
use discover::scan;
use walker::{be32, FDT_MAGIC, HEADER_LEN};
#[cfg(test)]
use {
    discover::gic_intid,
    walker::{Blob, FDT_BEGIN_NODE, FDT_END, FDT_END_NODE, FDT_NOP, FDT_PROP},
};

/// Why a devicetree could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DtError {
    /// Not a devicetree: bad magic, or header fields that contradict each
    /// other (blocks outside `totalsize`, unterminated reservation map).
    BadHeader,
    /// The buffer is shorter than the header, or than its `totalsize`.
    Truncated,
    /// A format version this parser does not understand (needs v17).
    UnsupportedVersion(u32),
    /// The structure block is malformed at this byte offset from the start
    /// of the blob (bad token, property outside the block, unbalanced nodes).
    BadStructure(usize),
    /// There is no `/memory` node (`device_type = "memory"`).
    NoMemoryNode,
    /// `/memory` nodes exist but describe no RAM (all sizes zero; the
    /// upstream Raspberry Pi DTB is like that until the firmware fills it).
    EmptyMemory,
    /// More reserved ranges than [`BoardInfo::reserved`] holds; ignoring any
    /// would let the kernel hand out memory that is in use.
    TooManyReserved,
}

impl fmt::Display for DtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            DtError::BadHeader => f.write_str("devicetree: bad header (not a DTB?)"),
            DtError::Truncated => f.write_str("devicetree: truncated (shorter than its totalsize)"),
            DtError::UnsupportedVersion(v) => {
                write!(f, "devicetree: unsupported format version {v} (need 17)")
            }
            DtError::BadStructure(off) => {
                write!(
                    f,
                    "devicetree: malformed structure block at offset {off:#x}"
                )
            }
            DtError::NoMemoryNode => f.write_str("devicetree: no /memory node"),
            DtError::EmptyMemory => f.write_str("devicetree: /memory describes no RAM"),
            DtError::TooManyReserved => f.write_str("devicetree: too many reserved memory ranges"),
        }
    }
}

/// The board, from the root node's `compatible` (or `model`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Board {
    /// QEMU `-M virt` (`linux,dummy-virt`).
    QemuVirt,
    /// Raspberry Pi 4 Model B (`raspberrypi,4-model-b` / `brcm,bcm2711`),
    /// real or QEMU `-M raspi4b`.
    RaspberryPi4,
    /// Neither: [`BoardInfo::with_defaults`] fills nothing in.
    Unknown,
}

/// Which UART hardware a [`Uart`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UartKind {
    /// ARM PrimeCell PL011 (`arm,pl011`).
    Pl011,
    /// BCM2835 auxiliary mini-UART (`brcm,bcm2835-aux-uart`); `base` is the
    /// start of its register block (0xfe21_5040 on the Pi 4).
    MiniUart,
}

/// A serial port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Uart {
    /// Which hardware it is, from its `compatible`.
    pub kind: UartKind,
    /// CPU physical address of the registers.
    pub base: u64,
    /// GIC INTID of its interrupt (SPI n is INTID 32 + n), if the DTB
    /// describes it through a GIC.
    pub irq: Option<u32>,
}

/// Which GIC architecture a [`Gic`] is, from its `compatible`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GicVersion {
    /// GICv2 (`arm,gic-400`, `arm,cortex-a15-gic`, ...): GICD + GICC.
    V2,
    /// GICv3 (`arm,gic-v3`): GICD + GICR.
    V3,
}

/// The interrupt controller. Addresses are CPU physical.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gic {
    /// v2 or v3: which of the frames below it has.
    pub version: GicVersion,
    /// Distributor.
    pub gicd: u64,
    /// CPU interface (v2; 0 for v3).
    pub gicc: u64,
    /// First redistributor region (v3; 0 for v2).
    pub gicr: u64,
    /// Size of that redistributor region, 0x20000 per CPU (v3; 0 for v2).
    pub gicr_size: u64,
}

/// How a CPU is brought online.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EnableMethod {
    /// PSCI `CPU_ON` through [`BoardInfo::psci`].
    Psci,
    /// Write the entry point to the 64-bit `release_addr` and `sev`.
    SpinTable {
        /// The `cpu-release-addr` property: the physical address the entry point is written to.
        release_addr: u64,
    },
    /// Missing or not understood (e.g. the boot CPU on some boards).
    #[default]
    Unknown,
}

/// One `/cpus/cpu@N` node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cpu {
    /// Its `reg`: the MPIDR_EL1 affinity bits.
    pub mpidr: u64,
    /// Its `enable-method`: how it is started.
    pub enable_method: EnableMethod,
}

/// The PSCI calling convention (`/psci` `method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PsciConduit {
    /// `method = "hvc"`: PSCI calls are `hvc` instructions.
    Hvc,
    /// `method = "smc"`: PSCI calls are `smc` instructions.
    Smc,
}

/// A list of at most `N` items in a fixed array. Items that did not fit are
/// counted in [`FixedList::dropped`]. Dereferences to a slice of the items.
#[derive(Clone, Copy)]
pub struct FixedList<T: Copy + Default, const N: usize> {
    items: [T; N],
    len: usize,
    dropped: usize,
}

/// `(base, size)` physical ranges.
pub type RangeList<const N: usize> = FixedList<(u64, u64), N>;
/// CPUs, in devicetree order.
pub type CpuList<const N: usize> = FixedList<Cpu, N>;

impl<T: Copy + Default, const N: usize> FixedList<T, N> {
    /// An empty list.
    pub fn new() -> Self {
        FixedList {
            items: [T::default(); N],
            len: 0,
            dropped: 0,
        }
    }

    /// Appends `item`; returns false (and counts it as dropped) when full.
    pub fn push(&mut self, item: T) -> bool {
        match self.items.get_mut(self.len) {
            Some(slot) => {
                *slot = item;
                self.len += 1;
                true
            }
            None => {
                self.dropped += 1;
                false
            }
        }
    }

    /// The items pushed, in order.
    pub fn as_slice(&self) -> &[T] {
        &self.items[..self.len]
    }

    /// How many items did not fit.
    pub fn dropped(&self) -> usize {
        self.dropped
    }
}

impl<T: Copy + Default, const N: usize> Default for FixedList<T, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Copy + Default, const N: usize> Deref for FixedList<T, N> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T: Copy + Default + PartialEq, const N: usize> PartialEq for FixedList<T, N> {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice() && self.dropped == other.dropped
    }
}

impl<T: Copy + Default + Eq, const N: usize> Eq for FixedList<T, N> {}

impl<T: Copy + Default + fmt::Debug, const N: usize> fmt::Debug for FixedList<T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()?;
        if self.dropped != 0 {
            write!(f, " (+{} dropped)", self.dropped)?;
        }
        Ok(())
    }
}

/// Which [`BoardInfo`] fields [`BoardInfo::with_defaults`] filled in
/// because the devicetree did not describe them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Defaulted {
    /// [`BoardInfo::uart`] is the board's PL011.
    pub uart: bool,
    /// [`BoardInfo::console_pl011`] is the board's PL011.
    pub console_pl011: bool,
    /// [`BoardInfo::gic`] is the board's GICv2.
    pub gic: bool,
    /// [`BoardInfo::timer_irq`] is INTID 30.
    pub timer_irq: bool,
    /// [`BoardInfo::vtimer_irq`] is INTID 27.
    pub vtimer_irq: bool,
    /// [`BoardInfo::cpus`] is the Raspberry Pi 4's four spin-table CPUs.
    pub cpus: bool,
}

/// What the devicetree says about the board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoardInfo<'a> {
    /// Which board this is.
    pub board: Board,
    /// Root `model`, or "".
    pub model: &'a str,
    /// RAM `(base, size)` from the `/memory` nodes, in devicetree order,
    /// zero-sized entries left out.
    pub memory: RangeList<8>,
    /// `/memreserve/` entries, then `reg` of the enabled `/reserved-memory`
    /// children. The DTB itself and the initrd are not included: see
    /// [`BoardInfo::boot_reserved`].
    pub reserved: RangeList<16>,
    /// The DTB's own physical range: `(dtb_phys, totalsize)`.
    pub dtb: (u64, u64),
    /// `(base, size)` from `/chosen` `linux,initrd-start`/`linux,initrd-end`
    /// (end exclusive, 32- or 64-bit cells).
    pub initrd: Option<(u64, u64)>,
    /// `/chosen` `bootargs`, or "".
    pub bootargs: &'a str,
    /// The console UART: `/chosen` `stdout-path` (aliases resolved,
    /// `:options` ignored) if that is an enabled PL011 or mini-UART; else the
    /// `serial0` alias if it is one; else the first enabled PL011, else the
    /// first enabled mini-UART.
    pub uart: Option<Uart>,
    /// The first enabled GICv2 or GICv3 interrupt controller.
    pub gic: Option<Gic>,
    /// INTID of the EL1 non-secure physical timer (2nd `arm,armv8-timer`
    /// interrupt; PPI 14 = INTID 30 on both boards).
    pub timer_irq: Option<u32>,
    /// INTID of the virtual timer (3rd interrupt; PPI 11 = INTID 27).
    pub vtimer_irq: Option<u32>,
    /// CPU nodes (all but `status = "fail"`; a "disabled" CPU is one still
    /// waiting to be started by its enable method), in devicetree order.
    pub cpus: CpuList<8>,
    /// `/psci` `method`, if there is an enabled PSCI node.
    pub psci: Option<PsciConduit>,
    /// CPU physical address of the first enabled BCM2711 GPIO block
    /// (`brcm,bcm2711-gpio`; 0xfe20_0000 on the Pi 4), whose pin functions
    /// put the PL011 console on GPIO 14/15. Never defaulted.
    pub gpio: Option<u64>,
    /// Which fields are board defaults rather than devicetree facts.
    pub defaulted: Defaulted,
    /// See [`BoardInfo::console_pl011`].
    pl011: Option<Uart>,
}

impl<'a> BoardInfo<'a> {
    /// The PL011 to use as console: `stdout-path` if it is a PL011, else the
    /// `serial0` alias if it is a PL011, else the first enabled `arm,pl011`.
    ///
    /// On the Raspberry Pi 4 DTB `stdout-path` names the mini-UART
    /// (`serial1`), but QEMU `raspi4b` shows the PL011 (`serial0`).
    pub fn console_pl011(&self) -> Option<Uart> {
        self.pl011
    }

    /// Fills in board defaults for what the devicetree did not describe and
    /// records them in [`BoardInfo::defaulted`]. Values found in the DTB are
    /// never replaced; [`Board::Unknown`] gets no defaults.
    ///
    /// - virt: PL011 0x0900_0000 (INTID 33), GICv2 0x0800_0000/0x0801_0000,
    ///   timer INTID 30, virtual timer 27.
    /// - Raspberry Pi 4: PL011 0xfe20_1000 (INTID 153), GIC-400
    ///   0xff84_1000/0xff84_2000, timer INTID 30, virtual timer 27, and, if
    ///   no CPU node was found, CPUs 0..3 on the spin table at
    ///   0xd8/0xe0/0xe8/0xf0.
    #[must_use]
    pub fn with_defaults(mut self) -> Self {
        fn fill<T>(slot: &mut Option<T>, value: T, flag: &mut bool) {
            if slot.is_none() {
                *slot = Some(value);
                *flag = true;
            }
        }
        use crate::board::{rpi4, virt};
        let (uart, gic) = match self.board {
            Board::QemuVirt => (
                Uart {
                    kind: UartKind::Pl011,
                    base: virt::UART_BASE,
                    irq: Some(virt::UART_IRQ),
                },
                Gic {
                    version: GicVersion::V2,
                    gicd: virt::GICD,
                    gicc: virt::GICC,
                    gicr: 0,
                    gicr_size: 0,
                },
            ),
            Board::RaspberryPi4 => (
                Uart {
                    kind: UartKind::Pl011,
                    base: rpi4::UART_BASE,
                    irq: Some(rpi4::UART_IRQ),
                },
                Gic {
                    version: GicVersion::V2,
                    gicd: rpi4::GICD,
                    gicc: rpi4::GICC,
                    gicr: 0,
                    gicr_size: 0,
                },
            ),
            Board::Unknown => return self,
        };
        let d = &mut self.defaulted;
        fill(&mut self.uart, uart, &mut d.uart);
        fill(&mut self.pl011, uart, &mut d.console_pl011);
        fill(&mut self.gic, gic, &mut d.gic);
        fill(
            &mut self.timer_irq,
            crate::board::TIMER_IRQ,
            &mut d.timer_irq,
        );
        fill(
            &mut self.vtimer_irq,
            crate::board::VTIMER_IRQ,
            &mut d.vtimer_irq,
        );
        if self.board == Board::RaspberryPi4 && self.cpus.is_empty() {
            for (mpidr, release_addr) in rpi4::SPIN_TABLE {
                let enable_method = EnableMethod::SpinTable { release_addr };
                self.cpus.push(Cpu {
                    mpidr,
                    enable_method,
                });
            }
            d.cpus = true;
        }
        self
    }

    /// Everything the frame allocator must not hand out besides the kernel
    /// image: [`BoardInfo::reserved`], the DTB and the initrd.
    pub fn boot_reserved(&self) -> RangeList<18> {
        let mut all = RangeList::new();
        for &r in self.reserved.iter() {
            all.push(r);
        }
        all.push(self.dtb);
        if let Some(initrd) = self.initrd {
            all.push(initrd);
        }
        all
    }
}

/// Reads the FDT header at the start of `first_bytes` (at least 8 bytes)
/// and returns the blob's `totalsize`, so the kernel can build the slice
/// from the raw pointer in x0. `None` if this is not a DTB.
pub fn header_total_size(first_bytes: &[u8]) -> Option<usize> {
    if be32(first_bytes, 0)? != FDT_MAGIC {
        return None;
    }
    let total = be32(first_bytes, 4)? as usize;
    (total >= HEADER_LEN).then_some(total)
}

/// Parses the devicetree in `dtb` (at least `totalsize` bytes; more are
/// ignored), loaded at physical address `dtb_phys`. Board defaults are not
/// applied: call [`BoardInfo::with_defaults`] on the result.
///
/// # Errors
///
/// A malformed or truncated blob ([`DtError::BadHeader`],
/// [`DtError::Truncated`], [`DtError::UnsupportedVersion`],
/// [`DtError::BadStructure`]), no RAM ([`DtError::NoMemoryNode`],
/// [`DtError::EmptyMemory`]) or [`DtError::TooManyReserved`].
pub fn discover(dtb: &[u8], dtb_phys: u64) -> Result<BoardInfo<'_>, DtError> {
    let (info, memory_nodes) = scan(dtb, dtb_phys)?;
    if memory_nodes == 0 {
        Err(DtError::NoMemoryNode)
    } else if info.memory.is_empty() {
        Err(DtError::EmptyMemory)
    } else {
        Ok(info)
    }
}

#[cfg(test)]
mod tests;
