//! How a run ends: the exit mode the bootargs chose (semihosting exit code, PSCI power-off, or
//! idling), `init`'s exit, halting a core, and the panic handler.

use crate::boot::bootargs::ExitMode;
use crate::kprintln;
use bsp::dt::PsciConduit;
use core::sync::atomic::{AtomicBool, AtomicU8, Ordering};

static EXIT_MODE: AtomicU8 = AtomicU8::new(0);
static PSCI_SMC: AtomicBool = AtomicBool::new(false);
static HAVE_PSCI: AtomicBool = AtomicBool::new(false);

const EXIT_NONE: u8 = 0;
const EXIT_SEMIHOSTING: u8 = 1;
const EXIT_POWEROFF: u8 = 2;

/// Records how the run ends (from the bootargs) and the PSCI conduit (from the devicetree).
pub fn configure(exit: ExitMode, psci: Option<PsciConduit>) {
    EXIT_MODE.store(
        match exit {
            ExitMode::None => EXIT_NONE,
            ExitMode::Semihosting => EXIT_SEMIHOSTING,
            ExitMode::Poweroff => EXIT_POWEROFF,
        },
        Ordering::Relaxed,
    );
    if let Some(c) = psci {
        HAVE_PSCI.store(true, Ordering::Relaxed);
        PSCI_SMC.store(matches!(c, PsciConduit::Smc), Ordering::Relaxed);
    }
}

/// Whether PSCI calls go through `smc` (else `hvc`).
pub fn psci_smc() -> bool {
    PSCI_SMC.load(Ordering::Relaxed)
}

/// Stops this core for good.
pub fn halt() -> ! {
    loop {
        bsp::cpu::sysreg::wait_for_event();
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
            bsp::cpu::psci_call(psci_smc(), bsp::cpu::PSCI_SYSTEM_OFF, 0, 0, 0);
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
