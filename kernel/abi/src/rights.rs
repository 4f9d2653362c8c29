//! Handle rights (`zx_rights_t`): the bit set a handle carries, and the rights of new handles.

use core::fmt;
use core::ops::{BitAnd, BitAndAssign, BitOr, BitOrAssign, Not};

/// A `zx_rights_t` bit set.
///
/// `Debug` names the bits: `Rights(TRANSFER | READ | WRITE)`, `Rights(NONE)`, unknown bits in hex.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Default)]
#[repr(transparent)]
pub struct Rights(pub u32);

/// Rust name of each single right, by bit.
const RIGHT_NAMES: [(Rights, &str); 21] = [
    (Rights::DUPLICATE, "DUPLICATE"),
    (Rights::TRANSFER, "TRANSFER"),
    (Rights::READ, "READ"),
    (Rights::WRITE, "WRITE"),
    (Rights::EXECUTE, "EXECUTE"),
    (Rights::MAP, "MAP"),
    (Rights::GET_PROPERTY, "GET_PROPERTY"),
    (Rights::SET_PROPERTY, "SET_PROPERTY"),
    (Rights::ENUMERATE, "ENUMERATE"),
    (Rights::DESTROY, "DESTROY"),
    (Rights::SET_POLICY, "SET_POLICY"),
    (Rights::GET_POLICY, "GET_POLICY"),
    (Rights::SIGNAL, "SIGNAL"),
    (Rights::SIGNAL_PEER, "SIGNAL_PEER"),
    (Rights::WAIT, "WAIT"),
    (Rights::INSPECT, "INSPECT"),
    (Rights::MANAGE_JOB, "MANAGE_JOB"),
    (Rights::MANAGE_PROCESS, "MANAGE_PROCESS"),
    (Rights::MANAGE_THREAD, "MANAGE_THREAD"),
    (Rights::SAME_RIGHTS, "SAME_RIGHTS"),
    (Rights::NONE, "NONE"),
];

impl fmt::Debug for Rights {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::signals::fmt_flags(
            f,
            "Rights",
            self.0,
            RIGHT_NAMES.iter().map(|(r, n)| (r.0, *n)),
        )
    }
}

impl Rights {
    /// `ZX_RIGHT_NONE`.
    pub const NONE: Self = Self(0);
    /// `ZX_RIGHT_DUPLICATE`.
    pub const DUPLICATE: Self = Self(1 << 0);
    /// `ZX_RIGHT_TRANSFER`.
    pub const TRANSFER: Self = Self(1 << 1);
    /// `ZX_RIGHT_READ`.
    pub const READ: Self = Self(1 << 2);
    /// `ZX_RIGHT_WRITE`.
    pub const WRITE: Self = Self(1 << 3);
    /// `ZX_RIGHT_EXECUTE`.
    pub const EXECUTE: Self = Self(1 << 4);
    /// `ZX_RIGHT_MAP`.
    pub const MAP: Self = Self(1 << 5);
    /// `ZX_RIGHT_GET_PROPERTY`.
    pub const GET_PROPERTY: Self = Self(1 << 6);
    /// `ZX_RIGHT_SET_PROPERTY`.
    pub const SET_PROPERTY: Self = Self(1 << 7);
    /// `ZX_RIGHT_ENUMERATE`.
    pub const ENUMERATE: Self = Self(1 << 8);
    /// `ZX_RIGHT_DESTROY`.
    pub const DESTROY: Self = Self(1 << 9);
    /// `ZX_RIGHT_SET_POLICY`.
    pub const SET_POLICY: Self = Self(1 << 10);
    /// `ZX_RIGHT_GET_POLICY`.
    pub const GET_POLICY: Self = Self(1 << 11);
    /// `ZX_RIGHT_SIGNAL`.
    pub const SIGNAL: Self = Self(1 << 12);
    /// `ZX_RIGHT_SIGNAL_PEER`.
    pub const SIGNAL_PEER: Self = Self(1 << 13);
    /// `ZX_RIGHT_WAIT`.
    pub const WAIT: Self = Self(1 << 14);
    /// `ZX_RIGHT_INSPECT`.
    pub const INSPECT: Self = Self(1 << 15);
    /// `ZX_RIGHT_MANAGE_JOB`.
    pub const MANAGE_JOB: Self = Self(1 << 16);
    /// `ZX_RIGHT_MANAGE_PROCESS`.
    pub const MANAGE_PROCESS: Self = Self(1 << 17);
    /// `ZX_RIGHT_MANAGE_THREAD`.
    pub const MANAGE_THREAD: Self = Self(1 << 18);
    /// `ZX_RIGHT_SAME_RIGHTS`: "keep the rights the handle has" in duplicate/replace/write_etc.
    pub const SAME_RIGHTS: Self = Self(1 << 31);

    /// `ZX_RIGHTS_BASIC`: TRANSFER | DUPLICATE | WAIT | INSPECT.
    pub const BASIC: Self = Self::TRANSFER
        .union(Self::DUPLICATE)
        .union(Self::WAIT)
        .union(Self::INSPECT);
    /// `ZX_RIGHTS_IO`: READ | WRITE.
    pub const IO: Self = Self::READ.union(Self::WRITE);
    /// `ZX_RIGHTS_PROPERTY`: GET_PROPERTY | SET_PROPERTY.
    pub const PROPERTY: Self = Self::GET_PROPERTY.union(Self::SET_PROPERTY);
    /// `ZX_RIGHTS_POLICY`: GET_POLICY | SET_POLICY.
    pub const POLICY: Self = Self::GET_POLICY.union(Self::SET_POLICY);

    /// Rights of a new channel endpoint (`ZX_DEFAULT_CHANNEL_RIGHTS`; no DUPLICATE).
    pub const DEFAULT_CHANNEL: Self = Self(0xF00E);
    /// Rights of a new event (`ZX_DEFAULT_EVENT_RIGHTS`).
    pub const DEFAULT_EVENT: Self = Self(0xD003);
    /// Rights of a new eventpair end (`ZX_DEFAULT_EVENTPAIR_RIGHTS`).
    pub const DEFAULT_EVENTPAIR: Self = Self(0xF003);
    /// Rights of a new process handle (`ZX_DEFAULT_PROCESS_RIGHTS`).
    pub const DEFAULT_PROCESS: Self = Self(0x6D3CF);
    /// Rights of a new thread handle (`ZX_DEFAULT_THREAD_RIGHTS`).
    pub const DEFAULT_THREAD: Self = Self(0x4D2CF);
    /// Rights of the root resource handle. docs/abi.md fixes 0xC00B, which is Zircon's
    /// `ZX_DEFAULT_RESOURCE_RIGHTS` (TRANSFER | DUPLICATE | WRITE | INSPECT = 0x800B)
    /// plus `WAIT`; docs/abi.md's number is binding.
    pub const DEFAULT_RESOURCE: Self = Self(0xC00B);

    /// The raw bits.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// `true` when every bit of `other` is set in `self`.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// `true` when every bit of `self` is set in `other`.
    pub const fn is_subset_of(self, other: Self) -> bool {
        other.contains(self)
    }

    /// `true` when no bit is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// `self | other`, usable in `const` items.
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// `self & other`, usable in `const` items.
    pub const fn intersection(self, other: Self) -> Self {
        Self(self.0 & other.0)
    }

    /// `self & !other`, usable in `const` items.
    pub const fn difference(self, other: Self) -> Self {
        Self(self.0 & !other.0)
    }
}

// The default rights, derived from Zircon's definitions in <zircon/rights.h>.
const _: () = assert!(
    Rights::DEFAULT_CHANNEL.0
        == Rights::BASIC
            .difference(Rights::DUPLICATE)
            .union(Rights::IO)
            .union(Rights::SIGNAL)
            .union(Rights::SIGNAL_PEER)
            .0
);
const _: () = assert!(
    Rights::DEFAULT_CHANNEL.0
        == Rights::TRANSFER
            .union(Rights::READ)
            .union(Rights::WRITE)
            .union(Rights::SIGNAL)
            .union(Rights::SIGNAL_PEER)
            .union(Rights::WAIT)
            .union(Rights::INSPECT)
            .0
);
const _: () = assert!(Rights::DEFAULT_EVENT.0 == Rights::BASIC.union(Rights::SIGNAL).0);
const _: () = assert!(
    Rights::DEFAULT_EVENTPAIR.0
        == Rights::BASIC
            .union(Rights::SIGNAL)
            .union(Rights::SIGNAL_PEER)
            .0
);
const _: () = assert!(
    Rights::DEFAULT_PROCESS.0
        == Rights::BASIC
            .union(Rights::IO)
            .union(Rights::PROPERTY)
            .union(Rights::ENUMERATE)
            .union(Rights::DESTROY)
            .union(Rights::SIGNAL)
            .union(Rights::MANAGE_PROCESS)
            .union(Rights::MANAGE_THREAD)
            .0
);
const _: () = assert!(
    Rights::DEFAULT_THREAD.0
        == Rights::BASIC
            .union(Rights::IO)
            .union(Rights::PROPERTY)
            .union(Rights::DESTROY)
            .union(Rights::SIGNAL)
            .union(Rights::MANAGE_THREAD)
            .0
);
// Deviation (kept, see DEFAULT_RESOURCE): Zircon's resource default plus WAIT.
const _: () = assert!(
    Rights::DEFAULT_RESOURCE.0
        == Rights::TRANSFER
            .union(Rights::DUPLICATE)
            .union(Rights::WRITE)
            .union(Rights::INSPECT)
            .union(Rights::WAIT)
            .0
);
// No default right carries SAME_RIGHTS, and only the channel lacks DUPLICATE.
const _: () = assert!(!Rights::DEFAULT_CHANNEL.contains(Rights::DUPLICATE));
const _: () = assert!(Rights::DEFAULT_PROCESS.0 & Rights::SAME_RIGHTS.0 == 0);

impl BitOr for Rights {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        Self(self.0 | rhs.0)
    }
}

impl BitOrAssign for Rights {
    fn bitor_assign(&mut self, rhs: Self) {
        self.0 |= rhs.0;
    }
}

impl BitAnd for Rights {
    type Output = Self;
    fn bitand(self, rhs: Self) -> Self {
        Self(self.0 & rhs.0)
    }
}

impl BitAndAssign for Rights {
    fn bitand_assign(&mut self, rhs: Self) {
        self.0 &= rhs.0;
    }
}

impl Not for Rights {
    type Output = Self;
    fn not(self) -> Self {
        Self(!self.0)
    }
}
