//! Reader for the initrd: a cpio archive in the SVR4 `newc` format (magic `070701`), as docs/abi.md section 5 requires.
//!
//! Layout of one entry, every offset relative to the start of the archive:
//!
//! ```text
//! header   110 bytes: "070701" then 13 fields of 8 ASCII hex digits
//!          (ino mode uid gid nlink mtime filesize devmajor devminor
//!           rdevmajor rdevminor namesize check)
//! name     namesize bytes, the last one NUL, then NUL padding so that the
//!          data starts 4-byte aligned
//! data     filesize bytes, then NUL padding to a 4-byte boundary
//! ```
//!
//! The archive ends with an entry named `TRAILER!!!`; anything after it is
//! ignored. Nothing here allocates: entries borrow from the archive bytes.

use core::fmt;
use core::iter::FusedIterator;

/// The six magic bytes that start every `newc` header.
pub const NEWC_MAGIC: &[u8; 6] = b"070701";
/// Size of a `newc` header, magic included.
pub const HEADER_LEN: usize = 110;
/// Name of the entry that ends the archive.
pub const TRAILER_NAME: &str = "TRAILER!!!";
/// Mask of the file-type bits in `mode` (`S_IFMT`).
pub const MODE_TYPE_MASK: u32 = 0o170_000;
/// File-type bits of a regular file (`S_IFREG`).
pub const MODE_REGULAR: u32 = 0o100_000;
/// File-type bits of a directory (`S_IFDIR`).
pub const MODE_DIRECTORY: u32 = 0o040_000;

/// Why an archive could not be read. `offset` is where the entry's header starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CpioError {
    /// The header does not start with `070701`.
    BadMagic { offset: usize },
    /// The archive ends inside this entry's header, name or data.
    Truncated { offset: usize },
    /// A header field holds something other than 8 hex digits.
    BadHex { offset: usize },
    /// The entry's name is not valid UTF-8.
    NameNotUtf8 { offset: usize },
    /// The name's last byte (namesize counts the NUL) is not NUL, or a NUL comes earlier.
    NameNotTerminated { offset: usize },
    /// The entry's sizes do not fit in the address space.
    SizeOverflow { offset: usize },
    /// The archive ends (at `offset`) without a `TRAILER!!!` entry.
    MissingTrailer { offset: usize },
}

impl fmt::Display for CpioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::BadMagic { offset } => write!(
                f,
                "cpio: entry at offset {offset:#x} does not start with the newc magic \"070701\""
            ),
            Self::Truncated { offset } => write!(
                f,
                "cpio: archive ends inside the entry at offset {offset:#x}"
            ),
            Self::BadHex { offset } => write!(
                f,
                "cpio: header at offset {offset:#x} has a field that is not 8 hex digits"
            ),
            Self::NameNotUtf8 { offset } => write!(
                f,
                "cpio: name of the entry at offset {offset:#x} is not valid UTF-8"
            ),
            Self::NameNotTerminated { offset } => write!(
                f,
                "cpio: name of the entry at offset {offset:#x} is not NUL-terminated at its namesize"
            ),
            Self::SizeOverflow { offset } => write!(
                f,
                "cpio: sizes of the entry at offset {offset:#x} overflow the address space"
            ),
            Self::MissingTrailer { offset } => write!(
                f,
                "cpio: archive ends at offset {offset:#x} without a TRAILER!!! entry"
            ),
        }
    }
}

/// One archive member, borrowed from the archive bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry<'a> {
    /// The path as stored (often with a leading `./`), without its NUL.
    pub name: &'a str,
    /// The file contents (for a symlink, its target).
    pub data: &'a [u8],
    /// `st_mode`: file-type bits and permission bits.
    pub mode: u32,
}

impl Entry<'_> {
    /// Whether this entry is a regular file (the only kind a boot program can be).
    pub fn is_regular_file(&self) -> bool {
        self.mode & MODE_TYPE_MASK == MODE_REGULAR
    }

    /// Whether this entry is a directory.
    pub fn is_directory(&self) -> bool {
        self.mode & MODE_TYPE_MASK == MODE_DIRECTORY
    }
}

/// A `newc` cpio archive whose first header has been checked.
#[derive(Clone, Copy, Debug)]
pub struct Archive<'a> {
    bytes: &'a [u8],
}

impl<'a> Archive<'a> {
    /// Checks that `bytes` starts with a whole `newc` header (magic and hex fields);
    /// later entries are checked as [`Archive::entries`] reaches them.
    pub fn new(bytes: &'a [u8]) -> Result<Self, CpioError> {
        parse_header(bytes, 0)?;
        Ok(Self { bytes })
    }

    /// The archive's bytes, as given to [`Archive::new`].
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Every entry in order, up to (not including) `TRAILER!!!`. After the
    /// first error the iterator yields nothing more.
    pub fn entries(&self) -> Entries<'a> {
        Entries {
            bytes: self.bytes,
            offset: 0,
            done: false,
        }
    }

    /// The first regular file whose path equals `name`, ignoring any leading
    /// `./` or `/` on either side (so `init`, `./init` and `/init` are one
    /// path). An archive error met before the file is found is returned.
    pub fn find(&self, name: &str) -> Result<Option<Entry<'a>>, CpioError> {
        let wanted = strip_root(name);
        if wanted.is_empty() {
            return Ok(None);
        }
        for entry in self.entries() {
            let entry = entry?;
            if entry.is_regular_file() && strip_root(entry.name) == wanted {
                return Ok(Some(entry));
            }
        }
        Ok(None)
    }
}

/// Iterator over the entries of an [`Archive`].
#[derive(Clone, Debug)]
pub struct Entries<'a> {
    bytes: &'a [u8],
    offset: usize,
    done: bool,
}

impl<'a> Iterator for Entries<'a> {
    type Item = Result<Entry<'a>, CpioError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match parse_entry(self.bytes, self.offset) {
            Ok((entry, _)) if entry.name == TRAILER_NAME => {
                self.done = true;
                None
            }
            Ok((entry, next)) => {
                self.offset = next;
                Some(Ok(entry))
            }
            Err(error) => {
                self.done = true;
                Some(Err(error))
            }
        }
    }
}

impl FusedIterator for Entries<'_> {}

/// Removes every leading `./` and `/`, so that archive paths compare as absolute.
fn strip_root(mut path: &str) -> &str {
    loop {
        if let Some(rest) = path.strip_prefix("./") {
            path = rest;
        } else if let Some(rest) = path.strip_prefix('/') {
            path = rest;
        } else {
            return path;
        }
    }
}

/// The header fields this reader uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Header {
    mode: u32,
    filesize: u32,
    namesize: u32,
}

/// Where an entry's parts lie, as offsets into the archive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Layout {
    name_start: usize,
    name_end: usize,
    data_start: usize,
    data_end: usize,
    next_entry: usize,
}

/// Parses the entry whose header starts at `offset`; returns it and the offset of the next header.
fn parse_entry(bytes: &[u8], offset: usize) -> Result<(Entry<'_>, usize), CpioError> {
    let header = parse_header(bytes, offset)?;
    let layout = entry_layout(offset, header.namesize, header.filesize)?;
    let truncated = CpioError::Truncated { offset };

    // `namesize` counts the terminating NUL, so it is at least 1.
    let name_with_nul = bytes
        .get(layout.name_start..layout.name_end)
        .ok_or(truncated)?;
    let (&last, name) = name_with_nul
        .split_last()
        .ok_or(CpioError::NameNotTerminated { offset })?;
    if last != 0 || name.contains(&0) {
        return Err(CpioError::NameNotTerminated { offset });
    }
    let name = core::str::from_utf8(name).map_err(|_| CpioError::NameNotUtf8 { offset })?;
    let data = bytes
        .get(layout.data_start..layout.data_end)
        .ok_or(truncated)?;

    let entry = Entry {
        name,
        data,
        mode: header.mode,
    };
    Ok((entry, layout.next_entry))
}

/// Parses and checks the fixed 110-byte header at `offset`. An archive that
/// ends exactly at `offset` has lost its trailer; one that ends inside the
/// header is truncated (unless what is there already is not the magic).
fn parse_header(bytes: &[u8], offset: usize) -> Result<Header, CpioError> {
    let rest = bytes.get(offset..).unwrap_or(&[]);
    if rest.is_empty() && offset != 0 {
        return Err(CpioError::MissingTrailer { offset });
    }
    let magic_len = rest.len().min(NEWC_MAGIC.len());
    if rest.get(..magic_len) != NEWC_MAGIC.get(..magic_len) {
        return Err(CpioError::BadMagic { offset });
    }
    let (_magic, mut fields) = rest
        .split_first_chunk::<6>()
        .ok_or(CpioError::Truncated { offset })?;

    // The 13 fields in order; only mode, filesize and namesize matter here,
    // but every field must be hex for the header to be well formed.
    let mut values = [0u32; 13];
    for value in values.iter_mut() {
        let (field, rest) = fields
            .split_first_chunk::<8>()
            .ok_or(CpioError::Truncated { offset })?;
        *value = parse_hex8(field).ok_or(CpioError::BadHex { offset })?;
        fields = rest;
    }
    let [_ino, mode, _uid, _gid, _nlink, _mtime, filesize, _devmajor, _devminor, _rdevmajor, _rdevminor, namesize, _check] =
        values;
    Ok(Header {
        mode,
        filesize,
        namesize,
    })
}

/// Computes where the name, data and next header of the entry at `offset` lie.
fn entry_layout(offset: usize, namesize: u32, filesize: u32) -> Result<Layout, CpioError> {
    let overflow = CpioError::SizeOverflow { offset };
    let namesize = usize::try_from(namesize).map_err(|_| overflow)?;
    let filesize = usize::try_from(filesize).map_err(|_| overflow)?;
    let name_start = offset.checked_add(HEADER_LEN).ok_or(overflow)?;
    let name_end = name_start.checked_add(namesize).ok_or(overflow)?;
    let data_start = align4(name_end).ok_or(overflow)?;
    let data_end = data_start.checked_add(filesize).ok_or(overflow)?;
    let next_entry = align4(data_end).ok_or(overflow)?;
    Ok(Layout {
        name_start,
        name_end,
        data_start,
        data_end,
        next_entry,
    })
}

/// Rounds `value` up to a multiple of 4, or `None` if that overflows.
fn align4(value: usize) -> Option<usize> {
    value.checked_add(3).map(|v| v & !3)
}

/// Parses 8 ASCII hex digits (either case); nothing else is accepted, not even a sign.
fn parse_hex8(field: &[u8; 8]) -> Option<u32> {
    field.iter().try_fold(0u32, |acc, &digit| {
        let nibble = char::from(digit).to_digit(16)?;
        acc.checked_mul(16)?.checked_add(nibble)
    })
}

#[cfg(test)]
mod tests {
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
        fn raw(
            mut self,
            mode: u32,
            namesize: u32,
            name: &[u8],
            filesize: u32,
            data: &[u8],
        ) -> Self {
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
}
