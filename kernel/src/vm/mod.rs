//! Virtual memory: the kernel's tables, per-process address spaces, and usercopy.

pub mod aspace;
pub mod kspace;
pub mod usercopy;
