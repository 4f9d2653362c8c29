//! Links EL0 programs with `linker/user.ld` and lists the test programs (`src/bin/test_*.rs`)
//! for `init`, which runs each of them.
use std::fmt::Write;

fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap();
    let target = std::env::var("TARGET").unwrap_or_default();
    // Programs in other packages (examples/template) link with the same script: their build
    // scripts read it from DEP_ZX_LINKER_SCRIPT (this package `links = "zx"`).
    println!("cargo:linker_script={dir}/../linker/user.ld");
    if target.starts_with("aarch64-unknown-none") {
        println!("cargo:rustc-link-arg-bins=-T{dir}/../linker/user.ld");
        println!("cargo:rerun-if-changed={dir}/../linker/user.ld");
    }
    let mut names: Vec<String> = std::fs::read_dir(format!("{dir}/src/bin"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("test_") && n.ends_with(".rs"))
        .map(|n| n.trim_end_matches(".rs").to_string())
        .collect();
    // C test programs (sdk/tests/test_*.c, built by tools/build.sh) run with the Rust ones.
    if let Ok(dir) = std::fs::read_dir(format!("{dir}/../sdk/tests")) {
        names.extend(
            dir.filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|n| n.starts_with("test_") && n.ends_with(".c"))
                .map(|n| n.trim_end_matches(".c").to_string()),
        );
    }
    println!("cargo:rerun-if-changed={dir}/../sdk/tests");
    names.sort();
    // ZX_TESTS=test_a,test_b keeps only those (for iterating on a few programs).
    if let Ok(only) = std::env::var("ZX_TESTS") {
        if !only.is_empty() {
            let keep: Vec<&str> = only.split(',').collect();
            names.retain(|n| keep.contains(&n.as_str()));
        }
    }
    println!("cargo:rerun-if-env-changed=ZX_TESTS");
    let mut out = String::from(
        "/// Test programs, in the order init runs them.\npub const TESTS: &[&str] = &[\n",
    );
    for n in &names {
        let _ = writeln!(out, "    {n:?},");
    }
    out.push_str("];\n");
    std::fs::write(
        format!("{}/tests.rs", std::env::var("OUT_DIR").unwrap()),
        out,
    )
    .unwrap();
    println!("cargo:rerun-if-changed={dir}/src/bin");
}
