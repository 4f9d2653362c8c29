//! Links the program with the `zx` crate's linker script for EL0 programs (it passes the path in
//! `DEP_ZX_LINKER_SCRIPT`).
fn main() {
    let script =
        std::env::var("DEP_ZX_LINKER_SCRIPT").expect("the zx crate names its linker script");
    println!("cargo:rustc-link-arg-bins=-T{script}");
    println!("cargo:rerun-if-env-changed=DEP_ZX_LINKER_SCRIPT");
}
