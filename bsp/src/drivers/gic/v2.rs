//! GICv2 (IHI 0048B): the distributor routes each SPI to CPU interfaces by a target mask, and
//! each core talks to its own memory-mapped CPU interface.

use super::{DistributorRegisters, InterruptController, GICD_CTLR, GICD_SGIR, MAX_CPUS, PRIORITY};
use tock_registers::interfaces::{Readable, Writeable};
use tock_registers::registers::{ReadOnly, ReadWrite, WriteOnly};
use tock_registers::{register_bitfields, register_structs};

register_bitfields! [u32,
    /// CPU interface control (IHI 0048B 4.4.1).
    pub GICC_CTLR [
        /// Enable group 0 signalling (in the non-secure view of the Pi's GIC-400: group 1).
        EnableGrp0 OFFSET(0) NUMBITS(1) [],
        /// Enable group 1 signalling (reserved in the Pi's non-secure view).
        EnableGrp1 OFFSET(1) NUMBITS(1) [],
        /// IAR acknowledges group 1 interrupts too when there is no security split, as on
        /// QEMU `virt` (reserved in the Pi's non-secure view).
        AckCtl OFFSET(2) NUMBITS(1) []
    ],
    /// Interrupt acknowledge (IHI 0048B 4.4.4).
    pub GICC_IAR [
        /// The interrupt's INTID ([`super::SPURIOUS`] if none is pending).
        InterruptID OFFSET(0) NUMBITS(10) [],
        /// For an SGI: the core that sent it.
        CPUID OFFSET(10) NUMBITS(3) []
    ]
];

register_structs! {
    /// GICv2 CPU interface (IHI 0048B 4.1.3).
    #[allow(non_snake_case)]
    pub CpuInterfaceRegisters {
        (0x00 => CTLR: ReadWrite<u32, GICC_CTLR::Register>),
        (0x04 => PMR: ReadWrite<u32>),
        (0x08 => BPR: ReadWrite<u32>),
        (0x0c => IAR: ReadOnly<u32, GICC_IAR::Register>),
        (0x10 => EOIR: WriteOnly<u32>),
        (0x14 => @END),
    }
}

/// A GICv2: distributor and CPU interface frames.
pub struct GicV2 {
    gicd: u64,
    gicc: u64,
    /// Each core's CPU-interface mask (from its banked ITARGETSR0), once it has run `init_cpu`.
    targets: spin::Mutex<[u32; MAX_CPUS]>,
}

impl GicV2 {
    /// # Safety
    /// `gicd` and `gicc` must be the virtual addresses of the distributor and CPU interface
    /// frames, mapped device memory for the kernel's lifetime.
    pub unsafe fn new(gicd: u64, gicc: u64) -> Self {
        GicV2 {
            gicd,
            gicc,
            targets: spin::Mutex::new([0; MAX_CPUS]),
        }
    }

    fn dist(&self) -> &DistributorRegisters {
        // SAFETY: `new`'s contract.
        unsafe { &*(self.gicd as *const DistributorRegisters) }
    }

    fn cpuif(&self) -> &CpuInterfaceRegisters {
        // SAFETY: `new`'s contract.
        unsafe { &*(self.gicc as *const CpuInterfaceRegisters) }
    }
}

impl InterruptController for GicV2 {
    fn version(&self) -> u32 {
        2
    }

    fn init_distributor(&mut self) {
        let d = self.dist();
        let lines = d.reset_spis();
        for i in 8..(lines / 4) as usize {
            d.ITARGETSR[i].set(0x0101_0101); // boot core's interface
        }
        // EnableGrp0 | EnableGrp1 (NS view: bit 0 is EnableGrp1).
        d.CTLR
            .write(GICD_CTLR::EnableGrp0::SET + GICD_CTLR::EnableGrp1::SET);
    }

    fn init_cpu(&self, cpu: usize, _mpidr: u64) {
        let d = self.dist();
        d.IGROUPR[0].set(!0);
        for i in 0..8 {
            d.IPRIORITYR[i].set(PRIORITY * 0x0101_0101);
        }
        d.ISENABLER[0].set(0xffff); // SGIs
        let mask = d.ITARGETSR[0].get() & 0xff;
        if let Some(slot) = self.targets.lock().get_mut(cpu) {
            *slot = mask;
        }
        let c = self.cpuif();
        c.PMR.set(0xff);
        c.BPR.set(0);
        c.CTLR.write(
            GICC_CTLR::EnableGrp0::SET + GICC_CTLR::EnableGrp1::SET + GICC_CTLR::AckCtl::SET,
        );
    }

    fn enable(&self, _cpu: usize, intid: u32) {
        self.dist().set_enable(intid);
    }

    fn disable(&self, _cpu: usize, intid: u32) {
        self.dist().clear_enable(intid);
    }

    fn ack(&self) -> u32 {
        self.cpuif().IAR.read(GICC_IAR::InterruptID)
    }

    fn eoi(&self, intid: u32) {
        self.cpuif().EOIR.set(intid);
    }

    fn send_sgi(&self, cpu: usize, _mpidr: u64, intid: u32) {
        let mask = self.targets.lock().get(cpu).copied().unwrap_or(0);
        let mask = if mask == 0 { 1 << cpu } else { mask };
        // Ensure prior memory writes are visible to the target before it wakes.
        aarch64_cpu::asm::barrier::dsb(aarch64_cpu::asm::barrier::ISHST);
        self.dist()
            .SGIR
            .write(GICD_SGIR::CPUTargetList.val(mask) + GICD_SGIR::SGIINTID.val(intid & 0xf));
    }
}
