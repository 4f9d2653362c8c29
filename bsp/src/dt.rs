//! Devicetree discovery: what the kernel needs to know about the board.
//!
//! [`discover`] reads a flattened devicetree (DTB) and returns a
//! [`BoardInfo`]: RAM and reserved ranges, the console UART, the GIC, the
//! generic timer interrupts, the CPUs and how to start them, PSCI, the
//! initrd and the bootargs. Everything is pure logic over a byte slice, does
//! not allocate, and never panics on malformed input (it returns a
//! [`DtError`] instead), so it runs in early boot and in host tests alike.
//!
//! [`discover`] reports exactly what the devicetree says. Board defaults for
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
//! The `fdt` crate validates the header and reads the memory reservation
//! block. The structure block is walked here: `fdt` 0.1.5 does not handle
//! `FDT_NOP` tokens between nodes, which QEMU's `raspi4b` leaves in every
//! DTB it passes (it NOPs out the original `/memory` node and the devices it
//! does not emulate). On such blobs `fdt` 0.1.5 cannot find `/soc` or
//! `/cpus`, or panics ("bad node").

use core::fmt;
use core::ops::Deref;

const FDT_MAGIC: u32 = 0xd00d_feed;
const HEADER_LEN: usize = 40;
/// Devicetree format version this parser understands (v17, compatible v16).
const FDT_VERSION: u32 = 17;

const FDT_BEGIN_NODE: u32 = 1;
const FDT_END_NODE: u32 = 2;
const FDT_PROP: u32 = 3;
const FDT_NOP: u32 = 4;
const FDT_END: u32 = 9;

/// Nodes nested deeper than this are not visited (real trees use about 5).
const MAX_DEPTH: usize = 16;
/// Bound on `interrupt-parent` hops, so that a cyclic DTB cannot hang us.
const MAX_IRQ_HOPS: usize = 8;

// ---------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------

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
    pub kind: UartKind,
    /// CPU physical address of the registers.
    pub base: u64,
    /// GIC INTID of its interrupt (SPI n is INTID 32 + n), if the DTB
    /// describes it through a GIC.
    pub irq: Option<u32>,
}

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
    SpinTable { release_addr: u64 },
    /// Missing or not understood (e.g. the boot CPU on some boards).
    #[default]
    Unknown,
}

/// One `/cpus/cpu@N` node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cpu {
    /// Its `reg`: the MPIDR_EL1 affinity bits.
    pub mpidr: u64,
    pub enable_method: EnableMethod,
}

/// The PSCI calling convention (`/psci` `method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PsciConduit {
    Hvc,
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
    pub uart: bool,
    pub console_pl011: bool,
    pub gic: bool,
    pub timer_irq: bool,
    pub vtimer_irq: bool,
    pub cpus: bool,
}

/// What the devicetree says about the board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoardInfo<'a> {
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
        let (uart, gic) = match self.board {
            Board::QemuVirt => (
                Uart {
                    kind: UartKind::Pl011,
                    base: 0x0900_0000,
                    irq: Some(33),
                },
                Gic {
                    version: GicVersion::V2,
                    gicd: 0x0800_0000,
                    gicc: 0x0801_0000,
                    gicr: 0,
                    gicr_size: 0,
                },
            ),
            Board::RaspberryPi4 => (
                Uart {
                    kind: UartKind::Pl011,
                    base: 0xfe20_1000,
                    irq: Some(153),
                },
                Gic {
                    version: GicVersion::V2,
                    gicd: 0xff84_1000,
                    gicc: 0xff84_2000,
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
        fill(&mut self.timer_irq, 30, &mut d.timer_irq);
        fill(&mut self.vtimer_irq, 27, &mut d.vtimer_irq);
        if self.board == Board::RaspberryPi4 && self.cpus.is_empty() {
            for (mpidr, release_addr) in [(0, 0xd8), (1, 0xe0), (2, 0xe8), (3, 0xf0)] {
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

// ---------------------------------------------------------------------------
// Discovery
// ---------------------------------------------------------------------------

const GIC_V2_COMPATIBLE: &[&str] = &[
    "arm,gic-400",
    "arm,cortex-a15-gic",
    "arm,cortex-a9-gic",
    "arm,cortex-a7-gic",
];
const GIC_V3_COMPATIBLE: &[&str] = &["arm,gic-v3"];
const PL011_COMPATIBLE: &[&str] = &["arm,pl011"];
const MINI_UART_COMPATIBLE: &[&str] = &["brcm,bcm2835-aux-uart"];
const TIMER_COMPATIBLE: &[&str] = &["arm,armv8-timer", "arm,armv7-timer"];
const PSCI_COMPATIBLE: &[&str] = &["arm,psci-1.0", "arm,psci-0.2", "arm,psci"];
const BCM2711_GPIO_COMPATIBLE: &[&str] = &["brcm,bcm2711-gpio"];

/// Everything but the `/memory` checks of [`discover`]; also returns the
/// number of memory nodes found.
fn scan(dtb: &[u8], dtb_phys: u64) -> Result<(BoardInfo<'_>, usize), DtError> {
    let blob = Blob::new(dtb)?;
    let root = Node {
        name: "",
        body: blob.root_body,
    };

    let model = blob.prop_str(root, "model").unwrap_or("");
    let board = if blob.compatible_with(root, &["raspberrypi,4-model-b", "brcm,bcm2711"]) {
        Board::RaspberryPi4
    } else if blob.compatible_with(root, &["linux,dummy-virt"]) {
        Board::QemuVirt
    } else if model.starts_with("Raspberry Pi 4") {
        Board::RaspberryPi4
    } else {
        Board::Unknown
    };

    // RAM: enabled children of the root with device_type = "memory".
    let mut memory = RangeList::new();
    let mut memory_nodes = 0;
    blob.walk(|c| {
        let n = c.node();
        if c.len != 2 {
            return false;
        }
        let is_memory = match blob.prop_str(n, "device_type") {
            Some(t) => t == "memory",
            None => base_name(n.name) == "memory",
        };
        if is_memory && blob.enabled(n) {
            memory_nodes += 1;
            for (base, size) in blob.regs(c).flatten() {
                if size != 0 {
                    memory.push((base, size));
                }
            }
        }
        false
    });

    let mut reserved = RangeList::new();
    for (base, size) in blob.reservations() {
        if size != 0 {
            reserved.push((base, size));
        }
    }
    blob.walk(|c| {
        if c.len == 3 && base_name(c.nodes[1].name) == "reserved-memory" && blob.enabled(c.node()) {
            for (base, size) in blob.regs_raw(c).flatten() {
                // Without a usable `ranges`, reserve the untranslated range:
                // reserving too much is harmless, too little is not.
                let base = blob.translate(c, c.len - 2, base).unwrap_or(base);
                if size != 0 {
                    reserved.push((base, size));
                }
            }
        }
        false
    });
    if reserved.dropped() != 0 {
        return Err(DtError::TooManyReserved);
    }

    let chosen = blob.find_path(&["/chosen"]).map(|c| c.node());
    let chosen_prop = |name| chosen.and_then(|n| blob.prop(n, name));
    let initrd = match (
        chosen_prop("linux,initrd-start"),
        chosen_prop("linux,initrd-end"),
    ) {
        (Some(s), Some(e)) => match (read_int(s), read_int(e)) {
            (Some(s), Some(e)) if e > s => Some((s, e - s)),
            _ => None,
        },
        _ => None,
    };
    let bootargs = chosen
        .and_then(|n| blob.prop_str(n, "bootargs"))
        .unwrap_or("");

    // UARTs.
    let stdout = chosen
        .and_then(|n| blob.prop_str(n, "stdout-path"))
        .and_then(|p| blob.resolve(p))
        .and_then(|c| blob.uart(&c));
    let serial0 = blob.resolve("serial0").and_then(|c| blob.uart(&c));
    let first = |compat: &[&str]| {
        blob.walk(|c| blob.enabled(c.node()) && blob.compatible_with(c.node(), compat))
            .and_then(|c| blob.uart(&c))
    };
    let first_pl011 = first(PL011_COMPATIBLE);
    let uart = stdout
        .or(serial0)
        .or(first_pl011)
        .or_else(|| first(MINI_UART_COMPATIBLE));
    let is_pl011 = |u: &Option<Uart>| {
        matches!(
            u,
            Some(Uart {
                kind: UartKind::Pl011,
                ..
            })
        )
    };
    let pl011 = [stdout, serial0, first_pl011]
        .into_iter()
        .find(is_pl011)
        .flatten();

    // GIC: the first enabled one.
    let gic = blob
        .walk(|c| blob.enabled(c.node()) && blob.gic_version(c.node()).is_some())
        .and_then(|c| {
            let version = blob.gic_version(c.node())?;
            let (gicd, _) = blob.reg_phys(&c, 0)?;
            let second = blob.reg_phys(&c, 1);
            Some(match version {
                GicVersion::V2 => {
                    let gicc = second?.0;
                    Gic {
                        version,
                        gicd,
                        gicc,
                        gicr: 0,
                        gicr_size: 0,
                    }
                }
                GicVersion::V3 => {
                    let (gicr, gicr_size) = second?;
                    Gic {
                        version,
                        gicd,
                        gicc: 0,
                        gicr,
                        gicr_size,
                    }
                }
            })
        });

    let timer =
        blob.walk(|c| blob.enabled(c.node()) && blob.compatible_with(c.node(), TIMER_COMPATIBLE));
    let timer_irq = timer.and_then(|c| blob.intid(&c, 1));
    let vtimer_irq = timer.and_then(|c| blob.intid(&c, 2));

    // CPUs: /cpus/cpu@N (device_type "cpu").
    let mut cpus = CpuList::new();
    blob.walk(|c| {
        let n = c.node();
        if c.len != 3 || c.nodes[1].name != "cpus" {
            return false;
        }
        let is_cpu = match blob.prop_str(n, "device_type") {
            Some(t) => t == "cpu",
            None => base_name(n.name) == "cpu",
        };
        if !is_cpu
            || blob
                .prop_str(n, "status")
                .is_some_and(|s| s.starts_with("fail"))
        {
            return false;
        }
        let Some(Some((mpidr, _))) = blob.regs_raw(c).next() else {
            return false;
        };
        let method = blob
            .prop_str(n, "enable-method")
            .or_else(|| blob.prop_str(c.nodes[1], "enable-method"));
        let enable_method = match method {
            Some("psci") => EnableMethod::Psci,
            Some("spin-table") => match blob.prop(n, "cpu-release-addr").and_then(read_int) {
                Some(release_addr) => EnableMethod::SpinTable { release_addr },
                None => EnableMethod::Unknown,
            },
            _ => EnableMethod::Unknown,
        };
        cpus.push(Cpu {
            mpidr,
            enable_method,
        });
        false
    });

    let psci = blob
        .walk(|c| blob.enabled(c.node()) && blob.compatible_with(c.node(), PSCI_COMPATIBLE))
        .and_then(|c| match blob.prop_str(c.node(), "method") {
            Some("hvc") => Some(PsciConduit::Hvc),
            Some("smc") => Some(PsciConduit::Smc),
            _ => None,
        });

    // The BCM2711 GPIO block (its `reg` covers 0xb4 bytes upstream; the
    // pull-up/down registers at 0xe4 are in the same page).
    let gpio = blob
        .walk(|c| blob.enabled(c.node()) && blob.compatible_with(c.node(), BCM2711_GPIO_COMPATIBLE))
        .and_then(|c| blob.reg_phys(&c, 0))
        .map(|(base, _)| base);

    let info = BoardInfo {
        board,
        model,
        memory,
        reserved,
        dtb: (dtb_phys, blob.total as u64),
        initrd,
        bootargs,
        uart,
        gic,
        timer_irq,
        vtimer_irq,
        cpus,
        psci,
        gpio,
        defaulted: Defaulted::default(),
        pl011,
    };
    Ok((info, memory_nodes))
}

/// Decodes one GIC interrupt specifier (type, number, flags...) to an INTID.
fn gic_intid(kind: u32, num: u32) -> Option<u32> {
    match kind {
        0 if num < 988 => Some(32 + num),    // SPI
        1 if num < 16 => Some(16 + num),     // PPI
        2 if num < 1024 => Some(4096 + num), // extended SPI
        3 if num < 64 => Some(1056 + num),   // extended PPI
        _ => None,
    }
}

/// Node name without its unit address.
fn base_name(name: &str) -> &str {
    name.split('@').next().unwrap_or(name)
}

/// Does node name `name` match path component `comp`? Like libfdt: exactly,
/// or by base name when `comp` has no unit address.
fn name_matches(name: &str, comp: &str) -> bool {
    name == comp || (!comp.contains('@') && base_name(name) == comp)
}

fn be32(b: &[u8], off: usize) -> Option<u32> {
    let bytes = b.get(off..off.checked_add(4)?)?;
    Some(u32::from_be_bytes(bytes.try_into().ok()?))
}

fn be64(b: &[u8], off: usize) -> Option<u64> {
    let bytes = b.get(off..off.checked_add(8)?)?;
    Some(u64::from_be_bytes(bytes.try_into().ok()?))
}

/// A property holding one 32- or 64-bit number.
fn read_int(v: &[u8]) -> Option<u64> {
    match v.len() {
        4 => be32(v, 0).map(u64::from),
        8 => be64(v, 0),
        _ => None,
    }
}

/// A number of `cells` big-endian 32-bit cells; `None` if `b` is not exactly
/// that long or the value does not fit in 64 bits.
fn read_cells(b: &[u8], cells: usize) -> Option<u64> {
    if b.len() != cells.checked_mul(4)? {
        return None;
    }
    let mut v: u64 = 0;
    for c in b.chunks_exact(4) {
        if v >> 32 != 0 {
            return None;
        }
        v = (v << 32) | u64::from(u32::from_be_bytes(c.try_into().ok()?));
    }
    Some(v)
}

/// Maps `addr` through a non-empty `ranges` value.
fn map_range(ranges: &[u8], child: usize, parent: usize, size: usize, addr: u64) -> Option<u64> {
    let entry = (child + parent + size) * 4;
    if entry == 0 {
        return None;
    }
    ranges.chunks_exact(entry).find_map(|e| {
        let (c, rest) = e.split_at(child * 4);
        let (p, s) = rest.split_at(parent * 4);
        let (c, p, s) = (
            read_cells(c, child)?,
            read_cells(p, parent)?,
            read_cells(s, size)?,
        );
        let offset = addr.checked_sub(c)?;
        if offset < s {
            p.checked_add(offset)
        } else {
            None
        }
    })
}

// ---------------------------------------------------------------------------
// The flattened devicetree walker
// ---------------------------------------------------------------------------

/// A validated blob. After [`Blob::new`] every token in the structure block
/// is known to be well formed; the accessors still never index out of bounds.
#[derive(Clone, Copy)]
struct Blob<'a> {
    data: &'a [u8],
    total: usize,
    structs: &'a [u8],
    struct_off: usize,
    strings: &'a [u8],
    /// Offset (in `structs`) of the root node's first property.
    root_body: usize,
}

/// A node: its name and the offset in the structure block of the token
/// after its name (its first property, child or end).
#[derive(Clone, Copy)]
struct Node<'a> {
    name: &'a str,
    body: usize,
}

/// A node with all its ancestors: `nodes[0]` is the root, `nodes[len - 1]`
/// the node itself.
#[derive(Clone, Copy)]
struct Chain<'a> {
    nodes: [Node<'a>; MAX_DEPTH],
    len: usize,
}

impl<'a> Chain<'a> {
    fn node(&self) -> Node<'a> {
        self.nodes[self.len - 1]
    }

    /// The parent's chain (None for the root).
    fn parent(&self) -> Option<Chain<'a>> {
        (self.len > 1).then(|| Chain {
            nodes: self.nodes,
            len: self.len - 1,
        })
    }
}

enum Token<'a> {
    Begin(Node<'a>),
    End,
    Prop(&'a str, &'a [u8]),
    Nop,
    Finish,
}

fn align4(off: usize) -> usize {
    (off + 3) & !3
}

impl<'a> Blob<'a> {
    fn new(dtb: &'a [u8]) -> Result<Self, DtError> {
        match be32(dtb, 0) {
            None => return Err(DtError::Truncated),
            Some(FDT_MAGIC) => {}
            Some(_) => return Err(DtError::BadHeader),
        }
        if dtb.len() < HEADER_LEN {
            return Err(DtError::Truncated);
        }
        let field = |i: usize| be32(dtb, 4 * i).map_or(0, |v| v as usize);
        let total = field(1);
        if total < HEADER_LEN {
            return Err(DtError::BadHeader);
        }
        let data = dtb.get(..total).ok_or(DtError::Truncated)?;
        let (version, last_comp) = (field(5) as u32, field(6) as u32);
        if version < FDT_VERSION {
            return Err(DtError::UnsupportedVersion(version));
        }
        if last_comp > FDT_VERSION {
            return Err(DtError::UnsupportedVersion(last_comp));
        }
        let block = |off: usize, len: usize| data.get(off..off.checked_add(len)?);
        let (struct_off, strings_off, rsv_off) = (field(2), field(3), field(4));
        let structs = block(struct_off, field(9)).ok_or(DtError::BadHeader)?;
        let strings = block(strings_off, field(8)).ok_or(DtError::BadHeader)?;
        if rsv_off < HEADER_LEN {
            return Err(DtError::BadHeader);
        }
        // The fdt crate checks the magic and size too, and reads the
        // reservation map below.
        fdt::Fdt::new(data).map_err(|e| match e {
            fdt::FdtError::BadMagic | fdt::FdtError::BadPtr => DtError::BadHeader,
            fdt::FdtError::BufferTooSmall => DtError::Truncated,
        })?;
        let mut blob = Blob {
            data,
            total,
            structs,
            struct_off,
            strings,
            root_body: 0,
        };
        // The reservation map must end with a (0, 0) entry inside the blob.
        let mut off = rsv_off;
        loop {
            match (be64(data, off), be64(data, off + 8)) {
                (Some(0), Some(0)) => break,
                (Some(_), Some(_)) => off += 16,
                _ => return Err(DtError::BadHeader),
            }
        }
        blob.root_body = blob.check_structure()?;
        Ok(blob)
    }

    /// `/memreserve/` entries, through the `fdt` crate.
    fn reservations(&self) -> impl Iterator<Item = (u64, u64)> + 'a {
        let fdt = fdt::Fdt::new(self.data).ok();
        fdt.into_iter().flat_map(|f| {
            f.memory_reservations()
                .map(|r| (r.address() as usize as u64, r.size() as u64))
        })
    }

    /// Reads the token at `off` in the structure block; returns it and the
    /// offset of the next one.
    fn token(&self, off: usize) -> Option<(Token<'a>, usize)> {
        let s = self.structs;
        let body = off.checked_add(4)?;
        match be32(s, off)? {
            FDT_BEGIN_NODE => {
                let rest = s.get(body..)?;
                let n = rest.iter().position(|&b| b == 0)?;
                let name = core::str::from_utf8(rest.get(..n)?).ok()?;
                let next = align4(body + n + 1);
                Some((Token::Begin(Node { name, body: next }), next))
            }
            FDT_PROP => {
                let len = be32(s, body)? as usize;
                let name = self.string(be32(s, body + 4)? as usize)?;
                let start = body + 8;
                let value = s.get(start..start.checked_add(len)?)?;
                Some((Token::Prop(name, value), align4(start + len)))
            }
            FDT_END_NODE => Some((Token::End, body)),
            FDT_NOP => Some((Token::Nop, body)),
            FDT_END => Some((Token::Finish, body)),
            _ => None,
        }
    }

    fn string(&self, off: usize) -> Option<&'a str> {
        let rest = self.strings.get(off..)?;
        let n = rest.iter().position(|&b| b == 0)?;
        core::str::from_utf8(rest.get(..n)?).ok()
    }

    /// Checks the whole structure block once: one root node, balanced,
    /// properties only inside nodes, FDT_END at the end. Returns the root
    /// node's body offset.
    fn check_structure(&self) -> Result<usize, DtError> {
        let (mut off, mut depth, mut root) = (0, 0usize, None);
        loop {
            let bad = DtError::BadStructure(self.struct_off + off);
            let (token, next) = self.token(off).ok_or(bad)?;
            match token {
                Token::Begin(node) => {
                    if depth == 0 {
                        if root.is_some() {
                            return Err(bad);
                        }
                        root = Some(node.body);
                    }
                    depth += 1;
                }
                Token::End if depth > 0 => depth -= 1,
                Token::Prop(..) if depth > 0 => {}
                Token::Nop => {}
                Token::Finish if depth == 0 => return root.ok_or(bad),
                _ => return Err(bad),
            }
            off = next;
        }
    }

    /// Visits every node (up to [`MAX_DEPTH`]) in document order with its
    /// ancestors, until `f` returns true; returns that node's chain.
    fn walk(&self, mut f: impl FnMut(&Chain<'a>) -> bool) -> Option<Chain<'a>> {
        let empty = Node { name: "", body: 0 };
        let mut chain = Chain {
            nodes: [empty; MAX_DEPTH],
            len: 0,
        };
        let (mut off, mut depth) = (0, 0usize);
        loop {
            let (token, next) = self.token(off)?;
            match token {
                Token::Begin(node) => {
                    depth += 1;
                    if depth <= MAX_DEPTH {
                        chain.nodes[depth - 1] = node;
                        chain.len = depth;
                        if f(&chain) {
                            return Some(chain);
                        }
                    }
                }
                Token::End => {
                    depth = depth.checked_sub(1)?;
                    chain.len = depth.min(MAX_DEPTH);
                }
                Token::Finish => return None,
                Token::Prop(..) | Token::Nop => {}
            }
            off = next;
        }
    }

    /// The node at a path given in parts that are joined with '/', e.g.
    /// `["/soc", "serial@7e201000"]`. Components without a unit address
    /// match by base name; the first match in document order wins.
    fn find_path(&self, parts: &[&str]) -> Option<Chain<'a>> {
        let comps = || {
            parts
                .iter()
                .flat_map(|p| p.split('/'))
                .filter(|c| !c.is_empty())
        };
        let n = comps().count();
        self.walk(|c| {
            c.len == n + 1
                && comps()
                    .zip(&c.nodes[1..c.len])
                    .all(|(p, node)| name_matches(node.name, p))
        })
    }

    /// Resolves a `stdout-path`-style reference: options after ':' are
    /// dropped; a full path is looked up, anything else is an alias
    /// (optionally followed by "/more/path").
    fn resolve(&self, path: &str) -> Option<Chain<'a>> {
        let path = path.split(':').next()?;
        if path.starts_with('/') {
            return self.find_path(&[path]);
        }
        let (alias, rest) = path.split_once('/').unwrap_or((path, ""));
        if alias.is_empty() {
            return None;
        }
        let aliases = self.find_path(&["/aliases"])?;
        let target = self.prop_str(aliases.node(), alias)?;
        target.starts_with('/').then_some(())?;
        self.find_path(&[target, rest])
    }

    /// The node with this phandle.
    fn find_phandle(&self, phandle: u32) -> Option<Chain<'a>> {
        if phandle == 0 || phandle == u32::MAX {
            return None;
        }
        self.walk(|c| {
            let n = c.node();
            let ph = self
                .prop(n, "phandle")
                .or_else(|| self.prop(n, "linux,phandle"));
            ph.and_then(|v| be32(v, 0)) == Some(phandle)
        })
    }

    fn props(&self, node: Node<'a>) -> impl Iterator<Item = (&'a str, &'a [u8])> + 'a {
        let blob = *self;
        let mut off = node.body;
        core::iter::from_fn(move || loop {
            match blob.token(off)? {
                (Token::Prop(name, value), next) => {
                    off = next;
                    return Some((name, value));
                }
                (Token::Nop, next) => off = next,
                _ => return None,
            }
        })
    }

    fn prop(&self, node: Node<'a>, name: &str) -> Option<&'a [u8]> {
        self.props(node).find(|&(n, _)| n == name).map(|(_, v)| v)
    }

    /// The first string of a string (list) property.
    fn prop_str(&self, node: Node<'a>, name: &str) -> Option<&'a str> {
        let v = self.prop(node, name)?;
        let end = v.iter().position(|&b| b == 0).unwrap_or(v.len());
        core::str::from_utf8(v.get(..end)?).ok()
    }

    fn prop_u32(&self, node: Node<'a>, name: &str) -> Option<u32> {
        self.prop(node, name)
            .filter(|v| v.len() == 4)
            .and_then(|v| be32(v, 0))
    }

    fn compatible_with(&self, node: Node<'a>, with: &[&str]) -> bool {
        self.prop(node, "compatible").is_some_and(|v| {
            v.split(|&b| b == 0)
                .any(|s| with.iter().any(|w| w.as_bytes() == s))
        })
    }

    /// `status` absent, "okay" or "ok".
    fn enabled(&self, node: Node<'a>) -> bool {
        matches!(
            self.prop_str(node, "status"),
            None | Some("okay") | Some("ok")
        )
    }

    /// `#address-cells` (default 2) and `#size-cells` (default 1) that
    /// `node` sets for its children.
    fn cells(&self, node: Node<'a>) -> (usize, usize) {
        let get = |name, default| self.prop_u32(node, name).map_or(default, |v| v as usize);
        (get("#address-cells", 2), get("#size-cells", 1))
    }

    /// The node's `reg` entries, untranslated (in its parent's address space).
    fn regs_raw(&self, c: &Chain<'a>) -> impl Iterator<Item = Option<(u64, u64)>> + 'a {
        let (ac, sc) = c.parent().map_or((2, 1), |p| self.cells(p.node()));
        let reg = self.prop(c.node(), "reg").unwrap_or(&[]);
        let entry = if ac <= 4 && sc <= 4 { (ac + sc) * 4 } else { 0 };
        let entries = if entry == 0 {
            [].chunks_exact(1)
        } else {
            reg.chunks_exact(entry)
        };
        entries.map(move |e| {
            let (a, s) = e.split_at(ac * 4);
            Some((read_cells(a, ac)?, read_cells(s, sc)?))
        })
    }

    /// The node's `reg` entries translated to CPU physical addresses.
    fn regs(&self, c: &Chain<'a>) -> impl Iterator<Item = Option<(u64, u64)>> + 'a {
        let (blob, chain) = (*self, *c);
        self.regs_raw(c).map(move |r| {
            let (base, size) = r?;
            Some((
                blob.translate(&chain, chain.len.checked_sub(2)?, base)?,
                size,
            ))
        })
    }

    fn reg_phys(&self, c: &Chain<'a>, index: usize) -> Option<(u64, u64)> {
        self.regs(c).nth(index).flatten()
    }

    /// Translates `addr`, an address in the space of the children of
    /// `c.nodes[level]`, to a CPU physical address through the `ranges` of
    /// `c.nodes[level]` and all its ancestors. A bus without `ranges` cannot
    /// be translated; an empty `ranges` is the identity.
    fn translate(&self, c: &Chain<'a>, mut level: usize, mut addr: u64) -> Option<u64> {
        while level > 0 {
            let (bus, parent) = (c.nodes[level], c.nodes[level - 1]);
            let ranges = self.prop(bus, "ranges")?;
            if !ranges.is_empty() {
                let (child_ac, child_sc) = self.cells(bus);
                let (parent_ac, _) = self.cells(parent);
                if child_ac > 4 || child_sc > 4 || parent_ac > 4 {
                    return None;
                }
                addr = map_range(ranges, child_ac, parent_ac, child_sc, addr)?;
            }
            level -= 1;
        }
        Some(addr)
    }

    fn gic_version(&self, node: Node<'a>) -> Option<GicVersion> {
        if self.compatible_with(node, GIC_V3_COMPATIBLE) {
            Some(GicVersion::V3)
        } else if self.compatible_with(node, GIC_V2_COMPATIBLE) {
            Some(GicVersion::V2)
        } else {
            None
        }
    }

    /// The interrupt controller of `c`: follow `interrupt-parent`, or the
    /// tree parent where there is none, until a node with `#interrupt-cells`.
    fn interrupt_parent(&self, c: &Chain<'a>) -> Option<Chain<'a>> {
        let mut cur = *c;
        for _ in 0..MAX_IRQ_HOPS {
            cur = match self.prop_u32(cur.node(), "interrupt-parent") {
                Some(phandle) => self.find_phandle(phandle)?,
                None => cur.parent()?,
            };
            if self.prop(cur.node(), "#interrupt-cells").is_some() {
                return Some(cur);
            }
        }
        None
    }

    /// GIC INTID of interrupt number `index` of `c` (`interrupts-extended`
    /// or `interrupts`); `None` unless its controller is a GIC.
    fn intid(&self, c: &Chain<'a>, index: usize) -> Option<u32> {
        let spec = |ctrl: &Chain<'a>| -> Option<(usize, bool)> {
            let cells = self.prop_u32(ctrl.node(), "#interrupt-cells")? as usize;
            Some((cells, self.gic_version(ctrl.node()).is_some()))
        };
        let decode = |v: &[u8], is_gic: bool| {
            is_gic.then_some(())?;
            gic_intid(be32(v, 0)?, be32(v, 4)?)
        };
        let n = c.node();
        if let Some(mut v) = self.prop(n, "interrupts-extended") {
            // <phandle spec...>, each with its own controller's cell count.
            for i in 0.. {
                let ctrl = self.find_phandle(be32(v, 0)?)?;
                let (cells, is_gic) = spec(&ctrl)?;
                let len = cells.checked_add(1)?.checked_mul(4)?;
                let entry = v.get(4..len)?;
                if i == index {
                    return decode(entry, is_gic);
                }
                v = v.get(len..)?;
            }
            return None;
        }
        let v = self.prop(n, "interrupts")?;
        let (cells, is_gic) = spec(&self.interrupt_parent(c)?)?;
        let start = index.checked_mul(cells)?.checked_mul(4)?;
        let entry = v.get(start..start.checked_add(cells * 4)?)?;
        decode(entry, is_gic && cells >= 2)
    }

    /// `c` as a supported, enabled UART.
    fn uart(&self, c: &Chain<'a>) -> Option<Uart> {
        let n = c.node();
        if !self.enabled(n) {
            return None;
        }
        let kind = if self.compatible_with(n, PL011_COMPATIBLE) {
            UartKind::Pl011
        } else if self.compatible_with(n, MINI_UART_COMPATIBLE) {
            UartKind::MiniUart
        } else {
            return None;
        };
        let (base, _) = self.reg_phys(c, 0)?;
        Some(Uart {
            kind,
            base,
            irq: self.intid(c, 0),
        })
    }
}

#[cfg(test)]
mod tests;
