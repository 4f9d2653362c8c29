//! Host tests for the ELF64 loader checks.

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
