//! Time: [`Duration`] (signed nanoseconds) and [`MonotonicInstant`] (a point on the monotonic
//! clock, `zx_time_t`), as in Fuchsia's `zx` crate. Arithmetic saturates, so
//! `MonotonicInstant::INFINITE` stays infinite.

use core::ops::{Add, AddAssign, Div, Mul, Neg, Sub, SubAssign};

/// A span of time in nanoseconds (`zx_duration_t`).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration(i64);

impl Duration {
    /// No time.
    pub const ZERO: Self = Self(0);
    /// The longest duration (`ZX_TIME_INFINITE` nanoseconds).
    pub const INFINITE: Self = Self(i64::MAX);
    /// The most negative duration.
    pub const INFINITE_PAST: Self = Self(i64::MIN);

    /// `n` nanoseconds.
    pub const fn from_nanos(n: i64) -> Self {
        Self(n)
    }
    /// `n` microseconds (saturating).
    pub const fn from_micros(n: i64) -> Self {
        Self(n.saturating_mul(1_000))
    }
    /// `n` milliseconds (saturating).
    pub const fn from_millis(n: i64) -> Self {
        Self(n.saturating_mul(1_000_000))
    }
    /// `n` seconds (saturating).
    pub const fn from_seconds(n: i64) -> Self {
        Self(n.saturating_mul(1_000_000_000))
    }
    /// Whole nanoseconds.
    pub const fn into_nanos(self) -> i64 {
        self.0
    }
    /// Whole microseconds.
    pub const fn into_micros(self) -> i64 {
        self.0 / 1_000
    }
    /// Whole milliseconds.
    pub const fn into_millis(self) -> i64 {
        self.0 / 1_000_000
    }
    /// Whole seconds.
    pub const fn into_seconds(self) -> i64 {
        self.0 / 1_000_000_000
    }
    /// The instant this long from now.
    pub fn after_now(self) -> MonotonicInstant {
        MonotonicInstant::after(self)
    }
}

impl Add for Duration {
    type Output = Self;
    fn add(self, d: Self) -> Self {
        Self(self.0.saturating_add(d.0))
    }
}
impl Sub for Duration {
    type Output = Self;
    fn sub(self, d: Self) -> Self {
        Self(self.0.saturating_sub(d.0))
    }
}
impl AddAssign for Duration {
    fn add_assign(&mut self, d: Self) {
        *self = *self + d;
    }
}
impl SubAssign for Duration {
    fn sub_assign(&mut self, d: Self) {
        *self = *self - d;
    }
}
impl Mul<i64> for Duration {
    type Output = Self;
    fn mul(self, k: i64) -> Self {
        Self(self.0.saturating_mul(k))
    }
}
impl Div<i64> for Duration {
    type Output = Self;
    fn div(self, k: i64) -> Self {
        Self(self.0.checked_div(k).unwrap_or(i64::MAX))
    }
}
impl Neg for Duration {
    type Output = Self;
    fn neg(self) -> Self {
        Self(self.0.saturating_neg())
    }
}

/// A point on the monotonic clock in nanoseconds since boot (`zx_time_t`); deadlines are these.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MonotonicInstant(i64);

/// Fuchsia's older name for [`MonotonicInstant`].
pub type Time = MonotonicInstant;

impl MonotonicInstant {
    /// Boot.
    pub const ZERO: Self = Self(0);
    /// A deadline that never passes (`ZX_TIME_INFINITE`).
    pub const INFINITE: Self = Self(zx_abi::TIME_INFINITE);
    /// A deadline that has always passed (`ZX_TIME_INFINITE_PAST`): poll without blocking.
    pub const INFINITE_PAST: Self = Self(i64::MIN);

    /// Now (`zx_clock_get_monotonic`).
    pub fn get() -> Self {
        Self(crate::raw::clock_get_monotonic())
    }
    /// `d` from now (saturating: `after(Duration::INFINITE)` is `INFINITE`).
    pub fn after(d: Duration) -> Self {
        Self::get() + d
    }
    /// The instant `n` nanoseconds after boot.
    pub const fn from_nanos(n: i64) -> Self {
        Self(n)
    }
    /// Nanoseconds since boot (the raw `zx_time_t`).
    pub const fn into_nanos(self) -> i64 {
        self.0
    }
    /// Blocks the calling thread until this instant (`zx_nanosleep`).
    pub fn sleep(self) {
        crate::raw::nanosleep(self.0);
    }
}

impl Add<Duration> for MonotonicInstant {
    type Output = Self;
    fn add(self, d: Duration) -> Self {
        Self(self.0.saturating_add(d.0))
    }
}
impl Sub<Duration> for MonotonicInstant {
    type Output = Self;
    fn sub(self, d: Duration) -> Self {
        Self(self.0.saturating_sub(d.0))
    }
}
impl Sub for MonotonicInstant {
    type Output = Duration;
    fn sub(self, t: Self) -> Duration {
        Duration(self.0.saturating_sub(t.0))
    }
}
impl AddAssign<Duration> for MonotonicInstant {
    fn add_assign(&mut self, d: Duration) {
        *self = *self + d;
    }
}
impl SubAssign<Duration> for MonotonicInstant {
    fn sub_assign(&mut self, d: Duration) {
        *self = *self - d;
    }
}
