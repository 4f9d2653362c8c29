//! Target side: entry and relocation (assembly), then the receive loop over the PL011.
//! Runs with the MMU off at the entry exception level (EL2 from the Pi firmware and QEMU), so
//! every data access is Device memory: the target is built with strict alignment.

use chainloader::crc32::Crc32;
use chainloader::gpio::Bcm2711Gpio;
use chainloader::pl011::Pl011;
use chainloader::proto::*;
use chainloader::rpi4::{UART_BASE, UART_CLOCK_HZ};
use chainloader::{fdt, proto};

core::arch::global_asm!(
    r#"
.section .text.boot, "ax"
.global _start
_start:
    // arm64 Image header: loaded at 0x80000 like a kernel.
    b       1f
    .long   0
    .quad   0x80000                 // text_offset
    .quad   __image_size
    .quad   0xa                     // little endian, 4 KiB pages
    .quad   0, 0, 0
    .ascii  "ARM\x64"
    .long   0
1:  msr     daifset, #0xf
    mov     x19, x0                 // devicetree
    mrs     x20, CurrentEL
    lsr     x20, x20, #2
    // Copy ourselves from where we were loaded to where we are linked (LOADER_BASE).
    adr     x1, _start
    ldr     x2, =__loader_start
    ldr     x3, =__loader_end
    cmp     x1, x2
    b.eq    3f
    mov     x4, x2
2:  ldp     x5, x6, [x1], #16
    stp     x5, x6, [x4], #16
    cmp     x4, x3
    b.lo    2b
3:  dsb     sy
    ic      iallu
    dsb     sy
    isb
    ldr     x1, =4f
    br      x1
4:  ldr     x1, =__bss_start
    ldr     x2, =__bss_end
5:  cmp     x1, x2
    b.hs    6f
    stp     xzr, xzr, [x1], #16
    b       5b
6:  ldr     x1, =__stack_top
    mov     sp, x1
    mov     x0, x19
    mov     x1, x20
    bl      loader_main
7:  wfe
    b       7b
.ltorg

// jump_to_kernel(dtb, entry): x0 = DTB, x1..x3 = 0 as the boot protocol asks.
.section .text
.global jump_to_kernel
jump_to_kernel:
    mov     x4, x1
    mov     x1, xzr
    mov     x2, xzr
    mov     x3, xzr
    dsb     sy
    ic      iallu
    dsb     sy
    isb
    br      x4
"#
);

extern "C" {
    fn jump_to_kernel(dtb: u64, entry: u64) -> !;
}

fn ticks() -> u64 {
    let t: u64;
    // SAFETY: reads the generic timer's counter (accessible at EL1-EL3).
    unsafe { core::arch::asm!("isb; mrs {}, cntpct_el0", out(reg) t, options(nomem, nostack)) };
    t
}

fn ticks_per_ms() -> u64 {
    let f: u64;
    // SAFETY: reads the counter frequency.
    unsafe { core::arch::asm!("mrs {}, cntfrq_el0", out(reg) f, options(nomem, nostack)) };
    (f / 1000).max(1)
}

struct Uart {
    port: Pl011,
}

impl Uart {
    fn puts(&self, s: &str) {
        self.port.write_bytes(s.as_bytes());
    }

    fn put_hex(&self, v: u64) {
        let mut buf = [0u8; 18];
        buf[0] = b'0';
        buf[1] = b'x';
        for i in 0..16 {
            let d = ((v >> (60 - 4 * i)) & 0xf) as u8;
            buf[2 + i] = if d < 10 { b'0' + d } else { b'a' + d - 10 };
        }
        self.port.write_bytes(&buf);
    }

    fn send(&self, cmd: u8, payload: &[u8]) {
        for &b in MAGIC.iter().chain(&[cmd]).chain(payload) {
            self.port.put(b);
        }
    }

    /// Waits until everything sent has left the wire.
    fn drain(&self) {
        self.port.flush();
    }

    fn set_baud(&self, baud: u32) {
        self.port.flush();
        self.port.init_baud(Some(UART_CLOCK_HZ), baud);
    }

    /// One byte, or None after `ms` milliseconds without one.
    fn get_timeout(&self, ms: u64) -> Option<u8> {
        let end = ticks() + ms * ticks_per_ms();
        loop {
            if let Some(b) = self.port.get() {
                return Some(b);
            }
            if ticks() > end {
                return None;
            }
        }
    }
}

fn dtb_slice(pa: u64) -> Option<&'static [u8]> {
    if pa == 0 || !pa.is_multiple_of(8) {
        return None;
    }
    // SAFETY: a devicetree header is 40 bytes in RAM (MMU off: physical = virtual).
    let hdr = unsafe { core::slice::from_raw_parts(pa as *const u8, 40) };
    let len = fdt::total_size(hdr)?;
    // SAFETY: the firmware's blob is `totalsize` bytes long.
    Some(unsafe { core::slice::from_raw_parts(pa as *const u8, len) })
}

/// Receives `len` bytes into physical memory at `dst`, with their CRC-32.
fn receive(uart: &Uart, dst: u64, len: u32) -> Result<u32, Nak> {
    let mut crc = Crc32::new();
    for i in 0..u64::from(len) {
        let b = uart.get_timeout(DATA_TIMEOUT_MS).ok_or(Nak::Timeout)?;
        // SAFETY: `dst..dst + len` was checked to lie between 0x80000 and the loader.
        unsafe { core::ptr::write_volatile((dst + i) as *mut u8, b) };
        crc.update(&[b]);
    }
    Ok(crc.finish())
}

/// One `L` load: kernel, initrd, devicetree. Returns (DTB address) ready to jump.
fn load(uart: &Uart, payload: &[u8; 20], dtb_saved: Option<&[u8]>) -> Result<u64, Nak> {
    let l = Load::decode(payload)?;
    uart.send(ACK_LOAD, &[]);
    let kcrc = receive(uart, KERNEL_ADDR, l.kernel_len)?;
    // SAFETY: the kernel's first 64 bytes were just written there.
    let header = unsafe { core::slice::from_raw_parts(KERNEL_ADDR as *const u8, 64) };
    // Work out where the initrd goes; on an error, still swallow its bytes first.
    let at = proto::initrd_addr(header, l.kernel_len, l.initrd_len);
    let icrc = match at {
        Ok(a) => receive(uart, a, l.initrd_len)?,
        Err(_) => {
            for _ in 0..l.initrd_len {
                uart.get_timeout(DATA_TIMEOUT_MS).ok_or(Nak::Timeout)?;
            }
            0
        }
    };
    let at = at?;
    if kcrc != l.kernel_crc {
        return Err(Nak::KernelCrc);
    }
    if icrc != l.initrd_crc {
        return Err(Nak::InitrdCrc);
    }
    let src = dtb_saved.ok_or(Nak::Devicetree)?;
    // SAFETY: DTB_OUT..+DTB_MAX is ours (above the loader, below nothing else we use).
    let dst = unsafe { core::slice::from_raw_parts_mut(DTB_OUT as *mut u8, DTB_MAX as usize) };
    let end = at + u64::from(l.initrd_len);
    fdt::set_initrd(src, dst, at, end).map_err(|_| Nak::Devicetree)?;
    uart.puts("\nzx-chainloader: kernel ");
    uart.put_hex(u64::from(l.kernel_len));
    uart.puts(" bytes at 0x80000, initrd at ");
    uart.put_hex(at);
    uart.puts(", devicetree at ");
    uart.put_hex(DTB_OUT);
    uart.puts("; jumping\n");
    Ok(DTB_OUT)
}

#[no_mangle]
extern "C" fn loader_main(dtb_pa: u64, el: u64) -> ! {
    let dtb = dtb_slice(dtb_pa);
    let find = |c| dtb.and_then(|d| fdt::find_compatible(d, c));
    let uart_base = find("arm,pl011").unwrap_or(UART_BASE);
    if let Some(gpio) = find("brcm,bcm2711-gpio") {
        // SAFETY: the GPIO block from the devicetree; nothing else touches it now.
        unsafe { Bcm2711Gpio::new(gpio) }.route_uart0();
    }
    // SAFETY: the PL011 from the devicetree (MMU off: physical addresses).
    let uart = Uart {
        port: unsafe { Pl011::new(uart_base) },
    };
    uart.port.init(Some(UART_CLOCK_HZ));
    // Keep a copy of the firmware's devicetree: the initrd may land where it was.
    let saved = dtb
        .filter(|d| d.len() as u64 + DTB_GROWTH <= DTB_MAX)
        .map(|d| {
            // SAFETY: DTB_SAVE..+DTB_MAX is reserved for this copy.
            let copy = unsafe { core::slice::from_raw_parts_mut(DTB_SAVE as *mut u8, d.len()) };
            copy.copy_from_slice(d);
            &*copy
        });
    uart.puts("\nzx-chainloader: ready (EL");
    uart.port.put(b'0' + el as u8);
    uart.puts(if saved.is_some() {
        ", devicetree ok); send a kernel with tools/chainboot\n"
    } else {
        ", NO devicetree at x0: loads will be refused)\n"
    });

    let mut scan = FrameScanner::new();
    let mut sync_deadline: Option<u64> = None;
    loop {
        if let Some(d) = sync_deadline {
            if ticks() > d {
                uart.set_baud(BOOT_BAUD);
                sync_deadline = None;
                uart.puts("\nzx-chainloader: no sync after the baud change; back at 115200\n");
            }
        }
        let Some(b) = uart.port.get() else { continue };
        let Some((cmd, p)) = scan.push(b) else {
            continue;
        };
        match cmd {
            CMD_HELLO => {
                let baud = u32::from_le_bytes([p[0], p[1], p[2], p[3]]);
                let baud = if (MIN_BAUD..=MAX_BAUD).contains(&baud) {
                    baud
                } else {
                    BOOT_BAUD
                };
                uart.send(ACK_HELLO, &baud.to_le_bytes());
                uart.set_baud(baud);
                sync_deadline = Some(ticks() + SYNC_TIMEOUT_MS * ticks_per_ms());
            }
            CMD_SYNC => {
                sync_deadline = None;
                uart.send(ACK_SYNC, &[]);
            }
            CMD_LOAD => {
                sync_deadline = None;
                let mut load_payload = [0u8; 20];
                load_payload.copy_from_slice(&p);
                match load(&uart, &load_payload, saved) {
                    Ok(dtb_out) => {
                        uart.send(ACK_DONE, &[]);
                        uart.drain();
                        // SAFETY: a checked arm64 Image at 0x80000, its initrd placed and
                        // described in the devicetree at `dtb_out`.
                        unsafe { jump_to_kernel(dtb_out, KERNEL_ADDR) }
                    }
                    Err(nak) => uart.send(NAK, &[nak as u8]),
                }
            }
            _ => {}
        }
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {
        core::hint::spin_loop();
    }
}
