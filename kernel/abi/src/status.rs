//! Status codes (`zx_status_t`): the result of nearly every system call.

use core::fmt;

/// A `zx_status_t`: `0` is success, negative values are errors.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, Default)]
#[repr(transparent)]
pub struct Status(pub i32);

impl Status {
    /// `ZX_OK`.
    pub const OK: Self = Self(0);
    /// `ZX_ERR_INTERNAL`.
    pub const INTERNAL: Self = Self(-1);
    /// `ZX_ERR_NOT_SUPPORTED`.
    pub const NOT_SUPPORTED: Self = Self(-2);
    /// `ZX_ERR_NO_RESOURCES`.
    pub const NO_RESOURCES: Self = Self(-3);
    /// `ZX_ERR_NO_MEMORY`.
    pub const NO_MEMORY: Self = Self(-4);
    /// `ZX_ERR_INVALID_ARGS`.
    pub const INVALID_ARGS: Self = Self(-10);
    /// `ZX_ERR_BAD_HANDLE`.
    pub const BAD_HANDLE: Self = Self(-11);
    /// `ZX_ERR_WRONG_TYPE`.
    pub const WRONG_TYPE: Self = Self(-12);
    /// `ZX_ERR_BAD_SYSCALL`.
    pub const BAD_SYSCALL: Self = Self(-13);
    /// `ZX_ERR_OUT_OF_RANGE`.
    pub const OUT_OF_RANGE: Self = Self(-14);
    /// `ZX_ERR_BUFFER_TOO_SMALL`.
    pub const BUFFER_TOO_SMALL: Self = Self(-15);
    /// `ZX_ERR_BAD_STATE`.
    pub const BAD_STATE: Self = Self(-20);
    /// `ZX_ERR_TIMED_OUT`.
    pub const TIMED_OUT: Self = Self(-21);
    /// `ZX_ERR_SHOULD_WAIT`.
    pub const SHOULD_WAIT: Self = Self(-22);
    /// `ZX_ERR_CANCELED`.
    pub const CANCELED: Self = Self(-23);
    /// `ZX_ERR_PEER_CLOSED`.
    pub const PEER_CLOSED: Self = Self(-24);
    /// `ZX_ERR_NOT_FOUND`.
    pub const NOT_FOUND: Self = Self(-25);
    /// `ZX_ERR_ACCESS_DENIED`.
    pub const ACCESS_DENIED: Self = Self(-30);

    /// The raw `zx_status_t` value.
    pub const fn raw(self) -> i32 {
        self.0
    }

    /// `true` for `ZX_OK`.
    pub const fn is_ok(self) -> bool {
        self.0 == 0
    }

    /// `Ok(())` for `ZX_OK`, `Err(self)` otherwise.
    pub const fn ok(self) -> Result<(), Status> {
        if self.is_ok() {
            Ok(())
        } else {
            Err(self)
        }
    }

    /// Zircon's spelling of the code, e.g. `"ZX_ERR_BAD_HANDLE"` or `"ZX_OK"`;
    /// `"ZX_ERR_UNKNOWN"` for a value this ABI does not define.
    pub fn name(self) -> &'static str {
        match self {
            Self::OK => "ZX_OK",
            Self::INTERNAL => "ZX_ERR_INTERNAL",
            Self::NOT_SUPPORTED => "ZX_ERR_NOT_SUPPORTED",
            Self::NO_RESOURCES => "ZX_ERR_NO_RESOURCES",
            Self::NO_MEMORY => "ZX_ERR_NO_MEMORY",
            Self::INVALID_ARGS => "ZX_ERR_INVALID_ARGS",
            Self::BAD_HANDLE => "ZX_ERR_BAD_HANDLE",
            Self::WRONG_TYPE => "ZX_ERR_WRONG_TYPE",
            Self::BAD_SYSCALL => "ZX_ERR_BAD_SYSCALL",
            Self::OUT_OF_RANGE => "ZX_ERR_OUT_OF_RANGE",
            Self::BUFFER_TOO_SMALL => "ZX_ERR_BUFFER_TOO_SMALL",
            Self::BAD_STATE => "ZX_ERR_BAD_STATE",
            Self::TIMED_OUT => "ZX_ERR_TIMED_OUT",
            Self::SHOULD_WAIT => "ZX_ERR_SHOULD_WAIT",
            Self::CANCELED => "ZX_ERR_CANCELED",
            Self::PEER_CLOSED => "ZX_ERR_PEER_CLOSED",
            Self::NOT_FOUND => "ZX_ERR_NOT_FOUND",
            Self::ACCESS_DENIED => "ZX_ERR_ACCESS_DENIED",
            _ => "ZX_ERR_UNKNOWN",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl core::error::Error for Status {}

impl From<Status> for i32 {
    fn from(s: Status) -> i32 {
        s.0
    }
}
