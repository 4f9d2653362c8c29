//! Typed physical and virtual addresses.
//!
//! Both are plain `u64` newtypes: no invariant is enforced on construction (a `VirtAddr` may be
//! non-canonical, a `PhysAddr` may exceed the implemented PA size); the consumers that care (the
//! MMU builder, the user-copy checks) validate. Every helper is total: alignment helpers return
//! `None` for an alignment that is not a power of two, and arithmetic is checked.
#![forbid(unsafe_code)]

use core::fmt;

/// log2 of the translation granule and of the smallest page.
pub const PAGE_SHIFT: u32 = 12;
/// The translation granule: 4 KiB.
pub const PAGE_SIZE: u64 = 1 << PAGE_SHIFT;
/// Mask of the offset-within-page bits.
pub const PAGE_MASK: u64 = PAGE_SIZE - 1;

macro_rules! address_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        #[repr(transparent)]
        pub struct $name(pub u64);

        impl $name {
            /// Wraps a raw address.
            #[inline]
            pub const fn new(raw: u64) -> Self {
                Self(raw)
            }

            /// The raw address.
            #[inline]
            pub const fn as_u64(self) -> u64 {
                self.0
            }

            /// Whether the address is a multiple of `align`. `false` when `align` is not a
            /// power of two.
            #[inline]
            pub const fn is_aligned(self, align: u64) -> bool {
                align.is_power_of_two() && self.0 & (align - 1) == 0
            }

            /// Rounds down to a multiple of `align`; `None` when `align` is not a power of two.
            #[inline]
            pub const fn align_down(self, align: u64) -> Option<Self> {
                if !align.is_power_of_two() {
                    return None;
                }
                Some(Self(self.0 & !(align - 1)))
            }

            /// Rounds up to a multiple of `align`; `None` when `align` is not a power of two or
            /// the result does not fit in 64 bits.
            #[inline]
            pub const fn align_up(self, align: u64) -> Option<Self> {
                if !align.is_power_of_two() {
                    return None;
                }
                match self.0.checked_add(align - 1) {
                    Some(v) => Some(Self(v & !(align - 1))),
                    None => None,
                }
            }

            /// Rounds down to the start of the containing 4 KiB page.
            #[inline]
            pub const fn page_align_down(self) -> Self {
                Self(self.0 & !PAGE_MASK)
            }

            /// Rounds up to a 4 KiB boundary; `None` on overflow.
            #[inline]
            pub const fn page_align_up(self) -> Option<Self> {
                self.align_up(PAGE_SIZE)
            }

            /// Whether the address is 4 KiB aligned.
            #[inline]
            pub const fn is_page_aligned(self) -> bool {
                self.0 & PAGE_MASK == 0
            }

            /// Offset within the 4 KiB page (bits 11:0).
            #[inline]
            pub const fn page_offset(self) -> u64 {
                self.0 & PAGE_MASK
            }

            /// Page number: the address shifted right by [`PAGE_SHIFT`].
            #[inline]
            pub const fn page_number(self) -> u64 {
                self.0 >> PAGE_SHIFT
            }

            /// `self + off`, `None` on overflow.
            #[inline]
            pub const fn checked_add(self, off: u64) -> Option<Self> {
                match self.0.checked_add(off) {
                    Some(v) => Some(Self(v)),
                    None => None,
                }
            }

            /// `self - off`, `None` on underflow.
            #[inline]
            pub const fn checked_sub(self, off: u64) -> Option<Self> {
                match self.0.checked_sub(off) {
                    Some(v) => Some(Self(v)),
                    None => None,
                }
            }

            /// Distance from `base` up to `self`; `None` when `self < base`.
            #[inline]
            pub const fn offset_from(self, base: Self) -> Option<u64> {
                self.0.checked_sub(base.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({:#x})"), self.0)
            }
        }

        impl fmt::LowerHex for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::LowerHex::fmt(&self.0, f)
            }
        }

        impl From<$name> for u64 {
            #[inline]
            fn from(a: $name) -> u64 {
                a.0
            }
        }
    };
}

address_type! {
    /// A physical (output) address.
    PhysAddr
}

address_type! {
    /// A virtual (input) address, of either half: TTBR0 (`< 1 << 47` for user space) or TTBR1
    /// (`>= 0xffff_0000_0000_0000`).
    VirtAddr
}

impl VirtAddr {
    /// The address of a pointer.
    #[inline]
    pub fn from_ptr<T>(p: *const T) -> Self {
        Self(p as usize as u64)
    }

    /// The address as a pointer (no check that anything is mapped there).
    #[inline]
    pub fn as_ptr<T>(self) -> *const T {
        self.0 as usize as *const T
    }

    /// The address as a mutable pointer (no check that anything is mapped there).
    #[inline]
    pub fn as_mut_ptr<T>(self) -> *mut T {
        self.0 as usize as *mut T
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alignment() {
        let a = PhysAddr(0x4000_1234);
        assert_eq!(a.page_align_down(), PhysAddr(0x4000_1000));
        assert_eq!(a.page_align_up(), Some(PhysAddr(0x4000_2000)));
        assert_eq!(a.page_offset(), 0x234);
        assert_eq!(a.page_number(), 0x40001);
        assert!(!a.is_page_aligned());
        assert!(PhysAddr(0x4000_0000).is_aligned(1 << 30));
        assert_eq!(a.align_down(0x20_0000), Some(PhysAddr(0x4000_0000)));
        assert_eq!(a.align_up(0x20_0000), Some(PhysAddr(0x4020_0000)));
        assert_eq!(
            PhysAddr(0x4000_0000).align_up(0x20_0000),
            Some(PhysAddr(0x4000_0000))
        );
        // Not a power of two: refused, never a panic.
        assert_eq!(a.align_down(0), None);
        assert_eq!(a.align_up(3), None);
        assert!(!a.is_aligned(0));
        assert!(!PhysAddr(0).is_aligned(6));
        // Overflow.
        assert_eq!(VirtAddr(u64::MAX).page_align_up(), None);
        assert_eq!(
            VirtAddr(u64::MAX - 0xfff).page_align_up(),
            Some(VirtAddr(u64::MAX - 0xfff))
        );
        assert_eq!(
            VirtAddr(u64::MAX).align_down(1 << 63),
            Some(VirtAddr(1 << 63))
        );
    }

    #[test]
    fn arithmetic() {
        let v = VirtAddr(0x1000);
        assert_eq!(v.checked_add(0x1000), Some(VirtAddr(0x2000)));
        assert_eq!(VirtAddr(u64::MAX).checked_add(1), None);
        assert_eq!(v.checked_sub(0x1001), None);
        assert_eq!(v.checked_sub(0x1000), Some(VirtAddr(0)));
        assert_eq!(VirtAddr(0x3000).offset_from(v), Some(0x2000));
        assert_eq!(v.offset_from(VirtAddr(0x3000)), None);
        assert_eq!(u64::from(v), 0x1000);
        assert_eq!(
            format!("{:?}", PhysAddr(0x4000_0000)),
            "PhysAddr(0x40000000)"
        );
        assert_eq!(format!("{:x}", VirtAddr(0xabc)), "abc");
        assert_eq!(PhysAddr::default(), PhysAddr(0));
        assert!(PhysAddr(1) < PhysAddr(2));
    }
}
