//! Object signals (`zx_signals_t`): the state bits that `zx_object_wait_*` observe.

use core::ops::{BitAnd, BitAndAssign, BitOr, BitOrAssign, Not};

/// A `zx_signals_t` bit set. Several names share a bit; its meaning depends on the object type.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, Default)]
#[repr(transparent)]
pub struct Signals(pub u32);

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
