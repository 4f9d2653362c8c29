//! Parser for the kernel command line (`/chosen/bootargs`, QEMU `-append`): `init=` and `exit=`
//! as docs/abi.md section 5 defines them, the per-process message quota `ipc_quota=`, `test=`
//! (handed to init), and the debugging word `selftest=`.
//!
//! The line is split on ASCII whitespace (and ends at a NUL, should the
//! devicetree property's terminator be passed along). Words are applied left
//! to right, so a later `init=` or `exit=` overrides an earlier one. A word
//! the kernel does not understand becomes a [`BootArgWarning`] for the console
//! and changes nothing.

use core::fmt;

/// Program started first when the command line names none.
pub const DEFAULT_INIT: &str = "init";
/// Most warnings kept; further ones are only counted.
pub const MAX_WARNINGS: usize = 16;

/// What the kernel does when the first program's process ends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ExitMode {
    /// No `exit=`: print the return code and idle.
    #[default]
    None,
    /// `exit=semihosting`: leave QEMU through semihosting with the return code
    /// as exit status (0..=255, else 255).
    Semihosting,
    /// `exit=poweroff`: power off through PSCI.
    Poweroff,
}

/// A word that was ignored, borrowed from the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BootArgWarning<'a> {
    /// A word that is neither `init=...` nor `exit=...`.
    UnknownWord(&'a str),
    /// `exit=VALUE` with a value other than `semihosting` or `poweroff`.
    UnknownExitMode(&'a str),
    /// `init=` with nothing after it.
    EmptyInit,
    /// `ipc_quota=VALUE` with a value that is not a size (`65536`, `512K`, `32M`, `1G`).
    BadQuota(&'a str),
}

impl fmt::Display for BootArgWarning<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::UnknownWord(word) => write!(f, "bootargs: ignoring unknown word `{word}`"),
            Self::UnknownExitMode(value) => write!(
                f,
                "bootargs: ignoring `exit={value}`: expected exit=semihosting or exit=poweroff"
            ),
            Self::EmptyInit => write!(f, "bootargs: ignoring `init=` without a program name"),
            Self::BadQuota(value) => write!(
                f,
                "bootargs: ignoring `ipc_quota={value}`: expected a size such as 65536, 512K, 32M or 1G"
            ),
        }
    }
}

/// The parsed command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BootArgs<'a> {
    /// Name (archive path) of the first program; [`DEFAULT_INIT`] unless set.
    pub init: &'a str,
    /// What to do when that program's process ends.
    pub exit: ExitMode,
    /// `selftest=NAME`: a boot self-test that stops the kernel on purpose (`panic`, `fault`:
    /// the backtrace test of `make test`); `None` unless given.
    pub selftest: Option<&'a str>,
    /// `ipc_quota=SIZE`: the most kernel memory one process's queued messages may hold, in
    /// bytes; `None` for the default (an eighth of RAM).
    pub ipc_quota: Option<usize>,
    /// `test=PROGRAM::CASE`: handed to init (on its bootstrap channel) to run one test case.
    pub test: Option<&'a str>,
    warnings: [BootArgWarning<'a>; MAX_WARNINGS],
    warning_count: usize,
    warnings_dropped: usize,
}

impl Default for BootArgs<'_> {
    fn default() -> Self {
        Self {
            init: DEFAULT_INIT,
            exit: ExitMode::None,
            selftest: None,
            ipc_quota: None,
            test: None,
            warnings: [BootArgWarning::EmptyInit; MAX_WARNINGS],
            warning_count: 0,
            warnings_dropped: 0,
        }
    }
}

impl<'a> BootArgs<'a> {
    /// The ignored words in command-line order (at most [`MAX_WARNINGS`]).
    pub fn warnings(&self) -> &[BootArgWarning<'a>] {
        self.warnings.get(..self.warning_count).unwrap_or(&[])
    }

    /// How many further warnings did not fit in [`BootArgs::warnings`].
    pub fn warnings_dropped(&self) -> usize {
        self.warnings_dropped
    }

    fn warn(&mut self, warning: BootArgWarning<'a>) {
        match self.warnings.get_mut(self.warning_count) {
            Some(slot) => {
                *slot = warning;
                self.warning_count = self.warning_count.saturating_add(1);
            }
            None => self.warnings_dropped = self.warnings_dropped.saturating_add(1),
        }
    }
}

/// Parses a command line; never fails, since every problem is a warning.
pub fn parse(line: &str) -> BootArgs<'_> {
    let line = line.split('\0').next().unwrap_or_default();
    let mut args = BootArgs::default();
    for word in line.split_ascii_whitespace() {
        match word.split_once('=') {
            Some(("init", "")) => args.warn(BootArgWarning::EmptyInit),
            Some(("init", name)) => args.init = name,
            Some(("exit", "semihosting")) => args.exit = ExitMode::Semihosting,
            Some(("exit", "poweroff")) => args.exit = ExitMode::Poweroff,
            Some(("exit", value)) => args.warn(BootArgWarning::UnknownExitMode(value)),
            Some(("selftest", name)) if !name.is_empty() => args.selftest = Some(name),
            Some(("ipc_quota", value)) => match parse_size(value) {
                Some(n) => args.ipc_quota = Some(n),
                None => args.warn(BootArgWarning::BadQuota(value)),
            },
            Some(("test", name)) if !name.is_empty() => args.test = Some(name),
            _ => args.warn(BootArgWarning::UnknownWord(word)),
        }
    }
    args
}

/// A size in bytes: decimal digits with an optional `K`, `M` or `G` (binary multiples).
/// `None` if malformed, zero or too large.
fn parse_size(s: &str) -> Option<usize> {
    let (digits, shift) = match s.as_bytes().last()? {
        b'K' | b'k' => (&s[..s.len() - 1], 10),
        b'M' | b'm' => (&s[..s.len() - 1], 20),
        b'G' | b'g' => (&s[..s.len() - 1], 30),
        _ => (s, 0),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: usize = digits.parse().ok()?;
    let n = n.checked_mul(1usize.checked_shl(shift)?)?;
    (n > 0).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipc_quota_takes_sizes_and_warns_on_anything_else() {
        assert_eq!(parse("").ipc_quota, None);
        assert_eq!(parse("ipc_quota=65536").ipc_quota, Some(65536));
        assert_eq!(parse("ipc_quota=512K").ipc_quota, Some(512 << 10));
        assert_eq!(parse("ipc_quota=32m").ipc_quota, Some(32 << 20));
        assert_eq!(parse("ipc_quota=1G").ipc_quota, Some(1 << 30));
        for bad in ["", "0", "K", "-5", "12X", "1.5M", "99999999999999999999G"] {
            let line = format!("ipc_quota=4M ipc_quota={bad}");
            let args = parse(&line);
            assert_eq!(
                args.ipc_quota,
                Some(4 << 20),
                "{bad:?} keeps the earlier value"
            );
            assert_eq!(args.warnings(), &[BootArgWarning::BadQuota(bad)], "{bad:?}");
        }
    }

    #[test]
    fn empty_line_gives_the_defaults() {
        for line in ["", "   ", "\t\n", "\0init=ignored"] {
            let args = parse(line);
            assert_eq!(args.init, "init", "{line:?}");
            assert_eq!(args.exit, ExitMode::None, "{line:?}");
            assert_eq!(args.warnings(), &[], "{line:?}");
            assert_eq!(args.warnings_dropped(), 0, "{line:?}");
        }
    }

    #[test]
    fn init_and_exit_are_read() {
        let args = parse("init=bin/test-runner exit=semihosting");
        assert_eq!(args.init, "bin/test-runner");
        assert_eq!(args.exit, ExitMode::Semihosting);
        assert_eq!(args.warnings(), &[]);
        assert_eq!(parse("exit=poweroff").exit, ExitMode::Poweroff);
    }

    #[test]
    fn later_words_override_earlier_ones() {
        let args = parse("init=first exit=poweroff init=second exit=semihosting");
        assert_eq!(args.init, "second");
        assert_eq!(args.exit, ExitMode::Semihosting);
        let args = parse("exit=semihosting exit=poweroff");
        assert_eq!(args.exit, ExitMode::Poweroff);
    }

    #[test]
    fn unknown_exit_value_warns_and_keeps_the_previous_mode() {
        let args = parse("exit=poweroff exit=reboot exit= exit=Semihosting");
        assert_eq!(args.exit, ExitMode::Poweroff);
        assert_eq!(
            args.warnings(),
            &[
                BootArgWarning::UnknownExitMode("reboot"),
                BootArgWarning::UnknownExitMode(""),
                BootArgWarning::UnknownExitMode("Semihosting"),
            ]
        );
    }

    #[test]
    fn empty_init_warns_and_keeps_the_previous_name() {
        let args = parse("init=sh init=");
        assert_eq!(args.init, "sh");
        assert_eq!(args.warnings(), &[BootArgWarning::EmptyInit]);
        assert_eq!(parse("init=").init, "init");
    }

    #[test]
    fn selftest_is_read_and_empty_is_unknown() {
        assert_eq!(parse("").selftest, None);
        let args = parse("selftest=fault init=x selftest=panic");
        assert_eq!(args.selftest, Some("panic"));
        assert_eq!(args.warnings(), &[]);
        let args = parse("selftest=");
        assert_eq!(args.selftest, None);
        assert_eq!(args.warnings(), &[BootArgWarning::UnknownWord("selftest=")]);
    }

    #[test]
    fn test_names_one_case_for_init() {
        let args = parse("test=handles::close_many_of_nothing_is_ok exit=semihosting");
        assert_eq!(args.test, Some("handles::close_many_of_nothing_is_ok"));
        assert_eq!(args.warnings(), &[]);
        assert_eq!(parse("test=").test, None);
    }

    #[test]
    fn init_value_is_everything_after_the_first_equals_sign() {
        assert_eq!(parse("init=./bin/a=b").init, "./bin/a=b");
    }

    #[test]
    fn unknown_words_are_collected_in_order() {
        let args = parse("console=ttyAMA0 quiet init=x INIT=y init exit root=/dev/vda");
        assert_eq!(args.init, "x");
        assert_eq!(args.exit, ExitMode::None);
        assert_eq!(
            args.warnings(),
            &[
                BootArgWarning::UnknownWord("console=ttyAMA0"),
                BootArgWarning::UnknownWord("quiet"),
                BootArgWarning::UnknownWord("INIT=y"),
                BootArgWarning::UnknownWord("init"),
                BootArgWarning::UnknownWord("exit"),
                BootArgWarning::UnknownWord("root=/dev/vda"),
            ]
        );
    }

    #[test]
    fn words_are_split_on_any_ascii_whitespace() {
        let args = parse("\tinit=a\n\n exit=poweroff\r\nfoo  ");
        assert_eq!(args.init, "a");
        assert_eq!(args.exit, ExitMode::Poweroff);
        assert_eq!(args.warnings(), &[BootArgWarning::UnknownWord("foo")]);
    }

    #[test]
    fn a_nul_ends_the_line() {
        let args = parse("init=a\0init=b junk");
        assert_eq!(args.init, "a");
        assert_eq!(args.warnings(), &[]);
    }

    #[test]
    fn warnings_beyond_sixteen_are_counted_not_kept() {
        let line: Vec<String> = (0..20).map(|i| format!("w{i}")).collect();
        let line = line.join(" ") + " init=last";
        let args = parse(&line);
        assert_eq!(args.init, "last");
        assert_eq!(args.warnings().len(), MAX_WARNINGS);
        assert_eq!(args.warnings()[0], BootArgWarning::UnknownWord("w0"));
        assert_eq!(args.warnings()[15], BootArgWarning::UnknownWord("w15"));
        assert_eq!(args.warnings_dropped(), 4);
    }

    #[test]
    fn warnings_display_as_console_lines() {
        assert_eq!(
            BootArgWarning::UnknownWord("quiet").to_string(),
            "bootargs: ignoring unknown word `quiet`"
        );
        assert_eq!(
            BootArgWarning::UnknownExitMode("reboot").to_string(),
            "bootargs: ignoring `exit=reboot`: expected exit=semihosting or exit=poweroff"
        );
        assert_eq!(
            BootArgWarning::EmptyInit.to_string(),
            "bootargs: ignoring `init=` without a program name"
        );
    }

    #[test]
    fn non_ascii_words_are_borrowed_unchanged() {
        let args = parse("init=prüfung ünknown");
        assert_eq!(args.init, "prüfung");
        assert_eq!(args.warnings(), &[BootArgWarning::UnknownWord("ünknown")]);
    }
}
