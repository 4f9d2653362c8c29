//! Validator for boot programs: static AArch64 ELF64 little-endian executables, checked against the rules of docs/abi.md section 5.
//!
//! [`parse`] reads the ELF header and the program header table, keeps the
//! `PT_LOAD` segments (every other program header is ignored) and refuses
//! anything the loader must not map: a segment outside
//! `[0x10000, 2^47)`, a segment both writable and executable, two segments
//! sharing a page, or an entry point outside every executable segment. An
//! `ET_DYN` image is accepted and loaded at its link address, exactly like
//! `ET_EXEC`. The result borrows the file bytes and allocates nothing.
//!
//! Offsets and values follow the System V gABI, ELF-64 object file format.

use core::fmt;

/// Size of the ELF64 file header.
pub const EHDR_LEN: usize = 64;
/// Size of one ELF64 program header; `e_phentsize` must be exactly this.
pub const PHDR_LEN: usize = 56;
/// Most `PT_LOAD` segments a program may have.
pub const MAX_SEGMENTS: usize = 16;
/// Granule the loader maps with (the MMU's, from `bsp::addr`); segment bounds are rounded out to
/// it.
pub use bsp::addr::PAGE_SIZE;
/// Lowest address a program may map (the first 64 KiB stay unmapped to catch null pointers).
pub const USER_MIN: u64 = 0x1_0000;
/// One past the highest address a program may map (the TTBR0 half of a 48-bit address space,
/// `bsp::mmu::USER_VA_END`).
pub use bsp::mmu::USER_VA_END as USER_END;

/// `e_machine` of AArch64.
pub const EM_AARCH64: u16 = 183;
const ELF_MAGIC: [u8; 4] = *b"\x7fELF";
const ELFCLASS64: u8 = 2;
const ELFDATA2LSB: u8 = 1;
const EV_CURRENT: u32 = 1;
const ET_EXEC: u16 = 2;
const ET_DYN: u16 = 3;
const PT_LOAD: u32 = 1;
const PF_X: u32 = 1;
const PF_W: u32 = 2;
const PF_R: u32 = 4;

/// Why an image was refused. `index` is the position of the offending
/// program header in the table (as `readelf -l` numbers them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElfError {
    /// The file is shorter than the ELF64 header.
    TooShort {
        /// The file's length.
        len: usize,
    },
    /// The file does not start with `\x7fELF`.
    BadMagic,
    /// `EI_CLASS` is not `ELFCLASS64`.
    NotElf64 {
        /// `EI_CLASS`.
        class: u8,
    },
    /// `EI_DATA` is not `ELFDATA2LSB`.
    NotLittleEndian {
        /// `EI_DATA`.
        encoding: u8,
    },
    /// `EI_VERSION` or `e_version` is not `EV_CURRENT`.
    BadVersion {
        /// The version found.
        version: u32,
    },
    /// `e_type` is neither `ET_EXEC` nor `ET_DYN`.
    NotExecutable {
        /// `e_type`.
        e_type: u16,
    },
    /// `e_machine` is not `EM_AARCH64`.
    WrongMachine {
        /// `e_machine`.
        machine: u16,
    },
    /// `e_phentsize` is not 56.
    BadPhentsize {
        /// `e_phentsize`.
        phentsize: u16,
    },
    /// The program header table does not lie inside the file.
    ProgramHeadersOutOfBounds {
        /// `e_phoff`.
        phoff: u64,
        /// `e_phnum`.
        phnum: u16,
    },
    /// More than [`MAX_SEGMENTS`] non-empty `PT_LOAD` segments.
    TooManySegments,
    /// A segment's `p_filesz` is larger than its `p_memsz`.
    FileSizeExceedsMemSize {
        /// The segment's program header index.
        index: usize,
    },
    /// A segment's file bytes (`p_offset`, `p_filesz`) do not lie inside the file.
    SegmentOutOfFile {
        /// The segment's program header index.
        index: usize,
    },
    /// `p_vaddr + p_memsz`, rounded up to a page, overflows 64 bits.
    AddressOverflow {
        /// The segment's program header index.
        index: usize,
    },
    /// A segment's pages `[start, end)` reach below [`USER_MIN`] or above [`USER_END`].
    OutsideUserRange {
        /// The segment's program header index.
        index: usize,
        /// First byte of the segment's pages.
        start: u64,
        /// One past the segment's last page.
        end: u64,
    },
    /// A segment is both writable and executable (W^X).
    WritableAndExecutable {
        /// The segment's program header index.
        index: usize,
    },
    /// Two segments share at least one page.
    SegmentsOverlap {
        /// The earlier segment's index.
        first: usize,
        /// The later segment's index.
        second: usize,
    },
    /// There is no non-empty `PT_LOAD` segment.
    NoLoadableSegments,
    /// `e_entry` is not inside any executable segment.
    EntryNotExecutable {
        /// `e_entry`.
        entry: u64,
    },
}

impl fmt::Display for ElfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::TooShort { len } => write!(
                f,
                "ELF: file is {len} bytes, shorter than the {EHDR_LEN}-byte ELF64 header"
            ),
            Self::BadMagic => write!(f, "ELF: file does not start with \\x7fELF"),
            Self::NotElf64 { class } => {
                write!(f, "ELF: class {class} is not ELFCLASS64 (2)")
            }
            Self::NotLittleEndian { encoding } => write!(
                f,
                "ELF: data encoding {encoding} is not little-endian (ELFDATA2LSB, 1)"
            ),
            Self::BadVersion { version } => {
                write!(f, "ELF: version {version} is not EV_CURRENT (1)")
            }
            Self::NotExecutable { e_type } => write!(
                f,
                "ELF: type {e_type} is neither ET_EXEC (2) nor ET_DYN (3)"
            ),
            Self::WrongMachine { machine } => {
                write!(f, "ELF: machine {machine} is not AArch64 ({EM_AARCH64})")
            }
            Self::BadPhentsize { phentsize } => write!(
                f,
                "ELF: program header size {phentsize} is not {PHDR_LEN}"
            ),
            Self::ProgramHeadersOutOfBounds { phoff, phnum } => write!(
                f,
                "ELF: {phnum} program headers at offset {phoff:#x} extend past the end of the file"
            ),
            Self::TooManySegments => {
                write!(f, "ELF: more than {MAX_SEGMENTS} PT_LOAD segments")
            }
            Self::FileSizeExceedsMemSize { index } => write!(
                f,
                "ELF: segment {index} has a file size larger than its memory size"
            ),
            Self::SegmentOutOfFile { index } => write!(
                f,
                "ELF: file bytes of segment {index} extend past the end of the file"
            ),
            Self::AddressOverflow { index } => {
                write!(f, "ELF: address range of segment {index} overflows")
            }
            Self::OutsideUserRange { index, start, end } => write!(
                f,
                "ELF: segment {index} maps {start:#x}..{end:#x}, outside the user range {USER_MIN:#x}..{USER_END:#x}"
            ),
            Self::WritableAndExecutable { index } => write!(
                f,
                "ELF: segment {index} is both writable and executable (W^X)"
            ),
            Self::SegmentsOverlap { first, second } => {
                write!(f, "ELF: segments {first} and {second} share a page")
            }
            Self::NoLoadableSegments => write!(f, "ELF: no PT_LOAD segment to load"),
            Self::EntryNotExecutable { entry } => write!(
                f,
                "ELF: entry point {entry:#x} is not inside an executable segment"
            ),
        }
    }
}

/// The object file type; both kinds are loaded at their link addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElfKind {
    /// `ET_EXEC`.
    Exec,
    /// `ET_DYN` (a static position-independent executable).
    Dyn,
}

/// A segment's access permissions (`p_flags`). Never both `write` and `execute`
/// for a segment returned by [`parse`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SegFlags {
    /// `PF_R`.
    pub read: bool,
    /// `PF_W`.
    pub write: bool,
    /// `PF_X`.
    pub execute: bool,
}

impl SegFlags {
    /// Decodes `PF_R`, `PF_W` and `PF_X`; other bits are ignored.
    pub fn from_p_flags(p_flags: u32) -> Self {
        Self {
            read: p_flags & PF_R != 0,
            write: p_flags & PF_W != 0,
            execute: p_flags & PF_X != 0,
        }
    }
}

/// One `PT_LOAD` segment: map `[vaddr, vaddr + memsz)`, copy `data` (the
/// `filesz` bytes at `file_offset`) to `vaddr`, and zero the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment<'a> {
    /// `p_vaddr`: where the segment starts in the program's address space.
    pub vaddr: u64,
    /// `p_memsz`: bytes mapped from `vaddr`.
    pub memsz: u64,
    /// `p_offset`: where the file bytes start.
    pub file_offset: u64,
    /// `p_filesz`: bytes copied from the file (the rest of `memsz` is zeroed).
    pub filesz: u64,
    /// Access permissions.
    pub flags: SegFlags,
    /// The `filesz` file bytes.
    pub data: &'a [u8],
}

impl Segment<'_> {
    const EMPTY: Segment<'static> = Segment {
        vaddr: 0,
        memsz: 0,
        file_offset: 0,
        filesz: 0,
        flags: SegFlags {
            read: false,
            write: false,
            execute: false,
        },
        data: &[],
    };

    /// The pages the segment occupies: `vaddr` rounded down and
    /// `vaddr + memsz` rounded up to [`PAGE_SIZE`], as `(start, end)` with `end`
    /// exclusive. Exact for every segment [`parse`] returns; for a hand-made
    /// segment whose end overflows, `end` saturates at the last page boundary.
    pub fn page_range(&self) -> (u64, u64) {
        page_bounds(self.vaddr, self.memsz)
            .unwrap_or((page_floor(self.vaddr), page_floor(u64::MAX)))
    }

    /// Whether `addr` lies inside `[vaddr, vaddr + memsz)`.
    pub fn contains(&self, addr: u64) -> bool {
        addr.checked_sub(self.vaddr)
            .is_some_and(|offset| offset < self.memsz)
    }
}

/// A validated program image, borrowing the file bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Elf<'a> {
    /// `e_entry`: lies inside an executable segment.
    pub entry: u64,
    /// `e_type`: fixed-address or position-independent.
    pub kind: ElfKind,
    segments: [Segment<'a>; MAX_SEGMENTS],
    segment_count: usize,
}

impl<'a> Elf<'a> {
    /// The non-empty `PT_LOAD` segments in program header order (1 to
    /// [`MAX_SEGMENTS`] of them), pairwise disjoint at page granularity.
    pub fn segments(&self) -> &[Segment<'a>] {
        self.segments.get(..self.segment_count).unwrap_or(&[])
    }
}

/// Validates `bytes` as a boot program and describes what to load.
///
/// Checks run in this order: the file header (length, magic, class, byte
/// order, version, type, machine, `e_version`, `e_phentsize`), the program
/// header table bounds, then each `PT_LOAD` in table order (filesz <= memsz,
/// file bounds, address overflow, user range, W^X, the segment limit,
/// overlap with the earlier ones), and last that there is a segment and the
/// entry point is in an executable one. A `PT_LOAD` with `p_memsz == 0` maps
/// nothing and is skipped once its `p_filesz` is known to be 0.
pub fn parse(bytes: &[u8]) -> Result<Elf<'_>, ElfError> {
    let header = FileHeader::read(bytes).ok_or(ElfError::TooShort { len: bytes.len() })?;
    let kind = header.check()?;
    let table = program_header_table(bytes, &header)?;

    let mut segments = [Segment::EMPTY; MAX_SEGMENTS];
    // Program header index of each kept segment, for error messages.
    let mut indices = [0usize; MAX_SEGMENTS];
    let mut count = 0usize;
    let (entries, _) = table.as_chunks::<PHDR_LEN>();
    for (index, entry) in entries.iter().enumerate() {
        let ph = ProgramHeader::read(entry).ok_or(ElfError::ProgramHeadersOutOfBounds {
            phoff: header.phoff,
            phnum: header.phnum,
        })?;
        if ph.p_type != PT_LOAD {
            continue;
        }
        let Some(segment) = load_segment(bytes, index, &ph)? else {
            continue;
        };
        if count >= MAX_SEGMENTS {
            return Err(ElfError::TooManySegments);
        }
        let (start, end) = segment.page_range();
        let earlier = segments.iter().zip(indices.iter()).take(count);
        for (other, &other_index) in earlier {
            let (other_start, other_end) = other.page_range();
            if start < other_end && other_start < end {
                return Err(ElfError::SegmentsOverlap {
                    first: other_index,
                    second: index,
                });
            }
        }
        let (slot, slot_index) = segments
            .get_mut(count)
            .zip(indices.get_mut(count))
            .ok_or(ElfError::TooManySegments)?;
        *slot = segment;
        *slot_index = index;
        count = count.saturating_add(1);
    }

    let loaded = segments.get(..count).unwrap_or(&[]);
    if loaded.is_empty() {
        return Err(ElfError::NoLoadableSegments);
    }
    let entry = header.entry;
    if !loaded
        .iter()
        .any(|segment| segment.flags.execute && segment.contains(entry))
    {
        return Err(ElfError::EntryNotExecutable { entry });
    }
    Ok(Elf {
        entry,
        kind,
        segments,
        segment_count: count,
    })
}

/// Checks one `PT_LOAD` header on its own; `None` for a segment that maps nothing.
fn load_segment<'a>(
    bytes: &'a [u8],
    index: usize,
    ph: &ProgramHeader,
) -> Result<Option<Segment<'a>>, ElfError> {
    if ph.filesz > ph.memsz {
        return Err(ElfError::FileSizeExceedsMemSize { index });
    }
    if ph.memsz == 0 {
        return Ok(None);
    }
    let data =
        file_range(bytes, ph.offset, ph.filesz).ok_or(ElfError::SegmentOutOfFile { index })?;
    let (start, end) =
        page_bounds(ph.vaddr, ph.memsz).ok_or(ElfError::AddressOverflow { index })?;
    if start < USER_MIN || end > USER_END {
        return Err(ElfError::OutsideUserRange { index, start, end });
    }
    let flags = SegFlags::from_p_flags(ph.flags);
    if flags.write && flags.execute {
        return Err(ElfError::WritableAndExecutable { index });
    }
    Ok(Some(Segment {
        vaddr: ph.vaddr,
        memsz: ph.memsz,
        file_offset: ph.offset,
        filesz: ph.filesz,
        flags,
        data,
    }))
}

/// The program header table, checked to lie inside the file.
fn program_header_table<'a>(bytes: &'a [u8], header: &FileHeader) -> Result<&'a [u8], ElfError> {
    u64::from(header.phnum)
        .checked_mul(PHDR_LEN as u64)
        .and_then(|len| file_range(bytes, header.phoff, len))
        .ok_or(ElfError::ProgramHeadersOutOfBounds {
            phoff: header.phoff,
            phnum: header.phnum,
        })
}

/// `bytes[offset..offset + len]`, or `None` if any of it is outside `bytes`.
fn file_range(bytes: &[u8], offset: u64, len: u64) -> Option<&[u8]> {
    let start = usize::try_from(offset).ok()?;
    let end = start.checked_add(usize::try_from(len).ok()?)?;
    bytes.get(start..end)
}

fn page_floor(addr: u64) -> u64 {
    addr & !(PAGE_SIZE - 1)
}

/// `(floor(vaddr), ceil(vaddr + memsz))` to pages, or `None` on overflow.
fn page_bounds(vaddr: u64, memsz: u64) -> Option<(u64, u64)> {
    let end = vaddr.checked_add(memsz)?;
    let end = page_floor(end.checked_add(PAGE_SIZE - 1)?);
    Some((page_floor(vaddr), end))
}

/// Reads little-endian fields front to back, never past the end.
struct Fields<'a> {
    rest: &'a [u8],
}

impl<'a> Fields<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.rest.split_first_chunk::<N>()?;
        self.rest = rest;
        Some(*head)
    }

    fn u8(&mut self) -> Option<u8> {
        self.take::<1>().map(|[byte]| byte)
    }

    fn u16(&mut self) -> Option<u16> {
        self.take().map(u16::from_le_bytes)
    }

    fn u32(&mut self) -> Option<u32> {
        self.take().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Option<u64> {
        self.take().map(u64::from_le_bytes)
    }
}

/// The `Elf64_Ehdr` fields the loader looks at.
struct FileHeader {
    magic: [u8; 4],
    class: u8,
    encoding: u8,
    ident_version: u8,
    e_type: u16,
    machine: u16,
    version: u32,
    entry: u64,
    phoff: u64,
    phentsize: u16,
    phnum: u16,
}

impl FileHeader {
    /// Reads the header; `None` if `bytes` is shorter than [`EHDR_LEN`].
    fn read(bytes: &[u8]) -> Option<Self> {
        let mut r = Fields::new(bytes.get(..EHDR_LEN)?);
        let magic = r.take::<4>()?;
        let class = r.u8()?;
        let encoding = r.u8()?;
        let ident_version = r.u8()?;
        let _osabi_and_padding = r.take::<9>()?;
        let e_type = r.u16()?;
        let machine = r.u16()?;
        let version = r.u32()?;
        let entry = r.u64()?;
        let phoff = r.u64()?;
        let _shoff = r.u64()?;
        let _flags = r.u32()?;
        let _ehsize = r.u16()?;
        let phentsize = r.u16()?;
        let phnum = r.u16()?;
        Some(Self {
            magic,
            class,
            encoding,
            ident_version,
            e_type,
            machine,
            version,
            entry,
            phoff,
            phentsize,
            phnum,
        })
    }

    /// Checks the identification and the fixed fields, in file order.
    fn check(&self) -> Result<ElfKind, ElfError> {
        if self.magic != ELF_MAGIC {
            return Err(ElfError::BadMagic);
        }
        if self.class != ELFCLASS64 {
            return Err(ElfError::NotElf64 { class: self.class });
        }
        if self.encoding != ELFDATA2LSB {
            return Err(ElfError::NotLittleEndian {
                encoding: self.encoding,
            });
        }
        if u32::from(self.ident_version) != EV_CURRENT {
            return Err(ElfError::BadVersion {
                version: u32::from(self.ident_version),
            });
        }
        let kind = match self.e_type {
            ET_EXEC => ElfKind::Exec,
            ET_DYN => ElfKind::Dyn,
            e_type => return Err(ElfError::NotExecutable { e_type }),
        };
        if self.machine != EM_AARCH64 {
            return Err(ElfError::WrongMachine {
                machine: self.machine,
            });
        }
        if self.version != EV_CURRENT {
            return Err(ElfError::BadVersion {
                version: self.version,
            });
        }
        if usize::from(self.phentsize) != PHDR_LEN {
            return Err(ElfError::BadPhentsize {
                phentsize: self.phentsize,
            });
        }
        Ok(kind)
    }
}

/// The `Elf64_Phdr` fields the loader looks at.
struct ProgramHeader {
    p_type: u32,
    flags: u32,
    offset: u64,
    vaddr: u64,
    filesz: u64,
    memsz: u64,
}

impl ProgramHeader {
    /// Reads one table entry (56 bytes always hold the 48 read here).
    fn read(entry: &[u8; PHDR_LEN]) -> Option<Self> {
        let mut r = Fields::new(entry);
        let p_type = r.u32()?;
        let flags = r.u32()?;
        let offset = r.u64()?;
        let vaddr = r.u64()?;
        let _paddr = r.u64()?;
        let filesz = r.u64()?;
        let memsz = r.u64()?;
        Some(Self {
            p_type,
            flags,
            offset,
            vaddr,
            filesz,
            memsz,
        })
    }
}

#[cfg(test)]
mod tests;
