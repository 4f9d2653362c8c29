//! The board facts agree with the devicetrees the boards hand over (the fixtures in
//! bsp/tests/data): the fallback and the defaults say what the devicetree would have said.

use super::{fallback_uart, rpi4, virt, TIMER_IRQ, VTIMER_IRQ};
use crate::dt::{discover, BoardInfo, EnableMethod, GicVersion};

const VIRT: &[u8] = include_bytes!("../../tests/data/virt-gicv2.dtb");
const PI_REAL_QEMU: &[u8] = include_bytes!("../../tests/data/bcm2711-rpi-4-b-qemu.dtb");
const RPI4_QEMU: &[u8] = include_bytes!("../../tests/data/rpi4-qemu.dtb");

fn check_common(info: &BoardInfo, uart: u64, uart_irq: u32, gicd: u64, gicc: u64) {
    let u = info.console_pl011().expect("a PL011");
    assert_eq!((u.base, u.irq), (uart, Some(uart_irq)));
    let g = info.gic.expect("a GIC");
    assert_eq!((g.version, g.gicd, g.gicc), (GicVersion::V2, gicd, gicc));
    assert_eq!(
        (info.timer_irq, info.vtimer_irq),
        (Some(TIMER_IRQ), Some(VTIMER_IRQ))
    );
}

#[test]
fn virt_facts_match_its_devicetree() {
    let info = discover(VIRT, 0x4800_0000).unwrap();
    check_common(
        &info,
        virt::UART_BASE,
        virt::UART_IRQ,
        virt::GICD,
        virt::GICC,
    );
    assert_eq!(info.memory.as_slice()[0].0, virt::RAM_BASE);
}

#[test]
fn pi_facts_match_the_real_and_our_devicetree() {
    for dtb in [PI_REAL_QEMU, RPI4_QEMU] {
        let info = discover(dtb, 0x100).unwrap();
        check_common(
            &info,
            rpi4::UART_BASE,
            rpi4::UART_IRQ,
            rpi4::GICD,
            rpi4::GICC,
        );
        let spin: Vec<(u64, u64)> = info
            .cpus
            .as_slice()
            .iter()
            .map(|c| match c.enable_method {
                EnableMethod::SpinTable { release_addr } => (c.mpidr, release_addr),
                other => panic!("cpu {:#x}: {other:?}", c.mpidr),
            })
            .collect();
        assert_eq!(spin, rpi4::SPIN_TABLE);
        let (page, size) = rpi4::SPIN_TABLE_PAGE;
        assert!(spin.iter().all(|&(_, a)| a >= page && a + 8 <= page + size));
    }
}

#[test]
fn fallback_uart_follows_the_load_address() {
    assert_eq!(fallback_uart(0x8_0000), rpi4::UART_BASE);
    assert_eq!(fallback_uart(0x4020_0000), virt::UART_BASE);
}
