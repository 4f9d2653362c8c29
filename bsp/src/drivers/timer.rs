//! ARM generic timer, EL1 physical timer (ARM ARM D11 "The Generic Timer in AArch64 state"):
//! the monotonic clock from `CNTPCT_EL0` and one-shot deadlines through `CNTP_CVAL_EL0`.

use aarch64_cpu::registers::{
    Readable, Writeable, CNTFRQ_EL0, CNTKCTL_EL1, CNTPCT_EL0, CNTP_CTL_EL0, CNTP_CVAL_EL0,
};

/// Counter frequency in Hz.
pub fn frequency() -> u64 {
    CNTFRQ_EL0.get()
}

/// Current counter value without a barrier: it may be read a few instructions early or late,
/// which is fine for coarse measures (how long a core ran masked) and saves the `isb`.
#[inline]
pub fn ticks_relaxed() -> u64 {
    CNTPCT_EL0.get()
}

/// Current counter value (ordered after earlier instructions by an `isb`).
pub fn ticks() -> u64 {
    aarch64_cpu::asm::barrier::isb(aarch64_cpu::asm::barrier::SY);
    CNTPCT_EL0.get()
}

/// Fires this core's timer interrupt when the counter reaches `deadline_ticks`.
pub fn set_deadline(deadline_ticks: u64) {
    CNTP_CVAL_EL0.set(deadline_ticks);
    CNTP_CTL_EL0.write(CNTP_CTL_EL0::ENABLE::SET + CNTP_CTL_EL0::IMASK::CLEAR);
}

/// Stops this core's timer interrupt.
pub fn disarm() {
    CNTP_CTL_EL0.write(CNTP_CTL_EL0::ENABLE::CLEAR + CNTP_CTL_EL0::IMASK::SET);
}

/// Lets EL0 read `CNTVCT_EL0`, `CNTPCT_EL0` and `CNTFRQ_EL0` (docs/abi.md section 5).
pub fn allow_el0_counter() {
    CNTKCTL_EL1.write(CNTKCTL_EL1::EL0VCTEN::SET + CNTKCTL_EL1::EL0PCTEN::SET);
}

/// Nanoseconds to counter ticks at `freq`, saturating.
pub fn ns_to_ticks(ns: u64, freq: u64) -> u64 {
    ((u128::from(ns) * u128::from(freq)) / 1_000_000_000).min(u128::from(u64::MAX)) as u64
}

/// Counter ticks to nanoseconds at `freq`, saturating.
pub fn ticks_to_ns(ticks: u64, freq: u64) -> u64 {
    if freq == 0 {
        return 0;
    }
    ((u128::from(ticks) * 1_000_000_000) / u128::from(freq)).min(u128::from(u64::MAX)) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_conversions_round_trip_at_both_board_frequencies() {
        assert_eq!(ns_to_ticks(1_000_000, 62_500_000), 62_500);
        assert_eq!(ticks_to_ns(62_500, 62_500_000), 1_000_000);
        assert_eq!(ns_to_ticks(123, 1_000_000_000), 123);
        assert_eq!(ns_to_ticks(u64::MAX, 1_000_000_000), u64::MAX);
        assert_eq!(ticks_to_ns(5, 0), 0);
    }
}
