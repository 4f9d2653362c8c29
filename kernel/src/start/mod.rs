//! Boot: from the devicetree to the first process. `kernel_boot_main` is where the assembly
//! hands over (MMU on, early tables, boot stack); it discovers the board, sets up the console,
//! memory and the kernel's final tables ([`memory`]), interrupts, the other cores ([`smp`]),
//! runs the boot self-tests ([`selftest`]) and starts `init` from the initrd ([`initrd`]).
//! How the run ends, and the panic handler, are in [`run_end`].

pub mod initrd;
pub mod memory;
pub mod run_end;
pub mod selftest;
pub mod smp;

pub use initrd::boot_program;
pub use run_end::{finish_run, init_exited};

use crate::boot::bootargs;
use crate::{irq, kprintln, sched};
use bsp::cpu::boot::LINEAR_BASE;
use bsp::dt::{self, Board, GicVersion};
use run_end::halt;

/// Points the console at the PL011 at `pa` through the early linear map.
fn early_console(pa: u64, clock: Option<u32>) {
    // SAFETY: the early linear map covers the first 4 GiB, the board's UART included, as device
    // memory.
    unsafe { crate::console::init(LINEAR_BASE + pa, clock) };
}

/// The devicetree blob at `dtb_pa`, if its header is valid; else a message on the fallback
/// UART, and halt.
fn devicetree(dtb_pa: u64, image_pa: u64) -> &'static [u8] {
    // Validate the devicetree pointer before reading more than its header.
    let header_ok = dtb_pa != 0 && dtb_pa.is_multiple_of(8) && dtb_pa < 0x1_0000_0000 - 64;
    let total = if header_ok {
        // SAFETY: the early linear map covers the first 4 GiB; 40 bytes of header are read.
        let hdr = unsafe { core::slice::from_raw_parts((LINEAR_BASE + dtb_pa) as *const u8, 40) };
        dt::header_total_size(hdr)
    } else {
        None
    };
    let Some(total) = total else {
        early_console(bsp::board::fallback_uart(image_pa), None);
        kprintln!();
        kprintln!("kernel: no valid devicetree at x0 = {:#x} (expected an FDT blob with magic 0xd00dfeed).", dtb_pa);
        kprintln!("kernel: boot the raw kernel8.img as a Linux Image (QEMU -kernel; on raspi4b also -dtb).");
        halt()
    };
    // SAFETY: `total` bytes from a header we validated, inside the early linear map.
    unsafe { core::slice::from_raw_parts((LINEAR_BASE + dtb_pa) as *const u8, total) }
}

/// Rust entry on the boot core (called from `boot.rs` with the MMU on).
#[no_mangle]
pub extern "C" fn kernel_boot_main(dtb_pa: u64, image_pa: u64, entry_el: u64) -> ! {
    let blob = devicetree(dtb_pa, image_pa);
    let info = match dt::discover(blob, dtb_pa) {
        Ok(i) => i.with_defaults(),
        Err(e) => {
            early_console(bsp::board::fallback_uart(image_pa), None);
            kprintln!("kernel: devicetree at {:#x} is unusable: {}", dtb_pa, e);
            halt()
        }
    };
    let uart = info.console_pl011().or(info.uart);
    let uart_pa = uart.map_or(bsp::board::fallback_uart(image_pa), |u| u.base);
    let clock = if info.board == Board::RaspberryPi4 {
        // The PL011 to GPIO 14/15 (header pins 8/10) whatever the firmware did with them.
        if let Some(gpio) = info.gpio {
            // SAFETY: the early linear map covers the GPIO block as device memory; nothing else
            // runs yet.
            unsafe { bsp::drivers::gpio::Bcm2711Gpio::new(LINEAR_BASE + gpio) }.route_uart0();
        }
        Some(bsp::board::rpi4::UART_CLOCK_HZ)
    } else {
        None
    };
    early_console(uart_pa, clock);
    let args = bootargs::parse(info.bootargs);
    run_end::configure(args.exit, info.psci);
    kprintln!();
    kprintln!("zircon-aarch64 kernel");
    let board = match info.board {
        Board::QemuVirt => "QEMU virt",
        Board::RaspberryPi4 => "Raspberry Pi 4",
        _ => "unknown board",
    };
    kprintln!("  board    {} ({})", board, info.model);
    kprintln!("  entry    EL{}", entry_el);
    for w in args.warnings() {
        kprintln!("  warning  {}", w);
    }

    memory::init(&info, image_pa);
    let ttbr1 = memory::switch_to_kernel_tables(&info, image_pa, uart_pa);
    // The DTB, initrd and devices are now reached through the final linear map.
    initrd::set(match info.initrd {
        // SAFETY: the initrd range lies in RAM, reserved from the frame allocator, and is mapped
        // in the linear map for the kernel's lifetime.
        Some((base, size)) => unsafe {
            core::slice::from_raw_parts((LINEAR_BASE + base) as *const u8, size as usize)
        },
        None => &[],
    });

    bsp::cpu::exception::install_vectors();
    crate::backtrace::boot_selftest(args.selftest);
    if let Some(g) = info.gic {
        let cfg = match g.version {
            GicVersion::V2 => bsp::drivers::gic::GicConfig::V2 {
                gicd: LINEAR_BASE + g.gicd,
                gicc: LINEAR_BASE + g.gicc,
            },
            GicVersion::V3 => bsp::drivers::gic::GicConfig::V3 {
                gicd: LINEAR_BASE + g.gicd,
                gicr: LINEAR_BASE + g.gicr,
            },
        };
        let timer_irq = info.timer_irq.unwrap_or(bsp::board::TIMER_IRQ);
        // SAFETY: the GIC frames were just mapped as device memory.
        unsafe { irq::init(cfg, timer_irq, uart.and_then(|u| u.irq)) };
        crate::timer::init();
    }
    kprintln!("  gic      v{}", irq::gic_version());
    kprintln!("  timer    {} Hz", crate::timer::frequency());
    sched::preempt::init();
    let quota = crate::object::quota::configure(args.ipc_quota, crate::mm::total_bytes());
    kprintln!("  quota    {} KiB of messages per process", quota >> 10);
    if !crate::vm::aspace::init_empty() {
        kprintln!("kernel: out of memory at boot");
        halt()
    }
    smp::init_this_cpu();

    let ncpus = smp::start_secondaries(&info, image_pa, ttbr1);
    kprintln!("  cpus     {} of {} online", smp::online(), ncpus);

    selftest::run();
    initrd::start_first_process(args.init, args.test);
    smp::start_scheduling();
    sched::idle_loop()
}
