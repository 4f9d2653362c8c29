//! The kernel console: a PL011 behind one lock, `kprint!`/`kprintln!`, and console input.

use bsp::drivers::pl011::{Pl011, RxRing};
use core::fmt::{self, Write};
use spin::Mutex;

struct Console {
    uart: Option<Pl011>,
    rx: RxRing<256>,
}

static CONSOLE: Mutex<Console> = Mutex::new(Console {
    uart: None,
    rx: RxRing::new(),
});

impl Write for Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if let Some(u) = &self.uart {
            u.write_bytes(s.as_bytes());
        }
        Ok(())
    }
}

/// Installs the UART at virtual address `base`.
///
/// # Safety
/// `base` must map a PL011 register block for the kernel's lifetime.
pub unsafe fn init(base: u64, clock_hz: Option<u32>) {
    // SAFETY: forwarded contract.
    let uart = unsafe { Pl011::new(base) };
    uart.init(clock_hz);
    CONSOLE.lock().uart = Some(uart);
}

/// Moves the UART to a new virtual address (after the kernel's final tables are installed).
///
/// # Safety
/// As for [`init`].
pub unsafe fn rebase(base: u64) {
    // SAFETY: forwarded contract.
    CONSOLE.lock().uart = Some(unsafe { Pl011::new(base) });
}

/// Writes raw bytes as they are (used by `zx_debug_write`), in one piece.
pub fn write_bytes(bytes: &[u8]) {
    let c = CONSOLE.lock();
    if let Some(u) = &c.uart {
        u.write_bytes(bytes);
    }
}

#[doc(hidden)]
pub fn _print(args: fmt::Arguments) {
    let _ = CONSOLE.lock().write_fmt(args);
}

/// Best-effort print for the panic path: never waits for a lock a crashed core may hold.
pub fn print_panic(args: fmt::Arguments) {
    for _ in 0..1_000_000 {
        if let Some(mut c) = CONSOLE.try_lock() {
            let _ = c.write_fmt(args);
            return;
        }
        core::hint::spin_loop();
    }
    // SAFETY: last resort in a panic; the lock holder is presumed dead.
    unsafe { CONSOLE.force_unlock() };
    let _ = CONSOLE.lock().write_fmt(args);
}

/// Receive interrupt: drains the UART into the input ring.
pub fn handle_rx_irq() {
    let mut c = CONSOLE.lock();
    let c = &mut *c;
    if let Some(u) = &c.uart {
        while let Some(b) = u.get() {
            c.rx.push(b);
        }
        u.ack_rx();
    }
}

/// Boot self-test of the receive path: sends `probe` in loopback mode and returns whether the
/// receive interrupt delivered exactly it to the input ring within `wait` (which should wait for
/// an interrupt). Real PL011s keep TX off the wire in loopback; QEMU's model sends it too.
pub fn loopback_test(probe: &[u8], mut wait: impl FnMut() -> bool) -> bool {
    {
        let mut c = CONSOLE.lock();
        while c.rx.pop().is_some() {}
        let Some(u) = &c.uart else { return false };
        u.set_loopback(true);
        for &b in probe {
            u.put(b);
        }
    }
    while CONSOLE.lock().rx.len() < probe.len() {
        if !wait() {
            break;
        }
    }
    let mut c = CONSOLE.lock();
    if let Some(u) = &c.uart {
        u.set_loopback(false);
    }
    let mut ok = c.rx.len() == probe.len();
    for &b in probe {
        ok &= c.rx.pop() == Some(b);
    }
    ok
}

/// Takes one byte of console input, if any arrived.
pub fn read_byte() -> Option<u8> {
    CONSOLE.lock().rx.pop()
}

/// Prints to the kernel console, like `print!`.
#[macro_export]
macro_rules! kprint {
    ($($arg:tt)*) => ($crate::console::_print(format_args!($($arg)*)));
}

/// Prints a line to the kernel console, like `println!`.
#[macro_export]
macro_rules! kprintln {
    () => ($crate::kprint!("\n"));
    ($($arg:tt)*) => ($crate::console::_print(format_args!("{}\n", format_args!($($arg)*))));
}
