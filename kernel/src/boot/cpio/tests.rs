//! Host tests for the cpio newc reader.

use super::*;

/// Builds `newc` archives byte by byte, the way `cpio -o -H newc` lays them out.
#[derive(Default)]
struct ArchiveBuilder {
    bytes: Vec<u8>,
}

impl ArchiveBuilder {
    fn new() -> Self {
        Self::default()
    }

    /// Appends a header with the given fields (as hex), the raw name bytes
    /// (the caller supplies the NUL) and the data, each padded to 4.
    fn raw(mut self, mode: u32, namesize: u32, name: &[u8], filesize: u32, data: &[u8]) -> Self {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(NEWC_MAGIC);
        let fields = [1, mode, 0, 0, 1, 0, filesize, 0, 0, 0, 0, namesize, 0];
        for field in fields {
            self.bytes
                .extend_from_slice(format!("{field:08X}").as_bytes());
        }
        assert_eq!(self.bytes.len() - start, HEADER_LEN);
        self.bytes.extend_from_slice(name);
        self.pad();
        self.bytes.extend_from_slice(data);
        self.pad();
        self
    }

    fn entry(self, name: &str, mode: u32, data: &[u8]) -> Self {
        let mut name_bytes = name.as_bytes().to_vec();
        name_bytes.push(0);
        let namesize = name_bytes.len() as u32;
        self.raw(mode, namesize, &name_bytes, data.len() as u32, data)
    }

    fn file(self, name: &str, data: &[u8]) -> Self {
        self.entry(name, MODE_REGULAR | 0o755, data)
    }

    fn dir(self, name: &str) -> Self {
        self.entry(name, MODE_DIRECTORY | 0o755, &[])
    }

    fn trailer(self) -> Self {
        self.entry(TRAILER_NAME, 0, &[])
    }

    fn pad(&mut self) {
        while !self.bytes.len().is_multiple_of(4) {
            self.bytes.push(0);
        }
    }

    fn build(self) -> Vec<u8> {
        self.bytes
    }
}

fn collect(bytes: &[u8]) -> Result<Vec<Entry<'_>>, CpioError> {
    Archive::new(bytes)?.entries().collect()
}

#[test]
fn entries_yield_names_data_and_modes_in_order_and_stop_at_trailer() {
    let bytes = ArchiveBuilder::new()
        .dir(".")
        .file("./init", b"\x7fELF-init")
        .file("./bin/echo", b"echo!")
        .trailer()
        .file("after-trailer", b"ignored")
        .build();
    let entries = collect(&bytes).unwrap();
    assert_eq!(
        entries,
        vec![
            Entry {
                name: ".",
                data: b"",
                mode: 0o040_755
            },
            Entry {
                name: "./init",
                data: b"\x7fELF-init",
                mode: 0o100_755
            },
            Entry {
                name: "./bin/echo",
                data: b"echo!",
                mode: 0o100_755
            },
        ]
    );
    assert!(!entries[0].is_regular_file());
    assert!(entries[0].is_directory());
    assert!(entries[1].is_regular_file());
}

#[test]
fn archive_with_only_a_trailer_has_no_entries() {
    let bytes = ArchiveBuilder::new().trailer().build();
    assert_eq!(collect(&bytes), Ok(vec![]));
}

#[test]
fn data_and_names_of_every_length_are_padded_to_four_bytes() {
    for name_len in 1..9 {
        for data_len in 0..9 {
            let name = "n".repeat(name_len);
            let data: Vec<u8> = (0..data_len as u8).collect();
            let bytes = ArchiveBuilder::new()
                .file(&name, &data)
                .file("second", b"2")
                .trailer()
                .build();
            let entries = collect(&bytes).unwrap();
            assert_eq!(entries.len(), 2);
            assert_eq!(entries[0].name, name);
            assert_eq!(entries[0].data, &data[..]);
            assert_eq!(entries[1].name, "second");
            assert_eq!(entries[1].data, b"2");
        }
    }
}

#[test]
fn lowercase_hex_fields_are_accepted() {
    let mut bytes = ArchiveBuilder::new()
        .entry("x", 0o100_644, b"")
        .trailer()
        .build();
    // mode field is bytes 14..22: "000081A4" -> "000081a4".
    assert_eq!(&bytes[14..22], b"000081A4");
    bytes[20] = b'a';
    assert_eq!(collect(&bytes).unwrap()[0].mode, 0o100_644);
}

#[test]
fn find_strips_leading_dot_slash_and_slash_on_both_sides() {
    let bytes = ArchiveBuilder::new()
        .file("./init", b"A")
        .file("/bin/sh", b"B")
        .file("plain", b"C")
        .trailer()
        .build();
    let archive = Archive::new(&bytes).unwrap();
    for query in ["init", "./init", "/init", ".//init"] {
        assert_eq!(archive.find(query).unwrap().unwrap().data, b"A", "{query}");
    }
    for query in ["bin/sh", "./bin/sh", "/bin/sh"] {
        assert_eq!(archive.find(query).unwrap().unwrap().data, b"B", "{query}");
    }
    assert_eq!(archive.find("/plain").unwrap().unwrap().data, b"C");
    assert_eq!(archive.find("bin").unwrap(), None);
    assert_eq!(archive.find("sh").unwrap(), None);
    assert_eq!(archive.find("").unwrap(), None);
    assert_eq!(archive.find("./").unwrap(), None);
}

#[test]
fn find_matches_only_regular_files() {
    let bytes = ArchiveBuilder::new()
        .dir("./init")
        .entry("./link", 0o120_777, b"init")
        .file("./init", b"the file")
        .trailer()
        .build();
    let archive = Archive::new(&bytes).unwrap();
    assert_eq!(
        archive.find("init"),
        Ok(Some(Entry {
            name: "./init",
            data: b"the file",
            mode: 0o100_755
        }))
    );
    assert_eq!(archive.find("link"), Ok(None));
}

#[test]
fn find_returns_the_first_of_duplicate_names() {
    let bytes = ArchiveBuilder::new()
        .file("init", b"first")
        .file("./init", b"second")
        .trailer()
        .build();
    assert_eq!(
        Archive::new(&bytes)
            .unwrap()
            .find("init")
            .unwrap()
            .unwrap()
            .data,
        b"first"
    );
}

#[test]
fn find_reports_errors_met_before_the_file() {
    let bytes = ArchiveBuilder::new().file("a", b"1").build();
    let archive = Archive::new(&bytes).unwrap();
    assert_eq!(archive.find("a").unwrap().unwrap().data, b"1");
    assert_eq!(
        archive.find("b"),
        Err(CpioError::MissingTrailer {
            offset: bytes.len()
        })
    );
}

#[test]
fn new_rejects_other_magics() {
    let mut bytes = ArchiveBuilder::new().trailer().build();
    bytes[5] = b'7'; // "070707" is the old portable ASCII format.
    assert_eq!(
        Archive::new(&bytes).unwrap_err(),
        CpioError::BadMagic { offset: 0 }
    );
    assert_eq!(
        Archive::new(b"\x7fELF").unwrap_err(),
        CpioError::BadMagic { offset: 0 }
    );
    assert_eq!(
        Archive::new(b"1").unwrap_err(),
        CpioError::BadMagic { offset: 0 }
    );
}

#[test]
fn bad_magic_in_a_later_entry_is_reported_at_its_offset() {
    let mut bytes = ArchiveBuilder::new().file("a", b"1234").trailer().build();
    let second = HEADER_LEN + 2 + 4; // header, "a\0" (ends aligned), data
    bytes[second] = b'X';
    let mut entries = Archive::new(&bytes).unwrap().entries();
    assert_eq!(entries.next().unwrap().unwrap().name, "a");
    assert_eq!(
        entries.next(),
        Some(Err(CpioError::BadMagic { offset: second }))
    );
    assert_eq!(entries.next(), None);
}

#[test]
fn every_truncation_of_an_archive_is_reported_exactly() {
    let bytes = ArchiveBuilder::new()
        .file("init", b"hello")
        .trailer()
        .build();
    // First entry: header 0..110, "init\0" 110..115 padded to 116, data
    // 116..121 padded to 124. Trailer: header 124..234, name 234..245
    // padded to 248, where its (empty) data starts.
    let second = 124;
    assert_eq!(bytes.len(), 248);
    for len in 0..=bytes.len() {
        let prefix = &bytes[..len];
        let result = collect(prefix);
        let expected = if len < 121 {
            Err(CpioError::Truncated { offset: 0 })
        } else if len <= second {
            Err(CpioError::MissingTrailer { offset: second })
        } else if len < 248 {
            Err(CpioError::Truncated { offset: second })
        } else {
            Ok(vec![Entry {
                name: "init",
                data: b"hello",
                mode: 0o100_755,
            }])
        };
        assert_eq!(result, expected, "prefix of {len} bytes");
    }
}

#[test]
fn truncated_header_at_every_length_is_truncated() {
    let bytes = ArchiveBuilder::new().trailer().build();
    for len in 0..HEADER_LEN {
        assert_eq!(
            Archive::new(&bytes[..len]).unwrap_err(),
            CpioError::Truncated { offset: 0 },
            "header of {len} bytes"
        );
    }
}

#[test]
fn non_hex_digits_in_any_field_are_bad_hex() {
    let good = ArchiveBuilder::new().file("f", b"x").trailer().build();
    for position in NEWC_MAGIC.len()..HEADER_LEN {
        for bad in [b'g', b'G', b' ', b'+', b'-', b'x', 0] {
            let mut bytes = good.clone();
            bytes[position] = bad;
            assert_eq!(
                Archive::new(&bytes).unwrap_err(),
                CpioError::BadHex { offset: 0 },
                "byte {bad:#x} at {position}"
            );
        }
    }
}

#[test]
fn name_without_nul_is_not_terminated() {
    let bytes = ArchiveBuilder::new()
        .raw(MODE_REGULAR, 4, b"init", 0, b"")
        .trailer()
        .build();
    assert_eq!(
        collect(&bytes),
        Err(CpioError::NameNotTerminated { offset: 0 })
    );
}

#[test]
fn name_with_an_early_nul_is_not_terminated() {
    let bytes = ArchiveBuilder::new()
        .raw(MODE_REGULAR, 6, b"in\0it\0", 0, b"")
        .trailer()
        .build();
    assert_eq!(
        collect(&bytes),
        Err(CpioError::NameNotTerminated { offset: 0 })
    );
}

#[test]
fn zero_namesize_is_not_terminated() {
    let bytes = ArchiveBuilder::new()
        .raw(MODE_REGULAR, 0, b"", 0, b"")
        .trailer()
        .build();
    assert_eq!(
        collect(&bytes),
        Err(CpioError::NameNotTerminated { offset: 0 })
    );
}

#[test]
fn non_utf8_name_is_rejected() {
    let bytes = ArchiveBuilder::new()
        .raw(MODE_REGULAR, 3, b"\xff\xfe\0", 0, b"")
        .trailer()
        .build();
    assert_eq!(collect(&bytes), Err(CpioError::NameNotUtf8 { offset: 0 }));
}

#[test]
fn huge_sizes_are_truncated_not_a_panic() {
    let bytes = ArchiveBuilder::new()
        .raw(MODE_REGULAR, 2, b"a\0", u32::MAX, b"")
        .trailer()
        .build();
    assert_eq!(collect(&bytes), Err(CpioError::Truncated { offset: 0 }));
    let bytes = ArchiveBuilder::new()
        .raw(MODE_REGULAR, u32::MAX, b"a\0", 0, b"")
        .trailer()
        .build();
    assert_eq!(collect(&bytes), Err(CpioError::Truncated { offset: 0 }));
}

#[test]
fn sizes_that_overflow_the_address_space_are_size_overflow() {
    // A real slice cannot reach these offsets, so the arithmetic is checked directly.
    let offset = usize::MAX - 200;
    assert_eq!(
        entry_layout(offset, u32::MAX, 0),
        Err(CpioError::SizeOverflow { offset })
    );
    assert_eq!(
        entry_layout(offset, 2, u32::MAX),
        Err(CpioError::SizeOverflow { offset })
    );
    assert_eq!(
        entry_layout(usize::MAX - 50, 0, 0),
        Err(CpioError::SizeOverflow {
            offset: usize::MAX - 50
        })
    );
    assert_eq!(
        entry_layout(usize::MAX - 112, 0, 0),
        Err(CpioError::SizeOverflow {
            offset: usize::MAX - 112
        })
    );
    assert_eq!(
        entry_layout(8, 5, 3),
        Ok(Layout {
            name_start: 118,
            name_end: 123,
            data_start: 124,
            data_end: 127,
            next_entry: 128
        })
    );
}

#[test]
fn missing_trailer_is_reported_where_the_archive_ends() {
    let bytes = ArchiveBuilder::new()
        .file("a", b"1")
        .file("b", b"22")
        .build();
    let mut entries = Archive::new(&bytes).unwrap().entries();
    assert_eq!(entries.next().unwrap().unwrap().name, "a");
    assert_eq!(entries.next().unwrap().unwrap().name, "b");
    assert_eq!(
        entries.next(),
        Some(Err(CpioError::MissingTrailer {
            offset: bytes.len()
        }))
    );
    assert_eq!(entries.next(), None);
}

#[test]
fn hex_parser_accepts_exactly_eight_hex_digits() {
    assert_eq!(parse_hex8(b"00000000"), Some(0));
    assert_eq!(parse_hex8(b"FFFFFFFF"), Some(u32::MAX));
    assert_eq!(parse_hex8(b"ffffffff"), Some(u32::MAX));
    assert_eq!(parse_hex8(b"0000a1B2"), Some(0xa1b2));
    assert_eq!(parse_hex8(b"+0000001"), None);
    assert_eq!(parse_hex8(b"0000000 "), None);
}

#[test]
fn errors_display_as_one_console_line() {
    let errors = [
        CpioError::BadMagic { offset: 0 },
        CpioError::Truncated { offset: 0x7c },
        CpioError::BadHex { offset: 0 },
        CpioError::NameNotUtf8 { offset: 0 },
        CpioError::NameNotTerminated { offset: 0 },
        CpioError::SizeOverflow { offset: 0 },
        CpioError::MissingTrailer { offset: 0x80 },
    ];
    for error in errors {
        let line = error.to_string();
        assert!(line.starts_with("cpio: "), "{line}");
        assert!(!line.contains('\n'), "{line}");
    }
    assert_eq!(
        CpioError::Truncated { offset: 0x7c }.to_string(),
        "cpio: archive ends inside the entry at offset 0x7c"
    );
}

/// A tiny deterministic generator, so the mutation test needs no crate.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Reads every entry of `bytes`; returns whether the whole archive was accepted.
fn exercise(bytes: &[u8]) -> bool {
    let Ok(archive) = Archive::new(bytes) else {
        return false;
    };
    let _ = archive.find("init");
    let _ = archive.find("./bin/echo");
    let mut accepted = true;
    for entry in archive.entries() {
        match entry {
            Ok(entry) => {
                assert!(entry.name.len() < bytes.len());
                assert!(entry.data.len() <= bytes.len());
            }
            Err(error) => {
                assert!(!error.to_string().is_empty());
                accepted = false;
            }
        }
    }
    accepted
}

#[test]
fn every_prefix_and_many_mutations_return_without_panicking() {
    let good = ArchiveBuilder::new()
        .dir(".")
        .file("./init", b"\x7fELF0123456789")
        .file("./bin/echo", b"echo")
        .trailer()
        .build();
    let mut accepted = 0usize;
    let mut refused = 0usize;
    let mut tally = |ok: bool| if ok { accepted += 1 } else { refused += 1 };
    for len in 0..=good.len() {
        tally(exercise(&good[..len]));
    }
    for position in 0..good.len() {
        for value in [0u8, b'0', b'7', b'F', b'f', 0xff, good[position] ^ 1] {
            let mut bytes = good.clone();
            bytes[position] = value;
            tally(exercise(&bytes));
        }
    }
    let mut state = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..20_000 {
        let mut bytes = good.clone();
        for _ in 0..(xorshift(&mut state) % 4 + 1) {
            let position = (xorshift(&mut state) % bytes.len() as u64) as usize;
            bytes[position] = xorshift(&mut state) as u8;
        }
        let len = (xorshift(&mut state) % (bytes.len() as u64 + 1)) as usize;
        tally(exercise(&bytes[..len]));
    }
    // Both outcomes occur, so the mutations reach past the first checks.
    assert!(
        accepted > 1000 && refused > 1000,
        "accepted {accepted}, refused {refused}"
    );
}
