//! TCR_EL1, the Translation Control Register (EL1) (ARM ARM, AArch64 system register
//! descriptions).
//!
//! Fields set by [`tcr_value`], low bit first:
//!
//! | bits  | field | value                                                           |
//! |-------|-------|-----------------------------------------------------------------|
//! | 5:0   | T0SZ  | 16: TTBR0 covers `0..1 << 48`                                    |
//! | 7     | EPD0  | 0: walks through TTBR0 enabled                                   |
//! | 9:8   | IRGN0 | 01: inner write-back read/write-allocate                         |
//! | 11:10 | ORGN0 | 01: outer write-back read/write-allocate                         |
//! | 13:12 | SH0   | 11: inner shareable                                              |
//! | 15:14 | TG0   | 00: 4 KiB granule                                                |
//! | 21:16 | T1SZ  | 16: TTBR1 covers `0xffff_0000_0000_0000..`                       |
//! | 22    | A1    | 0: the ASID comes from TTBR0_EL1                                 |
//! | 23    | EPD1  | 0: walks through TTBR1 enabled                                   |
//! | 25:24 | IRGN1 | 01                                                               |
//! | 27:26 | ORGN1 | 01                                                               |
//! | 29:28 | SH1   | 11                                                               |
//! | 31:30 | TG1   | 10: 4 KiB granule (TG1 encodes sizes differently from TG0)       |
//! | 34:32 | IPS   | from ID_AA64MMFR0_EL1.PARange, at most 0b101 (48 bits)           |
//! | 36    | AS    | 1: 16-bit ASIDs                                                  |
//!
//! Everything else (TBI0/1 at 37/38, HA/HD at 39/40, ...) is 0.

/// T0SZ, bits 5:0.
pub const T0SZ_SHIFT: u32 = 0;
/// EPD0, bit 7.
pub const EPD0: u64 = 1 << 7;
/// IRGN0, bits 9:8.
pub const IRGN0_SHIFT: u32 = 8;
/// ORGN0, bits 11:10.
pub const ORGN0_SHIFT: u32 = 10;
/// SH0, bits 13:12.
pub const SH0_SHIFT: u32 = 12;
/// TG0, bits 15:14.
pub const TG0_SHIFT: u32 = 14;
/// T1SZ, bits 21:16.
pub const T1SZ_SHIFT: u32 = 16;
/// A1, bit 22.
pub const A1: u64 = 1 << 22;
/// EPD1, bit 23.
pub const EPD1: u64 = 1 << 23;
/// IRGN1, bits 25:24.
pub const IRGN1_SHIFT: u32 = 24;
/// ORGN1, bits 27:26.
pub const ORGN1_SHIFT: u32 = 26;
/// SH1, bits 29:28.
pub const SH1_SHIFT: u32 = 28;
/// TG1, bits 31:30.
pub const TG1_SHIFT: u32 = 30;
/// IPS, bits 34:32.
pub const IPS_SHIFT: u32 = 32;
/// AS, bit 36.
pub const AS: u64 = 1 << 36;

/// Size offset of both halves: 64 - 16 = 48-bit regions.
pub const TSZ: u64 = 16;
/// IRGN/ORGN encoding: write-back, read-allocate, write-allocate.
pub const RGN_WBWA: u64 = 0b01;
/// SH encoding: inner shareable.
pub const SH_INNER: u64 = 0b11;
/// TG0 encoding of the 4 KiB granule.
pub const TG0_4K: u64 = 0b00;
/// TG1 encoding of the 4 KiB granule.
pub const TG1_4K: u64 = 0b10;
/// Largest IPS used: 0b101, 48 bits; the descriptors built here carry 48-bit output addresses.
pub const IPS_MAX: u64 = 0b101;

/// The TCR_EL1 value for `pa_range`, the 4-bit ID_AA64MMFR0_EL1.PARange field (0 = 32 bits,
/// 1 = 36, 2 = 40, 3 = 42, 4 = 44, 5 = 48, 6 = 52). IPS uses the same encoding; values above 5
/// (52-bit PAs, reserved values) are clamped to 5 because 52-bit output addresses need FEAT_LPA2
/// descriptors, which this module does not build. Bits above the field are ignored.
pub const fn tcr_value(pa_range: u64) -> u64 {
    let field = pa_range & 0xf;
    let ips = if field > IPS_MAX { IPS_MAX } else { field };
    (TSZ << T0SZ_SHIFT)
        | (RGN_WBWA << IRGN0_SHIFT)
        | (RGN_WBWA << ORGN0_SHIFT)
        | (SH_INNER << SH0_SHIFT)
        | (TG0_4K << TG0_SHIFT)
        | (TSZ << T1SZ_SHIFT)
        | (RGN_WBWA << IRGN1_SHIFT)
        | (RGN_WBWA << ORGN1_SHIFT)
        | (SH_INNER << SH1_SHIFT)
        | (TG1_4K << TG1_SHIFT)
        | (ips << IPS_SHIFT)
        | AS
}
