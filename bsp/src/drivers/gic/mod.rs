//! Generic Interrupt Controller: GICv2 ([`v2`]: the Pi 4's GIC-400, `virt`'s default) and GICv3
//! ([`v3`]: `virt,gic-version=3`) behind one trait, [`InterruptController`]; [`Gic`] holds the
//! one the devicetree names, chosen at run time (ARM IHI 0048B "GICv2 architecture
//! specification", ARM IHI 0069 "GICv3 and GICv4").
//!
//! All interrupts are configured level-sensitive, group 1 (non-secure), priority 0xa0, and
//! routed to the boot core unless changed. SGIs (INTID 0..15) wake and poke other cores.
//!
//! The distributor frame is common to both versions (GICv3's is a superset at the same
//! offsets), so it is declared here with the set-up they share; each version's file declares
//! the frames only it has (v2: the CPU interface; v3: the redistributors) and reaches the v3 CPU
//! interface through system registers.

pub(crate) mod v2;
pub(crate) mod v3;

pub(crate) use v2::GicV2;
pub(crate) use v3::GicV3;

use tock_registers::interfaces::{Readable, Writeable};
use tock_registers::registers::{ReadOnly, ReadWrite, WriteOnly};
use tock_registers::{register_bitfields, register_structs};

register_bitfields! [u32,
    /// Distributor control (IHI 0048B 4.3.1, IHI 0069 12.9.4).
    pub(crate) GICD_CTLR [
        /// v2: enable group 0 (in the non-secure view of a GIC with the security extensions,
        /// as on the Pi, this bit enables group 1); v3 with DS = 1: enable group 0.
        EnableGrp0 OFFSET(0) NUMBITS(1) [],
        /// v2: enable group 1; v3: enable non-secure group 1.
        EnableGrp1 OFFSET(1) NUMBITS(1) [],
        /// v3 only: affinity routing (ARE_NS in the non-secure view); RES0 on v2.
        ARE OFFSET(4) NUMBITS(1) []
    ],
    /// Interrupt controller type (IHI 0048B 4.3.2, IHI 0069 12.9.38).
    pub(crate) GICD_TYPER [
        /// The distributor has 32 * (N + 1) interrupt lines.
        ITLinesNumber OFFSET(0) NUMBITS(5) []
    ],
    /// Software generated interrupt (v2 only, IHI 0048B 4.3.15).
    pub(crate) GICD_SGIR [
        /// A bit per target CPU interface.
        CPUTargetList OFFSET(16) NUMBITS(8) [],
        /// The SGI's INTID.
        SGIINTID OFFSET(0) NUMBITS(4) []
    ]
];

register_structs! {
    /// GICv2/v3 distributor (IHI 0048B 4.1.2, IHI 0069 12.9). Registers a version lacks are
    /// marked; the interrupt bitmaps (group, enable, priority, configuration) are common.
    #[allow(non_snake_case)]
    pub(crate) DistributorRegisters {
        (0x000 => CTLR: ReadWrite<u32, GICD_CTLR::Register>),
        (0x004 => TYPER: ReadOnly<u32, GICD_TYPER::Register>),
        (0x008 => _reserved0),
        (0x080 => IGROUPR: [ReadWrite<u32>; 32]),
        (0x100 => ISENABLER: [ReadWrite<u32>; 32]),
        (0x180 => ICENABLER: [ReadWrite<u32>; 32]),
        (0x200 => _reserved1),
        (0x400 => IPRIORITYR: [ReadWrite<u32>; 255]),
        (0x7fc => _reserved2),
        /// v2 only: the CPU interfaces each SPI goes to.
        (0x800 => ITARGETSR: [ReadWrite<u32>; 255]),
        (0xbfc => _reserved3),
        (0xc00 => ICFGR: [ReadWrite<u32>; 64]),
        (0xd00 => _reserved4),
        /// v2 only.
        (0xf00 => SGIR: WriteOnly<u32, GICD_SGIR::Register>),
        (0xf04 => _reserved5),
        /// v3 only: the affinity each SPI is routed to.
        (0x6000 => IROUTER: [ReadWrite<u64>; 988]),
        (0x7ee0 => @END),
    }
}

/// INTID returned by an acknowledge when nothing is pending.
pub const SPURIOUS: u32 = 1023;
/// Priority of every interrupt (lower is more urgent; PMR lets everything through).
const PRIORITY: u32 = 0xa0;
const MAX_CPUS: usize = crate::cpu::boot::MAX_CPUS;

impl DistributorRegisters {
    /// The set-up both versions share: distributor off, then every SPI disabled, in group 1
    /// (non-secure), at [`PRIORITY`] and level-sensitive. Returns the number of interrupt lines;
    /// the caller routes the SPIs and enables the distributor its own way.
    fn reset_spis(&self) -> u32 {
        self.CTLR.set(0);
        let lines = (self.TYPER.read(GICD_TYPER::ITLinesNumber) + 1) * 32;
        let lines = lines.min(1020);
        for i in 1..(lines / 32) as usize {
            self.ICENABLER[i].set(!0);
            self.IGROUPR[i].set(!0); // group 1 (non-secure)
        }
        for i in 8..(lines / 4) as usize {
            self.IPRIORITYR[i].set(PRIORITY * 0x0101_0101);
        }
        for i in 2..(lines / 16) as usize {
            self.ICFGR[i].set(0); // level-sensitive
        }
        lines
    }

    /// Sets `intid`'s bit in ISENABLER (banked per core for INTID < 32).
    fn set_enable(&self, intid: u32) {
        let (reg, bit) = ((intid / 32) as usize, 1u32 << (intid % 32));
        if reg < 32 {
            self.ISENABLER[reg].set(bit);
        }
    }

    /// Sets `intid`'s bit in ICENABLER, which disables it (banked per core for INTID < 32).
    fn clear_enable(&self, intid: u32) {
        let (reg, bit) = ((intid / 32) as usize, 1u32 << (intid % 32));
        if reg < 32 {
            self.ICENABLER[reg].set(bit);
        }
    }
}

/// What the kernel asks of an interrupt controller.
///
/// All but [`init_distributor`](Self::init_distributor) may run on every core at once: they
/// touch per-core banked registers, or single interrupts' bits through the set/clear-enable
/// registers, which the GIC makes atomic.
pub trait InterruptController: Send + Sync {
    /// The architecture version: 2 or 3.
    fn version(&self) -> u32;
    /// Distributor set-up, once, on the boot core.
    fn init_distributor(&mut self);
    /// Per-core set-up: CPU interface (v2) or redistributor + system registers (v3).
    fn init_cpu(&self, cpu: usize, mpidr: u64);
    /// Enables `intid` (a PPI on the calling core, or an SPI routed to the boot core).
    fn enable(&self, cpu: usize, intid: u32);
    /// Disables `intid`.
    fn disable(&self, cpu: usize, intid: u32);
    /// Acknowledges the highest-priority pending interrupt; [`SPURIOUS`] if none.
    fn ack(&self) -> u32;
    /// Signals end of interrupt for a value returned by [`ack`](Self::ack).
    fn eoi(&self, intid: u32);
    /// Sends SGI `intid` (0..15) to core `cpu` (whose MPIDR is `mpidr`).
    fn send_sgi(&self, cpu: usize, mpidr: u64, intid: u32);
}

/// Which architecture and where it lives (virtual addresses of the mapped frames).
#[derive(Clone, Copy, Debug)]
pub enum GicConfig {
    /// A GICv2 ([`GicV2`]).
    V2 {
        /// The distributor frame (GICD).
        gicd: u64,
        /// The CPU interface frame (GICC).
        gicc: u64,
    },
    /// A GICv3 ([`GicV3`]).
    V3 {
        /// The distributor frame (GICD).
        gicd: u64,
        /// The first redistributor frame (GICR); the others follow it, up to the one marked last.
        gicr: u64,
    },
}

/// The interrupt controller shared by every core: the GICv2 or GICv3 a [`GicConfig`] names.
/// Its methods are [`InterruptController`]'s, callable without importing the trait.
pub enum Gic {
    /// A GICv2.
    V2(GicV2),
    /// A GICv3.
    V3(GicV3),
}

impl Gic {
    /// # Safety
    /// The frames in `config` must be mapped device memory for the kernel's lifetime.
    pub unsafe fn new(config: GicConfig) -> Self {
        match config {
            // SAFETY: forwarded contract.
            GicConfig::V2 { gicd, gicc } => Gic::V2(unsafe { GicV2::new(gicd, gicc) }),
            // SAFETY: forwarded contract.
            GicConfig::V3 { gicd, gicr } => Gic::V3(unsafe { GicV3::new(gicd, gicr) }),
        }
    }

    /// The controller, as the trait every version implements.
    pub fn controller(&self) -> &dyn InterruptController {
        match self {
            Gic::V2(g) => g,
            Gic::V3(g) => g,
        }
    }

    fn controller_mut(&mut self) -> &mut dyn InterruptController {
        match self {
            Gic::V2(g) => g,
            Gic::V3(g) => g,
        }
    }

    /// See [`InterruptController::version`].
    pub fn version(&self) -> u32 {
        self.controller().version()
    }

    /// See [`InterruptController::init_distributor`].
    pub fn init_distributor(&mut self) {
        self.controller_mut().init_distributor()
    }

    /// See [`InterruptController::init_cpu`].
    pub fn init_cpu(&self, cpu: usize, mpidr: u64) {
        self.controller().init_cpu(cpu, mpidr)
    }

    /// See [`InterruptController::enable`].
    pub fn enable(&self, cpu: usize, intid: u32) {
        self.controller().enable(cpu, intid)
    }

    /// See [`InterruptController::disable`].
    pub fn disable(&self, cpu: usize, intid: u32) {
        self.controller().disable(cpu, intid)
    }

    /// See [`InterruptController::ack`].
    pub fn ack(&self) -> u32 {
        self.controller().ack()
    }

    /// See [`InterruptController::eoi`].
    pub fn eoi(&self, intid: u32) {
        self.controller().eoi(intid)
    }

    /// See [`InterruptController::send_sgi`].
    pub fn send_sgi(&self, cpu: usize, mpidr: u64, intid: u32) {
        self.controller().send_sgi(cpu, mpidr, intid)
    }
}
