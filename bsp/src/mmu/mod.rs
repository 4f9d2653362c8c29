//! AArch64 stage-1 translation tables: descriptor format, MAIR/TCR values and a table builder.
//!
//! Configuration (ARM ARM chapter D8, VMSAv8-64): 4 KiB granule, 48-bit virtual addresses in both halves
//! (T0SZ = T1SZ = 16), four levels L0..L3, 48-bit output addresses. The kernel lives in the upper
//! half (TTBR1_EL1, `0xffff_0000_0000_0000..`) with a linear map of all RAM at a fixed offset;
//! user processes live in the lower half (TTBR0_EL1, user addresses below `1 << 47`), tagged
//! with 16-bit ASIDs taken from TTBR0 (TCR_EL1.A1 = 0, AS = 1).
//!
//! Everything here is pure logic over memory reached through [`PhysMem`], so it builds and is
//! tested on the host. It performs no barriers or TLB maintenance itself (beyond the
//! [`PhysMem::publish_barrier`] hook); each operation documents what the caller owes the
//! hardware afterwards.
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]

pub mod desc;
mod table;
pub mod tcr;
mod walk;

#[cfg(test)]
mod tests;

use crate::addr::VirtAddr;
use core::fmt;

pub use desc::{
    decode, encode_block, encode_page, encode_table, Decoded, DescKind, MapFlags, MemKind,
};
pub use table::{AddressSpaceTables, FrameSource, PhysMem, Unmapped, VaHalf};
pub use tcr::tcr_value;

/// MAIR_EL1 index of Device-nGnRE memory.
pub const MAIR_IDX_DEVICE: u64 = 0;
/// MAIR_EL1 index of Normal memory, inner/outer write-back cacheable.
pub const MAIR_IDX_NORMAL: u64 = 1;
/// MAIR_EL1 index of Normal memory, inner/outer non-cacheable.
pub const MAIR_IDX_NORMAL_NC: u64 = 2;

/// MAIR attribute byte: Device-nGnRE.
pub const MAIR_ATTR_DEVICE_NGNRE: u64 = 0x04;
/// MAIR attribute byte: Normal, inner and outer write-back non-transient, read/write-allocate.
pub const MAIR_ATTR_NORMAL_WB: u64 = 0xff;
/// MAIR attribute byte: Normal, inner and outer non-cacheable.
pub const MAIR_ATTR_NORMAL_NC: u64 = 0x44;

/// The MAIR_EL1 value: attribute byte `n` (bits `8n+7:8n`) describes AttrIndx `n`; slots 3..7
/// are unused (0 = Device-nGnRnE).
pub const MAIR_VALUE: u64 = (MAIR_ATTR_DEVICE_NGNRE << (8 * MAIR_IDX_DEVICE))
    | (MAIR_ATTR_NORMAL_WB << (8 * MAIR_IDX_NORMAL))
    | (MAIR_ATTR_NORMAL_NC << (8 * MAIR_IDX_NORMAL_NC));

/// Entries per translation table (4 KiB / 8 bytes).
pub const ENTRIES_PER_TABLE: usize = 512;
/// Bytes mapped by a level-2 block.
pub const L2_BLOCK_SIZE: u64 = 1 << 21;
/// Bytes mapped by a level-1 block.
pub const L1_BLOCK_SIZE: u64 = 1 << 30;
/// End (exclusive) of the user part of the lower half.
pub const USER_VA_END: u64 = 1 << 47;
/// Start of the upper (TTBR1) half with T1SZ = 16.
pub const KERNEL_VA_BASE: u64 = 0xffff_0000_0000_0000;

/// Why a table operation was refused.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum MapError {
    /// The frame source ran dry (or returned an unusable frame).
    NoMemory,
    /// Part of the range is already mapped.
    AlreadyMapped,
    /// An address or length is not aligned as required.
    Misaligned,
    /// The range leaves the address-space half, wraps, or the physical range exceeds 48 bits.
    OutOfRange,
    /// Writable and executable at once (W^X).
    WriteExecute,
    /// A flag combination that cannot be encoded (see [`MapFlags`]), or a user mapping in the
    /// upper half.
    InvalidFlags,
    /// The range covers only part of a block mapping; splitting blocks needs break-before-make
    /// and is not done here.
    PartialBlock,
    /// `protect` would change memory type, shareability or global-ness, which needs
    /// break-before-make.
    AttributeChange,
    /// A level with no such descriptor (blocks exist at L1 and L2 only).
    BadLevel,
}

impl fmt::Display for MapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            MapError::NoMemory => "out of page-table memory",
            MapError::AlreadyMapped => "range already mapped",
            MapError::Misaligned => "misaligned address or length",
            MapError::OutOfRange => "address range out of bounds",
            MapError::WriteExecute => "writable and executable mapping refused",
            MapError::InvalidFlags => "unencodable mapping flags",
            MapError::PartialBlock => "range splits a block mapping",
            MapError::AttributeChange => "attribute change needs break-before-make",
            MapError::BadLevel => "no such descriptor at this level",
        };
        f.write_str(s)
    }
}

/// Bit position of the lowest VA bit that indexes a level-`level` table: L0 39, L1 30, L2 21,
/// L3 12 (levels above 3 are treated as 3).
pub const fn level_shift(level: usize) -> u32 {
    match level {
        0 => 39,
        1 => 30,
        2 => 21,
        _ => 12,
    }
}

/// Bytes covered by one entry of a level-`level` table: 512 GiB, 1 GiB, 2 MiB, 4 KiB.
pub const fn entry_size(level: usize) -> u64 {
    1 << level_shift(level)
}

/// Table indices of `va` at L0..L3: bits 47:39, 38:30, 29:21, 20:12 (bits 63:48 select the
/// TTBR and are ignored).
pub const fn va_indices(va: VirtAddr) -> [usize; 4] {
    let mut out = [0; 4];
    let mut level = 0;
    while level < 4 {
        out[level] = ((va.0 >> level_shift(level)) & 0x1ff) as usize;
        level += 1;
    }
    out
}

/// Whether `va` lies in the user part of the lower half, `0..1 << 47`.
pub const fn is_user_va(va: u64) -> bool {
    va < USER_VA_END
}

/// A TTBRn_EL1 value: table base in bits 47:1 (4 KiB aligned here, CnP bit 0 clear) and the ASID
/// in bits 63:48 (used from TTBR0 since TCR_EL1.A1 = 0; ignored in TTBR1).
pub const fn ttbr_value(root: crate::addr::PhysAddr, asid: u16) -> u64 {
    (root.0 & desc::OA_MASK) | ((asid as u64) << 48)
}
