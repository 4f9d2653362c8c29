//! Boot entry: the arm64 Image header, EL3/EL2 -> EL1, BSS, early page tables, MMU on, jump to
//! the upper half, and the same path for secondary cores (ARM ARM D1 "exception levels", D8
//! "VMSAv8-64 translation").
//!
//! Everything here runs with the MMU off at the physical load address, so it is position
//! independent (only `adr`/`adrp` and literal pools of link-time constants used *after* the MMU
//! is on). The early tables map:
//! - TTBR0: the 1 GiB containing the image, identity, so the PC survives `SCTLR_EL1.M = 1`;
//! - TTBR1: the kernel image's 2 MiB block at `KIMAGE_VA_BASE` (RWX for now; the kernel replaces
//!   these tables with W^X ones as soon as Rust runs) and the first 4 GiB of physical memory at
//!   `LINEAR_BASE` (Normal for the image's GiB and the next, Device elsewhere), enough to read
//!   the devicetree and reach the UART before the real tables exist.

/// Virtual base of the linear map of physical memory: `va = pa + LINEAR_BASE`.
pub const LINEAR_BASE: u64 = 0xFFFF_0000_0000_0000;
/// Virtual base of the 2 MiB block that holds the kernel image (see `linker/kernel.ld`).
pub const KIMAGE_VA_BASE: u64 = 0xFFFF_FF80_0000_0000;
/// Most cores the kernel brings up.
pub const MAX_CPUS: usize = 8;

/// What secondary cores read, with the MMU off, to join: written and cleaned to the point of
/// coherency by the boot core before it releases them.
#[repr(C)]
pub struct SecondaryBoot {
    /// TTBR1_EL1 value: the kernel's final tables.
    pub ttbr1: u64,
    /// Initial kernel stack top (virtual) per CPU index (MPIDR Aff0).
    pub stack_top: [u64; MAX_CPUS],
}

/// Filled by the boot core before it starts secondaries.
#[no_mangle]
pub static mut SECONDARY_BOOT: SecondaryBoot = SecondaryBoot {
    ttbr1: 0,
    stack_top: [0; MAX_CPUS],
};

#[cfg(target_os = "none")]
core::arch::global_asm!(
    r#"
.section .text.boot, "ax"
.global _start
_start:
    // arm64 Linux Image header (Documentation/arch/arm64/booting.rst).
    b       primary_entry           // code0
    .long   0                       // code1
    .quad   0x80000                 // text_offset
    .quad   __image_size            // image_size: must be non-zero
    .quad   0xa                     // flags: little endian, 4 KiB pages, anywhere
    .quad   0, 0, 0                 // res2..res4
    .ascii  "ARM\x64"               // magic
    .long   0                       // res5

primary_entry:
    mov     x19, x0                 // devicetree physical address
    mov     x22, #0                 // 0 = boot core
    b       common_entry

.global secondary_entry
secondary_entry:
    mov     x19, #0
    mov     x22, #1                 // 1 = secondary core

common_entry:
    msr     daifset, #0xf
    adr     x20, _start             // physical address of the image
    mrs     x21, CurrentEL
    lsr     x21, x21, #2            // entry exception level, reported in the banner
    cmp     x21, #3
    b.eq    from_el3
    cmp     x21, #2
    b.eq    from_el2
    cmp     x21, #1
    b.eq    at_el1
    // EL0 cannot happen: the bootloader never enters an image at EL0. Spin visibly in a
    // loop a debugger can find by name.
entry_el_unsupported:
    wfe
    b       entry_el_unsupported

from_el3:
    // Drop to EL2 first, so one path sets EL2 up. SCR_EL3: RW (EL2 is AArch64), HCE, NS, RES1 4,5.
    mov     x0, #0x531
    msr     scr_el3, x0
    msr     cptr_el3, xzr           // no FP/SIMD traps to EL3
    mrs     x0, id_aa64pfr0_el1
    ubfx    x0, x0, #24, #4         // GIC system-register interface implemented?
    cbz     x0, 1f
    mov     x0, #0xf                // ICC_SRE_EL3: SRE, DFB, DIF, Enable
    msr     S3_6_C12_C12_5, x0
    isb
1:  mov     x0, #0x3c9              // EL2h, DAIF masked
    msr     spsr_el3, x0
    adr     x0, from_el2
    msr     elr_el3, x0
    eret

from_el2:
    mov     x0, #(1 << 31)          // HCR_EL2.RW: EL1 is AArch64; nothing else trapped
    msr     hcr_el2, x0
    mrs     x0, cnthctl_el2
    orr     x0, x0, #3              // EL1PCTEN, EL1PCEN: EL1 may use the physical timer
    msr     cnthctl_el2, x0
    msr     cntvoff_el2, xzr
    mov     x0, #0x33ff             // CPTR_EL2: RES1 bits, TFP = 0 (no FP traps)
    msr     cptr_el2, x0
    msr     hstr_el2, xzr
    msr     vttbr_el2, xzr
    mrs     x0, id_aa64pfr0_el1
    ubfx    x0, x0, #24, #4
    cbz     x0, 1f
    mrs     x0, S3_4_C12_C9_5       // ICC_SRE_EL2
    orr     x0, x0, #0xf            // SRE, DFB, DIF, Enable (EL1 may use ICC_SRE_EL1)
    msr     S3_4_C12_C9_5, x0
    isb
1:  ldr     x0, =0x30d00800         // SCTLR_EL1 RES1 bits, MMU off
    msr     sctlr_el1, x0
    mov     x0, #0x3c5              // EL1h, DAIF masked
    msr     spsr_el2, x0
    adr     x0, at_el1
    msr     elr_el2, x0
    eret

at_el1:
    // CPACR_EL1.FPEN = 0b00: FP/SIMD traps at EL0 and EL1 (sysreg::CPACR_FP_TRAPPED). A
    // thread's first FP use after a switch-in traps and loads its state (lazy FP switching);
    // the soft-float kernel never uses FP, so a trap from EL1 is a kernel bug, reported.
    msr     cpacr_el1, xzr
    isb
    cbnz    x22, enable_mmu         // secondaries: tables already exist

    // Clear BSS (physical addresses; the MMU is off, plain stores only: no atomics here).
    adrp    x0, __bss_start
    add     x0, x0, :lo12:__bss_start
    adrp    x1, __bss_end
    add     x1, x1, :lo12:__bss_end
2:  cmp     x0, x1
    b.hs    3f
    stp     xzr, xzr, [x0], #16
    b       2b
3:
    // Early tables. x20 = image PA; x10 = GiB index of the image; x11 = 2 MiB block of the image.
    lsr     x10, x20, #30
    and     x11, x20, #~0x1fffff
    ldr     x12, =0x705             // L1/L2 block, Normal (AttrIndx 1), inner shareable, AF
    ldr     x13, =0x60000000000401  // block, Device (AttrIndx 0), AF, PXN, UXN

    // TTBR0: identity map of the image's GiB.
    adrp    x0, early_id_l0
    adrp    x1, early_id_l1
    orr     x2, x1, #3
    str     x2, [x0]                // L0[0] -> L1
    lsl     x2, x10, #30
    orr     x2, x2, x12
    str     x2, [x1, x10, lsl #3]   // L1[GiB] = block

    // TTBR1: L0[511] -> L1_img[0] -> L2_img[0..4] = the image's 8 MiB from its 2 MiB block.
    adrp    x0, early_hi_l0
    adrp    x1, early_img_l1
    adrp    x2, early_img_l2
    orr     x3, x1, #3
    str     x3, [x0, #(511 * 8)]
    orr     x3, x2, #3
    str     x3, [x1]
    orr     x3, x11, x12
    mov     x4, #0
4:  str     x3, [x2, x4, lsl #3]
    add     x3, x3, #0x200000
    add     x4, x4, #1
    cmp     x4, #4
    b.lo    4b
    // TTBR1: L0[0] -> L1_lin: physical 0..4 GiB, Normal for the image's GiB and the next one.
    adrp    x1, early_lin_l1
    orr     x3, x1, #3
    str     x3, [x0]
    mov     x4, #0
5:  lsl     x3, x4, #30
    cmp     x4, x10
    b.eq    6f
    add     x5, x10, #1
    cmp     x4, x5
    b.eq    6f
    orr     x3, x3, x13
    b       7f
6:  orr     x3, x3, x12
7:  str     x3, [x1, x4, lsl #3]
    add     x4, x4, #1
    cmp     x4, #4
    b.lo    5b

enable_mmu:
    ldr     x0, =0x44ff04           // MAIR: 0 Device-nGnRE, 1 Normal WB, 2 Normal NC
    msr     mair_el1, x0
    // TCR_EL1: T0SZ=T1SZ=16, 4 KiB granules, WBWA inner/outer, inner shareable, 16-bit ASIDs.
    ldr     x0, =0x10B5103510
    mrs     x1, id_aa64mmfr0_el1
    and     x1, x1, #7
    cmp     x1, #5
    mov     x2, #5
    csel    x1, x1, x2, ls          // cap IPS at 48 bits (PARange 5): descriptors hold 48-bit addresses
    bfi     x0, x1, #32, #3
    msr     tcr_el1, x0
    adrp    x0, early_id_l0
    msr     ttbr0_el1, x0
    cbnz    x22, 8f
    adrp    x0, early_hi_l0
    b       9f
8:  adrp    x0, SECONDARY_BOOT
    add     x0, x0, :lo12:SECONDARY_BOOT
    ldr     x0, [x0]                // ttbr1 of the kernel's final tables
9:  msr     ttbr1_el1, x0
    dsb     ish
    tlbi    vmalle1
    dsb     ish
    isb
    // SCTLR_EL1: RES1 | M | C | SA | SA0 | I | DZE | UCT | nTWI | nTWE
    ldr     x0, =0x30d5d81d
    msr     sctlr_el1, x0
    isb
    ldr     x0, =upper_half
    br      x0

upper_half:
    cbnz    x22, secondary_upper
    ldr     x0, =__boot_stack_top
    mov     sp, x0
    mov     x0, x19                 // devicetree PA
    mov     x1, x20                 // image PA
    mov     x2, x21                 // entry EL
    bl      kernel_boot_main
10: wfe
    b       10b

secondary_upper:
    mrs     x0, mpidr_el1
    and     x0, x0, #0xff
    cmp     x0, #{max_cpus}
    b.hs    10b
    ldr     x1, =SECONDARY_BOOT
    add     x1, x1, #8
    ldr     x1, [x1, x0, lsl #3]
    cbz     x1, 10b
    mov     sp, x1
    mov     x1, x21
    bl      kernel_secondary_main
    b       10b

.ltorg

.section .bss.boot, "aw", %nobits
.balign 4096
early_id_l0:    .space 4096
early_id_l1:    .space 4096
early_hi_l0:    .space 4096
early_img_l1:   .space 4096
early_img_l2:   .space 4096
early_lin_l1:   .space 4096
.balign 16
__boot_stack_bottom:
    .space 65536
__boot_stack_top:
"#,
    max_cpus = const MAX_CPUS,
);

#[cfg(target_os = "none")]
extern "C" {
    fn secondary_entry();
    static __image_start: u8;
    static __text_end: u8;
    static __rodata_end: u8;
    static __image_end: u8;
}

/// Link-time layout of the kernel image, as virtual addresses.
#[derive(Clone, Copy, Debug)]
pub struct ImageLayout {
    /// First byte of the image (text).
    pub start: u64,
    /// End of text, start of read-only data.
    pub text_end: u64,
    /// End of read-only data, start of data and BSS.
    pub rodata_end: u64,
    /// End of the image.
    pub end: u64,
}

/// The image layout from the linker symbols.
#[cfg(target_os = "none")]
pub fn image_layout() -> ImageLayout {
    // Only the addresses of linker-defined symbols are taken; nothing is read.
    ImageLayout {
        start: &raw const __image_start as u64,
        text_end: &raw const __text_end as u64,
        rodata_end: &raw const __rodata_end as u64,
        end: &raw const __image_end as u64,
    }
}

/// Offset of the secondary entry point from the start of the image (add the image PA).
#[cfg(target_os = "none")]
pub fn secondary_entry_offset() -> u64 {
    secondary_entry as *const () as u64 - image_layout().start
}
