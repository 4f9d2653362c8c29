//! The generator of the files derived from `zx-abi`, and the check that they are up to date.
//!
//! From the data in `zx_abi::meta` it renders:
//! - the tables of `docs/abi.md` (between `<!-- BEGIN GENERATED: x -->` / `<!-- END GENERATED: x -->`),
//! - the C SDK headers `sdk/include/zircon/{types,errors,rights,syscalls}.h` and
//!   `sdk/include/zircon/syscalls/object.h`.
//!
//! `cargo test` fails when a committed file differs from what it renders. To regenerate:
//!
//! ```sh
//! ZX_ABI_REGEN=1 cargo test -p zx-abi --test generated
//! ```
//!
//! A second test checks that every relative link in `README.md` and `docs/` resolves inside
//! the repository.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use zx_abi::meta::{self, Constant, Named, Record};
use zx_abi::{ObjType, Status};

const REGEN_CMD: &str = "ZX_ABI_REGEN=1 cargo test -p zx-abi --test generated";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

// ---------------------------------------------------------------------------------------------
// docs/abi.md tables
// ---------------------------------------------------------------------------------------------

fn signature(c: &meta::Syscall) -> String {
    let params: Vec<String> = c
        .params
        .iter()
        .map(|p| format!("{} {}", p.c_type, p.name))
        .collect();
    let params = if params.is_empty() {
        "void".to_string()
    } else {
        params.join(", ")
    };
    format!("{} {}({})", c.ret, c.name, params)
}

fn md_syscalls() -> String {
    let mut s = String::from("| nr | C signature | note |\n|---:|---|---|\n");
    for c in &meta::SYSCALLS {
        let mut note = Vec::new();
        if c.noreturn {
            note.push("never returns");
        }
        if c.project {
            note.push("this project's call");
        }
        if c.ret == "zx_time_t" {
            note.push("returns the time in `x0`");
        }
        let _ = writeln!(s, "| {} | `{}` | {} |", c.nr, signature(c), note.join("; "));
    }
    s
}

fn md_named(rows: &[Named], name_of: impl Fn(&Named) -> String, hex: bool) -> String {
    let mut s = String::from("| name | value | meaning |\n|---|---:|---|\n");
    for r in rows {
        let v = if hex {
            format!("`{:#x}`", r.value)
        } else {
            format!("{}", r.value)
        };
        let _ = writeln!(s, "| `{}` | {} | {} |", name_of(r), v, r.doc);
    }
    s
}

fn status_name(r: &Named) -> String {
    Status(r.value as i32).name().to_string()
}

fn obj_name(r: &Named) -> String {
    ObjType(r.value as u32).name().to_string()
}

fn md_status() -> String {
    let mut s = md_named(&meta::STATUSES, status_name, false);
    s.push_str(
        "\nZircon's other codes are defined by the C SDK so that Zircon code compiles, but this \
         kernel never returns them:\n",
    );
    let names: Vec<String> = meta::ZIRCON_ONLY_STATUSES
        .iter()
        .map(|r| format!("`{}` {}", r.name, r.value))
        .collect();
    s.push_str(&wrap(&names.join(", "), 100));
    s.push('\n');
    s
}

fn md_rights() -> String {
    let mut s = md_named(&meta::RIGHTS, |r| r.name.to_string(), true);
    s.push_str("\nGroups, and the rights a new handle gets:\n\n");
    s.push_str(&md_named(&meta::RIGHT_GROUPS, |r| r.name.to_string(), true));
    s
}

fn md_constants() -> String {
    let mut s = String::from("| name | C type | value | meaning |\n|---|---|---:|---|\n");
    for c in &meta::CONSTANTS {
        let v = if c.value == i64::MAX {
            "`INT64_MAX`".to_string()
        } else if c.value >= 0x1000 && (c.value & (c.value - 1)) == 0 && c.value > 65536 {
            format!("`{:#x}`", c.value)
        } else {
            format!("{}", c.value)
        };
        let _ = writeln!(s, "| `{}` | `{}` | {} | {} |", c.name, c.c_type, v, c.doc);
    }
    s
}

fn c_decl(f: &meta::Field) -> String {
    if f.array > 0 {
        format!("{} {}[{}]", f.c_type, f.name, f.array)
    } else {
        format!("{} {}", f.c_type, f.name)
    }
}

fn md_layouts() -> String {
    let mut s = String::new();
    for r in &meta::RECORDS {
        let own = if r.project { ", this project's" } else { "" };
        let _ = writeln!(
            s,
            "`{}_t`: {} bytes, alignment {}{}\n\n| offset | size | field |\n|---:|---:|---|",
            r.c_name, r.size, r.align, own
        );
        for f in r.fields {
            let _ = writeln!(s, "| {} | {} | `{}` |", f.offset, f.size, c_decl(f));
        }
        s.push('\n');
    }
    s.pop();
    s
}

fn md_topics() -> String {
    let mut s = String::from("| topic | value | record | meaning |\n|---|---:|---|---|\n");
    for t in &meta::TOPICS {
        let rec = if t.record.is_empty() {
            "(none)".to_string()
        } else {
            format!("`{}`", t.record)
        };
        let own = if t.project { " (this project's)" } else { "" };
        let _ = writeln!(
            s,
            "| `{}` | `{:#x}` | {} | {}{} |",
            t.name, t.value, rec, t.doc, own
        );
    }
    s
}

fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for w in text.split(' ') {
        if !line.is_empty() && line.len() + 1 + w.len() > width {
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(w);
    }
    out.push_str(&line);
    out
}

fn render_abi_md(current: &str) -> String {
    let blocks: [(&str, String); 8] = [
        ("syscalls", md_syscalls()),
        ("status", md_status()),
        ("rights", md_rights()),
        ("obj_types", md_named(&meta::OBJ_TYPES, obj_name, false)),
        (
            "signals",
            md_named(&meta::SIGNALS, |r| r.name.to_string(), true),
        ),
        ("constants", md_constants()),
        ("layouts", md_layouts()),
        ("topics", md_topics()),
    ];
    let mut out = current.to_string();
    for (name, body) in blocks {
        let begin = format!("<!-- BEGIN GENERATED: {name} -->\n");
        let end = format!("<!-- END GENERATED: {name} -->");
        let b = out
            .find(&begin)
            .unwrap_or_else(|| panic!("docs/abi.md lacks the marker {begin:?}"));
        let e = out[b..]
            .find(&end)
            .unwrap_or_else(|| panic!("docs/abi.md lacks the marker {end:?}"))
            + b;
        let mut body = body;
        if !body.ends_with('\n') {
            body.push('\n');
        }
        out.replace_range(b + begin.len()..e, &body);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// C headers
// ---------------------------------------------------------------------------------------------

const C_BANNER: &str =
    "// Generated from the zx-abi crate (kernel/abi) by kernel/abi/tests/generated.rs.\n\
// Do not edit: change kernel/abi and run\n\
//   ZX_ABI_REGEN=1 cargo test -p zx-abi --test generated\n\
// Names, types, values and layouts are Zircon's; see docs/abi.md.\n";

fn guard_open(s: &mut String, guard: &str) {
    s.push_str(C_BANNER);
    let _ = writeln!(s, "#ifndef {guard}\n#define {guard}\n");
}

fn guard_close(s: &mut String, guard: &str) {
    let _ = writeln!(s, "#endif  // {guard}");
}

fn c_value(c_type: &str, v: i64) -> String {
    let unsigned = c_type.starts_with('u')
        || matches!(
            c_type,
            "zx_handle_t"
                | "zx_rights_t"
                | "zx_signals_t"
                | "zx_obj_type_t"
                | "zx_handle_op_t"
                | "zx_object_info_topic_t"
                | "size_t"
        );
    if v == i64::MAX {
        format!("(({c_type})INT64_MAX)")
    } else if unsigned && v > 9 {
        format!("(({c_type})0x{v:x}u)")
    } else if unsigned {
        format!("(({c_type}){v}u)")
    } else {
        format!("(({c_type}){v}ll)")
    }
}

fn c_defines(s: &mut String, rows: &[Named], c_type: &str) {
    for r in rows {
        let _ = writeln!(s, "#define {} {}", r.name, c_value(c_type, r.value));
    }
}

fn c_record(s: &mut String, r: &Record) {
    if r.project {
        s.push_str("// This project's own record (not in Zircon).\n");
    }
    let _ = writeln!(s, "typedef struct {} {{", r.c_name);
    for f in r.fields {
        let _ = writeln!(s, "    {};", c_decl(f));
    }
    let _ = writeln!(s, "}} {}_t;", r.c_name);
    let t = format!("{}_t", r.c_name);
    let _ = writeln!(
        s,
        "ZX_SDK_ASSERT(sizeof({t}) == {}, \"size of {t}\");",
        r.size
    );
    let _ = writeln!(
        s,
        "ZX_SDK_ASSERT(_Alignof({t}) == {}, \"alignment of {t}\");",
        r.align
    );
    for f in r.fields {
        let _ = writeln!(
            s,
            "ZX_SDK_ASSERT(offsetof({t}, {}) == {}, \"offset of {t}.{}\");",
            f.name, f.offset, f.name
        );
        let _ = writeln!(
            s,
            "ZX_SDK_ASSERT(sizeof((({t}*)0)->{}) == {}, \"size of {t}.{}\");",
            f.name, f.size, f.name
        );
    }
    s.push('\n');
}

fn h_errors() -> String {
    let mut s = String::new();
    guard_open(&mut s, "ZIRCON_ERRORS_H_");
    s.push_str("// Status codes (zx_status_t, defined in <zircon/types.h>). 0 is success.\n\n");
    for r in &meta::STATUSES {
        let _ = writeln!(s, "#define {} ({})", status_name(r), r.value);
    }
    s.push_str("\n// Zircon defines these too; this kernel never returns them.\n");
    for r in &meta::ZIRCON_ONLY_STATUSES {
        let _ = writeln!(s, "#define {} ({})", r.name, r.value);
    }
    s.push('\n');
    guard_close(&mut s, "ZIRCON_ERRORS_H_");
    s
}

fn h_rights() -> String {
    let mut s = String::new();
    guard_open(&mut s, "ZIRCON_RIGHTS_H_");
    s.push_str("#include <stdint.h>\n\ntypedef uint32_t zx_rights_t;\n\n");
    c_defines(&mut s, &meta::RIGHTS, "zx_rights_t");
    s.push('\n');
    c_defines(&mut s, &meta::RIGHT_GROUPS, "zx_rights_t");
    s.push('\n');
    guard_close(&mut s, "ZIRCON_RIGHTS_H_");
    s
}

const ASSERT_MACRO: &str = "#ifdef __cplusplus\n\
#define ZX_SDK_ASSERT(cond, msg) static_assert(cond, msg)\n\
#else\n\
#define ZX_SDK_ASSERT(cond, msg) _Static_assert(cond, msg)\n\
#endif\n";

fn h_types() -> String {
    let mut s = String::new();
    guard_open(&mut s, "ZIRCON_TYPES_H_");
    s.push_str(
        "#include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\n\
         #include <zircon/errors.h>\n#include <zircon/rights.h>\n\n",
    );
    s.push_str(ASSERT_MACRO);
    s.push_str(
        "\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n\
         typedef uint32_t zx_handle_t;\n\
         typedef int32_t zx_status_t;\n\
         typedef int64_t zx_time_t;\n\
         typedef int64_t zx_duration_t;\n\
         typedef int64_t zx_ticks_t;\n\
         typedef uint64_t zx_koid_t;\n\
         typedef uint32_t zx_signals_t;\n\
         typedef uint32_t zx_obj_type_t;\n\
         typedef uint32_t zx_handle_op_t;\n\
         typedef uintptr_t zx_vaddr_t;\n\
         typedef uintptr_t zx_paddr_t;\n\
         typedef uint64_t zx_off_t;\n\n",
    );
    s.push_str("// Constants.\n");
    for c in &meta::CONSTANTS {
        let Constant {
            name,
            c_type,
            value,
            ..
        } = c;
        let _ = writeln!(s, "#define {} {}", name, c_value(c_type, *value));
    }
    s.push_str(
        "#define ZX_TIME_INFINITE_PAST ((zx_time_t)0)\n\n\
         // Durations.\n\
         #define ZX_NSEC(n) ((zx_duration_t)(1ll * (n)))\n\
         #define ZX_USEC(n) ((zx_duration_t)(1000ll * (n)))\n\
         #define ZX_MSEC(n) ((zx_duration_t)(1000000ll * (n)))\n\
         #define ZX_SEC(n) ((zx_duration_t)(1000000000ll * (n)))\n\
         #define ZX_MIN(n) (ZX_SEC(n) * 60ll)\n\
         #define ZX_HOUR(n) (ZX_MIN(n) * 60ll)\n\n",
    );
    s.push_str("// Signals (several names share a bit; the object type decides).\n");
    c_defines(&mut s, &meta::SIGNALS, "zx_signals_t");
    s.push_str("\n// Object types.\n");
    for r in &meta::OBJ_TYPES {
        let _ = writeln!(
            s,
            "#define {} {}",
            obj_name(r),
            c_value("zx_obj_type_t", r.value)
        );
    }
    s.push('\n');
    for r in meta::RECORDS.iter().filter(|r| r.header == "types") {
        c_record(&mut s, r);
    }
    s.push_str("#ifdef __cplusplus\n}  // extern \"C\"\n#endif\n\n");
    guard_close(&mut s, "ZIRCON_TYPES_H_");
    s
}

fn h_object() -> String {
    let mut s = String::new();
    guard_open(&mut s, "ZIRCON_SYSCALLS_OBJECT_H_");
    s.push_str("#include <zircon/types.h>\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");
    s.push_str("typedef uint32_t zx_object_info_topic_t;\n\n// zx_object_get_info topics.\n");
    for t in &meta::TOPICS {
        let own = if t.project { "  // this project's" } else { "" };
        let _ = writeln!(
            s,
            "#define {} {}{}",
            t.name,
            c_value("zx_object_info_topic_t", t.value as i64),
            own
        );
    }
    s.push('\n');
    for r in meta::RECORDS.iter().filter(|r| r.header == "object") {
        c_record(&mut s, r);
    }
    s.push_str("#ifdef __cplusplus\n}  // extern \"C\"\n#endif\n\n");
    guard_close(&mut s, "ZIRCON_SYSCALLS_OBJECT_H_");
    s
}

fn h_syscalls() -> String {
    let mut s = String::new();
    guard_open(&mut s, "ZIRCON_SYSCALLS_H_");
    s.push_str(
        "// System calls as inline `svc #0` stubs (docs/abi.md section 1): number in x16,\n\
         // arguments in x0..x7, result in x0; the kernel changes only x0, x16 and x17.\n\n\
         #include <zircon/types.h>\n#include <zircon/syscalls/object.h>\n\n\
         #ifdef __cplusplus\nextern \"C\" {\n#endif\n\n",
    );
    s.push_str("// Call numbers.\n");
    for c in &meta::SYSCALLS {
        let _ = writeln!(
            s,
            "#define ZXK_SYSCALL_{} {}",
            c.name.trim_start_matches("zx_").to_uppercase(),
            c.nr
        );
    }
    s.push('\n');
    for c in &meta::SYSCALLS {
        let attr = if c.noreturn {
            "__attribute__((noreturn)) "
        } else {
            ""
        };
        if c.project {
            s.push_str("// This project's own call (docs/abi.md section 5).\n");
        }
        let _ = writeln!(s, "{}static inline {} {{", attr, signature(c));
        for (i, p) in c.params.iter().enumerate() {
            let cast = if p.c_type.ends_with('*') {
                format!("(uint64_t)(uintptr_t){}", p.name)
            } else {
                format!("(uint64_t){}", p.name)
            };
            let _ = writeln!(s, "    register uint64_t x{i} __asm__(\"x{i}\") = {cast};");
        }
        if c.params.is_empty() {
            s.push_str("    register uint64_t x0 __asm__(\"x0\");\n");
        }
        let _ = writeln!(
            s,
            "    register uint64_t x16 __asm__(\"x16\") = ZXK_SYSCALL_{};",
            c.name.trim_start_matches("zx_").to_uppercase()
        );
        let ins: Vec<String> = (1..c.params.len())
            .map(|i| format!("\"r\"(x{i})"))
            .collect();
        let out0 = if c.params.is_empty() {
            "\"=r\"(x0)"
        } else {
            "\"+r\"(x0)"
        };
        let _ = writeln!(
            s,
            "    __asm__ volatile(\"svc #0\" : {out0}, \"+r\"(x16) : {} : \"x17\", \"memory\");",
            ins.join(", ")
        );
        match c.ret {
            "void" => s.push_str("    (void)x0;\n    __builtin_unreachable();\n"),
            ret => {
                let _ = writeln!(s, "    return ({ret})x0;");
            }
        }
        s.push_str("}\n\n");
    }
    s.push_str(
        "// A deadline `nanoseconds` from now, saturating at ZX_TIME_INFINITE.\n\
         static inline zx_time_t zx_deadline_after(zx_duration_t nanoseconds) {\n\
         \x20   zx_time_t now = zx_clock_get_monotonic();\n\
         \x20   if (nanoseconds > 0 && now > ZX_TIME_INFINITE - nanoseconds) {\n\
         \x20       return ZX_TIME_INFINITE;\n\
         \x20   }\n\
         \x20   return now + nanoseconds;\n\
         }\n\n",
    );
    s.push_str("#ifdef __cplusplus\n}  // extern \"C\"\n#endif\n\n");
    guard_close(&mut s, "ZIRCON_SYSCALLS_H_");
    s
}

// ---------------------------------------------------------------------------------------------
// The checks
// ---------------------------------------------------------------------------------------------

fn outputs() -> Vec<(PathBuf, String)> {
    let r = root();
    let abi = r.join("docs/abi.md");
    let current = std::fs::read_to_string(&abi).expect("docs/abi.md is readable");
    let inc = r.join("sdk/include/zircon");
    vec![
        (abi, render_abi_md(&current)),
        (inc.join("types.h"), h_types()),
        (inc.join("errors.h"), h_errors()),
        (inc.join("rights.h"), h_rights()),
        (inc.join("syscalls.h"), h_syscalls()),
        (inc.join("syscalls/object.h"), h_object()),
    ]
}

#[test]
fn generated_files_are_up_to_date() {
    let regen = std::env::var("ZX_ABI_REGEN").is_ok_and(|v| v == "1");
    let mut stale = Vec::new();
    for (path, want) in outputs() {
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        if have != want {
            if regen {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &want).unwrap();
                println!("regenerated {}", path.display());
            } else {
                stale.push(path.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "generated from zx-abi but stale: {stale:?}; regenerate with `{REGEN_CMD}` and commit"
    );
}

#[test]
fn syscall_table_matches_the_numbers() {
    assert_eq!(meta::SYSCALLS.len(), zx_abi::nr::ALL.len());
    for (c, (nr, name)) in meta::SYSCALLS.iter().zip(zx_abi::nr::ALL.iter()) {
        assert_eq!((c.nr, c.name), (*nr, *name));
        assert!(
            c.params.len() <= 8,
            "{}: at most 8 register arguments",
            c.name
        );
    }
}

#[test]
fn every_status_has_a_name_and_no_value_twice() {
    let mut seen = std::collections::HashSet::new();
    for r in &meta::STATUSES {
        assert_ne!(status_name(r), "ZX_ERR_UNKNOWN", "{}", r.value);
        assert!(seen.insert(r.value), "{} twice", r.value);
    }
    for r in &meta::ZIRCON_ONLY_STATUSES {
        assert_eq!(
            Status(r.value as i32).name(),
            "ZX_ERR_UNKNOWN",
            "{}",
            r.name
        );
        assert!(seen.insert(r.value), "{} twice", r.value);
    }
    for r in &meta::OBJ_TYPES {
        assert_ne!(obj_name(r), "ZX_OBJ_TYPE_UNKNOWN");
    }
}

#[test]
fn record_fields_are_in_order_and_inside_the_record() {
    for r in &meta::RECORDS {
        let mut end = 0;
        for f in r.fields {
            assert!(
                f.offset >= end,
                "{}.{} overlaps the field before",
                r.c_name,
                f.name
            );
            end = f.offset + f.size;
        }
        assert!(end <= r.size, "{} fields run past its size", r.c_name);
        assert!(
            r.size - end < r.align,
            "{}: tail padding is larger than alignment",
            r.c_name
        );
    }
}

/// Every relative link in `README.md` and `docs/**.md` names a file or directory inside the
/// repository.
#[test]
fn relative_links_in_readme_and_docs_resolve_inside_the_repository() {
    let r = root().canonicalize().unwrap();
    let mut files = vec![r.join("README.md")];
    let mut dirs = vec![r.join("docs")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "md") {
                files.push(p);
            }
        }
    }
    let mut broken = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let mut rest = text.as_str();
        while let Some(i) = rest.find("](") {
            rest = &rest[i + 2..];
            let end = rest.find(')').unwrap_or(rest.len());
            let target = rest[..end].split('#').next().unwrap().trim();
            if target.is_empty() || target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let p = f.parent().unwrap().join(target);
            match p.canonicalize() {
                Ok(c) if c.starts_with(&r) => {}
                _ => broken.push(format!("{}: {}", f.display(), target)),
            }
        }
    }
    assert!(
        broken.is_empty(),
        "links that leave the repository or name nothing: {broken:?}"
    );
}
