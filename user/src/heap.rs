//! The program's heap, so that `alloc` (`Vec`, `Box`) works: a buddy allocator over a static
//! arena in `.bss`. The kernel has no VMOs yet, so the arena cannot grow; an allocation beyond it
//! fails like any out-of-memory (`alloc` then aborts the program through the panic handler).
//! Programs that allocate nothing keep no arena: the linker drops it with the allocator.

use buddy_system_allocator::Heap;
use core::alloc::{GlobalAlloc, Layout};
use core::ptr::NonNull;
use spin::Mutex;

/// Size of the arena in bytes.
pub const HEAP_SIZE: usize = 512 * 1024;

#[repr(C, align(4096))]
struct Arena([u8; HEAP_SIZE]);
static mut ARENA: Arena = Arena([0; HEAP_SIZE]);

struct Allocator(Mutex<Option<Heap<20>>>);

impl Allocator {
    fn with<R>(&self, f: impl FnOnce(&mut Heap<20>) -> R) -> R {
        let mut g = self.0.lock();
        let heap = g.get_or_insert_with(|| {
            let mut h = Heap::new();
            // SAFETY: the arena is used by nothing else, and this runs once (under the lock).
            unsafe { h.init(&raw mut ARENA as usize, HEAP_SIZE) };
            h
        });
        f(heap)
    }
}

// SAFETY: every allocation comes from the buddy heap, which hands out disjoint blocks of at
// least the layout's size and alignment; the lock serialises the threads of the process.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.with(|h| {
            h.alloc(layout)
                .map_or(core::ptr::null_mut(), |p| p.as_ptr())
        })
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if let Some(p) = NonNull::new(ptr) {
            // SAFETY: the caller passes a block this allocator returned, with its layout.
            self.with(|h| unsafe { h.dealloc(p, layout) })
        }
    }
}

#[global_allocator]
static ALLOCATOR: Allocator = Allocator(Mutex::new(None));
