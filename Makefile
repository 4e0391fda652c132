# SPDX-License-Identifier: GPL-2.0
#
# vmscope: kernel module, CLI and selftests.
#
#   make                 module/vmscope.ko (against KDIR), userspace/vmscope
#                        and its man page
#   make install         install-module and install-cli
#   make install-module  modules_install + depmod (INSTALL_MOD_PATH)
#   make install-cli     the CLI, vmscope(8) and bash completion under
#                        $(DESTDIR)$(PREFIX)
#   make deb             Debian packages vmscope and vmscope-dkms, in ..
#   make check           static checks, then the selftests in four test VMs
#   make check-debug     the selftests on a KASAN + lockdep kernel built here
#   make demo            a guided tour of the CLI in a test VM
#   make bench           vmscope against pagemap and smaps_rollup, in a VM
#   make vm              an interactive shell in a test VM (KERNEL=, LEVELS=)
#
# Everything downloaded or built for the VMs lives in $(VMSCOPE_CACHE).

KDIR		?= /lib/modules/$(shell uname -r)/build
VERSION		:= 0.1
PREFIX		?= /usr/local
BINDIR		?= $(PREFIX)/bin
MANDIR		?= $(PREFIX)/share/man
BASHCOMPDIR	?= $(PREFIX)/share/bash-completion/completions
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
	scripts/mkman.sh userspace/vmscope Documentation/man/vmscope.8.in \
		$(VERSION) > userspace/vmscope.8

# The selftest harness comes from Debian's linux-source package.  The tests
# are built into $(VMSCOPE_CACHE)/tests, where the VM runner looks for them.
selftests:
	mkdir -p $(VMSCOPE_CACHE)/tests
	ksft=$$(scripts/ksft.sh)/tools/testing/selftests && \
	$(MAKE) -C selftests KSFT_DIR=$$ksft OUTPUT=$(VMSCOPE_CACHE)/tests && \
	$(MAKE) -s --no-print-directory -C selftests KSFT_DIR=$$ksft \
		OUTPUT=$(VMSCOPE_CACHE)/tests emit_tests \
		> $(VMSCOPE_CACHE)/tests/kselftest-list.txt

# The release the module is installed for: R of /lib/modules/R/build or of
# /usr/src/linux-headers-R (Debian's 6.1 headers' kernel.release says
# "6.1.x", not the "6.1.0-N-cloud-amd64" that uname -r gives).
KDIR_ := $(patsubst %/,%,$(KDIR))
KRELEASE ?= $(or $(patsubst /lib/modules/%/build,%,$(filter /lib/modules/%/build,$(KDIR_))),$(patsubst linux-headers-%,%,$(filter linux-headers-%,$(notdir $(KDIR_)))),$(shell cat $(KDIR_)/include/config/kernel.release 2>/dev/null))
INSTALL_MOD_PATH ?=

install: install-module install-cli

install-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) KERNELRELEASE=$(KRELEASE) \
		INSTALL_MOD_PATH=$(INSTALL_MOD_PATH) modules_install
	depmod $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) -a $(KRELEASE)

install-cli: cli
	install -D -m 0755 userspace/vmscope $(DESTDIR)$(BINDIR)/vmscope
	install -D -m 0644 userspace/vmscope.8 $(DESTDIR)$(MANDIR)/man8/vmscope.8
	install -D -m 0644 completion/vmscope \
		$(DESTDIR)$(BASHCOMPDIR)/vmscope

uninstall-cli:
	rm -f $(DESTDIR)$(BINDIR)/vmscope $(DESTDIR)$(MANDIR)/man8/vmscope.8 \
		$(DESTDIR)$(BASHCOMPDIR)/vmscope

# vmscope(8) against the program: options and columns (make check runs it)
check-man: cli
	scripts/check-man.sh userspace/vmscope userspace/vmscope.8

# Debian packages vmscope and vmscope-dkms (debhelper, dh-dkms) in ..
deb:
	scripts/deb.sh

# Build the module for the three test kernels into $(VMSCOPE_CACHE)/build/VERSION.
modules-all:
	scripts/build-modules.sh

check:
	scripts/check.sh

check-debug:
	scripts/check-debug.sh

demo:
	scripts/demo.sh

bench:
	scripts/bench.sh

vm: modules-all cli selftests
	selftests/vmtest.sh -k $(KERNEL) -l $(LEVELS) -s

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean || true
	$(MAKE) -C userspace clean
	rm -f userspace/vmscope.8 selftests/vmscope_*_test

.PHONY: all module cli selftests install install-module install-cli \
	uninstall-cli check-man deb modules-all check check-debug demo bench vm \
	clean
