//! Per-core pools of ready-made objects, for the objects the IPC path makes and drops on every
//! message (`object::channel::Message`).
//!
//! A [`Pooled<T>`] is an owning pointer, like a `Box`, to a `T` in its own heap block. When it
//! is dropped the block goes back to a pool, on the core that drops it (up to [`DEPTH`] blocks
//! per core; beyond that to the heap), still holding a valid `T`, and the next
//! [`Pooled::try_new_in`] of that pool on that core takes it back without the heap, its lock,
//! or re-initialising the object: the owner resets what must not survive and says which pool
//! the object goes back to (`Poolable::recycle`), and keeps the rest (an inline buffer is not
//! zeroed again; a message block may keep a handle array of a fixed size, in a pool of its own
//! that counts it).
//!
//! Why a core's pool needs no lock: the kernel runs with IRQs masked and switches threads only
//! at explicit points, and no pool operation contains one, so nothing else runs on this core
//! between reading the core number and finishing with its pool. A flag catches the one way in
//! that is left (an interrupt handler dropping a pooled object inside an IRQ window, were one
//! ever to): a nested operation then uses the heap.
//!
//! Host builds (`cargo test` runs many threads on any core) use the heap every time.

use core::alloc::Layout;
use core::ops::{Deref, DerefMut};
use core::ptr::NonNull;

/// Blocks kept per core and pool: 32 message blocks of 256 bytes are 8 KiB a core, and 32 of
/// those that keep a 128-byte handle array 12 KiB more.
pub const DEPTH: usize = 32;

/// An object kept in a per-core [`Pool`].
pub trait Poolable: Sized + 'static {
    /// A new object, for a block fresh from the heap.
    fn fresh() -> Self;
    /// Called before the object goes back to a pool: release what it owns that must not wait in
    /// a pool (other allocations, handles, charges), and say which pool it goes back to (a type
    /// may have more than one: objects that keep an allocation of a given size wait in a pool
    /// of their own).
    fn recycle(&mut self) -> &'static Pool<Self>;
}

/// The per-core pools of one kind of object (a `static` for each).
pub struct Pool<T> {
    #[cfg(target_os = "none")]
    cores: [core_pool::CorePool<T>; bsp::cpu::boot::MAX_CPUS],
    #[cfg(not(target_os = "none"))]
    _t: core::marker::PhantomData<T>,
    /// Heap bytes each waiting object keeps besides its own block.
    #[cfg_attr(not(target_os = "none"), allow(dead_code))]
    kept: usize,
}

impl<T> Pool<T> {
    /// An empty pool of objects that keep nothing but their block.
    pub const fn new() -> Self {
        Self::keeping(0)
    }

    /// An empty pool of objects that each keep an allocation of `kept` bytes.
    pub const fn keeping(kept: usize) -> Self {
        Pool {
            #[cfg(target_os = "none")]
            cores: [const { core_pool::CorePool::new() }; bsp::cpu::boot::MAX_CPUS],
            #[cfg(not(target_os = "none"))]
            _t: core::marker::PhantomData,
            kept,
        }
    }

    /// Heap bytes held by the objects waiting in every core's pool, their blocks and what they
    /// keep (a snapshot: other cores keep going).
    pub fn cached_bytes(&self) -> u64 {
        #[cfg(target_os = "none")]
        {
            let n: usize = self.cores.iter().map(|c| c.len()).sum();
            (n * (core::mem::size_of::<T>() + self.kept)) as u64
        }
        #[cfg(not(target_os = "none"))]
        {
            0
        }
    }

    #[cfg(target_os = "none")]
    fn here(&self) -> &core_pool::CorePool<T> {
        &self.cores[bsp::cpu::cpu_index() % bsp::cpu::boot::MAX_CPUS]
    }
}

impl<T> Default for Pool<T> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(any(target_os = "none", test))]
mod core_pool {
    use super::DEPTH;
    use core::cell::{Cell, UnsafeCell};
    use core::ptr::NonNull;
    use core::sync::atomic::{AtomicUsize, Ordering};

    /// One core's blocks: a stack of pointers to valid, unowned objects.
    pub struct CorePool<T> {
        busy: Cell<bool>,
        /// Atomic only so that statistics may read it from another core; only this core
        /// writes it (plain loads and stores, no read-modify-write).
        len: AtomicUsize,
        slots: UnsafeCell<[Option<NonNull<T>>; DEPTH]>,
    }

    // SAFETY: a `CorePool` is only used by the core it belongs to (`Pool::here`), with nothing
    // else running on that core meanwhile (module doc); `busy` turns a nested use into a no-op.
    // The objects it holds are unowned blocks handed between cores as `Pooled<T>` only when
    // `T: Send`.
    unsafe impl<T> Sync for CorePool<T> {}

    impl<T> CorePool<T> {
        pub const fn new() -> Self {
            CorePool {
                busy: Cell::new(false),
                len: AtomicUsize::new(0),
                slots: UnsafeCell::new([None; DEPTH]),
            }
        }

        pub fn len(&self) -> usize {
            self.len.load(Ordering::Relaxed)
        }

        /// Runs `f` on the slots unless this core is already inside its pool.
        fn with<R>(
            &self,
            f: impl FnOnce(&mut [Option<NonNull<T>>; DEPTH], &AtomicUsize) -> R,
        ) -> Option<R> {
            if self.busy.replace(true) {
                return None;
            }
            // SAFETY: `busy` was clear and is now set, so this is the only reference to the
            // slots on this core, and no other core uses this core's pool.
            let r = f(unsafe { &mut *self.slots.get() }, &self.len);
            self.busy.set(false);
            Some(r)
        }

        pub fn pop(&self) -> Option<NonNull<T>> {
            self.with(|slots, len| {
                let n = len.load(Ordering::Relaxed);
                if n == 0 {
                    return None;
                }
                len.store(n - 1, Ordering::Relaxed);
                slots[n - 1].take()
            })
            .flatten()
        }

        /// Keeps `p`; gives it back if the pool is full (or in use).
        pub fn push(&self, p: NonNull<T>) -> Result<(), NonNull<T>> {
            self.with(|slots, len| {
                let n = len.load(Ordering::Relaxed);
                if n == DEPTH {
                    return Err(p);
                }
                slots[n] = Some(p);
                len.store(n + 1, Ordering::Relaxed);
                Ok(())
            })
            .unwrap_or(Err(p))
        }
    }
}

/// An owning pointer to a `T` whose block comes from, and returns to, the per-core pool.
pub struct Pooled<T: Poolable>(NonNull<T>);

// SAFETY: a `Pooled<T>` owns its `T` exclusively, like a `Box<T>`.
unsafe impl<T: Poolable + Send> Send for Pooled<T> {}
// SAFETY: as for `Box<T>`: shared access to the pointer only gives `&T`.
unsafe impl<T: Poolable + Sync> Sync for Pooled<T> {}

impl<T: Poolable> Pooled<T> {
    /// An object from this core's share of `pool`, or a fresh one from the heap; `None` if the
    /// heap is out of memory.
    #[cfg_attr(not(target_os = "none"), allow(unused_variables))]
    pub fn try_new_in(pool: &'static Pool<T>) -> Option<Pooled<T>> {
        #[cfg(target_os = "none")]
        if let Some(p) = pool.here().pop() {
            return Some(Pooled(p));
        }
        Self::from_heap()
    }

    #[inline(never)]
    fn from_heap() -> Option<Pooled<T>> {
        // A pool holds a block per object: a zero-sized `T` has none (checked at compile time).
        const { assert!(core::mem::size_of::<T>() > 0) };
        let layout = Layout::new::<T>();
        // SAFETY: the layout is non-zero-sized (above).
        let p = NonNull::new(unsafe { alloc::alloc::alloc(layout) }.cast::<T>())?;
        // SAFETY: `p` is a fresh, suitably aligned block for one `T`; writing initialises it.
        unsafe { p.as_ptr().write(T::fresh()) };
        Some(Pooled(p))
    }

    /// Drops the object and frees its block.
    #[inline(never)]
    fn to_heap(p: NonNull<T>) {
        // SAFETY: `p` owns a valid `T` in a block from `from_heap` (or a pool, which only holds
        // such blocks) that nobody else references.
        unsafe {
            p.as_ptr().drop_in_place();
            alloc::alloc::dealloc(p.as_ptr().cast(), Layout::new::<T>());
        }
    }
}

impl<T: Poolable> Deref for Pooled<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the pointer owns a valid `T` for as long as `self` lives.
        unsafe { self.0.as_ref() }
    }
}

impl<T: Poolable> DerefMut for Pooled<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as for `deref`, and `&mut self` makes the access exclusive.
        unsafe { self.0.as_mut() }
    }
}

impl<T: Poolable> Drop for Pooled<T> {
    fn drop(&mut self) {
        #[cfg_attr(not(target_os = "none"), allow(unused_variables))]
        let pool = T::recycle(&mut **self);
        #[cfg(target_os = "none")]
        let Err(p) = pool.here().push(self.0) else {
            return;
        };
        #[cfg(not(target_os = "none"))]
        let p = self.0;
        Self::to_heap(p);
    }
}

#[cfg(test)]
mod tests {
    use super::core_pool::CorePool;
    use super::DEPTH;
    use core::ptr::NonNull;

    fn ptr(i: usize) -> NonNull<u64> {
        NonNull::new((0x1000 + 8 * i) as *mut u64).unwrap()
    }

    #[test]
    fn a_core_pool_is_a_stack_of_at_most_depth_blocks() {
        let p = CorePool::<u64>::new();
        assert!(p.pop().is_none());
        for i in 0..DEPTH {
            assert!(p.push(ptr(i)).is_ok());
        }
        assert_eq!(p.len(), DEPTH);
        // Full: the block goes back to the caller (to be freed to the heap).
        assert_eq!(p.push(ptr(99)), Err(ptr(99)));
        for i in (0..DEPTH).rev() {
            assert_eq!(p.pop(), Some(ptr(i)));
        }
        assert!(p.pop().is_none());
        assert_eq!(p.len(), 0);
    }
}
