//! Discovery: what the kernel needs to know, read from the tree through the walker. Knows
//! the devices it looks for (GICs, PL011 and mini-UART, the generic timer, PSCI, the BCM2711
//! GPIO block) and how their nodes describe them.

use super::walker::{base_name, be32, read_int, Blob, Chain, Node};
use super::{
    Board, BoardInfo, Cpu, CpuList, Defaulted, DtError, EnableMethod, Gic, GicVersion, PsciConduit,
    RangeList, Uart, UartKind,
};

/// Bound on `interrupt-parent` hops, so that a cyclic DTB cannot hang us.
const MAX_IRQ_HOPS: usize = 8;

const GIC_V2_COMPATIBLE: &[&str] = &[
    "arm,gic-400",
    "arm,cortex-a15-gic",
    "arm,cortex-a9-gic",
    "arm,cortex-a7-gic",
];
const GIC_V3_COMPATIBLE: &[&str] = &["arm,gic-v3"];
const PL011_COMPATIBLE: &[&str] = &["arm,pl011"];
const MINI_UART_COMPATIBLE: &[&str] = &["brcm,bcm2835-aux-uart"];
const TIMER_COMPATIBLE: &[&str] = &["arm,armv8-timer", "arm,armv7-timer"];
const PSCI_COMPATIBLE: &[&str] = &["arm,psci-1.0", "arm,psci-0.2", "arm,psci"];
const BCM2711_GPIO_COMPATIBLE: &[&str] = &["brcm,bcm2711-gpio"];

/// Everything but the `/memory` checks of [`discover`](fn@super::discover); also returns the
/// number of memory nodes found.
pub(super) fn scan(dtb: &[u8], dtb_phys: u64) -> Result<(BoardInfo<'_>, usize), DtError> {
    let blob = Blob::new(dtb)?;
    let root = blob.root();

    let model = blob.prop_str(root, "model").unwrap_or("");
    let board = if blob.compatible_with(root, &["raspberrypi,4-model-b", "brcm,bcm2711"]) {
        Board::RaspberryPi4
    } else if blob.compatible_with(root, &["linux,dummy-virt"]) {
        Board::QemuVirt
    } else if model.starts_with("Raspberry Pi 4") {
        Board::RaspberryPi4
    } else {
        Board::Unknown
    };

    // RAM: enabled children of the root with device_type = "memory".
    let mut memory = RangeList::new();
    let mut memory_nodes = 0;
    blob.walk(|c| {
        let n = c.node();
        if c.len != 2 {
            return false;
        }
        let is_memory = match blob.prop_str(n, "device_type") {
            Some(t) => t == "memory",
            None => base_name(n.name) == "memory",
        };
        if is_memory && blob.enabled(n) {
            memory_nodes += 1;
            for (base, size) in blob.regs(c).flatten() {
                if size != 0 {
                    memory.push((base, size));
                }
            }
        }
        false
    });

    let mut reserved = RangeList::new();
    for (base, size) in blob.reservations() {
        if size != 0 {
            reserved.push((base, size));
        }
    }
    blob.walk(|c| {
        if c.len == 3 && base_name(c.nodes[1].name) == "reserved-memory" && blob.enabled(c.node()) {
            for (base, size) in blob.regs_raw(c).flatten() {
                // Without a usable `ranges`, reserve the untranslated range:
                // reserving too much is harmless, too little is not.
                let base = blob.translate(c, c.len - 2, base).unwrap_or(base);
                if size != 0 {
                    reserved.push((base, size));
                }
            }
        }
        false
    });
    if reserved.dropped() != 0 {
        return Err(DtError::TooManyReserved);
    }

    let chosen = blob.find_path(&["/chosen"]).map(|c| c.node());
    let chosen_prop = |name| chosen.and_then(|n| blob.prop(n, name));
    let initrd = match (
        chosen_prop("linux,initrd-start"),
        chosen_prop("linux,initrd-end"),
    ) {
        (Some(s), Some(e)) => match (read_int(s), read_int(e)) {
            (Some(s), Some(e)) if e > s => Some((s, e - s)),
            _ => None,
        },
        _ => None,
    };
    let bootargs = chosen
        .and_then(|n| blob.prop_str(n, "bootargs"))
        .unwrap_or("");

    // UARTs.
    let stdout = chosen
        .and_then(|n| blob.prop_str(n, "stdout-path"))
        .and_then(|p| blob.resolve(p))
        .and_then(|c| blob.uart(&c));
    let serial0 = blob.resolve("serial0").and_then(|c| blob.uart(&c));
    let first = |compat: &[&str]| {
        blob.walk(|c| blob.enabled(c.node()) && blob.compatible_with(c.node(), compat))
            .and_then(|c| blob.uart(&c))
    };
    let first_pl011 = first(PL011_COMPATIBLE);
    let uart = stdout
        .or(serial0)
        .or(first_pl011)
        .or_else(|| first(MINI_UART_COMPATIBLE));
    let is_pl011 = |u: &Option<Uart>| {
        matches!(
            u,
            Some(Uart {
                kind: UartKind::Pl011,
                ..
            })
        )
    };
    let pl011 = [stdout, serial0, first_pl011]
        .into_iter()
        .find(is_pl011)
        .flatten();

    // GIC: the first enabled one.
    let gic = blob
        .walk(|c| blob.enabled(c.node()) && blob.gic_version(c.node()).is_some())
        .and_then(|c| {
            let version = blob.gic_version(c.node())?;
            let (gicd, _) = blob.reg_phys(&c, 0)?;
            let second = blob.reg_phys(&c, 1);
            Some(match version {
                GicVersion::V2 => {
                    let gicc = second?.0;
                    Gic {
                        version,
                        gicd,
                        gicc,
                        gicr: 0,
                        gicr_size: 0,
                    }
                }
                GicVersion::V3 => {
                    let (gicr, gicr_size) = second?;
                    Gic {
                        version,
                        gicd,
                        gicc: 0,
                        gicr,
                        gicr_size,
                    }
                }
            })
        });

    let timer =
        blob.walk(|c| blob.enabled(c.node()) && blob.compatible_with(c.node(), TIMER_COMPATIBLE));
    let timer_irq = timer.and_then(|c| blob.intid(&c, 1));
    let vtimer_irq = timer.and_then(|c| blob.intid(&c, 2));

    // CPUs: /cpus/cpu@N (device_type "cpu").
    let mut cpus = CpuList::new();
    blob.walk(|c| {
        let n = c.node();
        if c.len != 3 || c.nodes[1].name != "cpus" {
            return false;
        }
        let is_cpu = match blob.prop_str(n, "device_type") {
            Some(t) => t == "cpu",
            None => base_name(n.name) == "cpu",
        };
        if !is_cpu
            || blob
                .prop_str(n, "status")
                .is_some_and(|s| s.starts_with("fail"))
        {
            return false;
        }
        let Some(Some((mpidr, _))) = blob.regs_raw(c).next() else {
            return false;
        };
        let method = blob
            .prop_str(n, "enable-method")
            .or_else(|| blob.prop_str(c.nodes[1], "enable-method"));
        let enable_method = match method {
            Some("psci") => EnableMethod::Psci,
            Some("spin-table") => match blob.prop(n, "cpu-release-addr").and_then(read_int) {
                Some(release_addr) => EnableMethod::SpinTable { release_addr },
                None => EnableMethod::Unknown,
            },
            _ => EnableMethod::Unknown,
        };
        cpus.push(Cpu {
            mpidr,
            enable_method,
        });
        false
    });

    let psci = blob
        .walk(|c| blob.enabled(c.node()) && blob.compatible_with(c.node(), PSCI_COMPATIBLE))
        .and_then(|c| match blob.prop_str(c.node(), "method") {
            Some("hvc") => Some(PsciConduit::Hvc),
            Some("smc") => Some(PsciConduit::Smc),
            _ => None,
        });

    // The BCM2711 GPIO block (its `reg` covers 0xb4 bytes upstream; the
    // pull-up/down registers at 0xe4 are in the same page).
    let gpio = blob
        .walk(|c| blob.enabled(c.node()) && blob.compatible_with(c.node(), BCM2711_GPIO_COMPATIBLE))
        .and_then(|c| blob.reg_phys(&c, 0))
        .map(|(base, _)| base);

    let info = BoardInfo {
        board,
        model,
        memory,
        reserved,
        dtb: (dtb_phys, blob.total as u64),
        initrd,
        bootargs,
        uart,
        gic,
        timer_irq,
        vtimer_irq,
        cpus,
        psci,
        gpio,
        defaulted: Defaulted::default(),
        pl011,
    };
    Ok((info, memory_nodes))
}

/// Decodes one GIC interrupt specifier (type, number, flags...) to an INTID.
pub(super) fn gic_intid(kind: u32, num: u32) -> Option<u32> {
    match kind {
        0 if num < 988 => Some(32 + num),    // SPI
        1 if num < 16 => Some(16 + num),     // PPI
        2 if num < 1024 => Some(4096 + num), // extended SPI
        3 if num < 64 => Some(1056 + num),   // extended PPI
        _ => None,
    }
}

/// What discovery asks of a node beyond the walker's generic lookups.
impl<'a> Blob<'a> {
    fn gic_version(&self, node: Node<'a>) -> Option<GicVersion> {
        if self.compatible_with(node, GIC_V3_COMPATIBLE) {
            Some(GicVersion::V3)
        } else if self.compatible_with(node, GIC_V2_COMPATIBLE) {
            Some(GicVersion::V2)
        } else {
            None
        }
    }

    /// The interrupt controller of `c`: follow `interrupt-parent`, or the
    /// tree parent where there is none, until a node with `#interrupt-cells`.
    fn interrupt_parent(&self, c: &Chain<'a>) -> Option<Chain<'a>> {
        let mut cur = *c;
        for _ in 0..MAX_IRQ_HOPS {
            cur = match self.prop_u32(cur.node(), "interrupt-parent") {
                Some(phandle) => self.find_phandle(phandle)?,
                None => cur.parent()?,
            };
            if self.prop(cur.node(), "#interrupt-cells").is_some() {
                return Some(cur);
            }
        }
        None
    }

    /// GIC INTID of interrupt number `index` of `c` (`interrupts-extended`
    /// or `interrupts`); `None` unless its controller is a GIC.
    fn intid(&self, c: &Chain<'a>, index: usize) -> Option<u32> {
        let spec = |ctrl: &Chain<'a>| -> Option<(usize, bool)> {
            let cells = self.prop_u32(ctrl.node(), "#interrupt-cells")? as usize;
            Some((cells, self.gic_version(ctrl.node()).is_some()))
        };
        let decode = |v: &[u8], is_gic: bool| {
            is_gic.then_some(())?;
            gic_intid(be32(v, 0)?, be32(v, 4)?)
        };
        let n = c.node();
        if let Some(mut v) = self.prop(n, "interrupts-extended") {
            // <phandle spec...>, each with its own controller's cell count.
            for i in 0.. {
                let ctrl = self.find_phandle(be32(v, 0)?)?;
                let (cells, is_gic) = spec(&ctrl)?;
                let len = cells.checked_add(1)?.checked_mul(4)?;
                let entry = v.get(4..len)?;
                if i == index {
                    return decode(entry, is_gic);
                }
                v = v.get(len..)?;
            }
            return None;
        }
        let v = self.prop(n, "interrupts")?;
        let (cells, is_gic) = spec(&self.interrupt_parent(c)?)?;
        let start = index.checked_mul(cells)?.checked_mul(4)?;
        let entry = v.get(start..start.checked_add(cells * 4)?)?;
        decode(entry, is_gic && cells >= 2)
    }

    /// `c` as a supported, enabled UART.
    fn uart(&self, c: &Chain<'a>) -> Option<Uart> {
        let n = c.node();
        if !self.enabled(n) {
            return None;
        }
        let kind = if self.compatible_with(n, PL011_COMPATIBLE) {
            UartKind::Pl011
        } else if self.compatible_with(n, MINI_UART_COMPATIBLE) {
            UartKind::MiniUart
        } else {
            return None;
        };
        let (base, _) = self.reg_phys(c, 0)?;
        Some(Uart {
            kind,
            base,
            irq: self.intid(c, 0),
        })
    }
}
