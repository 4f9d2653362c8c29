//! Physical memory: the frame allocator (`buddy_system_allocator::FrameAllocator`) over RAM minus
//! reserved regions, the kernel heap that grows from it, and the linear map (`va = pa +
//! LINEAR_BASE`).
//!
//! Lock order: `FRAMES` before the heap lock. The heap never takes `FRAMES` while it holds its
//! own lock: it grows *after* an allocation, when its free space falls under a low-water mark,
//! so the frame allocator's own (small) allocations always find room.

pub mod heap;
pub mod pool;

use bsp::addr::PhysAddr;
use bsp::cpu::boot::LINEAR_BASE;
use buddy_system_allocator::FrameAllocator;
use core::sync::atomic::{AtomicU64, Ordering};
use spin::Mutex;
use zx_abi::Status;

/// The page and frame size: the MMU granule, defined once in `bsp::addr`.
pub use bsp::addr::PAGE_SIZE;

static FRAMES: Mutex<FrameAllocator<32>> = Mutex::new(FrameAllocator::new());
/// CPU index + 1 of the holder of `FRAMES` (0: free). The allocator's own bookkeeping allocates
/// from the heap; the heap must not try to grow from frames on the core that holds the lock.
static FRAMES_OWNER: AtomicU64 = AtomicU64::new(0);

fn this_cpu() -> u64 {
    #[cfg(target_os = "none")]
    {
        bsp::cpu::cpu_index() as u64 + 1
    }
    #[cfg(not(target_os = "none"))]
    {
        1
    }
}

/// Runs `f` with the frame allocator locked.
fn with_frames<R>(f: impl FnOnce(&mut FrameAllocator<32>) -> R) -> R {
    let mut g = FRAMES.lock();
    FRAMES_OWNER.store(this_cpu(), Ordering::Relaxed);
    let r = f(&mut g);
    FRAMES_OWNER.store(0, Ordering::Relaxed);
    r
}

/// True if this core holds the frame allocator's lock.
pub fn frames_locked_here() -> bool {
    FRAMES_OWNER.load(Ordering::Relaxed) == this_cpu()
}
static FREE_FRAMES: AtomicU64 = AtomicU64::new(0);
static TOTAL_FRAMES: AtomicU64 = AtomicU64::new(0);

/// Memory the kernel keeps back so that a syscall that passed [`check_available`] can finish its
/// small infallible allocations (objects, table slots) on every core at once.
pub const RESERVE_BYTES: u64 = 2 * 1024 * 1024;

/// Kernel virtual address of physical `pa` through the linear map.
pub fn phys_to_virt(pa: PhysAddr) -> u64 {
    pa.0 + LINEAR_BASE
}

/// Physical address of a linear-map virtual address.
pub fn virt_to_phys(va: u64) -> PhysAddr {
    PhysAddr(va - LINEAR_BASE)
}

/// Calls `f` for each part of RAM `[start, end)` that no range in `reserved` (`(base, size)`)
/// overlaps. Ranges are few, so the recursion depth is bounded by their count.
pub fn usable_ranges(start: u64, end: u64, reserved: &[(u64, u64)], f: &mut impl FnMut(u64, u64)) {
    if start >= end {
        return;
    }
    for (i, &(rb, rs)) in reserved.iter().enumerate() {
        let re = rb.saturating_add(rs);
        if rs == 0 || re <= start || rb >= end {
            continue;
        }
        if rb > start {
            usable_ranges(start, rb, &reserved[i + 1..], f);
        }
        if re < end {
            usable_ranges(re, end, &reserved[i + 1..], f);
        }
        return;
    }
    f(start, end);
}

/// Frames `[start, end)` contributes: page-aligned inward.
pub fn frames_in(start: u64, end: u64) -> u64 {
    let s = start.div_ceil(PAGE_SIZE);
    let e = end / PAGE_SIZE;
    e.saturating_sub(s)
}

/// Adds `[start, end)` (page-aligned inward) to the frame allocator.
pub fn add_ram(start: u64, end: u64) {
    let s = start.div_ceil(PAGE_SIZE);
    let e = end / PAGE_SIZE;
    debug_assert_eq!(frames_in(start, end), e.saturating_sub(s));
    if e > s {
        with_frames(|f| f.add_frame(s as usize, e as usize));
        FREE_FRAMES.fetch_add(e - s, Ordering::Relaxed);
        TOTAL_FRAMES.fetch_add(e - s, Ordering::Relaxed);
    }
}

/// Allocates `count` contiguous frames (aligned to the next power of two), zeroed.
pub fn alloc_frames(count: usize) -> Option<PhysAddr> {
    let pa = alloc_frames_uninit(count)?;
    // SAFETY: the frames were just handed out and are reachable through the linear map.
    unsafe { core::ptr::write_bytes(phys_to_virt(pa) as *mut u8, 0, count * PAGE_SIZE as usize) };
    Some(pa)
}

/// Allocates `count` contiguous frames without clearing them (the heap's large allocations).
pub fn alloc_frames_uninit(count: usize) -> Option<PhysAddr> {
    let f = with_frames(|f| f.alloc(count))?;
    FREE_FRAMES.fetch_sub(count.next_power_of_two() as u64, Ordering::Relaxed);
    Some(PhysAddr(f as u64 * PAGE_SIZE))
}

/// Returns frames from [`alloc_frames`].
pub fn free_frames(pa: PhysAddr, count: usize) {
    with_frames(|f| f.dealloc((pa.0 / PAGE_SIZE) as usize, count));
    FREE_FRAMES.fetch_add(count.next_power_of_two() as u64, Ordering::Relaxed);
}

/// One zeroed frame.
pub fn alloc_frame() -> Option<PhysAddr> {
    alloc_frames(1)
}

/// Gives back one frame from [`alloc_frame`].
pub fn free_frame(pa: PhysAddr) {
    free_frames(pa, 1)
}

/// Bytes of free frames.
pub fn free_bytes() -> u64 {
    FREE_FRAMES.load(Ordering::Relaxed) * PAGE_SIZE
}

/// Bytes of all frames the allocator was given.
pub fn total_bytes() -> u64 {
    TOTAL_FRAMES.load(Ordering::Relaxed) * PAGE_SIZE
}

/// `ZX_ERR_NO_MEMORY` unless `bytes` more can be allocated while keeping [`RESERVE_BYTES`] back.
/// Every syscall that creates kernel memory calls this before allocating.
pub fn check_available(bytes: u64) -> Result<(), Status> {
    let avail = free_bytes() + heap::free_bytes();
    if avail >= bytes.saturating_add(RESERVE_BYTES) {
        Ok(())
    } else {
        Err(Status::NO_MEMORY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(start: u64, end: u64, reserved: &[(u64, u64)]) -> Vec<(u64, u64)> {
        let mut v = Vec::new();
        usable_ranges(start, end, reserved, &mut |s, e| v.push((s, e)));
        v.sort();
        v
    }

    #[test]
    fn reserved_ranges_are_cut_out_of_ram() {
        // virt: RAM 0x4000_0000 + 256 MiB, image at +0x80000 (2 MiB block reserved), DTB, initrd.
        let ram = (0x4000_0000, 0x5000_0000);
        let res = [
            (0x4000_0000, 0x40_0000),
            (0x4800_0000, 0x1_0000),
            (0x4400_0000, 0x2000),
            (0, 0x1000),
        ];
        assert_eq!(
            collect(ram.0, ram.1, &res),
            vec![
                (0x4040_0000, 0x4400_0000),
                (0x4400_2000, 0x4800_0000),
                (0x4801_0000, 0x5000_0000)
            ]
        );
    }

    #[test]
    fn overlapping_and_enclosing_reservations_leave_nothing_twice() {
        assert_eq!(
            collect(0, 0x10000, &[(0x1000, 0x3000), (0x2000, 0x4000)]),
            vec![(0, 0x1000), (0x6000, 0x10000)]
        );
        assert_eq!(collect(0x1000, 0x2000, &[(0, 0x10000)]), vec![]);
        assert_eq!(collect(0, 0x1000, &[(0, 0)]), vec![(0, 0x1000)]);
        assert_eq!(
            collect(0, u64::MAX, &[(u64::MAX - 10, 100)]),
            vec![(0, u64::MAX - 10)]
        );
    }

    #[test]
    fn frame_accounting_rounds_partial_pages_inward() {
        assert_eq!(frames_in(0, 0x1000), 1);
        assert_eq!(frames_in(0x10, 0x2000), 1);
        assert_eq!(frames_in(0x10, 0x1ff0), 0);
        assert_eq!(frames_in(0x2000, 0x1000), 0);
        // The counted frames equal the sum over the usable pieces.
        let mut total = 0;
        usable_ranges(
            0x4000_0000,
            0x4800_0000,
            &[(0x4008_0000, 0x12345)],
            &mut |s, e| total += frames_in(s, e),
        );
        assert_eq!(total, (0x800_0000 - 0x13000) / 0x1000);
    }
}
