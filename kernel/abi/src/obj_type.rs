//! Kernel object types (`zx_obj_type_t`), as reported by `ZX_INFO_HANDLE_BASIC`.

/// A `zx_obj_type_t`.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, Default)]
#[repr(transparent)]
pub struct ObjType(pub u32);

impl ObjType {
    /// `ZX_OBJ_TYPE_NONE` (in a [`crate::HandleDisposition`]: "don't check the type").
    pub const NONE: Self = Self(0);
    /// `ZX_OBJ_TYPE_PROCESS`.
    pub const PROCESS: Self = Self(1);
    /// `ZX_OBJ_TYPE_THREAD`.
    pub const THREAD: Self = Self(2);
    /// `ZX_OBJ_TYPE_VMO`.
    pub const VMO: Self = Self(3);
    /// `ZX_OBJ_TYPE_CHANNEL`.
    pub const CHANNEL: Self = Self(4);
    /// `ZX_OBJ_TYPE_EVENT`.
    pub const EVENT: Self = Self(5);
    /// `ZX_OBJ_TYPE_PORT`.
    pub const PORT: Self = Self(6);
    /// `ZX_OBJ_TYPE_SOCKET`.
    pub const SOCKET: Self = Self(14);
    /// `ZX_OBJ_TYPE_RESOURCE`.
    pub const RESOURCE: Self = Self(15);
    /// `ZX_OBJ_TYPE_EVENTPAIR`.
    pub const EVENTPAIR: Self = Self(16);
    /// `ZX_OBJ_TYPE_JOB`.
    pub const JOB: Self = Self(17);

    /// The raw value.
    pub const fn raw(self) -> u32 {
        self.0
    }

    /// Zircon's spelling, e.g. `"ZX_OBJ_TYPE_CHANNEL"`; `"ZX_OBJ_TYPE_UNKNOWN"` otherwise.
    pub fn name(self) -> &'static str {
        match self {
            Self::NONE => "ZX_OBJ_TYPE_NONE",
            Self::PROCESS => "ZX_OBJ_TYPE_PROCESS",
            Self::THREAD => "ZX_OBJ_TYPE_THREAD",
            Self::VMO => "ZX_OBJ_TYPE_VMO",
            Self::CHANNEL => "ZX_OBJ_TYPE_CHANNEL",
            Self::EVENT => "ZX_OBJ_TYPE_EVENT",
            Self::PORT => "ZX_OBJ_TYPE_PORT",
            Self::SOCKET => "ZX_OBJ_TYPE_SOCKET",
            Self::RESOURCE => "ZX_OBJ_TYPE_RESOURCE",
            Self::EVENTPAIR => "ZX_OBJ_TYPE_EVENTPAIR",
            Self::JOB => "ZX_OBJ_TYPE_JOB",
            _ => "ZX_OBJ_TYPE_UNKNOWN",
        }
    }
}
