//! Boot: from the devicetree to the first process. `kernel_boot_main` is where the assembly
//! hands over (MMU on, early tables, boot stack); it discovers the board, builds the kernel's
//! final tables, sets up memory, interrupts and the other cores, runs the boot self-tests and
//! starts `init`. Also the exception entry points the vectors call, and the panic handler.

use crate::boot::bootargs::{self, ExitMode};
use crate::boot::cpio::Archive;
use crate::{irq, kprintln, mm, sched};
use bsp::cpu::boot::{LINEAR_BASE, MAX_CPUS, SECONDARY_BOOT};
use bsp::cpu::exception::{esr_class_name, TrapFrame, VECTOR_NAMES};
use bsp::dt::{self, Board, GicVersion};
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU8, Ordering};
use spin::Once;

static INITRD: Once<&'static [u8]> = Once::new();
static EXIT_MODE: AtomicU8 = AtomicU8::new(0);
static PSCI_SMC: AtomicBool = AtomicBool::new(false);
static HAVE_PSCI: AtomicBool = AtomicBool::new(false);
static ONLINE: AtomicU32 = AtomicU32::new(1);
static SCHEDULING: AtomicBool = AtomicBool::new(false);

const EXIT_NONE: u8 = 0;
const EXIT_SEMIHOSTING: u8 = 1;
const EXIT_POWEROFF: u8 = 2;

/// The boot program named `name` in the initrd.
pub fn boot_program(name: &str) -> Option<&'static [u8]> {
    let a = Archive::new(INITRD.get()?).ok()?;
    a.find(name).ok().flatten().map(|e| e.data)
}

fn halt() -> ! {
    loop {
        aarch64_cpu::asm::wfe();
    }
}

/// Ends the run as the bootargs say: semihosting exit code, PSCI power-off, or idle.
pub fn finish_run(code: i64) -> ! {
    match EXIT_MODE.load(Ordering::Relaxed) {
        EXIT_SEMIHOSTING => {
            let c = if (0..=255).contains(&code) {
                code as u32
            } else {
                255
            };
            // SAFETY: `exit=semihosting` is only given when QEMU runs with -semihosting.
            unsafe { bsp::cpu::semihosting_exit(c) }
        }
        EXIT_POWEROFF if HAVE_PSCI.load(Ordering::Relaxed) => {
            bsp::cpu::psci_call(
                PSCI_SMC.load(Ordering::Relaxed),
                bsp::cpu::PSCI_SYSTEM_OFF,
                0,
                0,
                0,
            );
            halt()
        }
        _ => halt(),
    }
}

/// The first process ended.
pub fn init_exited(code: i64) {
    kprintln!("kernel: init exited with return code {}", code);
    if EXIT_MODE.load(Ordering::Relaxed) != EXIT_NONE {
        finish_run(code);
    }
}

/// Board guess from where the image was loaded, for when the devicetree is unusable.
fn fallback_uart(image_pa: u64) -> u64 {
    if image_pa < 0x4000_0000 {
        0xfe20_1000
    } else {
        0x0900_0000
    }
}

/// Rust entry on the boot core (called from `boot.rs` with the MMU on).
#[no_mangle]
pub extern "C" fn kernel_boot_main(dtb_pa: u64, image_pa: u64, entry_el: u64) -> ! {
    // The early tables map the first 4 GiB at LINEAR_BASE (devices there as Device memory).
    let early_uart = |pa: u64| {
        // SAFETY: the early linear map covers the board's UART as device memory.
        unsafe { crate::console::init(LINEAR_BASE + pa, None) };
    };
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
        early_uart(fallback_uart(image_pa));
        kprintln!();
        kprintln!("kernel: no valid devicetree at x0 = {:#x} (expected an FDT blob with magic 0xd00dfeed).", dtb_pa);
        kprintln!("kernel: boot the raw kernel8.img as a Linux Image (QEMU -kernel; on raspi4b also -dtb).");
        halt()
    };
    // SAFETY: `total` bytes from a header we validated, inside the early linear map.
    let blob: &'static [u8] =
        unsafe { core::slice::from_raw_parts((LINEAR_BASE + dtb_pa) as *const u8, total) };
    let info = match dt::discover(blob, dtb_pa) {
        Ok(i) => i.with_defaults(),
        Err(e) => {
            early_uart(fallback_uart(image_pa));
            kprintln!("kernel: devicetree at {:#x} is unusable: {}", dtb_pa, e);
            halt()
        }
    };
    let uart = info.console_pl011().or(info.uart);
    let uart_pa = uart.map_or(fallback_uart(image_pa), |u| u.base);
    let clock = if info.board == Board::RaspberryPi4 {
        // The PL011 to GPIO 14/15 (header pins 8/10) whatever the firmware did with them.
        if let Some(gpio) = info.gpio {
            // SAFETY: the early linear map covers the GPIO block as device memory; nothing else
            // runs yet.
            unsafe { bsp::drivers::gpio::Bcm2711Gpio::new(LINEAR_BASE + gpio) }.route_uart0();
        }
        Some(bsp::drivers::gpio::PI4_UART_CLOCK_HZ)
    } else {
        None
    };
    // SAFETY: the early linear map covers the UART as device memory.
    unsafe { crate::console::init(LINEAR_BASE + uart_pa, clock) };
    let args = bootargs::parse(info.bootargs);
    EXIT_MODE.store(
        match args.exit {
            ExitMode::None => EXIT_NONE,
            ExitMode::Semihosting => EXIT_SEMIHOSTING,
            ExitMode::Poweroff => EXIT_POWEROFF,
        },
        Ordering::Relaxed,
    );
    if let Some(c) = info.psci {
        HAVE_PSCI.store(true, Ordering::Relaxed);
        PSCI_SMC.store(matches!(c, dt::PsciConduit::Smc), Ordering::Relaxed);
    }
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

    // Physical memory: RAM minus the image, the DTB, the initrd and reserved ranges.
    let img = bsp::cpu::boot::image_layout();
    let image_end = image_pa + (img.end - img.start);
    let mut reserved = [(0u64, 0u64); 24];
    let mut nres = 0;
    for &r in info.boot_reserved().iter() {
        if nres < reserved.len() {
            reserved[nres] = r;
            nres += 1;
        }
    }
    reserved[nres] = (image_pa & !0x1f_ffff, image_end - (image_pa & !0x1f_ffff));
    nres += 1;
    // The spin table and firmware stub live in the first page on the Pi.
    reserved[nres] = (0, 0x1000);
    nres += 1;
    mm::heap::init_boot_arena();
    let mut ram_total = 0;
    for &(base, size) in info.memory.iter() {
        ram_total += size;
        mm::usable_ranges(base, base + size, &reserved[..nres], &mut |s, e| {
            mm::add_ram(s, e)
        });
    }
    kprintln!(
        "  ram      {} MiB ({} MiB free for frames)",
        ram_total >> 20,
        mm::free_bytes() >> 20
    );
    if !mm::heap::init() {
        kprintln!("kernel: cannot create the kernel heap: no free memory");
        halt()
    }

    // Final kernel tables: image W^X, linear map of RAM, device windows.
    let gic = info.gic;
    let mut devices = [(0u64, 0u64); 4];
    let mut nd = 0;
    devices[nd] = (uart_pa, 0x1000);
    nd += 1;
    if let Some(g) = gic {
        devices[nd] = (g.gicd, 0x1_0000);
        nd += 1;
        match g.version {
            GicVersion::V2 => devices[nd] = (g.gicc, 0x2000),
            GicVersion::V3 => devices[nd] = (g.gicr, g.gicr_size.max(0x2_0000 * MAX_CPUS as u64)),
        }
        nd += 1;
    }
    let ram: &[(u64, u64)] = info.memory.as_slice();
    let root = match crate::vm::kspace::build(&crate::vm::kspace::KernelLayout {
        image_pa,
        ram,
        devices: &devices[..nd],
    }) {
        Ok(r) => r,
        Err(e) => {
            kprintln!("kernel: cannot build the kernel page tables: {}", e);
            halt()
        }
    };
    {
        use aarch64_cpu::registers::Writeable;
        aarch64_cpu::registers::TTBR1_EL1.set(root.0);
    }
    bsp::cpu::tlb_flush_all();
    // The DTB, initrd and devices are now reached through the final linear map.
    let initrd: &'static [u8] = match info.initrd {
        // SAFETY: the initrd range lies in RAM, reserved from the frame allocator, and is mapped
        // in the linear map for the kernel's lifetime.
        Some((base, size)) => unsafe {
            core::slice::from_raw_parts((LINEAR_BASE + base) as *const u8, size as usize)
        },
        None => &[],
    };
    INITRD.call_once(|| initrd);

    bsp::cpu::exception::install_vectors();
    crate::backtrace::boot_selftest(args.selftest);
    if let Some(g) = gic {
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
        // SAFETY: the GIC frames were just mapped as device memory.
        unsafe { irq::init(cfg, info.timer_irq.unwrap_or(30), uart.and_then(|u| u.irq)) };
    }
    kprintln!("  gic      v{}", irq::gic_version());
    kprintln!("  timer    {} Hz", irq::frequency());
    sched::preempt::init();
    if !crate::vm::aspace::init_empty() {
        kprintln!("kernel: out of memory at boot");
        halt()
    }
    sched::init_cpu();
    irq::init_cpu();

    // Secondary cores.
    let ncpus = info.cpus.len().clamp(1, MAX_CPUS);
    start_secondaries(&info, image_pa, root.0);
    let deadline = bsp::drivers::timer::ticks() + irq::frequency() / 2;
    while (ONLINE.load(Ordering::Acquire) as usize) < ncpus
        && bsp::drivers::timer::ticks() < deadline
    {
        core::hint::spin_loop();
    }
    kprintln!(
        "  cpus     {} of {} online",
        ONLINE.load(Ordering::Acquire),
        ncpus
    );

    self_tests();

    // The first process.
    let name = args.init;
    if initrd.is_empty() {
        kprintln!("kernel: no initrd: pass a cpio (newc) archive with QEMU -initrd (or `initramfs` in config.txt).");
        finish_run(254);
    }
    if let Err(e) = Archive::new(initrd) {
        kprintln!("kernel: the initrd is not a valid cpio newc archive: {}", e);
        finish_run(254);
    }
    let Some(image) = boot_program(name) else {
        kprintln!("kernel: boot program `{}` not found in the initrd.", name);
        finish_run(254)
    };
    match crate::task::spawn(name, image, || init_bootstrap(args.test), true, true) {
        Ok(_) => kprintln!("kernel: started `{}`", name),
        Err(s) => {
            kprintln!("kernel: cannot start `{}`: {}", name, s);
            finish_run(254)
        }
    }
    SCHEDULING.store(true, Ordering::Release);
    sched::idle_loop()
}

/// `test=PROGRAM::CASE` reaches init as the message `test=PROGRAM::CASE` on a bootstrap channel
/// whose other end is closed (docs/abi.md section 5); without it init gets none.
fn init_bootstrap(test: Option<&str>) -> Option<crate::object::Handle> {
    use crate::object::channel::{Endpoint, Message};
    let word = test?;
    let (ours, theirs) = Endpoint::new_pair();
    let bytes = [b"test=", word.as_bytes()].concat();
    ours.write(Message::new(bytes, alloc::vec::Vec::new()))
        .ok()?;
    drop(crate::object::Handle::new(
        ours,
        zx_abi::Rights::DEFAULT_CHANNEL,
    ));
    Some(crate::object::Handle::new(
        theirs,
        zx_abi::Rights::DEFAULT_CHANNEL,
    ))
}

fn start_secondaries(info: &dt::BoardInfo, image_pa: u64, ttbr1: u64) {
    let entry_pa = image_pa + bsp::cpu::boot::secondary_entry_offset();
    let me = bsp::cpu::mpidr();
    let sbp = &raw mut SECONDARY_BOOT;
    // SAFETY: no secondary runs yet; the boot core is the only writer of SECONDARY_BOOT.
    let sb = unsafe { &mut *sbp };
    sb.ttbr1 = ttbr1;
    for c in info.cpus.iter() {
        let idx = (c.mpidr & 0xff) as usize;
        if c.mpidr == me || idx >= MAX_CPUS {
            continue;
        }
        let Some(stack) = mm::alloc_frames(sched::KSTACK_FRAMES) else {
            return;
        };
        sb.stack_top[idx] = mm::phys_to_virt(stack) + sched::KSTACK_FRAMES as u64 * mm::PAGE_SIZE;
    }
    let sb_va = (&raw const SECONDARY_BOOT) as u64;
    bsp::cpu::dcache_clean_inval(sb_va, core::mem::size_of_val(sb) as u64);
    for c in info.cpus.iter() {
        if c.mpidr == me || (c.mpidr & 0xff) as usize >= MAX_CPUS {
            continue;
        }
        match c.enable_method {
            dt::EnableMethod::Psci => {
                let smc = PSCI_SMC.load(Ordering::Relaxed);
                let r = bsp::cpu::psci_call(smc, bsp::cpu::PSCI_CPU_ON, c.mpidr, entry_pa, 0);
                if r != 0 {
                    kprintln!("  warning  PSCI CPU_ON({:#x}) failed: {}", c.mpidr, r);
                }
            }
            dt::EnableMethod::SpinTable { release_addr } => {
                // SAFETY: the release address is in the first page, reserved from the allocator
                // and mapped in the linear map; the core polls it with its MMU off, so clean it.
                unsafe {
                    core::ptr::write_volatile((LINEAR_BASE + release_addr) as *mut u64, entry_pa)
                };
                bsp::cpu::dcache_clean_inval(LINEAR_BASE + release_addr, 8);
                bsp::cpu::sev();
            }
            _ => {}
        }
    }
}

/// Rust entry on a secondary core (its own stack, final kernel tables).
#[no_mangle]
pub extern "C" fn kernel_secondary_main(_cpu: u64, _entry_el: u64) -> ! {
    bsp::cpu::exception::install_vectors();
    sched::init_cpu();
    irq::init_cpu();
    ONLINE.fetch_add(1, Ordering::AcqRel);
    while !SCHEDULING.load(Ordering::Acquire) {
        core::hint::spin_loop();
    }
    sched::idle_loop()
}

/// Boot self-tests: reported on the console, fatal on failure.
fn self_tests() {
    let mut ok = true;
    // Frame allocator round trip.
    let before = mm::free_bytes();
    let f = mm::alloc_frames(8);
    if let Some(pa) = f {
        mm::free_frames(pa, 8);
    }
    ok &= f.is_some() && mm::free_bytes() == before;
    // Heap round trip.
    let used = mm::heap::used_bytes();
    {
        let mut v: alloc::vec::Vec<u64> = alloc::vec::Vec::new();
        ok &= v.try_reserve(100_000).is_ok();
        v.resize(100_000, 7);
        ok &= v.iter().sum::<u64>() == 700_000;
    }
    ok &= mm::heap::used_bytes() == used;
    // The timer ticks: wait for two interrupts on this core (IRQs unmasked in the wait).
    let t0 = irq::TICKS[0].load(Ordering::Relaxed);
    let limit = bsp::drivers::timer::ticks() + irq::frequency();
    while irq::TICKS[0].load(Ordering::Relaxed) < t0 + 2 && bsp::drivers::timer::ticks() < limit {
        bsp::cpu::wait_for_interrupt();
    }
    let ticked = irq::TICKS[0].load(Ordering::Relaxed) >= t0 + 2;
    ok &= ticked;
    // UART receive path: loopback through the receive interrupt into the input ring.
    let limit = bsp::drivers::timer::ticks() + irq::frequency() / 10;
    // The probe is carriage returns: invisible on a terminal if the model also transmits them.
    let uart = crate::console::loopback_test(b"\r\r\r", || {
        bsp::cpu::wait_for_interrupt();
        bsp::drivers::timer::ticks() < limit
    });
    kprintln!(
        "  selftest uart loopback {}",
        if uart {
            "ok"
        } else {
            "not available (no loopback in this UART model)"
        }
    );
    kprintln!(
        "  selftest frames+heap {} timer {}",
        if ok || !ticked { "ok" } else { "FAILED" },
        if ticked { "ok" } else { "FAILED" }
    );
    if !ok {
        kprintln!("kernel: boot self-test failed");
        finish_run(253);
    }
}

// ---- exception entry points (called by bsp's vectors) ----

fn report(frame: &TrapFrame, esr: u64, far: u64) {
    kprintln!(
        "  ESR {:#010x} ({}), FAR {:#x}, ELR {:#x}, SPSR {:#x}, SP_EL0 {:#x}",
        esr,
        esr_class_name(esr),
        far,
        frame.elr,
        frame.spsr,
        frame.sp_el0
    );
    for i in (0..31).step_by(4) {
        kprintln!(
            "  x{:<2} {:#018x}  x{:<2} {:#018x}  x{:<2} {:#018x}  x{:<2} {:#018x}",
            i,
            frame.x[i],
            i + 1,
            frame.x.get(i + 1).copied().unwrap_or(0),
            i + 2,
            frame.x.get(i + 2).copied().unwrap_or(0),
            i + 3,
            frame.x.get(i + 3).copied().unwrap_or(0)
        );
    }
}

/// Checks on the way back to EL0: a killed thread exits instead.
fn return_to_user() {
    // Teardown the syscall caused (or that a switch handed this thread) is finished first.
    crate::object::reaper::drain_all();
    let t = sched::current();
    if t.killed.load(Ordering::Acquire) {
        drop(t);
        sched::exit_current();
    }
}

#[no_mangle]
pub extern "C" fn exc_el0_sync(frame: &mut TrapFrame) {
    use aarch64_cpu::registers::{Readable, ESR_EL1, FAR_EL1};
    sched::preempt::masked_begin();
    let esr = ESR_EL1.get();
    if (esr >> 26) & 0x3f == 0x15 {
        crate::syscall::dispatch(frame);
        return_to_user();
        sched::preempt::masked_end();
        return;
    }
    let far = FAR_EL1.get();
    let t = sched::current();
    let pname = t.process.as_ref().map_or("?", |p| p.name());
    kprintln!(
        "kernel: process `{}` thread `{}` killed by {}",
        pname,
        t.name(),
        esr_class_name(esr)
    );
    if matches!((esr >> 26) & 0x3f, 0x20 | 0x21 | 0x24 | 0x25) {
        kprintln!("  {}", bsp::cpu::exception::abort_status_name(esr));
    }
    report(frame, esr, far);
    if let Some(p) = &t.process {
        p.kill(zx_abi::TASK_RETCODE_EXCEPTION_KILL);
    }
    drop(t);
    sched::exit_current();
}

#[no_mangle]
pub extern "C" fn exc_irq(frame: &mut TrapFrame) {
    sched::preempt::masked_begin();
    let from_user = frame.spsr & 0xf == 0;
    let resched = irq::handle();
    if from_user {
        if resched {
            sched::schedule(true);
        }
        return_to_user();
    } else if resched && sched::current_ref().process.is_some() {
        // Taken in a preemption point's window: the point switches once the window closes.
        sched::preempt::request_resched();
    }
    sched::preempt::masked_end();
}

#[no_mangle]
pub extern "C" fn exc_el1_sync(frame: &mut TrapFrame) {
    use aarch64_cpu::registers::{Readable, ESR_EL1, FAR_EL1};
    let esr = ESR_EL1.get();
    let far = FAR_EL1.get();
    crate::console::print_panic(format_args!(
        "\nkernel: fault in the kernel: {}\n",
        esr_class_name(esr)
    ));
    report(frame, esr, far);
    crate::backtrace::print_trap(frame);
    finish_run(250);
}

#[no_mangle]
pub extern "C" fn exc_unexpected(frame: &mut TrapFrame, kind: u64) {
    use aarch64_cpu::registers::{Readable, ESR_EL1, FAR_EL1};
    let name = VECTOR_NAMES.get(kind as usize).copied().unwrap_or("?");
    crate::console::print_panic(format_args!("\nkernel: unexpected exception: {}\n", name));
    report(frame, ESR_EL1.get(), FAR_EL1.get());
    crate::backtrace::print_trap(frame);
    finish_run(250);
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    crate::console::print_panic(format_args!(
        "\nkernel panic on cpu {}: {}\n",
        bsp::cpu::cpu_index(),
        info
    ));
    crate::backtrace::print_current();
    finish_run(251)
}
