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
/// Granule the loader maps with; segment bounds are rounded out to it.
pub const PAGE_SIZE: u64 = 4096;
/// Lowest address a program may map (the first 64 KiB stay unmapped to catch null pointers).
pub const USER_MIN: u64 = 0x1_0000;
/// One past the highest address a program may map (the TTBR0 half of a 48-bit address space).
pub const USER_END: u64 = 1 << 47;

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
    TooShort { len: usize },
    /// The file does not start with `\x7fELF`.
    BadMagic,
    /// `EI_CLASS` is not `ELFCLASS64`.
    NotElf64 { class: u8 },
    /// `EI_DATA` is not `ELFDATA2LSB`.
    NotLittleEndian { encoding: u8 },
    /// `EI_VERSION` or `e_version` is not `EV_CURRENT`.
    BadVersion { version: u32 },
    /// `e_type` is neither `ET_EXEC` nor `ET_DYN`.
    NotExecutable { e_type: u16 },
    /// `e_machine` is not `EM_AARCH64`.
    WrongMachine { machine: u16 },
    /// `e_phentsize` is not 56.
    BadPhentsize { phentsize: u16 },
    /// The program header table does not lie inside the file.
    ProgramHeadersOutOfBounds { phoff: u64, phnum: u16 },
    /// More than [`MAX_SEGMENTS`] non-empty `PT_LOAD` segments.
    TooManySegments,
    /// A segment's `p_filesz` is larger than its `p_memsz`.
    FileSizeExceedsMemSize { index: usize },
    /// A segment's file bytes (`p_offset`, `p_filesz`) do not lie inside the file.
    SegmentOutOfFile { index: usize },
    /// `p_vaddr + p_memsz`, rounded up to a page, overflows 64 bits.
    AddressOverflow { index: usize },
    /// A segment's pages `[start, end)` reach below [`USER_MIN`] or above [`USER_END`].
    OutsideUserRange { index: usize, start: u64, end: u64 },
    /// A segment is both writable and executable (W^X).
    WritableAndExecutable { index: usize },
    /// Two segments share at least one page.
    SegmentsOverlap { first: usize, second: usize },
    /// There is no non-empty `PT_LOAD` segment.
    NoLoadableSegments,
    /// `e_entry` is not inside any executable segment.
    EntryNotExecutable { entry: u64 },
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
    pub read: bool,
    pub write: bool,
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
    pub vaddr: u64,
    pub memsz: u64,
    pub file_offset: u64,
    pub filesz: u64,
    pub flags: SegFlags,
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
mod tests {
    use super::*;

    const PT_NOTE: u32 = 4;
    const PT_GNU_STACK: u32 = 0x6474_e551;
    const RX: u32 = PF_R | PF_X;
    const RW: u32 = PF_R | PF_W;

    /// One program header as the test writes it.
    #[derive(Clone, Copy)]
    struct Ph {
        p_type: u32,
        flags: u32,
        offset: u64,
        vaddr: u64,
        filesz: u64,
        memsz: u64,
    }

    fn load(flags: u32, offset: u64, vaddr: u64, filesz: u64, memsz: u64) -> Ph {
        Ph {
            p_type: PT_LOAD,
            flags,
            offset,
            vaddr,
            filesz,
            memsz,
        }
    }

    /// Writes an ELF64 header, the program headers right after it (at 64) and
    /// file contents up to the end of the last segment's file bytes, each
    /// byte being its offset modulo 251 so data slices can be checked.
    fn image(e_type: u16, entry: u64, phs: &[Ph]) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(b"\x7fELF");
        out.extend_from_slice(&[ELFCLASS64, ELFDATA2LSB, 1, 0]);
        out.extend_from_slice(&[0; 8]);
        out.extend_from_slice(&e_type.to_le_bytes());
        out.extend_from_slice(&EM_AARCH64.to_le_bytes());
        out.extend_from_slice(&1u32.to_le_bytes());
        out.extend_from_slice(&entry.to_le_bytes());
        out.extend_from_slice(&(EHDR_LEN as u64).to_le_bytes()); // e_phoff
        out.extend_from_slice(&0u64.to_le_bytes()); // e_shoff
        out.extend_from_slice(&0u32.to_le_bytes()); // e_flags
        out.extend_from_slice(&(EHDR_LEN as u16).to_le_bytes());
        out.extend_from_slice(&(PHDR_LEN as u16).to_le_bytes());
        out.extend_from_slice(&(phs.len() as u16).to_le_bytes());
        out.extend_from_slice(&64u16.to_le_bytes()); // e_shentsize
        out.extend_from_slice(&0u16.to_le_bytes()); // e_shnum
        out.extend_from_slice(&0u16.to_le_bytes()); // e_shstrndx
        assert_eq!(out.len(), EHDR_LEN);
        for ph in phs {
            out.extend_from_slice(&ph.p_type.to_le_bytes());
            out.extend_from_slice(&ph.flags.to_le_bytes());
            out.extend_from_slice(&ph.offset.to_le_bytes());
            out.extend_from_slice(&ph.vaddr.to_le_bytes());
            out.extend_from_slice(&ph.vaddr.to_le_bytes()); // p_paddr
            out.extend_from_slice(&ph.filesz.to_le_bytes());
            out.extend_from_slice(&ph.memsz.to_le_bytes());
            out.extend_from_slice(&PAGE_SIZE.to_le_bytes()); // p_align
        }
        let end = phs
            .iter()
            .filter(|ph| ph.p_type == PT_LOAD)
            .filter_map(|ph| ph.offset.checked_add(ph.filesz))
            .filter(|&end| end < 1 << 20)
            .max()
            .unwrap_or(0) as usize;
        while out.len() < end {
            out.push((out.len() % 251) as u8);
        }
        out
    }

    const TEXT_VADDR: u64 = 0x20_0000;
    const ENTRY: u64 = 0x20_0010;

    /// A typical static program: code, read-only data, data + bss, a stack note.
    fn good_headers() -> Vec<Ph> {
        vec![
            load(RX, 0x1000, TEXT_VADDR, 0x234, 0x234),
            load(PF_R, 0x2000, 0x20_1000, 0x80, 0x80),
            Ph {
                p_type: PT_NOTE,
                flags: PF_R,
                offset: 0x2000,
                vaddr: 0x20_1000,
                filesz: 0x20,
                memsz: 0x20,
            },
            load(RW, 0x3040, 0x20_2040, 0x10, 0x2000),
            Ph {
                p_type: PT_GNU_STACK,
                flags: RW,
                offset: 0,
                vaddr: 0,
                filesz: 0,
                memsz: 0,
            },
        ]
    }

    fn good_image() -> Vec<u8> {
        image(ET_EXEC, ENTRY, &good_headers())
    }

    /// Writes `value` little-endian at `offset` of an image.
    fn poke(bytes: &mut [u8], offset: usize, value: &[u8]) {
        bytes[offset..offset + value.len()].copy_from_slice(value);
    }

    fn with_segments(phs: &[Ph]) -> Result<Elf<'static>, ElfError> {
        let bytes = image(ET_EXEC, ENTRY, phs).leak();
        parse(bytes)
    }

    #[test]
    fn static_exec_gives_entry_kind_and_the_load_segments_only() {
        let bytes = good_image();
        let elf = parse(&bytes).unwrap();
        assert_eq!(elf.entry, ENTRY);
        assert_eq!(elf.kind, ElfKind::Exec);
        let segments = elf.segments();
        assert_eq!(segments.len(), 3);

        let text = segments[0];
        assert_eq!(
            (text.vaddr, text.memsz, text.file_offset, text.filesz),
            (0x20_0000, 0x234, 0x1000, 0x234)
        );
        assert_eq!(
            text.flags,
            SegFlags {
                read: true,
                write: false,
                execute: true
            }
        );
        assert_eq!(text.data, &bytes[0x1000..0x1234]);
        assert_eq!(text.page_range(), (0x20_0000, 0x20_1000));

        let rodata = segments[1];
        assert_eq!(
            rodata.flags,
            SegFlags {
                read: true,
                write: false,
                execute: false
            }
        );
        assert_eq!(rodata.data, &bytes[0x2000..0x2080]);
        assert_eq!(rodata.page_range(), (0x20_1000, 0x20_2000));

        let data = segments[2];
        assert_eq!(
            (data.vaddr, data.memsz, data.file_offset, data.filesz),
            (0x20_2040, 0x2000, 0x3040, 0x10)
        );
        assert_eq!(
            data.flags,
            SegFlags {
                read: true,
                write: true,
                execute: false
            }
        );
        assert_eq!(data.data, &bytes[0x3040..0x3050]);
        assert_eq!(data.page_range(), (0x20_2000, 0x20_5000));
    }

    #[test]
    fn static_pie_is_accepted_as_dyn_at_its_link_address() {
        let bytes = image(ET_DYN, ENTRY, &good_headers());
        let elf = parse(&bytes).unwrap();
        assert_eq!(elf.kind, ElfKind::Dyn);
        assert_eq!(elf.entry, ENTRY);
        assert_eq!(elf.segments().len(), 3);
        assert_eq!(elf.segments()[0].vaddr, TEXT_VADDR);
    }

    #[test]
    fn file_shorter_than_the_header_is_too_short() {
        let bytes = good_image();
        for len in 0..EHDR_LEN {
            assert_eq!(
                parse(&bytes[..len]),
                Err(ElfError::TooShort { len }),
                "{len}"
            );
        }
    }

    #[test]
    fn wrong_magic_is_bad_magic() {
        for position in 0..4 {
            let mut bytes = good_image();
            bytes[position] ^= 0x20;
            assert_eq!(parse(&bytes), Err(ElfError::BadMagic));
        }
    }

    #[test]
    fn elf32_is_not_elf64() {
        let mut bytes = good_image();
        bytes[4] = 1;
        assert_eq!(parse(&bytes), Err(ElfError::NotElf64 { class: 1 }));
    }

    #[test]
    fn big_endian_is_refused() {
        let mut bytes = good_image();
        bytes[5] = 2;
        assert_eq!(
            parse(&bytes),
            Err(ElfError::NotLittleEndian { encoding: 2 })
        );
    }

    #[test]
    fn ident_version_and_e_version_must_be_current() {
        let mut bytes = good_image();
        bytes[6] = 0;
        assert_eq!(parse(&bytes), Err(ElfError::BadVersion { version: 0 }));
        let mut bytes = good_image();
        poke(&mut bytes, 20, &2u32.to_le_bytes());
        assert_eq!(parse(&bytes), Err(ElfError::BadVersion { version: 2 }));
    }

    #[test]
    fn relocatable_and_core_files_are_not_executable() {
        for e_type in [0u16, 1, 4, 0xfe00] {
            let bytes = image(e_type, ENTRY, &good_headers());
            assert_eq!(parse(&bytes), Err(ElfError::NotExecutable { e_type }));
        }
    }

    #[test]
    fn other_machines_are_refused() {
        let mut bytes = good_image();
        poke(&mut bytes, 18, &62u16.to_le_bytes()); // EM_X86_64
        assert_eq!(parse(&bytes), Err(ElfError::WrongMachine { machine: 62 }));
    }

    #[test]
    fn phentsize_other_than_56_is_refused() {
        for phentsize in [0u16, 32, 55, 57, 64] {
            let mut bytes = good_image();
            poke(&mut bytes, 54, &phentsize.to_le_bytes());
            assert_eq!(parse(&bytes), Err(ElfError::BadPhentsize { phentsize }));
        }
    }

    #[test]
    fn program_header_table_outside_the_file_is_refused() {
        let mut bytes = good_image();
        let len = bytes.len() as u64;
        poke(&mut bytes, 32, &(len - 56 * 5 + 1).to_le_bytes());
        assert_eq!(
            parse(&bytes),
            Err(ElfError::ProgramHeadersOutOfBounds {
                phoff: len - 56 * 5 + 1,
                phnum: 5
            })
        );
        let mut bytes = good_image();
        poke(&mut bytes, 32, &u64::MAX.to_le_bytes());
        assert_eq!(
            parse(&bytes),
            Err(ElfError::ProgramHeadersOutOfBounds {
                phoff: u64::MAX,
                phnum: 5
            })
        );
        let mut bytes = good_image();
        poke(&mut bytes, 56, &u16::MAX.to_le_bytes());
        assert_eq!(
            parse(&bytes),
            Err(ElfError::ProgramHeadersOutOfBounds {
                phoff: 64,
                phnum: u16::MAX
            })
        );
    }

    #[test]
    fn sixteen_load_segments_are_accepted_and_seventeen_refused() {
        let phs: Vec<Ph> = (0..17)
            .map(|i| load(RX, 0x1000, TEXT_VADDR + i * PAGE_SIZE, 0x20, 0x20))
            .collect();
        let elf = with_segments(&phs[..16]).unwrap();
        assert_eq!(elf.segments().len(), 16);
        assert_eq!(elf.segments()[15].vaddr, TEXT_VADDR + 15 * PAGE_SIZE);
        assert_eq!(with_segments(&phs), Err(ElfError::TooManySegments));
    }

    #[test]
    fn non_load_headers_do_not_count_towards_the_limit() {
        let mut phs: Vec<Ph> = (0..16)
            .map(|i| load(RX, 0x1000, TEXT_VADDR + i * PAGE_SIZE, 0x20, 0x20))
            .collect();
        for _ in 0..8 {
            phs.push(Ph {
                p_type: PT_NOTE,
                flags: 0,
                offset: u64::MAX,
                vaddr: 0,
                filesz: u64::MAX,
                memsz: 0,
            });
        }
        assert_eq!(with_segments(&phs).unwrap().segments().len(), 16);
    }

    #[test]
    fn filesz_larger_than_memsz_is_refused() {
        let mut phs = good_headers();
        phs[3].filesz = phs[3].memsz + 1;
        assert_eq!(
            with_segments(&phs),
            Err(ElfError::FileSizeExceedsMemSize { index: 3 })
        );
        let phs = [load(RX, 0x1000, TEXT_VADDR, 1, 0)];
        assert_eq!(
            with_segments(&phs),
            Err(ElfError::FileSizeExceedsMemSize { index: 0 })
        );
    }

    #[test]
    fn empty_load_segments_are_skipped() {
        let mut phs = good_headers();
        phs.insert(0, load(RW | PF_X, 0, 0, 0, 0));
        let elf = with_segments(&phs).unwrap();
        assert_eq!(elf.segments().len(), 3);
        assert_eq!(elf.segments()[0].vaddr, TEXT_VADDR);
    }

    #[test]
    fn file_bytes_outside_the_file_are_refused() {
        let bytes = good_image();
        let len = bytes.len() as u64;
        let mut truncated = bytes.clone();
        truncated.pop();
        assert_eq!(
            parse(&truncated),
            Err(ElfError::SegmentOutOfFile { index: 3 })
        );
        for (offset, filesz) in [
            (len, 1),
            (len - 0x10, 0x11),
            (u64::MAX, 1),
            (1, u64::MAX),
            (u64::MAX, 0),
        ] {
            let mut phs = good_headers();
            phs[1] = load(PF_R, offset, 0x20_1000, filesz, filesz.max(0x1000));
            let mut bytes = image(ET_EXEC, ENTRY, &phs);
            bytes.truncate(len as usize);
            assert_eq!(
                parse(&bytes),
                Err(ElfError::SegmentOutOfFile { index: 1 }),
                "{offset:#x}+{filesz:#x}"
            );
        }
    }

    #[test]
    fn address_range_that_overflows_is_refused() {
        let mut phs = good_headers();
        phs[3].vaddr = u64::MAX - 0x100;
        assert_eq!(
            with_segments(&phs),
            Err(ElfError::AddressOverflow { index: 3 })
        );
        // The sum fits, but rounding it up to a page does not.
        let mut phs = good_headers();
        phs[3] = load(RW, 0x3040, 0xffff_ffff_ffff_f001, 0x10, 0xffe);
        assert_eq!(
            with_segments(&phs),
            Err(ElfError::AddressOverflow { index: 3 })
        );
    }

    #[test]
    fn segments_touching_the_first_64k_are_refused() {
        for (vaddr, memsz, start, end) in [
            (0, 0x100, 0, 0x1000),
            (0xf000, 0x1000, 0xf000, 0x1_0000),
            (0xffff, 1, 0xf000, 0x1_0000),
            (0xffff, 2, 0xf000, 0x1_1000),
        ] {
            let phs = [load(RX, 0x1000, vaddr, 0, memsz)];
            assert_eq!(
                with_segments(&phs),
                Err(ElfError::OutsideUserRange {
                    index: 0,
                    start,
                    end
                }),
                "{vaddr:#x}"
            );
        }
    }

    #[test]
    fn segments_reaching_2_pow_47_are_refused() {
        for (vaddr, memsz, start, end) in [
            (
                USER_END - 0x1000,
                0x1001,
                USER_END - 0x1000,
                USER_END + 0x1000,
            ),
            (USER_END, 1, USER_END, USER_END + 0x1000),
            (0x20_0000, USER_END, 0x20_0000, USER_END + 0x20_0000),
            (u64::MAX - 0x1fff, 1, u64::MAX - 0x1fff, u64::MAX - 0xfff),
        ] {
            let phs = [load(RX, 0x1000, vaddr, 0, memsz)];
            assert_eq!(
                with_segments(&phs),
                Err(ElfError::OutsideUserRange {
                    index: 0,
                    start,
                    end
                }),
                "{vaddr:#x}"
            );
        }
    }

    #[test]
    fn segments_at_the_edges_of_the_user_range_are_accepted() {
        let low = [load(RX, 0x1000, USER_MIN, 0x10, 0x10)];
        let elf = parse(image(ET_EXEC, USER_MIN, &low).leak()).unwrap();
        assert_eq!(
            elf.segments()[0].page_range(),
            (USER_MIN, USER_MIN + 0x1000)
        );
        let high = [load(RX, 0x1000, USER_END - 1, 1, 1)];
        let elf = parse(image(ET_EXEC, USER_END - 1, &high).leak()).unwrap();
        assert_eq!(
            elf.segments()[0].page_range(),
            (USER_END - 0x1000, USER_END)
        );
    }

    #[test]
    fn writable_and_executable_segment_is_refused() {
        let mut phs = good_headers();
        phs[3].flags = PF_R | PF_W | PF_X;
        assert_eq!(
            with_segments(&phs),
            Err(ElfError::WritableAndExecutable { index: 3 })
        );
        let mut phs = good_headers();
        phs[0].flags = PF_W | PF_X;
        assert_eq!(
            with_segments(&phs),
            Err(ElfError::WritableAndExecutable { index: 0 })
        );
    }

    #[test]
    fn segments_sharing_a_page_are_refused() {
        // Text ends at 0x200234; data starting later in the same page shares it.
        let mut phs = good_headers();
        phs[3] = load(RW, 0x1800, 0x20_0800, 0x10, 0x10);
        assert_eq!(
            with_segments(&phs),
            Err(ElfError::SegmentsOverlap {
                first: 0,
                second: 3
            })
        );
        // Identical ranges.
        let mut phs = good_headers();
        phs[1].vaddr = TEXT_VADDR;
        assert_eq!(
            with_segments(&phs),
            Err(ElfError::SegmentsOverlap {
                first: 0,
                second: 1
            })
        );
        // One inside the other, listed in reverse order.
        let phs = [
            load(PF_R, 0x1000, 0x30_0000, 0x10, 0x10),
            load(RX, 0x1000, 0x2f_f000, 0x10, 0x3000),
        ];
        assert_eq!(
            with_segments(&phs),
            Err(ElfError::SegmentsOverlap {
                first: 0,
                second: 1
            })
        );
    }

    #[test]
    fn segments_on_adjacent_pages_are_accepted() {
        let phs = [
            load(RX, 0x1000, 0x20_0000, 0x10, 0x1000),
            load(RW, 0x1000, 0x20_1000, 0x10, 0x1000),
        ];
        assert_eq!(with_segments(&phs).unwrap().segments().len(), 2);
    }

    #[test]
    fn image_without_load_segments_is_refused() {
        assert_eq!(with_segments(&[]), Err(ElfError::NoLoadableSegments));
        let phs = [
            Ph {
                p_type: PT_GNU_STACK,
                flags: RW,
                offset: 0,
                vaddr: 0,
                filesz: 0,
                memsz: 0,
            },
            load(RX, 0x1000, TEXT_VADDR, 0, 0),
        ];
        assert_eq!(with_segments(&phs), Err(ElfError::NoLoadableSegments));
    }

    #[test]
    fn entry_outside_every_executable_segment_is_refused() {
        for entry in [
            0,
            TEXT_VADDR - 1,
            TEXT_VADDR + 0x234,
            0x20_1000,
            0x20_2040,
            u64::MAX,
        ] {
            let bytes = image(ET_EXEC, entry, &good_headers());
            assert_eq!(
                parse(&bytes),
                Err(ElfError::EntryNotExecutable { entry }),
                "{entry:#x}"
            );
        }
        for entry in [TEXT_VADDR, TEXT_VADDR + 0x233] {
            let bytes = image(ET_EXEC, entry, &good_headers());
            assert_eq!(parse(&bytes).unwrap().entry, entry);
        }
    }

    #[test]
    fn page_range_of_a_hand_made_segment_saturates() {
        let segment = Segment {
            vaddr: u64::MAX - 5,
            memsz: 100,
            ..Segment::EMPTY
        };
        assert_eq!(segment.page_range(), (u64::MAX - 0xfff, u64::MAX - 0xfff));
        assert!(!segment.contains(0));
    }

    #[test]
    fn errors_display_as_one_console_line() {
        let errors = [
            ElfError::TooShort { len: 3 },
            ElfError::BadMagic,
            ElfError::NotElf64 { class: 1 },
            ElfError::NotLittleEndian { encoding: 2 },
            ElfError::BadVersion { version: 0 },
            ElfError::NotExecutable { e_type: 1 },
            ElfError::WrongMachine { machine: 62 },
            ElfError::BadPhentsize { phentsize: 0 },
            ElfError::ProgramHeadersOutOfBounds {
                phoff: 64,
                phnum: 3,
            },
            ElfError::TooManySegments,
            ElfError::FileSizeExceedsMemSize { index: 1 },
            ElfError::SegmentOutOfFile { index: 1 },
            ElfError::AddressOverflow { index: 1 },
            ElfError::OutsideUserRange {
                index: 0,
                start: 0,
                end: 0x1000,
            },
            ElfError::WritableAndExecutable { index: 2 },
            ElfError::SegmentsOverlap {
                first: 0,
                second: 1,
            },
            ElfError::NoLoadableSegments,
            ElfError::EntryNotExecutable { entry: 0x1234 },
        ];
        for error in errors {
            let line = error.to_string();
            assert!(line.starts_with("ELF: "), "{line}");
            assert!(!line.contains('\n'), "{line}");
        }
        assert_eq!(
            ElfError::OutsideUserRange {
                index: 0,
                start: 0,
                end: 0x1000
            }
            .to_string(),
            "ELF: segment 0 maps 0x0..0x1000, outside the user range 0x10000..0x800000000000"
        );
        assert_eq!(
            ElfError::WrongMachine { machine: 62 }.to_string(),
            "ELF: machine 62 is not AArch64 (183)"
        );
    }

    /// What every accepted image must satisfy, whatever the input was.
    fn check_invariants(bytes: &[u8], elf: &Elf<'_>) {
        let segments = elf.segments();
        assert!(!segments.is_empty() && segments.len() <= MAX_SEGMENTS);
        for (i, segment) in segments.iter().enumerate() {
            let (start, end) = segment.page_range();
            assert!(start >= USER_MIN && end <= USER_END && start < end);
            assert!(!(segment.flags.write && segment.flags.execute));
            assert!(segment.filesz <= segment.memsz);
            assert_eq!(segment.data.len() as u64, segment.filesz);
            let offset = segment.file_offset as usize;
            assert_eq!(segment.data, &bytes[offset..offset + segment.data.len()]);
            for other in &segments[..i] {
                let (other_start, other_end) = other.page_range();
                assert!(end <= other_start || other_end <= start);
            }
        }
        assert!(segments
            .iter()
            .any(|s| s.flags.execute && s.contains(elf.entry)));
    }

    /// Parses `bytes`, checks the invariants if accepted; returns whether it was.
    fn exercise(bytes: &[u8]) -> bool {
        match parse(bytes) {
            Ok(elf) => {
                check_invariants(bytes, &elf);
                true
            }
            Err(error) => {
                assert!(!error.to_string().is_empty());
                false
            }
        }
    }

    fn xorshift(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn every_prefix_and_many_mutations_return_without_panicking() {
        let good = good_image();
        let mut accepted = 0usize;
        let mut refused = 0usize;
        let mut tally = |ok: bool| if ok { accepted += 1 } else { refused += 1 };
        for len in 0..=good.len() {
            tally(exercise(&good[..len]));
        }
        // Every byte of the headers, set to values that hit edge cases.
        let headers_end = EHDR_LEN + 5 * PHDR_LEN;
        for position in 0..headers_end {
            for value in [
                0u8,
                1,
                2,
                3,
                7,
                0x7f,
                0x80,
                0xfe,
                0xff,
                good[position] ^ 1,
                good[position] ^ 0x10,
            ] {
                let mut bytes = good.clone();
                bytes[position] = value;
                tally(exercise(&bytes));
            }
        }
        // Random multi-byte mutations, mostly in the headers, at random lengths.
        let mut state = 0x2545_f491_4f6c_dd1d;
        for _ in 0..50_000 {
            let mut bytes = good.clone();
            for _ in 0..(xorshift(&mut state) % 6 + 1) {
                let range = if xorshift(&mut state).is_multiple_of(8) {
                    bytes.len()
                } else {
                    headers_end
                };
                let position = (xorshift(&mut state) % range as u64) as usize;
                bytes[position] = xorshift(&mut state) as u8;
            }
            let len = if xorshift(&mut state).is_multiple_of(4) {
                (xorshift(&mut state) % (bytes.len() as u64 + 1)) as usize
            } else {
                bytes.len()
            };
            tally(exercise(&bytes[..len]));
        }
        // Whole 64-bit fields of each segment replaced by extreme values.
        for ph in 0..5 {
            for field in [8usize, 16, 32, 40] {
                for value in [
                    0u64,
                    1,
                    0xfff,
                    0x1000,
                    0xffff,
                    0x1_0000,
                    USER_END - 1,
                    USER_END,
                    u64::MAX - 0xfff,
                    u64::MAX,
                ] {
                    let mut bytes = good.clone();
                    poke(
                        &mut bytes,
                        EHDR_LEN + ph * PHDR_LEN + field,
                        &value.to_le_bytes(),
                    );
                    tally(exercise(&bytes));
                }
            }
        }
        // Both outcomes occur, so the mutations reach past the first checks.
        assert!(
            accepted > 1000 && refused > 1000,
            "accepted {accepted}, refused {refused}"
        );
    }
}
