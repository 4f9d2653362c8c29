//! Names, C types and signatures of the ABI, as data: what `docs/abi.md`'s tables and the C
//! SDK's headers (`sdk/include/zircon/`) are generated from (`kernel/abi/tests/generated.rs`).
//!
//! Every value here is taken from the constants and records of this crate (offsets with
//! `offset_of!`), so the generated files cannot disagree with the code the kernel is built from.
//!
//! By topic: [`syscalls`], [`named`] values (statuses, rights, object types, signals),
//! [`constants`] and info topics, and [`records`].

pub mod constants;
pub mod named;
pub mod records;
pub mod syscalls;

pub use constants::{Constant, Topic, CONSTANTS, TOPICS};
pub use named::{Named, OBJ_TYPES, RIGHTS, RIGHT_GROUPS, SIGNALS, STATUSES, ZIRCON_ONLY_STATUSES};
pub use records::{Field, Record, RECORDS};
pub use syscalls::{Param, Syscall, SYSCALLS};
