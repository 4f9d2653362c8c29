//! User range arithmetic, the first step of usercopy: a range must not overflow and must lie
//! entirely in the user half (below 2^47). Pure, host-tested.

use zx_abi::Status;

/// The page size (`bsp::addr::PAGE_SIZE`), under the name usercopy uses.
pub use bsp::addr::PAGE_SIZE as PAGE;
/// End of the user address range: nothing of a program is mapped at or above 2^47 (docs/abi.md
/// section 5), the lower half of TTBR0's 48-bit space. Defined once, in `bsp::mmu`.
pub use bsp::mmu::USER_VA_END;

/// `INVALID_ARGS` unless `[va, va+len)` is free of overflow and below [`USER_VA_END`].
pub fn check_range(va: u64, len: u64) -> Result<(), Status> {
    let end = va.checked_add(len).ok_or(Status::INVALID_ARGS)?;
    if end > USER_VA_END {
        return Err(Status::INVALID_ARGS);
    }
    Ok(())
}

/// First and last page of a non-empty range that passed [`check_range`].
pub fn page_span(va: u64, len: u64) -> (u64, u64) {
    (va & !(PAGE - 1), (va + len - 1) & !(PAGE - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_inside_the_user_half_pass() {
        assert_eq!(check_range(0, 0), Ok(()));
        assert_eq!(check_range(0x1000, 4096), Ok(()));
        assert_eq!(check_range(USER_VA_END - 64, 64), Ok(()));
        assert_eq!(check_range(USER_VA_END, 0), Ok(()));
    }

    #[test]
    fn ranges_crossing_or_above_two_to_the_47_are_invalid_args() {
        assert_eq!(check_range(USER_VA_END - 64, 65), Err(Status::INVALID_ARGS));
        assert_eq!(check_range(USER_VA_END, 1), Err(Status::INVALID_ARGS));
        assert_eq!(
            check_range(0xffff_0000_0000_0000, 8),
            Err(Status::INVALID_ARGS)
        );
        assert_eq!(
            check_range(0xffff_ff80_0008_0000, 1),
            Err(Status::INVALID_ARGS)
        );
    }

    #[test]
    fn ranges_that_overflow_64_bits_are_invalid_args() {
        assert_eq!(check_range(u64::MAX - 8, 64), Err(Status::INVALID_ARGS));
        assert_eq!(check_range(1, u64::MAX), Err(Status::INVALID_ARGS));
        assert_eq!(check_range(u64::MAX, 1), Err(Status::INVALID_ARGS));
    }

    #[test]
    fn page_span_covers_first_and_last_byte() {
        assert_eq!(page_span(0x1000, 1), (0x1000, 0x1000));
        assert_eq!(page_span(0x1fff, 2), (0x1000, 0x2000));
        assert_eq!(page_span(0x1000, 0x1000), (0x1000, 0x1000));
        assert_eq!(page_span(0x1000, 0x1001), (0x1000, 0x2000));
        assert_eq!(
            page_span(USER_VA_END - 1, 1),
            (USER_VA_END - PAGE, USER_VA_END - PAGE)
        );
    }
}
