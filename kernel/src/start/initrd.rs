//! The initrd's programs: the archive the boot handed over, the programs `zx_process_spawn`
//! looks up in it, and the start of the first process.

use super::run_end::finish_run;
use crate::boot::cpio::Archive;
use crate::kprintln;
use spin::Once;

static INITRD: Once<&'static [u8]> = Once::new();

/// Keeps the initrd (mapped for the kernel's lifetime) for [`boot_program`].
pub fn set(initrd: &'static [u8]) {
    INITRD.call_once(|| initrd);
}

/// The boot program named `name` in the initrd.
pub fn boot_program(name: &str) -> Option<&'static [u8]> {
    let a = Archive::new(INITRD.get()?).ok()?;
    a.find(name).ok().flatten().map(|e| e.data)
}

/// Starts the first process, `name` from the initrd; ends the run with 254 and a message saying
/// what is wrong if it cannot.
pub fn start_first_process(name: &str) {
    let initrd = INITRD.get().copied().unwrap_or(&[]);
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
    match crate::task::spawn(name, image, || None, true, true) {
        Ok(_) => kprintln!("kernel: started `{}`", name),
        Err(s) => {
            kprintln!("kernel: cannot start `{}`: {}", name, s);
            finish_run(254)
        }
    }
}
