//! A process's handle table: handle values with generation and per-process salt, so stale and
//! foreign values give `ZX_ERR_BAD_HANDLE`.
//!
//! A value is `((payload ^ salt) << 2) | 0b11` with `payload = generation << 18 | index`: the two
//! low bits are always set (docs/abi.md section 3) and the value is never `ZX_HANDLE_INVALID`. Freed
//! slots are reused first-in first-out and every reuse bumps the slot's generation, so a closed
//! value comes back only after 4096 reuses of its slot.

use super::Handle;
use alloc::collections::VecDeque;
use alloc::vec::Vec;
use zx_abi::Status;

const INDEX_BITS: u32 = 18;
const GEN_BITS: u32 = 12;
/// Most handles one process may hold.
pub const MAX_HANDLES: usize = 1 << INDEX_BITS;
const PAYLOAD_MASK: u32 = (1 << (INDEX_BITS + GEN_BITS)) - 1;

struct Slot {
    generation: u16,
    handle: Option<Handle>,
}

/// Slots per page of the table.
const PAGE_SLOTS: usize = 512;

/// The slots, in pages of [`PAGE_SLOTS`]: growing the table allocates a page and never moves
/// the slots already there (a flat `Vec` of 2^18 slots would copy megabytes when it doubles,
/// inside one syscall).
#[derive(Default)]
struct Slots {
    pages: Vec<Vec<Slot>>,
    len: usize,
}

impl Slots {
    fn len(&self) -> usize {
        self.len
    }
    fn capacity(&self) -> usize {
        self.pages.len() * PAGE_SLOTS
    }
    fn get(&self, i: usize) -> Option<&Slot> {
        if i >= self.len {
            return None;
        }
        self.pages.get(i / PAGE_SLOTS)?.get(i % PAGE_SLOTS)
    }
    /// Room for `n` more slots without allocating in `push`.
    fn try_reserve(&mut self, n: usize) -> Result<(), alloc::collections::TryReserveError> {
        let want_pages = (self.len + n).div_ceil(PAGE_SLOTS);
        if want_pages > self.pages.len() {
            self.pages.try_reserve(want_pages - self.pages.len())?;
        }
        while self.pages.len() < want_pages {
            let mut p = Vec::new();
            p.try_reserve_exact(PAGE_SLOTS)?;
            self.pages.push(p);
        }
        Ok(())
    }
    /// Appends a slot; room was reserved.
    fn push(&mut self, s: Slot) {
        if let Some(p) = self.pages.get_mut(self.len / PAGE_SLOTS) {
            p.push(s);
            self.len += 1;
        }
    }
    fn iter(&self) -> impl Iterator<Item = &Slot> {
        self.pages.iter().flat_map(|p| p.iter())
    }
}

impl core::ops::Index<usize> for Slots {
    type Output = Slot;
    fn index(&self, i: usize) -> &Slot {
        &self.pages[i / PAGE_SLOTS][i % PAGE_SLOTS]
    }
}

impl core::ops::IndexMut<usize> for Slots {
    fn index_mut(&mut self, i: usize) -> &mut Slot {
        &mut self.pages[i / PAGE_SLOTS][i % PAGE_SLOTS]
    }
}

/// One process's handles, by handle value: the values it installs are salted per table and
/// carry a slot generation (see the module documentation).
pub struct HandleTable {
    slots: Slots,
    free: VecDeque<u32>,
    salt: u32,
    live: usize,
    /// No slot at or above this index holds a handle (keeps `pop_any` linear over a teardown).
    high: usize,
}

impl HandleTable {
    /// An empty table; `seed` (e.g. the process koid) picks the salt.
    pub fn new(seed: u64) -> Self {
        // A 64-bit mix (splitmix64 finaliser) so neighbouring processes get unrelated values.
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        HandleTable {
            slots: Slots::default(),
            free: VecDeque::new(),
            salt: (z as u32) & PAYLOAD_MASK,
            live: 0,
            high: 0,
        }
    }

    /// How many handles the table holds.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether the table holds no handle.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    fn encode(&self, index: u32, generation: u16) -> u32 {
        let payload = ((u32::from(generation) << INDEX_BITS) | index) & PAYLOAD_MASK;
        ((payload ^ self.salt) << 2) | 0b11
    }

    fn decode(&self, value: u32) -> Option<usize> {
        if value & 0b11 != 0b11 {
            return None;
        }
        let payload = (value >> 2) ^ self.salt;
        let index = (payload & ((1 << INDEX_BITS) - 1)) as usize;
        let generation = (payload >> INDEX_BITS) as u16;
        let slot = self.slots.get(index)?;
        (slot.handle.is_some() && slot.generation == generation).then_some(index)
    }

    /// Makes room so the next `n` [`add`](Self::add)s cannot fail (nor allocate), and so every
    /// slot can later go on the free list without allocating.
    pub fn reserve(&mut self, n: usize) -> Result<(), Status> {
        if self.slots.len() + n > MAX_HANDLES {
            // Reusing freed slots still works when the table is at its size limit.
            return if self.free.len() >= n {
                Ok(())
            } else {
                Err(Status::NO_RESOURCES)
            };
        }
        self.slots.try_reserve(n).map_err(|_| Status::NO_MEMORY)?;
        let want = self.slots.len() + n;
        self.free
            .try_reserve(want.saturating_sub(self.free.len()))
            .map_err(|_| Status::NO_MEMORY)?;
        Ok(())
    }

    /// Installs `h`, returning its value; on failure the handle comes back to the caller.
    pub fn add(&mut self, h: Handle) -> Result<u32, (Status, Handle)> {
        // Reuse a freed slot once a few are waiting (so a value just closed is not the next one
        // handed out), or whenever a new slot would need memory that was not reserved.
        let grow_free = self.slots.len() < self.slots.capacity() && self.slots.len() < MAX_HANDLES;
        let index = if !self.free.is_empty() && (self.free.len() > 8 || !grow_free) {
            self.free.pop_front().unwrap_or(0)
        } else {
            if let Err(s) = self.reserve(1) {
                return Err((s, h));
            }
            self.slots.push(Slot {
                generation: 0,
                handle: None,
            });
            (self.slots.len() - 1) as u32
        };
        let slot = &mut self.slots[index as usize];
        slot.handle = Some(h);
        self.live += 1;
        self.high = self.high.max(index as usize + 1);
        let g = slot.generation;
        Ok(self.encode(index, g))
    }

    /// The handle installed as `value`; `BAD_HANDLE` if the value is not one of this table's
    /// live handles.
    pub fn get(&self, value: u32) -> Result<&Handle, Status> {
        let i = self.decode(value).ok_or(Status::BAD_HANDLE)?;
        self.slots[i].handle.as_ref().ok_or(Status::BAD_HANDLE)
    }

    /// Takes the handle out of the table (the caller drops it outside any object lock).
    pub fn remove(&mut self, value: u32) -> Result<Handle, Status> {
        let i = self.decode(value).ok_or(Status::BAD_HANDLE)?;
        let slot = &mut self.slots[i];
        let h = slot.handle.take().ok_or(Status::BAD_HANDLE)?;
        // Waits through this handle learn that it left (it may be moved, not closed).
        h.object().header().note_removal();
        slot.generation = (slot.generation + 1) & ((1 << GEN_BITS) - 1);
        // `free` has room for every slot (see `reserve`), so this does not allocate.
        if self.free.try_reserve(1).is_ok() {
            self.free.push_back(i as u32);
        }
        self.live -= 1;
        Ok(h)
    }

    /// Takes any one handle out (process teardown closes them one at a time).
    pub fn pop_any(&mut self) -> Option<Handle> {
        // Scan down from the highest slot ever used: closing every handle of a process costs
        // time linear in the table, not quadratic (a process may hold 2^18 handles).
        while self.high > 0 && self.slots[self.high - 1].handle.is_none() {
            self.high -= 1;
        }
        let i = self.high.checked_sub(1)?;
        let value = self.encode(i as u32, self.slots[i].generation);
        self.remove(value).ok()
    }

    /// Once no handle is left, frees the last page of slots and says whether there was one:
    /// an ending process gives its table back a page at a time (dropping 2^18 empty slots at
    /// once takes milliseconds).
    pub fn release_page(&mut self) -> bool {
        if self.live != 0 {
            return false;
        }
        // The free list names slots of the pages about to go: start it again.
        self.free = VecDeque::new();
        let Some(page) = self.slots.pages.pop() else {
            return false;
        };
        drop(page);
        self.slots.len = self.slots.pages.len() * PAGE_SLOTS;
        self.high = self.high.min(self.slots.len);
        true
    }

    /// Every live handle.
    pub fn iter(&self) -> impl Iterator<Item = &Handle> {
        self.slots.iter().filter_map(|s| s.handle.as_ref())
    }
}

impl Drop for HandleTable {
    fn drop(&mut self) {
        // Close one at a time so teardown of what they hold stays iterative.
        while let Some(h) = self.pop_any() {
            drop(h);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::event::Event;
    use zx_abi::Rights;

    fn ev() -> Handle {
        Handle::new(Event::new(), Rights::DEFAULT_EVENT)
    }

    #[test]
    fn values_have_low_bits_set_and_are_never_invalid() {
        let mut t = HandleTable::new(7);
        for _ in 0..100 {
            let v = t.add(ev()).ok().unwrap();
            assert_eq!(v & 3, 3);
            assert_ne!(v, 0);
        }
    }

    #[test]
    fn stale_value_after_close_is_bad_handle() {
        let mut t = HandleTable::new(1);
        let v = t.add(ev()).ok().unwrap();
        drop(t.remove(v).unwrap());
        assert_eq!(t.get(v).err(), Some(Status::BAD_HANDLE));
        assert_eq!(t.remove(v).err(), Some(Status::BAD_HANDLE));
        // Reusing slots never hands the closed value out again soon.
        for _ in 0..1000 {
            let w = t.add(ev()).ok().unwrap();
            assert_ne!(w, v);
            drop(t.remove(w).unwrap());
        }
    }

    #[test]
    fn another_tables_values_are_not_valid_here() {
        let mut a = HandleTable::new(100);
        let mut b = HandleTable::new(101);
        let va: Vec<u32> = (0..16).map(|_| a.add(ev()).ok().unwrap()).collect();
        let _vb: Vec<u32> = (0..16).map(|_| b.add(ev()).ok().unwrap()).collect();
        let valid_in_b = va.iter().filter(|v| b.get(**v).is_ok()).count();
        assert_eq!(valid_in_b, 0);
    }

    #[test]
    fn garbage_values_are_rejected() {
        let mut t = HandleTable::new(3);
        let v = t.add(ev()).ok().unwrap();
        for bad in [0u32, 1, 2, v & !1, v ^ 4, u32::MAX, 0xffff_fff3] {
            if bad != v {
                assert_eq!(t.get(bad).err(), Some(Status::BAD_HANDLE), "{bad:#x}");
            }
        }
    }

    #[test]
    fn dropping_the_table_closes_every_handle() {
        let e = Event::new();
        let mut t = HandleTable::new(9);
        for _ in 0..5 {
            let _ = t
                .add(Handle::new(e.clone(), Rights::DEFAULT_EVENT))
                .ok()
                .unwrap();
        }
        assert_eq!(e.header.handle_count(), 5);
        drop(t);
        assert_eq!(e.header.handle_count(), 0);
    }

    #[test]
    fn a_table_spanning_many_pages_keeps_its_handles_and_gives_pages_back_once_empty() {
        let e = Event::new();
        let mut t = HandleTable::new(3);
        let n = 3 * PAGE_SLOTS + 7;
        let mut vals = Vec::new();
        for _ in 0..n {
            vals.push(
                t.add(Handle::new(e.clone(), Rights::DEFAULT_EVENT))
                    .ok()
                    .unwrap(),
            );
        }
        assert_eq!(t.slots.pages.len(), 4);
        for v in &vals {
            assert!(t.get(*v).is_ok());
        }
        // Pages are given back only once the table is empty.
        assert!(!t.release_page());
        while let Some(h) = t.pop_any() {
            drop(h);
        }
        let mut released = 0;
        while t.release_page() {
            released += 1;
        }
        assert_eq!(released, 4);
        assert_eq!(e.header.handle_count(), 0);
        // Stale values stay stale; the table still works.
        assert_eq!(t.get(vals[0]).err(), Some(Status::BAD_HANDLE));
        let v = t
            .add(Handle::new(e.clone(), Rights::DEFAULT_EVENT))
            .ok()
            .unwrap();
        assert!(t.get(v).is_ok());
    }
}
