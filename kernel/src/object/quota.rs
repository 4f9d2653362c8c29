//! Fair shares of kernel memory: every message a process writes is charged, bytes and carried
//! handles, to that process's [`Account`] until the message is gone (read, discarded or torn
//! down). A write that would take the writer over its limit fails with `NO_MEMORY` and sends
//! nothing, so one process flooding channels that nobody reads runs into its own limit, not the
//! kernel's end of memory, and every other process keeps working.
//!
//! The limit is the same for every process: the `ipc_quota=` boot argument, by default one
//! eighth of the RAM the kernel manages (at least [`MIN_QUOTA`]); see docs/design.md.

use alloc::sync::Arc;
use core::sync::atomic::{AtomicUsize, Ordering};
use zx_abi::Status;

/// The smallest default limit, whatever the RAM.
pub const MIN_QUOTA: usize = 1 << 20;

/// The per-process limit for accounts made from now on; set once at boot.
static DEFAULT_LIMIT: AtomicUsize = AtomicUsize::new(usize::MAX);

/// Sets the limit of accounts made from now on (boot, before the first process).
fn set_default_limit(bytes: usize) {
    DEFAULT_LIMIT.store(bytes, Ordering::Relaxed);
}

/// Sets the limit at boot: `requested` (`ipc_quota=`), else the default for `ram_bytes`.
/// Returns the limit.
pub fn configure(requested: Option<usize>, ram_bytes: u64) -> usize {
    let limit = requested.unwrap_or_else(|| default_for_ram(ram_bytes));
    set_default_limit(limit);
    limit
}

/// The limit a new account gets.
fn default_limit() -> usize {
    DEFAULT_LIMIT.load(Ordering::Relaxed)
}

/// The default when no `ipc_quota=` is given: an eighth of `ram_bytes`, at least [`MIN_QUOTA`].
pub fn default_for_ram(ram_bytes: u64) -> usize {
    usize::try_from(ram_bytes / 8)
        .unwrap_or(usize::MAX)
        .max(MIN_QUOTA)
}

/// What one process's queued messages hold of kernel memory, and its limit.
pub struct Account {
    used: AtomicUsize,
    limit: usize,
}

impl Account {
    /// An account with the boot-time default limit.
    pub fn new() -> Arc<Account> {
        Self::with_limit(default_limit())
    }

    /// An account that may hold at most `limit` bytes.
    pub fn with_limit(limit: usize) -> Arc<Account> {
        Arc::new(Account {
            used: AtomicUsize::new(0),
            limit,
        })
    }

    /// Bytes charged now.
    pub fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    /// The most this account may hold.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Charges `bytes`, or `NO_MEMORY` (and no charge) if that would pass the limit. The charge
    /// is returned when the [`Charge`] is dropped.
    pub fn charge(self: &Arc<Self>, bytes: usize) -> Result<Charge, Status> {
        let mut cur = self.used.load(Ordering::Relaxed);
        loop {
            let new = cur
                .checked_add(bytes)
                .filter(|&n| n <= self.limit)
                .ok_or(Status::NO_MEMORY)?;
            match self
                .used
                .compare_exchange_weak(cur, new, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => {
                    return Ok(Charge {
                        account: Some(self.clone()),
                        bytes,
                    })
                }
                Err(now) => cur = now,
            }
        }
    }
}

/// Bytes charged to an account; given back on drop. [`Charge::none`] is charged to nobody
/// (messages the kernel itself sends).
pub struct Charge {
    account: Option<Arc<Account>>,
    bytes: usize,
}

impl Charge {
    /// A charge to nobody.
    pub const fn none() -> Charge {
        Charge {
            account: None,
            bytes: 0,
        }
    }

    /// The bytes charged.
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

impl Drop for Charge {
    fn drop(&mut self) {
        if let Some(a) = &self.account {
            a.used.fetch_sub(self.bytes, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_up_to_the_limit_and_refuses_beyond_it() {
        let a = Account::with_limit(100);
        let c1 = a.charge(60).unwrap();
        assert_eq!(a.used(), 60);
        assert_eq!(a.charge(41).err(), Some(Status::NO_MEMORY));
        assert_eq!(a.used(), 60, "a refused charge takes nothing");
        let c2 = a.charge(40).unwrap();
        assert_eq!(a.used(), 100);
        drop(c1);
        assert_eq!(a.used(), 40);
        drop(c2);
        assert_eq!(a.used(), 0);
    }

    #[test]
    fn a_huge_charge_is_refused_not_wrapped() {
        let a = Account::with_limit(usize::MAX);
        let _c = a.charge(10).unwrap();
        assert_eq!(a.charge(usize::MAX).err(), Some(Status::NO_MEMORY));
        assert_eq!(a.used(), 10);
    }

    #[test]
    fn a_charge_outlives_the_accounts_owner() {
        let a = Account::with_limit(10);
        let c = a.charge(10).unwrap();
        let weak = Arc::downgrade(&a);
        drop(a);
        assert!(weak.upgrade().is_some(), "the charge keeps the account");
        drop(c);
        assert!(weak.upgrade().is_none());
    }

    #[test]
    fn the_default_is_an_eighth_of_ram_with_a_floor() {
        assert_eq!(default_for_ram(256 << 20), 32 << 20);
        assert_eq!(default_for_ram(4 << 20), MIN_QUOTA);
        assert_eq!(Charge::none().bytes(), 0);
    }

    #[test]
    fn concurrent_charges_never_pass_the_limit() {
        let a = Account::with_limit(1000);
        let threads: std::vec::Vec<_> = (0..4)
            .map(|_| {
                let a = a.clone();
                std::thread::spawn(move || {
                    let mut held = std::vec::Vec::new();
                    for _ in 0..1000 {
                        if let Ok(c) = a.charge(7) {
                            assert!(a.used() <= 1000);
                            held.push(c);
                        }
                        if held.len() > 50 {
                            held.clear();
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(a.used(), 0);
    }
}
