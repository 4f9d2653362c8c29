# One target per verb; the details live in tools/.
#   make run [BOARD=rpi4]   build everything and boot it in QEMU (virt by default); Ctrl-A X quits
#   make test               host unit tests + the QEMU matrix + boots that must fail clearly
#   make bench              IPC benchmarks under -icount (instruction counts), as a table
#   make bench-linux        the same operations on Debian's arm64 Linux, side by side (one run)
#   make stress             the SMP stress boot 20 times in a row
#   make gdb [BOARD=...] [PROG=test_smoke]  QEMU halted, waiting for gdb-multiarch on :1234
#                           (prints the gdb command: kernel symbols, plus PROG's, booted as init)
#   make image              build/kernel8.img, build/initrd.cpio, build/rpi4.dtb
#   make sdimage            build/rpi4-sd.img: a Raspberry Pi 4 SD card (docs/raspberry-pi.md)
#   make chainboot          the serial chainloader, its SD image; then tools/chainboot DEVICE
#   make lint               rustfmt --check and clippy -D warnings (missing_docs stays a warning)
#   make doc                rustdoc of zx-abi and zx (target/aarch64-unknown-none/doc), warnings are errors
BOARD ?= virt
BUILD ?= build
export BUILD

.PHONY: all image run test bench bench-linux stress gdb lint doc setup clean sdimage chainboot

all: image

setup:
	@tools/setup.sh

image: setup
	@tools/build.sh

run: image
	@tools/qemu.sh $(BOARD)

sdimage: image
	@tools/sdimage.sh $(BUILD)/rpi4-sd.img $(BUILD)/kernel8.img $(BUILD)/initrd.cpio

chainboot: image
	@tools/chainloader/build.sh

test: image
	@tools/test.sh

bench: setup
	@tools/bench.sh

bench-linux: setup
	@tools/bench-linux.sh

stress: image
	@tools/stress.sh $(or $(RUNS),20)

# PROG=NAME: boot that program as init and load its unstripped ELF too ($(BUILD)/user/NAME).
GDB_CMD = gdb-multiarch $(BUILD)/kernel.elf -ex 'target remote :1234'$(if $(PROG), -ex 'add-symbol-file $(BUILD)/user/$(PROG)')
gdb: image
	@if [ -n "$(PROG)" ] && [ ! -f "$(BUILD)/user/$(PROG)" ]; then echo "make gdb: no program $(BUILD)/user/$(PROG)" >&2; exit 1; fi
	@echo "QEMU is halted, waiting for gdb on :1234. In another terminal:"
	@echo "  $(GDB_CMD)"
	@QEMU_EXTRA="-s -S" tools/qemu.sh $(BOARD)$(if $(PROG), init=$(PROG))

lint: setup
	cargo fmt --all --check
	cargo clippy --quiet -p zx-abi -p bsp -p kernel --all-targets -- -D warnings --force-warn missing_docs
	cargo clippy --quiet -p chainloader --all-targets -- -D warnings -A missing_docs
	cargo clippy --quiet -p kernel -p bsp --target aarch64-unknown-none-softfloat -- -D warnings --force-warn missing_docs
	cargo clippy --quiet -p chainloader --target aarch64-unknown-none-softfloat -- -D warnings
	cargo clippy --quiet -p zx --bins --target aarch64-unknown-none -- -D warnings

doc: setup
	RUSTDOCFLAGS="-D warnings" cargo doc --quiet --no-deps -p zx-abi -p zx --lib --target aarch64-unknown-none
	@echo "docs: target/aarch64-unknown-none/doc/zx/index.html, target/aarch64-unknown-none/doc/zx_abi/index.html"

clean:
	rm -rf $(BUILD) target
