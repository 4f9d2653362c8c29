//! Object signals (`zx_signals_t`): the state bits that `zx_object_wait_*` observe.

use core::fmt;
use core::ops::{BitAnd, BitAndAssign, BitOr, BitOrAssign, Not};

/// A `zx_signals_t` bit set. Several names share a bit; its meaning depends on the object type.
///
/// `Debug` names the bits: `Signals(CHANNEL_READABLE | CHANNEL_WRITABLE)`. A bit with several
/// meanings shows them all: `PEER_CLOSED` (channel or eventpair), `EVENT_SIGNALED/TASK_TERMINATED`.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Default)]
#[repr(transparent)]
pub struct Signals(pub u32);

/// Rust name of each signal bit.
const SIGNAL_NAMES: [(Signals, &str); 13] = [
    (Signals::CHANNEL_READABLE, "CHANNEL_READABLE"),
    (Signals::CHANNEL_WRITABLE, "CHANNEL_WRITABLE"),
    (Signals::CHANNEL_PEER_CLOSED, "PEER_CLOSED"),
    (Signals::EVENT_SIGNALED, "EVENT_SIGNALED/TASK_TERMINATED"),
    (Signals::SIGNAL_HANDLE_CLOSED, "SIGNAL_HANDLE_CLOSED"),
    (Signals::USER_0, "USER_0"),
    (Signals::USER_1, "USER_1"),
    (Signals::USER_2, "USER_2"),
    (Signals::USER_3, "USER_3"),
    (Signals::USER_4, "USER_4"),
    (Signals::USER_5, "USER_5"),
    (Signals::USER_6, "USER_6"),
    (Signals::USER_7, "USER_7"),
];

impl fmt::Debug for Signals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_flags(
            f,
            "Signals",
            self.0,
            SIGNAL_NAMES.iter().map(|(s, n)| (s.0, *n)),
        )
    }
}

/// `Type(A | B | 0x40)`: the named bits in table order, then any unnamed ones in hex; `Type(NONE)`
/// for no bit.
pub(crate) fn fmt_flags(
    f: &mut fmt::Formatter<'_>,
    ty: &str,
    bits: u32,
    names: impl Iterator<Item = (u32, &'static str)>,
) -> fmt::Result {
    write!(f, "{ty}(")?;
    if bits == 0 {
        return f.write_str("NONE)");
    }
    let mut rest = bits;
    let mut sep = "";
    for (bit, name) in names {
        if bit != 0 && bits & bit == bit {
            write!(f, "{sep}{name}")?;
            sep = " | ";
            rest &= !bit;
        }
    }
    if rest != 0 {
        write!(f, "{sep}{rest:#x}")?;
    }
    f.write_str(")")
}

impl Signals {
    /// No signal.
    pub const NONE: Self = Self(0);
    /// `ZX_CHANNEL_READABLE`: a message is queued.
    pub const CHANNEL_READABLE: Self = Self(1 << 0);
    /// `ZX_CHANNEL_WRITABLE`: a write can succeed (peer open, queue below the limit).
    pub const CHANNEL_WRITABLE: Self = Self(1 << 1);
    /// `ZX_CHANNEL_PEER_CLOSED`: the other endpoint is gone.
    pub const CHANNEL_PEER_CLOSED: Self = Self(1 << 2);
    /// `ZX_EVENT_SIGNALED`.
    pub const EVENT_SIGNALED: Self = Self(1 << 3);
    /// `ZX_EVENTPAIR_PEER_CLOSED`.
    pub const EVENTPAIR_PEER_CLOSED: Self = Self(1 << 2);
    /// `ZX_TASK_TERMINATED` (`ZX_PROCESS_TERMINATED`, `ZX_THREAD_TERMINATED`).
    pub const TASK_TERMINATED: Self = Self(1 << 3);
    /// `ZX_SIGNAL_HANDLE_CLOSED`: a waited-on handle was closed during the wait.
    pub const SIGNAL_HANDLE_CLOSED: Self = Self(1 << 23);
    /// `ZX_USER_SIGNAL_0`.
    pub const USER_0: Self = Self(1 << 24);
    /// `ZX_USER_SIGNAL_1`.
    pub const USER_1: Self = Self(1 << 25);
    /// `ZX_USER_SIGNAL_2`.
    pub const USER_2: Self = Self(1 << 26);
    /// `ZX_USER_SIGNAL_3`.
    pub const USER_3: Self = Self(1 << 27);
    /// `ZX_USER_SIGNAL_4`.
    pub const USER_4: Self = Self(1 << 28);
    /// `ZX_USER_SIGNAL_5`.
    pub const USER_5: Self = Self(1 << 29);
    /// `ZX_USER_SIGNAL_6`.
    pub const USER_6: Self = Self(1 << 30);
    /// `ZX_USER_SIGNAL_7`.
    pub const USER_7: Self = Self(1 << 31);
    /// `ZX_USER_SIGNAL_ALL`: the eight user signals, the only bits `zx_object_signal` may touch.
    pub const USER_ALL: Self = Self(0xff << 24);

    /// The raw bits.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// `true` when every bit of `other` is set in `self`.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// `true` when `self` and `other` share at least one bit.
    pub const fn intersects(self, other: Self) -> bool {
        self.0 & other.0 != 0
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

const _: () = assert!(
    Signals::USER_ALL.0
        == Signals::USER_0
            .union(Signals::USER_1)
            .union(Signals::USER_2)
            .union(Signals::USER_3)
            .union(Signals::USER_4)
            .union(Signals::USER_5)
            .union(Signals::USER_6)
            .union(Signals::USER_7)
            .0
);
const _: () = assert!(!Signals::USER_ALL.intersects(Signals::SIGNAL_HANDLE_CLOSED));

impl BitOr for Signals {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        Self(self.0 | rhs.0)
    }
}

impl BitOrAssign for Signals {
    fn bitor_assign(&mut self, rhs: Self) {
        self.0 |= rhs.0;
    }
}

impl BitAnd for Signals {
    type Output = Self;
    fn bitand(self, rhs: Self) -> Self {
        Self(self.0 & rhs.0)
    }
}

impl BitAndAssign for Signals {
    fn bitand_assign(&mut self, rhs: Self) {
        self.0 &= rhs.0;
    }
}

impl Not for Signals {
    type Output = Self;
    fn not(self) -> Self {
        Self(!self.0)
    }
}
