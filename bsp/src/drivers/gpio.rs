//! BCM2711 GPIO block (Raspberry Pi 4): just enough to put the PL011 (UART0) on the header pins
//! 8 and 10 (GPIO 14 TXD, GPIO 15 RXD), whatever the firmware did with them ("BCM2711 ARM
//! Peripherals", chapter 5: GPFSELn at 0x00-0x14, GPIO_PUP_PDN_CNTRL_REGn at 0xe4-0xf0).
//!
//! With `enable_uart=1` and no overlay, the firmware gives GPIO 14/15 to the mini UART (ALT5)
//! and the PL011 to the Bluetooth chip on GPIO 30-33 (ALT3). [`Bcm2711Gpio::route_uart0`] takes
//! the PL011 back: GPIO 14/15 to ALT0, and GPIO 30-33 to inputs if they carry UART0, so that
//! one pin at most feeds the PL011's receive input.
//!
//! This file is self-contained (only `tock-registers`): the chainloader includes it too.

use tock_registers::interfaces::{ReadWriteable, Readable, Writeable};
use tock_registers::register_bitfields;
use tock_registers::register_structs;
use tock_registers::registers::ReadWrite;

register_bitfields! [u32,
    /// Function select for GPIO 10-19 (3 bits per pin).
    GPFSEL1 [
        FSEL15 OFFSET(15) NUMBITS(3) [Input = 0b000, Output = 0b001, Alt0 = 0b100, Alt5 = 0b010],
        FSEL14 OFFSET(12) NUMBITS(3) [Input = 0b000, Output = 0b001, Alt0 = 0b100, Alt5 = 0b010]
    ],
    /// Function select for GPIO 30-39.
    GPFSEL3 [
        FSEL33 OFFSET(9) NUMBITS(3) [Input = 0b000, Alt3 = 0b111],
        FSEL32 OFFSET(6) NUMBITS(3) [Input = 0b000, Alt3 = 0b111],
        FSEL31 OFFSET(3) NUMBITS(3) [Input = 0b000, Alt3 = 0b111],
        FSEL30 OFFSET(0) NUMBITS(3) [Input = 0b000, Alt3 = 0b111]
    ],
    /// Pull-up/down for GPIO 0-15 (2 bits per pin; BCM2711 only, replaces GPPUD/GPPUDCLK).
    PUP_PDN0 [
        PULL15 OFFSET(30) NUMBITS(2) [None = 0b00, Up = 0b01, Down = 0b10],
        PULL14 OFFSET(28) NUMBITS(2) [None = 0b00, Up = 0b01, Down = 0b10]
    ]
];

register_structs! {
    /// The GPIO registers this driver uses.
    #[allow(non_snake_case)]
    pub Bcm2711GpioRegisters {
        (0x00 => GPFSEL0: ReadWrite<u32>),
        (0x04 => GPFSEL1: ReadWrite<u32, GPFSEL1::Register>),
        (0x08 => GPFSEL2: ReadWrite<u32>),
        (0x0c => GPFSEL3: ReadWrite<u32, GPFSEL3::Register>),
        (0x10 => _reserved0),
        (0xe4 => GPIO_PUP_PDN_CNTRL_REG0: ReadWrite<u32, PUP_PDN0::Register>),
        (0xe8 => @END),
    }
}

/// The GPIO block at a mapped virtual address.
pub struct Bcm2711Gpio {
    regs: *const Bcm2711GpioRegisters,
}

impl Bcm2711Gpio {
    /// # Safety
    /// `base` must be the virtual address of a mapped BCM2711 GPIO register block (at least
    /// 0xe8 bytes), valid for the lifetime of the returned value, and nothing else may change
    /// these registers meanwhile.
    pub const unsafe fn new(base: u64) -> Self {
        Bcm2711Gpio {
            regs: base as *const Bcm2711GpioRegisters,
        }
    }

    fn regs(&self) -> &Bcm2711GpioRegisters {
        // SAFETY: `new`'s contract: the block is mapped for as long as `self` lives.
        unsafe { &*self.regs }
    }

    /// Routes the PL011 to GPIO 14 (TXD, no pull: the pin is driven) and GPIO 15 (RXD, pull-up:
    /// the line idles high, so an unconnected pin reads as idle rather than noise). GPIO 30-33
    /// are made inputs if they are in ALT3 (UART0 for the Bluetooth chip). Other pins keep
    /// their settings. Call before the PL011 is enabled.
    pub fn route_uart0(&self) {
        let r = self.regs();
        let fsel3 = r.GPFSEL3.extract();
        let mut clear = 0;
        for field in [
            GPFSEL3::FSEL30,
            GPFSEL3::FSEL31,
            GPFSEL3::FSEL32,
            GPFSEL3::FSEL33,
        ] {
            if fsel3.read(field) == GPFSEL3::FSEL30::Alt3.value {
                clear |= field.mask << field.shift;
            }
        }
        if clear != 0 {
            r.GPFSEL3.set(fsel3.get() & !clear);
        }
        r.GPIO_PUP_PDN_CNTRL_REG0
            .modify(PUP_PDN0::PULL14::None + PUP_PDN0::PULL15::Up);
        r.GPFSEL1
            .modify(GPFSEL1::FSEL14::Alt0 + GPFSEL1::FSEL15::Alt0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fake register block in host memory.
    fn block(init: u32) -> Vec<u32> {
        vec![init; 0xe8 / 4]
    }

    #[test]
    fn route_uart0_sets_alt0_and_pulls_and_keeps_other_pins() {
        // Every other pin in ALT3 / pull-down: only GPIO 14/15 (and 30-33) may change.
        let mut mem = block(0xffff_ffff);
        // SAFETY: `mem` outlives the value and is large enough.
        unsafe { Bcm2711Gpio::new(mem.as_mut_ptr() as u64) }.route_uart0();
        let fsel1 = mem[1];
        assert_eq!((fsel1 >> 12) & 7, 0b100, "GPIO 14 ALT0");
        assert_eq!((fsel1 >> 15) & 7, 0b100, "GPIO 15 ALT0");
        assert_eq!(
            fsel1 | (0o77 << 12),
            0xffff_ffff,
            "other GPFSEL1 pins unchanged"
        );
        let pull = mem[0xe4 / 4];
        assert_eq!((pull >> 28) & 3, 0b00, "GPIO 14 no pull");
        assert_eq!((pull >> 30) & 3, 0b01, "GPIO 15 pull-up");
        assert_eq!(pull & 0x0fff_ffff, 0x0fff_ffff, "other pulls unchanged");
        // GPIO 30-33 were ALT3 (0b111): now inputs; GPIO 34-39 untouched.
        assert_eq!(mem[3] & 0xfff, 0);
        assert_eq!(mem[3] | 0xfff, 0xffff_ffff);
        assert_eq!(mem[0], 0xffff_ffff);
        assert_eq!(mem[2], 0xffff_ffff);
    }

    #[test]
    fn route_uart0_leaves_bluetooth_pins_alone_unless_alt3() {
        // The mini-UART setup: GPIO 14/15 ALT5, GPIO 32/33 outputs (not UART0).
        let mut mem = block(0);
        mem[1] = (0b010 << 12) | (0b010 << 15);
        mem[3] = (0b001 << 6) | (0b001 << 9) | (0b111 << 3);
        // SAFETY: as above.
        unsafe { Bcm2711Gpio::new(mem.as_mut_ptr() as u64) }.route_uart0();
        assert_eq!(mem[1], (0b100 << 12) | (0b100 << 15));
        assert_eq!(
            mem[3],
            (0b001 << 6) | (0b001 << 9),
            "only GPIO 31 (ALT3) became an input"
        );
    }
}
