//! Generic Interrupt Controller: GICv2 (the Pi 4's GIC-400, `virt`'s default) and GICv3
//! (`virt,gic-version=3`), chosen at run time from the devicetree (ARM IHI 0048B "GICv2
//! architecture specification", ARM IHI 0069 "GICv3 and GICv4").
//!
//! All interrupts are configured level-sensitive, group 1 (non-secure), priority 0xa0, and
//! routed to the boot core unless changed. SGIs (INTID 0..15) wake and poke other cores.

use tock_registers::interfaces::{Readable, Writeable};
use tock_registers::register_structs;
use tock_registers::registers::{ReadOnly, ReadWrite, WriteOnly};

register_structs! {
    /// GICv2/v3 distributor (IHI 0048B 4.1.2, IHI 0069 12.9).
    #[allow(non_snake_case)]
    pub DistributorRegisters {
        (0x000 => CTLR: ReadWrite<u32>),
        (0x004 => TYPER: ReadOnly<u32>),
        (0x008 => _reserved0),
        (0x080 => IGROUPR: [ReadWrite<u32>; 32]),
        (0x100 => ISENABLER: [ReadWrite<u32>; 32]),
        (0x180 => ICENABLER: [ReadWrite<u32>; 32]),
        (0x200 => _reserved1),
        (0x400 => IPRIORITYR: [ReadWrite<u32>; 255]),
        (0x7fc => _reserved2),
        (0x800 => ITARGETSR: [ReadWrite<u32>; 255]),
        (0xbfc => _reserved3),
        (0xc00 => ICFGR: [ReadWrite<u32>; 64]),
        (0xd00 => _reserved4),
        (0xf00 => SGIR: WriteOnly<u32>),
        (0xf04 => _reserved5),
        (0x6000 => IROUTER: [ReadWrite<u64>; 988]),
        (0x7ee0 => @END),
    }
}

register_structs! {
    /// GICv2 CPU interface (IHI 0048B 4.1.3).
    #[allow(non_snake_case)]
    pub CpuInterfaceRegisters {
        (0x00 => CTLR: ReadWrite<u32>),
        (0x04 => PMR: ReadWrite<u32>),
        (0x08 => BPR: ReadWrite<u32>),
        (0x0c => IAR: ReadOnly<u32>),
        (0x10 => EOIR: WriteOnly<u32>),
        (0x14 => @END),
    }
}

register_structs! {
    /// GICv3 redistributor, RD_base frame (IHI 0069 12.10).
    #[allow(non_snake_case)]
    pub RedistributorRegisters {
        (0x0000 => CTLR: ReadWrite<u32>),
        (0x0004 => IIDR: ReadOnly<u32>),
        (0x0008 => TYPER: ReadOnly<u64>),
        (0x0010 => _reserved0),
        (0x0014 => WAKER: ReadWrite<u32>),
        (0x0018 => @END),
    }
}

register_structs! {
    /// GICv3 redistributor, SGI_base frame (RD_base + 64 KiB).
    #[allow(non_snake_case)]
    pub RedistributorSgiRegisters {
        (0x000 => _reserved0),
        (0x080 => IGROUPR0: ReadWrite<u32>),
        (0x084 => _reserved1),
        (0x100 => ISENABLER0: ReadWrite<u32>),
        (0x104 => _reserved2),
        (0x180 => ICENABLER0: ReadWrite<u32>),
        (0x184 => _reserved3),
        (0x400 => IPRIORITYR: [ReadWrite<u32>; 8]),
        (0x420 => _reserved4),
        (0xc00 => ICFGR0: ReadWrite<u32>),
        (0xc04 => ICFGR1: ReadWrite<u32>),
        (0xc08 => @END),
    }
}

/// INTID returned by an acknowledge when nothing is pending.
pub const SPURIOUS: u32 = 1023;
const PRIORITY: u32 = 0xa0;
const MAX_CPUS: usize = crate::cpu::boot::MAX_CPUS;

/// Which architecture and where it lives (virtual addresses of the mapped frames).
#[derive(Clone, Copy, Debug)]
pub enum GicConfig {
    V2 { gicd: u64, gicc: u64 },
    V3 { gicd: u64, gicr: u64 },
}

/// The interrupt controller shared by every core.
pub struct Gic {
    config: GicConfig,
    lines: u32,
    /// GICv2: each core's CPU-interface mask (from its banked ITARGETSR0); GICv3: the address
    /// of each core's redistributor frame, found by affinity.
    per_cpu: spin::Mutex<[u64; MAX_CPUS]>,
}

// SAFETY: register blocks are MMIO reached through the addresses in `config`; concurrent
// accesses are to per-core banked registers or are single-word read-modify-writes of distinct
// interrupts' bits through the set/clear-enable registers, which the GIC makes atomic.
unsafe impl Send for Gic {}
// SAFETY: as for `Send` above.
unsafe impl Sync for Gic {}

macro_rules! sysreg_write {
    ($reg:literal, $val:expr) => {
        // SAFETY: writes a GICv3 CPU-interface register at EL1; the boot code enabled
        // ICC_SRE_EL2.Enable, so the access does not trap.
        unsafe { core::arch::asm!(concat!("msr ", $reg, ", {0}"), in(reg) $val as u64, options(nostack)) }
    };
}
macro_rules! sysreg_read {
    ($reg:literal) => {{
        let v: u64;
        // SAFETY: as for `sysreg_write`.
        unsafe { core::arch::asm!(concat!("mrs {0}, ", $reg), out(reg) v, options(nostack)) };
        v
    }};
}

impl Gic {
    /// # Safety
    /// The frames in `config` must be mapped device memory for the kernel's lifetime.
    pub unsafe fn new(config: GicConfig) -> Self {
        Gic {
            config,
            lines: 0,
            per_cpu: spin::Mutex::new([0; MAX_CPUS]),
        }
    }

    pub fn version(&self) -> u32 {
        match self.config {
            GicConfig::V2 { .. } => 2,
            GicConfig::V3 { .. } => 3,
        }
    }

    fn dist(&self) -> &DistributorRegisters {
        let base = match self.config {
            GicConfig::V2 { gicd, .. } | GicConfig::V3 { gicd, .. } => gicd,
        };
        // SAFETY: `new`'s contract.
        unsafe { &*(base as *const DistributorRegisters) }
    }

    fn cpuif(&self) -> Option<&CpuInterfaceRegisters> {
        match self.config {
            // SAFETY: `new`'s contract.
            GicConfig::V2 { gicc, .. } => Some(unsafe { &*(gicc as *const CpuInterfaceRegisters) }),
            GicConfig::V3 { .. } => None,
        }
    }

    /// Distributor set-up, once, on the boot core.
    pub fn init_distributor(&mut self) {
        let d = self.dist();
        d.CTLR.set(0);
        let lines = ((d.TYPER.get() & 0x1f) + 1) * 32;
        let lines = lines.min(1020);
        for i in 1..(lines / 32) as usize {
            d.ICENABLER[i].set(!0);
            d.IGROUPR[i].set(!0); // group 1 (non-secure)
        }
        for i in 8..(lines / 4) as usize {
            d.IPRIORITYR[i].set(PRIORITY * 0x0101_0101);
        }
        for i in 2..(lines / 16) as usize {
            d.ICFGR[i].set(0); // level-sensitive
        }
        match self.config {
            GicConfig::V2 { .. } => {
                for i in 8..(lines / 4) as usize {
                    d.ITARGETSR[i].set(0x0101_0101); // boot core's interface
                }
                d.CTLR.set(0b11); // EnableGrp0 | EnableGrp1 (NS view: bit 0 is EnableGrp1)
            }
            GicConfig::V3 { .. } => {
                // ARE_NS | EnableGrp1NS (| EnableGrp0 harmless with DS=1).
                d.CTLR.set((1 << 4) | (1 << 1) | 1);
            }
        }
        self.lines = lines;
    }

    /// Per-core set-up: CPU interface (v2) or redistributor + system registers (v3).
    pub fn init_cpu(&self, cpu: usize, mpidr: u64) {
        match self.config {
            GicConfig::V2 { .. } => {
                let d = self.dist();
                d.IGROUPR[0].set(!0);
                for i in 0..8 {
                    d.IPRIORITYR[i].set(PRIORITY * 0x0101_0101);
                }
                d.ISENABLER[0].set(0xffff); // SGIs
                let mask = u64::from(d.ITARGETSR[0].get() & 0xff);
                if let Some(slot) = self.per_cpu.lock().get_mut(cpu) {
                    *slot = mask;
                }
                let c = self.cpuif().expect("v2 has a CPU interface");
                c.PMR.set(0xff);
                c.BPR.set(0);
                // EnableGrp0 | EnableGrp1 | AckCtl (IAR acknowledges group 1 too when there is no
                // security split, as on QEMU virt; in the non-secure view of the Pi these are
                // EnableGrp1 and reserved bits).
                c.CTLR.set(0b111);
            }
            GicConfig::V3 { gicr, .. } => {
                let aff = (mpidr & 0xff_ffff) | ((mpidr >> 8) & 0xff00_0000);
                let mut frame = gicr;
                let mut found = None;
                for _ in 0..64 {
                    // SAFETY: frames are contiguous from GICR base until TYPER.Last.
                    let rd = unsafe { &*(frame as *const RedistributorRegisters) };
                    let typer = rd.TYPER.get();
                    if (typer >> 32) == aff {
                        found = Some(frame);
                        break;
                    }
                    if typer & (1 << 4) != 0 {
                        break;
                    }
                    frame += 0x20000;
                }
                let Some(frame) = found else { return };
                if let Some(slot) = self.per_cpu.lock().get_mut(cpu) {
                    *slot = frame;
                }
                // SAFETY: `frame` is this core's redistributor (affinity matched).
                let rd = unsafe { &*(frame as *const RedistributorRegisters) };
                rd.WAKER.set(rd.WAKER.get() & !(1 << 1)); // ProcessorSleep = 0
                while rd.WAKER.get() & (1 << 2) != 0 {
                    core::hint::spin_loop(); // ChildrenAsleep
                }
                // SAFETY: SGI_base follows RD_base by 64 KiB.
                let sgi = unsafe { &*((frame + 0x10000) as *const RedistributorSgiRegisters) };
                sgi.IGROUPR0.set(!0);
                for i in 0..8 {
                    sgi.IPRIORITYR[i].set(PRIORITY * 0x0101_0101);
                }
                sgi.ICFGR1.set(0);
                sgi.ISENABLER0.set(0xffff);
                let sre = sysreg_read!("S3_0_C12_C12_5");
                sysreg_write!("S3_0_C12_C12_5", sre | 1); // ICC_SRE_EL1.SRE
                aarch64_cpu::asm::barrier::isb(aarch64_cpu::asm::barrier::SY);
                sysreg_write!("S3_0_C4_C6_0", 0xffu64); // ICC_PMR_EL1
                sysreg_write!("S3_0_C12_C12_3", 0u64); // ICC_BPR1_EL1
                sysreg_write!("S3_0_C12_C12_4", 0u64); // ICC_CTLR_EL1: EOImode 0
                sysreg_write!("S3_0_C12_C12_7", 1u64); // ICC_IGRPEN1_EL1
                aarch64_cpu::asm::barrier::isb(aarch64_cpu::asm::barrier::SY);
            }
        }
    }

    /// Enables `intid` (a PPI on the calling core, or an SPI routed to the boot core).
    pub fn enable(&self, cpu: usize, intid: u32) {
        let (reg, bit) = ((intid / 32) as usize, 1u32 << (intid % 32));
        match self.config {
            GicConfig::V2 { .. } => {
                if reg < 32 {
                    self.dist().ISENABLER[reg].set(bit);
                }
            }
            GicConfig::V3 { .. } => {
                if intid < 32 {
                    let frame = self.per_cpu.lock().get(cpu).copied().unwrap_or(0);
                    if frame != 0 {
                        // SAFETY: this core's redistributor SGI frame.
                        let sgi =
                            unsafe { &*((frame + 0x10000) as *const RedistributorSgiRegisters) };
                        sgi.ISENABLER0.set(bit);
                    }
                } else if intid < self.lines {
                    self.dist().IROUTER[intid as usize - 32].set(0); // affinity 0.0.0.0
                    self.dist().ISENABLER[reg].set(bit);
                }
            }
        }
    }

    /// Disables `intid`.
    pub fn disable(&self, cpu: usize, intid: u32) {
        let (reg, bit) = ((intid / 32) as usize, 1u32 << (intid % 32));
        match self.config {
            GicConfig::V3 { .. } if intid < 32 => {
                let frame = self.per_cpu.lock().get(cpu).copied().unwrap_or(0);
                if frame != 0 {
                    // SAFETY: this core's redistributor SGI frame.
                    let sgi = unsafe { &*((frame + 0x10000) as *const RedistributorSgiRegisters) };
                    sgi.ICENABLER0.set(bit);
                }
            }
            _ => {
                if reg < 32 {
                    self.dist().ICENABLER[reg].set(bit);
                }
            }
        }
    }

    /// Acknowledges the highest-priority pending interrupt; [`SPURIOUS`] if none.
    pub fn ack(&self) -> u32 {
        match self.cpuif() {
            Some(c) => c.IAR.get() & 0x3ff,
            None => (sysreg_read!("S3_0_C12_C12_0") & 0xff_ffff) as u32, // ICC_IAR1_EL1
        }
    }

    /// Signals end of interrupt for a value returned by [`ack`](Self::ack).
    pub fn eoi(&self, intid: u32) {
        match self.cpuif() {
            Some(c) => c.EOIR.set(intid),
            None => sysreg_write!("S3_0_C12_C12_1", intid), // ICC_EOIR1_EL1
        }
    }

    /// Sends SGI `intid` (0..15) to core `cpu` (whose MPIDR is `mpidr`).
    pub fn send_sgi(&self, cpu: usize, mpidr: u64, intid: u32) {
        match self.config {
            GicConfig::V2 { .. } => {
                let mask = self.per_cpu.lock().get(cpu).copied().unwrap_or(0) as u32;
                let mask = if mask == 0 { 1 << cpu } else { mask };
                // Ensure prior memory writes are visible to the target before it wakes.
                aarch64_cpu::asm::barrier::dsb(aarch64_cpu::asm::barrier::ISHST);
                self.dist().SGIR.set((mask << 16) | (intid & 0xf));
            }
            GicConfig::V3 { .. } => {
                let aff0 = mpidr & 0xf;
                let aff1 = (mpidr >> 8) & 0xff;
                let aff2 = (mpidr >> 16) & 0xff;
                let aff3 = (mpidr >> 32) & 0xff;
                let v = (aff3 << 48)
                    | (aff2 << 32)
                    | (u64::from(intid & 0xf) << 24)
                    | (aff1 << 16)
                    | (1 << aff0);
                aarch64_cpu::asm::barrier::dsb(aarch64_cpu::asm::barrier::ISHST);
                sysreg_write!("S3_0_C12_C11_5", v); // ICC_SGI1R_EL1
                aarch64_cpu::asm::barrier::isb(aarch64_cpu::asm::barrier::SY);
            }
        }
    }
}
