//! Traits shared by every typed handle, as in Fuchsia's `zx` crate: [`AsHandleRef`] (wait,
//! signal, inspect), [`HandleBased`] (convert, duplicate, replace) and [`Peered`] (signal the
//! peer), plus [`HandleRef`], a borrowed handle that is never closed.

use crate::time::MonotonicInstant;
use crate::{get_info, raw, Handle, InfoHandleBasic, ObjType, Rights, Signals, Status, ZxResult};
use core::marker::PhantomData;
use core::mem::ManuallyDrop;
use core::ops::Deref;

/// A handle value borrowed for `'a`: usable as a [`Handle`], never closed by this value.
#[derive(Debug)]
pub struct HandleRef<'a> {
    handle: ManuallyDrop<Handle>,
    _owner: PhantomData<&'a Handle>,
}

impl HandleRef<'_> {
    /// Borrows a raw handle value owned elsewhere (e.g. a start-up handle).
    pub fn from_raw(raw: u32) -> Self {
        HandleRef {
            handle: ManuallyDrop::new(Handle::from_raw(raw)),
            _owner: PhantomData,
        }
    }
}

impl Deref for HandleRef<'_> {
    type Target = Handle;
    fn deref(&self) -> &Handle {
        &self.handle
    }
}

/// Operations on any handle, borrowed.
pub trait AsHandleRef {
    /// The handle, borrowed.
    fn as_handle_ref(&self) -> HandleRef<'_>;

    /// The raw `zx_handle_t` value (still owned by `self`).
    fn raw_handle(&self) -> u32 {
        self.as_handle_ref().raw()
    }

    /// `zx_object_wait_one`: the observed signals once one of `signals` is set, or `TIMED_OUT`
    /// at `deadline`.
    fn wait_handle(&self, signals: Signals, deadline: MonotonicInstant) -> ZxResult<Signals> {
        let mut observed = 0;
        let s = raw::object_wait_one(
            self.raw_handle(),
            signals.bits(),
            deadline.into_nanos(),
            &mut observed,
        );
        if s == 0 {
            Ok(Signals(observed))
        } else {
            Err(Status(s))
        }
    }

    /// `zx_object_signal`: clears then sets user signals on the object.
    fn signal_handle(&self, clear: Signals, set: Signals) -> ZxResult {
        Status(raw::object_signal(
            self.raw_handle(),
            clear.bits(),
            set.bits(),
        ))
        .ok()
    }

    /// `ZX_INFO_HANDLE_BASIC` of the handle.
    fn basic_info(&self) -> ZxResult<InfoHandleBasic> {
        get_info(self.raw_handle(), zx_abi::INFO_HANDLE_BASIC)
    }

    /// The object's koid.
    fn get_koid(&self) -> ZxResult<u64> {
        Ok(self.basic_info()?.koid)
    }

    /// The rights of this handle.
    fn rights(&self) -> ZxResult<Rights> {
        Ok(Rights(self.basic_info()?.rights))
    }

    /// The type of the object.
    fn object_type(&self) -> ZxResult<ObjType> {
        Ok(ObjType(self.basic_info()?.obj_type))
    }
}

/// A typed handle: a [`Handle`] known to name one kind of object.
pub trait HandleBased: AsHandleRef + From<Handle> + Into<Handle> {
    /// Wraps a handle; the type is not checked (`object_type` tells).
    fn from_handle(handle: Handle) -> Self {
        Self::from(handle)
    }

    /// The untyped handle.
    fn into_handle(self) -> Handle {
        self.into()
    }

    /// Gives up ownership: the raw value, not closed (e.g. to pass to another thread).
    fn into_raw(self) -> u32 {
        self.into_handle().into_raw()
    }

    /// `zx_handle_duplicate`: a second handle to the object with `rights` (or
    /// `Rights::SAME_RIGHTS`).
    fn duplicate_handle(&self, rights: Rights) -> ZxResult<Self> {
        self.as_handle_ref().duplicate(rights).map(Self::from)
    }

    /// `zx_handle_replace`: this handle is consumed (also on failure) and a new one with
    /// `rights` returned.
    fn replace_handle(self, rights: Rights) -> ZxResult<Self> {
        self.into_handle().replace(rights).map(Self::from)
    }

    /// `true` for the invalid handle (`ZX_HANDLE_INVALID`).
    fn is_invalid_handle(&self) -> bool {
        self.raw_handle() == zx_abi::HANDLE_INVALID
    }
}

/// An object with a peer (channel, eventpair end).
pub trait Peered: HandleBased {
    /// `zx_object_signal_peer`: clears then sets user signals on the peer.
    fn signal_peer(&self, clear: Signals, set: Signals) -> ZxResult {
        Status(raw::object_signal_peer(
            self.raw_handle(),
            clear.bits(),
            set.bits(),
        ))
        .ok()
    }
}

impl AsHandleRef for Handle {
    fn as_handle_ref(&self) -> HandleRef<'_> {
        HandleRef::from_raw(self.raw())
    }
}

impl HandleBased for Handle {}

impl AsHandleRef for HandleRef<'_> {
    fn as_handle_ref(&self) -> HandleRef<'_> {
        HandleRef::from_raw(self.raw())
    }
}

/// Implements the conversions and [`AsHandleRef`]/[`HandleBased`] for a `Type(Handle)` newtype
/// whose field is `$field`.
macro_rules! typed_handle {
    ($ty:ty, $field:tt) => {
        impl From<$crate::Handle> for $ty {
            fn from(h: $crate::Handle) -> Self {
                Self(h)
            }
        }
        impl From<$ty> for $crate::Handle {
            fn from(x: $ty) -> $crate::Handle {
                x.$field
            }
        }
        impl $crate::handle::AsHandleRef for $ty {
            fn as_handle_ref(&self) -> $crate::handle::HandleRef<'_> {
                $crate::handle::HandleRef::from_raw(self.$field.raw())
            }
        }
        impl $crate::handle::HandleBased for $ty {}
    };
}
pub(crate) use typed_handle;
