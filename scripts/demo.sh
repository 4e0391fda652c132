#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh - `make demo`: install what is missing, build the module for a
# Debian test kernel and the CLI, boot the kernel in QEMU, load the module
# and run the guided tour (scripts/tour.sh) on real processes in the VM.
#
# KERNEL=6.1|6.12 (default 6.12) and LEVELS=4|5 (default 5) choose the VM.

set -euo pipefail

SCRIPT_DIR=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
cd "$(dirname "$SCRIPT_DIR")"
# shellcheck source=scripts/vmprep.sh
. "$SCRIPT_DIR/vmprep.sh"
KERNEL=${KERNEL:-6.12}
LEVELS=${LEVELS:-5}

vm_prepare "$KERNEL"
echo "demo: booting $VM_VERSION with $LEVELS-level paging under QEMU" >&2
selftests/vmtest.sh -k "$VM_VERSION" -l "$LEVELS" -m "$VM_MODULE" \
	-T "$VM_NOTESTS" \
	-a scripts/tour.sh:/usr/bin/vmscope-tour \
	-a userspace/vmscope-shape:/usr/bin/vmscope-shape -- vmscope-tour
