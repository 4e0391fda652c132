# SPDX-License-Identifier: GPL-2.0
#
# vmscope: kernel module, CLI and selftests.
#
#   make                 module/vmscope.ko (against KDIR) and userspace/vmscope
#   make install         modules_install + depmod, CLI to $(PREFIX)/bin
#   make check           static checks, then the selftests in four test VMs
#   make demo            a guided tour of the CLI in a test VM
#   make bench           vmscope against pagemap and smaps_rollup, in a VM
#   make vm              an interactive shell in a test VM (KERNEL=, LEVELS=)
#
# Everything downloaded or built for the VMs lives in $(VMSCOPE_CACHE).

KDIR		?= /lib/modules/$(shell uname -r)/build
PREFIX		?= /usr/local
DESTDIR		?=
KERNEL		?= 6.12
LEVELS		?= 4
VMSCOPE_CACHE	?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/vmscope
export VMSCOPE_CACHE

all: module cli

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

cli:
	$(MAKE) -C userspace

# The selftest harness comes from Debian's linux-source package.
selftests:
	$(MAKE) -C selftests KSFT_DIR=$$(scripts/ksft.sh)/tools/testing/selftests

install: module cli
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	depmod -a $(notdir $(patsubst %/build,%,$(realpath $(KDIR))))
	install -D -m 0755 userspace/vmscope $(DESTDIR)$(PREFIX)/bin/vmscope

# Build the module for both test kernels into $(VMSCOPE_CACHE)/build/VERSION.
modules-all:
	scripts/build-modules.sh

check:
	scripts/check.sh

demo:
	scripts/demo.sh

bench:
	scripts/bench.sh

vm: modules-all cli selftests
	selftests/vmtest.sh -k $(KERNEL) -l $(LEVELS) -s

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean || true
	$(MAKE) -C userspace clean
	rm -f selftests/vmscope_*_test

.PHONY: all module cli selftests install modules-all check demo bench vm clean
