//! VMSAv8-64 stage-1 descriptor format for the 4 KiB granule with a 48-bit output address
//! (ARM ARM, chapter D8 "The AArch64 Virtual Memory System Architecture": "Translation table
//! descriptor formats", "Memory access control", "Memory region attributes").
//!
//! Descriptor layout, as encoded here:
//!
//! | bits    | field     | value written by this module                                     |
//! |---------|-----------|------------------------------------------------------------------|
//! | 0       | valid     | 1                                                                |
//! | 1       | type      | L0-L2: 1 table, 0 block; L3: must be 1 (page)                   |
//! | 4:2     | AttrIndx  | MAIR index: 0 Device-nGnRE, 1 Normal WB, 2 Normal NC             |
//! | 5       | NS        | 0 (ignored at Non-secure EL1)                                    |
//! | 7:6     | AP\[2:1\] | 00 EL1 RW, 01 EL1+EL0 RW, 10 EL1 RO, 11 EL1+EL0 RO               |
//! | 9:8     | SH        | 11 inner shareable (Normal, Normal NC), 00 (Device)              |
//! | 10      | AF        | 1: no access-flag faults                                         |
//! | 11      | nG        | 1 for non-global (ASID-tagged) mappings                          |
//! | 47:12   | OA        | output address (L1 block: 47:30, L2 block: 47:21)               |
//! | 53      | PXN       | privileged execute-never                                         |
//! | 54      | UXN       | unprivileged execute-never                                       |
//!
//! Table descriptors carry only bits 1:0 = 0b11 and the next-level table address in 47:12; the
//! hierarchical controls (PXNTable 59, UXNTable 60, APTable 62:61, NSTable 63) stay 0 so that
//! leaf descriptors alone decide permissions.

use super::{entry_size, MapError};
use crate::addr::{PhysAddr, PAGE_SIZE};

/// Bit 0: the descriptor is valid.
pub const DESC_VALID: u64 = 1 << 0;
/// Bit 1: at L0-L2, 1 = table, 0 = block; at L3 it must be 1 for a page (0b01 at L3 is reserved
/// and faults like an invalid entry).
pub const DESC_TYPE: u64 = 1 << 1;
/// Bits 1:0 of a table descriptor (L0-L2).
pub const DESC_TABLE_BITS: u64 = DESC_VALID | DESC_TYPE;
/// Bits 1:0 of a page descriptor (L3).
pub const DESC_PAGE_BITS: u64 = DESC_VALID | DESC_TYPE;
/// Bits 1:0 of a block descriptor (L1, L2).
pub const DESC_BLOCK_BITS: u64 = DESC_VALID;

/// Bits 4:2: AttrIndx, an index into MAIR_EL1.
pub const ATTR_INDX_SHIFT: u32 = 2;
/// Mask of AttrIndx.
pub const ATTR_INDX_MASK: u64 = 0b111 << ATTR_INDX_SHIFT;
/// Bit 5: NS. Always 0 here (ignored when executing in Non-secure state).
pub const DESC_NS: u64 = 1 << 5;

/// Bits 7:6: AP\[2:1\].
pub const AP_SHIFT: u32 = 6;
/// Mask of AP\[2:1\].
pub const AP_MASK: u64 = 0b11 << AP_SHIFT;
/// AP = 00: EL1 read/write, EL0 no access.
pub const AP_EL1_RW: u64 = 0b00 << AP_SHIFT;
/// AP = 01: EL1 and EL0 read/write.
pub const AP_EL0_RW: u64 = 0b01 << AP_SHIFT;
/// AP = 10: EL1 read-only, EL0 no access.
pub const AP_EL1_RO: u64 = 0b10 << AP_SHIFT;
/// AP = 11: EL1 and EL0 read-only.
pub const AP_EL0_RO: u64 = 0b11 << AP_SHIFT;

/// Bits 9:8: SH, shareability.
pub const SH_SHIFT: u32 = 8;
/// Mask of SH.
pub const SH_MASK: u64 = 0b11 << SH_SHIFT;
/// SH = 00: non-shareable.
pub const SH_NON: u64 = 0b00 << SH_SHIFT;
/// SH = 10: outer shareable.
pub const SH_OUTER: u64 = 0b10 << SH_SHIFT;
/// SH = 11: inner shareable.
pub const SH_INNER: u64 = 0b11 << SH_SHIFT;

/// Bit 10: access flag. Always set: the kernel does not use access-flag faults.
pub const DESC_AF: u64 = 1 << 10;
/// Bit 11: not-global. Set for ASID-tagged mappings.
pub const DESC_NG: u64 = 1 << 11;
/// Bit 53: privileged (EL1) execute-never.
pub const DESC_PXN: u64 = 1 << 53;
/// Bit 54: unprivileged (EL0) execute-never.
pub const DESC_UXN: u64 = 1 << 54;

/// Bits 47:12: the output address of a page or the next-level table address.
pub const OA_MASK: u64 = 0x0000_ffff_ffff_f000;
/// Output-address bits of a level-1 (1 GiB) block: 47:30.
pub const L1_BLOCK_OA_MASK: u64 = 0x0000_ffff_c000_0000;
/// Output-address bits of a level-2 (2 MiB) block: 47:21.
pub const L2_BLOCK_OA_MASK: u64 = 0x0000_ffff_ffe0_0000;
/// Physical addresses must be below this (48-bit output addresses, no FEAT_LPA).
pub const PA_LIMIT: u64 = 1 << 48;

/// Attribute bits that may only change with break-before-make (memory type, shareability,
/// global-ness, security state); `protect` refuses to change them in place.
pub(crate) const BBM_ATTR_MASK: u64 = ATTR_INDX_MASK | SH_MASK | DESC_NG | DESC_NS;

/// The memory type of a mapping, selecting a MAIR_EL1 slot.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum MemKind {
    /// Normal memory, inner/outer write-back cacheable (MAIR index 1), inner shareable.
    Normal,
    /// Device-nGnRE (MAIR index 0): MMIO. Never executable.
    Device,
    /// Normal memory, inner/outer non-cacheable (MAIR index 2), e.g. for buffers shared with
    /// non-coherent DMA.
    NonCacheable,
}

impl MemKind {
    /// The MAIR_EL1 index (AttrIndx) of this kind.
    pub const fn attr_index(self) -> u64 {
        match self {
            MemKind::Device => super::MAIR_IDX_DEVICE,
            MemKind::Normal => super::MAIR_IDX_NORMAL,
            MemKind::NonCacheable => super::MAIR_IDX_NORMAL_NC,
        }
    }

    /// The kind selected by a MAIR index; `None` for slots this kernel leaves unused.
    pub const fn from_attr_index(index: u64) -> Option<Self> {
        match index {
            super::MAIR_IDX_DEVICE => Some(MemKind::Device),
            super::MAIR_IDX_NORMAL => Some(MemKind::Normal),
            super::MAIR_IDX_NORMAL_NC => Some(MemKind::NonCacheable),
            _ => None,
        }
    }
}

/// What a mapping permits and how memory behaves through it.
///
/// Valid combinations (anything else is refused by the encoders and `map`):
/// - `write && execute` is refused ([`MapError::WriteExecute`], W^X);
/// - `execute` with [`MemKind::Device`] is refused ([`MapError::InvalidFlags`]): device memory is
///   always execute-never;
/// - `!read` is only accepted for user execute-only memory (`user && execute && !write`,
///   encoded AP = 10, UXN = 0: EL0 may fetch but not load, EL1 may only read); otherwise
///   [`MapError::InvalidFlags`], since stage 1 has no "no access" for EL1.
///
/// Encoding: kernel mappings are always UXN and PXN unless `execute`; user mappings are always
/// PXN (the kernel never executes user memory) and UXN unless `execute`. A writable user mapping
/// is EL1-writable too (AP 01), a read-only one is AP 11. PAN is not assumed.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub struct MapFlags {
    /// Loads permitted.
    pub read: bool,
    /// Stores permitted.
    pub write: bool,
    /// Instruction fetch permitted (at EL0 if `user`, otherwise at EL1).
    pub execute: bool,
    /// Accessible from EL0.
    pub user: bool,
    /// Memory type.
    pub kind: MemKind,
    /// Global (nG = 0): the TLB entry matches every ASID. Kernel mappings are global, user
    /// mappings are not.
    pub global: bool,
}

impl MapFlags {
    /// Kernel code: EL1 read + execute, global, Normal.
    pub const fn kernel_text() -> Self {
        Self {
            read: true,
            write: false,
            execute: true,
            user: false,
            kind: MemKind::Normal,
            global: true,
        }
    }

    /// Kernel read-only data: EL1 read, global, Normal.
    pub const fn kernel_rodata() -> Self {
        Self {
            read: true,
            write: false,
            execute: false,
            user: false,
            kind: MemKind::Normal,
            global: true,
        }
    }

    /// Kernel data, heap, stacks and the linear map: EL1 read/write, global, Normal.
    pub const fn kernel_data() -> Self {
        Self {
            read: true,
            write: true,
            execute: false,
            user: false,
            kind: MemKind::Normal,
            global: true,
        }
    }

    /// Kernel MMIO: EL1 read/write, global, Device-nGnRE, execute-never.
    pub const fn device() -> Self {
        Self {
            read: true,
            write: true,
            execute: false,
            user: false,
            kind: MemKind::Device,
            global: true,
        }
    }

    /// Kernel uncached memory: EL1 read/write, global, Normal non-cacheable.
    pub const fn kernel_noncacheable() -> Self {
        Self {
            read: true,
            write: true,
            execute: false,
            user: false,
            kind: MemKind::NonCacheable,
            global: true,
        }
    }

    /// User memory: EL0 (and EL1) access as given, non-global (ASID-tagged), Normal.
    pub const fn user(read: bool, write: bool, execute: bool) -> Self {
        Self {
            read,
            write,
            execute,
            user: true,
            kind: MemKind::Normal,
            global: false,
        }
    }

    /// The same permissions with another memory type.
    pub const fn with_kind(self, kind: MemKind) -> Self {
        Self { kind, ..self }
    }

    /// The same permissions with another global-ness.
    pub const fn with_global(self, global: bool) -> Self {
        Self { global, ..self }
    }

    /// Checks the combination (see the type's documentation).
    pub const fn validate(self) -> Result<(), MapError> {
        if self.write && self.execute {
            return Err(MapError::WriteExecute);
        }
        if self.execute && matches!(self.kind, MemKind::Device) {
            return Err(MapError::InvalidFlags);
        }
        let execute_only = self.user && self.execute && !self.write;
        if !self.read && !execute_only {
            return Err(MapError::InvalidFlags);
        }
        Ok(())
    }
}

/// The attribute bits of a leaf descriptor for `flags`: everything except bits 1:0 and the
/// output address.
pub fn leaf_attrs(flags: MapFlags) -> Result<u64, MapError> {
    flags.validate()?;
    let ap = match (flags.user, flags.write, flags.read) {
        (false, true, _) => AP_EL1_RW,
        (false, false, _) => AP_EL1_RO,
        (true, true, _) => AP_EL0_RW,
        (true, false, true) => AP_EL0_RO,
        // User execute-only: no EL0 data access, EL0 fetch allowed by UXN = 0 (EL0 execute
        // permission does not depend on AP). EL1 can still read it, as it can every user
        // mapping without PAN.
        (true, false, false) => AP_EL1_RO,
    };
    // Device memory is treated as Outer Shareable whatever SH says (ARM ARM, "Shareable
    // attributes" of Device memory); we write 0b00 for it. Normal memory, cacheable or not, is inner shareable: every core of the
    // system sits in one inner-shareable domain.
    let sh = match flags.kind {
        MemKind::Device => SH_NON,
        MemKind::Normal | MemKind::NonCacheable => SH_INNER,
    };
    let xn = if flags.user {
        // The kernel never executes user memory.
        DESC_PXN | if flags.execute { 0 } else { DESC_UXN }
    } else {
        // EL0 never executes kernel memory.
        DESC_UXN | if flags.execute { 0 } else { DESC_PXN }
    };
    let ng = if flags.global { 0 } else { DESC_NG };
    Ok((flags.kind.attr_index() << ATTR_INDX_SHIFT) | ap | sh | DESC_AF | ng | xn)
}

fn check_oa(pa: PhysAddr, align: u64) -> Result<u64, MapError> {
    if pa.0 >= PA_LIMIT {
        return Err(MapError::OutOfRange);
    }
    if !pa.is_aligned(align) {
        return Err(MapError::Misaligned);
    }
    Ok(pa.0)
}

/// A level-3 page descriptor mapping the 4 KiB frame at `pa`.
pub fn encode_page(pa: PhysAddr, flags: MapFlags) -> Result<u64, MapError> {
    let oa = check_oa(pa, PAGE_SIZE)?;
    Ok(oa | leaf_attrs(flags)? | DESC_PAGE_BITS)
}

/// A block descriptor: level 1 maps 1 GiB, level 2 maps 2 MiB; `pa` must be aligned to the block
/// size. Other levels: [`MapError::BadLevel`] (the 4 KiB granule has no level-0 blocks).
pub fn encode_block(pa: PhysAddr, flags: MapFlags, level: usize) -> Result<u64, MapError> {
    if level != 1 && level != 2 {
        return Err(MapError::BadLevel);
    }
    let oa = check_oa(pa, entry_size(level))?;
    Ok(oa | leaf_attrs(flags)? | DESC_BLOCK_BITS)
}

/// A table descriptor (levels 0-2) pointing at the next-level table at `pa`.
pub fn encode_table(pa: PhysAddr) -> Result<u64, MapError> {
    Ok(check_oa(pa, PAGE_SIZE)? | DESC_TABLE_BITS)
}

/// What a descriptor is.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum DescKind {
    /// Faults: bit 0 clear, or a reserved encoding (0b01 at L3, a block at L0, level > 3).
    Invalid,
    /// Points to a next-level table (L0-L2).
    Table,
    /// Maps 1 GiB (L1) or 2 MiB (L2).
    Block,
    /// Maps 4 KiB (L3).
    Page,
}

/// A descriptor taken apart.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub struct Decoded {
    /// The level the descriptor was decoded at.
    pub level: usize,
    /// What it is.
    pub kind: DescKind,
    /// Output address (block/page) or next-level table address (table); 0 when invalid.
    pub pa: PhysAddr,
    /// Permissions and memory type of a block or page; `None` for tables, invalid entries and
    /// leaves whose AttrIndx names a MAIR slot this kernel does not use.
    pub flags: Option<MapFlags>,
}

impl Decoded {
    /// Whether the hardware would use the descriptor (not a translation fault).
    pub const fn is_valid(&self) -> bool {
        !matches!(self.kind, DescKind::Invalid)
    }

    /// Bytes mapped by a block or page; 0 for tables and invalid entries.
    pub const fn size(&self) -> u64 {
        match self.kind {
            DescKind::Block | DescKind::Page => entry_size(self.level),
            DescKind::Table | DescKind::Invalid => 0,
        }
    }
}

/// What the hardware makes of `desc` at `level`.
pub const fn classify(desc: u64, level: usize) -> DescKind {
    if desc & DESC_VALID == 0 || level > 3 {
        return DescKind::Invalid;
    }
    let is_type1 = desc & DESC_TYPE != 0;
    match (level, is_type1) {
        (3, true) => DescKind::Page,
        (3, false) | (0, false) => DescKind::Invalid,
        (_, true) => DescKind::Table,
        (_, false) => DescKind::Block,
    }
}

/// The output address of a block or page descriptor at `level`, or the table address of a table
/// descriptor.
pub(crate) const fn desc_addr(desc: u64, kind: DescKind, level: usize) -> u64 {
    match (kind, level) {
        (DescKind::Block, 1) => desc & L1_BLOCK_OA_MASK,
        (DescKind::Block, _) => desc & L2_BLOCK_OA_MASK,
        (DescKind::Table | DescKind::Page, _) => desc & OA_MASK,
        (DescKind::Invalid, _) => 0,
    }
}

/// The permissions and memory type of a leaf descriptor, the inverse of [`leaf_attrs`]. `None`
/// when AttrIndx names an unused MAIR slot.
pub fn leaf_flags(desc: u64) -> Option<MapFlags> {
    let kind = MemKind::from_attr_index((desc & ATTR_INDX_MASK) >> ATTR_INDX_SHIFT)?;
    let pxn = desc & DESC_PXN != 0;
    let uxn = desc & DESC_UXN != 0;
    let (read, write, user) = match desc & AP_MASK {
        AP_EL0_RW => (true, true, true),
        AP_EL0_RO => (true, false, true),
        // AP 10 with EL0 fetch allowed is user execute-only; kernel mappings are always UXN.
        AP_EL1_RO if !uxn => (false, false, true),
        AP_EL1_RO => (true, false, false),
        _ => (true, true, false),
    };
    let execute = if user { !uxn } else { !pxn };
    Some(MapFlags {
        read,
        write,
        execute,
        user,
        kind,
        global: desc & DESC_NG == 0,
    })
}

/// Takes a descriptor apart, for tests and diagnostics.
pub fn decode(desc: u64, level: usize) -> Decoded {
    let kind = classify(desc, level);
    let flags = match kind {
        DescKind::Block | DescKind::Page => leaf_flags(desc),
        DescKind::Table | DescKind::Invalid => None,
    };
    Decoded {
        level,
        kind,
        pa: PhysAddr(desc_addr(desc, kind, level)),
        flags,
    }
}
