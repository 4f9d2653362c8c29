//! A tiny test harness for EL0 test programs: named cases, assertions that report the failing
//! expression and line, one line per case, and the number of failures as the exit code.

use core::sync::atomic::{AtomicU32, Ordering};

static FAILURES: AtomicU32 = AtomicU32::new(0);
static CASE_FAILED: AtomicU32 = AtomicU32::new(0);

/// Records a failed check (used by the `check!` macros).
pub fn fail(file: &str, line: u32, what: core::fmt::Arguments) {
    CASE_FAILED.fetch_add(1, Ordering::Relaxed);
    crate::println!("    check failed at {}:{}: {}", file, line, what);
}

/// Runs each case, printing `ok`/`FAIL` per case; returns the number of failed cases.
pub fn run(program: &str, cases: &[(&str, fn())]) -> i64 {
    for (name, f) in cases {
        CASE_FAILED.store(0, Ordering::Relaxed);
        f();
        if CASE_FAILED.load(Ordering::Relaxed) == 0 {
            crate::println!("  ok   {}::{}", program, name);
        } else {
            FAILURES.fetch_add(1, Ordering::Relaxed);
            crate::println!("  FAIL {}::{}", program, name);
        }
    }
    FAILURES.load(Ordering::Relaxed) as i64
}

/// `check!(cond)` / `check!(cond, "fmt", args)`: records a failure and continues.
#[macro_export]
macro_rules! check {
    ($cond:expr) => {
        if !$cond {
            $crate::test::fail(file!(), line!(), format_args!("{}", stringify!($cond)));
        }
    };
    ($cond:expr, $($arg:tt)+) => {
        if !$cond {
            $crate::test::fail(file!(), line!(), format_args!($($arg)+));
        }
    };
}

/// `check_eq!(a, b)`: records a failure showing both values.
#[macro_export]
macro_rules! check_eq {
    ($a:expr, $b:expr) => {{
        let (a, b) = (&$a, &$b);
        if a != b {
            $crate::test::fail(
                file!(),
                line!(),
                format_args!(
                    "{} == {}: {:?} != {:?}",
                    stringify!($a),
                    stringify!($b),
                    a,
                    b
                ),
            );
        }
    }};
}

/// `check_status!(expr_returning_i32, Status::X)`.
#[macro_export]
macro_rules! check_status {
    ($call:expr, $want:expr) => {{
        let got = $crate::Status($call);
        let want: $crate::Status = $want;
        if got != want {
            $crate::test::fail(
                file!(),
                line!(),
                format_args!("{} returned {} (want {})", stringify!($call), got, want),
            );
        }
    }};
}
