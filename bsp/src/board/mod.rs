//! Board facts: the addresses, interrupt numbers and clocks of the boards the kernel knows, for
//! when the devicetree does not say them (`BoardInfo`'s defaults) or cannot be read at all (the
//! fallback console). The devicetree stays the source of truth: nothing here is used when it
//! names the device.

pub mod rpi4;
pub mod virt;

/// INTID of the EL1 physical timer (PPI 14), the same on both boards.
pub const TIMER_IRQ: u32 = 30;
/// INTID of the EL1 virtual timer (PPI 11).
pub const VTIMER_IRQ: u32 = 27;

/// The UART to print on when the devicetree is unusable, guessed from where the image was
/// loaded: the Pi's firmware loads it below 1 GiB, QEMU `virt` in its RAM from 1 GiB up.
pub fn fallback_uart(image_pa: u64) -> u64 {
    if image_pa < virt::RAM_BASE {
        rpi4::UART_BASE
    } else {
        virt::UART_BASE
    }
}

#[cfg(test)]
mod tests;
