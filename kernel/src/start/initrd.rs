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

/// Starts the first process, `name` from the initrd, with `test=` (if given) on its bootstrap
/// channel; ends the run with 254 and a message saying what is wrong if it cannot.
pub fn start_first_process(name: &str, test: Option<&str>) {
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
    match crate::task::spawn(name, image, || init_bootstrap(test), true, true) {
        Ok(_) => kprintln!("kernel: started `{}`", name),
        Err(s) => {
            kprintln!("kernel: cannot start `{}`: {}", name, s);
            finish_run(254)
        }
    }
}

/// `test=PROGRAM::CASE` reaches init as the message `test=PROGRAM::CASE` on a bootstrap channel
/// whose other end is closed (docs/abi.md section 5); without it init gets none.
fn init_bootstrap(test: Option<&str>) -> Option<crate::object::Handle> {
    use crate::object::channel::{Endpoint, Message};
    use crate::object::Handle;
    use zx_abi::Rights;
    let word = test?;
    let (ours, theirs) = Endpoint::new_pair();
    let bytes = [b"test=", word.as_bytes()].concat();
    ours.write(Message::try_new(&bytes, alloc::vec::Vec::new()).ok()?)
        .ok()?;
    drop(Handle::new(ours, Rights::DEFAULT_CHANNEL));
    Some(Handle::new(theirs, Rights::DEFAULT_CHANNEL))
}
