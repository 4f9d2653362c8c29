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
    BadMagic {
        /// Where the entry's header starts.
        offset: usize,
    },
    /// The archive ends inside this entry's header, name or data.
    Truncated {
        /// Where the entry's header starts.
        offset: usize,
    },
    /// A header field holds something other than 8 hex digits.
    BadHex {
        /// Where the entry's header starts.
        offset: usize,
    },
    /// The entry's name is not valid UTF-8.
    NameNotUtf8 {
        /// Where the entry's header starts.
        offset: usize,
    },
    /// The name's last byte (namesize counts the NUL) is not NUL, or a NUL comes earlier.
    NameNotTerminated {
        /// Where the entry's header starts.
        offset: usize,
    },
    /// The entry's sizes do not fit in the address space.
    SizeOverflow {
        /// Where the entry's header starts.
        offset: usize,
    },
    /// The archive ends (at `offset`) without a `TRAILER!!!` entry.
    MissingTrailer {
        /// Where the archive ends.
        offset: usize,
    },
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
mod tests;
