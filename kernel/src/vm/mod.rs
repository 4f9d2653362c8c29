//! Virtual memory: the kernel's tables, per-process address spaces, and usercopy.

#[cfg(target_os = "none")]
pub mod aspace;
#[cfg(target_os = "none")]
pub mod kspace;
pub mod range;
#[cfg(target_os = "none")]
pub mod usercopy;
