//! ARM PrimeCell UART (PL011) driver: polled output, interrupt-driven input into a ring buffer
//! (ARM DDI 0183, "PrimeCell UART (PL011) Technical Reference Manual", section 3).

use tock_registers::interfaces::{ReadWriteable, Readable, Writeable};
use tock_registers::register_bitfields;
use tock_registers::register_structs;
use tock_registers::registers::{ReadOnly, ReadWrite, WriteOnly};

register_bitfields! [u32,
    /// Flag register (3.3.3).
    FR [
        /// Transmit FIFO full.
        TXFF OFFSET(5) NUMBITS(1) [],
        /// Receive FIFO empty.
        RXFE OFFSET(4) NUMBITS(1) [],
        /// UART busy transmitting.
        BUSY OFFSET(3) NUMBITS(1) []
    ],
    /// Line control register (3.3.7).
    LCR_H [
        /// Word length: 0b11 = 8 bits.
        WLEN OFFSET(5) NUMBITS(2) [EightBit = 0b11],
        /// Enable FIFOs.
        FEN OFFSET(4) NUMBITS(1) []
    ],
    /// Control register (3.3.8).
    CR [
        /// Loopback enable: the transmit output feeds the receive input (3.3.8).
        LBE OFFSET(7) NUMBITS(1) [],
        /// Receive enable.
        RXE OFFSET(9) NUMBITS(1) [],
        /// Transmit enable.
        TXE OFFSET(8) NUMBITS(1) [],
        /// UART enable.
        UARTEN OFFSET(0) NUMBITS(1) []
    ],
    /// Interrupt mask set/clear, raw and masked status, clear (3.3.10-3.3.13).
    INT [
        /// Receive timeout.
        RT OFFSET(6) NUMBITS(1) [],
        /// Receive.
        RX OFFSET(4) NUMBITS(1) []
    ]
];

register_structs! {
    /// The PL011's registers (PL011 TRM, section 3.2).
    #[allow(non_snake_case)]
    pub Pl011Registers {
        (0x00 => DR: ReadWrite<u32>),
        (0x04 => _reserved0),
        (0x18 => FR: ReadOnly<u32, FR::Register>),
        (0x1c => _reserved1),
        (0x24 => IBRD: WriteOnly<u32>),
        (0x28 => FBRD: WriteOnly<u32>),
        (0x2c => LCR_H: WriteOnly<u32, LCR_H::Register>),
        (0x30 => CR: ReadWrite<u32, CR::Register>),
        (0x34 => _reserved2),
        (0x38 => IMSC: ReadWrite<u32, INT::Register>),
        (0x3c => _reserved3),
        (0x44 => ICR: WriteOnly<u32, INT::Register>),
        (0x48 => @END),
    }
}

/// A PL011 at a mapped virtual address.
pub struct Pl011 {
    regs: *const Pl011Registers,
}

// SAFETY: the registers are MMIO; every access is a single volatile read or write, and callers
// serialise use through the console lock.
unsafe impl Send for Pl011 {}
// SAFETY: as for `Send` above.
unsafe impl Sync for Pl011 {}

impl Pl011 {
    /// # Safety
    /// `base` must be the virtual address of a mapped PL011 register block, valid for the
    /// lifetime of the returned value.
    pub const unsafe fn new(base: u64) -> Self {
        Pl011 {
            regs: base as *const Pl011Registers,
        }
    }

    fn regs(&self) -> &Pl011Registers {
        // SAFETY: `new`'s contract: the block is mapped for as long as `self` lives.
        unsafe { &*self.regs }
    }

    /// Enables TX and RX, 8N1 with FIFOs. `clock_hz` reprograms 115200 baud when given (real
    /// hardware); QEMU ignores the divisor.
    pub fn init(&self, clock_hz: Option<u32>) {
        self.init_baud(clock_hz, 115_200);
    }

    /// As [`init`](Self::init) at `baud` (the chainloader switches to a faster rate).
    pub fn init_baud(&self, clock_hz: Option<u32>, baud: u32) {
        let r = self.regs();
        r.CR.set(0);
        while r.FR.is_set(FR::BUSY) {}
        if let Some(clk) = clock_hz {
            // Divisor = clk / (16 * baud), fractional part in 1/64ths, rounded.
            let div64 = (u64::from(clk) * 4).div_ceil(u64::from(baud.max(1)));
            r.IBRD.set((div64 >> 6) as u32);
            r.FBRD.set((div64 & 0x3f) as u32);
        }
        r.LCR_H.write(LCR_H::WLEN::EightBit + LCR_H::FEN::SET);
        r.ICR.set(0x7ff);
        r.IMSC.write(INT::RX::SET + INT::RT::SET);
        r.CR.write(CR::UARTEN::SET + CR::TXE::SET + CR::RXE::SET);
    }

    /// Writes one byte, waiting while the transmit FIFO is full.
    pub fn put(&self, b: u8) {
        let r = self.regs();
        while r.FR.is_set(FR::TXFF) {
            core::hint::spin_loop();
        }
        r.DR.set(u32::from(b));
    }

    /// Writes bytes, turning `\n` into `\r\n`.
    pub fn write_bytes(&self, bytes: &[u8]) {
        for &b in bytes {
            if b == b'\n' {
                self.put(b'\r');
            }
            self.put(b);
        }
    }

    /// Waits until everything written has left the transmitter.
    pub fn flush(&self) {
        while self.regs().FR.is_set(FR::BUSY) {
            core::hint::spin_loop();
        }
    }

    /// Reads one byte if the receive FIFO has one.
    pub fn get(&self) -> Option<u8> {
        let r = self.regs();
        if r.FR.is_set(FR::RXFE) {
            None
        } else {
            Some(r.DR.get() as u8)
        }
    }

    /// Turns loopback on or off (boot self-test of the receive path; the line stays quiet).
    pub fn set_loopback(&self, on: bool) {
        let r = self.regs();
        while r.FR.is_set(FR::BUSY) {}
        r.CR.modify(if on { CR::LBE::SET } else { CR::LBE::CLEAR });
    }

    /// Acknowledges receive interrupts (after draining with [`get`](Self::get)).
    pub fn ack_rx(&self) {
        self.regs().ICR.write(INT::RX::SET + INT::RT::SET);
    }
}

/// A fixed-size byte ring for console input, filled by the receive interrupt.
pub struct RxRing<const N: usize> {
    buf: [u8; N],
    head: usize,
    len: usize,
}

impl<const N: usize> Default for RxRing<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> RxRing<N> {
    /// An empty ring.
    pub const fn new() -> Self {
        RxRing {
            buf: [0; N],
            head: 0,
            len: 0,
        }
    }
    /// Appends a byte; when full, the oldest byte is dropped (input is best effort).
    pub fn push(&mut self, b: u8) {
        if N == 0 {
            return;
        }
        let tail = (self.head + self.len) % N;
        self.buf[tail] = b;
        if self.len == N {
            self.head = (self.head + 1) % N;
        } else {
            self.len += 1;
        }
    }
    /// Takes the oldest byte.
    pub fn pop(&mut self) -> Option<u8> {
        if self.len == 0 {
            return None;
        }
        let b = self.buf[self.head];
        self.head = (self.head + 1) % N;
        self.len -= 1;
        Some(b)
    }
    /// Bytes waiting.
    pub fn len(&self) -> usize {
        self.len
    }
    /// No byte waiting.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::RxRing;

    #[test]
    fn rx_ring_keeps_order_and_drops_oldest_when_full() {
        let mut r = RxRing::<3>::new();
        for b in 1..=4 {
            r.push(b);
        }
        assert_eq!(r.len(), 3);
        assert_eq!(r.pop(), Some(2));
        assert_eq!(r.pop(), Some(3));
        assert_eq!(r.pop(), Some(4));
        assert_eq!(r.pop(), None);
    }
}
