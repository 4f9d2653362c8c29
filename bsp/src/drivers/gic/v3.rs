//! GICv3 (IHI 0069): SPIs are routed by affinity, each core has a redistributor (for its SGIs
//! and PPIs) found by affinity among contiguous frames, and the CPU interface is a set of
//! system registers (`ICC_*_EL1`, reached with `mrs`/`msr` by their encodings).

use super::{DistributorRegisters, InterruptController, GICD_CTLR, MAX_CPUS, PRIORITY};
use tock_registers::interfaces::{ReadWriteable, Readable, Writeable};
use tock_registers::registers::{ReadOnly, ReadWrite};
use tock_registers::{register_bitfields, register_structs, LocalRegisterCopy};

register_bitfields! [u32,
    /// Redistributor power management (IHI 0069 12.11.42).
    pub GICR_WAKER [
        /// The core's redistributor is still asleep (reads 1 until woken).
        ChildrenAsleep OFFSET(2) NUMBITS(1) [],
        /// Mark the core asleep; cleared to wake its redistributor.
        ProcessorSleep OFFSET(1) NUMBITS(1) []
    ]
];

register_bitfields! [u64,
    /// Redistributor type (IHI 0069 12.11.36).
    pub GICR_TYPER [
        /// The affinity (Aff3.Aff2.Aff1.Aff0) of the core this redistributor serves.
        AffinityValue OFFSET(32) NUMBITS(32) [],
        /// The last redistributor frame of the region.
        Last OFFSET(4) NUMBITS(1) []
    ],
    /// System register enable (IHI 0069 12.2.22).
    pub ICC_SRE_EL1 [
        /// Use the system-register interface.
        SRE OFFSET(0) NUMBITS(1) []
    ],
    /// Interrupt acknowledge, group 1 (IHI 0069 12.2.11).
    pub ICC_IAR1_EL1 [
        /// The acknowledged interrupt's INTID ([`super::SPURIOUS`] if none is pending).
        INTID OFFSET(0) NUMBITS(24) []
    ],
    /// Software generated interrupt, group 1 (IHI 0069 12.2.21).
    pub ICC_SGI1R_EL1 [
        /// Affinity level 3 of the target cores.
        Aff3 OFFSET(48) NUMBITS(8) [],
        /// Affinity level 2 of the target cores.
        Aff2 OFFSET(32) NUMBITS(8) [],
        /// The SGI's INTID.
        INTID OFFSET(24) NUMBITS(4) [],
        /// Affinity level 1 of the target cores.
        Aff1 OFFSET(16) NUMBITS(8) [],
        /// A bit per Aff0 value (0..15) among the cores with these Aff3.Aff2.Aff1.
        TargetList OFFSET(0) NUMBITS(16) []
    ],
    /// Interrupt controller control (IHI 0069 12.2.7).
    pub ICC_CTLR_EL1 [
        /// 0: an EOI also deactivates the interrupt.
        EOImode OFFSET(1) NUMBITS(1) []
    ],
    /// Group 1 interrupt enable (IHI 0069 12.2.15).
    pub ICC_IGRPEN1_EL1 [
        /// Enable group 1 interrupts at this core's CPU interface.
        Enable OFFSET(0) NUMBITS(1) []
    ]
];

register_structs! {
    /// GICv3 redistributor, RD_base frame (IHI 0069 12.10).
    #[allow(non_snake_case)]
    pub RedistributorRegisters {
        (0x0000 => CTLR: ReadWrite<u32>),
        (0x0004 => IIDR: ReadOnly<u32>),
        (0x0008 => TYPER: ReadOnly<u64, GICR_TYPER::Register>),
        (0x0010 => _reserved0),
        (0x0014 => WAKER: ReadWrite<u32, GICR_WAKER::Register>),
        (0x0018 => @END),
    }
}

register_structs! {
    /// GICv3 redistributor, SGI_base frame (RD_base + 64 KiB): the banked SGI/PPI bitmaps.
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

/// Bytes between two cores' redistributors (RD_base and SGI_base, 64 KiB each).
const REDISTRIBUTOR_STRIDE: u64 = 0x20000;
/// Offset of SGI_base from RD_base.
const SGI_FRAME: u64 = 0x10000;

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

/// A GICv3: the distributor and the redistributor region.
pub struct GicV3 {
    gicd: u64,
    gicr: u64,
    lines: u32,
    /// The address of each core's redistributor frame, found by affinity in `init_cpu` (0 until
    /// then).
    redistributors: spin::Mutex<[u64; MAX_CPUS]>,
}

impl GicV3 {
    /// # Safety
    /// `gicd` and `gicr` must be the virtual addresses of the distributor and of the first
    /// redistributor frame, with every frame up to the one marked last, mapped device memory
    /// for the kernel's lifetime.
    pub unsafe fn new(gicd: u64, gicr: u64) -> Self {
        GicV3 {
            gicd,
            gicr,
            lines: 0,
            redistributors: spin::Mutex::new([0; MAX_CPUS]),
        }
    }

    fn dist(&self) -> &DistributorRegisters {
        // SAFETY: `new`'s contract.
        unsafe { &*(self.gicd as *const DistributorRegisters) }
    }

    /// The SGI frame of `cpu`'s redistributor, once `init_cpu` found it.
    fn sgi_frame(&self, cpu: usize) -> Option<&RedistributorSgiRegisters> {
        let frame = self.redistributors.lock().get(cpu).copied().unwrap_or(0);
        // SAFETY: `frame` is a redistributor found in `init_cpu` (`new`'s contract), and
        // SGI_base follows RD_base by 64 KiB.
        (frame != 0).then(|| unsafe { &*((frame + SGI_FRAME) as *const RedistributorSgiRegisters) })
    }

    /// The redistributor frame whose affinity is `aff`: frames are contiguous from GICR base
    /// until one has TYPER.Last (at most 64 looked at).
    fn find_redistributor(&self, aff: u64) -> Option<u64> {
        let mut frame = self.gicr;
        for _ in 0..64 {
            // SAFETY: frames are contiguous from GICR base until TYPER.Last (`new`'s contract).
            let rd = unsafe { &*(frame as *const RedistributorRegisters) };
            let typer = rd.TYPER.extract();
            if typer.read(GICR_TYPER::AffinityValue) == aff {
                return Some(frame);
            }
            if typer.is_set(GICR_TYPER::Last) {
                return None;
            }
            frame += REDISTRIBUTOR_STRIDE;
        }
        None
    }
}

impl InterruptController for GicV3 {
    fn version(&self) -> u32 {
        3
    }

    fn init_distributor(&mut self) {
        let d = self.dist();
        let lines = d.reset_spis();
        // ARE_NS | EnableGrp1NS (| EnableGrp0 harmless with DS=1).
        d.CTLR
            .write(GICD_CTLR::ARE::SET + GICD_CTLR::EnableGrp1::SET + GICD_CTLR::EnableGrp0::SET);
        self.lines = lines;
    }

    fn init_cpu(&self, cpu: usize, mpidr: u64) {
        // MPIDR's Aff3 (bits 39:32) goes to bits 31:24, as in GICR_TYPER.
        let aff = (mpidr & 0xff_ffff) | ((mpidr >> 8) & 0xff00_0000);
        let Some(frame) = self.find_redistributor(aff) else {
            return;
        };
        if let Some(slot) = self.redistributors.lock().get_mut(cpu) {
            *slot = frame;
        }
        // SAFETY: `frame` is this core's redistributor (affinity matched).
        let rd = unsafe { &*(frame as *const RedistributorRegisters) };
        rd.WAKER.modify(GICR_WAKER::ProcessorSleep::CLEAR);
        while rd.WAKER.is_set(GICR_WAKER::ChildrenAsleep) {
            core::hint::spin_loop();
        }
        // SAFETY: SGI_base follows RD_base by 64 KiB.
        let sgi = unsafe { &*((frame + SGI_FRAME) as *const RedistributorSgiRegisters) };
        sgi.IGROUPR0.set(!0);
        for i in 0..8 {
            sgi.IPRIORITYR[i].set(PRIORITY * 0x0101_0101);
        }
        sgi.ICFGR1.set(0);
        sgi.ISENABLER0.set(0xffff);
        let mut sre =
            LocalRegisterCopy::<u64, ICC_SRE_EL1::Register>::new(sysreg_read!("S3_0_C12_C12_5"));
        sre.modify(ICC_SRE_EL1::SRE::SET);
        sysreg_write!("S3_0_C12_C12_5", sre.get()); // ICC_SRE_EL1
        aarch64_cpu::asm::barrier::isb(aarch64_cpu::asm::barrier::SY);
        sysreg_write!("S3_0_C4_C6_0", 0xffu64); // ICC_PMR_EL1: every priority
        sysreg_write!("S3_0_C12_C12_3", 0u64); // ICC_BPR1_EL1
        sysreg_write!("S3_0_C12_C12_4", ICC_CTLR_EL1::EOImode::CLEAR.value); // ICC_CTLR_EL1
        sysreg_write!("S3_0_C12_C12_7", ICC_IGRPEN1_EL1::Enable::SET.value); // ICC_IGRPEN1_EL1
        aarch64_cpu::asm::barrier::isb(aarch64_cpu::asm::barrier::SY);
    }

    fn enable(&self, cpu: usize, intid: u32) {
        if intid < 32 {
            if let Some(sgi) = self.sgi_frame(cpu) {
                sgi.ISENABLER0.set(1 << intid);
            }
        } else if intid < self.lines {
            self.dist().IROUTER[intid as usize - 32].set(0); // affinity 0.0.0.0
            self.dist().set_enable(intid);
        }
    }

    fn disable(&self, cpu: usize, intid: u32) {
        if intid < 32 {
            if let Some(sgi) = self.sgi_frame(cpu) {
                sgi.ICENABLER0.set(1 << intid);
            }
        } else {
            self.dist().clear_enable(intid);
        }
    }

    fn ack(&self) -> u32 {
        let iar = LocalRegisterCopy::<u64, ICC_IAR1_EL1::Register>::new(sysreg_read!(
            "S3_0_C12_C12_0" // ICC_IAR1_EL1
        ));
        iar.read(ICC_IAR1_EL1::INTID) as u32
    }

    fn eoi(&self, intid: u32) {
        sysreg_write!("S3_0_C12_C12_1", intid); // ICC_EOIR1_EL1
    }

    fn send_sgi(&self, _cpu: usize, mpidr: u64, intid: u32) {
        let aff0 = mpidr & 0xf;
        let aff1 = (mpidr >> 8) & 0xff;
        let aff2 = (mpidr >> 16) & 0xff;
        let aff3 = (mpidr >> 32) & 0xff;
        let v = ICC_SGI1R_EL1::Aff3.val(aff3)
            + ICC_SGI1R_EL1::Aff2.val(aff2)
            + ICC_SGI1R_EL1::INTID.val(u64::from(intid & 0xf))
            + ICC_SGI1R_EL1::Aff1.val(aff1)
            + ICC_SGI1R_EL1::TargetList.val(1 << aff0);
        aarch64_cpu::asm::barrier::dsb(aarch64_cpu::asm::barrier::ISHST);
        sysreg_write!("S3_0_C12_C11_5", v.value); // ICC_SGI1R_EL1
        aarch64_cpu::asm::barrier::isb(aarch64_cpu::asm::barrier::SY);
    }
}
