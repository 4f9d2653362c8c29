//! The kernel heap: a buddy `Heap` for small allocations that grows from frames in 1 MiB steps,
//! and whole frames for large ones (message buffers), so that memory given back by a large
//! allocation returns to the frame allocator (the buddy heap never gives frames back).

use super::{
    alloc_frames, alloc_frames_uninit, free_frames, phys_to_virt, virt_to_phys, PAGE_SIZE,
};
use buddy_system_allocator::Heap;
use core::alloc::{GlobalAlloc, Layout};
use core::ptr::NonNull;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use spin::Mutex;

const GROW_FRAMES: usize = 256; // 1 MiB
const LOW_WATER: u64 = 512 * 1024;
/// Allocations of at least this size (and page alignment or less) take whole frames.
const LARGE: usize = 2 * PAGE_SIZE as usize;

/// The kernel's global allocator: a buddy heap that grows from frames, with large allocations
/// taking whole frames.
pub struct KernelHeap {
    heap: Mutex<Heap<32>>,
    growing: AtomicBool,
    free: AtomicU64,
    /// Bytes requested by live large allocations.
    large_used: AtomicU64,
}

impl KernelHeap {
    /// An empty heap (it grows on first use).
    pub const fn new() -> Self {
        KernelHeap {
            heap: Mutex::new(Heap::new()),
            growing: AtomicBool::new(false),
            free: AtomicU64::new(0),
            large_used: AtomicU64::new(0),
        }
    }

    fn update_free(&self, h: &Heap<32>) {
        self.free.store(
            (h.stats_total_bytes() - h.stats_alloc_actual()) as u64,
            Ordering::Relaxed,
        );
    }

    /// Adds one step of frames if no other core is doing so; returns whether memory was added.
    fn grow(&self, at_least: usize) -> bool {
        if super::frames_locked_here() {
            return false;
        }
        if self.growing.swap(true, Ordering::Acquire) {
            return false;
        }
        let frames = GROW_FRAMES.max(at_least.div_ceil(PAGE_SIZE as usize).next_power_of_two());
        let ok = match alloc_frames(frames) {
            Some(pa) => {
                let start = phys_to_virt(pa) as usize;
                let mut h = self.heap.lock();
                // SAFETY: the frames were just taken from the frame allocator and belong to the
                // heap from now on; they are mapped through the linear map.
                unsafe { h.add_to_heap(start, start + frames * PAGE_SIZE as usize) };
                HEAP_RANGES
                    .lock()
                    .push(start as u64, (start + frames * PAGE_SIZE as usize) as u64);
                self.update_free(&h);
                true
            }
            None => false,
        };
        self.growing.store(false, Ordering::Release);
        ok
    }

    /// Bytes handed out and not freed.
    pub fn used_bytes(&self) -> u64 {
        self.heap.lock().stats_alloc_user() as u64 + self.large_used.load(Ordering::Relaxed)
    }

    fn large_frames(layout: &Layout) -> usize {
        layout.size().div_ceil(PAGE_SIZE as usize)
    }
}

impl Default for KernelHeap {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: allocation and deallocation go through the buddy heap under its lock; growth adds only
// memory owned by nobody else.
unsafe impl GlobalAlloc for KernelHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.size() >= LARGE
            && layout.align() <= PAGE_SIZE as usize
            && !super::frames_locked_here()
        {
            return match alloc_frames_uninit(Self::large_frames(&layout)) {
                Some(pa) => {
                    self.large_used
                        .fetch_add(layout.size() as u64, Ordering::Relaxed);
                    phys_to_virt(pa) as *mut u8
                }
                None => core::ptr::null_mut(),
            };
        }
        for _ in 0..2 {
            let (ptr, low) = {
                let mut h = self.heap.lock();
                let r = h.alloc(layout);
                self.update_free(&h);
                (r, self.free.load(Ordering::Relaxed) < LOW_WATER)
            };
            if low {
                self.grow(0);
            }
            if let Ok(p) = ptr {
                return p.as_ptr();
            }
            if !self.grow(layout.size() + layout.align()) {
                break;
            }
        }
        core::ptr::null_mut()
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if layout.size() >= LARGE
            && layout.align() <= PAGE_SIZE as usize
            && is_frame_allocation(ptr)
        {
            self.large_used
                .fetch_sub(layout.size() as u64, Ordering::Relaxed);
            free_frames(virt_to_phys(ptr as u64), Self::large_frames(&layout));
            return;
        }
        let mut h = self.heap.lock();
        if let Some(p) = NonNull::new(ptr) {
            // SAFETY: `ptr` came from this heap's `alloc` with the same layout (GlobalAlloc contract).
            unsafe { h.dealloc(p, layout) };
        }
        self.update_free(&h);
    }
}

/// Whether a large layout's memory came from frames: it did unless it lies in the buddy heap's
/// own ranges (large layouts go to the buddy heap only while this core holds the frame lock).
fn is_frame_allocation(ptr: *mut u8) -> bool {
    let a = ptr as u64;
    a.is_multiple_of(PAGE_SIZE) && !HEAP_RANGES.lock().iter().any(|&(s, e)| a >= s && a < e)
}

/// Virtual ranges given to the buddy heap (the boot arena and each growth step).
static HEAP_RANGES: Mutex<heapless_ranges::Ranges> = Mutex::new(heapless_ranges::Ranges::new());

mod heapless_ranges {
    /// A fixed list of ranges: the heap grows in 1 MiB steps, so 4096 entries cover 4 GiB.
    pub struct Ranges {
        r: [(u64, u64); 4096],
        n: usize,
    }
    impl Ranges {
        pub const fn new() -> Self {
            Ranges {
                r: [(0, 0); 4096],
                n: 0,
            }
        }
        pub fn push(&mut self, s: u64, e: u64) {
            if let Some(last) = self.r[..self.n].last_mut() {
                if last.1 == s {
                    last.1 = e;
                    return;
                }
            }
            if self.n < self.r.len() {
                self.r[self.n] = (s, e);
                self.n += 1;
            }
        }
        pub fn iter(&self) -> impl Iterator<Item = &(u64, u64)> {
            self.r[..self.n].iter()
        }
    }
}

#[cfg(target_os = "none")]
#[global_allocator]
/// The kernel heap.
pub static HEAP: KernelHeap = KernelHeap::new();

/// Free bytes inside the heap (not counting frames it could still grow into).
pub fn free_bytes() -> u64 {
    #[cfg(target_os = "none")]
    {
        HEAP.free.load(Ordering::Relaxed)
    }
    #[cfg(not(target_os = "none"))]
    {
        u64::MAX / 4
    }
}

/// Bytes handed out by the heap (`heap_used_bytes`).
pub fn used_bytes() -> u64 {
    #[cfg(target_os = "none")]
    {
        HEAP.used_bytes()
    }
    #[cfg(not(target_os = "none"))]
    {
        0
    }
}

/// The heap's first memory, before the frame allocator exists (its own bookkeeping allocates).
#[cfg(target_os = "none")]
static mut BOOT_ARENA: [u64; 64 * 1024] = [0; 64 * 1024];

/// Gives the heap its static boot arena (512 KiB); call before anything allocates.
pub fn init_boot_arena() {
    #[cfg(target_os = "none")]
    {
        let start = (&raw mut BOOT_ARENA) as usize;
        let mut h = HEAP.heap.lock();
        // SAFETY: the arena is a static used by nothing else, added once at boot.
        unsafe { h.add_to_heap(start, start + core::mem::size_of::<[u64; 64 * 1024]>()) };
        HEAP_RANGES.lock().push(
            start as u64,
            (start + core::mem::size_of::<[u64; 64 * 1024]>()) as u64,
        );
        HEAP.update_free(&h);
    }
}

/// Seeds the heap with its first step of frames.
pub fn init() -> bool {
    #[cfg(target_os = "none")]
    {
        HEAP.grow(0)
    }
    #[cfg(not(target_os = "none"))]
    {
        true
    }
}
