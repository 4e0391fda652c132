#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vmprep.sh - sourced by the scripts that run a command in the test VM
# (demo.sh, bench.sh): vm_prepare KERNEL installs what is missing, builds
# vmscope.ko for that kernel and the CLI, and sets
#   VM_VERSION  the kernel version
#   VM_MODULE   the vmscope.ko built for it
#   VM_NOTESTS  an empty test directory (a command runs, not the tests)

# shellcheck source=scripts/deps.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/deps.sh"
export VMSCOPE_CACHE=${VMSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmscope}

# shellcheck disable=SC2034 # the variables are for the sourcing script
vm_prepare()
{
	local dir

	need_pkgs make gcc libc6-dev pkg-config libsmartcols-dev sparse \
		qemu-system-x86 busybox-static cpio kmod xz-utils zstd
	VM_VERSION=$(scripts/kernels.sh resolve "$1")
	echo "building vmscope for $VM_VERSION" >&2
	dir=$(scripts/build-modules.sh "$VM_VERSION" | tail -n1)
	VM_MODULE=$dir/vmscope.ko
	make -s -C userspace >&2
	VM_NOTESTS=$VMSCOPE_CACHE/no-tests
	mkdir -p "$VM_NOTESTS"
}
