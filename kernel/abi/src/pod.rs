//! Safe byte encoding of ABI records: how the kernel copies them across the user boundary.
//!
//! Every type here has a fixed little-endian encoding of exactly `size_of::<T>()` bytes that is
//! identical to its `#[repr(C)]` in-memory form on AArch64 (checked by the host tests), so user
//! code that passes a C struct and kernel code that decodes bytes agree. Decoding never fails on
//! content: every byte pattern is a valid value (no `bool`s, no enums).

use crate::{ObjType, Rights, Signals, Status};

/// A plain record with a fixed byte encoding.
///
/// ```
/// use zx_abi::{Pod, WaitItem};
/// let item = WaitItem { handle: 0x13, waitfor: 1, pending: 0 };
/// let mut buf = [0u8; WaitItem::SIZE];
/// item.to_bytes(&mut buf);
/// assert_eq!(WaitItem::from_bytes(&buf), item);
/// ```
pub trait Pod: Copy {
    /// Length of the encoding in bytes (equal to `size_of::<Self>()` for every type here).
    const SIZE: usize;

    /// Writes the encoding into `out[..Self::SIZE]`; bytes after that are untouched.
    ///
    /// # Panics
    /// If `out.len() < Self::SIZE` (before writing anything).
    fn to_bytes(&self, out: &mut [u8]);

    /// Decodes from `b[..Self::SIZE]`; bytes after that are ignored.
    ///
    /// # Panics
    /// If `b.len() < Self::SIZE`.
    fn from_bytes(b: &[u8]) -> Self;

    /// Like [`Pod::from_bytes`], but `None` instead of a panic when `b` is too short.
    fn try_from_bytes(b: &[u8]) -> Option<Self> {
        if b.len() < Self::SIZE {
            None
        } else {
            Some(Self::from_bytes(b))
        }
    }

    /// Like [`Pod::to_bytes`], but `None` (and nothing written) when `out` is too short.
    fn try_to_bytes(&self, out: &mut [u8]) -> Option<()> {
        if out.len() < Self::SIZE {
            None
        } else {
            self.to_bytes(out);
            Some(())
        }
    }
}

/// The largest [`Pod::SIZE`] of the records in this crate ([`crate::InfoProcessHandleStats`]);
/// a stack buffer of this size holds any of them.
pub const MAX_POD_SIZE: usize = 256;

/// Runs `f` on a zeroed stack buffer of `size` bytes (at most [`MAX_POD_SIZE`]), zeroing no
/// more than a small power of two above `size`: with `size` a `Pod::SIZE` the branches fold
/// away, so reading a `u32` does not clear 256 bytes first.
#[inline(always)]
pub fn with_buf<R>(size: usize, f: impl FnOnce(&mut [u8]) -> R) -> R {
    if size <= 8 {
        f(&mut [0u8; 8][..size])
    } else if size <= 32 {
        f(&mut [0u8; 32][..size])
    } else if size <= 64 {
        f(&mut [0u8; 64][..size])
    } else {
        f(&mut [0u8; MAX_POD_SIZE][..size.min(MAX_POD_SIZE)])
    }
}

macro_rules! impl_pod_int {
    ($($t:ty),* $(,)?) => {$(
        impl Pod for $t {
            const SIZE: usize = core::mem::size_of::<$t>();
            fn to_bytes(&self, out: &mut [u8]) {
                out[..Self::SIZE].copy_from_slice(&self.to_le_bytes());
            }
            fn from_bytes(b: &[u8]) -> Self {
                let mut a = [0u8; core::mem::size_of::<$t>()];
                a.copy_from_slice(&b[..Self::SIZE]);
                <$t>::from_le_bytes(a)
            }
        }
    )*};
}
impl_pod_int!(u8, u16, u32, u64, i8, i16, i32, i64);

macro_rules! impl_pod_newtype {
    ($($t:ident($inner:ty)),* $(,)?) => {$(
        impl Pod for $t {
            const SIZE: usize = <$inner as Pod>::SIZE;
            fn to_bytes(&self, out: &mut [u8]) {
                self.0.to_bytes(out);
            }
            fn from_bytes(b: &[u8]) -> Self {
                Self(<$inner as Pod>::from_bytes(b))
            }
        }
    )*};
}
impl_pod_newtype!(Status(i32), Rights(u32), Signals(u32), ObjType(u32));

impl<T: Pod, const N: usize> Pod for [T; N] {
    const SIZE: usize = T::SIZE * N;
    fn to_bytes(&self, out: &mut [u8]) {
        let out = &mut out[..Self::SIZE];
        for (v, chunk) in self.iter().zip(out.chunks_exact_mut(T::SIZE)) {
            v.to_bytes(chunk);
        }
    }
    fn from_bytes(b: &[u8]) -> Self {
        let b = &b[..Self::SIZE];
        core::array::from_fn(|i| T::from_bytes(&b[i * T::SIZE..]))
    }
}

/// Sequential little-endian writer over `out[..size]` (used by the record impls).
pub(crate) struct Writer<'a> {
    out: &'a mut [u8],
    pos: usize,
}

impl<'a> Writer<'a> {
    /// Panics at once if `out` is shorter than `size`, so nothing is half written.
    pub(crate) fn new(out: &'a mut [u8], size: usize) -> Self {
        Self {
            out: &mut out[..size],
            pos: 0,
        }
    }

    pub(crate) fn put<T: Pod>(&mut self, v: &T) {
        v.to_bytes(&mut self.out[self.pos..]);
        self.pos += T::SIZE;
    }
}

/// Sequential little-endian reader over `b[..size]` (used by the record impls).
pub(crate) struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Panics at once if `b` is shorter than `size`.
    pub(crate) fn new(b: &'a [u8], size: usize) -> Self {
        Self {
            b: &b[..size],
            pos: 0,
        }
    }

    pub(crate) fn take<T: Pod>(&mut self) -> T {
        let v = T::from_bytes(&self.b[self.pos..]);
        self.pos += T::SIZE;
        v
    }
}

/// Implements [`Pod`] for a `#[repr(C)]` record by encoding the listed fields one after the
/// other, in the order given (which must be declaration order). The list must name every field
/// with its type; the record must have no implicit padding (checked: `SIZE == size_of`). The
/// host tests check that each field lands at its `offset_of!`.
macro_rules! impl_pod_struct {
    ($ty:ident { $($field:ident: $fty:ty),* $(,)? }) => {
        impl $crate::pod::Pod for $ty {
            const SIZE: usize = 0 $(+ <$fty as $crate::pod::Pod>::SIZE)*;
            fn to_bytes(&self, out: &mut [u8]) {
                let mut w = $crate::pod::Writer::new(out, Self::SIZE);
                $( w.put::<$fty>(&self.$field); )*
            }
            fn from_bytes(b: &[u8]) -> Self {
                let mut r = $crate::pod::Reader::new(b, Self::SIZE);
                $ty { $($field: r.take::<$fty>()),* }
            }
        }
        const _: () = assert!(<$ty as $crate::pod::Pod>::SIZE == core::mem::size_of::<$ty>());
        const _: () = assert!(<$ty as $crate::pod::Pod>::SIZE <= $crate::pod::MAX_POD_SIZE);
    };
}
pub(crate) use impl_pod_struct;
