//! Boot-time parsers (initrd cpio archive, program ELF images, `/chosen/bootargs`): pure, allocation-free and host-tested; see docs/abi.md section 5.
#![forbid(unsafe_code)]

pub mod bootargs;
pub mod cpio;
pub mod elf;
