//! The project's own walker of the flattened devicetree's structure block (Devicetree
//! Specification v0.4, chapter 5), and the small big-endian readers it and discovery share.
//!
//! The `fdt` crate does what it does well: [`Blob::new`] has it check the header's magic and
//! `totalsize`, and [`Blob::reservations`] reads the memory reservation block with it. The
//! structure block is walked here because `fdt` 0.1.5 does not handle `FDT_NOP` tokens between
//! nodes, which QEMU `raspi4b` leaves in every DTB it passes (it NOPs out the original `/memory`
//! node and the devices it does not emulate). Measured on the fixtures in `bsp/tests/data` (and
//! checked by `fdt_0_1_fails_where_the_walker_is_needed` in `tests.rs`):
//!
//! - On the NOP-free blobs (QEMU `virt`, `rpi4.dtb`, the real Pi DTB as shipped) `fdt` finds
//!   every node we look up.
//! - On `rpi4.dtb` and the real Pi DTB as QEMU `raspi4b` passes them (16 and 326 NOPs), `fdt`
//!   does not find `/cpus` or `/soc`, or panics ("bad node") in `find_node`, `cpus()` and
//!   `chosen().stdout()`, depending on where the NOPs sit. A panic in early boot stops the
//!   kernel.
//! - Even where it reads the tree, `fdt` 0.1.5 returns `reg` untranslated (bus addresses: the Pi's
//!   GIC at 0x4004_1000, not 0xff84_1000), does not decode three-cell GIC interrupt specifiers,
//!   gives a node no ancestors beyond its parent's cell sizes, and panics rather than failing on
//!   malformed input, where [`super::discover()`] must return an error.
//!
//! So every lookup goes through this walker on every blob: one code path, the same answers on
//! the boards we boot. Should a later `fdt` handle NOPs, that test fails and says so.

use super::DtError;

pub(super) const FDT_MAGIC: u32 = 0xd00d_feed;
pub(super) const HEADER_LEN: usize = 40;
/// Devicetree format version this parser understands (v17, compatible v16).
const FDT_VERSION: u32 = 17;

pub(super) const FDT_BEGIN_NODE: u32 = 1;
pub(super) const FDT_END_NODE: u32 = 2;
pub(super) const FDT_PROP: u32 = 3;
pub(super) const FDT_NOP: u32 = 4;
pub(super) const FDT_END: u32 = 9;

/// Nodes nested deeper than this are not visited (real trees use about 5).
const MAX_DEPTH: usize = 16;

/// Node name without its unit address.
pub(super) fn base_name(name: &str) -> &str {
    name.split('@').next().unwrap_or(name)
}

/// Does node name `name` match path component `comp`? Like libfdt: exactly,
/// or by base name when `comp` has no unit address.
fn name_matches(name: &str, comp: &str) -> bool {
    name == comp || (!comp.contains('@') && base_name(name) == comp)
}

pub(super) fn be32(b: &[u8], off: usize) -> Option<u32> {
    let bytes = b.get(off..off.checked_add(4)?)?;
    Some(u32::from_be_bytes(bytes.try_into().ok()?))
}

fn be64(b: &[u8], off: usize) -> Option<u64> {
    let bytes = b.get(off..off.checked_add(8)?)?;
    Some(u64::from_be_bytes(bytes.try_into().ok()?))
}

/// A property holding one 32- or 64-bit number.
pub(super) fn read_int(v: &[u8]) -> Option<u64> {
    match v.len() {
        4 => be32(v, 0).map(u64::from),
        8 => be64(v, 0),
        _ => None,
    }
}

/// A number of `cells` big-endian 32-bit cells; `None` if `b` is not exactly
/// that long or the value does not fit in 64 bits.
fn read_cells(b: &[u8], cells: usize) -> Option<u64> {
    if b.len() != cells.checked_mul(4)? {
        return None;
    }
    let mut v: u64 = 0;
    for c in b.chunks_exact(4) {
        if v >> 32 != 0 {
            return None;
        }
        v = (v << 32) | u64::from(u32::from_be_bytes(c.try_into().ok()?));
    }
    Some(v)
}

/// Maps `addr` through a non-empty `ranges` value.
fn map_range(ranges: &[u8], child: usize, parent: usize, size: usize, addr: u64) -> Option<u64> {
    let entry = (child + parent + size) * 4;
    if entry == 0 {
        return None;
    }
    ranges.chunks_exact(entry).find_map(|e| {
        let (c, rest) = e.split_at(child * 4);
        let (p, s) = rest.split_at(parent * 4);
        let (c, p, s) = (
            read_cells(c, child)?,
            read_cells(p, parent)?,
            read_cells(s, size)?,
        );
        let offset = addr.checked_sub(c)?;
        if offset < s {
            p.checked_add(offset)
        } else {
            None
        }
    })
}

/// A validated blob. After [`Blob::new`] every token in the structure block
/// is known to be well formed; the accessors still never index out of bounds.
#[derive(Clone, Copy)]
pub(super) struct Blob<'a> {
    data: &'a [u8],
    pub(super) total: usize,
    structs: &'a [u8],
    struct_off: usize,
    strings: &'a [u8],
    /// Offset (in `structs`) of the root node's first property.
    root_body: usize,
}

/// A node: its name and the offset in the structure block of the token
/// after its name (its first property, child or end).
#[derive(Clone, Copy)]
pub(super) struct Node<'a> {
    pub(super) name: &'a str,
    body: usize,
}

/// A node with all its ancestors: `nodes[0]` is the root, `nodes[len - 1]`
/// the node itself.
#[derive(Clone, Copy)]
pub(super) struct Chain<'a> {
    pub(super) nodes: [Node<'a>; MAX_DEPTH],
    pub(super) len: usize,
}

impl<'a> Chain<'a> {
    pub(super) fn node(&self) -> Node<'a> {
        self.nodes[self.len - 1]
    }

    /// The parent's chain (None for the root).
    pub(super) fn parent(&self) -> Option<Chain<'a>> {
        (self.len > 1).then(|| Chain {
            nodes: self.nodes,
            len: self.len - 1,
        })
    }
}

enum Token<'a> {
    Begin(Node<'a>),
    End,
    Prop(&'a str, &'a [u8]),
    Nop,
    Finish,
}

fn align4(off: usize) -> usize {
    (off + 3) & !3
}

impl<'a> Blob<'a> {
    pub(super) fn new(dtb: &'a [u8]) -> Result<Self, DtError> {
        match be32(dtb, 0) {
            None => return Err(DtError::Truncated),
            Some(FDT_MAGIC) => {}
            Some(_) => return Err(DtError::BadHeader),
        }
        if dtb.len() < HEADER_LEN {
            return Err(DtError::Truncated);
        }
        let field = |i: usize| be32(dtb, 4 * i).map_or(0, |v| v as usize);
        let total = field(1);
        if total < HEADER_LEN {
            return Err(DtError::BadHeader);
        }
        let data = dtb.get(..total).ok_or(DtError::Truncated)?;
        let (version, last_comp) = (field(5) as u32, field(6) as u32);
        if version < FDT_VERSION {
            return Err(DtError::UnsupportedVersion(version));
        }
        if last_comp > FDT_VERSION {
            return Err(DtError::UnsupportedVersion(last_comp));
        }
        let block = |off: usize, len: usize| data.get(off..off.checked_add(len)?);
        let (struct_off, strings_off, rsv_off) = (field(2), field(3), field(4));
        let structs = block(struct_off, field(9)).ok_or(DtError::BadHeader)?;
        let strings = block(strings_off, field(8)).ok_or(DtError::BadHeader)?;
        if rsv_off < HEADER_LEN {
            return Err(DtError::BadHeader);
        }
        // The fdt crate checks the magic and size too, and reads the
        // reservation map below.
        fdt::Fdt::new(data).map_err(|e| match e {
            fdt::FdtError::BadMagic | fdt::FdtError::BadPtr => DtError::BadHeader,
            fdt::FdtError::BufferTooSmall => DtError::Truncated,
        })?;
        let mut blob = Blob {
            data,
            total,
            structs,
            struct_off,
            strings,
            root_body: 0,
        };
        // The reservation map must end with a (0, 0) entry inside the blob.
        let mut off = rsv_off;
        loop {
            match (be64(data, off), be64(data, off + 8)) {
                (Some(0), Some(0)) => break,
                (Some(_), Some(_)) => off += 16,
                _ => return Err(DtError::BadHeader),
            }
        }
        blob.root_body = blob.check_structure()?;
        Ok(blob)
    }

    /// The root node.
    pub(super) fn root(&self) -> Node<'a> {
        Node {
            name: "",
            body: self.root_body,
        }
    }

    /// `/memreserve/` entries, through the `fdt` crate.
    pub(super) fn reservations(&self) -> impl Iterator<Item = (u64, u64)> + 'a {
        let fdt = fdt::Fdt::new(self.data).ok();
        fdt.into_iter().flat_map(|f| {
            f.memory_reservations()
                .map(|r| (r.address() as usize as u64, r.size() as u64))
        })
    }

    /// Reads the token at `off` in the structure block; returns it and the
    /// offset of the next one.
    fn token(&self, off: usize) -> Option<(Token<'a>, usize)> {
        let s = self.structs;
        let body = off.checked_add(4)?;
        match be32(s, off)? {
            FDT_BEGIN_NODE => {
                let rest = s.get(body..)?;
                let n = rest.iter().position(|&b| b == 0)?;
                let name = core::str::from_utf8(rest.get(..n)?).ok()?;
                let next = align4(body + n + 1);
                Some((Token::Begin(Node { name, body: next }), next))
            }
            FDT_PROP => {
                let len = be32(s, body)? as usize;
                let name = self.string(be32(s, body + 4)? as usize)?;
                let start = body + 8;
                let value = s.get(start..start.checked_add(len)?)?;
                Some((Token::Prop(name, value), align4(start + len)))
            }
            FDT_END_NODE => Some((Token::End, body)),
            FDT_NOP => Some((Token::Nop, body)),
            FDT_END => Some((Token::Finish, body)),
            _ => None,
        }
    }

    fn string(&self, off: usize) -> Option<&'a str> {
        let rest = self.strings.get(off..)?;
        let n = rest.iter().position(|&b| b == 0)?;
        core::str::from_utf8(rest.get(..n)?).ok()
    }

    /// Checks the whole structure block once: one root node, balanced,
    /// properties only inside nodes, FDT_END at the end. Returns the root
    /// node's body offset.
    fn check_structure(&self) -> Result<usize, DtError> {
        let (mut off, mut depth, mut root) = (0, 0usize, None);
        loop {
            let bad = DtError::BadStructure(self.struct_off + off);
            let (token, next) = self.token(off).ok_or(bad)?;
            match token {
                Token::Begin(node) => {
                    if depth == 0 {
                        if root.is_some() {
                            return Err(bad);
                        }
                        root = Some(node.body);
                    }
                    depth += 1;
                }
                Token::End if depth > 0 => depth -= 1,
                Token::Prop(..) if depth > 0 => {}
                Token::Nop => {}
                Token::Finish if depth == 0 => return root.ok_or(bad),
                _ => return Err(bad),
            }
            off = next;
        }
    }

    /// Visits every node (up to [`MAX_DEPTH`]) in document order with its
    /// ancestors, until `f` returns true; returns that node's chain.
    pub(super) fn walk(&self, mut f: impl FnMut(&Chain<'a>) -> bool) -> Option<Chain<'a>> {
        let empty = Node { name: "", body: 0 };
        let mut chain = Chain {
            nodes: [empty; MAX_DEPTH],
            len: 0,
        };
        let (mut off, mut depth) = (0, 0usize);
        loop {
            let (token, next) = self.token(off)?;
            match token {
                Token::Begin(node) => {
                    depth += 1;
                    if depth <= MAX_DEPTH {
                        chain.nodes[depth - 1] = node;
                        chain.len = depth;
                        if f(&chain) {
                            return Some(chain);
                        }
                    }
                }
                Token::End => {
                    depth = depth.checked_sub(1)?;
                    chain.len = depth.min(MAX_DEPTH);
                }
                Token::Finish => return None,
                Token::Prop(..) | Token::Nop => {}
            }
            off = next;
        }
    }

    /// The node at a path given in parts that are joined with '/', e.g.
    /// `["/soc", "serial@7e201000"]`. Components without a unit address
    /// match by base name; the first match in document order wins.
    pub(super) fn find_path(&self, parts: &[&str]) -> Option<Chain<'a>> {
        let comps = || {
            parts
                .iter()
                .flat_map(|p| p.split('/'))
                .filter(|c| !c.is_empty())
        };
        let n = comps().count();
        self.walk(|c| {
            c.len == n + 1
                && comps()
                    .zip(&c.nodes[1..c.len])
                    .all(|(p, node)| name_matches(node.name, p))
        })
    }

    /// Resolves a `stdout-path`-style reference: options after ':' are
    /// dropped; a full path is looked up, anything else is an alias
    /// (optionally followed by "/more/path").
    pub(super) fn resolve(&self, path: &str) -> Option<Chain<'a>> {
        let path = path.split(':').next()?;
        if path.starts_with('/') {
            return self.find_path(&[path]);
        }
        let (alias, rest) = path.split_once('/').unwrap_or((path, ""));
        if alias.is_empty() {
            return None;
        }
        let aliases = self.find_path(&["/aliases"])?;
        let target = self.prop_str(aliases.node(), alias)?;
        target.starts_with('/').then_some(())?;
        self.find_path(&[target, rest])
    }

    /// The node with this phandle.
    pub(super) fn find_phandle(&self, phandle: u32) -> Option<Chain<'a>> {
        if phandle == 0 || phandle == u32::MAX {
            return None;
        }
        self.walk(|c| {
            let n = c.node();
            let ph = self
                .prop(n, "phandle")
                .or_else(|| self.prop(n, "linux,phandle"));
            ph.and_then(|v| be32(v, 0)) == Some(phandle)
        })
    }

    fn props(&self, node: Node<'a>) -> impl Iterator<Item = (&'a str, &'a [u8])> + 'a {
        let blob = *self;
        let mut off = node.body;
        core::iter::from_fn(move || loop {
            match blob.token(off)? {
                (Token::Prop(name, value), next) => {
                    off = next;
                    return Some((name, value));
                }
                (Token::Nop, next) => off = next,
                _ => return None,
            }
        })
    }

    pub(super) fn prop(&self, node: Node<'a>, name: &str) -> Option<&'a [u8]> {
        self.props(node).find(|&(n, _)| n == name).map(|(_, v)| v)
    }

    /// The first string of a string (list) property.
    pub(super) fn prop_str(&self, node: Node<'a>, name: &str) -> Option<&'a str> {
        let v = self.prop(node, name)?;
        let end = v.iter().position(|&b| b == 0).unwrap_or(v.len());
        core::str::from_utf8(v.get(..end)?).ok()
    }

    pub(super) fn prop_u32(&self, node: Node<'a>, name: &str) -> Option<u32> {
        self.prop(node, name)
            .filter(|v| v.len() == 4)
            .and_then(|v| be32(v, 0))
    }

    pub(super) fn compatible_with(&self, node: Node<'a>, with: &[&str]) -> bool {
        self.prop(node, "compatible").is_some_and(|v| {
            v.split(|&b| b == 0)
                .any(|s| with.iter().any(|w| w.as_bytes() == s))
        })
    }

    /// `status` absent, "okay" or "ok".
    pub(super) fn enabled(&self, node: Node<'a>) -> bool {
        matches!(
            self.prop_str(node, "status"),
            None | Some("okay") | Some("ok")
        )
    }

    /// `#address-cells` (default 2) and `#size-cells` (default 1) that
    /// `node` sets for its children.
    fn cells(&self, node: Node<'a>) -> (usize, usize) {
        let get = |name, default| self.prop_u32(node, name).map_or(default, |v| v as usize);
        (get("#address-cells", 2), get("#size-cells", 1))
    }

    /// The node's `reg` entries, untranslated (in its parent's address space).
    pub(super) fn regs_raw(&self, c: &Chain<'a>) -> impl Iterator<Item = Option<(u64, u64)>> + 'a {
        let (ac, sc) = c.parent().map_or((2, 1), |p| self.cells(p.node()));
        let reg = self.prop(c.node(), "reg").unwrap_or(&[]);
        let entry = if ac <= 4 && sc <= 4 { (ac + sc) * 4 } else { 0 };
        let entries = if entry == 0 {
            [].chunks_exact(1)
        } else {
            reg.chunks_exact(entry)
        };
        entries.map(move |e| {
            let (a, s) = e.split_at(ac * 4);
            Some((read_cells(a, ac)?, read_cells(s, sc)?))
        })
    }

    /// The node's `reg` entries translated to CPU physical addresses.
    pub(super) fn regs(&self, c: &Chain<'a>) -> impl Iterator<Item = Option<(u64, u64)>> + 'a {
        let (blob, chain) = (*self, *c);
        self.regs_raw(c).map(move |r| {
            let (base, size) = r?;
            Some((
                blob.translate(&chain, chain.len.checked_sub(2)?, base)?,
                size,
            ))
        })
    }

    pub(super) fn reg_phys(&self, c: &Chain<'a>, index: usize) -> Option<(u64, u64)> {
        self.regs(c).nth(index).flatten()
    }

    /// Translates `addr`, an address in the space of the children of
    /// `c.nodes[level]`, to a CPU physical address through the `ranges` of
    /// `c.nodes[level]` and all its ancestors. A bus without `ranges` cannot
    /// be translated; an empty `ranges` is the identity.
    pub(super) fn translate(&self, c: &Chain<'a>, mut level: usize, mut addr: u64) -> Option<u64> {
        while level > 0 {
            let (bus, parent) = (c.nodes[level], c.nodes[level - 1]);
            let ranges = self.prop(bus, "ranges")?;
            if !ranges.is_empty() {
                let (child_ac, child_sc) = self.cells(bus);
                let (parent_ac, _) = self.cells(parent);
                if child_ac > 4 || child_sc > 4 || parent_ac > 4 {
                    return None;
                }
                addr = map_range(ranges, child_ac, parent_ac, child_sc, addr)?;
            }
            level -= 1;
        }
        Some(addr)
    }
}
